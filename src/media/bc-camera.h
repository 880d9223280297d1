/* bc-camera.h: one camera the monitor found, or the test pattern */
#pragma once

#include <gst/gst.h>

#include "bc-media-types.h"

G_BEGIN_DECLS

#define BC_TYPE_CAMERA (bc_camera_get_type ())

G_DECLARE_FINAL_TYPE (BcCamera, bc_camera, BC, CAMERA, GObject)

BcCamera *bc_camera_new_test_pattern (void);

const char *bc_camera_get_id (BcCamera *self);
const char *bc_camera_get_name (BcCamera *self);
BcCameraKind bc_camera_get_kind (BcCamera *self);
GstDevice *bc_camera_get_device (BcCamera *self);
GstCaps *bc_camera_choose_caps (BcCamera *self, int width, int height, int framerate);
GstElement *bc_camera_create_source (BcCamera *self, GError **error);

GstCaps *
bc_camera_choose_caps_from (const GstCaps *available, int width, int height, int framerate);

G_END_DECLS
