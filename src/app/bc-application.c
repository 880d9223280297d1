/* BcApplication: the app instance, its settings, and the one client the
 * windows share (REST, realtime channel and keyring for this profile). */
#define G_LOG_DOMAIN "bc-app"
#define G_SETTINGS_ENABLE_BACKEND

#include "config.h"

#include <glib/gi18n.h>
#include <gio/gsettingsbackend.h>

#include "bc-application.h"
#include "bc-lk-peer.h"
#include "bc-preferences-window.h"
#include "bc-window.h"
#include "bc-resources.h"
#include "bc-track-receiver.h"

struct _BcApplication
{
  AdwApplication parent_instance;

  char *profile;
  GSettings *settings;
  BcCredentialStore *credentials;
  BcApiClient *client;
  BcRealtime *realtime;
  GCancellable *cancellable;
};

enum
{
  PROP_0,
  PROP_CLIENT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcApplication, bc_application, ADW_TYPE_APPLICATION)

/* Application ids allow letters, digits and underscores in each element, and
 * an element must not start with a digit. */
char *
bc_application_dup_profile_app_id (const char *profile)
{
  GString *id;

  if (profile == NULL || *profile == '\0' || g_str_equal (profile, BC_DEFAULT_PROFILE))
    return g_strdup (APP_ID);

  id = g_string_new (APP_ID ".Profile_");
  for (const char *p = profile; *p; p++)
    g_string_append_c (id, g_ascii_isalnum (*p) ? *p : '_');

  return g_string_free (id, FALSE);
}

static GSettings *
settings_for_profile (const char *profile)
{
  g_autoptr (GSettingsBackend) backend = NULL;
  g_autofree char *path = NULL;
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr (GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      g_printerr (_ ("BountyCam’s settings schema %s is not installed. "
                     "Install BountyCam, or point GSETTINGS_SCHEMA_DIR at a compiled schema.\n"),
                  APP_ID);
      return NULL;
    }

  if (profile == NULL)
    return g_settings_new_full (schema, NULL, NULL);

  /* Each profile keeps its settings in a file of its own, so two profiles can
   * run side by side with different servers and cameras: a key file
   * ~/.config/bountycam/profiles/NAME/settings.ini with a [BountyCam] group,
   * e.g. default-camera='test'. */
  path = g_build_filename (g_get_user_config_dir (), "bountycam", "profiles", profile,
                           "settings.ini", NULL);
  backend = g_keyfile_settings_backend_new (path, "/app/bountycam/BountyCam/", "BountyCam");
  return g_settings_new_full (schema, backend, NULL);
}

const char *
bc_application_get_profile (BcApplication *self)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);

  return self->profile;
}

GSettings *
bc_application_get_settings (BcApplication *self)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);

  return self->settings;
}

BcApiClient *
bc_application_get_client (BcApplication *self)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);

  return self->client;
}

BcRealtime *
bc_application_get_realtime (BcApplication *self)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);

  return self->realtime;
}

BcCredentialStore *
bc_application_get_credential_store (BcApplication *self)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);

  return self->credentials;
}

static void
on_credentials_stored (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!bc_credential_store_store_finish (BC_CREDENTIAL_STORE (object), result, &error))
    g_message ("Could not keep the login in the keyring: %s", error->message);
}

static void
on_refresh_token_changed (BcApplication *self, GParamSpec *pspec, BcApiClient *client)
{
  const char *token = bc_api_client_get_refresh_token (client);

  /* The token rotates on every refresh; the keyring must follow, or the next
   * start would present a revoked token. */
  if (token != NULL && *token != '\0')
    bc_credential_store_store_async (self->credentials, bc_api_client_get_base_url (client), token,
                                     NULL, on_credentials_stored, NULL);
}

/**
 * bc_application_use_server:
 *
 * Makes sure the shared client talks to @server_url, replacing it (and the
 * realtime channel) when the address changed. Returns the client.
 */
