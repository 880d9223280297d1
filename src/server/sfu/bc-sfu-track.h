/* bc-sfu-track.h: one published media track inside a room's relay pipeline */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum
{
  BC_SFU_CODEC_VP8,
  BC_SFU_CODEC_H264,
  BC_SFU_CODEC_OPUS,
} BcSfuCodec;

typedef struct _BcSfuBranch BcSfuBranch;

#define BC_TYPE_SFU_TRACK (bc_sfu_track_get_type ())
G_DECLARE_FINAL_TYPE (BcSfuTrack, bc_sfu_track, BC, SFU_TRACK, GObject)

BcSfuTrack *bc_sfu_track_new (GstBin *bin, GstPad *src_pad, const char *mid, GError **error);
const char *bc_sfu_track_get_mid (BcSfuTrack *self);
BcSfuCodec bc_sfu_track_get_codec (BcSfuTrack *self);
gboolean bc_sfu_track_is_video (BcSfuTrack *self);
const char *bc_sfu_track_get_mime_type (BcSfuTrack *self);
guint64 bc_sfu_track_get_packets (BcSfuTrack *self);
void bc_sfu_track_request_keyframe (BcSfuTrack *self);
void bc_sfu_track_detach (BcSfuTrack *self);

GstCaps *bc_sfu_track_make_caps (BcSfuTrack *self, guint pt, guint32 ssrc);
BcSfuBranch *bc_sfu_track_add_branch (BcSfuTrack *self, GstPad *sink_pad, guint pt, guint32 ssrc);
void bc_sfu_track_remove_branch (BcSfuTrack *self, BcSfuBranch *branch);

G_END_DECLS
