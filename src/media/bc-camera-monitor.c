#define G_LOG_DOMAIN "bc-media"

#include "config.h"

#include <gio/gunixfdlist.h>
#include <libportal/portal.h>
#include <string.h>
#include <unistd.h>

#include "bc-camera-monitor.h"
#include "bc-camera-private.h"
#include "bc-media-error.h"

#define PORTAL_BUS_NAME    "org.freedesktop.portal.Desktop"
#define PORTAL_OBJECT_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_CAMERA      "org.freedesktop.portal.Camera"
/* A working portal answers at once; a missing one must not hold up the
 * fall-through to V4L2 for long. The access request itself is not bounded:
 * it waits for the user to answer the permission dialog. */
#define PORTAL_PROBE_TIMEOUT_MS 3000

struct _BcCameraMonitor
{
  GObject parent_instance;

  gboolean use_portal;
  gboolean include_test_pattern;

  GPtrArray *cameras;
  GstDeviceMonitor *device_monitor;
  guint device_watch;
  GstDeviceProvider *portal_provider;
  guint portal_watch;
  BcPipeWireFd *portal_fd;
  gboolean portal_denied;
  gboolean started;
  gboolean starting;
};

static void bc_camera_monitor_list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BcCameraMonitor,
                               bc_camera_monitor,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      bc_camera_monitor_list_model_iface_init))

enum
{
  PROP_0,
  PROP_USE_PORTAL,
  PROP_INCLUDE_TEST_PATTERN,
  PROP_N_ITEMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GType
bc_camera_monitor_get_item_type (GListModel *model)
{
  return BC_TYPE_CAMERA;
}

static guint
bc_camera_monitor_get_n_items (GListModel *model)
{
  return BC_CAMERA_MONITOR (model)->cameras->len;
}

static gpointer
bc_camera_monitor_get_item (GListModel *model, guint position)
{
  BcCameraMonitor *self = BC_CAMERA_MONITOR (model);

  if (position >= self->cameras->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->cameras, position));
}

static void
bc_camera_monitor_list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = bc_camera_monitor_get_item_type;
  iface->get_n_items = bc_camera_monitor_get_n_items;
  iface->get_item = bc_camera_monitor_get_item;
}

