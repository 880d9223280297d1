#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include <gst/video/video.h>

#include "bc-capture-stamp.h"
#include "bc-media-enums.h"
#include "bc-media-error.h"
#include "bc-media-private.h"
#include "bc-video-encoder.h"
#include "bc-video-source.h"

struct _BcVideoSource
{
  GObject parent_instance;

  /* construct properties */
  BcCamera *camera;
  BcVideoCodec codec;
  char *encoder_name;
  int width;
  int height;
  int framerate;
  guint bitrate;
  guint32 ssrc;
  guint payload_type;
  gboolean stamp_capture_time;
  gboolean preview;

  GstElement *bin;
  GstElement *encoder;
  BcFrameSink *preview_sink;
  GstVideoInfo raw_info;
  GstBuffer *black;
  gint muted;
  gint n_frames;
  gint n_keyframes;
};

static void bc_video_source_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BcVideoSource,
                               bc_video_source,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      bc_video_source_initable_iface_init))

enum
{
  PROP_0,
  PROP_CAMERA,
  PROP_CODEC,
  PROP_ENCODER,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FRAMERATE,
  PROP_BITRATE,
  PROP_SSRC,
  PROP_PAYLOAD_TYPE,
  PROP_STAMP_CAPTURE_TIME,
  PROP_PREVIEW,
  PROP_MUTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GstBuffer *
make_black_frame (const GstVideoInfo *info)
{
  GstBuffer *buffer = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (info), NULL);
  GstVideoFrame frame;

  if (gst_video_frame_map (&frame, (GstVideoInfo *) info, buffer, GST_MAP_WRITE))
    {
      for (guint plane = 0; plane < GST_VIDEO_FRAME_N_PLANES (&frame); plane++)
        {
          guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (&frame, plane);
          int stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, plane);
          int rows = GST_VIDEO_FRAME_COMP_HEIGHT (&frame, plane);

          memset (data, plane == 0 ? 16 : 128, (gsize) stride * rows);
        }
      gst_video_frame_unmap (&frame);
    }
  return buffer;
}

/* The capture time of a buffer on the wall clock: its running time is when
 * the source captured it on the pipeline clock, so step back from now by
 * however long ago that was. */
static gint64
capture_wall_time (GstPad *pad, GstBuffer *buffer)
{
  g_autoptr (GstElement) element = gst_pad_get_parent_element (pad);
  g_autoptr (GstClock) clock = element ? gst_element_get_clock (element) : NULL;
  g_autoptr (GstEvent) event = NULL;
  const GstSegment *segment;
  GstClockTime running, now;
  gint64 wall = g_get_real_time ();

  if (clock == NULL || !GST_BUFFER_PTS_IS_VALID (buffer))
    return wall;
  event = gst_pad_get_sticky_event (pad, GST_EVENT_SEGMENT, 0);
  if (event == NULL)
    return wall;
  gst_event_parse_segment (event, &segment);
  running = gst_segment_to_running_time (segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buffer));
  now = gst_clock_get_time (clock) - gst_element_get_base_time (element);
  if (!GST_CLOCK_TIME_IS_VALID (running) || running > now)
    return wall;
  return wall - (gint64) ((now - running) / GST_USECOND);
}

static GstPadProbeReturn
on_raw_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  BcVideoSource *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  GstVideoFrame frame;

  if (g_atomic_int_get (&self->muted) && self->black != NULL)
    {
      /* Muted: black frames keep the track and its keyframes going, so
       * unmuting shows a picture at once. */
      GstBuffer *black = self->stamp_capture_time ? gst_buffer_copy_deep (self->black)
                                                  : gst_buffer_copy (self->black);

      gst_buffer_copy_into (black, buffer, GST_BUFFER_COPY_METADATA, 0, -1);
      gst_buffer_unref (buffer);
      buffer = black;
      GST_PAD_PROBE_INFO_DATA (info) = buffer;
    }

  if (self->stamp_capture_time)
    {
      gint64 wall = capture_wall_time (pad, buffer);

      buffer = gst_buffer_make_writable (buffer);
      GST_PAD_PROBE_INFO_DATA (info) = buffer;
      if (gst_video_frame_map (&frame, &self->raw_info, buffer, GST_MAP_WRITE))
        {
          bc_capture_stamp_write (&frame, wall);
          gst_video_frame_unmap (&frame);
        }
    }

  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
