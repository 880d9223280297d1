/* bc-server.h: bountycam-server, the bounty backend
 *
 * Lifecycle (see main.c): bc_config_load → bc_sqlite_store_open →
 * bc_server_new → bc_server_listen → (attach more routes, e.g. the built-in
 * SFU's, to bc_server_get_soup_server) → run the main loop →
 * bc_server_shutdown_async on SIGINT/SIGTERM.
 */
#pragma once

#include <libsoup/soup.h>

#include "bc-config.h"
#include "bc-store.h"

G_BEGIN_DECLS

#define BC_TYPE_SERVER (bc_server_get_type ())
G_DECLARE_FINAL_TYPE (BcServer, bc_server, BC, SERVER, GObject)

/* Takes ownership of @config. */
BcServer *bc_server_new (BcConfig *config, BcStore *store);

/* Binds the listen address and starts the timers. */
gboolean bc_server_listen (BcServer *self, GError **error);

/* The SoupServer the API is served on; other components add handlers for
 * their own paths (/rtc, /twirp/…). */
SoupServer *bc_server_get_soup_server (BcServer *self);
const BcConfig *bc_server_get_config (BcServer *self);
BcStore *bc_server_get_store (BcServer *self);

/* After bc_server_listen: "http://127.0.0.1:8080" (the bound address; a
 * wildcard host is shown as loopback). */
const char *bc_server_get_base_url (BcServer *self);
/* True when no external LiveKit is configured: this server's own port then
 * serves LiveKit's protocol. */
gboolean bc_server_uses_builtin_sfu (BcServer *self);
/* What clients are told to connect to: LIVEKIT_URL, or ws://<our address>. */
const char *bc_server_get_livekit_url (BcServer *self);
const char *bc_server_get_livekit_api_key (BcServer *self);
const char *bc_server_get_livekit_api_secret (BcServer *self);
/* Where LiveKit (or the built-in SFU) posts webhooks:
 * http://<our loopback address>/api/livekit/webhook. */
const char *bc_server_get_webhook_url (BcServer *self);

/* Runs the inactivity cleanup now; returns how many sessions timed out. */
guint bc_server_run_cleanup (BcServer *self);

/* Stops taking requests, lets those in flight finish, closes realtime
 * connections and the listeners. */
void bc_server_shutdown_async (BcServer *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean bc_server_shutdown_finish (BcServer *self, GAsyncResult *result, GError **error);

G_END_DECLS
