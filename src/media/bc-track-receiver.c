#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include <string.h>

#include "bc-media-enums.h"
#include "bc-media-error.h"
#include "bc-media-private.h"
#include "bc-track-receiver.h"

struct _BcTrackReceiver
{
  GObject parent_instance;

  GstCaps *caps;
  BcFrameSink *frame_sink;
  char *audio_sink_name;

  BcTrackKind kind;
  char *codec_name;
  const char *decoder_name;
  GstElement *bin;
  GstPad *linked_pad;
};

static void bc_track_receiver_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BcTrackReceiver,
                               bc_track_receiver,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      bc_track_receiver_initable_iface_init))

enum
{
  PROP_0,
  PROP_CAPS,
  PROP_FRAME_SINK,
  PROP_AUDIO_SINK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Frame threading would hold back one frame per thread; slice threading
 * costs no latency. */
static const char *const h264_decoders[] = { "avdec_h264", "openh264dec", NULL };
static const char *const vp8_decoders[] = { "vp8dec", "avdec_vp8", NULL };

static void
add_first_installed (GPtrArray *names, const char *const *candidates)
{
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      g_autoptr (GstElementFactory) factory = gst_element_factory_find (candidates[i]);

      if (factory != NULL)
        {
          g_ptr_array_add (names, g_strdup (candidates[i]));
          return;
        }
    }
}

char **
bc_track_receiver_dup_factory_names (void)
{
  static const char *const video[] = { "rtph264depay", "h264parse", NULL };
  static const char *const after_decoder[] = {
    "videoconvert", "appsink",       "queue",         "rtpopusdepay", "opusdec",
    "audioconvert", "audioresample", "autoaudiosink", "rtpvp8depay",  NULL,
  };
  GPtrArray *names = g_ptr_array_new ();

  for (guint i = 0; video[i] != NULL; i++)
    g_ptr_array_add (names, g_strdup (video[i]));
  add_first_installed (names, h264_decoders);
  for (guint i = 0; after_decoder[i] != NULL; i++)
    g_ptr_array_add (names, g_strdup (after_decoder[i]));
  add_first_installed (names, vp8_decoders);
  g_ptr_array_add (names, NULL);
  return (char **) g_ptr_array_free (names, FALSE);
}

static GstElement *
make_decoder (const char *const *candidates, const char **chosen, GError **error)
{
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      GstElement *dec = gst_element_factory_make (candidates[i], NULL);

      if (dec == NULL)
        continue;
      *chosen = candidates[i];
      if (g_str_has_prefix (candidates[i], "avdec_"))
        _bc_media_set_arg (dec, "thread-type", "slice");
      return dec;
    }
  g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_DECODER,
               "No decoder for this video is installed; install gstreamer1.0-libav");
  return NULL;
}

static GstElement *
make_queue (void)
{
  GstElement *queue = gst_element_factory_make ("queue", NULL);

  /* A thread boundary only: RTP must not be dropped here, the jitter
   * buffer before us already bounds the delay. */
  g_object_set (queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                (guint64) GST_SECOND, NULL);
  return queue;
}

static gboolean
build_video (BcTrackReceiver *self, GError **error)
{
  GstBin *bin = GST_BIN (self->bin);
  GstElement *queue, *depay, *parse = NULL, *dec;
  g_autoptr (GstPad) pad = NULL;

  if (g_ascii_strcasecmp (self->codec_name, "H264") == 0)
    {
      depay = _bc_media_make_element ("rtph264depay", NULL, error);
      if (depay == NULL)
        return FALSE;
      parse = _bc_media_make_element ("h264parse", NULL, error);
      dec = parse ? make_decoder (h264_decoders, &self->decoder_name, error) : NULL;
    }
  else if (g_ascii_strcasecmp (self->codec_name, "VP8") == 0)
    {
      depay = _bc_media_make_element ("rtpvp8depay", NULL, error);
      if (depay == NULL)
        return FALSE;
      dec = make_decoder (vp8_decoders, &self->decoder_name, error);
    }
  else
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_DECODER,
                   "The video codec “%s” is not supported; BountyCam plays H.264 and VP8",
                   self->codec_name);
      return FALSE;
    }
  if (dec == NULL)
    {
      gst_object_unref (depay);
      g_clear_pointer (&parse, gst_object_unref);
      return FALSE;
    }

  /* On loss, ask the sender for a keyframe (webrtcbin turns this into a PLI)
   * and show nothing broken until it comes. */
  g_object_set (depay, "request-keyframe", TRUE, "wait-for-keyframe", TRUE, NULL);

  if (self->frame_sink == NULL)
    self->frame_sink = bc_frame_sink_new ();

  queue = make_queue ();
  gst_bin_add_many (bin, queue, depay, dec, bc_frame_sink_get_element (self->frame_sink), NULL);
  if (parse != NULL)
    {
      gst_bin_add (bin, parse);
      gst_element_link_many (queue, depay, parse, dec, NULL);
    }
  else
    gst_element_link_many (queue, depay, dec, NULL);
  if (!gst_element_link (dec, bc_frame_sink_get_element (self->frame_sink)))
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_DECODER,
                   "The decoder “%s” cannot feed the video sink", self->decoder_name);
      return FALSE;
    }

  pad = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("sink", pad));
  return TRUE;
}

