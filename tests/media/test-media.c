/* Tests of the media layer: encoder choice, capture stamps, camera caps,
 * and real pipelines test pattern → encoder → RTP → decoder → frame sink. */
#include "config.h"

#include "bc-known-warnings.h"

#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#include "bc-media.h"

/* Guards against a hang only; a healthy run needs a few seconds. */
#define PIPELINE_TIMEOUT_S 60

static void
test_codec_strings (void)
{
  BcVideoCodec codec;

  g_assert_true (bc_video_codec_from_string ("h264", &codec));
  g_assert_cmpint (codec, ==, BC_VIDEO_CODEC_H264);
  g_assert_true (bc_video_codec_from_string ("VP8", &codec));
  g_assert_cmpint (codec, ==, BC_VIDEO_CODEC_VP8);
  g_assert_false (bc_video_codec_from_string ("av1", &codec));
  g_assert_false (bc_video_codec_from_string (NULL, &codec));
  g_assert_cmpstr (bc_video_codec_to_string (BC_VIDEO_CODEC_H264), ==, "h264");
  g_assert_cmpstr (bc_video_codec_get_encoding_name (BC_VIDEO_CODEC_VP8), ==, "VP8");
  g_assert_cmpuint (bc_video_codec_get_payload_type (BC_VIDEO_CODEC_VP8), ==, 96);
  g_assert_cmpuint (bc_media_get_jitter_latency_ms (), ==, BC_MEDIA_DEFAULT_JITTER_LATENCY_MS);
  g_assert_cmpuint (BC_MEDIA_DEFAULT_JITTER_LATENCY_MS, <, 200);
}

static void
test_encoder_choose (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *h264 = NULL;
  g_autofree char *vp8 = NULL;
  g_autofree char *forced = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *wrong = NULL;
  const char *const *candidates;
  BcVideoCodec codec;
  gboolean have_va = FALSE;

  /* Hardware first, then x264, then openh264. */
  candidates = bc_video_encoder_get_candidates (BC_VIDEO_CODEC_H264);
  g_assert_true (g_strv_contains (candidates, "x264enc"));
  g_assert_true (g_strv_contains (candidates, "openh264enc"));
  for (guint i = 0; candidates[i] != NULL; i++)
    {
      if (g_str_has_prefix (candidates[i], "va"))
        {
          g_assert_false (g_strv_contains (candidates + i + 1, "x264enc") == FALSE);
          have_va = have_va || gst_element_factory_find (candidates[i]) != NULL;
        }
      if (g_str_equal (candidates[i], "x264enc"))
        g_assert_true (g_strv_contains (candidates + i + 1, "openh264enc"));
    }

  g_unsetenv ("BC_VIDEO_ENCODER");
  h264 = bc_video_encoder_choose (BC_VIDEO_CODEC_H264, NULL, &error);
  g_assert_no_error (error);
  if (have_va)
    g_assert_true (g_str_has_prefix (h264, "va"));
  else
    g_assert_cmpstr (h264, ==, "x264enc");

  vp8 = bc_video_encoder_choose (BC_VIDEO_CODEC_VP8, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vp8, ==,
                   have_va && gst_element_factory_find ("vavp8enc") ? "vavp8enc" : "vp8enc");

  forced = bc_video_encoder_choose (BC_VIDEO_CODEC_H264, "openh264enc", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (forced, ==, "openh264enc");

  if (gst_element_factory_find ("vaapih264enc") == NULL)
    {
      missing = bc_video_encoder_choose (BC_VIDEO_CODEC_H264, "vaapih264enc", &error);
      g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_ENCODER);
      g_assert_null (missing);
      g_clear_error (&error);
    }

  wrong = bc_video_encoder_choose (BC_VIDEO_CODEC_H264, "vp8enc", &error);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_ENCODER);
  g_assert_null (wrong);
  g_clear_error (&error);

  /* The environment picks an encoder only for its own codec. */
  g_setenv ("BC_VIDEO_ENCODER", "openh264enc", TRUE);
  g_clear_pointer (&forced, g_free);
  forced = bc_video_encoder_choose (BC_VIDEO_CODEC_H264, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (forced, ==, "openh264enc");
  g_clear_pointer (&forced, g_free);
  forced = bc_video_encoder_choose (BC_VIDEO_CODEC_VP8, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (forced, ==, vp8);
  g_unsetenv ("BC_VIDEO_ENCODER");

  g_assert_true (bc_video_encoder_get_codec ("x264enc", &codec));
  g_assert_cmpint (codec, ==, BC_VIDEO_CODEC_H264);
  g_assert_true (bc_video_encoder_get_codec ("vp8enc", &codec));
  g_assert_cmpint (codec, ==, BC_VIDEO_CODEC_VP8);
  g_assert_false (bc_video_encoder_get_codec ("jpegenc", &codec));
}

static void
test_encoder_settings (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstElement) x264 = NULL;
  g_autoptr (GstElement) vp8 = NULL;
  g_autoptr (GstElement) openh264 = NULL;
  guint key_int, bitrate, gop;
  gint64 deadline;
  int kf_dist;

  x264 = gst_object_ref_sink (bc_video_encoder_create ("x264enc", 1500, 60, &error));
  g_assert_no_error (error);
  g_object_get (x264, "key-int-max", &key_int, "bitrate", &bitrate, NULL);
  g_assert_cmpuint (key_int, ==, 60);
  g_assert_cmpuint (bitrate, ==, 1500);

  vp8 = gst_object_ref_sink (bc_video_encoder_create ("vp8enc", 1500, 60, &error));
  g_assert_no_error (error);
  g_object_get (vp8, "deadline", &deadline, "keyframe-max-dist", &kf_dist, NULL);
  g_assert_cmpint (deadline, ==, 1);
  g_assert_cmpint (kf_dist, ==, 60);

  openh264 = gst_object_ref_sink (bc_video_encoder_create ("openh264enc", 1500, 60, &error));
  g_assert_no_error (error);
  g_object_get (openh264, "gop-size", &gop, "bitrate", &bitrate, NULL);
  g_assert_cmpuint (gop, ==, 60);
  g_assert_cmpuint (bitrate, ==, 1500000);
}

