#include "config.h"

#include "bc-secure.h"
#include "bc-base64url.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

gboolean
bc_secure_equal (const void *a, gsize a_len, const void *b, gsize b_len)
{
  const volatile guint8 *pa = a;
  const volatile guint8 *pb = b;
  guint8 diff = 0;

  /* The length of a secret is not itself secret here; only contents are. */
  if (a_len != b_len)
    return FALSE;
  for (gsize i = 0; i < a_len; i++)
    diff |= pa[i] ^ pb[i];
  return diff == 0;
}

gboolean
bc_secure_str_equal (const char *a, const char *b)
{
  if (a == NULL || b == NULL)
    return FALSE;
  return bc_secure_equal (a, strlen (a), b, strlen (b));
}

void
bc_random_bytes (guint8 *buf, gsize len)
{
  gsize done = 0;

  while (done < len)
    {
      gssize n = getrandom (buf + done, len - done, 0);

      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          g_error ("getrandom failed: %s", g_strerror (errno));
        }
      done += (gsize) n;
    }
}

char *
bc_random_token (gsize n_bytes)
{
  g_autofree guint8 *buf = g_malloc (n_bytes);

  bc_random_bytes (buf, n_bytes);
  return bc_base64url_encode (buf, n_bytes);
}

char *
bc_random_uuid (void)
{
  guint8 b[16];

  bc_random_bytes (b, sizeof b);
  b[6] = (b[6] & 0x0f) | 0x40; /* version 4 */
  b[8] = (b[8] & 0x3f) | 0x80; /* RFC 4122 variant */
  return g_strdup_printf ("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
                          b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
                          b[12], b[13], b[14], b[15]);
}

char *
bc_sha256_hex (const void *data, gsize len)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, data, len);
}

char *
bc_sha256_base64 (const void *data, gsize len)
{
  g_autoptr (GChecksum) sum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_len = sizeof digest;

  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, digest, &digest_len);
  return g_base64_encode (digest, digest_len);
}
