#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include "bc-context-post.h"

#include <gst/webrtc/webrtc.h>

#include "bc-media-stats.h"

struct _BcMediaStats
{
  GObject parent_instance;

  BcFrameSink *frame_sink;
  BcVideoSource *video_source;
  gint64 start_time;
  gint jitter_buffer_latency;

  /* previous sample, for rates */
  gint64 last_time;
  guint64 last_bytes;
  guint64 last_frames;

  int width;
  int height;
  double fps;
  double bitrate_kbps;
  gint64 packets;
  gint64 packets_lost;
  double loss_percent;
  double rtt_ms;
  double jitter_ms;
  double ttff_ms;
  guint64 frames;
  double latency_p50_ms;
  double latency_p95_ms;
  guint pli_count;
  guint nack_count;
};

G_DEFINE_FINAL_TYPE (BcMediaStats, bc_media_stats, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_WIDTH,
  PROP_HEIGHT,
  PROP_FPS,
  PROP_BITRATE_KBPS,
  PROP_PACKETS,
  PROP_PACKETS_LOST,
  PROP_PACKET_LOSS_PERCENT,
  PROP_RTT_MS,
  PROP_JITTER_MS,
  PROP_JITTER_BUFFER_MS,
  PROP_TIME_TO_FIRST_FRAME_MS,
  PROP_FRAMES,
  PROP_LATENCY_P50_MS,
  PROP_LATENCY_P95_MS,
  PROP_PLI_COUNT,
  PROP_NACK_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bc_media_stats_dispose (GObject *object)
{
  BcMediaStats *self = BC_MEDIA_STATS (object);

  g_clear_object (&self->frame_sink);
  g_clear_object (&self->video_source);

  G_OBJECT_CLASS (bc_media_stats_parent_class)->dispose (object);
}

static void
bc_media_stats_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcMediaStats *self = BC_MEDIA_STATS (object);

  switch (prop_id)
    {
    case PROP_WIDTH:
      g_value_set_int (value, self->width);
      break;
    case PROP_HEIGHT:
      g_value_set_int (value, self->height);
      break;
    case PROP_FPS:
      g_value_set_double (value, self->fps);
      break;
    case PROP_BITRATE_KBPS:
      g_value_set_double (value, self->bitrate_kbps);
      break;
    case PROP_PACKETS:
      g_value_set_int64 (value, self->packets);
      break;
    case PROP_PACKETS_LOST:
      g_value_set_int64 (value, self->packets_lost);
      break;
    case PROP_PACKET_LOSS_PERCENT:
      g_value_set_double (value, self->loss_percent);
      break;
    case PROP_RTT_MS:
      g_value_set_double (value, self->rtt_ms);
      break;
    case PROP_JITTER_MS:
      g_value_set_double (value, self->jitter_ms);
      break;
    case PROP_JITTER_BUFFER_MS:
      g_value_set_double (value, bc_media_stats_get_jitter_buffer_ms (self));
      break;
    case PROP_TIME_TO_FIRST_FRAME_MS:
      g_value_set_double (value, self->ttff_ms);
      break;
    case PROP_FRAMES:
      g_value_set_uint64 (value, self->frames);
      break;
    case PROP_LATENCY_P50_MS:
      g_value_set_double (value, self->latency_p50_ms);
      break;
    case PROP_LATENCY_P95_MS:
      g_value_set_double (value, self->latency_p95_ms);
      break;
    case PROP_PLI_COUNT:
      g_value_set_uint (value, self->pli_count);
      break;
    case PROP_NACK_COUNT:
      g_value_set_uint (value, self->nack_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
double_prop (const char *name)
{
  return g_param_spec_double (name, NULL, NULL, -1, G_MAXDOUBLE, -1,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
bc_media_stats_class_init (BcMediaStatsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->dispose = bc_media_stats_dispose;
  object_class->get_property = bc_media_stats_get_property;

  /* All read-only and updated together by bc_media_stats_update(), so
   * json_gobject_serialize() gives a complete sample. -1 means unknown. */
  properties[PROP_WIDTH] = g_param_spec_int ("width", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_HEIGHT] = g_param_spec_int ("height", NULL, NULL, 0, G_MAXINT, 0, flags);
  properties[PROP_FPS] = double_prop ("fps");
  properties[PROP_BITRATE_KBPS] = double_prop ("bitrate-kbps");
  properties[PROP_PACKETS] = g_param_spec_int64 ("packets", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_PACKETS_LOST] =
      g_param_spec_int64 ("packets-lost", NULL, NULL, -1, G_MAXINT64, -1, flags);
  properties[PROP_PACKET_LOSS_PERCENT] = double_prop ("packet-loss-percent");
  properties[PROP_RTT_MS] = double_prop ("rtt-ms");
  properties[PROP_JITTER_MS] = double_prop ("jitter-ms");
  properties[PROP_JITTER_BUFFER_MS] = double_prop ("jitter-buffer-ms");
  properties[PROP_TIME_TO_FIRST_FRAME_MS] = double_prop ("time-to-first-frame-ms");
  properties[PROP_FRAMES] = g_param_spec_uint64 ("frames", NULL, NULL, 0, G_MAXUINT64, 0, flags);
  properties[PROP_LATENCY_P50_MS] = double_prop ("latency-p50-ms");
  properties[PROP_LATENCY_P95_MS] = double_prop ("latency-p95-ms");
  properties[PROP_PLI_COUNT] = g_param_spec_uint ("pli-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  properties[PROP_NACK_COUNT] =
      g_param_spec_uint ("nack-count", NULL, NULL, 0, G_MAXUINT, 0, flags);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_media_stats_init (BcMediaStats *self)
{
  self->fps = -1;
  self->bitrate_kbps = -1;
  self->packets = -1;
  self->packets_lost = -1;
  self->loss_percent = -1;
  self->rtt_ms = -1;
  self->jitter_ms = -1;
  self->ttff_ms = -1;
  self->latency_p50_ms = -1;
  self->latency_p95_ms = -1;
  self->jitter_buffer_latency = -1;
}

BcMediaStats *
bc_media_stats_new (void)
{
  return g_object_new (BC_TYPE_MEDIA_STATS, NULL);
}

/**
 * bc_media_stats_set_frame_sink:
 * @sink: (nullable): the viewer's frame sink
 *
 * Makes these the statistics of a viewer: resolution, frame rate, time to
 * first frame and glass-to-glass latency come from @sink, the network side
 * from the inbound video stream.
 */
void
bc_media_stats_set_frame_sink (BcMediaStats *self, BcFrameSink *sink)
{
  g_return_if_fail (BC_IS_MEDIA_STATS (self));

  g_set_object (&self->frame_sink, sink);
}

/**
 * bc_media_stats_set_video_source:
 * @source: (nullable): the publisher's video source
 *
 * Makes these the statistics of a publisher: the outbound stream with the
 * source's SSRC and what the receiver reports about it.
 */
void
bc_media_stats_set_video_source (BcMediaStats *self, BcVideoSource *source)
{
  g_return_if_fail (BC_IS_MEDIA_STATS (self));

  g_set_object (&self->video_source, source);
}

/**
 * bc_media_stats_set_start_time:
 * @start_time_us: when joining started, g_get_real_time()
 *
 * Sets the origin of #BcMediaStats:time-to-first-frame-ms.
 */
void
bc_media_stats_set_start_time (BcMediaStats *self, gint64 start_time_us)
{
  g_return_if_fail (BC_IS_MEDIA_STATS (self));

  self->start_time = start_time_us;
}

/**
 * bc_media_stats_set_jitter_buffer_latency:
 * @latency_ms: webrtcbin's "latency"
 *
 * webrtcbin 1.22 reports no jitter buffer delay; what the buffer may hold
 * back is bounded by its latency, which is reported instead.
 */
void
bc_media_stats_set_jitter_buffer_latency (BcMediaStats *self, guint latency_ms)
{
  g_return_if_fail (BC_IS_MEDIA_STATS (self));

  self->jitter_buffer_latency = (gint) MIN (latency_ms, G_MAXINT);
}

static GstWebRTCStatsType
stats_type (const GstStructure *s)
{
  GstWebRTCStatsType type = 0;

  gst_structure_get (s, "type", GST_TYPE_WEBRTC_STATS_TYPE, &type, NULL);
  return type;
}

static guint64
get_u64 (const GstStructure *s, const char *field)
{
  const GValue *v = gst_structure_get_value (s, field);

  if (v == NULL)
    return 0;
  if (G_VALUE_HOLDS_UINT64 (v))
    return g_value_get_uint64 (v);
  if (G_VALUE_HOLDS_INT64 (v))
    return MAX (0, g_value_get_int64 (v));
  if (G_VALUE_HOLDS_UINT (v))
    return g_value_get_uint (v);
  if (G_VALUE_HOLDS_INT (v))
    return MAX (0, g_value_get_int (v));
  return 0;
}

static gint64
get_i64 (const GstStructure *s, const char *field, gint64 unknown)
{
  const GValue *v = gst_structure_get_value (s, field);

  if (v == NULL)
    return unknown;
  if (G_VALUE_HOLDS_INT64 (v))
    return g_value_get_int64 (v);
  if (G_VALUE_HOLDS_INT (v))
    return g_value_get_int (v);
  if (G_VALUE_HOLDS_UINT64 (v))
    return (gint64) g_value_get_uint64 (v);
  if (G_VALUE_HOLDS_UINT (v))
    return g_value_get_uint (v);
  return unknown;
}

static int
source_clock_rate (const GstStructure *s)
{
  const GstStructure *source = NULL;
  int rate = -1;

  if (gst_structure_get (s, "gst-rtpsource-stats", GST_TYPE_STRUCTURE, &source, NULL))
    {
      gst_structure_get_int (source, "clock-rate", &rate);
      gst_structure_free ((GstStructure *) source);
    }
  return rate;
}

typedef struct
{
  const GstStructure *rtp;    /* outbound-rtp or inbound-rtp */
  const GstStructure *remote; /* remote-inbound-rtp for a publisher */
  guint64 best_bytes;
} Found;

static gboolean
find_streams (GQuark field, const GValue *value, gpointer user_data)
{
  gpointer *args = user_data;
  BcMediaStats *self = args[0];
  Found *found = args[1];
  const GstStructure *s;
  GstWebRTCStatsType type;
  guint ssrc = 0;

  if (!GST_VALUE_HOLDS_STRUCTURE (value))
    return TRUE;
  s = gst_value_get_structure (value);
  type = stats_type (s);
  gst_structure_get_uint (s, "ssrc", &ssrc);

  if (self->video_source != NULL)
    {
      guint32 want = bc_video_source_get_ssrc (self->video_source);

      if (type == GST_WEBRTC_STATS_OUTBOUND_RTP && ssrc == want)
        found->rtp = s;
      else if (type == GST_WEBRTC_STATS_REMOTE_INBOUND_RTP && ssrc == want)
        found->remote = s;
    }
  else if (type == GST_WEBRTC_STATS_INBOUND_RTP)
    {
      /* In a bundle 1.22 labels every stream with the first codec's kind;
       * the RTP clock rate tells video (90 kHz) from audio. */
      guint64 bytes = get_u64 (s, "bytes-received");

      if (source_clock_rate (s) == 90000 && (found->rtp == NULL || bytes > found->best_bytes))
        {
          found->rtp = s;
          found->best_bytes = bytes;
        }
    }
  return TRUE;
}

static void
update_publisher (BcMediaStats *self, Found *found, guint64 *bytes)
{
  *bytes = get_u64 (found->rtp, "bytes-sent");
  self->packets = get_i64 (found->rtp, "packets-sent", -1);
  self->pli_count = get_u64 (found->rtp, "pli-count") + get_u64 (found->rtp, "fir-count");
  self->nack_count = get_u64 (found->rtp, "nack-count");

  if (found->remote != NULL)
    {
      double rtt = -1, fraction = -1;
      const GstStructure *source = NULL;
      gint64 lost = get_i64 (found->remote, "packets-lost", -1);

      if (gst_structure_get_double (found->remote, "round-trip-time", &rtt))
        self->rtt_ms = rtt * 1000.0;
      /* packets-lost is -1 before the receiver has seen anything missing */
      self->packets_lost = MAX (0, lost);
      if (gst_structure_get_double (found->remote, "fraction-lost", &fraction) && fraction >= 0)
        self->loss_percent = fraction * 100.0;
      if (gst_structure_get (found->remote, "gst-rtpsource-stats", GST_TYPE_STRUCTURE, &source,
                             NULL))
        {
          guint rb_jitter = 0;

          if (gst_structure_get_uint (source, "rb-jitter", &rb_jitter))
            self->jitter_ms = rb_jitter * 1000.0 / 90000.0;
          gst_structure_free ((GstStructure *) source);
        }
    }
}

static void
update_viewer (BcMediaStats *self, Found *found, guint64 *bytes)
{
  const GstStructure *jb = NULL;
  gint64 lost = get_i64 (found->rtp, "packets-lost", -1);
  double jitter = -1;

  *bytes = get_u64 (found->rtp, "bytes-received");
  self->packets = get_i64 (found->rtp, "packets-received", -1);
  self->packets_lost = MAX (0, lost);
  if (self->packets >= 0 && self->packets + self->packets_lost > 0)
    self->loss_percent = 100.0 * self->packets_lost / (double) (self->packets + self->packets_lost);
  if (gst_structure_get_double (found->rtp, "jitter", &jitter) && jitter >= 0)
    self->jitter_ms = jitter * 1000.0;
  self->pli_count = get_u64 (found->rtp, "pli-count") + get_u64 (found->rtp, "fir-count");
  self->nack_count = get_u64 (found->rtp, "nack-count");

  if (gst_structure_get (found->rtp, "gst-rtpjitterbuffer-stats", GST_TYPE_STRUCTURE, &jb, NULL))
    {
      /* Packets the jitter buffer gave up on count as lost too. */
      self->packets_lost = MAX (self->packets_lost, (gint64) get_u64 (jb, "num-lost"));
      gst_structure_free ((GstStructure *) jb);
    }
}

/**
 * bc_media_stats_update:
 * @webrtc_stats: (nullable): the reply of webrtcbin's "get-stats"
 * @now_us: the time of the sample, g_get_real_time()
 *
 * Takes a new sample. Rates (fps, bitrate) are over the time since the
 * previous one, so call it about once a second.
 */
void
bc_media_stats_update (BcMediaStats *self, const GstStructure *webrtc_stats, gint64 now_us)
{
  Found found = { NULL };
  gpointer args[2] = { self, &found };
  guint64 bytes = 0, frames = 0;
  gint64 first = 0;
  double seconds;

  g_return_if_fail (BC_IS_MEDIA_STATS (self));

  if (webrtc_stats != NULL)
    gst_structure_foreach (webrtc_stats, find_streams, args);

  if (found.rtp != NULL && self->video_source != NULL)
    update_publisher (self, &found, &bytes);
  else if (found.rtp != NULL)
    update_viewer (self, &found, &bytes);

  if (self->frame_sink != NULL)
    {
      gint64 p50, p95;

      frames = bc_frame_sink_get_n_frames (self->frame_sink);
      bc_frame_sink_get_size (self->frame_sink, &self->width, &self->height);
      first = bc_frame_sink_get_first_frame_time (self->frame_sink);
      if (bc_frame_sink_get_latency (self->frame_sink, &p50, &p95) > 0)
        {
          self->latency_p50_ms = p50 / 1000.0;
          self->latency_p95_ms = p95 / 1000.0;
        }
    }
  else if (self->video_source != NULL)
    {
      frames = bc_video_source_get_n_frames (self->video_source);
      bc_video_source_get_size (self->video_source, &self->width, &self->height, NULL);
    }
  self->frames = frames;
  if (first > 0 && self->start_time > 0)
    self->ttff_ms = (first - self->start_time) / 1000.0;

  seconds = (now_us - self->last_time) / (double) G_USEC_PER_SEC;
  if (self->last_time > 0 && seconds > 0.05)
    {
      self->fps = (frames - MIN (frames, self->last_frames)) / seconds;
      if (found.rtp != NULL)
        self->bitrate_kbps = (bytes - MIN (bytes, self->last_bytes)) * 8.0 / 1000.0 / seconds;
    }
  self->last_time = now_us;
  self->last_frames = frames;
  self->last_bytes = bytes;

  g_object_freeze_notify (G_OBJECT (self));
  for (guint i = 1; i < N_PROPS; i++)
    g_object_notify_by_pspec (G_OBJECT (self), properties[i]);
  g_object_thaw_notify (G_OBJECT (self));
}

typedef struct
{
  GTask *task;
  GstStructure *reply;
  GMainContext *context;
} PollData;

static gboolean
poll_done (gpointer data)
{
  PollData *poll = data;
  BcMediaStats *self = g_task_get_source_object (poll->task);

  if (!g_task_return_error_if_cancelled (poll->task))
    {
      bc_media_stats_update (self, poll->reply, g_get_real_time ());
      g_task_return_boolean (poll->task, TRUE);
    }
  g_clear_pointer (&poll->reply, gst_structure_free);
  g_object_unref (poll->task);
  g_main_context_unref (poll->context);
  g_free (poll);
  return G_SOURCE_REMOVE;
}

static void
on_stats_reply (GstPromise *promise, gpointer user_data)
{
  PollData *poll = user_data;
  const GstStructure *reply = NULL;

  /* Called in a webrtcbin thread: copy and go back to the caller's context. */
  if (gst_promise_wait (promise) == GST_PROMISE_RESULT_REPLIED)
    reply = gst_promise_get_reply (promise);
  if (reply != NULL)
    poll->reply = gst_structure_copy (reply);
  gst_promise_unref (promise);
  bc_context_post (poll->context, poll_done, poll, NULL, "[bountycam] stats reply");
}

/**
 * bc_media_stats_poll_async:
 * @webrtcbin: the peer connection carrying the stream
 * @cancellable: (nullable): a cancellable
 * @callback: called in the thread-default main context once updated
 * @user_data: data for @callback
 *
 * Asks @webrtcbin for its statistics and updates from them, together with
 * the jitter buffer latency it is set to.
 */
void
bc_media_stats_poll_async (BcMediaStats *self,
                           GstElement *webrtcbin,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  PollData *poll;
  GstPromise *promise;
  guint latency = 0;

  g_return_if_fail (BC_IS_MEDIA_STATS (self));
  g_return_if_fail (GST_IS_ELEMENT (webrtcbin));

  poll = g_new0 (PollData, 1);
  poll->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (poll->task, bc_media_stats_poll_async);
  poll->context = g_main_context_ref_thread_default ();

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (webrtcbin), "latency") != NULL)
    {
      g_object_get (webrtcbin, "latency", &latency, NULL);
      self->jitter_buffer_latency = (gint) MIN (latency, G_MAXINT);
    }

  promise = gst_promise_new_with_change_func (on_stats_reply, poll, NULL);
  g_signal_emit_by_name (webrtcbin, "get-stats", NULL, promise);
}

gboolean
bc_media_stats_poll_finish (BcMediaStats *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

int
bc_media_stats_get_width (BcMediaStats *self)
{
  return self->width;
}

int
bc_media_stats_get_height (BcMediaStats *self)
{
  return self->height;
}

double
bc_media_stats_get_fps (BcMediaStats *self)
{
  return self->fps;
}

double
bc_media_stats_get_bitrate_kbps (BcMediaStats *self)
{
  return self->bitrate_kbps;
}

gint64
bc_media_stats_get_packets (BcMediaStats *self)
{
  return self->packets;
}

gint64
bc_media_stats_get_packets_lost (BcMediaStats *self)
{
  return self->packets_lost;
}

double
bc_media_stats_get_packet_loss_percent (BcMediaStats *self)
{
  return self->loss_percent;
}

/**
 * bc_media_stats_get_rtt_ms:
 *
 * Returns: the round-trip time from RTCP receiver reports; known to a
 *   publisher only (a receive-only peer gets no reports), else -1
 */
double
bc_media_stats_get_rtt_ms (BcMediaStats *self)
{
  return self->rtt_ms;
}

double
bc_media_stats_get_jitter_ms (BcMediaStats *self)
{
  return self->jitter_ms;
}

/**
 * bc_media_stats_get_jitter_buffer_ms:
 *
 * Returns: the jitter buffer latency (the longest it holds packets back
 *   waiting for a missing one), or -1 if unknown
 */
double
bc_media_stats_get_jitter_buffer_ms (BcMediaStats *self)
{
  return self->jitter_buffer_latency >= 0 ? (double) self->jitter_buffer_latency : -1;
}

double
bc_media_stats_get_time_to_first_frame_ms (BcMediaStats *self)
{
  return self->ttff_ms;
}

guint64
bc_media_stats_get_frames (BcMediaStats *self)
{
  return self->frames;
}

double
bc_media_stats_get_latency_p50_ms (BcMediaStats *self)
{
  return self->latency_p50_ms;
}

double
bc_media_stats_get_latency_p95_ms (BcMediaStats *self)
{
  return self->latency_p95_ms;
}

guint
bc_media_stats_get_pli_count (BcMediaStats *self)
{
  return self->pli_count;
}

guint
bc_media_stats_get_nack_count (BcMediaStats *self)
{
  return self->nack_count;
}

/**
 * bc_media_stats_format:
 *
 * Returns: (transfer full): one line for a terminal, e.g.
 *   "1280x720 30.0 fps 1650 kbit/s loss 0.0% rtt 1 ms jitter 0.5 ms first frame 450 ms"
 */
char *
bc_media_stats_format (BcMediaStats *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (BC_IS_MEDIA_STATS (self), NULL);

  g_string_append_printf (s, "%dx%d", self->width, self->height);
  if (self->fps >= 0)
    g_string_append_printf (s, " %.1f fps", self->fps);
  if (self->bitrate_kbps >= 0)
    g_string_append_printf (s, " %.0f kbit/s", self->bitrate_kbps);
  if (self->loss_percent >= 0)
    g_string_append_printf (s, " loss %.1f%%", self->loss_percent);
  if (self->rtt_ms >= 0)
    g_string_append_printf (s, " rtt %.0f ms", self->rtt_ms);
  if (self->jitter_ms >= 0)
    g_string_append_printf (s, " jitter %.1f ms", self->jitter_ms);
  if (self->ttff_ms >= 0)
    g_string_append_printf (s, " first frame %.0f ms", self->ttff_ms);
  if (self->latency_p50_ms >= 0)
    g_string_append_printf (s, " latency p50 %.0f ms p95 %.0f ms", self->latency_p50_ms,
                            self->latency_p95_ms);
  return g_string_free (s, FALSE);
}

/**
 * bc_media_stats_to_json:
 *
 * Returns: (transfer full): every property as a member with a snake_case
 *   name ("bitrate_kbps", "time_to_first_frame_ms", ...), for JSON lines;
 *   -1 means unknown
 */
JsonObject *
bc_media_stats_to_json (BcMediaStats *self)
{
  JsonObject *object = json_object_new ();

  g_return_val_if_fail (BC_IS_MEDIA_STATS (self), object);

  for (guint i = 1; i < N_PROPS; i++)
    {
      g_auto (GValue) value = G_VALUE_INIT;
      g_autofree char *name = g_strdelimit (g_strdup (properties[i]->name), "-", '_');
      JsonNode *node = json_node_new (JSON_NODE_VALUE);

      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (self), properties[i]->name, &value);
      if (G_VALUE_HOLDS_DOUBLE (&value))
        json_node_set_double (node, g_value_get_double (&value));
      else
        {
          g_auto (GValue) as_int = G_VALUE_INIT;

          g_value_init (&as_int, G_TYPE_INT64);
          g_value_transform (&value, &as_int);
          json_node_set_int (node, g_value_get_int64 (&as_int));
        }
      json_object_set_member (object, name, node);
    }
  return object;
}
