#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include <string.h>

#include "bc-media-error.h"
#include "bc-media-private.h"
#include "bc-video-encoder.h"

/* Hardware first, then software by speed. The VA elements are registered
 * only when a usable VA device exists, so their presence is the test. */
static const char *const h264_candidates[] = {
  "vah264lpenc", "vah264enc", "vaapih264enc", "x264enc", "openh264enc", NULL,
};
static const char *const vp8_candidates[] = { "vavp8enc", "vp8enc", NULL };

/**
 * bc_video_encoder_get_candidates:
 * @codec: a codec
 *
 * Returns: (transfer none): the encoder factory names tried for @codec, best first
 */
const char *const *
bc_video_encoder_get_candidates (BcVideoCodec codec)
{
  return codec == BC_VIDEO_CODEC_H264 ? h264_candidates : vp8_candidates;
}

/**
 * bc_video_encoder_get_codec:
 * @factory_name: an encoder factory name
 * @codec: (out): its codec
 *
 * Returns: %TRUE if @factory_name is an encoder BountyCam knows how to set up
 */
gboolean
bc_video_encoder_get_codec (const char *factory_name, BcVideoCodec *codec)
{
  if (g_strv_contains ((const char *const *) h264_candidates, factory_name))
    *codec = BC_VIDEO_CODEC_H264;
  else if (g_strv_contains ((const char *const *) vp8_candidates, factory_name))
    *codec = BC_VIDEO_CODEC_VP8;
  else
    return FALSE;
  return TRUE;
}

/**
 * bc_video_encoder_choose:
 * @codec: the codec to encode
 * @preferred: (nullable): an encoder factory name to use instead of the best one
 * @error: return location for an error
 *
 * Picks the encoder for @codec: @preferred if given, else the factory named by
 * `BC_VIDEO_ENCODER` if it encodes @codec, else the first installed candidate.
 *
 * Returns: (transfer full): the factory name, or %NULL with @error set
 */
char *
bc_video_encoder_choose (BcVideoCodec codec, const char *preferred, GError **error)
{
  const char *const *candidates = bc_video_encoder_get_candidates (codec);
  const char *env = g_getenv ("BC_VIDEO_ENCODER");
  BcVideoCodec env_codec;

  if (preferred == NULL && env != NULL && *env != '\0' &&
      bc_video_encoder_get_codec (env, &env_codec) && env_codec == codec &&
      _bc_media_have_element (env))
    preferred = env;

  if (preferred != NULL)
    {
      BcVideoCodec preferred_codec;

      if (!bc_video_encoder_get_codec (preferred, &preferred_codec) || preferred_codec != codec)
        {
          g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_ENCODER,
                       "“%s” is not a %s encoder BountyCam can use", preferred,
                       bc_video_codec_get_encoding_name (codec));
          return NULL;
        }
      if (!_bc_media_have_element (preferred))
        {
          g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_ENCODER,
                       "The encoder “%s” is not installed", preferred);
          return NULL;
        }
      return g_strdup (preferred);
    }

  for (guint i = 0; candidates[i] != NULL; i++)
    if (_bc_media_have_element (candidates[i]))
      return g_strdup (candidates[i]);

  g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_ENCODER,
               "No %s encoder is installed; install gstreamer1.0-plugins-ugly (x264) or "
               "gstreamer1.0-plugins-good (VP8), or choose the other codec",
               bc_video_codec_get_encoding_name (codec));
  return NULL;
}

static void
set_uint_arg (GstElement *enc, const char *property, guint value)
{
  char text[16];

  g_snprintf (text, sizeof text, "%u", value);
  _bc_media_set_arg (enc, property, text);
}

static void
configure_x264 (GstElement *enc, guint bitrate_kbps, guint keyframe_interval)
{
  _bc_media_set_arg (enc, "tune", "zerolatency");
  _bc_media_set_arg (enc, "speed-preset", "ultrafast");
  g_object_set (enc, "bitrate", bitrate_kbps, "key-int-max", keyframe_interval, NULL);
  /* One frame of VBV keeps the rate control from building a queue the
   * network then has to drain. */
  g_object_set (enc, "vbv-buf-capacity", 120, NULL);
}

