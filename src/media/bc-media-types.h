/* bc-media-types.h: enums and constants shared by the media layer */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * BcVideoCodec:
 * @BC_VIDEO_CODEC_H264: H.264 constrained baseline, packetization-mode 1
 * @BC_VIDEO_CODEC_VP8: VP8
 */
typedef enum
{
  BC_VIDEO_CODEC_H264,
  BC_VIDEO_CODEC_VP8,
} BcVideoCodec;

/**
 * BcCameraKind:
 * @BC_CAMERA_KIND_PORTAL: a PipeWire camera reached through the Camera portal
 * @BC_CAMERA_KIND_PIPEWIRE: a camera of the PipeWire daemon, without the portal
 * @BC_CAMERA_KIND_V4L2: a Video4Linux2 device
 * @BC_CAMERA_KIND_TEST_PATTERN: a generated moving test pattern
 */
typedef enum
{
  BC_CAMERA_KIND_PORTAL,
  BC_CAMERA_KIND_PIPEWIRE,
  BC_CAMERA_KIND_V4L2,
  BC_CAMERA_KIND_TEST_PATTERN,
} BcCameraKind;

/**
 * BcTrackKind:
 * @BC_TRACK_KIND_VIDEO: video
 * @BC_TRACK_KIND_AUDIO: audio
 */
typedef enum
{
  BC_TRACK_KIND_VIDEO,
  BC_TRACK_KIND_AUDIO,
} BcTrackKind;

/* Capture defaults: what LiveKit's h720 preset asks of a camera. */
#define BC_VIDEO_DEFAULT_WIDTH        1280
#define BC_VIDEO_DEFAULT_HEIGHT       720
#define BC_VIDEO_DEFAULT_FRAMERATE    30
#define BC_VIDEO_DEFAULT_BITRATE_KBPS 1700
/* A keyframe every 2 s at 30 fps. */
#define BC_VIDEO_DEFAULT_KEYFRAME_INTERVAL 60
/* LiveKit and webrtcsink keep RTP packets below this. */
#define BC_RTP_MTU 1200

/* Payload types as LiveKit registers them (protocol codecs/codecs.go). */
#define BC_RTP_PT_VP8  96
#define BC_RTP_PT_H264 102
#define BC_RTP_PT_OPUS 111

/* The receive jitter buffer, in ms, for webrtcbin's "latency" property;
 * webrtcbin's own default is 200 ms. The jitter buffer only waits on gaps,
 * so this bounds the delay a lost packet may add before it is given up. */
#define BC_MEDIA_DEFAULT_JITTER_LATENCY_MS 50

const char *bc_video_codec_to_string (BcVideoCodec codec);
gboolean bc_video_codec_from_string (const char *name, BcVideoCodec *codec);
const char *bc_video_codec_get_encoding_name (BcVideoCodec codec);
guint bc_video_codec_get_payload_type (BcVideoCodec codec);

const char *bc_camera_kind_to_string (BcCameraKind kind);

guint bc_media_get_jitter_latency_ms (void);

G_END_DECLS
