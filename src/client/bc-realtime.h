/* bc-realtime.h: the backend's push channel, GET /api/realtime over WebSocket */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bc-api-client.h"

G_BEGIN_DECLS

typedef enum
{
  BC_REALTIME_STATE_OFFLINE,
  BC_REALTIME_STATE_CONNECTING,
  BC_REALTIME_STATE_CONNECTED,
} BcRealtimeState;

#define BC_TYPE_REALTIME_STATE (bc_realtime_state_get_type ())
GType bc_realtime_state_get_type (void);

#define BC_TYPE_REALTIME (bc_realtime_get_type ())
G_DECLARE_FINAL_TYPE (BcRealtime, bc_realtime, BC, REALTIME, GObject)

/* Properties: "client" (BcApiClient, construct-only), "state"
 * (BcRealtimeState), "last-error" (string: why it is offline, or NULL).
 * Signals:
 *  "message" (detailed by type): void (*) (BcRealtime *, const char *type,
 *    JsonObject *message, gpointer). Connect "message::session.updated" to
 *    receive one type only. @message is the whole object, "type" included.
 *    bountycam-server sends "hello", "bounty.created" and "bounty.updated"
 *    ({bounty}), "session.updated" ({session}), "session.event"
 *    ({session_id, status, stream_status, event}) and "balance.updated"
 *    ({points}). A "balance.updated" also updates the client's "user"
 *    (BcUser:points) before the signal is emitted.
 *  "connected": after each (re)connection; refetch lists here, since
 *    messages sent while offline are lost.
 *
 * Once started it reconnects on its own (backoff 0.5 s doubling to 30 s,
 * with jitter), refreshing the access token through the client when the
 * server refuses it. */
BcRealtime *bc_realtime_new (BcApiClient *client);

void bc_realtime_start (BcRealtime *self);
void bc_realtime_stop (BcRealtime *self);
/* Drops the backoff and connects now (the "refresh" button). */
void bc_realtime_reconnect_now (BcRealtime *self);
BcRealtimeState bc_realtime_get_state (BcRealtime *self);
const char *bc_realtime_get_last_error (BcRealtime *self);

G_END_DECLS