static void
test_capture_stamp (void)
{
  GstVideoInfo yuv, rgba;
  g_autoptr (GstBuffer) yuv_buf = NULL;
  g_autoptr (GstBuffer) rgba_buf = NULL;
  GstVideoFrame yuv_frame, rgba_frame;
  GstVideoConverter *conv;
  gint64 now = g_get_real_time ();
  gint64 stamp = now - 12345;
  gint64 read = 0;

  gst_video_info_set_format (&yuv, GST_VIDEO_FORMAT_I420, 640, 360);
  gst_video_info_set_format (&rgba, GST_VIDEO_FORMAT_RGBA, 640, 360);
  yuv_buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&yuv), NULL);
  rgba_buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&rgba), NULL);
  gst_buffer_memset (yuv_buf, 0, 90, GST_VIDEO_INFO_SIZE (&yuv));

  g_assert_true (gst_video_frame_map (&yuv_frame, &yuv, yuv_buf, GST_MAP_READWRITE));
  g_assert_true (gst_video_frame_map (&rgba_frame, &rgba, rgba_buf, GST_MAP_READWRITE));

  /* An unstamped picture reads as no stamp. */
  conv = gst_video_converter_new (&yuv, &rgba, NULL);
  gst_video_converter_frame (conv, &yuv_frame, &rgba_frame);
  g_assert_false (bc_capture_stamp_read_rgba (GST_VIDEO_FRAME_PLANE_DATA (&rgba_frame, 0), 640, 360,
                                              GST_VIDEO_FRAME_PLANE_STRIDE (&rgba_frame, 0), now,
                                              &read));

  g_assert_true (bc_capture_stamp_write (&yuv_frame, stamp));
  gst_video_converter_frame (conv, &yuv_frame, &rgba_frame);
  g_assert_true (bc_capture_stamp_read_rgba (GST_VIDEO_FRAME_PLANE_DATA (&rgba_frame, 0), 640, 360,
                                             GST_VIDEO_FRAME_PLANE_STRIDE (&rgba_frame, 0), now,
                                             &read));
  g_assert_cmpint (read, ==, stamp);

  gst_video_converter_free (conv);
  gst_video_frame_unmap (&yuv_frame);
  gst_video_frame_unmap (&rgba_frame);

  /* Too narrow for 64 blocks of 4 pixels. */
  gst_video_info_set_format (&yuv, GST_VIDEO_FORMAT_I420, 160, 120);
  g_clear_pointer (&yuv_buf, gst_buffer_unref);
  yuv_buf = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&yuv), NULL);
  g_assert_true (gst_video_frame_map (&yuv_frame, &yuv, yuv_buf, GST_MAP_READWRITE));
  g_assert_false (bc_capture_stamp_write (&yuv_frame, stamp));
  gst_video_frame_unmap (&yuv_frame);
}

