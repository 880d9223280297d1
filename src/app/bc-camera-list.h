#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BC_CAMERA_ID_AUTOMATIC    ""
#define BC_CAMERA_ID_TEST_PATTERN "test"

#define BC_TYPE_CAMERA_LIST (bc_camera_list_get_type ())

G_DECLARE_FINAL_TYPE (BcCameraList, bc_camera_list, BC, CAMERA_LIST, GObject)

BcCameraList *bc_camera_list_new (void);
void bc_camera_list_start (BcCameraList *self);
GListModel *bc_camera_list_get_names (BcCameraList *self);
const char *bc_camera_list_get_id (BcCameraList *self, guint position);
guint bc_camera_list_find (BcCameraList *self, const char *id);
guint bc_camera_list_get_n_real_cameras (BcCameraList *self);

G_END_DECLS
