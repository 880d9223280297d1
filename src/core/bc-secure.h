/* bc-secure.h: constant-time comparison, random tokens and digests */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean bc_secure_equal (const void *a, gsize a_len, const void *b, gsize b_len);
gboolean bc_secure_str_equal (const char *a, const char *b);
void bc_random_bytes (guint8 *buf, gsize len);
char *bc_random_token (gsize n_bytes);
char *bc_random_uuid (void);
char *bc_sha256_hex (const void *data, gsize len);
char *bc_sha256_base64 (const void *data, gsize len);

G_END_DECLS
