/* bc-sfu-error.h: the error domain of the built-in SFU */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_SFU_ERROR (bc_sfu_error_quark ())

typedef enum
{
  BC_SFU_ERROR_UNAUTHORIZED, /* HTTP 401 */
  BC_SFU_ERROR_BAD_REQUEST,  /* HTTP 400 */
  BC_SFU_ERROR_FORBIDDEN,    /* HTTP 403 */
  BC_SFU_ERROR_NOT_FOUND,    /* HTTP 404 */
  BC_SFU_ERROR_PROTOCOL,     /* a signalling message we cannot accept */
} BcSfuError;

GQuark bc_sfu_error_quark (void);
guint bc_sfu_error_to_http_status (const GError *error);

G_END_DECLS
