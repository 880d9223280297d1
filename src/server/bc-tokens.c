/* bc-tokens.c
 *
 * LiveKit claim names follow its ClaimGrants/VideoGrant JSON (livekit
 * protocol auth/grants.go): "video" with camelCase members, "metadata" as a
 * string, "sha256" for webhooks. LiveKit verifies with a one-minute leeway.
 */
#include "config.h"

#include "bc-tokens.h"
#include "bc-base64url.h"
#include "bc-core-error.h"
#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-secure.h"

#include <string.h>

#define ACCESS_LEEWAY_S     30
#define WEBHOOK_LEEWAY_S    60
#define ADMIN_TOKEN_TTL_S   600
#define WEBHOOK_TOKEN_TTL_S 300

const char *
bc_role_to_string (BcRole role)
{
  return role == BC_ROLE_STREAMER ? "streamer" : "requester";
}

static char *
sign (JsonObject *claims, const char *secret)
{
  return bc_jwt_sign_hs256 (claims, (const guint8 *) secret, strlen (secret));
}

char *
bc_access_token_mint (
    const char *secret, const char *user_id, const char *login_id, gint64 now_s, guint ttl_s)
{
  g_autoptr (JsonObject) claims = json_object_new ();

  json_object_set_string_member (claims, "iss", BC_ACCESS_TOKEN_ISSUER);
  json_object_set_string_member (claims, "aud", BC_ACCESS_TOKEN_AUDIENCE);
  json_object_set_string_member (claims, "sub", user_id);
  json_object_set_string_member (claims, "sid", login_id);
  json_object_set_string_member (claims, "typ", "access");
  json_object_set_int_member (claims, "iat", now_s);
  json_object_set_int_member (claims, "exp", now_s + ttl_s);
  return sign (claims, secret);
}

gboolean
bc_access_token_verify (const char *secret,
                        const char *token,
                        gint64 now_s,
                        char **out_user_id,
                        char **out_login_id,
                        gint64 *out_expires_at,
                        GError **error)
{
  g_autoptr (JsonObject) claims = NULL;
  const char *sub, *sid;

  claims = bc_jwt_verify_hs256 (token, (const guint8 *) secret, strlen (secret), now_s,
                                ACCESS_LEEWAY_S, BC_JWT_VERIFY_REQUIRE_EXP, error);
  if (claims == NULL)
    return FALSE;
  sub = bc_json_get_string (claims, "sub", FALSE, NULL);
  sid = bc_json_get_string (claims, "sid", FALSE, NULL);
  if (g_strcmp0 (bc_json_get_string (claims, "typ", FALSE, NULL), "access") != 0 ||
      g_strcmp0 (bc_json_get_string (claims, "iss", FALSE, NULL), BC_ACCESS_TOKEN_ISSUER) != 0 ||
      g_strcmp0 (bc_json_get_string (claims, "aud", FALSE, NULL), BC_ACCESS_TOKEN_AUDIENCE) != 0 ||
      sub == NULL || sid == NULL)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_CLAIMS,
                           "The token is not an access token");
      return FALSE;
    }
  if (out_user_id)
    *out_user_id = g_strdup (sub);
  if (out_login_id)
    *out_login_id = g_strdup (sid);
  if (out_expires_at)
    *out_expires_at = json_object_get_int_member (claims, "exp");
  return TRUE;
}

char *
bc_refresh_token_new (void)
{
  return bc_random_token (32);
}

char *
bc_refresh_token_hash (const char *token)
{
  return bc_sha256_hex (token, strlen (token));
}

/* Appends @text as a JSON string. The join token is minted on every
 * request of the token route, so it is written directly rather than through
 * a JsonGenerator (a third of the route's own time otherwise). */
static void
append_json_string (GString *out, const char *text)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) text; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, *p);
        }
      else if (*p < 0x20)
        g_string_append_printf (out, "\\u%04x", *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static const char jwt_header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; /* HS256, JWT */

static char *
sign_payload (const char *payload, gsize len, const char *secret)
{
  g_autofree char *payload_b64 = bc_base64url_encode ((const guint8 *) payload, len);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_autofree char *signature = NULL;
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) jwt_header_b64, sizeof jwt_header_b64 - 1);
  g_hmac_update (hmac, (const guchar *) ".", 1);
  g_hmac_update (hmac, (const guchar *) payload_b64, strlen (payload_b64));
  g_hmac_get_digest (hmac, digest, &digest_len);
  signature = bc_base64url_encode (digest, digest_len);
  return g_strconcat (jwt_header_b64, ".", payload_b64, ".", signature, NULL);
}

