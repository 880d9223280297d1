/* bc-media-error.h: the error domain of the media layer */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_MEDIA_ERROR (bc_media_error_quark ())

typedef enum
{
  BC_MEDIA_ERROR_NO_CAMERA,
  BC_MEDIA_ERROR_CAMERA_DENIED,
  BC_MEDIA_ERROR_CAMERA_FAILED,
  BC_MEDIA_ERROR_NO_MICROPHONE,
  BC_MEDIA_ERROR_NO_ENCODER,
  BC_MEDIA_ERROR_NO_DECODER,
  BC_MEDIA_ERROR_MISSING_ELEMENT,
  BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
} BcMediaError;

GQuark bc_media_error_quark (void);

G_END_DECLS
