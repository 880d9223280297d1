/* bc-core-error.h: the error domain of the core layer */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_CORE_ERROR (bc_core_error_quark ())

typedef enum
{
  BC_CORE_ERROR_INVALID_ENCODING,
  BC_CORE_ERROR_INVALID_JSON,
  BC_CORE_ERROR_INVALID_FIELD,
  BC_CORE_ERROR_TOKEN_MALFORMED,
  BC_CORE_ERROR_TOKEN_ALGORITHM,
  BC_CORE_ERROR_TOKEN_SIGNATURE,
  BC_CORE_ERROR_TOKEN_EXPIRED,
  BC_CORE_ERROR_TOKEN_NOT_YET_VALID,
  BC_CORE_ERROR_TOKEN_CLAIMS,
} BcCoreError;

GQuark bc_core_error_quark (void);

G_END_DECLS
