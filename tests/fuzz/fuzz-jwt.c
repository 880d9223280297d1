/* fuzz-jwt: HS256 JWT parsing and verification (src/core bc-jwt), and the
 * two token checks built on it: the API's access tokens and the SFU's
 * LiveKit grants.
 *
 * The first byte picks the mode: 0 hands the rest over as a token; 1 signs
 * the rest (as the claims part) with the right key first, so that the
 * claims parsing behind the signature check is reached as well. */
#include "config.h"

#include "bc-base64url.h"
#include "bc-jwt.h"
#include "bc-sfu-auth.h"
#include "bc-tokens.h"

#include <stdint.h>
#include <string.h>

#define KEY     "fuzz-secret-0123456789-abcdefghijkl"
#define API_KEY "APIfuzz"
#define NOW     1700000000

static char *
sign_raw (const char *claims, gsize len)
{
  static const char header[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  g_autofree char *h = bc_base64url_encode ((const guint8 *) header, strlen (header));
  g_autofree char *c = bc_base64url_encode ((const guint8 *) claims, len);
  g_autofree char *input = g_strconcat (h, ".", c, NULL);
  g_autoptr (GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guint8 *) KEY, strlen (KEY));
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  g_autofree char *sig = NULL;

  g_hmac_update (hmac, (const guint8 *) input, strlen (input));
  g_hmac_get_digest (hmac, digest, &digest_len);
  sig = bc_base64url_encode (digest, digest_len);
  return g_strconcat (input, ".", sig, NULL);
}

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *token = NULL;
  g_autoptr (JsonObject) peeked = NULL;
  g_autoptr (JsonObject) verified = NULL;
  g_autoptr (BcSfuGrants) grants = NULL;
  g_autofree char *user = NULL;
  g_autofree char *login = NULL;
  gint64 expires = 0;
  GError *error = NULL;

  if (size < 1)
    return 0;
  if (data[0] & 1)
    token = sign_raw ((const char *) data + 1, size - 1);
  else
    token = g_strndup ((const char *) data + 1, size - 1);

  peeked = bc_jwt_peek_claims (token, &error);
  g_assert ((peeked == NULL) == (error != NULL));
  g_clear_error (&error);
  verified = bc_jwt_verify_hs256 (token, (const guint8 *) KEY, strlen (KEY), NOW, 30,
                                  BC_JWT_VERIFY_REQUIRE_EXP, &error);
  g_assert ((verified == NULL) == (error != NULL));
  g_clear_error (&error);
  if (bc_access_token_verify (KEY, token, NOW, &user, &login, &expires, &error))
    g_assert (user != NULL && login != NULL);
  else
    g_assert (error != NULL);
  g_clear_error (&error);
  grants = bc_sfu_grants_verify (token, API_KEY, KEY, NOW, &error);
  if (grants != NULL)
    {
      g_autofree char *refreshed = bc_sfu_grants_refresh_token (grants, API_KEY, KEY, NOW, 600);

      bc_sfu_grants_can_publish_source (grants, BC_SFU_SOURCE_CAMERA);
      bc_sfu_grants_can_publish_source (grants, BC_SFU_SOURCE_SCREEN_SHARE_AUDIO);
      g_assert (refreshed != NULL);
    }
  g_clear_error (&error);
  return 0;
}