static void
test_camera_caps (void)
{
  g_autoptr (GstCaps) webcam =
      gst_caps_from_string ("video/x-raw,format=YUY2,width=1280,height=720,framerate=10/1;"
                            "video/x-raw,format=YUY2,width=640,height=480,framerate={30/1,15/1};"
                            "image/jpeg,width=1280,height=720,framerate={30/1,15/1};"
                            "image/jpeg,width=1920,height=1080,framerate=30/1");
  g_autoptr (GstCaps) infrared =
      gst_caps_from_string ("video/x-raw,format=GRAY8,width=640,height=360,framerate=30/1");
  g_autoptr (GstCaps) raw_only =
      gst_caps_from_string ("video/x-raw,format={YUY2,NV12},width=[160,1920],height=[120,1080],"
                            "framerate=[1/1,60/1]");
  g_autoptr (GstCaps) chosen = NULL;
  g_autoptr (GstCaps) expected = NULL;
  g_autoptr (BcCamera) test = bc_camera_new_test_pattern ();

  /* 720p at 30 fps needs MJPEG on this typical webcam. */
  chosen = bc_camera_choose_caps_from (webcam, 1280, 720, 30);
  expected = gst_caps_from_string ("image/jpeg,width=1280,height=720,framerate=30/1");
  g_assert_true (gst_caps_is_equal (chosen, expected));

  g_assert_null (bc_camera_choose_caps_from (infrared, 1280, 720, 30));

  g_clear_pointer (&chosen, gst_caps_unref);
  g_clear_pointer (&expected, gst_caps_unref);
  chosen = bc_camera_choose_caps_from (raw_only, 1280, 720, 30);
  expected = gst_caps_from_string ("video/x-raw,format=YUY2,width=1280,height=720,"
                                   "framerate=30/1");
  g_assert_true (gst_caps_is_equal (chosen, expected));

  g_assert_cmpstr (bc_camera_get_id (test), ==, "test");
  g_assert_cmpint (bc_camera_get_kind (test), ==, BC_CAMERA_KIND_TEST_PATTERN);
  g_assert_null (bc_camera_get_device (test));
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
  guint items_changed;
} MonitorTest;

static void
on_monitor_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MonitorTest *t = user_data;

  t->result = g_object_ref (result);
  g_main_loop_quit (t->loop);
}

static void
on_items_changed (GListModel *model, guint position, guint removed, guint added, gpointer user_data)
{
  MonitorTest *t = user_data;

  t->items_changed++;
}

static gboolean
start_monitor (BcCameraMonitor *monitor, MonitorTest *t, GError **error)
{
  gboolean ok;

  t->loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (monitor, "items-changed", G_CALLBACK (on_items_changed), t);
  bc_camera_monitor_start_async (monitor, NULL, on_monitor_started, t);
  g_main_loop_run (t->loop);
  ok = bc_camera_monitor_start_finish (monitor, t->result, error);
  g_clear_object (&t->result);
  g_clear_pointer (&t->loop, g_main_loop_unref);
  return ok;
}

static gboolean
have_video_devices (void)
{
  return g_file_test ("/dev/video0", G_FILE_TEST_EXISTS);
}

