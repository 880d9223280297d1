/* The media layer between two real webrtcbins in one pipeline, ICE
 * restricted to 127.0.0.1: publisher bin → webrtcbin ⇄ webrtcbin →
 * track receiver → frame sink, then statistics from get-stats. */
#include "config.h"

#include "bc-known-warnings.h"

#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <nice.h>

#include "bc-media.h"
#include "bc-test-loopback.h"

typedef struct
{
  GMainLoop *loop;
  gboolean ok;
} Poll;

static void
on_polled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Poll *p = user_data;
  g_autoptr (GError) error = NULL;

  p->ok = bc_media_stats_poll_finish (BC_MEDIA_STATS (source), result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (p->loop);
}

static void
poll_stats (BcMediaStats *stats, GstElement *webrtc)
{
  Poll p = { g_main_loop_new (NULL, FALSE), FALSE };

  bc_media_stats_poll_async (stats, webrtc, NULL, on_polled, &p);
  g_main_loop_run (p.loop);
  g_main_loop_unref (p.loop);
  g_assert_true (p.ok);
}

static void
run_for (Loopback *t, guint ms)
{
  g_timeout_add_once (ms, (GSourceOnceFunc) g_main_loop_quit, t->loop);
  g_main_loop_run (t->loop);
}

static void
check_loopback (BcVideoCodec codec, gboolean with_audio)
{
  Loopback t = { 0 };
  g_autoptr (BcMediaStats) publisher = bc_media_stats_new ();
  g_autoptr (BcMediaStats) viewer = bc_media_stats_new ();
  g_autoptr (GstStructure) raw = NULL;
  g_autofree char *line = NULL;
  BcFrameSink *sink;
  gboolean have_audio = FALSE;
  int width = 0, height = 0;

  t.wanted_frames = 60;
  loopback_run (&t, codec, with_audio, 320, 240, 600);
  g_assert_no_error (t.error);

  sink = video_sink (&t);
  g_assert_nonnull (sink);
  g_assert_cmpuint (bc_frame_sink_get_n_frames (sink), >=, 60);
  g_assert_true (bc_frame_sink_get_size (sink, &width, &height));
  g_assert_cmpint (width, ==, 320);
  g_assert_cmpint (height, ==, 240);
  for (guint i = 0; i < t.receivers->len; i++)
    {
      BcTrackReceiver *r = g_ptr_array_index (t.receivers, i);

      if (bc_track_receiver_get_kind (r) == BC_TRACK_KIND_AUDIO)
        {
          have_audio = TRUE;
          g_assert_cmpstr (bc_track_receiver_get_codec_name (r), ==, "OPUS");
        }
      else
        g_assert_cmpstr (bc_track_receiver_get_codec_name (r), ==,
                         bc_video_codec_get_encoding_name (codec));
    }
  g_assert_cmpint (have_audio, ==, with_audio);

  /* Two samples half a second apart give rates. */
  bc_media_stats_set_video_source (publisher, t.video);
  bc_media_stats_set_frame_sink (viewer, sink);
  bc_media_stats_set_start_time (viewer, t.start_time);
  poll_stats (publisher, t.send);
  poll_stats (viewer, t.recv);
  run_for (&t, 500);
  poll_stats (publisher, t.send);
  poll_stats (viewer, t.recv);
  g_assert_no_error (t.error);

  line = bc_media_stats_format (publisher);
  g_test_message ("publisher: %s", line);
  g_clear_pointer (&line, g_free);
  line = bc_media_stats_format (viewer);
  g_test_message ("viewer: %s", line);

  g_assert_cmpint (bc_media_stats_get_width (publisher), ==, 320);
  g_assert_cmpint (bc_media_stats_get_height (publisher), ==, 240);
  g_assert_cmpint (bc_media_stats_get_packets (publisher), >, 0);
  g_assert_cmpfloat (bc_media_stats_get_bitrate_kbps (publisher), >, 0);
  g_assert_cmpfloat (bc_media_stats_get_fps (publisher), >, 0);
  g_assert_cmpuint (bc_media_stats_get_frames (publisher), >=, 60);

  g_assert_cmpint (bc_media_stats_get_width (viewer), ==, 320);
  g_assert_cmpint (bc_media_stats_get_height (viewer), ==, 240);
  g_assert_cmpint (bc_media_stats_get_packets (viewer), >, 0);
  g_assert_cmpint (bc_media_stats_get_packets_lost (viewer), >=, 0);
  g_assert_cmpfloat (bc_media_stats_get_packet_loss_percent (viewer), >=, 0);
  g_assert_cmpfloat (bc_media_stats_get_bitrate_kbps (viewer), >, 0);
  g_assert_cmpfloat (bc_media_stats_get_fps (viewer), >, 0);
  g_assert_cmpfloat (bc_media_stats_get_jitter_ms (viewer), >=, 0);
  g_assert_cmpfloat (bc_media_stats_get_jitter_buffer_ms (viewer), ==,
                     bc_media_get_jitter_latency_ms ());
  g_assert_cmpfloat (bc_media_stats_get_time_to_first_frame_ms (viewer), >, 0);
  g_assert_cmpfloat (bc_media_stats_get_latency_p50_ms (viewer), >=, 0);
  g_assert_cmpfloat (bc_media_stats_get_latency_p95_ms (viewer), >=,
                     bc_media_stats_get_latency_p50_ms (viewer));
  g_assert_cmpuint (bc_media_stats_get_frames (viewer), >=, 60);

  {
    g_autoptr (JsonObject) json = bc_media_stats_to_json (viewer);

    g_assert_cmpint (json_object_get_int_member (json, "width"), ==, 320);
    g_assert_cmpfloat (json_object_get_double_member (json, "bitrate_kbps"), >, 0);
    g_assert_true (json_object_has_member (json, "time_to_first_frame_ms"));
    g_assert_true (json_object_has_member (json, "rtt_ms"));
  }

  /* An empty sample changes nothing it cannot know. */
  raw = gst_structure_new_empty ("application/x-webrtc-stats");
  bc_media_stats_update (viewer, raw, g_get_real_time ());
  g_assert_cmpint (bc_media_stats_get_width (viewer), ==, 320);

  loopback_clear (&t);
}

static void
test_loopback_vp8_audio (void)
{
  check_loopback (BC_VIDEO_CODEC_VP8, TRUE);
}

static void
test_loopback_h264 (void)
{
  check_loopback (BC_VIDEO_CODEC_H264, FALSE);
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();

  /* No sound server in tests: keep autoaudiosink from probing for one. */
  g_setenv ("BC_AUDIO_SINK", "fakesink", TRUE);

  g_test_add_func ("/media/webrtc/vp8-opus", test_loopback_vp8_audio);
  g_test_add_func ("/media/webrtc/h264", test_loopback_h264);

  return g_test_run ();
}
