#include "config.h"

#include "bc-core-error.h"

G_DEFINE_QUARK (bc - core - error - quark, bc_core_error)
