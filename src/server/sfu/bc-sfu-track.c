/* bc-sfu-track.c
 *
 * A publisher's track is depayloaded once and teed; every subscriber gets a
 * branch that payloads it again with its own SSRC, sequence numbers and
 * timestamps, so a late joiner starts clean and sees nothing of the
 * publisher's RTP state. No media is ever decoded or re-encoded.
 *
 * Keyframes: a subscriber's PLI/FIR leaves its webrtcbin as an upstream
 * force-key-unit event carrying the branch's SSRC, which the publisher's RTP
 * session does not know. The event is therefore replaced by a fresh one
 * without an SSRC, pushed at the publisher's pad, where rtpssrcdemux fills in
 * the publisher's own SSRC and a PLI goes out.
 *
 * Isolation: branch queues are leaky so a subscriber that stalls (no answer,
 * no DTLS yet) cannot block the others, and a branch whose downstream failed
 * has its buffers dropped before they reach the queue, so that its error does
 * not travel back through the tee to the publisher.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-track.h"

#include <gio/gio.h>
#include <gst/video/video.h>

/* Requests closer together than this are merged: a keyframe is coming. */
#define KEYFRAME_MIN_INTERVAL_US (100 * G_TIME_SPAN_MILLISECOND)

struct _BcSfuBranch
{
  BcSfuTrack *track; /* unowned */
  GstElement *queue;
  GstElement *pay;
  GstElement *fixup; /* nullable */
  GstPad *tee_pad;
  GstPad *sink_pad;
};

struct _BcSfuTrack
{
  GObject parent_instance;

  char *mid;
  BcSfuCodec codec;
  GstBin *bin;
  GstPad *src_pad;
  GstElement *depay;
  GstElement *tee;
  GPtrArray *branches;

  GMutex lock;
  gint64 last_keyframe_request;
  guint64 packets;
};

G_DEFINE_FINAL_TYPE (BcSfuTrack, bc_sfu_track, G_TYPE_OBJECT)

static void
branch_teardown (BcSfuTrack *self, BcSfuBranch *branch)
{
  /* Release the tee pad first so no buffer is in flight towards the branch
   * while it goes down; a flushing branch would otherwise stop the tee. */
  if (branch->tee_pad != NULL)
    {
      GstPad *peer = gst_pad_get_peer (branch->tee_pad);

      if (peer != NULL)
        {
          gst_pad_unlink (branch->tee_pad, peer);
          gst_object_unref (peer);
        }
      gst_element_release_request_pad (self->tee, branch->tee_pad);
      gst_clear_object (&branch->tee_pad);
    }

  GstElement *elements[] = { branch->queue, branch->pay, branch->fixup };
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      if (elements[i] == NULL)
        continue;
      gst_element_set_locked_state (elements[i], TRUE);
      gst_element_set_state (elements[i], GST_STATE_NULL);
      gst_bin_remove (self->bin, elements[i]);
    }
  gst_clear_object (&branch->sink_pad);
  g_free (branch);
}

static void
bc_sfu_track_dispose (GObject *object)
{
  BcSfuTrack *self = BC_SFU_TRACK (object);

  bc_sfu_track_detach (self);

  G_OBJECT_CLASS (bc_sfu_track_parent_class)->dispose (object);
}

static void
bc_sfu_track_finalize (GObject *object)
{
  BcSfuTrack *self = BC_SFU_TRACK (object);

  g_free (self->mid);
  g_mutex_clear (&self->lock);
  g_clear_pointer (&self->branches, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_sfu_track_parent_class)->finalize (object);
}

static void
bc_sfu_track_class_init (BcSfuTrackClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_track_dispose;
  object_class->finalize = bc_sfu_track_finalize;
}

static void
bc_sfu_track_init (BcSfuTrack *self)
{
  g_mutex_init (&self->lock);
  self->branches = g_ptr_array_new ();
}

