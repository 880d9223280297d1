/* bc-jwt.c
 *
 * Verification follows LiveKit's (protocol auth/verifier.go): HS256 only,
 * a constant-time signature check before any claim is trusted, then exp/nbf
 * with a caller-chosen leeway.
 */
#include "config.h"

#include "bc-jwt.h"
#include "bc-base64url.h"
#include "bc-core-error.h"
#include "bc-json.h"
#include "bc-secure.h"

#include <string.h>

/* A token far larger than any we mint is refused before any work is done. */
#define MAX_TOKEN_LEN (16 * 1024)

static const char header_b64[] =
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"; /* {"alg":"HS256","typ":"JWT"} */

static char *
hmac_b64 (const guint8 *key, gsize key_len, const char *input, gsize input_len)
{
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) input, input_len);
  g_hmac_get_digest (hmac, digest, &digest_len);
  return bc_base64url_encode (digest, digest_len);
}

char *
bc_jwt_sign_hs256 (JsonObject *claims, const guint8 *key, gsize key_len)
{
  g_autofree char *payload = bc_json_object_to_string (claims);
  g_autofree char *payload_b64 = bc_base64url_encode ((const guint8 *) payload, strlen (payload));
  g_autofree char *signing_input = g_strconcat (header_b64, ".", payload_b64, NULL);
  g_autofree char *sig = hmac_b64 (key, key_len, signing_input, strlen (signing_input));

  return g_strconcat (signing_input, ".", sig, NULL);
}

static JsonObject *
decode_part (const char *b64, gsize len, const char *what, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autofree guint8 *raw = NULL;
  gsize raw_len = 0;
  JsonObject *obj;

  raw = bc_base64url_decode (b64, len, &raw_len, &local_error);
  if (raw == NULL)
    {
      g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_MALFORMED,
                   "The token's %s is not base64url", what);
      return NULL;
    }
  obj = bc_json_parse_object ((const char *) raw, raw_len, NULL);
  if (obj == NULL)
    g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_MALFORMED,
                 "The token's %s is not a JSON object", what);
  return obj;
}

typedef struct
{
  const char *header;
  gsize header_len;
  const char *payload;
  gsize payload_len;
  const char *signature;
  gsize signature_len;
} Parts;

static gboolean
split (const char *token, Parts *parts, GError **error)
{
  const char *dot1, *dot2;
  gsize len;

  if (token == NULL || (len = strnlen (token, MAX_TOKEN_LEN + 1)) == 0 || len > MAX_TOKEN_LEN)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_MALFORMED,
                           "The token is empty or too long");
      return FALSE;
    }
  dot1 = strchr (token, '.');
  dot2 = dot1 ? strchr (dot1 + 1, '.') : NULL;
  if (dot1 == NULL || dot2 == NULL || strchr (dot2 + 1, '.') != NULL)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_MALFORMED,
                           "The token does not have three parts");
      return FALSE;
    }
  parts->header = token;
  parts->header_len = dot1 - token;
  parts->payload = dot1 + 1;
  parts->payload_len = dot2 - (dot1 + 1);
  parts->signature = dot2 + 1;
  parts->signature_len = strlen (dot2 + 1);
  return TRUE;
}

JsonObject *
bc_jwt_peek_claims (const char *token, GError **error)
{
  Parts parts;

  if (!split (token, &parts, error))
    return NULL;
  return decode_part (parts.payload, parts.payload_len, "payload", error);
}

#define BC_JWT_MAX_TIME ((gint64) 1 << 53)

static gboolean
check_time_claim (
    JsonObject *claims, const char *name, gboolean required, gint64 *out, GError **error)
{
  JsonNode *node = json_object_get_member (claims, name);
  gint64 value;

  if (node == NULL)
    {
      if (required)
        {
          g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_CLAIMS,
                       "The token has no “%s” claim", name);
          return FALSE;
        }
      *out = 0;
      return TRUE;
    }
  /* NumericDate may be written as a float by some libraries. */
  if (!JSON_NODE_HOLDS_VALUE (node) || (json_node_get_value_type (node) != G_TYPE_INT64 &&
                                        json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_CLAIMS,
                   "The token's “%s” claim is not a number", name);
      return FALSE;
    }
  /* Within JSON's safe integers (2^53): a cast of a larger (or infinite)
   * double is undefined, and exp + leeway must not overflow. */
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else
    {
      double d = json_node_get_double (node);

      if (!(d >= -BC_JWT_MAX_TIME && d <= BC_JWT_MAX_TIME))
        value = G_MAXINT64;
      else
        value = (gint64) d;
    }
  if (value < -BC_JWT_MAX_TIME || value > BC_JWT_MAX_TIME)
    {
      g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_CLAIMS,
                   "The token's “%s” claim is out of range", name);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

JsonObject *
bc_jwt_verify_hs256 (const char *token,
                     const guint8 *key,
                     gsize key_len,
                     gint64 now,
                     gint64 leeway,
                     BcJwtVerifyFlags flags,
                     GError **error)
{
  g_autoptr (JsonObject) header = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autofree char *expected = NULL;
  const char *alg;
  gint64 exp = 0, nbf = 0;
  Parts parts;

  if (!split (token, &parts, error))
    return NULL;

  header = decode_part (parts.header, parts.header_len, "header", error);
  if (header == NULL)
    return NULL;
  alg = bc_json_get_string (header, "alg", FALSE, NULL);
  if (g_strcmp0 (alg, "HS256") != 0)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_ALGORITHM,
                           "The token is not signed with HS256");
      return NULL;
    }

  expected = hmac_b64 (key, key_len, token, parts.header_len + 1 + parts.payload_len);
  if (!bc_secure_equal (expected, strlen (expected), parts.signature, parts.signature_len))
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_SIGNATURE,
                           "The token's signature is not valid");
      return NULL;
    }

  claims = decode_part (parts.payload, parts.payload_len, "payload", error);
  if (claims == NULL)
    return NULL;

  if (!check_time_claim (claims, "exp", (flags & BC_JWT_VERIFY_REQUIRE_EXP) != 0, &exp, error) ||
      !check_time_claim (claims, "nbf", FALSE, &nbf, error))
    return NULL;

  if (json_object_has_member (claims, "exp") && now > exp + leeway)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_EXPIRED,
                           "The token has expired");
      return NULL;
    }
  if (json_object_has_member (claims, "nbf") && now + leeway < nbf)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_NOT_YET_VALID,
                           "The token is not valid yet");
      return NULL;
    }

  return g_steal_pointer (&claims);
}
