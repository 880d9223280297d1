#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <stdlib.h>

#include "bc-capture-stamp.h"
#include "bc-frame-private.h"
#include "bc-frame-sink.h"

/* Latency samples kept for percentiles: five minutes at 30 fps. */
#define MAX_LATENCY_SAMPLES 9000

struct _BcFrameSink
{
  GObject parent_instance;

  GstElement *bin;
  gboolean sync;
  gboolean read_capture_time;

  GMutex lock;
  BcFrame *last_frame;
  guint64 n_frames;
  gint64 first_frame_time;
  gint64 *latencies;
  guint n_latencies;
  guint next_latency;
};

G_DEFINE_FINAL_TYPE (BcFrameSink, bc_frame_sink, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_SYNC,
  PROP_READ_CAPTURE_TIME,
  N_PROPS
};

enum
{
  SIGNAL_FRAME,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  GstVideoFrame frame;
} MappedFrame;

static void
mapped_frame_free (gpointer data)
{
  MappedFrame *mapped = data;

  gst_video_frame_unmap (&mapped->frame);
  g_free (mapped);
}

static GstFlowReturn
on_new_sample (GstAppSink *appsink, gpointer user_data)
{
  BcFrameSink *self = user_data;
  g_autoptr (GstSample) sample = gst_app_sink_pull_sample (appsink);
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (BcFrame) frame = NULL;
  GstVideoInfo info;
  MappedFrame *mapped;
  gint64 now = g_get_real_time ();
  gint64 capture_time = -1;
  guint64 sequence;
  const guint8 *pixels;
  int width, height, stride;

  if (sample == NULL)
    return GST_FLOW_EOS;
  if (!gst_video_info_from_caps (&info, gst_sample_get_caps (sample)))
    return GST_FLOW_NOT_NEGOTIATED;

  mapped = g_new0 (MappedFrame, 1);
  if (!gst_video_frame_map (&mapped->frame, &info, gst_sample_get_buffer (sample), GST_MAP_READ))
    {
      g_free (mapped);
      return GST_FLOW_ERROR;
    }

  /* Zero copy: the bytes keep the decoded buffer mapped until the last user
   * of the frame (a GdkTexture, say) lets go. */
  pixels = GST_VIDEO_FRAME_PLANE_DATA (&mapped->frame, 0);
  width = GST_VIDEO_FRAME_WIDTH (&mapped->frame);
  height = GST_VIDEO_FRAME_HEIGHT (&mapped->frame);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (&mapped->frame, 0);
  bytes = g_bytes_new_with_free_func (pixels, (gsize) stride * height, mapped_frame_free, mapped);

  if (self->read_capture_time)
    bc_capture_stamp_read_rgba (pixels, width, height, stride, now, &capture_time);

  frame = bc_frame_new (width, height, stride, bytes, capture_time, now);

  g_mutex_lock (&self->lock);
  sequence = ++self->n_frames;
  _bc_frame_set_sequence (frame, sequence);
  if (self->first_frame_time == 0)
    self->first_frame_time = now;
  g_clear_pointer (&self->last_frame, bc_frame_unref);
  self->last_frame = bc_frame_ref (frame);
  if (capture_time >= 0)
    {
      self->latencies[self->next_latency] = now - capture_time;
      self->next_latency = (self->next_latency + 1) % MAX_LATENCY_SAMPLES;
      self->n_latencies = MIN (self->n_latencies + 1, MAX_LATENCY_SAMPLES);
    }
  g_mutex_unlock (&self->lock);

  g_signal_emit (self, signals[SIGNAL_FRAME], 0, frame);
  return GST_FLOW_OK;
}