static void
insert_camera (BcCameraMonitor *self, BcCamera *camera)
{
  guint position = self->cameras->len;

  /* The test pattern stays last: "auto" means the first real camera. */
  if (position > 0 && bc_camera_get_kind (g_ptr_array_index (self->cameras, position - 1)) ==
                          BC_CAMERA_KIND_TEST_PATTERN)
    position--;
  g_ptr_array_insert (self->cameras, position, g_object_ref (camera));
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
remove_camera_at (BcCameraMonitor *self, guint position)
{
  g_ptr_array_remove_index (self->cameras, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static gboolean
has_camera_of_kind (BcCameraMonitor *self, BcCameraKind kind)
{
  for (guint i = 0; i < self->cameras->len; i++)
    if (bc_camera_get_kind (g_ptr_array_index (self->cameras, i)) == kind)
      return TRUE;
  return FALSE;
}

static BcCameraKind
device_kind (GstDevice *device)
{
  g_autoptr (GstStructure) props = gst_device_get_properties (device);
  const char *api = props ? gst_structure_get_string (props, "device.api") : NULL;

  if (g_strcmp0 (api, "pipewire") == 0)
    return BC_CAMERA_KIND_PIPEWIRE;
  return BC_CAMERA_KIND_V4L2;
}

static void
add_device (BcCameraMonitor *self, GstDevice *device, BcCameraKind kind)
{
  g_autoptr (BcCamera) camera = NULL;

  if (!gst_device_has_classes (device, "Video/Source") || !_bc_camera_is_usable_device (device))
    return;
  for (guint i = 0; i < self->cameras->len; i++)
    if (bc_camera_get_device (g_ptr_array_index (self->cameras, i)) == device)
      return;

  /* PipeWire lists the V4L2 cameras again; keep one list, preferring the
   * PipeWire copies as Dino and Snapshot do. */
  if (kind == BC_CAMERA_KIND_V4L2 && (has_camera_of_kind (self, BC_CAMERA_KIND_PIPEWIRE) ||
                                      has_camera_of_kind (self, BC_CAMERA_KIND_PORTAL)))
    return;
  if (kind == BC_CAMERA_KIND_PIPEWIRE)
    for (guint i = self->cameras->len; i > 0; i--)
      if (bc_camera_get_kind (g_ptr_array_index (self->cameras, i - 1)) == BC_CAMERA_KIND_V4L2)
        remove_camera_at (self, i - 1);

  camera = _bc_camera_new_for_device (device, kind,
                                      kind == BC_CAMERA_KIND_PORTAL ? self->portal_fd : NULL);
  g_debug ("Camera added: %s (%s)", bc_camera_get_name (camera), bc_camera_get_id (camera));
  insert_camera (self, camera);
}

static void
remove_device (BcCameraMonitor *self, GstDevice *device)
{
  for (guint i = 0; i < self->cameras->len; i++)
    if (bc_camera_get_device (g_ptr_array_index (self->cameras, i)) == device)
      {
        g_debug ("Camera removed: %s", bc_camera_get_name (g_ptr_array_index (self->cameras, i)));
        remove_camera_at (self, i);
        return;
      }
}

static gboolean
on_device_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  BcCameraMonitor *self = user_data;
  g_autoptr (GstDevice) device = NULL;
  gboolean from_portal = bus != NULL && self->portal_provider != NULL &&
                         GST_MESSAGE_SRC (message) == GST_OBJECT (self->portal_provider);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_DEVICE_ADDED:
      gst_message_parse_device_added (message, &device);
      add_device (self, device, from_portal ? BC_CAMERA_KIND_PORTAL : device_kind (device));
      break;
    case GST_MESSAGE_DEVICE_REMOVED:
      gst_message_parse_device_removed (message, &device);
      remove_device (self, device);
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

/* Start: portal → PipeWire → V4L2, each step falling through on failure. */

static void start_device_monitor (GTask *task);
static void finish_start (GTask *task);

static gboolean
return_if_cancelled (GTask *task)
{
  BcCameraMonitor *self = g_task_get_source_object (task);

  if (!g_task_return_error_if_cancelled (task))
    return FALSE;
  self->starting = FALSE;
  return TRUE;
}

static gboolean
portals_disabled (void)
{
  const char *gdk_debug = g_getenv ("GDK_DEBUG");
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *bus_socket = NULL;

  /* GTK's switch for tests and for users without a portal. */
  if (gdk_debug != NULL && strstr (gdk_debug, "no-portals") != NULL)
    return TRUE;
  if (g_getenv ("BC_NO_PORTAL") != NULL)
    return TRUE;
  /* Without a bus address GIO would try to autolaunch a bus: no portal can
   * be there. */
  if (address != NULL && *address != '\0')
    return FALSE;
  if (runtime == NULL)
    return TRUE;
  bus_socket = g_build_filename (runtime, "bus", NULL);
  return !g_file_test (bus_socket, G_FILE_TEST_EXISTS);
}

static gboolean
is_sandboxed (void)
{
  return g_file_test ("/.flatpak-info", G_FILE_TEST_EXISTS) || g_getenv ("SNAP") != NULL;
}

static void
start_portal_provider (BcCameraMonitor *self)
{
  g_autoptr (GstBus) bus = NULL;
  GList *devices;

  self->portal_provider = gst_device_provider_factory_get_by_name ("pipewiredeviceprovider");
  if (self->portal_provider == NULL)
    {
      g_message ("The Camera portal granted access, but the GStreamer PipeWire plugin "
                 "(gstreamer1.0-pipewire) is not installed");
      return;
    }
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (self->portal_provider), "fd") == NULL)
    {
      g_message ("The GStreamer PipeWire plugin is too old to use the Camera portal");
      g_clear_object (&self->portal_provider);
      return;
    }
  g_object_set (self->portal_provider, "fd", _bc_pipewire_fd_get (self->portal_fd), NULL);
  if (!gst_device_provider_start (self->portal_provider))
    {
      g_clear_object (&self->portal_provider);
      return;
    }
  bus = gst_device_provider_get_bus (self->portal_provider);
  self->portal_watch = gst_bus_add_watch (bus, on_device_message, self);
  devices = gst_device_provider_get_devices (self->portal_provider);
  for (GList *l = devices; l != NULL; l = l->next)
    add_device (self, l->data, BC_CAMERA_KIND_PORTAL);
  g_list_free_full (devices, gst_object_unref);
}

static void
on_open_remote (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcCameraMonitor *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (GUnixFDList) fds = NULL;
  g_autoptr (GVariant) reply = NULL;
  gint32 handle;
  int fd;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (source), &fds, result,
                                                           &error);
  if (reply == NULL || fds == NULL)
    {
      g_debug ("Camera portal: no PipeWire remote: %s", error ? error->message : "no fd");
      start_device_monitor (g_steal_pointer (&task));
      return;
    }
  g_variant_get (reply, "(h)", &handle);
  fd = g_unix_fd_list_get (fds, handle, &error);
  if (fd < 0)
    {
      start_device_monitor (g_steal_pointer (&task));
      return;
    }
  self->portal_fd = _bc_pipewire_fd_new (fd);
  start_portal_provider (self);

  if (self->cameras->len > 0)
    finish_start (g_steal_pointer (&task));
  else
    start_device_monitor (g_steal_pointer (&task));
}

