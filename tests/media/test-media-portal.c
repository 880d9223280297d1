/* The camera monitor against a fake Camera portal on a private session bus:
 * a refusal gives a clear "denied" error, "no camera present" and a grant
 * without GStreamer's PipeWire plugin fall through to the device monitor. */
#include "config.h"

#include "bc-known-warnings.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <gst/gst.h>
#include <string.h>
#include <unistd.h>

#include "bc-media.h"

static const char portal_xml[] = "<node>"
                                 "  <interface name='org.freedesktop.portal.Camera'>"
                                 "    <method name='AccessCamera'>"
                                 "      <arg type='a{sv}' name='options' direction='in'/>"
                                 "      <arg type='o' name='handle' direction='out'/>"
                                 "    </method>"
                                 "    <method name='OpenPipeWireRemote'>"
                                 "      <arg type='a{sv}' name='options' direction='in'/>"
                                 "      <arg type='h' name='fd' direction='out'/>"
                                 "    </method>"
                                 "    <property name='IsCameraPresent' type='b' access='read'/>"
                                 "    <property name='version' type='u' access='read'/>"
                                 "  </interface>"
                                 "</node>";

typedef struct
{
  gboolean camera_present;
  guint32 response; /* 0 granted, 1 cancelled, 2 denied */
  guint access_calls;
  guint remote_calls;
} FakePortal;

static FakePortal fake;

static void
on_method_call (GDBusConnection *connection,
                const char *sender,
                const char *object_path,
                const char *interface_name,
                const char *method_name,
                GVariant *parameters,
                GDBusMethodInvocation *invocation,
                gpointer user_data)
{
  if (g_str_equal (method_name, "AccessCamera"))
    {
      g_autoptr (GVariant) options = NULL;
      g_autofree char *escaped = g_strdup (sender + 1);
      g_autofree char *path = NULL;
      const char *token = "t";
      GVariantBuilder results;

      fake.access_calls++;
      g_variant_get (parameters, "(@a{sv})", &options);
      g_variant_lookup (options, "handle_token", "&s", &token);
      g_strdelimit (escaped, ".", '_');
      path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", escaped, token);
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));

      /* The answer to the request comes as a signal to the caller alone. */
      g_variant_builder_init (&results, G_VARIANT_TYPE_VARDICT);
      g_dbus_connection_emit_signal (connection, sender, path, "org.freedesktop.portal.Request",
                                     "Response",
                                     g_variant_new ("(ua{sv})", fake.response, &results), NULL);
    }
  else if (g_str_equal (method_name, "OpenPipeWireRemote"))
    {
      g_autoptr (GUnixFDList) fds = g_unix_fd_list_new ();
      int fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
      int handle = g_unix_fd_list_append (fds, fd, NULL);

      close (fd);
      fake.remote_calls++;
      g_dbus_method_invocation_return_value_with_unix_fd_list (invocation,
                                                               g_variant_new ("(h)", handle), fds);
    }
}

static GVariant *
on_get_property (GDBusConnection *connection,
                 const char *sender,
                 const char *object_path,
                 const char *interface_name,
                 const char *property_name,
                 GError **error,
                 gpointer user_data)
{
  if (g_str_equal (property_name, "IsCameraPresent"))
    return g_variant_new_boolean (fake.camera_present);
  return g_variant_new_uint32 (1);
}

static const GDBusInterfaceVTable vtable = { on_method_call, on_get_property, NULL };

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
start (BcCameraMonitor *monitor, GError **error)
{
  Wait w = { g_main_loop_new (NULL, FALSE), NULL };
  gboolean ok;

  bc_camera_monitor_start_async (monitor, NULL, on_started, &w);
  g_main_loop_run (w.loop);
  ok = bc_camera_monitor_start_finish (monitor, w.result, error);
  g_object_unref (w.result);
  g_main_loop_unref (w.loop);
  return ok;
}