BcApiClient *
bc_application_use_server (BcApplication *self, const char *server_url)
{
  g_return_val_if_fail (BC_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  if (self->client != NULL && g_str_equal (bc_api_client_get_base_url (self->client), server_url))
    return self->client;

  if (self->realtime != NULL)
    bc_realtime_stop (self->realtime);
  g_clear_object (&self->realtime);
  if (self->client != NULL)
    g_signal_handlers_disconnect_by_data (self->client, self);
  g_clear_object (&self->client);

  self->client = bc_api_client_new (server_url);
  g_signal_connect_object (self->client, "notify::refresh-token",
                           G_CALLBACK (on_refresh_token_changed), self, G_CONNECT_SWAPPED);
  self->realtime = bc_realtime_new (self->client);

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLIENT]);

  return self->client;
}

/**
 * bc_application_notify:
 *
 * Sends a desktop notification, but only when no window of ours has the
 * focus: in front of the user a toast says the same thing.
 */
void
bc_application_notify (BcApplication *self, const char *id, const char *title, const char *body)
{
  g_autoptr (GNotification) notification = NULL;
  GtkWindow *window;

  g_return_if_fail (BC_IS_APPLICATION (self));

  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window != NULL && gtk_window_is_active (window))
    return;

  notification = g_notification_new (title);
  if (body != NULL)
    g_notification_set_body (notification, body);
  g_notification_set_default_action (notification, "app.activate");
  g_application_send_notification (G_APPLICATION (self), id, notification);
}

static void
bc_application_activate (GApplication *app)
{
  BcApplication *self = BC_APPLICATION (app);
  GtkWindow *window;

  if (self->settings == NULL)
    return;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (bc_window_new (self));

  gtk_window_present (window);
}

static gint
bc_application_handle_local_options (GApplication *app, GVariantDict *options)
{
  BcApplication *self = BC_APPLICATION (app);
  const char *profile = NULL;

  if (g_variant_dict_lookup (options, "version", "b", NULL))
    {
      g_print ("bountycam %s\n", PACKAGE_VERSION);
      return 0;
    }

  /* The id decides which running instance we talk to, so it has to be set
   * before the application registers, which happens right after this. */
  if (g_variant_dict_lookup (options, "profile", "&s", &profile) && *profile != '\0' &&
      !g_str_equal (profile, BC_DEFAULT_PROFILE))
    {
      g_autofree char *app_id = bc_application_dup_profile_app_id (profile);

      g_free (self->profile);
      self->profile = g_strdup (profile);
      g_application_set_application_id (app, app_id);
    }

  return -1;
}

static void
on_activate_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  g_application_activate (G_APPLICATION (user_data));
}