static void
on_access_camera (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcCameraMonitor *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  GDBusConnection *bus;
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (!xdp_portal_access_camera_finish (XDP_PORTAL (source), result, &error))
    {
      if (return_if_cancelled (task))
        return;
      /* The portal answered, so this is a refusal: libportal reports the
       * user cancelling the dialog (response 1) as CANCELLED and a stored
       * or explicit denial (response 2) as FAILED. D-Bus failures come in
       * the G_DBUS_ERROR domain. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_FAILED))
        self->portal_denied = TRUE;
      g_debug ("Camera portal: access not granted: %s", error->message);
      if (self->portal_denied && is_sandboxed ())
        finish_start (g_steal_pointer (&task));
      else
        start_device_monitor (g_steal_pointer (&task));
      return;
    }

  bus = g_object_get_data (G_OBJECT (task), "bus");
  g_dbus_connection_call_with_unix_fd_list (
      bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH, PORTAL_CAMERA, "OpenPipeWireRemote",
      g_variant_new ("(a{sv})", NULL), G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NONE,
      PORTAL_PROBE_TIMEOUT_MS, NULL, cancellable, on_open_remote, g_steal_pointer (&task));
}

static void
on_camera_present (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GVariant) reply = NULL;
  g_autoptr (GVariant) value = NULL;
  g_autoptr (XdpPortal) portal = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply == NULL)
    {
      if (return_if_cancelled (task))
        return;
      g_debug ("No Camera portal: %s", error->message);
      start_device_monitor (g_steal_pointer (&task));
      return;
    }
  g_variant_get (reply, "(v)", &value);
  if (!g_variant_is_of_type (value, G_VARIANT_TYPE_BOOLEAN) || !g_variant_get_boolean (value))
    {
      g_debug ("The Camera portal sees no camera");
      if (is_sandboxed ())
        finish_start (g_steal_pointer (&task));
      else
        start_device_monitor (g_steal_pointer (&task));
      return;
    }

  /* libportal finds the same session bus connection GIO shares. */
  portal = xdp_portal_new ();
  g_object_set_data_full (G_OBJECT (task), "portal", g_object_ref (portal), g_object_unref);
  xdp_portal_access_camera (portal, NULL, XDP_CAMERA_FLAG_NONE, cancellable, on_access_camera,
                            g_steal_pointer (&task));
}

static void
on_session_bus (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GDBusConnection) bus = g_bus_get_finish (result, &error);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (bus == NULL)
    {
      if (return_if_cancelled (task))
        return;
      g_debug ("No session bus for the Camera portal: %s", error->message);
      start_device_monitor (g_steal_pointer (&task));
      return;
    }
  g_object_set_data_full (G_OBJECT (task), "bus", g_object_ref (bus), g_object_unref);
  /* IsCameraPresent through an async property read: libportal's own
   * xdp_portal_is_camera_present() blocks. */
  g_dbus_connection_call (bus, PORTAL_BUS_NAME, PORTAL_OBJECT_PATH,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", PORTAL_CAMERA, "IsCameraPresent"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, PORTAL_PROBE_TIMEOUT_MS,
                          cancellable, on_camera_present, g_steal_pointer (&task));
}