on_encoded_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  BcVideoSource *self = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  g_atomic_int_inc (&self->n_frames);
  if (!GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT))
    g_atomic_int_inc (&self->n_keyframes);
  return GST_PAD_PROBE_OK;
}

/* Fits the capture size into the wanted one, keeping the aspect ratio and
 * even dimensions (I420 needs them). */
static void
fit_size (int cap_w, int cap_h, int max_w, int max_h, int *out_w, int *out_h)
{
  int w = cap_w, h = cap_h;

  if (w > max_w || h > max_h)
    {
      if ((gint64) w * max_h > (gint64) h * max_w)
        {
          h = (int) ((gint64) h * max_w / w);
          w = max_w;
        }
      else
        {
          w = (int) ((gint64) w * max_h / h);
          h = max_h;
        }
    }
  *out_w = MAX (2, w & ~1);
  *out_h = MAX (2, h & ~1);
}

static gboolean
build (BcVideoSource *self, GError **error)
{
  GstBin *bin;
  GstElement *src, *capture_filter, *convert, *scale, *raw_filter, *queue, *pay;
  GstElement *jpegdec = NULL, *rate = NULL, *enc_filter = NULL, *setter = NULL;
  GstElement *last;
  GstPad *ghost;
  g_autoptr (GstCaps) capture_caps = NULL;
  g_autoptr (GstCaps) raw_caps = NULL;
  g_autoptr (GstPad) probe_pad = NULL;
  g_autoptr (GstPad) enc_pad = NULL;
  g_autoptr (GstPad) src_pad = NULL;
  g_autofree char *encoder_name = NULL;
  int cap_w, cap_h, out_w, out_h, fps_n = self->framerate, fps_d = 1;
  const GstStructure *s;

  encoder_name = bc_video_encoder_choose (self->codec, self->encoder_name, error);
  if (encoder_name == NULL)
    return FALSE;
  g_free (self->encoder_name);
  self->encoder_name = g_steal_pointer (&encoder_name);

  capture_caps = bc_camera_choose_caps (self->camera, self->width, self->height, self->framerate);
  if (capture_caps == NULL)
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
                   "The camera “%s” offers no colour video format BountyCam can use",
                   bc_camera_get_name (self->camera));
      return FALSE;
    }
  s = gst_caps_get_structure (capture_caps, 0);
  gst_structure_get_int (s, "width", &cap_w);
  gst_structure_get_int (s, "height", &cap_h);
  if (!gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d) || fps_n == 0)
    {
      fps_n = self->framerate;
      fps_d = 1;
    }
  fit_size (cap_w, cap_h, self->width, self->height, &out_w, &out_h);
  if ((gint64) fps_n > (gint64) self->framerate * fps_d)
    {
      fps_n = self->framerate;
      fps_d = 1;
      rate = _bc_media_make_element ("videorate", NULL, error);
      if (rate == NULL)
        return FALSE;
      g_object_set (rate, "drop-only", TRUE, "max-rate", self->framerate, NULL);
    }
  self->width = out_w;
  self->height = out_h;
  self->framerate = (fps_n + fps_d / 2) / fps_d;

  raw_caps =
      gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "I420", "width", G_TYPE_INT,
                           out_w, "height", G_TYPE_INT, out_h, "framerate", GST_TYPE_FRACTION,
                           fps_n, fps_d, "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1, NULL);
  gst_video_info_from_caps (&self->raw_info, raw_caps);
  self->black = make_black_frame (&self->raw_info);

  self->bin = gst_object_ref_sink (gst_bin_new ("bc-video-source"));
  bin = GST_BIN (self->bin);

  src = bc_camera_create_source (self->camera, error);
  if (src == NULL)
    {
      g_clear_pointer (&rate, gst_object_unref);
      return FALSE;
    }
  gst_bin_add (bin, src);
  if (rate != NULL)
    gst_bin_add (bin, rate);

  capture_filter = gst_element_factory_make ("capsfilter", "capture-caps");
  g_object_set (capture_filter, "caps", capture_caps, NULL);
  convert = gst_element_factory_make ("videoconvert", NULL);
  scale = gst_element_factory_make ("videoscale", NULL);
  raw_filter = gst_element_factory_make ("capsfilter", "raw-caps");
  g_object_set (raw_filter, "caps", raw_caps, NULL);
  gst_bin_add_many (bin, capture_filter, convert, scale, raw_filter, NULL);

  if (gst_structure_has_name (s, "image/jpeg"))
    {
      jpegdec = _bc_media_make_element ("jpegdec", NULL, error);
      if (jpegdec == NULL)
        return FALSE;
      gst_bin_add (bin, jpegdec);
    }

  if (!gst_element_link (src, capture_filter))
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_FAILED,
                   "The camera “%s” refused the chosen video format",
                   bc_camera_get_name (self->camera));
      return FALSE;
    }
  last = capture_filter;
  if (jpegdec != NULL)
    {
      gst_element_link (last, jpegdec);
      last = jpegdec;
    }
  gst_element_link_many (last, convert, scale, NULL);
  last = scale;
  if (rate != NULL)
    {
      gst_element_link (last, rate);
      last = rate;
    }
  gst_element_link (last, raw_filter);

  probe_pad = gst_element_get_static_pad (raw_filter, "src");
  gst_pad_add_probe (probe_pad, GST_PAD_PROBE_TYPE_BUFFER, on_raw_frame, self, NULL);
  last = raw_filter;

  if (self->preview)
    {
      GstElement *tee = gst_element_factory_make ("tee", NULL);
      GstElement *preview_queue = gst_element_factory_make ("queue", "preview-queue");

      self->preview_sink = g_object_new (BC_TYPE_FRAME_SINK, "read-capture-time", FALSE, NULL);
      g_object_set (preview_queue, "leaky", 2, "max-size-buffers", 1, "max-size-bytes", 0,
                    "max-size-time", (guint64) 0, NULL);
      gst_bin_add_many (bin, tee, preview_queue, bc_frame_sink_get_element (self->preview_sink),
                        NULL);
      gst_element_link (last, tee);
      gst_element_link_many (tee, preview_queue, bc_frame_sink_get_element (self->preview_sink),
                             NULL);
      last = tee;
    }

  /* A slow encoder drops old frames instead of adding delay. */
  queue = gst_element_factory_make ("queue", "encoder-queue");
  g_object_set (queue, "leaky", 2, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time",
                (guint64) 0, NULL);
  self->encoder = bc_video_encoder_create (self->encoder_name, self->bitrate,
                                           BC_VIDEO_DEFAULT_KEYFRAME_INTERVAL, error);
  if (self->encoder == NULL)
    return FALSE;
  gst_object_ref (self->encoder);
  gst_bin_add_many (bin, queue, self->encoder, NULL);
  gst_element_link_many (last, queue, self->encoder, NULL);
  last = self->encoder;

  if (self->codec == BC_VIDEO_CODEC_H264)
    {
      g_autoptr (GstCaps) h264_caps = gst_caps_from_string (
          "video/x-h264,profile=constrained-baseline,stream-format=byte-stream,alignment=au");
      g_autoptr (GstCaps) rtp_caps = gst_caps_from_string (
          "application/x-rtp,profile-level-id=(string)42e01f,packetization-mode=(string)1,"
          "level-asymmetry-allowed=(string)1");

      enc_filter = gst_element_factory_make ("capsfilter", "encoded-caps");
      g_object_set (enc_filter, "caps", h264_caps, NULL);
      pay = _bc_media_make_element ("rtph264pay", NULL, error);
      if (pay == NULL)
        return FALSE;
      g_object_set (pay, "config-interval", -1, NULL);
      _bc_media_set_arg (pay, "aggregate-mode", "zero-latency");
      /* Encoders write their own level into the SPS; peers negotiate
       * 42e01f, and a mismatch ends in not-negotiated, so pin it. */
      setter = _bc_media_make_element ("capssetter", NULL, error);
      if (setter == NULL)
        {
          gst_object_unref (pay);
          return FALSE;
        }
      g_object_set (setter, "caps", rtp_caps, "join", TRUE, "replace", FALSE, NULL);
    }
  else
    {
      pay = _bc_media_make_element ("rtpvp8pay", NULL, error);
      if (pay == NULL)
        return FALSE;
      _bc_media_set_arg (pay, "picture-id-mode", "15-bit");
    }
  g_object_set (pay, "mtu", BC_RTP_MTU, "pt", self->payload_type, "ssrc", self->ssrc, NULL);

  if (enc_filter != NULL)
    {
      gst_bin_add (bin, enc_filter);
      gst_element_link (last, enc_filter);
      last = enc_filter;
    }
  enc_pad = gst_element_get_static_pad (self->encoder, "src");
  gst_pad_add_probe (enc_pad, GST_PAD_PROBE_TYPE_BUFFER, on_encoded_frame, self, NULL);

  gst_bin_add (bin, pay);
  if (!gst_element_link (last, pay))
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_ENCODER,
                   "The encoder “%s” cannot feed the RTP payloader", self->encoder_name);
      return FALSE;
    }
  last = pay;
  if (setter != NULL)
    {
      gst_bin_add (bin, setter);
      gst_element_link (last, setter);
      last = setter;
    }

  src_pad = gst_element_get_static_pad (last, "src");
  ghost = gst_ghost_pad_new ("src", src_pad);
  _bc_media_hide_latency (ghost);
  gst_element_add_pad (self->bin, ghost);
  return TRUE;
}