static void
bc_frame_sink_constructed (GObject *object)
{
  BcFrameSink *self = BC_FRAME_SINK (object);
  GstElement *convert, *appsink;
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
  g_autoptr (GstCaps) caps = gst_caps_from_string ("video/x-raw,format=RGBA");
  g_autoptr (GstPad) pad = NULL;

  G_OBJECT_CLASS (bc_frame_sink_parent_class)->constructed (object);

  self->bin = gst_object_ref_sink (gst_bin_new (NULL));
  /* videoconvert and appsink are in gst-plugins-base, always present. */
  convert = gst_element_factory_make ("videoconvert", NULL);
  appsink = gst_element_factory_make ("appsink", NULL);
  g_object_set (convert, "n-threads", 2, NULL);
  /* Only the newest frame matters: a late one is dropped, never queued. */
  g_object_set (appsink, "caps", caps, "max-buffers", 1, "drop", TRUE, "sync", self->sync,
                "enable-last-sample", FALSE, "qos", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &callbacks, self, NULL);
  gst_bin_add_many (GST_BIN (self->bin), convert, appsink, NULL);
  gst_element_link (convert, appsink);

  pad = gst_element_get_static_pad (convert, "sink");
  gst_element_add_pad (self->bin, gst_ghost_pad_new ("sink", pad));
}

