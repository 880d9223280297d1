/* bc-camera-monitor.h: the cameras this machine offers, kept up to date */
#pragma once

#include <gio/gio.h>

#include "bc-camera.h"

G_BEGIN_DECLS

#define BC_TYPE_CAMERA_MONITOR (bc_camera_monitor_get_type ())

G_DECLARE_FINAL_TYPE (BcCameraMonitor, bc_camera_monitor, BC, CAMERA_MONITOR, GObject)

BcCameraMonitor *bc_camera_monitor_new (void);

void bc_camera_monitor_start_async (BcCameraMonitor *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean
bc_camera_monitor_start_finish (BcCameraMonitor *self, GAsyncResult *result, GError **error);
void bc_camera_monitor_stop (BcCameraMonitor *self);

BcCamera *bc_camera_monitor_lookup (BcCameraMonitor *self, const char *spec, GError **error);
gboolean bc_camera_monitor_get_portal_denied (BcCameraMonitor *self);

G_END_DECLS
