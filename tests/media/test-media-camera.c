/* Camera discovery with a fake V4L2-like device provider registered in this
 * process: listing, greyscale (infrared) filtering, hot-plug, and a capture
 * through the MJPEG path into the encoder and back. */
#include "config.h"

#include "bc-known-warnings.h"

#include <gst/gst.h>

#include "bc-media.h"

/* A device that makes a live test source; an MJPEG device encodes it. */
typedef struct
{
  GstDevice parent_instance;
} FakeCamera;

typedef struct
{
  GstDeviceClass parent_class;
} FakeCameraClass;

GType fake_camera_get_type (void);
G_DEFINE_TYPE (FakeCamera, fake_camera, GST_TYPE_DEVICE)

static GstElement *
fake_camera_create_element (GstDevice *device, const char *name)
{
  g_autoptr (GstCaps) caps = gst_device_get_caps (device);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  g_autoptr (GError) error = NULL;
  GstElement *bin;

  if (gst_structure_has_name (s, "image/jpeg"))
    bin = gst_parse_bin_from_description (
        "videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=640,height=360,"
        "framerate=30/1 ! jpegenc quality=60",
        TRUE, &error);
  else
    bin = gst_parse_bin_from_description ("videotestsrc is-live=true pattern=ball", TRUE, &error);
  g_assert_no_error (error);
  return bin;
}

static void
fake_camera_class_init (FakeCameraClass *klass)
{
  GST_DEVICE_CLASS (klass)->create_element = fake_camera_create_element;
}

static void
fake_camera_init (FakeCamera *self)
{
}

static GstDevice *
fake_camera_new (const char *name, const char *path, const char *caps_string)
{
  g_autoptr (GstCaps) caps = gst_caps_from_string (caps_string);
  g_autoptr (GstStructure) props =
      gst_structure_new ("fake-camera", "device.api", G_TYPE_STRING, "v4l2", "api.v4l2.path",
                         G_TYPE_STRING, path, NULL);

  return g_object_new (fake_camera_get_type (), "display-name", name, "device-class",
                       "Video/Source", "caps", caps, "properties", props, NULL);
}

typedef struct
{
  GstDeviceProvider parent_instance;
} FakeProvider;

typedef struct
{
  GstDeviceProviderClass parent_class;
} FakeProviderClass;

GType fake_provider_get_type (void);
G_DEFINE_TYPE (FakeProvider, fake_provider, GST_TYPE_DEVICE_PROVIDER)

#define WEBCAM_CAPS                                                                                \
  "image/jpeg,width=640,height=360,framerate=30/1;"                                                \
  "video/x-raw,format=YUY2,width=320,height=240,framerate=30/1"
#define INFRARED_CAPS "video/x-raw,format=GRAY8,width=640,height=360,framerate=30/1"

static gboolean
fake_provider_start (GstDeviceProvider *provider)
{
  gst_device_provider_device_add (provider,
                                  fake_camera_new ("Fake Webcam", "/dev/video40", WEBCAM_CAPS));
  gst_device_provider_device_add (
      provider, fake_camera_new ("Fake IR Camera", "/dev/video42", INFRARED_CAPS));
  return TRUE;
}

static void
fake_provider_stop (GstDeviceProvider *provider)
{
  /* The base class forgets the devices. */
}

static void
fake_provider_class_init (FakeProviderClass *klass)
{
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS (klass);

  provider_class->start = fake_provider_start;
  provider_class->stop = fake_provider_stop;
  gst_device_provider_class_set_static_metadata (provider_class, "Fake cameras", "Video/Source",
                                                 "Cameras for tests", "BountyCam");
}

static void
fake_provider_init (FakeProvider *self)
{
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
on_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *w = user_data;

  w->result = g_object_ref (result);
  g_main_loop_quit (w->loop);
}

static gboolean
quit_when_n_items (gpointer user_data)
{
  gpointer *args = user_data;

  if (g_list_model_get_n_items (args[0]) == GPOINTER_TO_UINT (args[1]))
    g_main_loop_quit (args[2]);
  return G_SOURCE_CONTINUE;
}

static void
wait_for_n_items (BcCameraMonitor *monitor, guint n)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  gpointer args[3] = { monitor, GUINT_TO_POINTER (n), loop };
  guint id = g_timeout_add (10, quit_when_n_items, args);
  guint guard = g_timeout_add_seconds (30, (GSourceFunc) G_SOURCE_FUNC (g_main_loop_quit), loop);

  g_main_loop_run (loop);
  g_source_remove (id);
  g_source_remove (guard);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, n);
}