static void
monitor_start_thread (GTask *task,
                      gpointer source_object,
                      gpointer task_data,
                      GCancellable *cancellable)
{
  GstDeviceMonitor *monitor = task_data;

  /* Probing opens every device node (and connects to PipeWire): keep it
   * off the main loop. */
  g_task_return_boolean (task, gst_device_monitor_start (monitor));
}

static void
on_device_monitor_started (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcCameraMonitor *self = g_task_get_source_object (task);
  GstDeviceMonitor *monitor = g_object_get_data (G_OBJECT (task), "monitor");
  GList *devices;

  if (return_if_cancelled (task))
    {
      gst_device_monitor_stop (monitor);
      return;
    }

  if (g_task_propagate_boolean (G_TASK (result), NULL))
    {
      g_autoptr (GstBus) bus = gst_device_monitor_get_bus (monitor);

      self->device_monitor = g_object_ref (monitor);
      self->device_watch = gst_bus_add_watch (bus, on_device_message, self);
      devices = gst_device_monitor_get_devices (monitor);
      for (GList *l = devices; l != NULL; l = l->next)
        add_device (self, l->data, device_kind (l->data));
      g_list_free_full (devices, gst_object_unref);
    }
  else
    g_debug ("No device provider for cameras could start");

  finish_start (g_steal_pointer (&task));
}

static void
start_device_monitor (GTask *task)
{
  BcCameraMonitor *self = g_task_get_source_object (task);
  g_autoptr (GstDeviceMonitor) monitor = gst_device_monitor_new ();
  g_autoptr (GTask) thread_task = NULL;

  if (self->device_monitor != NULL)
    {
      finish_start (task);
      return;
    }

  gst_device_monitor_add_filter (monitor, "Video/Source", NULL);
  g_object_set_data_full (G_OBJECT (task), "monitor", g_object_ref (monitor), g_object_unref);
  thread_task = g_task_new (self, g_task_get_cancellable (task), on_device_monitor_started, task);
  g_task_set_task_data (thread_task, g_object_ref (monitor), g_object_unref);
  g_task_run_in_thread (thread_task, monitor_start_thread);
}

static void
finish_start (GTask *task)
{
  BcCameraMonitor *self = g_task_get_source_object (task);

  self->starting = FALSE;
  self->started = TRUE;

  if (self->include_test_pattern && !has_camera_of_kind (self, BC_CAMERA_KIND_TEST_PATTERN))
    {
      g_autoptr (BcCamera) test = bc_camera_new_test_pattern ();

      insert_camera (self, test);
    }

  if (self->cameras->len > 0)
    g_task_return_boolean (task, TRUE);
  else if (self->portal_denied)
    g_task_return_new_error (task, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_DENIED,
                             "BountyCam may not use the camera. Allow it under Settings → "
                             "Privacy → Camera, then try again");
  else
    g_task_return_new_error (task, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA,
                             "No camera was found. Connect a camera (it will be picked up "
                             "automatically) or use the test pattern");
  g_object_unref (task);
}