static void
test_monitor_no_camera (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BcCamera) camera = NULL;
  MonitorTest t = { 0 };

  if (have_video_devices ())
    {
      g_test_skip ("this machine has cameras");
      return;
    }

  /* The test environment has GDK_DEBUG=no-portals: no portal is tried. */
  g_assert_false (start_monitor (monitor, &t, &error));
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_assert_nonnull (strstr (error->message, "No camera was found"));
  g_clear_error (&error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 0);
  g_assert_cmpuint (t.items_changed, ==, 0);
  g_assert_false (bc_camera_monitor_get_portal_denied (monitor));

  camera = bc_camera_monitor_lookup (monitor, "auto", &error);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_assert_null (camera);
  g_clear_error (&error);

  camera = bc_camera_monitor_lookup (monitor, "/dev/video7", &error);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_assert_nonnull (strstr (error->message, "/dev/video7"));
  g_assert_null (camera);
  g_clear_error (&error);

  /* The test pattern is there when asked for by name. */
  camera = bc_camera_monitor_lookup (monitor, "test", &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_camera_get_kind (camera), ==, BC_CAMERA_KIND_TEST_PATTERN);

  /* Or when the list should offer it. */
  g_object_set (monitor, "include-test-pattern", TRUE, NULL);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 1);
  g_assert_cmpuint (t.items_changed, ==, 1);

  bc_camera_monitor_stop (monitor);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 0);
  g_assert_finalize_object (g_steal_pointer (&monitor));
}

static void
test_monitor_test_pattern (void)
{
  g_autoptr (BcCameraMonitor) monitor = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcCamera) camera = NULL;
  g_autoptr (BcCamera) looked_up = NULL;
  g_autoptr (GstElement) src = NULL;
  MonitorTest t = { 0 };
  guint n;

  monitor = g_object_new (BC_TYPE_CAMERA_MONITOR, "include-test-pattern", TRUE, NULL);
  g_assert_true (start_monitor (monitor, &t, &error));
  g_assert_no_error (error);
  n = g_list_model_get_n_items (G_LIST_MODEL (monitor));
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (t.items_changed, >=, 1);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (monitor)) == BC_TYPE_CAMERA);

  /* The test pattern comes last, after any real camera. */
  camera = g_list_model_get_item (G_LIST_MODEL (monitor), n - 1);
  g_assert_cmpint (bc_camera_get_kind (camera), ==, BC_CAMERA_KIND_TEST_PATTERN);
  g_assert_cmpstr (bc_camera_get_name (camera), ==, "Test pattern");
  src = gst_object_ref_sink (bc_camera_create_source (camera, &error));
  g_assert_no_error (error);
  g_assert_nonnull (src);

  if (!have_video_devices ())
    {
      looked_up = bc_camera_monitor_lookup (monitor, "auto", &error);
      g_assert_no_error (error);
      g_assert_cmpint (bc_camera_get_kind (looked_up), ==, BC_CAMERA_KIND_TEST_PATTERN);
    }
}

