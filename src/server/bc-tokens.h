/* bc-tokens.h: the tokens bountycam-server issues and checks
 *
 * Three kinds, never interchangeable:
 * - API access tokens: HS256 with the server's own secret, "typ": "access";
 * - refresh tokens: 256 random bits, opaque, stored only as their SHA-256;
 * - LiveKit tokens: HS256 with LIVEKIT_API_SECRET in LiveKit's claim format
 *   (join tokens for clients, admin tokens for RoomService, and the webhook
 *   tokens LiveKit sends us).
 */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_ACCESS_TOKEN_ISSUER   "bountycam"
#define BC_ACCESS_TOKEN_AUDIENCE "bountycam-api"

typedef enum
{
  BC_ROLE_STREAMER,
  BC_ROLE_REQUESTER,
} BcRole;

const char *bc_role_to_string (BcRole role);

char *bc_access_token_mint (
    const char *secret, const char *user_id, const char *login_id, gint64 now_s, guint ttl_s);
/* Fails unless @token is an unexpired access token signed with @secret. */
gboolean bc_access_token_verify (const char *secret,
                                 const char *token,
                                 gint64 now_s,
                                 char **out_user_id,
                                 char **out_login_id,
                                 gint64 *out_expires_at,
                                 GError **error);

char *bc_refresh_token_new (void);
char *bc_refresh_token_hash (const char *token);

/* A LiveKit join token: streamers may publish camera and microphone and
 * subscribe to nothing; requesters may only subscribe. */
char *bc_livekit_token_mint (const char *api_key,
                             const char *api_secret,
                             const char *identity,
                             const char *name,
                             const char *room,
                             const char *session_id,
                             BcRole role,
                             gint64 now_s,
                             guint ttl_s);
/* A short-lived RoomService token allowed to administer (delete) @room. */
char *bc_livekit_admin_token_mint (const char *api_key,
                                   const char *api_secret,
                                   const char *room,
                                   gint64 now_s);
/* Checks a LiveKit webhook: @authorization is the JWT LiveKit sends (with or
 * without "Bearer "), signed with the API secret, issued by the API key,
 * whose "sha256" claim is the base64 SHA-256 of @body. */
gboolean bc_livekit_webhook_verify (const char *api_key,
                                    const char *api_secret,
                                    const char *authorization,
                                    const void *body,
                                    gsize body_len,
                                    gint64 now_s,
                                    GError **error);
/* Signs a body the way LiveKit does (for tests and the built-in SFU). */
char *bc_livekit_webhook_sign (
    const char *api_key, const char *api_secret, const void *body, gsize body_len, gint64 now_s);

G_END_DECLS