/**
 * bc_camera_monitor_start_async:
 * @cancellable: (nullable): a cancellable
 * @callback: called when the first list of cameras is known
 * @user_data: data for @callback
 *
 * Looks for cameras: through the Camera portal (asking the user for access)
 * when a portal is there, else PipeWire, else V4L2. The list then follows
 * hot-plugging until bc_camera_monitor_stop().
 */
void
bc_camera_monitor_start_async (BcCameraMonitor *self,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_CAMERA_MONITOR (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_camera_monitor_start_async);

  if (self->starting)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "The camera search is already running");
      g_object_unref (task);
      return;
    }
  self->starting = TRUE;
  self->portal_denied = FALSE;

  if (self->use_portal && !portals_disabled () && self->portal_provider == NULL)
    g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_session_bus, task);
  else
    start_device_monitor (task);
}

/**
 * bc_camera_monitor_start_finish:
 * @error: return location for an error
 *
 * Returns: %TRUE if at least one camera is listed; otherwise %FALSE with
 *   %BC_MEDIA_ERROR_CAMERA_DENIED or %BC_MEDIA_ERROR_NO_CAMERA. The monitor
 *   keeps watching either way, so a camera plugged in later still appears.
 */
gboolean
bc_camera_monitor_start_finish (BcCameraMonitor *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * bc_camera_monitor_stop:
 *
 * Stops following hot-plugging and empties the list.
 */
void
bc_camera_monitor_stop (BcCameraMonitor *self)
{
  guint n;

  g_return_if_fail (BC_IS_CAMERA_MONITOR (self));

  g_clear_handle_id (&self->device_watch, g_source_remove);
  g_clear_handle_id (&self->portal_watch, g_source_remove);
  if (self->device_monitor != NULL)
    gst_device_monitor_stop (self->device_monitor);
  g_clear_object (&self->device_monitor);
  if (self->portal_provider != NULL)
    gst_device_provider_stop (self->portal_provider);
  g_clear_object (&self->portal_provider);
  g_clear_pointer (&self->portal_fd, _bc_pipewire_fd_unref);

  n = self->cameras->len;
  if (n > 0)
    {
      g_ptr_array_set_size (self->cameras, 0);
      g_list_model_items_changed (G_LIST_MODEL (self), 0, n, 0);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
    }
  self->started = FALSE;
}

/**
 * bc_camera_monitor_lookup:
 * @spec: "auto" (the first camera found), "test" (the test pattern), or a
 *   camera's id (e.g. /dev/video0) or name
 * @error: return location for an error
 *
 * Returns: (transfer full): the camera, or %NULL with @error set
 */
BcCamera *
bc_camera_monitor_lookup (BcCameraMonitor *self, const char *spec, GError **error)
{
  g_return_val_if_fail (BC_IS_CAMERA_MONITOR (self), NULL);

  if (spec == NULL || *spec == '\0')
    spec = "auto";

  if (g_str_equal (spec, "test"))
    return bc_camera_new_test_pattern ();

  for (guint i = 0; i < self->cameras->len; i++)
    {
      BcCamera *camera = g_ptr_array_index (self->cameras, i);

      if (g_str_equal (spec, "auto") || g_strcmp0 (bc_camera_get_id (camera), spec) == 0 ||
          g_strcmp0 (bc_camera_get_name (camera), spec) == 0)
        return g_object_ref (camera);
    }

  if (g_str_equal (spec, "auto"))
    {
      if (self->portal_denied)
        g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_DENIED,
                     "BountyCam may not use the camera. Allow it under Settings → Privacy → "
                     "Camera, then try again");
      else
        g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA,
                     "No camera was found. Connect a camera or use the test pattern");
    }
  else
    g_set_error (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA,
                 "There is no camera “%s”. Use “auto”, “test” or one of the listed cameras", spec);
  return NULL;
}

/**
 * bc_camera_monitor_get_portal_denied:
 *
 * Returns: %TRUE if the user refused camera access in the portal dialog
 */
