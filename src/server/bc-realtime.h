/* bc-realtime.h: the realtime WebSocket connections, by user */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define BC_TYPE_REALTIME (bc_realtime_get_type ())
G_DECLARE_FINAL_TYPE (BcRealtime, bc_realtime, BC, REALTIME, GObject)

BcRealtime *bc_realtime_new (void);
void bc_realtime_add (BcRealtime *self,
                      const char *user_id,
                      const char *login_id,
                      SoupWebsocketConnection *conn);
/* Closes the connections opened with tokens of @login_id (after a logout). */
void bc_realtime_close_login (BcRealtime *self, const char *login_id);
/* Sends @message to every connection of @user_id. */
void bc_realtime_send (BcRealtime *self, const char *user_id, JsonObject *message);
/* Sends @message to every connection. */
void bc_realtime_broadcast (BcRealtime *self, JsonObject *message);
guint bc_realtime_count (BcRealtime *self);
/* Closes every connection with "going away". */
void bc_realtime_close_all (BcRealtime *self);

G_END_DECLS