static gboolean
bc_video_source_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  BcVideoSource *self = BC_VIDEO_SOURCE (initable);

  if (self->camera == NULL)
    self->camera = bc_camera_new_test_pattern ();
  if (self->ssrc == 0)
    self->ssrc = _bc_media_random_ssrc ();
  if (self->payload_type == 0)
    self->payload_type = bc_video_codec_get_payload_type (self->codec);

  if (!build (self, error))
    {
      g_clear_object (&self->preview_sink);
      g_clear_pointer (&self->bin, gst_object_unref);
      g_clear_pointer (&self->encoder, gst_object_unref);
      return FALSE;
    }
  return TRUE;
}

static void
bc_video_source_initable_iface_init (GInitableIface *iface)
{
  iface->init = bc_video_source_initable_init;
}

static void
bc_video_source_dispose (GObject *object)
{
  BcVideoSource *self = BC_VIDEO_SOURCE (object);

  g_clear_object (&self->camera);
  g_clear_object (&self->preview_sink);
  g_clear_pointer (&self->encoder, gst_object_unref);
  g_clear_pointer (&self->bin, gst_object_unref);
  g_clear_pointer (&self->black, gst_buffer_unref);

  G_OBJECT_CLASS (bc_video_source_parent_class)->dispose (object);
}