static GstPadProbeReturn
count_packets (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  BcSfuTrack *self = user_data;
  guint n = 1;

  if (GST_PAD_PROBE_INFO_TYPE (info) & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    n = gst_buffer_list_length (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  g_mutex_lock (&self->lock);
  self->packets += n;
  g_mutex_unlock (&self->lock);
  return GST_PAD_PROBE_OK;
}

static gboolean
codec_from_caps (GstCaps *caps, BcSfuCodec *out_codec)
{
  GstStructure *s;
  const char *name;

  if (caps == NULL || gst_caps_is_empty (caps))
    return FALSE;
  s = gst_caps_get_structure (caps, 0);
  name = gst_structure_get_string (s, "encoding-name");
  if (name == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (name, "VP8") == 0)
    *out_codec = BC_SFU_CODEC_VP8;
  else if (g_ascii_strcasecmp (name, "H264") == 0)
    *out_codec = BC_SFU_CODEC_H264;
  else if (g_ascii_strcasecmp (name, "OPUS") == 0)
    *out_codec = BC_SFU_CODEC_OPUS;
  else
    return FALSE;
  return TRUE;
}

static GstElement *
make_element (const char *factory, const char *prefix, const char *role)
{
  g_autofree char *name = g_strdup_printf ("%s~%s", prefix, role);
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_critical ("GStreamer element %s is missing", factory);
  return element;
}

/**
 * bc_sfu_track_new:
 * @bin: the relay's bin; the publisher's webrtcbin is in it
 * @src_pad: a webrtcbin src pad carrying RTP
 * @mid: the media id of the pad's transceiver
 *
 * Returns: (transfer full): the track, or %NULL if the codec cannot be
 * forwarded
 */
BcSfuTrack *
bc_sfu_track_new (GstBin *bin, GstPad *src_pad, const char *mid, GError **error)
{
  g_autoptr (BcSfuTrack) self = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) depay_sink = NULL;
  g_autofree char *prefix = NULL;
  GstObject *owner;
  const char *factory;
  BcSfuCodec codec;

  caps = gst_pad_get_current_caps (src_pad);
  if (caps == NULL)
    caps = gst_pad_query_caps (src_pad, NULL);
  if (!codec_from_caps (caps, &codec))
    {
      g_autofree char *text = caps ? gst_caps_to_string (caps) : g_strdup ("none");

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "Media with caps %s cannot be forwarded; use VP8, H.264 or Opus", text);
      return NULL;
    }

  self = g_object_new (BC_TYPE_SFU_TRACK, NULL);
  self->mid = g_strdup (mid);
  self->codec = codec;
  self->bin = bin;
  self->src_pad = gst_object_ref (src_pad);

  owner = gst_pad_get_parent (src_pad);
  /* A client may reuse a mid for a new track (a new SSRC and so a new src
   * pad) while the elements of the last one are still in the bin. */
  prefix = g_strdup_printf ("%s-%s-%s", owner ? GST_OBJECT_NAME (owner) : "pub", mid ? mid : "x",
                            GST_OBJECT_NAME (src_pad));
  g_clear_pointer (&owner, gst_object_unref);

  switch (codec)
    {
    case BC_SFU_CODEC_VP8:
      factory = "rtpvp8depay";
      break;
    case BC_SFU_CODEC_H264:
      factory = "rtph264depay";
      break;
    case BC_SFU_CODEC_OPUS:
    default:
      factory = "rtpopusdepay";
      break;
    }
  self->depay = make_element (factory, prefix, "depay");
  self->tee = make_element ("tee", prefix, "tee");
  if (self->depay == NULL || self->tee == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "A GStreamer plugin is missing");
      return NULL;
    }
  if (codec != BC_SFU_CODEC_OPUS)
    g_object_set (self->depay, "request-keyframe", TRUE, NULL);
  g_object_set (self->tee, "allow-not-linked", TRUE, NULL);

  gst_bin_add_many (bin, gst_object_ref (self->depay), gst_object_ref (self->tee), NULL);
  gst_element_link (self->depay, self->tee);
  gst_element_sync_state_with_parent (self->tee);
  gst_element_sync_state_with_parent (self->depay);

  depay_sink = gst_element_get_static_pad (self->depay, "sink");
  gst_pad_add_probe (depay_sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     count_packets, self, NULL);
  if (gst_pad_link (src_pad, depay_sink) != GST_PAD_LINK_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not link the received media");
      bc_sfu_track_detach (self);
      return NULL;
    }
  return g_steal_pointer (&self);
}

