#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include "bc-audio-source.h"
#include "bc-media-error.h"
#include "bc-media-private.h"
#include "bc-media-types.h"

struct _BcAudioSource
{
  GObject parent_instance;

  gboolean test_tone;
  guint32 ssrc;
  guint bitrate;

  GstElement *bin;
  GstElement *volume;
  gboolean muted;
};

static void bc_audio_source_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BcAudioSource,
                               bc_audio_source,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      bc_audio_source_initable_iface_init))

enum
{
  PROP_0,
  PROP_TEST_TONE,
  PROP_SSRC,
  PROP_BITRATE,
  PROP_MUTED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Opens the default microphone. autoaudiosrc would pick a source that only
 * fails later (openalsrc, not-negotiated), so try the sound server and ALSA
 * directly and see whether they open. */
static GstElement *
open_microphone (GError **error)
{
  static const char *const candidates[] = { "pipewiresrc", "pulsesrc", "alsasrc", NULL };

  for (guint i = 0; candidates[i] != NULL; i++)
    {
      GstElement *src = gst_element_factory_make (candidates[i], NULL);

      if (src == NULL)
        continue;
      gst_object_ref_sink (src);
      if (gst_element_set_state (src, GST_STATE_READY) == GST_STATE_CHANGE_SUCCESS)
        {
          gst_element_set_state (src, GST_STATE_NULL);
          return src;
        }
      gst_element_set_state (src, GST_STATE_NULL);
      gst_object_unref (src);
    }

  g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_MICROPHONE,
               "No microphone could be opened; check that the sound server is running "
               "and a microphone is connected");
  return NULL;
}

static gboolean
bc_audio_source_initable_init (GInitable *initable, GCancellable *cancellable, GError **error)
{
  BcAudioSource *self = BC_AUDIO_SOURCE (initable);
  GstElement *src, *convert, *resample, *filter, *enc, *pay;
  GstPad *ghost;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) pad = NULL;

  if (self->ssrc == 0)
    self->ssrc = _bc_media_random_ssrc ();

  if (self->test_tone)
    {
      src = _bc_media_make_element ("audiotestsrc", NULL, error);
      if (src == NULL)
        return FALSE;
      g_object_set (src, "is-live", TRUE, "volume", 0.1, NULL);
      gst_object_ref_sink (src);
    }
  else
    {
      src = open_microphone (error);
      if (src == NULL)
        return FALSE;
    }

  enc = _bc_media_make_element ("opusenc", NULL, error);
  pay = enc ? _bc_media_make_element ("rtpopuspay", NULL, error) : NULL;
  if (pay == NULL)
    {
      g_clear_pointer (&enc, gst_object_unref);
      gst_object_unref (src);
      return FALSE;
    }

  /* 20 ms frames with in-band FEC, as WebRTC peers expect (LiveKit
   * registers Opus with useinbandfec=1). */
  g_object_set (enc, "bitrate", self->bitrate * 1000, "inband-fec", TRUE, "packet-loss-percentage",
                10, "dtx", FALSE, NULL);
  _bc_media_set_arg (enc, "audio-type", "voice");
  _bc_media_set_arg (enc, "frame-size", "20");
  g_object_set (pay, "mtu", BC_RTP_MTU, "pt", BC_RTP_PT_OPUS, "ssrc", self->ssrc, NULL);

  convert = gst_element_factory_make ("audioconvert", NULL);
  resample = gst_element_factory_make ("audioresample", NULL);
  self->volume = gst_object_ref (gst_element_factory_make ("volume", NULL));
  filter = gst_element_factory_make ("capsfilter", NULL);
  caps = gst_caps_from_string ("audio/x-raw,rate=48000,channels=1");
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (self->volume, "mute", self->muted, NULL);

  self->bin = gst_object_ref_sink (gst_bin_new ("bc-audio-source"));
  gst_bin_add_many (GST_BIN (self->bin), src, convert, resample, filter, self->volume, enc, pay,
                    NULL);
  gst_object_unref (src);
  gst_element_link_many (src, convert, resample, filter, self->volume, enc, pay, NULL);

  pad = gst_element_get_static_pad (pay, "src");
  ghost = gst_ghost_pad_new ("src", pad);
  _bc_media_hide_latency (ghost);
  gst_element_add_pad (self->bin, ghost);
  return TRUE;
}

static void
bc_audio_source_initable_iface_init (GInitableIface *iface)
{
  iface->init = bc_audio_source_initable_init;
}

static void
bc_audio_source_dispose (GObject *object)
{
  BcAudioSource *self = BC_AUDIO_SOURCE (object);

  g_clear_pointer (&self->volume, gst_object_unref);
  g_clear_pointer (&self->bin, gst_object_unref);

  G_OBJECT_CLASS (bc_audio_source_parent_class)->dispose (object);
}

