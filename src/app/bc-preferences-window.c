/* BcPreferencesWindow: the GSettings a user may change. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <glib/gi18n.h>

#include "bc-camera-list.h"
#include "bc-preferences-window.h"

struct _BcPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  AdwEntryRow *server_row;
  AdwComboRow *camera_row;
  AdwComboRow *codec_row;
  GtkSwitch *low_latency_switch;

  GSettings *settings;
  BcCameraList *cameras;
};

enum
{
  PROP_0,
  PROP_SETTINGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcPreferencesWindow, bc_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char *const codecs[] = { "h264", "vp8" };

static gboolean
codec_to_index (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *codec = g_variant_get_string (variant, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (codecs); i++)
    if (g_str_equal (codec, codecs[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }

  g_value_set_uint (value, 0);
  return TRUE;
}

static GVariant *
index_to_codec (const GValue *value, const GVariantType *expected_type, gpointer user_data)
{
  guint index = g_value_get_uint (value);

  if (index >= G_N_ELEMENTS (codecs))
    return NULL;

  return g_variant_new_string (codecs[index]);
}

static void
on_server_applied (BcPreferencesWindow *self)
{
  g_autofree char *url =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));

  if (*url == '\0')
    {
      adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                        adw_toast_new (_ ("Enter a server address.")));
      return;
    }

  g_settings_set_string (self->settings, "server-url", url);
}

static void
sync_camera_selection (BcPreferencesWindow *self)
{
  g_autofree char *camera = g_settings_get_string (self->settings, "default-camera");

  adw_combo_row_set_selected (self->camera_row, bc_camera_list_find (self->cameras, camera));
}

static void
on_camera_selected (BcPreferencesWindow *self)
{
  guint selected = adw_combo_row_get_selected (self->camera_row);
  const char *id = bc_camera_list_get_id (self->cameras, selected);

  if (id != NULL)
    g_settings_set_string (self->settings, "default-camera", id);
}

static void
bc_preferences_window_constructed (GObject *object)
{
  BcPreferencesWindow *self = BC_PREFERENCES_WINDOW (object);
  g_autofree char *server = NULL;

  G_OBJECT_CLASS (bc_preferences_window_parent_class)->constructed (object);

  server = g_settings_get_string (self->settings, "server-url");
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server);
  g_signal_connect_swapped (self->server_row, "apply", G_CALLBACK (on_server_applied), self);

  g_settings_bind_with_mapping (self->settings, "codec", self->codec_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, codec_to_index, index_to_codec, NULL,
                                NULL);
  g_settings_bind (self->settings, "low-latency", self->low_latency_switch, "active",
                   G_SETTINGS_BIND_DEFAULT);

  adw_combo_row_set_model (self->camera_row, bc_camera_list_get_names (self->cameras));
  sync_camera_selection (self);
  /* The default camera may only show up once the cameras are found. */
  g_signal_connect_object (bc_camera_list_get_names (self->cameras), "items-changed",
                           G_CALLBACK (sync_camera_selection), self, G_CONNECT_SWAPPED);
  bc_camera_list_start (self->cameras);
  g_signal_connect_object (self->camera_row, "notify::selected", G_CALLBACK (on_camera_selected),
                           self, G_CONNECT_SWAPPED);
}

static void
bc_preferences_window_set_property (GObject *object,
                                    guint prop_id,
                                    const GValue *value,
                                    GParamSpec *pspec)
{
  BcPreferencesWindow *self = BC_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_SETTINGS:
      self->settings = g_value_dup_object (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_preferences_window_dispose (GObject *object)
{
  BcPreferencesWindow *self = BC_PREFERENCES_WINDOW (object);

  g_clear_object (&self->cameras);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (bc_preferences_window_parent_class)->dispose (object);
}

static void
bc_preferences_window_class_init (BcPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = bc_preferences_window_constructed;
  object_class->set_property = bc_preferences_window_set_property;
  object_class->dispose = bc_preferences_window_dispose;

  properties[PROP_SETTINGS] =
      g_param_spec_object ("settings", NULL, NULL, G_TYPE_SETTINGS,
                           G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/app/bountycam/BountyCam/ui/bc-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, server_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, camera_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, codec_row);
  gtk_widget_class_bind_template_child (widget_class, BcPreferencesWindow, low_latency_switch);
}

static void
bc_preferences_window_init (BcPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cameras = bc_camera_list_new ();
}

BcPreferencesWindow *
bc_preferences_window_new (GSettings *settings)
{
  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);

  return g_object_new (BC_TYPE_PREFERENCES_WINDOW, "settings", settings, NULL);
}