static gboolean
build_audio (BcTrackReceiver *self, GError **error)
{
  GstBin *bin = GST_BIN (self->bin);
  GstElement *queue, *depay, *dec, *convert, *resample, *sink;
  g_autoptr (GstPad) pad = NULL;
  const char *sink_name = self->audio_sink_name;

  if (g_ascii_strcasecmp (self->codec_name, "OPUS") != 0)
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_DECODER,
                   "The audio codec “%s” is not supported; BountyCam plays Opus", self->codec_name);
      return FALSE;
    }

  if (sink_name == NULL)
    sink_name = g_getenv ("BC_AUDIO_SINK");
  if (sink_name == NULL || *sink_name == '\0')
    sink_name = "autoaudiosink";

  depay = _bc_media_make_element ("rtpopusdepay", NULL, error);
  if (depay == NULL)
    return FALSE;
  dec = _bc_media_make_element ("opusdec", NULL, error);
  if (dec == NULL)
    {
      gst_object_unref (depay);
      return FALSE;
    }
  self->decoder_name = "opusdec";
  g_object_set (dec, "plc", TRUE, "use-inband-fec", TRUE, NULL);
  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  /* autoaudiosink falls back to a fakesink by itself when there is no sound
   * server; any other missing sink falls back here. */
  sink = gst_element_factory_make (sink_name, NULL);
  if (sink == NULL)
    {
      g_debug ("Audio sink %s is not available, discarding audio", sink_name);
      sink = gst_element_factory_make ("fakesink", NULL);
      g_object_set (sink, "sync", TRUE, NULL);
    }

  queue = make_queue ();
  gst_bin_add_many (bin, queue, depay, dec, convert, resample, sink, NULL);
  gst_element_link_many (queue, depay, dec, convert, resample, sink, NULL);

  pad = gst_element_get_static_pad (queue, "sink");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("sink", pad));
  return TRUE;
}

static gboolean
bc_track_receiver_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  BcTrackReceiver *self = BC_TRACK_RECEIVER (initable);
  const GstStructure *s;
  const char *media, *encoding;
  gboolean ok;

  if (self->caps == NULL || gst_caps_is_empty (self->caps) || gst_caps_is_any (self->caps) ||
      !gst_structure_has_name (gst_caps_get_structure (self->caps, 0), "application/x-rtp"))
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
                   "The received track is not RTP");
      return FALSE;
    }

  s = gst_caps_get_structure (self->caps, 0);
  media = gst_structure_get_string (s, "media");
  encoding = gst_structure_get_string (s, "encoding-name");
  if (media == NULL || encoding == NULL)
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
                   "The received track does not say what it carries");
      return FALSE;
    }
  self->codec_name = g_ascii_strup (encoding, -1);
  self->bin = gst_object_ref_sink (gst_bin_new (NULL));

  if (strcmp (media, "video") == 0)
    {
      self->kind = BC_TRACK_KIND_VIDEO;
      ok = build_video (self, error);
    }
  else if (strcmp (media, "audio") == 0)
    {
      self->kind = BC_TRACK_KIND_AUDIO;
      ok = build_audio (self, error);
    }
  else
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
                   "The received track carries “%s”, not audio or video", media);
      ok = FALSE;
    }

  if (!ok)
    g_clear_pointer (&self->bin, gst_object_unref);
  return ok;
}

