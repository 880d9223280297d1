/* bc-stream-event.h: one entry of a session's timeline ({type, created_at, detail}) */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_TYPE_STREAM_EVENT (bc_stream_event_get_type ())
G_DECLARE_FINAL_TYPE (BcStreamEvent, bc_stream_event, BC, STREAM_EVENT, GObject)

/* "type" is one of stream_started, stream_active, stream_inactive,
 * stream_ended, session_timeout (others are kept as they come). "detail" is
 * the server's detail as text: a string as is, anything else as JSON. */
BcStreamEvent *bc_stream_event_new_from_json (JsonObject *object, GError **error);

const char *bc_stream_event_get_id (BcStreamEvent *self);
const char *bc_stream_event_get_event_type (BcStreamEvent *self);
GDateTime *bc_stream_event_get_created_at (BcStreamEvent *self);
const char *bc_stream_event_get_detail (BcStreamEvent *self);

G_END_DECLS
