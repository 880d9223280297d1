/* bc-video-encoder.h: choosing and configuring a real-time video encoder */
#pragma once

#include <gst/gst.h>

#include "bc-media-types.h"

G_BEGIN_DECLS

const char *const *bc_video_encoder_get_candidates (BcVideoCodec codec);
char *bc_video_encoder_choose (BcVideoCodec codec, const char *preferred, GError **error);
gboolean bc_video_encoder_get_codec (const char *factory_name, BcVideoCodec *codec);
GstElement *bc_video_encoder_create (const char *factory_name,
                                     guint bitrate_kbps,
                                     guint keyframe_interval,
                                     GError **error);

G_END_DECLS