static void
bc_track_receiver_initable_iface_init (GInitableIface *iface)
{
  iface->init = bc_track_receiver_initable_init;
}

static void
bc_track_receiver_dispose (GObject *object)
{
  BcTrackReceiver *self = BC_TRACK_RECEIVER (object);

  g_clear_pointer (&self->linked_pad, gst_object_unref);
  g_clear_pointer (&self->bin, gst_object_unref);
  g_clear_object (&self->frame_sink);
  g_clear_pointer (&self->caps, gst_caps_unref);

  G_OBJECT_CLASS (bc_track_receiver_parent_class)->dispose (object);
}

static void
bc_track_receiver_finalize (GObject *object)
{
  BcTrackReceiver *self = BC_TRACK_RECEIVER (object);

  g_free (self->codec_name);
  g_free (self->audio_sink_name);

  G_OBJECT_CLASS (bc_track_receiver_parent_class)->finalize (object);
}

static void
bc_track_receiver_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcTrackReceiver *self = BC_TRACK_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_CAPS:
      g_value_set_boxed (value, self->caps);
      break;
    case PROP_FRAME_SINK:
      g_value_set_object (value, self->frame_sink);
      break;
    case PROP_AUDIO_SINK:
      g_value_set_string (value, self->audio_sink_name);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_track_receiver_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  BcTrackReceiver *self = BC_TRACK_RECEIVER (object);

  switch (prop_id)
    {
    case PROP_CAPS:
      self->caps = g_value_dup_boxed (value);
      break;
    case PROP_FRAME_SINK:
      self->frame_sink = g_value_dup_object (value);
      break;
    case PROP_AUDIO_SINK:
      self->audio_sink_name = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_track_receiver_class_init (BcTrackReceiverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = bc_track_receiver_dispose;
  object_class->finalize = bc_track_receiver_finalize;
  object_class->get_property = bc_track_receiver_get_property;
  object_class->set_property = bc_track_receiver_set_property;

  /**
   * BcTrackReceiver:caps:
   *
   * The RTP caps of the received track (media, encoding-name, …).
   */
  properties[PROP_CAPS] = g_param_spec_boxed ("caps", NULL, NULL, GST_TYPE_CAPS, construct);
  /**
   * BcTrackReceiver:frame-sink:
   *
   * Where decoded video goes; one is made if none is given.
   */
  properties[PROP_FRAME_SINK] =
      g_param_spec_object ("frame-sink", NULL, NULL, BC_TYPE_FRAME_SINK, construct);
  /**
   * BcTrackReceiver:audio-sink:
   *
   * The audio sink factory; %NULL uses `BC_AUDIO_SINK` or autoaudiosink.
   */
  properties[PROP_AUDIO_SINK] = g_param_spec_string ("audio-sink", NULL, NULL, NULL, construct);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_track_receiver_init (BcTrackReceiver *self)
{
}

/**
 * bc_track_receiver_new:
 * @rtp_caps: the caps of the received RTP stream
 * @error: return location for an error
 *
 * Returns: (transfer full): a receiver, or %NULL with @error set
 */
BcTrackReceiver *
bc_track_receiver_new (GstCaps *rtp_caps, GError **error)
{
  return g_initable_new (BC_TYPE_TRACK_RECEIVER, NULL, error, "caps", rtp_caps, NULL);
}

/**
 * bc_track_receiver_new_for_pad:
 * @pad: a webrtcbin src pad from its "pad-added" signal
 * @error: return location for an error
 *
 * Builds a receiver for what @pad carries, adds it to the pipeline holding
 * the pad's element, brings it to that pipeline's state and links @pad to
 * it. This is all a "pad-added" handler needs to do.
 *
 * Returns: (transfer full): a receiver, or %NULL with @error set
 */
BcTrackReceiver *
bc_track_receiver_new_for_pad (GstPad *pad, GError **error)
{
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (BcTrackReceiver) self = NULL;

  g_return_val_if_fail (GST_IS_PAD (pad), NULL);

  caps = gst_pad_get_current_caps (pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  self = bc_track_receiver_new (caps, error);
  if (self == NULL || !bc_track_receiver_link (self, pad, error))
    return NULL;
  return g_steal_pointer (&self);
}

/**
 * bc_track_receiver_link:
 * @src_pad: the pad producing the RTP
 * @error: return location for an error
 *
 * Adds the receiver's element to the bin holding @src_pad's element, syncs
 * its state and links @src_pad to it.
 *
 * Returns: %TRUE on success
 */
gboolean
bc_track_receiver_link (BcTrackReceiver *self, GstPad *src_pad, GError **error)
{
  g_autoptr (GstElement) element = NULL;
  g_autoptr (GstObject) parent = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  GstPadLinkReturn ret;

  g_return_val_if_fail (BC_IS_TRACK_RECEIVER (self), FALSE);
  g_return_val_if_fail (GST_IS_PAD (src_pad), FALSE);
  g_return_val_if_fail (self->linked_pad == NULL, FALSE);

  element = gst_pad_get_parent_element (src_pad);
  parent = element ? gst_object_get_parent (GST_OBJECT (element)) : NULL;
  if (parent == NULL || !GST_IS_BIN (parent))
    {
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
                   "The received track's element is not in a pipeline");
      return FALSE;
    }

  gst_bin_add (GST_BIN (parent), self->bin);
  gst_element_sync_state_with_parent (self->bin);
  sink_pad = gst_element_get_static_pad (self->bin, "sink");
  ret = gst_pad_link (src_pad, sink_pad);
  if (GST_PAD_LINK_FAILED (ret))
    {
      gst_element_set_locked_state (self->bin, TRUE);
      gst_element_set_state (self->bin, GST_STATE_NULL);
      gst_bin_remove (GST_BIN (parent), self->bin);
      g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS,
                   "The received track could not be connected to its decoder (%s)",
                   gst_pad_link_get_name (ret));
      return FALSE;
    }
  self->linked_pad = gst_object_ref (src_pad);
  return TRUE;
}

/**
 * bc_track_receiver_remove:
 *
 * Unlinks the receiver, stops it and takes it out of its pipeline, e.g.
 * when the track goes away. Call it from the main thread.
 */
void
bc_track_receiver_remove (BcTrackReceiver *self)
{
  g_autoptr (GstObject) parent = NULL;

  g_return_if_fail (BC_IS_TRACK_RECEIVER (self));

  if (self->bin == NULL)
    return;
  if (self->linked_pad != NULL)
    {
      g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (self->bin, "sink");

      gst_pad_unlink (self->linked_pad, sink_pad);
      g_clear_pointer (&self->linked_pad, gst_object_unref);
    }
  parent = gst_object_get_parent (GST_OBJECT (self->bin));
  gst_element_set_locked_state (self->bin, TRUE);
  gst_element_set_state (self->bin, GST_STATE_NULL);
  if (parent != NULL)
    gst_bin_remove (GST_BIN (parent), self->bin);
}

/**
 * bc_track_receiver_get_element:
 *
 * Returns: (transfer none): a bin with one "sink" pad taking the RTP
 */
GstElement *
bc_track_receiver_get_element (BcTrackReceiver *self)
{
  g_return_val_if_fail (BC_IS_TRACK_RECEIVER (self), NULL);

  return self->bin;
}

BcTrackKind
bc_track_receiver_get_kind (BcTrackReceiver *self)
{
  g_return_val_if_fail (BC_IS_TRACK_RECEIVER (self), BC_TRACK_KIND_VIDEO);

  return self->kind;
}

/**
 * bc_track_receiver_get_codec_name:
 *
 * Returns: the RTP encoding name in upper case: "VP8", "H264", "OPUS"
 */
const char *
bc_track_receiver_get_codec_name (BcTrackReceiver *self)
{
  g_return_val_if_fail (BC_IS_TRACK_RECEIVER (self), NULL);

  return self->codec_name;
}

const char *
bc_track_receiver_get_decoder_name (BcTrackReceiver *self)
{
  g_return_val_if_fail (BC_IS_TRACK_RECEIVER (self), NULL);

  return self->decoder_name;
}

/**
 * bc_track_receiver_get_frame_sink:
 *
 * Returns: (transfer none) (nullable): the video frames, %NULL for audio
 */
BcFrameSink *
bc_track_receiver_get_frame_sink (BcTrackReceiver *self)
{
  g_return_val_if_fail (BC_IS_TRACK_RECEIVER (self), NULL);

  return self->frame_sink;
}