static void
configure_openh264 (GstElement *enc, guint bitrate_kbps, guint keyframe_interval)
{
  _bc_media_set_arg (enc, "complexity", "low");
  _bc_media_set_arg (enc, "rate-control", "bitrate");
  _bc_media_set_arg (enc, "usage-type", "camera");
  g_object_set (enc, "bitrate", bitrate_kbps * 1000, "gop-size", keyframe_interval, NULL);
  /* On busy pictures openh264 overshoots its bitrate up to twofold; its
   * frame skipping would fix that by halving the frame rate, which is
   * worse for a live view, so it stays off. */
  g_object_set (enc, "enable-frame-skip", FALSE, "multi-thread", 2, NULL);
}

static void
configure_vp8 (GstElement *enc, guint bitrate_kbps, guint keyframe_interval)
{
  /* Real-time settings as WebRTC stacks use them: realtime deadline, CBR
   * with small buffers, no lag, error resilience for lossy paths. One
   * thread: libvpx's worker threads spin between live frames and with two
   * of them VP8 at 720p30 took 60-100 % of a core here, with one 22-28 %.
   * A negative cpu-used fixes the speed (6) instead of adapting it. */
  g_object_set (enc, "deadline", (gint64) 1, "cpu-used", -6, "threads", 1, "lag-in-frames", 0,
                "keyframe-max-dist", keyframe_interval, "target-bitrate", bitrate_kbps * 1000,
                NULL);
  _bc_media_set_arg (enc, "end-usage", "cbr");
  _bc_media_set_arg (enc, "error-resilient", "default");
  _bc_media_set_arg (enc, "keyframe-mode", "auto");
  g_object_set (enc, "buffer-initial-size", 100, "buffer-optimal-size", 120, "buffer-size", 150,
                "max-intra-bitrate", 250, NULL);
}

static void
configure_va (GstElement *enc, guint bitrate_kbps, guint keyframe_interval)
{
  /* vah264enc/vah264lpenc/vavp8enc */
  _bc_media_set_arg (enc, "rate-control", "cbr");
  _bc_media_set_arg (enc, "target-usage", "7");
  _bc_media_set_arg (enc, "b-frames", "0");
  set_uint_arg (enc, "key-int-max", keyframe_interval);
  set_uint_arg (enc, "bitrate", bitrate_kbps);
  _bc_media_set_arg (enc, "cabac", "false");
}

static void
configure_vaapi (GstElement *enc, guint bitrate_kbps, guint keyframe_interval)
{
  _bc_media_set_arg (enc, "rate-control", "cbr");
  _bc_media_set_arg (enc, "max-bframes", "0");
  set_uint_arg (enc, "keyframe-period", keyframe_interval);
  set_uint_arg (enc, "bitrate", bitrate_kbps);
  _bc_media_set_arg (enc, "cabac", "false");
}

/**
 * bc_video_encoder_create:
 * @factory_name: an encoder from bc_video_encoder_choose()
 * @bitrate_kbps: the target bitrate
 * @keyframe_interval: frames between keyframes
 * @error: return location for an error
 *
 * Creates the encoder with real-time settings. Every candidate is a
 * GstVideoEncoder, so it turns an upstream force-key-unit event (a PLI or
 * FIR from webrtcbin) into a keyframe on the next frame.
 *
 * Returns: (transfer floating): the encoder, or %NULL with @error set
 */
GstElement *
bc_video_encoder_create (const char *factory_name,
                         guint bitrate_kbps,
                         guint keyframe_interval,
                         GError **error)
{
  GstElement *enc = _bc_media_make_element (factory_name, NULL, error);

  if (enc == NULL)
    return NULL;

  if (strcmp (factory_name, "x264enc") == 0)
    configure_x264 (enc, bitrate_kbps, keyframe_interval);
  else if (strcmp (factory_name, "openh264enc") == 0)
    configure_openh264 (enc, bitrate_kbps, keyframe_interval);
  else if (strcmp (factory_name, "vp8enc") == 0)
    configure_vp8 (enc, bitrate_kbps, keyframe_interval);
  else if (g_str_has_prefix (factory_name, "vaapi"))
    configure_vaapi (enc, bitrate_kbps, keyframe_interval);
  else if (g_str_has_prefix (factory_name, "va"))
    configure_va (enc, bitrate_kbps, keyframe_interval);

  /* Several PLIs arrive together when subscribers join at once: merge those
   * of 100 ms (what the built-in SFU merges too). Not more: a new subscriber
   * asks once when it answers and again when its connection is up (the first
   * keyframe may come before it can decrypt it), and a longer interval held
   * the second one back and its first frame by up to 0.5 s. */
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (enc), "min-force-key-unit-interval"))
    g_object_set (enc, "min-force-key-unit-interval", (guint64) 100 * GST_MSECOND, NULL);

  return enc;
}