static void
on_quit_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  BcApplication *self = user_data;
  g_autoptr (GList) windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));

  /* Closing the windows first lets them leave their rooms and save their size. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);

  g_application_quit (G_APPLICATION (self));
}

static void
on_preferences_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  BcApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  BcPreferencesWindow *preferences = bc_preferences_window_new (self->settings);

  gtk_window_set_transient_for (GTK_WINDOW (preferences), parent);
  gtk_window_present (GTK_WINDOW (preferences));
}

static void
on_about_action (GSimpleAction *action, GVariant *parameter, gpointer user_data)
{
  BcApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  const char *developers[] = { _ ("The BountyCam developers"), NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW, "transient-for", parent, "application-icon", APP_ID,
                        "application-name", _ ("BountyCam"), "developer-name",
                        _ ("The BountyCam developers"), "version", PACKAGE_VERSION, "comments",
                        _ ("Post a bounty to see something live, or go live "
                           "and earn its points."),
                        "license-type", GTK_LICENSE_GPL_3_0, "developers", developers,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _ ("translator-credits"), NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static const GActionEntry app_actions[] = {
  { "activate", on_activate_action },
  { "quit", on_quit_action },
  { "preferences", on_preferences_action },
  { "about", on_about_action },
};

static void
bc_application_startup (GApplication *app)
{
  BcApplication *self = BC_APPLICATION (app);
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "window.close", { "<Control>w", NULL } },
    { "win.new-bounty", { "<Control>n", NULL } },
    { "win.refresh", { "<Control>r", "F5", NULL } },
    { "win.go-back", { "<Alt>Left", "Escape", NULL } },
    { "win.toggle-streaming", { "<Control>Return", NULL } },
    { "win.toggle-microphone", { "<Control>m", NULL } },
    { "win.show-stats", { "<Control>i", NULL } },
  };

  G_APPLICATION_CLASS (bc_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions),
                                   self);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action,
                                           accels[i].accels);

  self->settings = settings_for_profile (self->profile);
  if (self->settings == NULL)
    return;

  self->credentials = bc_credential_store_new (self->profile);
  {
    g_autofree char *server = g_settings_get_string (self->settings, "server-url");
    bc_application_use_server (self, server);
  }

  /* While the user signs in and picks a bounty, a thread loads the WebRTC
   * plugins, the DTLS key and the decoders: the first stream of the run
   * then starts as fast as the later ones. */
  {
    g_auto (GStrv) names = NULL;

    gst_init (NULL, NULL); /* done already by main(), but not by every test */
    names = bc_track_receiver_dup_factory_names ();
    bc_lk_peer_warm_up_with ((const char *const *) names);
  }
}

static void
bc_application_shutdown (GApplication *app)
{
  BcApplication *self = BC_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  if (self->realtime != NULL)
    bc_realtime_stop (self->realtime);
  bc_lk_peer_warm_up_finish ();

  G_APPLICATION_CLASS (bc_application_parent_class)->shutdown (app);
}

static void
bc_application_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcApplication *self = BC_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_application_dispose (GObject *object)
{
  BcApplication *self = BC_APPLICATION (object);

  g_clear_object (&self->realtime);
  g_clear_object (&self->client);
  g_clear_object (&self->credentials);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (bc_application_parent_class)->dispose (object);
}

static void
bc_application_finalize (GObject *object)
{
  BcApplication *self = BC_APPLICATION (object);

  g_free (self->profile);

  G_OBJECT_CLASS (bc_application_parent_class)->finalize (object);
}

static void
bc_application_class_init (BcApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->get_property = bc_application_get_property;
  object_class->dispose = bc_application_dispose;
  object_class->finalize = bc_application_finalize;

  app_class->activate = bc_application_activate;
  app_class->startup = bc_application_startup;
  app_class->shutdown = bc_application_shutdown;
  app_class->handle_local_options = bc_application_handle_local_options;

  /* The client for the current server address; replaced when it changes. */
  properties[PROP_CLIENT] =
      g_param_spec_object ("client", NULL, NULL, BC_TYPE_API_CLIENT,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_application_init (BcApplication *self)
{
  static const GOptionEntry options[] = {
    { "profile", 'p', G_OPTION_FLAG_NONE, G_OPTION_ARG_STRING, NULL,
      N_ ("Run a separate instance with its own login and settings"), N_ ("NAME") },
    { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL, N_ ("Show the version and quit"),
      NULL },
    { NULL }
  };

  self->cancellable = g_cancellable_new ();
  g_application_add_main_option_entries (G_APPLICATION (self), options);

  /* Referencing the resource keeps it (and its constructor, which registers
   * it) linked in from the static library. */
  (void) bc_get_resource ();
}

BcApplication *
bc_application_new (void)
{
  /* The resource path stays the same for every profile's application id. */
  return g_object_new (BC_TYPE_APPLICATION, "application-id", APP_ID, "resource-base-path",
                       "/app/bountycam/BountyCam", "flags", G_APPLICATION_DEFAULT_FLAGS, NULL);
}