static void
test_monitor_no_session_bus (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *gdk_debug = g_strdup (g_getenv ("GDK_DEBUG"));
  g_autofree char *address = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));
  MonitorTest t = { 0 };

  if (have_video_devices ())
    {
      g_test_skip ("this machine has cameras");
      return;
    }

  /* Portals allowed, but the session bus is unreachable: the monitor must
   * fall through to the device monitor instead of failing or hanging. */
  g_unsetenv ("GDK_DEBUG");
  g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bountycam-test-bus", TRUE);
  g_assert_false (start_monitor (monitor, &t, &error));
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_assert_false (bc_camera_monitor_get_portal_denied (monitor));

  if (gdk_debug != NULL)
    g_setenv ("GDK_DEBUG", gdk_debug, TRUE);
  if (address != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
}

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  BcVideoSource *source;
  BcTrackReceiver *receiver;
  guint wanted_frames;
  guint64 keyframes_before;
  guint64 frames_at_request;
  gboolean requested;
  gboolean keyframe_seen;
  GError *error;
} PipelineTest;

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  PipelineTest *t = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &t->error, &debug);
      g_printerr ("# pipeline error: %s (%s)\n", t->error->message, debug);
      g_main_loop_quit (t->loop);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_poll (gpointer user_data)
{
  PipelineTest *t = user_data;
  BcFrameSink *sink = bc_track_receiver_get_frame_sink (t->receiver);

  if (bc_frame_sink_get_n_frames (sink) >= t->wanted_frames)
    g_main_loop_quit (t->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  PipelineTest *t = user_data;

  g_main_loop_quit (t->loop);
  return G_SOURCE_REMOVE;
}

static void
run_pipeline (PipelineTest *t)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (t->pipeline);
  guint watch = gst_bus_add_watch (bus, on_bus_message, t);
  guint poll = g_timeout_add (20, on_poll, t);
  guint timeout = g_timeout_add_seconds (PIPELINE_TIMEOUT_S, on_timeout, t);

  g_assert_cmpint (gst_element_set_state (t->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  g_main_loop_run (t->loop);
  gst_element_set_state (t->pipeline, GST_STATE_NULL);
  g_source_remove (watch);
  g_source_remove (poll);
  g_source_remove (timeout);
}

static void
setup_pipeline_full (PipelineTest *t, const char *encoder, BcVideoCodec codec, gboolean preview)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) src_pad = NULL;
  guint32 ssrc;
  const GstStructure *s;

  t->loop = g_main_loop_new (NULL, FALSE);
  t->pipeline = gst_pipeline_new (NULL);
  t->source = g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, &error, "codec", codec, "encoder",
                              encoder, "width", 320, "height", 240, "bitrate", 800, "ssrc",
                              0x1234567u, "stamp-capture-time", TRUE, "preview", preview, NULL);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_video_source_get_encoder_name (t->source), ==, encoder);
  g_assert_cmpuint (bc_video_source_get_ssrc (t->source), ==, 0x1234567u);

  caps = bc_video_source_get_rtp_caps (t->source);
  s = gst_caps_get_structure (caps, 0);
  g_assert_cmpstr (gst_structure_get_string (s, "encoding-name"), ==,
                   bc_video_codec_get_encoding_name (codec));
  g_assert_true (gst_structure_get_uint (s, "ssrc", &ssrc));
  g_assert_cmpuint (ssrc, ==, 0x1234567u);

  gst_bin_add (GST_BIN (t->pipeline), bc_video_source_get_element (t->source));
  t->receiver = bc_track_receiver_new (caps, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_track_receiver_get_kind (t->receiver), ==, BC_TRACK_KIND_VIDEO);
  src_pad = gst_element_get_static_pad (bc_video_source_get_element (t->source), "src");
  g_assert_true (bc_track_receiver_link (t->receiver, src_pad, &error));
  g_assert_no_error (error);
}

static void
setup_pipeline (PipelineTest *t, const char *encoder, BcVideoCodec codec)
{
  setup_pipeline_full (t, encoder, codec, FALSE);
}

static void
teardown_pipeline (PipelineTest *t)
{
  g_clear_object (&t->receiver);
  g_clear_object (&t->source);
  g_clear_pointer (&t->pipeline, gst_object_unref);
  g_clear_pointer (&t->loop, g_main_loop_unref);
  g_clear_error (&t->error);
}

static void
test_round_trip (gconstpointer data)
{
  const char *encoder = data;
  PipelineTest t = { 0 };
  BcVideoCodec codec;
  BcFrameSink *sink;
  g_autoptr (BcFrame) frame = NULL;
  gint64 p50 = 0, p95 = 0;
  int width = 0, height = 0;

  g_assert_true (bc_video_encoder_get_codec (encoder, &codec));
  setup_pipeline (&t, encoder, codec);
  t.wanted_frames = 30;
  run_pipeline (&t);
  g_assert_no_error (t.error);

  sink = bc_track_receiver_get_frame_sink (t.receiver);
  g_assert_cmpuint (bc_frame_sink_get_n_frames (sink), >=, 30);
  g_assert_true (bc_frame_sink_get_size (sink, &width, &height));
  g_assert_cmpint (width, ==, 320);
  g_assert_cmpint (height, ==, 240);
  g_assert_cmpint (bc_frame_sink_get_first_frame_time (sink), >, 0);

  frame = bc_frame_sink_dup_last_frame (sink);
  g_assert_nonnull (frame);
  g_assert_cmpuint (bc_frame_get_stride (frame), >=, 320 * 4);
  g_assert_cmpuint (g_bytes_get_size (bc_frame_get_data (frame)), >=,
                    bc_frame_get_stride (frame) * 240);
  g_assert_cmpuint (bc_frame_get_sequence (frame), >=, 30);

  /* The stamp survived encoding and decoding, and says the frame was
   * captured before it arrived. */
  g_assert_cmpuint (bc_frame_sink_get_latency (sink, &p50, &p95), >=, 1);
  g_assert_cmpint (p50, >=, 0);
  g_assert_cmpint (p95, >=, p50);
  g_assert_cmpint (p95, <, 60 * G_USEC_PER_SEC);
  g_test_message ("%s: latency p50 %.1f ms p95 %.1f ms", encoder, p50 / 1000.0, p95 / 1000.0);

  teardown_pipeline (&t);
}

