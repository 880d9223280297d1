/* bc-api-client.h: the bounty backend's REST API, asynchronous and cancellable */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bc-bounty.h"
#include "bc-client-error.h"
#include "bc-livekit-token.h"
#include "bc-session.h"
#include "bc-user.h"

G_BEGIN_DECLS

#define BC_TYPE_API_CLIENT (bc_api_client_get_type ())
G_DECLARE_FINAL_TYPE (BcApiClient, bc_api_client, BC, API_CLIENT, GObject)

typedef enum
{
  BC_BOUNTY_FILTER_OPEN, /* open bounties of others: GET /api/bounties */
  BC_BOUNTY_FILTER_MINE, /* my own bounties, any status: GET /api/bounties?mine=1 */
} BcBountyFilter;

#define BC_TYPE_BOUNTY_FILTER (bc_bounty_filter_get_type ())
GType bc_bounty_filter_get_type (void);

/* Properties:
 *  "base-url" (construct-only): "http://127.0.0.1:8080" or "https://bounty.example".
 *  "allow-insecure": send tokens over plain http to a non-loopback host.
 *  "user" (BcUser, read-only): the signed-in account, updated by login,
 *    signup, refresh and me; NULL when signed out.
 *  "signed-in" (read-only): a refresh or access token is held.
 *  "refresh-token" (read-write): the rotating refresh token. It changes on
 *    every refresh; store it (BcCredentialStore) on notify::refresh-token.
 *    Set it to restore a stored login.
 * Signals:
 *  "login-expired": a refresh was refused; the user must sign in again.
 *
 * Requests that need a login refresh the access token first when it is about
 * to expire, and once more on 401, then retry once. Concurrent requests share
 * one refresh (the server revokes a login whose refresh token is reused). */
BcApiClient *bc_api_client_new (const char *base_url);

const char *bc_api_client_get_base_url (BcApiClient *self);
gboolean bc_api_client_get_allow_insecure (BcApiClient *self);
void bc_api_client_set_allow_insecure (BcApiClient *self, gboolean allow_insecure);
BcUser *bc_api_client_get_user (BcApiClient *self);
gboolean bc_api_client_get_signed_in (BcApiClient *self);
const char *bc_api_client_get_refresh_token (BcApiClient *self);
void bc_api_client_set_refresh_token (BcApiClient *self, const char *refresh_token);
/* The current access token (for the realtime socket), or NULL. */
const char *bc_api_client_get_access_token (BcApiClient *self);
/* Forgets both tokens and the user locally (no request). */
void bc_api_client_forget_login (BcApiClient *self);

/* Fails with BC_CLIENT_ERROR_INSECURE if tokens may not go to base-url. */
gboolean bc_api_client_check_transport (BcApiClient *self, GError **error);
/* ws:// or wss:// URL of GET /api/realtime. */
char *bc_api_client_dup_realtime_url (BcApiClient *self);
/* Makes a SoupMessage-free check for tests and the realtime client:
 * TRUE if @url's host is loopback (127.0.0.0/8, ::1, localhost). */
gboolean bc_url_is_loopback (const char *url);

/* GET /healthz */
void bc_api_client_healthz_async (BcApiClient *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean bc_api_client_healthz_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/auth/signup; signs in. */
void bc_api_client_signup_async (BcApiClient *self,
                                 const char *email,
                                 const char *password,
                                 const char *display_name,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
BcUser *bc_api_client_signup_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/auth/login; wrong password → BC_CLIENT_ERROR_UNAUTHORIZED,
 * too many attempts → BC_CLIENT_ERROR_THROTTLED. */
void bc_api_client_login_async (BcApiClient *self,
                                const char *email,
                                const char *password,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
BcUser *bc_api_client_login_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/auth/refresh with the held refresh token (rotates it). */
void bc_api_client_refresh_async (BcApiClient *self,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
gboolean bc_api_client_refresh_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/auth/logout; forgets the login locally even when the server
 * cannot be reached (then it returns the error). */
void bc_api_client_logout_async (BcApiClient *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
gboolean bc_api_client_logout_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* GET /api/me; also updates "user". */
void bc_api_client_me_async (BcApiClient *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
BcUser *bc_api_client_me_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* GET /api/bounties → GListModel of BcBounty (a GListStore) */
void bc_api_client_list_bounties_async (BcApiClient *self,
                                        BcBountyFilter filter,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
GListModel *
bc_api_client_list_bounties_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/bounties */
void bc_api_client_create_bounty_async (BcApiClient *self,
                                        const char *title,
                                        const char *description,
                                        gint64 reward_points,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BcBounty *
bc_api_client_create_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* GET /api/bounties/{id} */
void bc_api_client_get_bounty_async (BcApiClient *self,
                                     const char *bounty_id,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
BcBounty *bc_api_client_get_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/bounties/{id}/cancel → the updated bounty */
void bc_api_client_cancel_bounty_async (BcApiClient *self,
                                        const char *bounty_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BcBounty *
bc_api_client_cancel_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/bounties/{id}/accept → the new session */
void bc_api_client_accept_bounty_async (BcApiClient *self,
                                        const char *bounty_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BcSession *
bc_api_client_accept_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* GET /api/sessions → GListModel of BcSession */
void bc_api_client_list_sessions_async (BcApiClient *self,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
GListModel *
bc_api_client_list_sessions_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* GET /api/sessions/{id} */
void bc_api_client_get_session_async (BcApiClient *self,
                                      const char *session_id,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
BcSession *
bc_api_client_get_session_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/livekit/token {session_id} */
void bc_api_client_livekit_token_async (BcApiClient *self,
                                        const char *session_id,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
BcLivekitToken *
bc_api_client_livekit_token_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/sessions/{id}/events {type, detail}; @detail may be NULL. */
void bc_api_client_post_event_async (BcApiClient *self,
                                     const char *session_id,
                                     const char *event_type,
                                     JsonObject *detail,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
gboolean bc_api_client_post_event_finish (BcApiClient *self, GAsyncResult *result, GError **error);

/* POST /api/sessions/{id}/approve and /reject → the ended session */
void bc_api_client_approve_session_async (BcApiClient *self,
                                          const char *session_id,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
BcSession *
bc_api_client_approve_session_finish (BcApiClient *self, GAsyncResult *result, GError **error);
void bc_api_client_reject_session_async (BcApiClient *self,
                                         const char *session_id,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
BcSession *
bc_api_client_reject_session_finish (BcApiClient *self, GAsyncResult *result, GError **error);

G_END_DECLS
