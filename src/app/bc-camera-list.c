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

struct _BcCameraList
{
  GObject parent_instance;

  GtkStringList *names;
  GPtrArray *ids;
};

G_DEFINE_FINAL_TYPE (BcCameraList, bc_camera_list, G_TYPE_OBJECT)

static void
bc_camera_list_rebuild (BcCameraList *self)
{
  guint old = g_list_model_get_n_items (G_LIST_MODEL (self->names));
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_set_size (self->ids, 0);

  g_ptr_array_add (self->ids, g_strdup (BC_CAMERA_ID_AUTOMATIC));
  g_ptr_array_add (names, g_strdup (_ ("Automatic")));

  g_ptr_array_add (self->ids, g_strdup (BC_CAMERA_ID_TEST_PATTERN));
  g_ptr_array_add (names, g_strdup (_ ("Test Pattern")));

  g_ptr_array_add (names, NULL);
  gtk_string_list_splice (self->names, 0, old, (const char *const *) names->pdata);
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
  self->names = gtk_string_list_new (NULL);
  self->ids = g_ptr_array_new_with_free_func (g_free);
  bc_camera_list_rebuild (self);
}

BcCameraList *
bc_camera_list_new (void)
{
  return g_object_new (BC_TYPE_CAMERA_LIST, NULL);
}
