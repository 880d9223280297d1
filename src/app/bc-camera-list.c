/* BcCameraList: the cameras to choose from, as a list for combo rows.
 *
 * The first entry lets the media layer pick, the last one is the test
 * pattern (only ever used when asked for); the cameras found are in between
 * and follow hot-plugging.
 */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <glib/gi18n.h>

#include "bc-camera-list.h"
#include "bc-media.h"

struct _BcCameraList
{
  GObject parent_instance;

  GtkStringList *names;
  GPtrArray *ids;
  BcCameraMonitor *monitor;
  GCancellable *cancellable;
  gboolean started;
};

G_DEFINE_FINAL_TYPE (BcCameraList, bc_camera_list, G_TYPE_OBJECT)

/* Only the cameras between "Automatic" and "Test Pattern" are replaced, so
 * a combo row showing either of those keeps its selection. */
static void
bc_camera_list_rebuild (BcCameraList *self)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  guint old_cameras = self->ids->len - 2;
  guint n = self->monitor ? g_list_model_get_n_items (G_LIST_MODEL (self->monitor)) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BcCamera) camera = g_list_model_get_item (G_LIST_MODEL (self->monitor), i);

      if (bc_camera_get_kind (camera) == BC_CAMERA_KIND_TEST_PATTERN)
        continue;
      g_ptr_array_add (ids, g_strdup (bc_camera_get_id (camera)));
      g_ptr_array_add (names, g_strdup (bc_camera_get_name (camera)));
    }

  g_ptr_array_remove_range (self->ids, 1, old_cameras);
  for (guint i = 0; i < ids->len; i++)
    g_ptr_array_insert (self->ids, 1 + i, g_strdup (g_ptr_array_index (ids, i)));

  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->names, 1, old_cameras, (const char *const *) names->pdata);
}

static void
on_cameras_changed (BcCameraList *self)
{
  bc_camera_list_rebuild (self);
}

static void
on_monitor_started (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcCameraList) self = user_data;
  g_autoptr (GError) error = NULL;

  /* No camera is no error here: the list offers the test pattern. */
  if (!bc_camera_monitor_start_finish (BC_CAMERA_MONITOR (object), result, &error))
    g_debug ("Cameras: %s", error->message);
  bc_camera_list_rebuild (self);
}

/**
 * bc_camera_list_start:
 *
 * Starts looking for cameras. Inside a sandbox this may ask the user for
 * camera access, so it is only done when cameras are about to be used.
 */
void
bc_camera_list_start (BcCameraList *self)
{
  g_return_if_fail (BC_IS_CAMERA_LIST (self));

  if (self->started)
    return;

  self->started = TRUE;
  self->monitor = bc_camera_monitor_new ();
  g_signal_connect_object (self->monitor, "items-changed", G_CALLBACK (on_cameras_changed), self,
                           G_CONNECT_SWAPPED);
  bc_camera_monitor_start_async (self->monitor, self->cancellable, on_monitor_started,
                                 g_object_ref (self));
}

GListModel *
bc_camera_list_get_names (BcCameraList *self)
{
  g_return_val_if_fail (BC_IS_CAMERA_LIST (self), NULL);

  return G_LIST_MODEL (self->names);
}

const char *
bc_camera_list_get_id (BcCameraList *self, guint position)
{
  g_return_val_if_fail (BC_IS_CAMERA_LIST (self), NULL);

  if (position >= self->ids->len)
    return NULL;

  return g_ptr_array_index (self->ids, position);
}

/* The position of @id, or of "Automatic" when it is not (or no longer) there. */
guint
bc_camera_list_find (BcCameraList *self, const char *id)
{
  g_return_val_if_fail (BC_IS_CAMERA_LIST (self), 0);

  for (guint i = 0; id != NULL && i < self->ids->len; i++)
    if (g_str_equal (g_ptr_array_index (self->ids, i), id))
      return i;

  return 0;
}

guint
bc_camera_list_get_n_real_cameras (BcCameraList *self)
{
  g_return_val_if_fail (BC_IS_CAMERA_LIST (self), 0);

  return self->ids->len - 2;
}

static void
bc_camera_list_dispose (GObject *object)
{
  BcCameraList *self = BC_CAMERA_LIST (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->monitor != NULL)
    bc_camera_monitor_stop (self->monitor);
  g_clear_object (&self->monitor);
  g_clear_object (&self->names);
  g_clear_pointer (&self->ids, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_camera_list_parent_class)->dispose (object);
}

static void
bc_camera_list_class_init (BcCameraListClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bc_camera_list_dispose;
}

static void
bc_camera_list_init (BcCameraList *self)
{
  self->cancellable = g_cancellable_new ();
  self->names = gtk_string_list_new ((const char *[]){ _ ("Automatic"), _ ("Test Pattern"), NULL });
  self->ids = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->ids, g_strdup (BC_CAMERA_ID_AUTOMATIC));
  g_ptr_array_add (self->ids, g_strdup (BC_CAMERA_ID_TEST_PATTERN));
}

BcCameraList *
bc_camera_list_new (void)
{
  return g_object_new (BC_TYPE_CAMERA_LIST, NULL);
}