static void
bc_video_source_finalize (GObject *object)
{
  BcVideoSource *self = BC_VIDEO_SOURCE (object);

  g_free (self->encoder_name);

  G_OBJECT_CLASS (bc_video_source_parent_class)->finalize (object);
}

static void
bc_video_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcVideoSource *self = BC_VIDEO_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CAMERA:
      g_value_set_object (value, self->camera);
      break;
    case PROP_CODEC:
      g_value_set_enum (value, self->codec);
      break;
    case PROP_ENCODER:
      g_value_set_string (value, self->encoder_name);
      break;
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_FRAMERATE:
      g_value_set_int (value, self->framerate);
      break;
    case PROP_BITRATE:
      g_value_set_uint (value, self->bitrate);
      break;
    case PROP_SSRC:
      g_value_set_uint (value, self->ssrc);
      break;
    case PROP_PAYLOAD_TYPE:
      g_value_set_uint (value, self->payload_type);
      break;
    case PROP_STAMP_CAPTURE_TIME:
      g_value_set_boolean (value, self->stamp_capture_time);
      break;
    case PROP_PREVIEW:
      g_value_set_boolean (value, self->preview);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, bc_video_source_get_muted (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_video_source_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  BcVideoSource *self = BC_VIDEO_SOURCE (object);

  switch (prop_id)
    {
    case PROP_CAMERA:
      self->camera = g_value_dup_object (value);
      break;
    case PROP_CODEC:
      self->codec = g_value_get_enum (value);
      break;
    case PROP_ENCODER:
      self->encoder_name = g_value_dup_string (value);
      break;
    case PROP_WIDTH:
      self->width = g_value_get_int (value);
      break;
    case PROP_HEIGHT:
      self->height = g_value_get_int (value);
      break;
    case PROP_FRAMERATE:
      self->framerate = g_value_get_int (value);
      break;
    case PROP_BITRATE:
      self->bitrate = g_value_get_uint (value);
      break;
    case PROP_SSRC:
      self->ssrc = g_value_get_uint (value);
      break;
    case PROP_PAYLOAD_TYPE:
      self->payload_type = g_value_get_uint (value);
      break;
    case PROP_STAMP_CAPTURE_TIME:
      self->stamp_capture_time = g_value_get_boolean (value);
      break;
    case PROP_PREVIEW:
      self->preview = g_value_get_boolean (value);
      break;
    case PROP_MUTED:
      bc_video_source_set_muted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_video_source_class_init (BcVideoSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = bc_video_source_dispose;
  object_class->finalize = bc_video_source_finalize;
  object_class->get_property = bc_video_source_get_property;
  object_class->set_property = bc_video_source_set_property;

  /**
   * BcVideoSource:camera:
   *
   * The camera to capture; %NULL for the test pattern.
   */
  properties[PROP_CAMERA] = g_param_spec_object ("camera", NULL, NULL, BC_TYPE_CAMERA, construct);
  properties[PROP_CODEC] =
      g_param_spec_enum ("codec", NULL, NULL, BC_TYPE_VIDEO_CODEC, BC_VIDEO_CODEC_H264, construct);
  /**
   * BcVideoSource:encoder:
   *
   * The encoder factory to use; %NULL picks the best installed one. After
   * construction, the encoder in use.
   */
  properties[PROP_ENCODER] = g_param_spec_string ("encoder", NULL, NULL, NULL, construct);
  /**
   * BcVideoSource:width:
   *
   * The largest width to send; after construction, the width sent.
   */
  properties[PROP_WIDTH] =
      g_param_spec_int ("width", NULL, NULL, 16, 7680, BC_VIDEO_DEFAULT_WIDTH, construct);
  properties[PROP_HEIGHT] =
      g_param_spec_int ("height", NULL, NULL, 16, 4320, BC_VIDEO_DEFAULT_HEIGHT, construct);
  properties[PROP_FRAMERATE] =
      g_param_spec_int ("framerate", NULL, NULL, 1, 120, BC_VIDEO_DEFAULT_FRAMERATE, construct);
  /**
   * BcVideoSource:bitrate:
   *
   * Target bitrate in kbit/s.
   */
  properties[PROP_BITRATE] = g_param_spec_uint ("bitrate", NULL, NULL, 50, 50000,
                                                BC_VIDEO_DEFAULT_BITRATE_KBPS, construct);
  /**
   * BcVideoSource:ssrc:
   *
   * The RTP SSRC; 0 picks a random one. It is in the RTP caps, so webrtcbin
   * writes a=ssrc lines for it.
   */
  properties[PROP_SSRC] = g_param_spec_uint ("ssrc", NULL, NULL, 0, G_MAXUINT32, 0, construct);
  /**
   * BcVideoSource:payload-type:
   *
   * The RTP payload type; 0 uses the codec's default (VP8 96, H.264 102).
   */
  properties[PROP_PAYLOAD_TYPE] =
      g_param_spec_uint ("payload-type", NULL, NULL, 0, 127, 0, construct);
  /**
   * BcVideoSource:stamp-capture-time:
   *
   * Whether to write each frame's capture time into its top pixel row for
   * glass-to-glass latency measurement (see bc-capture-stamp.h).
   */
  properties[PROP_STAMP_CAPTURE_TIME] =
      g_param_spec_boolean ("stamp-capture-time", NULL, NULL, FALSE, construct);
  /**
   * BcVideoSource:preview:
   *
   * Whether to branch raw frames off to a #BcFrameSink for a local preview.
   */
  properties[PROP_PREVIEW] = g_param_spec_boolean ("preview", NULL, NULL, FALSE, construct);
  /**
   * BcVideoSource:muted:
   *
   * When set, black frames are sent instead of the camera picture.
   */
  properties[PROP_MUTED] =
      g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_video_source_init (BcVideoSource *self)
{
  self->width = BC_VIDEO_DEFAULT_WIDTH;
  self->height = BC_VIDEO_DEFAULT_HEIGHT;
  self->framerate = BC_VIDEO_DEFAULT_FRAMERATE;
  self->bitrate = BC_VIDEO_DEFAULT_BITRATE_KBPS;
}

/**
 * bc_video_source_new:
 * @camera: (nullable): the camera, or %NULL for the test pattern
 * @codec: the codec to send
 * @error: return location for an error
 *
 * Builds camera → 1280×720@30 (or the best the camera offers) → the best
 * installed encoder → RTP payloader. For other settings use
 * g_initable_new() with the properties.
 *
 * Returns: (transfer full): the source, or %NULL with @error set
 */
BcVideoSource *
bc_video_source_new (BcCamera *camera, BcVideoCodec codec, GError **error)
{
  return g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, error, "camera", camera, "codec", codec, NULL);
}

/**
 * bc_video_source_get_element:
 *
 * Returns: (transfer none): a bin with one always "src" pad producing
 *   application/x-rtp; add it to the pipeline holding webrtcbin and link it
 *   to a webrtcbin sink pad
 */
GstElement *
bc_video_source_get_element (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), NULL);

  return self->bin;
}

