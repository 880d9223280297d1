#include "config.h"

#include "bc-media-error.h"

G_DEFINE_QUARK (bc - media - error - quark, bc_media_error)
