/* bc-session.h: a bounty session ({id, bounty_id, room, status, outcome, streamer, requester,
 * last_activity_at, events}) */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bc-user.h"
#include "bc-stream-event.h"

G_BEGIN_DECLS

#define BC_TYPE_SESSION (bc_session_get_type ())
G_DECLARE_FINAL_TYPE (BcSession, bc_session, BC, SESSION, GObject)

/* Properties: "id", "bounty-id", "room", "status" ("pending", "live",
 * "ended"), "outcome" (NULL, "approved", "rejected", "timed_out"),
 * "streamer", "requester" (BcUser), "last-activity-at" (GDateTime), "events"
 * (GListModel of BcStreamEvent, the same object for the session's life),
 * "stream-status" (NULL, "started", "active", "inactive", …), "bounty-title",
 * "reward-points" (the bounty's, as the server sends them),
 * "is-ended" (boolean). */
BcSession *bc_session_new_from_json (JsonObject *object, GError **error);
/* Updates in place; "events" is replaced only when @object carries events. */
gboolean bc_session_update_from_json (BcSession *self, JsonObject *object, GError **error);
/* Appends one event (e.g. from a realtime message) unless its id is known. */
void bc_session_add_event (BcSession *self, BcStreamEvent *event);

const char *bc_session_get_id (BcSession *self);
const char *bc_session_get_bounty_id (BcSession *self);
const char *bc_session_get_room (BcSession *self);
const char *bc_session_get_status (BcSession *self);
const char *bc_session_get_outcome (BcSession *self);
BcUser *bc_session_get_streamer (BcSession *self);
BcUser *bc_session_get_requester (BcSession *self);
GDateTime *bc_session_get_last_activity_at (BcSession *self);
GListModel *bc_session_get_events (BcSession *self);
const char *bc_session_get_stream_status (BcSession *self);
const char *bc_session_get_bounty_title (BcSession *self);
gint64 bc_session_get_reward_points (BcSession *self);
gboolean bc_session_is_ended (BcSession *self);

G_END_DECLS