/**
 * bc_sfu_track_detach:
 *
 * Takes the track out of the pipeline, with every branch still attached.
 * Safe to call more than once.
 */
void
bc_sfu_track_detach (BcSfuTrack *self)
{
  g_return_if_fail (BC_IS_SFU_TRACK (self));

  while (self->branches->len > 0)
    {
      BcSfuBranch *branch = g_ptr_array_steal_index (self->branches, self->branches->len - 1);

      branch_teardown (self, branch);
    }

  if (self->src_pad != NULL)
    {
      GstPad *peer = gst_pad_get_peer (self->src_pad);

      if (peer != NULL)
        {
          gst_pad_unlink (self->src_pad, peer);
          gst_object_unref (peer);
        }
      gst_clear_object (&self->src_pad);
    }

  /* Keyframe requests come from streaming threads and read depay. */
  g_mutex_lock (&self->lock);
  GstElement *elements[] = { g_steal_pointer (&self->depay), g_steal_pointer (&self->tee) };
  g_mutex_unlock (&self->lock);
  for (guint i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      if (elements[i] == NULL)
        continue;
      gst_element_set_locked_state (elements[i], TRUE);
      gst_element_set_state (elements[i], GST_STATE_NULL);
      if (GST_OBJECT_PARENT (elements[i]) != NULL)
        gst_bin_remove (self->bin, elements[i]);
      gst_object_unref (elements[i]);
    }
}

const char *
bc_sfu_track_get_mid (BcSfuTrack *self)
{
  g_return_val_if_fail (BC_IS_SFU_TRACK (self), NULL);
  return self->mid;
}

BcSfuCodec
bc_sfu_track_get_codec (BcSfuTrack *self)
{
  g_return_val_if_fail (BC_IS_SFU_TRACK (self), BC_SFU_CODEC_VP8);
  return self->codec;
}

gboolean
bc_sfu_track_is_video (BcSfuTrack *self)
{
  g_return_val_if_fail (BC_IS_SFU_TRACK (self), FALSE);
  return self->codec != BC_SFU_CODEC_OPUS;
}

const char *
bc_sfu_track_get_mime_type (BcSfuTrack *self)
{
  g_return_val_if_fail (BC_IS_SFU_TRACK (self), NULL);
  switch (self->codec)
    {
    case BC_SFU_CODEC_VP8:
      return "video/VP8";
    case BC_SFU_CODEC_H264:
      return "video/H264";
    case BC_SFU_CODEC_OPUS:
    default:
      return "audio/opus";
    }
}