static void
bc_audio_source_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcAudioSource *self = BC_AUDIO_SOURCE (object);

  switch (prop_id)
    {
    case PROP_TEST_TONE:
      g_value_set_boolean (value, self->test_tone);
      break;
    case PROP_SSRC:
      g_value_set_uint (value, self->ssrc);
      break;
    case PROP_BITRATE:
      g_value_set_uint (value, self->bitrate);
      break;
    case PROP_MUTED:
      g_value_set_boolean (value, self->muted);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_audio_source_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  BcAudioSource *self = BC_AUDIO_SOURCE (object);

  switch (prop_id)
    {
    case PROP_TEST_TONE:
      self->test_tone = g_value_get_boolean (value);
      break;
    case PROP_SSRC:
      self->ssrc = g_value_get_uint (value);
      break;
    case PROP_BITRATE:
      self->bitrate = g_value_get_uint (value);
      break;
    case PROP_MUTED:
      bc_audio_source_set_muted (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_audio_source_class_init (BcAudioSourceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags construct = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;

  object_class->dispose = bc_audio_source_dispose;
  object_class->get_property = bc_audio_source_get_property;
  object_class->set_property = bc_audio_source_set_property;

  /**
   * BcAudioSource:test-tone:
   *
   * Send a quiet sine tone instead of the microphone.
   */
  properties[PROP_TEST_TONE] = g_param_spec_boolean ("test-tone", NULL, NULL, FALSE, construct);
  properties[PROP_SSRC] = g_param_spec_uint ("ssrc", NULL, NULL, 0, G_MAXUINT32, 0, construct);
  /**
   * BcAudioSource:bitrate:
   *
   * Opus bitrate in kbit/s.
   */
  properties[PROP_BITRATE] = g_param_spec_uint ("bitrate", NULL, NULL, 6, 510, 32, construct);
  /**
   * BcAudioSource:muted:
   *
   * When set, silence is sent.
   */
  properties[PROP_MUTED] =
      g_param_spec_boolean ("muted", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_audio_source_init (BcAudioSource *self)
{
  self->bitrate = 32;
}

/**
 * bc_audio_source_new:
 * @test_tone: send a test tone instead of the microphone
 * @error: return location for an error
 *
 * Returns: (transfer full): the source, or %NULL with @error set
 *   (%BC_MEDIA_ERROR_NO_MICROPHONE when no microphone opens)
 */
BcAudioSource *
bc_audio_source_new (gboolean test_tone, GError **error)
{
  return g_initable_new (BC_TYPE_AUDIO_SOURCE, NULL, error, "test-tone", test_tone, NULL);
}

/**
 * bc_audio_source_get_element:
 *
 * Returns: (transfer none): a bin with one "src" pad producing Opus RTP
 */
GstElement *
bc_audio_source_get_element (BcAudioSource *self)
{
  g_return_val_if_fail (BC_IS_AUDIO_SOURCE (self), NULL);

  return self->bin;
}

/**
 * bc_audio_source_get_rtp_caps:
 *
 * Returns: (transfer full): the RTP caps produced, for codec-preferences
 */
GstCaps *
bc_audio_source_get_rtp_caps (BcAudioSource *self)
{
  g_return_val_if_fail (BC_IS_AUDIO_SOURCE (self), NULL);

  return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio", "encoding-name",
                              G_TYPE_STRING, "OPUS", "payload", G_TYPE_INT, BC_RTP_PT_OPUS,
                              "clock-rate", G_TYPE_INT, 48000, "encoding-params", G_TYPE_STRING,
                              "2", "minptime", G_TYPE_STRING, "10", "useinbandfec", G_TYPE_STRING,
                              "1", "ssrc", G_TYPE_UINT, self->ssrc, NULL);
}

guint32
bc_audio_source_get_ssrc (BcAudioSource *self)
{
  g_return_val_if_fail (BC_IS_AUDIO_SOURCE (self), 0);

  return self->ssrc;
}

gboolean
bc_audio_source_get_muted (BcAudioSource *self)
{
  g_return_val_if_fail (BC_IS_AUDIO_SOURCE (self), FALSE);

  return self->muted;
}

void
bc_audio_source_set_muted (BcAudioSource *self, gboolean muted)
{
  g_return_if_fail (BC_IS_AUDIO_SOURCE (self));

  muted = !!muted;
  if (self->muted == muted)
    return;
  self->muted = muted;
  if (self->volume != NULL)
    g_object_set (self->volume, "mute", muted, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MUTED]);
}
