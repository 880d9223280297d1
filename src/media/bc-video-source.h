/* bc-video-source.h: camera → encoder → RTP, ready for webrtcbin */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "bc-camera.h"
#include "bc-frame-sink.h"
#include "bc-media-types.h"

G_BEGIN_DECLS

#define BC_TYPE_VIDEO_SOURCE (bc_video_source_get_type ())

G_DECLARE_FINAL_TYPE (BcVideoSource, bc_video_source, BC, VIDEO_SOURCE, GObject)

BcVideoSource *bc_video_source_new (BcCamera *camera, BcVideoCodec codec, GError **error);

GstElement *bc_video_source_get_element (BcVideoSource *self);
GstCaps *bc_video_source_get_rtp_caps (BcVideoSource *self);
BcVideoCodec bc_video_source_get_codec (BcVideoSource *self);
const char *bc_video_source_get_encoder_name (BcVideoSource *self);
guint32 bc_video_source_get_ssrc (BcVideoSource *self);
guint bc_video_source_get_payload_type (BcVideoSource *self);
void bc_video_source_get_size (BcVideoSource *self, int *width, int *height, int *framerate);
BcFrameSink *bc_video_source_get_preview (BcVideoSource *self);
gboolean bc_video_source_get_muted (BcVideoSource *self);
void bc_video_source_set_muted (BcVideoSource *self, gboolean muted);
void bc_video_source_request_keyframe (BcVideoSource *self);
guint64 bc_video_source_get_n_keyframes (BcVideoSource *self);
guint64 bc_video_source_get_n_frames (BcVideoSource *self);

G_END_DECLS
