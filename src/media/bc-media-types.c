#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "bc-media-error.h"
#include "bc-media-private.h"
#include "bc-media-types.h"

const char *
bc_video_codec_to_string (BcVideoCodec codec)
{
  switch (codec)
    {
    case BC_VIDEO_CODEC_H264:
      return "h264";
    case BC_VIDEO_CODEC_VP8:
      return "vp8";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
bc_video_codec_from_string (const char *name, BcVideoCodec *codec)
{
  g_return_val_if_fail (codec != NULL, FALSE);

  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (name, "h264") == 0 || g_ascii_strcasecmp (name, "h.264") == 0)
    *codec = BC_VIDEO_CODEC_H264;
  else if (g_ascii_strcasecmp (name, "vp8") == 0)
    *codec = BC_VIDEO_CODEC_VP8;
  else
    return FALSE;
  return TRUE;
}

const char *
bc_video_codec_get_encoding_name (BcVideoCodec codec)
{
  switch (codec)
    {
    case BC_VIDEO_CODEC_H264:
      return "H264";
    case BC_VIDEO_CODEC_VP8:
      return "VP8";
    default:
      g_return_val_if_reached (NULL);
    }
}

guint
bc_video_codec_get_payload_type (BcVideoCodec codec)
{
  return codec == BC_VIDEO_CODEC_H264 ? BC_RTP_PT_H264 : BC_RTP_PT_VP8;
}

const char *
bc_camera_kind_to_string (BcCameraKind kind)
{
  switch (kind)
    {
    case BC_CAMERA_KIND_PORTAL:
      return "portal";
    case BC_CAMERA_KIND_PIPEWIRE:
      return "pipewire";
    case BC_CAMERA_KIND_V4L2:
      return "v4l2";
    case BC_CAMERA_KIND_TEST_PATTERN:
      return "test";
    default:
      g_return_val_if_reached (NULL);
    }
}

/**
 * bc_media_get_jitter_latency_ms:
 *
 * The jitter buffer latency to set on webrtcbin's "latency" property of a
 * receiving peer connection: %BC_MEDIA_DEFAULT_JITTER_LATENCY_MS, or the
 * value of `BC_JITTER_LATENCY_MS` in the environment.
 */
guint
bc_media_get_jitter_latency_ms (void)
{
  const char *env = g_getenv ("BC_JITTER_LATENCY_MS");
  guint64 value;

  if (env != NULL && g_ascii_string_to_unsigned (env, 10, 0, 10000, &value, NULL))
    return (guint) value;
  return BC_MEDIA_DEFAULT_JITTER_LATENCY_MS;
}

GstElement *
_bc_media_make_element (const char *factory, const char *name, GError **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_MISSING_ELEMENT,
                 "The GStreamer element “%s” is not installed; install the GStreamer "
                 "plugin packages listed in the README",
                 factory);
  return element;
}

gboolean
_bc_media_have_element (const char *factory)
{
  g_autoptr (GstElementFactory) f = gst_element_factory_find (factory);

  return f != NULL;
}

/* Sets a property from its string form (enums and flags by nick) only if
 * the element has it: encoders of different versions differ. */
void
_bc_media_set_arg (gpointer object, const char *property, const char *value)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (object), property) != NULL)
    gst_util_set_object_arg (G_OBJECT (object), property, value);
}

guint32
_bc_media_random_ssrc (void)
{
  guint32 ssrc;

  do
    ssrc = g_random_int ();
  while (ssrc == 0);
  return ssrc;
}

static GstPadProbeReturn
on_latency_answered (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstQuery *query = GST_PAD_PROBE_INFO_QUERY (info);
  gboolean live;
  GstClockTime min, max;

  if (GST_QUERY_TYPE (query) != GST_QUERY_LATENCY)
    return GST_PAD_PROBE_OK;
  gst_query_parse_latency (query, &live, &min, &max);
  gst_query_set_latency (query, live, 0, max);
  return GST_PAD_PROBE_OK;
}

/* webrtcbin 1.22 puts a clocksync (sync=true) behind each sink pad, which
 * holds every RTP packet until its running time plus the pipeline latency:
 * with a live source that is at least one frame (33 ms) of added delay on
 * every packet. Our source bins therefore report no latency; packets go out
 * as soon as they are encoded, as browsers send them. Timestamps and RTCP
 * sender reports are unaffected, so receivers still synchronise. */
void
_bc_media_hide_latency (GstPad *src_pad)
{
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_QUERY_UPSTREAM | GST_PAD_PROBE_TYPE_PULL,
                     on_latency_answered, NULL, NULL);
}