char *
bc_livekit_token_mint (const char *api_key,
                       const char *api_secret,
                       const char *identity,
                       const char *name,
                       const char *room,
                       const char *session_id,
                       BcRole role,
                       gint64 now_s,
                       guint ttl_s)
{
  g_autoptr (GString) claims = g_string_sized_new (512);
  g_autoptr (GString) metadata = g_string_sized_new (96);

  g_string_append (metadata, "{\"role\":");
  append_json_string (metadata, bc_role_to_string (role));
  g_string_append (metadata, ",\"session_id\":");
  append_json_string (metadata, session_id);
  g_string_append_c (metadata, '}');

  g_string_append (claims, "{\"iss\":");
  append_json_string (claims, api_key);
  g_string_append (claims, ",\"sub\":");
  append_json_string (claims, identity);
  g_string_append (claims, ",\"jti\":");
  append_json_string (claims, identity);
  g_string_append (claims, ",\"name\":");
  append_json_string (claims, name);
  g_string_append_printf (claims,
                          ",\"iat\":%" G_GINT64_FORMAT ",\"nbf\":%" G_GINT64_FORMAT
                          ",\"exp\":%" G_GINT64_FORMAT ",\"video\":{\"roomJoin\":true,\"room\":",
                          now_s, now_s, now_s + ttl_s);
  append_json_string (claims, room);
  if (role == BC_ROLE_STREAMER)
    g_string_append (claims, ",\"canPublish\":true,\"canSubscribe\":false,"
                             "\"canPublishSources\":[\"camera\",\"microphone\"]}");
  else
    g_string_append (claims, ",\"canPublish\":false,\"canSubscribe\":true}");
  g_string_append (claims, ",\"metadata\":");
  append_json_string (claims, metadata->str);
  g_string_append_c (claims, '}');

  return sign_payload (claims->str, claims->len, api_secret);
}

char *
bc_livekit_admin_token_mint (const char *api_key,
                             const char *api_secret,
                             const char *room,
                             gint64 now_s)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  JsonObject *video = json_object_new ();

  json_object_set_string_member (claims, "iss", api_key);
  json_object_set_string_member (claims, "sub", "bountycam-server");
  json_object_set_int_member (claims, "nbf", now_s);
  json_object_set_int_member (claims, "exp", now_s + ADMIN_TOKEN_TTL_S);
  /* DeleteRoom checks roomCreate (livekit roomservice.go EnsureCreatePermission). */
  json_object_set_boolean_member (video, "roomCreate", TRUE);
  json_object_set_boolean_member (video, "roomAdmin", TRUE);
  json_object_set_string_member (video, "room", room);
  json_object_set_object_member (claims, "video", video);
  return sign (claims, api_secret);
}

gboolean
bc_livekit_webhook_verify (const char *api_key,
                           const char *api_secret,
                           const char *authorization,
                           const void *body,
                           gsize body_len,
                           gint64 now_s,
                           GError **error)
{
  g_autoptr (JsonObject) claims = NULL;
  g_autofree char *digest = NULL;
  const char *claimed;

  if (authorization == NULL)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_MALFORMED,
                           "The webhook has no Authorization header");
      return FALSE;
    }
  if (g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    authorization += 7;
  claims = bc_jwt_verify_hs256 (authorization, (const guint8 *) api_secret, strlen (api_secret),
                                now_s, WEBHOOK_LEEWAY_S, BC_JWT_VERIFY_DEFAULT, error);
  if (claims == NULL)
    return FALSE;
  if (g_strcmp0 (bc_json_get_string (claims, "iss", FALSE, NULL), api_key) != 0)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_CLAIMS,
                           "The webhook was signed for another API key");
      return FALSE;
    }
  claimed = bc_json_get_string (claims, "sha256", FALSE, NULL);
  digest = bc_sha256_base64 (body, body_len);
  if (!bc_secure_str_equal (claimed, digest))
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_SIGNATURE,
                           "The webhook body does not match its signature");
      return FALSE;
    }
  return TRUE;
}

char *
bc_livekit_webhook_sign (
    const char *api_key, const char *api_secret, const void *body, gsize body_len, gint64 now_s)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  g_autofree char *digest = bc_sha256_base64 (body, body_len);

  json_object_set_string_member (claims, "iss", api_key);
  json_object_set_int_member (claims, "nbf", now_s);
  json_object_set_int_member (claims, "exp", now_s + WEBHOOK_TOKEN_TTL_S);
  json_object_set_string_member (claims, "sha256", digest);
  return sign (claims, api_secret);
}
