#include "config.h"

#include "bc-lk-error.h"

GQuark
bc_lk_error_quark (void)
{
  return g_quark_from_static_string ("bc-lk-error-quark");
}