static gboolean
on_keyframe_poll (gpointer user_data)
{
  PipelineTest *t = user_data;
  guint64 frames = bc_video_source_get_n_frames (t->source);
  guint64 keyframes = bc_video_source_get_n_keyframes (t->source);
  GstElement *bin = bc_video_source_get_element (t->source);

  if (!t->requested && frames >= 10)
    {
      g_autoptr (GstPad) pad = gst_element_get_static_pad (bin, "src");

      /* What webrtcbin sends upstream when a PLI or FIR arrives. */
      t->keyframes_before = keyframes;
      t->frames_at_request = frames;
      t->requested = TRUE;
      gst_pad_send_event (
          pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE, TRUE, 0));
    }
  else if (t->requested && keyframes > t->keyframes_before)
    {
      t->keyframe_seen = TRUE;
      g_main_loop_quit (t->loop);
    }
  else if (t->requested && frames > t->frames_at_request + 40)
    g_main_loop_quit (t->loop);
  return G_SOURCE_CONTINUE;
}

static void
test_force_key_unit (gconstpointer data)
{
  const char *encoder = data;
  PipelineTest t = { 0 };
  BcVideoCodec codec;
  guint poll;

  g_assert_true (bc_video_encoder_get_codec (encoder, &codec));
  setup_pipeline (&t, encoder, codec);
  t.wanted_frames = G_MAXUINT;
  poll = g_timeout_add (5, on_keyframe_poll, &t);
  run_pipeline (&t);
  g_source_remove (poll);
  g_assert_no_error (t.error);

  /* The first frame is a keyframe and the next periodic one is 60 frames
   * away: a keyframe within 40 frames of the request is the forced one. The
   * depayloader may have asked for one at the start too (its first packet
   * counts as a loss), which the encoder serves 100 ms later, well before
   * the request at frame 10. */
  g_assert_true (t.requested);
  g_assert_cmpuint (t.keyframes_before, >=, 1);
  g_assert_cmpuint (t.keyframes_before, <=, 2);
  g_assert_true (t.keyframe_seen);

  teardown_pipeline (&t);
}

typedef struct
{
  PipelineTest *t;
  int phase;
  guint64 phase_frame;
  gboolean saw_black_with_stamp;
  gboolean saw_picture_again;
} MuteTest;

/* The centre of a 320×240 SMPTE frame is never black; Y=16 decodes to
 * (0, 0, 0) within coding error. */
static gboolean
frame_is_black (BcFrame *frame)
{
  gsize size;
  const guint8 *data = g_bytes_get_data (bc_frame_get_data (frame), &size);
  const guint8 *p = data + (gsize) (bc_frame_get_height (frame) / 2) * bc_frame_get_stride (frame) +
                    (gsize) (bc_frame_get_width (frame) / 2) * 4;

  return p[0] < 24 && p[1] < 24 && p[2] < 24;
}

