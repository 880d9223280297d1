/* bc-lk-signal.h: the LiveKit signal connection (WebSocket, binary protobuf) */
#pragma once

#include <gio/gio.h>

#include "bc-lk-proto.h"

G_BEGIN_DECLS

#define BC_TYPE_LK_SIGNAL (bc_lk_signal_get_type ())
G_DECLARE_FINAL_TYPE (BcLkSignal, bc_lk_signal, BC, LK_SIGNAL, GObject)

/* What a resume (reconnect=1) needs; pass NULL to bc_lk_signal_connect_async()
 * for a fresh join. */
typedef struct
{
  const char *participant_sid;
  Livekit__ReconnectReason reason;
} BcLkSignalResume;

BcLkSignal *bc_lk_signal_new (void);

/* Builds the /rtc WebSocket URL. @url is the LiveKit URL as handed out with a
 * token (ws://, wss://, http:// or https://, optionally with a path prefix).
 * The token goes into the query as well as into the Authorization header,
 * because servers and proxies differ in where they look. The result contains
 * the token: never log it. */
char *bc_lk_signal_build_url (const char *url,
                              const char *token,
                              const BcLkSignalResume *resume,
                              GError **error);

/* Opens the signal connection and waits for the server's first message: a
 * JoinResponse for a join; a ReconnectResponse (or any non-leave message)
 * for a resume; a LeaveRequest when the server refuses. On failure, asks
 * /rtc/validate why and reports it as a BC_LK_ERROR a person can act on. */
void bc_lk_signal_connect_async (BcLkSignal *self,
                                 const char *url,
                                 const char *token,
                                 const BcLkSignalResume *resume,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
/* Returns the first message (owned by the caller). Messages after it are
 * emitted as ::message once control is back in the main loop, so the caller
 * can act on the first message before anything else arrives. */
Livekit__SignalResponse *
bc_lk_signal_connect_finish (BcLkSignal *self, GAsyncResult *result, GError **error);

gboolean bc_lk_signal_is_connected (BcLkSignal *self);

/* Sends one SignalRequest; FALSE when the connection is not open. */
gboolean bc_lk_signal_send (BcLkSignal *self, const Livekit__SignalRequest *request);

/* Keepalive: every @interval_s seconds sends ping and ping_req; when nothing
 * arrives for @timeout_s seconds the connection counts as lost. Set from the
 * JoinResponse automatically; 0 turns it off. */
void bc_lk_signal_set_keepalive (BcLkSignal *self, int interval_s, int timeout_s);

/* Last round trip measured by the keepalive, in ms (0 before the first pong). */
gint64 bc_lk_signal_get_rtt (BcLkSignal *self);

/* Sends leave{reason, action} and closes the WebSocket (1000). Emits no ::lost. */
void bc_lk_signal_leave (BcLkSignal *self,
                         Livekit__DisconnectReason reason,
                         Livekit__LeaveRequest__Action action);

/* Closes without a leave (the connection is to be resumed by a new one). */
void bc_lk_signal_close (BcLkSignal *self);

G_END_DECLS