guint64
bc_sfu_track_get_packets (BcSfuTrack *self)
{
  guint64 n;

  g_return_val_if_fail (BC_IS_SFU_TRACK (self), 0);
  g_mutex_lock (&self->lock);
  n = self->packets;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * bc_sfu_track_request_keyframe:
 *
 * Asks the publisher for a keyframe (a PLI on its connection). Callable from
 * any thread; requests within 100 ms of the previous one are merged.
 */
void
bc_sfu_track_request_keyframe (BcSfuTrack *self)
{
  g_autoptr (GstPad) depay_sink = NULL;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (BC_IS_SFU_TRACK (self));

  if (self->codec == BC_SFU_CODEC_OPUS)
    return;
  g_mutex_lock (&self->lock);
  if (self->depay == NULL || now - self->last_keyframe_request < KEYFRAME_MIN_INTERVAL_US)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->last_keyframe_request = now;
  depay_sink = gst_element_get_static_pad (self->depay, "sink");
  g_mutex_unlock (&self->lock);

  gst_pad_push_event (depay_sink,
                      gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
}

/**
 * bc_sfu_track_make_caps:
 *
 * Returns: (transfer full): the RTP caps a subscriber branch sends, for the
 * transceiver's codec preferences
 */
GstCaps *
bc_sfu_track_make_caps (BcSfuTrack *self, guint pt, guint32 ssrc)
{
  g_return_val_if_fail (BC_IS_SFU_TRACK (self), NULL);

  switch (self->codec)
    {
    case BC_SFU_CODEC_VP8:
      return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "video",
                                  "encoding-name", G_TYPE_STRING, "VP8", "clock-rate", G_TYPE_INT,
                                  90000, "payload", G_TYPE_INT, (int) pt, "ssrc", G_TYPE_UINT, ssrc,
                                  NULL);
    case BC_SFU_CODEC_H264:
      /* Constrained baseline, which every browser decodes; LiveKit registers
       * exactly this fmtp (protocol codecs/codecs.go). */
      return gst_caps_new_simple (
          "application/x-rtp", "media", G_TYPE_STRING, "video", "encoding-name", G_TYPE_STRING,
          "H264", "clock-rate", G_TYPE_INT, 90000, "payload", G_TYPE_INT, (int) pt, "ssrc",
          G_TYPE_UINT, ssrc, "packetization-mode", G_TYPE_STRING, "1", "profile-level-id",
          G_TYPE_STRING, "42e01f", "level-asymmetry-allowed", G_TYPE_STRING, "1", NULL);
    case BC_SFU_CODEC_OPUS:
    default:
      return gst_caps_new_simple ("application/x-rtp", "media", G_TYPE_STRING, "audio",
                                  "encoding-name", G_TYPE_STRING, "OPUS", "clock-rate", G_TYPE_INT,
                                  48000, "encoding-params", G_TYPE_STRING, "2", "payload",
                                  G_TYPE_INT, (int) pt, "ssrc", G_TYPE_UINT, ssrc, "minptime",
                                  G_TYPE_STRING, "10", "useinbandfec", G_TYPE_STRING, "1", NULL);
    }
}

static GstPadProbeReturn
on_branch_upstream_event (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  BcSfuTrack *self = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (!gst_video_event_is_force_key_unit (event))
    return GST_PAD_PROBE_OK;
  bc_sfu_track_request_keyframe (self);
  return GST_PAD_PROBE_DROP;
}

static GstPadProbeReturn
on_branch_data (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  GstPad *queue_src = user_data;
  GstFlowReturn last = gst_pad_get_last_flow_return (queue_src);

  /* Dropping here answers OK to the tee, so a dead branch stays its own
   * problem instead of stopping the publisher for everyone. */
  if (last == GST_FLOW_NOT_NEGOTIATED || last == GST_FLOW_ERROR || last == GST_FLOW_NOT_LINKED)
    return GST_PAD_PROBE_DROP;
  return GST_PAD_PROBE_OK;
}

/**
 * bc_sfu_track_add_branch:
 * @sink_pad: a webrtcbin sink pad whose transceiver is set up for
 *   bc_sfu_track_make_caps (@pt, @ssrc)
 *
 * Returns: (transfer none): the branch, owned by the track until
 * bc_sfu_track_remove_branch() or bc_sfu_track_detach()
 */
BcSfuBranch *
bc_sfu_track_add_branch (BcSfuTrack *self, GstPad *sink_pad, guint pt, guint32 ssrc)
{
  BcSfuBranch *branch;
  g_autoptr (GstPad) queue_sink = NULL;
  g_autoptr (GstPad) queue_src = NULL;
  g_autoptr (GstPad) last_src = NULL;
  g_autofree char *prefix = NULL;
  GstObject *owner;
  GstElement *last;

  g_return_val_if_fail (BC_IS_SFU_TRACK (self), NULL);
  g_return_val_if_fail (self->tee != NULL, NULL);

  owner = gst_pad_get_parent (sink_pad);
  prefix = g_strdup_printf ("%s-%s", owner ? GST_OBJECT_NAME (owner) : "sub",
                            GST_OBJECT_NAME (sink_pad));
  g_clear_pointer (&owner, gst_object_unref);

  branch = g_new0 (BcSfuBranch, 1);
  branch->track = self;
  branch->sink_pad = gst_object_ref (sink_pad);
  branch->queue = make_element ("queue", prefix, "queue");
  g_object_set (branch->queue, "max-size-buffers", 0, "max-size-bytes", 0, "max-size-time",
                (guint64) 500 * GST_MSECOND, NULL);
  gst_util_set_object_arg (G_OBJECT (branch->queue), "leaky", "downstream");

  switch (self->codec)
    {
    case BC_SFU_CODEC_VP8:
      branch->pay = make_element ("rtpvp8pay", prefix, "pay");
      gst_util_set_object_arg (G_OBJECT (branch->pay), "picture-id-mode", "15-bit");
      break;
    case BC_SFU_CODEC_H264:
      {
        g_autoptr (GstCaps) fix = NULL;

        branch->pay = make_element ("rtph264pay", prefix, "pay");
        g_object_set (branch->pay, "config-interval", -1, NULL);
        gst_util_set_object_arg (G_OBJECT (branch->pay), "aggregate-mode", "zero-latency");
        /* Browsers put e.g. 42c01f in their SPS and the payloader copies it;
         * the subscriber negotiated 42e01f and would refuse the caps. */
        branch->fixup = make_element ("capssetter", prefix, "fixup");
        fix = gst_caps_from_string ("application/x-rtp,profile-level-id=(string)42e01f");
        g_object_set (branch->fixup, "caps", fix, NULL);
        break;
      }
    case BC_SFU_CODEC_OPUS:
    default:
      branch->pay = make_element ("rtpopuspay", prefix, "pay");
      break;
    }
  g_object_set (branch->pay, "pt", pt, "ssrc", ssrc, "mtu", 1200, NULL);

  gst_bin_add_many (self->bin, gst_object_ref (branch->queue), gst_object_ref (branch->pay), NULL);
  gst_element_link (branch->queue, branch->pay);
  last = branch->pay;
  if (branch->fixup != NULL)
    {
      gst_bin_add (self->bin, gst_object_ref (branch->fixup));
      gst_element_link (branch->pay, branch->fixup);
      last = branch->fixup;
    }
  last_src = gst_element_get_static_pad (last, "src");
  if (gst_pad_link (last_src, sink_pad) != GST_PAD_LINK_OK)
    g_warning ("Could not link a subscriber branch to its connection");

  queue_sink = gst_element_get_static_pad (branch->queue, "sink");
  queue_src = gst_element_get_static_pad (branch->queue, "src");
  gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_EVENT_UPSTREAM, on_branch_upstream_event, self,
                     NULL);
  gst_pad_add_probe (queue_sink, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_branch_data, gst_object_ref (queue_src), gst_object_unref);

  if (branch->fixup != NULL)
    gst_element_sync_state_with_parent (branch->fixup);
  gst_element_sync_state_with_parent (branch->pay);
  gst_element_sync_state_with_parent (branch->queue);

  branch->tee_pad = gst_element_request_pad_simple (self->tee, "src_%u");
  gst_pad_link (branch->tee_pad, queue_sink);

  g_ptr_array_add (self->branches, branch);
  return branch;
}

void
bc_sfu_track_remove_branch (BcSfuTrack *self, BcSfuBranch *branch)
{
  g_return_if_fail (BC_IS_SFU_TRACK (self));

  if (branch == NULL || !g_ptr_array_remove (self->branches, branch))
    return;
  branch_teardown (self, branch);
}