static void
test_discovery (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BcCamera) webcam = NULL;
  g_autoptr (BcCamera) looked_up = NULL;
  g_autoptr (BcCamera) ir = NULL;
  g_autoptr (GstDeviceProvider) provider = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstCaps) expected = NULL;
  GstDevice *device;
  Wait w = { g_main_loop_new (NULL, FALSE), NULL };

  bc_camera_monitor_start_async (monitor, NULL, on_started, &w);
  g_main_loop_run (w.loop);
  g_assert_true (bc_camera_monitor_start_finish (monitor, w.result, &error));
  g_assert_no_error (error);
  g_clear_object (&w.result);
  g_main_loop_unref (w.loop);

  /* The infrared camera is left out. */
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 1);
  webcam = g_list_model_get_item (G_LIST_MODEL (monitor), 0);
  g_assert_cmpstr (bc_camera_get_name (webcam), ==, "Fake Webcam");
  g_assert_cmpstr (bc_camera_get_id (webcam), ==, "/dev/video40");
  g_assert_cmpint (bc_camera_get_kind (webcam), ==, BC_CAMERA_KIND_V4L2);

  looked_up = bc_camera_monitor_lookup (monitor, "auto", &error);
  g_assert_no_error (error);
  g_assert_true (looked_up == webcam);
  g_clear_object (&looked_up);
  looked_up = bc_camera_monitor_lookup (monitor, "/dev/video40", &error);
  g_assert_no_error (error);
  g_assert_true (looked_up == webcam);
  g_clear_object (&looked_up);
  looked_up = bc_camera_monitor_lookup (monitor, "/dev/video42", &error);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_clear_error (&error);

  /* 720p30 is not on offer: the biggest picture at 30 fps, in MJPEG. */
  caps = bc_camera_choose_caps (webcam, 1280, 720, 30);
  expected = gst_caps_from_string ("image/jpeg,width=640,height=360,framerate=30/1");
  g_assert_true (gst_caps_is_equal (caps, expected));

  /* Hot-plug: a second webcam comes and goes. */
  provider = gst_device_provider_factory_get_by_name ("bcfakecameraprovider");
  g_assert_nonnull (provider);
  device = fake_camera_new ("Second Webcam", "/dev/video44", WEBCAM_CAPS);
  gst_device_provider_device_add (provider, device);
  wait_for_n_items (monitor, 2);
  ir = g_list_model_get_item (G_LIST_MODEL (monitor), 1);
  g_assert_cmpstr (bc_camera_get_name (ir), ==, "Second Webcam");
  gst_device_provider_device_remove (provider, device);
  wait_for_n_items (monitor, 1);

  bc_camera_monitor_stop (monitor);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), ==, 0);
}

static void
on_error (GstBus *bus, GstMessage *message, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  gst_message_parse_error (message, &error, NULL);
  g_error ("pipeline error: %s", error->message);
}

static gboolean
quit_after_frames (gpointer user_data)
{
  gpointer *args = user_data;

  if (bc_frame_sink_get_n_frames (args[0]) >= 30)
    g_main_loop_quit (args[1]);
  return G_SOURCE_CONTINUE;
}

static void
test_capture_mjpeg (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BcCamera) webcam = NULL;
  g_autoptr (BcVideoSource) source = NULL;
  g_autoptr (BcTrackReceiver) receiver = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstPad) pad = NULL;
  g_autoptr (GstElement) pipeline = gst_pipeline_new (NULL);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Wait w = { loop, NULL };
  gpointer args[2];
  int width, height, fps;
  guint poll;

  bc_camera_monitor_start_async (monitor, NULL, on_started, &w);
  g_main_loop_run (loop);
  g_assert_true (bc_camera_monitor_start_finish (monitor, w.result, &error));
  g_clear_object (&w.result);
  webcam = bc_camera_monitor_lookup (monitor, "auto", &error);
  g_assert_no_error (error);

  source = bc_video_source_new (webcam, BC_VIDEO_CODEC_H264, &error);
  g_assert_no_error (error);
  bc_video_source_get_size (source, &width, &height, &fps);
  g_assert_cmpint (width, ==, 640);
  g_assert_cmpint (height, ==, 360);
  g_assert_cmpint (fps, ==, 30);

  gst_bin_add (GST_BIN (pipeline), bc_video_source_get_element (source));
  caps = bc_video_source_get_rtp_caps (source);
  receiver = bc_track_receiver_new (caps, &error);
  g_assert_no_error (error);
  pad = gst_element_get_static_pad (bc_video_source_get_element (source), "src");
  g_assert_true (bc_track_receiver_link (receiver, pad, &error));

  gst_bus_add_signal_watch (bus);
  g_signal_connect (bus, "message::error", G_CALLBACK (on_error), NULL);
  args[0] = bc_track_receiver_get_frame_sink (receiver);
  args[1] = loop;
  poll = g_timeout_add (20, quit_after_frames, args);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  g_main_loop_run (loop);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_source_remove (poll);
  gst_bus_remove_signal_watch (bus);

  g_assert_true (bc_frame_sink_get_size (args[0], &width, &height));
  g_assert_cmpint (width, ==, 640);
  g_assert_cmpint (height, ==, 360);
  bc_camera_monitor_stop (monitor);
}

int
main (int argc, char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();

  /* Ranked above v4l2's provider; nothing else in this process sees it. */
  gst_device_provider_register (NULL, "bcfakecameraprovider", GST_RANK_PRIMARY + 1,
                                fake_provider_get_type ());

  g_test_add_func ("/media/camera/discovery", test_discovery);
  g_test_add_func ("/media/camera/capture-mjpeg", test_capture_mjpeg);

  return g_test_run ();
}