/**
 * bc_video_source_get_rtp_caps:
 *
 * Returns: (transfer full): the RTP caps the source produces, with media,
 *   encoding-name, payload, clock-rate, ssrc and the H.264 fmtp fields;
 *   suitable as a transceiver's codec-preferences
 */
GstCaps *
bc_video_source_get_rtp_caps (BcVideoSource *self)
{
  GstCaps *caps;

  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), NULL);

  caps = gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name",
                              G_TYPE_STRING, bc_video_codec_get_encoding_name (self->codec),
                              "payload", G_TYPE_INT, (int) self->payload_type, "clock-rate",
                              G_TYPE_INT, 90000, "ssrc", G_TYPE_UINT, self->ssrc, NULL);
  if (self->codec == BC_VIDEO_CODEC_H264)
    gst_caps_set_simple (caps, "packetization-mode", G_TYPE_STRING, "1", "profile-level-id",
                         G_TYPE_STRING, "42e01f", "level-asymmetry-allowed", G_TYPE_STRING, "1",
                         NULL);
  return caps;
}

BcVideoCodec
bc_video_source_get_codec (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), BC_VIDEO_CODEC_H264);

  return self->codec;
}

const char *
bc_video_source_get_encoder_name (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), NULL);

  return self->encoder_name;
}

