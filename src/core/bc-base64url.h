/* bc-base64url.h: base64url without padding (RFC 4648 §5), as JWTs use it */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *bc_base64url_encode (const guint8 *data, gsize len);
guint8 *bc_base64url_decode (const char *text, gssize text_len, gsize *out_len, GError **error);

G_END_DECLS
