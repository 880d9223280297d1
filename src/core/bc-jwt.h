/* bc-jwt.h: HS256 JSON Web Tokens (RFC 7519), the only kind LiveKit accepts */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  BC_JWT_VERIFY_DEFAULT = 0,
  BC_JWT_VERIFY_REQUIRE_EXP = 1 << 0,
} BcJwtVerifyFlags;

char *bc_jwt_sign_hs256 (JsonObject *claims, const guint8 *key, gsize key_len);
JsonObject *bc_jwt_peek_claims (const char *token, GError **error);
JsonObject *bc_jwt_verify_hs256 (const char *token,
                                 const guint8 *key,
                                 gsize key_len,
                                 gint64 now,
                                 gint64 leeway,
                                 BcJwtVerifyFlags flags,
                                 GError **error);

G_END_DECLS