guint32
bc_video_source_get_ssrc (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), 0);

  return self->ssrc;
}

guint
bc_video_source_get_payload_type (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), 0);

  return self->payload_type;
}

/**
 * bc_video_source_get_size:
 * @width: (out) (optional): width sent
 * @height: (out) (optional): height sent
 * @framerate: (out) (optional): frames per second sent
 */
void
bc_video_source_get_size (BcVideoSource *self, int *width, int *height, int *framerate)
{
  g_return_if_fail (BC_IS_VIDEO_SOURCE (self));

  if (width != NULL)
    *width = self->width;
  if (height != NULL)
    *height = self->height;
  if (framerate != NULL)
    *framerate = self->framerate;
}

/**
 * bc_video_source_get_preview:
 *
 * Returns: (transfer none) (nullable): the preview sink if #BcVideoSource:preview is set
 */
BcFrameSink *
bc_video_source_get_preview (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), NULL);

  return self->preview_sink;
}

gboolean
bc_video_source_get_muted (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), FALSE);

  return g_atomic_int_get (&self->muted);
}

void
bc_video_source_set_muted (BcVideoSource *self, gboolean muted)
{
  g_return_if_fail (BC_IS_VIDEO_SOURCE (self));

  muted = !!muted;
  if (g_atomic_int_get (&self->muted) == muted)
    return;
  g_atomic_int_set (&self->muted, muted);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}

/**
 * bc_video_source_request_keyframe:
 *
 * Asks the encoder for a keyframe with SPS/PPS now, as a PLI would; for
 * example when a new subscriber arrives.
 */
void
bc_video_source_request_keyframe (BcVideoSource *self)
{
  g_autoptr (GstPad) pad = NULL;

  g_return_if_fail (BC_IS_VIDEO_SOURCE (self));

  if (self->encoder == NULL)
    return;
  pad = gst_element_get_static_pad (self->encoder, "src");
  gst_pad_send_event (pad,
                      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

/**
 * bc_video_source_get_n_keyframes:
 *
 * Returns: how many keyframes the encoder produced
 */
guint64
bc_video_source_get_n_keyframes (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), 0);

  return (guint) g_atomic_int_get (&self->n_keyframes);
}

/**
 * bc_video_source_get_n_frames:
 *
 * Returns: how many frames the encoder produced
 */
guint64
bc_video_source_get_n_frames (BcVideoSource *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_SOURCE (self), 0);

  return (guint) g_atomic_int_get (&self->n_frames);
}
