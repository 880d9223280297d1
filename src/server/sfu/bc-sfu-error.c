/* bc-sfu-error.c */
#include "config.h"

#include "bc-sfu-error.h"

GQuark
bc_sfu_error_quark (void)
{
  return g_quark_from_static_string ("bc-sfu-error-quark");
}

guint
bc_sfu_error_to_http_status (const GError *error)
{
  if (error == NULL || error->domain != BC_SFU_ERROR)
    return 500;
  switch (error->code)
    {
    case BC_SFU_ERROR_UNAUTHORIZED:
      return 401;
    case BC_SFU_ERROR_FORBIDDEN:
      return 403;
    case BC_SFU_ERROR_NOT_FOUND:
      return 404;
    case BC_SFU_ERROR_BAD_REQUEST:
    case BC_SFU_ERROR_PROTOCOL:
    default:
      return 400;
    }
}
