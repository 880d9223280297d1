/* Publisher encode cost and viewer decode cost at 720p30, per encoder.
 *
 * CPU is this process's user+system time over wall time, in % of one
 * core, while a live 1280×720@30 test pattern (moving, capture-stamped) is
 * encoded and payloaded (publisher), and additionally depayloaded, decoded
 * and converted to RGBA (viewer). The source alone is measured first and
 * subtracted. Seconds per run: BC_BENCH_SECONDS (default 10). */
#include "config.h"

#include "bc-known-warnings.h"

#include <gst/gst.h>
#include <sys/resource.h>

#include "bc-media.h"
#include "bc-test-loopback.h"

typedef struct
{
  BcVideoSource *source;
  BcFrameSink *sink;
  double cpu_percent;
  gint64 frames;
  guint64 bytes;
  double seconds;
} Run;

static gint64
cpu_time_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) usage.ru_utime.tv_sec * G_USEC_PER_SEC + usage.ru_utime.tv_usec +
         (gint64) usage.ru_stime.tv_sec * G_USEC_PER_SEC + usage.ru_stime.tv_usec;
}

static GstPadProbeReturn
count_bytes (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Run *run = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    run->bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  else if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    run->bytes += gst_buffer_list_calculate_size (GST_PAD_PROBE_INFO_BUFFER_LIST (info));
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_frames (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Run *run = user_data;

  run->frames++;
  return GST_PAD_PROBE_OK;
}

static void
measure (GstElement *pipeline, guint seconds, Run *run)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gint64 cpu0, wall0, cpu1, wall1;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  /* Let start-up (allocation, first keyframe) pass before measuring. */
  g_timeout_add_once (1000, (GSourceOnceFunc) g_main_loop_quit, loop);
  g_main_loop_run (loop);

  run->frames = 0;
  run->bytes = 0;
  if (run->sink != NULL)
    run->frames = -(gint64) bc_frame_sink_get_n_frames (run->sink);
  else if (run->source != NULL)
    run->frames = -(gint64) bc_video_source_get_n_frames (run->source);
  cpu0 = cpu_time_us ();
  wall0 = g_get_monotonic_time ();
  g_timeout_add_once (seconds * 1000, (GSourceOnceFunc) g_main_loop_quit, loop);
  g_main_loop_run (loop);
  cpu1 = cpu_time_us ();
  wall1 = g_get_monotonic_time ();
  if (run->sink != NULL)
    run->frames += bc_frame_sink_get_n_frames (run->sink);
  else if (run->source != NULL)
    run->frames += bc_video_source_get_n_frames (run->source);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  run->seconds = (wall1 - wall0) / (double) G_USEC_PER_SEC;
  run->cpu_percent = 100.0 * (cpu1 - cpu0) / (double) (wall1 - wall0);
}

static void
run_source_only (guint seconds, Run *run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) pipeline = gst_parse_launch (
      "videotestsrc is-live=true pattern=smpte horizontal-speed=4 ! "
      "video/x-raw,format=I420,width=1280,height=720,framerate=30/1 ! fakesink name=sink",
      &error);
  g_autoptr (GstElement) sink = NULL;
  g_autoptr (GstPad) pad = NULL;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_frames, run, NULL);
  measure (pipeline, seconds, run);
}

static gboolean
run_encoder (const char *encoder, gboolean decode, guint seconds, Run *run)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcVideoSource) source = NULL;
  g_autoptr (BcTrackReceiver) receiver = NULL;
  g_autoptr (GstElement) pipeline = gst_pipeline_new (NULL);
  g_autoptr (GstPad) src_pad = NULL;
  BcVideoCodec codec;

  if (!bc_video_encoder_get_codec (encoder, &codec))
    return FALSE;
  source = g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, &error, "codec", codec, "encoder", encoder,
                           "stamp-capture-time", TRUE, NULL);
  if (source == NULL)
    return FALSE;
  gst_bin_add (GST_BIN (pipeline), bc_video_source_get_element (source));
  src_pad = gst_element_get_static_pad (bc_video_source_get_element (source), "src");
  gst_pad_add_probe (src_pad, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     count_bytes, run, NULL);

  if (decode)
    {
      g_autoptr (GstCaps) caps = bc_video_source_get_rtp_caps (source);

      receiver = bc_track_receiver_new (caps, &error);
      g_assert_no_error (error);
      g_assert_true (bc_track_receiver_link (receiver, src_pad, &error));
    }
  else
    {
      GstElement *sink = gst_element_factory_make ("fakesink", NULL);
      g_autoptr (GstPad) sink_pad = gst_element_get_static_pad (sink, "sink");

      g_object_set (sink, "sync", FALSE, NULL);
      gst_bin_add (GST_BIN (pipeline), sink);
      gst_pad_link (src_pad, sink_pad);
    }

  run->source = source;
  run->sink = receiver ? bc_track_receiver_get_frame_sink (receiver) : NULL;
  measure (pipeline, seconds, run);
  run->source = NULL;
  run->sink = NULL;
  return TRUE;
}