static void
bc_frame_sink_dispose (GObject *object)
{
  BcFrameSink *self = BC_FRAME_SINK (object);

  if (self->bin != NULL)
    {
      GstElement *appsink = NULL;
      GstIterator *it = gst_bin_iterate_sinks (GST_BIN (self->bin));
      GValue item = G_VALUE_INIT;

      /* The bin may outlive us inside a pipeline: stop calling back. */
      if (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
        {
          GstAppSinkCallbacks none = { NULL };

          appsink = g_value_get_object (&item);
          gst_app_sink_set_callbacks (GST_APP_SINK (appsink), &none, NULL, NULL);
          g_value_unset (&item);
        }
      gst_iterator_free (it);
    }
  g_clear_pointer (&self->bin, gst_object_unref);

  G_OBJECT_CLASS (bc_frame_sink_parent_class)->dispose (object);
}

static void
bc_frame_sink_finalize (GObject *object)
{
  BcFrameSink *self = BC_FRAME_SINK (object);

  g_clear_pointer (&self->last_frame, bc_frame_unref);
  g_free (self->latencies);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (bc_frame_sink_parent_class)->finalize (object);
}

static void
bc_frame_sink_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcFrameSink *self = BC_FRAME_SINK (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      g_value_set_boolean (value, self->sync);
      break;
    case PROP_READ_CAPTURE_TIME:
      g_value_set_boolean (value, self->read_capture_time);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_frame_sink_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BcFrameSink *self = BC_FRAME_SINK (object);

  switch (prop_id)
    {
    case PROP_SYNC:
      self->sync = g_value_get_boolean (value);
      break;
    case PROP_READ_CAPTURE_TIME:
      self->read_capture_time = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_frame_sink_class_init (BcFrameSinkClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = bc_frame_sink_constructed;
  object_class->dispose = bc_frame_sink_dispose;
  object_class->finalize = bc_frame_sink_finalize;
  object_class->get_property = bc_frame_sink_get_property;
  object_class->set_property = bc_frame_sink_set_property;

  /**
   * BcFrameSink:sync:
   *
   * Whether frames wait for their presentation time. Off by default: a
   * live viewer shows each frame as soon as it is decoded.
   */
  properties[PROP_SYNC] =
      g_param_spec_boolean ("sync", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * BcFrameSink:read-capture-time:
   *
   * Whether to look for a capture time stamp (bc-capture-stamp.h) in frames.
   */
  properties[PROP_READ_CAPTURE_TIME] =
      g_param_spec_boolean ("read-capture-time", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BcFrameSink::frame:
   * @frame: the new frame
   *
   * Emitted in a GStreamer streaming thread for every frame. Handlers must be
   * quick and thread-safe; a GTK user passes the frame to the main context
   * and there may drop all but the newest.
   */
  signals[SIGNAL_FRAME] =
      g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 1, BC_TYPE_FRAME | G_SIGNAL_TYPE_STATIC_SCOPE);
}

static void
bc_frame_sink_init (BcFrameSink *self)
{
  g_mutex_init (&self->lock);
  self->latencies = g_new0 (gint64, MAX_LATENCY_SAMPLES);
}

BcFrameSink *
bc_frame_sink_new (void)
{
  return g_object_new (BC_TYPE_FRAME_SINK, NULL);
}

/**
 * bc_frame_sink_get_element:
 *
 * Returns: (transfer none): a bin with one "sink" pad accepting raw video;
 *   add it to a pipeline and link a decoder to it
 */
GstElement *
bc_frame_sink_get_element (BcFrameSink *self)
{
  g_return_val_if_fail (BC_IS_FRAME_SINK (self), NULL);

  return self->bin;
}

/**
 * bc_frame_sink_dup_last_frame:
 *
 * Returns: (transfer full) (nullable): the newest frame, if any
 */
BcFrame *
bc_frame_sink_dup_last_frame (BcFrameSink *self)
{
  BcFrame *frame = NULL;

  g_return_val_if_fail (BC_IS_FRAME_SINK (self), NULL);

  g_mutex_lock (&self->lock);
  if (self->last_frame != NULL)
    frame = bc_frame_ref (self->last_frame);
  g_mutex_unlock (&self->lock);
  return frame;
}

guint64
bc_frame_sink_get_n_frames (BcFrameSink *self)
{
  guint64 n;

  g_return_val_if_fail (BC_IS_FRAME_SINK (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_frames;
  g_mutex_unlock (&self->lock);
  return n;
}

/**
 * bc_frame_sink_get_first_frame_time:
 *
 * Returns: when the first frame arrived (µs of g_get_real_time()), or 0
 */
gint64
bc_frame_sink_get_first_frame_time (BcFrameSink *self)
{
  gint64 t;

  g_return_val_if_fail (BC_IS_FRAME_SINK (self), 0);

  g_mutex_lock (&self->lock);
  t = self->first_frame_time;
  g_mutex_unlock (&self->lock);
  return t;
}

/**
 * bc_frame_sink_get_size:
 * @width: (out) (optional): width of the newest frame
 * @height: (out) (optional): height of the newest frame
 *
 * Returns: %FALSE if no frame arrived yet
 */
gboolean
bc_frame_sink_get_size (BcFrameSink *self, int *width, int *height)
{
  g_autoptr (BcFrame) frame = bc_frame_sink_dup_last_frame (self);

  if (frame == NULL)
    return FALSE;
  if (width != NULL)
    *width = bc_frame_get_width (frame);
  if (height != NULL)
    *height = bc_frame_get_height (frame);
  return TRUE;
}

static int
compare_gint64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/**
 * bc_frame_sink_get_latency:
 * @p50_us: (out) (optional): median glass-to-glass latency
 * @p95_us: (out) (optional): 95th percentile
 *
 * Latency is receive time minus the capture time stamped in the frame, over
 * the most recent stamped frames.
 *
 * Returns: the number of samples, 0 if no frame carried a stamp
 */
guint
bc_frame_sink_get_latency (BcFrameSink *self, gint64 *p50_us, gint64 *p95_us)
{
  g_autofree gint64 *sorted = NULL;
  guint n;

  g_return_val_if_fail (BC_IS_FRAME_SINK (self), 0);

  g_mutex_lock (&self->lock);
  n = self->n_latencies;
  sorted = g_memdup2 (self->latencies, sizeof (gint64) * MAX (n, 1));
  g_mutex_unlock (&self->lock);

  if (n == 0)
    return 0;
  qsort (sorted, n, sizeof (gint64), compare_gint64);
  if (p50_us != NULL)
    *p50_us = sorted[(n - 1) / 2];
  if (p95_us != NULL)
    *p95_us = sorted[MIN (n - 1, (guint) ((n * 95 + 99) / 100) - 1)];
  return n;
}

/**
 * bc_frame_sink_reset_latency:
 *
 * Forgets the latency samples so far, e.g. those of frames held up while
 * the connection was being set up.
 */
void
bc_frame_sink_reset_latency (BcFrameSink *self)
{
  g_return_if_fail (BC_IS_FRAME_SINK (self));

  g_mutex_lock (&self->lock);
  self->n_latencies = 0;
  self->next_latency = 0;
  g_mutex_unlock (&self->lock);
}