static gboolean
on_mute_poll (gpointer user_data)
{
  MuteTest *m = user_data;
  BcFrameSink *sink = bc_track_receiver_get_frame_sink (m->t->receiver);
  g_autoptr (BcFrame) frame = bc_frame_sink_dup_last_frame (sink);

  if (frame == NULL)
    return G_SOURCE_CONTINUE;

  switch (m->phase)
    {
    case 0: /* showing the picture */
      if (bc_frame_get_sequence (frame) >= 10)
        {
          g_assert_false (frame_is_black (frame));
          bc_video_source_set_muted (m->t->source, TRUE);
          m->phase_frame = bc_frame_get_sequence (frame);
          m->phase = 1;
        }
      break;
    case 1: /* muted: black, still stamped */
      if (frame_is_black (frame) && bc_frame_get_capture_time (frame) >= 0)
        {
          m->saw_black_with_stamp = TRUE;
          bc_video_source_set_muted (m->t->source, FALSE);
          m->phase_frame = bc_frame_get_sequence (frame);
          m->phase = 2;
        }
      else if (bc_frame_get_sequence (frame) > m->phase_frame + 60)
        g_main_loop_quit (m->t->loop);
      break;
    case 2: /* unmuted: the picture is back */
      if (!frame_is_black (frame))
        {
          m->saw_picture_again = TRUE;
          g_main_loop_quit (m->t->loop);
        }
      else if (bc_frame_get_sequence (frame) > m->phase_frame + 60)
        g_main_loop_quit (m->t->loop);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
test_mute_and_preview (void)
{
  PipelineTest t = { 0 };
  MuteTest m = { &t };
  BcFrameSink *preview;
  int width = 0, height = 0;
  guint poll;

  setup_pipeline_full (&t, "x264enc", BC_VIDEO_CODEC_H264, TRUE);
  t.wanted_frames = G_MAXUINT;
  g_assert_false (bc_video_source_get_muted (t.source));
  poll = g_timeout_add (10, on_mute_poll, &m);
  run_pipeline (&t);
  g_source_remove (poll);
  g_assert_no_error (t.error);

  g_assert_true (m.saw_black_with_stamp);
  g_assert_true (m.saw_picture_again);
  g_assert_false (bc_video_source_get_muted (t.source));

  /* The local preview saw raw frames at the sent size. */
  preview = bc_video_source_get_preview (t.source);
  g_assert_nonnull (preview);
  g_assert_cmpuint (bc_frame_sink_get_n_frames (preview), >, 0);
  g_assert_true (bc_frame_sink_get_size (preview, &width, &height));
  g_assert_cmpint (width, ==, 320);
  g_assert_cmpint (height, ==, 240);

  teardown_pipeline (&t);
}

static GstPadProbeReturn
count_audio (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  guint *buffers = user_data;

  g_atomic_int_inc (buffers);
  return GST_PAD_PROBE_OK;
}

static gboolean
on_audio_poll (gpointer user_data)
{
  gpointer *args = user_data;
  guint *buffers = args[0];

  if (g_atomic_int_get (buffers) >= 50)
    g_main_loop_quit (args[1]);
  return G_SOURCE_CONTINUE;
}

static gboolean
quit_loop (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_CONTINUE;
}

static void
test_audio_round_trip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcAudioSource) source = NULL;
  g_autoptr (BcTrackReceiver) receiver = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) src_pad = NULL;
  g_autoptr (GstPad) sink_pad = NULL;
  g_autoptr (GstElement) pipeline = gst_pipeline_new (NULL);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  GstIterator *it;
  GValue item = G_VALUE_INIT;
  guint buffers = 0;
  gpointer args[2] = { &buffers, loop };
  guint poll, timeout;
  const GstStructure *s;
  guint ssrc = 0;

  source = bc_audio_source_new (TRUE, &error);
  g_assert_no_error (error);
  caps = bc_audio_source_get_rtp_caps (source);
  s = gst_caps_get_structure (caps, 0);
  g_assert_cmpstr (gst_structure_get_string (s, "encoding-name"), ==, "OPUS");
  g_assert_true (gst_structure_get_uint (s, "ssrc", &ssrc));
  g_assert_cmpuint (ssrc, ==, bc_audio_source_get_ssrc (source));

  gst_bin_add (GST_BIN (pipeline), bc_audio_source_get_element (source));
  receiver = g_initable_new (BC_TYPE_TRACK_RECEIVER, NULL, &error, "caps", caps, "audio-sink",
                             "fakesink", NULL);
  g_assert_no_error (error);
  g_assert_cmpint (bc_track_receiver_get_kind (receiver), ==, BC_TRACK_KIND_AUDIO);
  g_assert_cmpstr (bc_track_receiver_get_decoder_name (receiver), ==, "opusdec");
  g_assert_null (bc_track_receiver_get_frame_sink (receiver));
  src_pad = gst_element_get_static_pad (bc_audio_source_get_element (source), "src");
  g_assert_true (bc_track_receiver_link (receiver, src_pad, &error));
  g_assert_no_error (error);

  /* Count decoded buffers at the receiver's sink. */
  it = gst_bin_iterate_sinks (GST_BIN (bc_track_receiver_get_element (receiver)));
  g_assert_cmpint (gst_iterator_next (it, &item), ==, GST_ITERATOR_OK);
  sink_pad = gst_element_get_static_pad (g_value_get_object (&item), "sink");
  gst_pad_add_probe (sink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_audio, &buffers, NULL);
  g_value_unset (&item);
  gst_iterator_free (it);

  bc_audio_source_set_muted (source, TRUE);
  g_assert_true (bc_audio_source_get_muted (source));
  poll = g_timeout_add (10, on_audio_poll, args);
  timeout = g_timeout_add_seconds (60, quit_loop, loop);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_main_loop_run (loop);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_source_remove (poll);
  g_source_remove (timeout);

  /* Muted audio still flows (as silence), so the track stays alive. */
  g_assert_cmpuint (g_atomic_int_get (&buffers), >=, 50);

  bc_track_receiver_remove (receiver);
  g_assert_null (gst_object_get_parent (GST_OBJECT (bc_track_receiver_get_element (receiver))));
}