static void
test_denied (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (BcCamera) camera = NULL;

  fake = (FakePortal){ .camera_present = TRUE, .response = 2 };
  g_assert_false (start (monitor, &error));
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_DENIED);
  g_assert_nonnull (strstr (error->message, "Privacy"));
  g_assert_cmpuint (fake.access_calls, ==, 1);
  g_assert_cmpuint (fake.remote_calls, ==, 0);
  g_assert_true (bc_camera_monitor_get_portal_denied (monitor));
  g_clear_error (&error);

  camera = bc_camera_monitor_lookup (monitor, "auto", &error);
  g_assert_null (camera);
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_DENIED);
}

static void
test_cancelled_dialog (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;

  fake = (FakePortal){ .camera_present = TRUE, .response = 1 };
  g_assert_false (start (monitor, &error));
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_DENIED);
}

static void
test_no_camera_present (void)
{
  g_autoptr (BcCameraMonitor) monitor = bc_camera_monitor_new ();
  g_autoptr (GError) error = NULL;

  fake = (FakePortal){ .camera_present = FALSE, .response = 0 };
  g_assert_false (start (monitor, &error));
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_assert_cmpuint (fake.access_calls, ==, 0);
  g_assert_false (bc_camera_monitor_get_portal_denied (monitor));
}

static void
test_granted_without_pipewire_plugin (void)
{
  g_autoptr (BcCameraMonitor) monitor = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDeviceProviderFactory) pw =
      gst_device_provider_factory_find ("pipewiredeviceprovider");

  if (pw != NULL)
    {
      g_test_skip ("the PipeWire plugin is installed; a fake fd would reach it");
      return;
    }

  /* Access granted and a remote handed over, but nothing can read it: the
   * monitor goes on to V4L2 and, with the test pattern wanted, succeeds. */
  fake = (FakePortal){ .camera_present = TRUE, .response = 0 };
  monitor = g_object_new (BC_TYPE_CAMERA_MONITOR, "include-test-pattern", TRUE, NULL);
  g_assert_true (start (monitor, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake.access_calls, ==, 1);
  g_assert_cmpuint (fake.remote_calls, ==, 1);
  g_assert_false (bc_camera_monitor_get_portal_denied (monitor));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (monitor)), >=, 1);
}

static void
test_portal_disabled (void)
{
  g_autoptr (BcCameraMonitor) monitor = NULL;
  g_autoptr (GError) error = NULL;

  /* Off by property: the portal is not asked at all. */
  fake = (FakePortal){ .camera_present = TRUE, .response = 2 };
  monitor = g_object_new (BC_TYPE_CAMERA_MONITOR, "use-portal", FALSE, NULL);
  g_assert_false (start (monitor, &error));
  g_assert_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA);
  g_assert_cmpuint (fake.access_calls, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GTestDBus) bus = NULL;
  g_autoptr (GDBusConnection) service = NULL;
  g_autoptr (GDBusNodeInfo) node = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();

  if (g_file_test ("/dev/video0", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("this machine has cameras");
      return g_test_run ();
    }

  /* The test environment turns portals off; this test wants the portal. */
  g_unsetenv ("GDK_DEBUG");
  g_unsetenv ("BC_NO_PORTAL");
  bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_test_dbus_up (bus);

  service =
      g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (bus),
                                              G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                  G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                              NULL, NULL, &error);
  g_assert_no_error (error);
  node = g_dbus_node_info_new_for_xml (portal_xml, &error);
  g_assert_no_error (error);
  g_dbus_connection_register_object (service, "/org/freedesktop/portal/desktop",
                                     node->interfaces[0], &vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (
      service, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
      "RequestName", g_variant_new ("(su)", "org.freedesktop.portal.Desktop", 0),
      G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);

  g_test_add_func ("/media/portal/denied", test_denied);
  g_test_add_func ("/media/portal/cancelled-dialog", test_cancelled_dialog);
  g_test_add_func ("/media/portal/no-camera-present", test_no_camera_present);
  g_test_add_func ("/media/portal/granted-without-pipewire-plugin",
                   test_granted_without_pipewire_plugin);
  g_test_add_func ("/media/portal/disabled", test_portal_disabled);

  ret = g_test_run ();

  g_dbus_connection_close_sync (service, NULL, NULL);
  g_test_dbus_down (bus);
  return ret;
}