gboolean
bc_camera_monitor_get_portal_denied (BcCameraMonitor *self)
{
  g_return_val_if_fail (BC_IS_CAMERA_MONITOR (self), FALSE);

  return self->portal_denied;
}

static void
bc_camera_monitor_dispose (GObject *object)
{
  BcCameraMonitor *self = BC_CAMERA_MONITOR (object);

  g_clear_handle_id (&self->device_watch, g_source_remove);
  g_clear_handle_id (&self->portal_watch, g_source_remove);
  if (self->device_monitor != NULL)
    gst_device_monitor_stop (self->device_monitor);
  g_clear_object (&self->device_monitor);
  if (self->portal_provider != NULL)
    gst_device_provider_stop (self->portal_provider);
  g_clear_object (&self->portal_provider);
  g_clear_pointer (&self->portal_fd, _bc_pipewire_fd_unref);
  if (self->cameras != NULL)
    g_ptr_array_set_size (self->cameras, 0);

  G_OBJECT_CLASS (bc_camera_monitor_parent_class)->dispose (object);
}

static void
bc_camera_monitor_finalize (GObject *object)
{
  BcCameraMonitor *self = BC_CAMERA_MONITOR (object);

  g_ptr_array_unref (self->cameras);

  G_OBJECT_CLASS (bc_camera_monitor_parent_class)->finalize (object);
}

static void
bc_camera_monitor_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcCameraMonitor *self = BC_CAMERA_MONITOR (object);

  switch (prop_id)
    {
    case PROP_USE_PORTAL:
      g_value_set_boolean (value, self->use_portal);
      break;
    case PROP_INCLUDE_TEST_PATTERN:
      g_value_set_boolean (value, self->include_test_pattern);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->cameras->len);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_camera_monitor_set_property (GObject *object,
                                guint prop_id,
                                const GValue *value,
                                GParamSpec *pspec)
{
  BcCameraMonitor *self = BC_CAMERA_MONITOR (object);

  switch (prop_id)
    {
    case PROP_USE_PORTAL:
      self->use_portal = g_value_get_boolean (value);
      break;
    case PROP_INCLUDE_TEST_PATTERN:
      if (self->include_test_pattern != g_value_get_boolean (value))
        {
          self->include_test_pattern = g_value_get_boolean (value);
          if (self->started && self->include_test_pattern)
            {
              g_autoptr (BcCamera) test = bc_camera_new_test_pattern ();

              insert_camera (self, test);
            }
          else if (!self->include_test_pattern)
            for (guint i = self->cameras->len; i > 0; i--)
              if (bc_camera_get_kind (g_ptr_array_index (self->cameras, i - 1)) ==
                  BC_CAMERA_KIND_TEST_PATTERN)
                remove_camera_at (self, i - 1);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_camera_monitor_class_init (BcCameraMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_camera_monitor_dispose;
  object_class->finalize = bc_camera_monitor_finalize;
  object_class->get_property = bc_camera_monitor_get_property;
  object_class->set_property = bc_camera_monitor_set_property;

  /**
   * BcCameraMonitor:use-portal:
   *
   * Whether to ask the Camera portal first. Turned off also by
   * `GDK_DEBUG=no-portals` or `BC_NO_PORTAL` in the environment.
   */
  properties[PROP_USE_PORTAL] =
      g_param_spec_boolean ("use-portal", NULL, NULL, TRUE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /**
   * BcCameraMonitor:include-test-pattern:
   *
   * Whether the list ends with the test pattern. Off by default: the test
   * pattern is only used when asked for.
   */
  properties[PROP_INCLUDE_TEST_PATTERN] =
      g_param_spec_boolean ("include-test-pattern", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] =
      g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_camera_monitor_init (BcCameraMonitor *self)
{
  self->use_portal = TRUE;
  self->cameras = g_ptr_array_new_with_free_func (g_object_unref);
}

BcCameraMonitor *
bc_camera_monitor_new (void)
{
  return g_object_new (BC_TYPE_CAMERA_MONITOR, NULL);
}
