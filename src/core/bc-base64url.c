/* bc-base64url.c
 *
 * Our own codec rather than g_base64_*: JWTs need the URL alphabet without
 * padding, and the decoder must reject anything outside it instead of
 * skipping it, so that a forged token cannot hide bytes in "ignored" input.
 */
#include "config.h"

#include "bc-base64url.h"
#include "bc-core-error.h"

#include <string.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *
bc_base64url_encode (const guint8 *data, gsize len)
{
  GString *out = g_string_sized_new ((len + 2) / 3 * 4 + 1);
  gsize i = 0;

  for (; i + 3 <= len; i += 3)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8 | data[i + 2];
      g_string_append_c (out, alphabet[(v >> 18) & 63]);
      g_string_append_c (out, alphabet[(v >> 12) & 63]);
      g_string_append_c (out, alphabet[(v >> 6) & 63]);
      g_string_append_c (out, alphabet[v & 63]);
    }

  if (len - i == 1)
    {
      guint32 v = (guint32) data[i] << 16;
      g_string_append_c (out, alphabet[(v >> 18) & 63]);
      g_string_append_c (out, alphabet[(v >> 12) & 63]);
    }
  else if (len - i == 2)
    {
      guint32 v = (guint32) data[i] << 16 | (guint32) data[i + 1] << 8;
      g_string_append_c (out, alphabet[(v >> 18) & 63]);
      g_string_append_c (out, alphabet[(v >> 12) & 63]);
      g_string_append_c (out, alphabet[(v >> 6) & 63]);
    }

  return g_string_free (out, FALSE);
}

static int
decode_char (char c)
{
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '-')
    return 62;
  if (c == '_')
    return 63;
  return -1;
}

guint8 *
bc_base64url_decode (const char *text, gssize text_len, gsize *out_len, GError **error)
{
  gsize len = text_len < 0 ? strlen (text) : (gsize) text_len;
  g_autofree guint8 *out = NULL;
  gsize n = 0;
  guint32 acc = 0;
  int bits = 0;

  g_return_val_if_fail (text != NULL || len == 0, NULL);

  /* A single leftover character cannot encode a whole byte. */
  if (len % 4 == 1)
    {
      g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_ENCODING,
                   "Invalid base64url length %" G_GSIZE_FORMAT, len);
      return NULL;
    }

  out = g_malloc (len / 4 * 3 + 3);
  for (gsize i = 0; i < len; i++)
    {
      int v = decode_char (text[i]);

      if (v < 0)
        {
          g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_ENCODING,
                       "Invalid base64url character at offset %" G_GSIZE_FORMAT, i);
          return NULL;
        }
      acc = acc << 6 | (guint32) v;
      bits += 6;
      if (bits >= 8)
        {
          bits -= 8;
          out[n++] = (acc >> bits) & 0xff;
        }
    }

  /* Canonical form only: the unused low bits of the last character are zero. */
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
    {
      g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_ENCODING,
                   "Non-canonical base64url padding bits");
      return NULL;
    }

  out[n] = 0;
  if (out_len)
    *out_len = n;
  return g_steal_pointer (&out);
}