static void
test_microphone (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcAudioSource) source = bc_audio_source_new (FALSE, &error);

  /* With a sound server this opens the microphone; without one (as in CI)
   * the error says what to check. */
  if (source == NULL)
    {
      g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_MICROPHONE);
      g_assert_nonnull (strstr (error->message, "microphone"));
    }
  else
    g_assert_nonnull (bc_audio_source_get_element (source));
}

static void
test_receiver_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstCaps) raw = gst_caps_from_string ("video/x-raw");
  g_autoptr (GstCaps) av1 =
      gst_caps_from_string ("application/x-rtp,media=video,encoding-name=AV1,clock-rate=90000");
  g_autoptr (GstCaps) pcmu =
      gst_caps_from_string ("application/x-rtp,media=audio,encoding-name=PCMU,clock-rate=8000");
  BcTrackReceiver *receiver;

  receiver = bc_track_receiver_new (raw, &error);
  g_assert_null (receiver);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_UNSUPPORTED_CAPS);
  g_clear_error (&error);

  receiver = bc_track_receiver_new (av1, &error);
  g_assert_null (receiver);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_DECODER);
  g_clear_error (&error);

  receiver = bc_track_receiver_new (pcmu, &error);
  g_assert_null (receiver);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_DECODER);
  g_clear_error (&error);
}

int
main (int argc, char *argv[])
{
  const char *encoders[] = { "x264enc", "openh264enc", "vp8enc" };

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();

  g_test_add_func ("/media/codec/strings", test_codec_strings);
  g_test_add_func ("/media/encoder/choose", test_encoder_choose);
  g_test_add_func ("/media/encoder/settings", test_encoder_settings);
  g_test_add_func ("/media/capture-stamp", test_capture_stamp);
  g_test_add_func ("/media/camera/caps", test_camera_caps);
  g_test_add_func ("/media/camera-monitor/no-camera", test_monitor_no_camera);
  g_test_add_func ("/media/camera-monitor/test-pattern", test_monitor_test_pattern);
  g_test_add_func ("/media/camera-monitor/no-session-bus", test_monitor_no_session_bus);
  g_test_add_func ("/media/receiver/errors", test_receiver_errors);
  g_test_add_func ("/media/audio/round-trip", test_audio_round_trip);
  g_test_add_func ("/media/audio/microphone", test_microphone);
  g_test_add_func ("/media/video-source/mute-and-preview", test_mute_and_preview);
  for (guint i = 0; i < G_N_ELEMENTS (encoders); i++)
    {
      g_autofree char *rt = g_strdup_printf ("/media/round-trip/%s", encoders[i]);
      g_autofree char *fku = g_strdup_printf ("/media/force-key-unit/%s", encoders[i]);

      g_test_add_data_func (rt, encoders[i], test_round_trip);
      g_test_add_data_func (fku, encoders[i], test_force_key_unit);
    }

  return g_test_run ();
}