int
main (int argc, char *argv[])
{
  const char *env = g_getenv ("BC_BENCH_SECONDS");
  guint seconds = env ? (guint) g_ascii_strtoull (env, NULL, 10) : 10;
  Run source = { 0 };
  GPtrArray *encoders = g_ptr_array_new ();

  gst_init (&argc, &argv);
  bc_known_warnings_install ();
  if (seconds == 0)
    seconds = 10;

  for (int codec = BC_VIDEO_CODEC_H264; codec <= BC_VIDEO_CODEC_VP8; codec++)
    {
      const char *const *candidates = bc_video_encoder_get_candidates (codec);

      for (guint i = 0; candidates[i] != NULL; i++)
        {
          g_autoptr (GstElementFactory) f = gst_element_factory_find (candidates[i]);

          if (f != NULL)
            g_ptr_array_add (encoders, (gpointer) candidates[i]);
        }
    }

  run_source_only (seconds, &source);
  g_print ("BountyCam media benchmark: 1280x720@30 live test pattern, %u s per run, "
           "CPU in %% of one core (%u cores online)\n\n",
           seconds, g_get_num_processors ());
  g_print ("%-14s %12s %12s %10s %10s %14s %10s\n", "encoder", "publisher %", "encode %", "fps",
           "kbit/s", "viewer dec %", "view fps");
  g_print ("%-14s %12.1f %12s %10.1f %10s %14s\n", "(source only)", source.cpu_percent, "-",
           source.frames / source.seconds, "-", "-");

  for (guint i = 0; i < encoders->len; i++)
    {
      const char *encoder = g_ptr_array_index (encoders, i);
      Run pub = { 0 }, both = { 0 };

      if (!run_encoder (encoder, FALSE, seconds, &pub) ||
          !run_encoder (encoder, TRUE, seconds, &both))
        {
          g_print ("%-14s %12s\n", encoder, "failed");
          continue;
        }
      g_print ("%-14s %12.1f %12.1f %10.1f %10.0f %14.1f %10.1f\n", encoder, pub.cpu_percent,
               pub.cpu_percent - source.cpu_percent, pub.frames / pub.seconds,
               pub.bytes * 8.0 / 1000.0 / pub.seconds, both.cpu_percent - pub.cpu_percent,
               both.frames / both.seconds);
    }
  g_print ("\npublisher %%: source + convert + stamp + encoder + payloader; encode %%: minus "
           "the source alone;\nviewer dec %%: depayloader + decoder + RGBA conversion "
           "(publisher+viewer run minus publisher run).\n");

  g_print ("\nGlass-to-glass in one process: publisher bin -> webrtcbin -> 127.0.0.1 -> webrtcbin\n"
           "-> receiver -> RGBA frame sink (no SFU), capture time read from the pixels, "
           "jitter buffer %u ms\n\n",
           bc_media_get_jitter_latency_ms ());
  g_print ("%-8s %10s %10s %10s %12s %10s\n", "codec", "p50 ms", "p95 ms", "frames", "first frame",
           "process %");
  for (int codec = BC_VIDEO_CODEC_H264; codec <= BC_VIDEO_CODEC_VP8; codec++)
    {
      Loopback t = { 0 };
      BcFrameSink *sink;
      gint64 p50 = 0, p95 = 0, cpu0, wall0;
      guint64 frames0;
      guint n;
      double ttff, cpu;

      t.wanted_frames = 30;
      loopback_run (&t, codec, FALSE, 1280, 720, BC_VIDEO_DEFAULT_BITRATE_KBPS);
      sink = video_sink (&t);
      if (t.error != NULL || sink == NULL)
        {
          g_print ("%-8s failed\n", bc_video_codec_to_string (codec));
          loopback_clear (&t);
          continue;
        }
      ttff = (bc_frame_sink_get_first_frame_time (sink) - t.start_time) / 1000.0;
      bc_frame_sink_reset_latency (sink);
      frames0 = bc_frame_sink_get_n_frames (sink);
      cpu0 = cpu_time_us ();
      wall0 = g_get_monotonic_time ();
      g_timeout_add_once (seconds * 1000, (GSourceOnceFunc) g_main_loop_quit, t.loop);
      g_main_loop_run (t.loop);
      cpu = 100.0 * (cpu_time_us () - cpu0) / (double) (g_get_monotonic_time () - wall0);
      n = bc_frame_sink_get_latency (sink, &p50, &p95);
      g_print ("%-8s %10.1f %10.1f %10" G_GUINT64_FORMAT " %9.0f ms %10.1f\n",
               bc_video_codec_to_string (codec), n ? p50 / 1000.0 : -1.0, n ? p95 / 1000.0 : -1.0,
               bc_frame_sink_get_n_frames (sink) - frames0, ttff, cpu);
      loopback_clear (&t);
    }

  g_ptr_array_unref (encoders);
  return 0;
}
