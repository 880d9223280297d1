#pragma once

#include "bc-camera.h"

G_BEGIN_DECLS

/* A PipeWire remote fd from the Camera portal, shared by the cameras it
 * yields and kept open while any of them lives. */
typedef struct _BcPipeWireFd BcPipeWireFd;

BcPipeWireFd *_bc_pipewire_fd_new (int fd);
BcPipeWireFd *_bc_pipewire_fd_ref (BcPipeWireFd *self);
void _bc_pipewire_fd_unref (BcPipeWireFd *self);
int _bc_pipewire_fd_get (BcPipeWireFd *self);

BcCamera *_bc_camera_new_for_device (GstDevice *device, BcCameraKind kind, BcPipeWireFd *fd);
gboolean _bc_camera_is_usable_device (GstDevice *device);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcPipeWireFd, _bc_pipewire_fd_unref)

G_END_DECLS
