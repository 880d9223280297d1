/* BcWindow: the main window. It moves between the sign-in page, the
 * dashboard and a session, and owns the actions the pages share. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <glib/gi18n.h>

#include "bc-app-util.h"
#include "bc-dashboard-page.h"
#include "bc-new-bounty-dialog.h"
#include "bc-session-page.h"
#include "bc-sign-in-page.h"
#include "bc-window.h"

struct _BcWindow
{
  AdwApplicationWindow parent_instance;

  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  BcSignInPage *sign_in_page;
  BcDashboardPage *dashboard_page;
  BcSessionPage *session_page;

  GCancellable *cancellable;
  BcApiClient *watched_client;
  GPtrArray *toasts;
};

enum
{
  PROP_0,
  PROP_PAGE_NAME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcWindow, bc_window, ADW_TYPE_APPLICATION_WINDOW)

static BcApplication *
get_app (BcWindow *self)
{
  return BC_APPLICATION (gtk_window_get_application (GTK_WINDOW (self)));
}

static void
on_toast_dismissed (AdwToast *toast, BcWindow *self)
{
  if (self->toasts != NULL)
    g_ptr_array_remove (self->toasts, toast);
}

void
bc_window_add_toast (BcWindow *self, const char *message)
{
  AdwToast *toast;

  g_return_if_fail (BC_IS_WINDOW (self));

  toast = adw_toast_new (message);
  adw_toast_set_timeout (toast, 4);
  g_ptr_array_add (self->toasts, g_object_ref (toast));
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (on_toast_dismissed), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * bc_window_get_n_toasts:
 *
 * Returns: how many toasts are shown or waiting to be shown
 */
guint
bc_window_get_n_toasts (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), 0);

  return self->toasts->len;
}

void
bc_window_show_error (BcWindow *self, const GError *error)
{
  g_autofree char *message = bc_describe_error (error);

  bc_window_add_toast (self, message);
}

const char *
bc_window_get_page_name (BcWindow *self)
{
  g_return_val_if_fail (BC_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

GtkWidget *
bc_window_get_sign_in_page (BcWindow *self)
{
  return GTK_WIDGET (self->sign_in_page);
}

GtkWidget *
bc_window_get_dashboard_page (BcWindow *self)
{
  return GTK_WIDGET (self->dashboard_page);
}

GtkWidget *
bc_window_get_session_page (BcWindow *self)
{
  return GTK_WIDGET (self->session_page);
}

static void
update_actions (BcWindow *self)
{
  const char *page = gtk_stack_get_visible_child_name (self->stack);
  gboolean signed_in = !g_str_equal (page, "sign-in");
  gboolean in_session = g_str_equal (page, "session");

  gtk_widget_action_set_enabled (
      GTK_WIDGET (self), "win.new-bounty",
      g_str_equal (page, "dashboard") &&
          g_strcmp0 (bc_dashboard_page_get_state (self->dashboard_page), "content") == 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.refresh", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.sign-out", signed_in);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.go-back", in_session);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-streaming", in_session);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-microphone", in_session);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.show-stats", in_session);
}

static void
set_page (BcWindow *self, const char *name)
{
  gtk_stack_set_visible_child_name (self->stack, name);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAGE_NAME]);
}

static void
on_login_expired (BcWindow *self)
{
  BcApplication *app = get_app (self);
  g_autofree char *server = g_settings_get_string (bc_application_get_settings (app), "server-url");

  bc_session_page_leave (self->session_page);
  bc_dashboard_page_stop (self->dashboard_page);
  bc_sign_in_page_reset (self->sign_in_page, server);
  bc_sign_in_page_show_error (self->sign_in_page,
                              _ ("Your login has expired. Please sign in again."));
  set_page (self, "sign-in");
}

static void
watch_client (BcWindow *self)
{
  BcApiClient *client = bc_application_get_client (get_app (self));

  if (client == self->watched_client)
    return;

  if (self->watched_client != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_client, self);
  g_set_object (&self->watched_client, client);
  if (client != NULL)
    g_signal_connect_object (client, "login-expired", G_CALLBACK (on_login_expired), self,
                             G_CONNECT_SWAPPED);
}

void
bc_window_show_dashboard (BcWindow *self)
{
  g_return_if_fail (BC_IS_WINDOW (self));

  watch_client (self);
  set_page (self, "dashboard");
  bc_dashboard_page_start (self->dashboard_page);
}

static void
show_sign_in (BcWindow *self)
{
  g_autofree char *server =
      g_settings_get_string (bc_application_get_settings (get_app (self)), "server-url");

  bc_sign_in_page_reset (self->sign_in_page, server);
  set_page (self, "sign-in");
}

static void
on_signed_in (BcWindow *self, BcUser *user)
{
  /* The dashboard's title says whose it is; no toast needed. */
  bc_window_show_dashboard (self);
}

static void
on_credentials_found (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *server = NULL;
  g_autofree char *token = NULL;
  BcApiClient *client;

  token = bc_credential_store_lookup_finish (BC_CREDENTIAL_STORE (object), result, &server, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    g_debug ("No stored login: %s", error->message);

  if (token == NULL || server == NULL)
    {
      show_sign_in (self);
      return;
    }

  client = bc_application_use_server (get_app (self), server);
  bc_api_client_set_refresh_token (client, token);
  bc_window_show_dashboard (self);
}

static void
on_signed_out (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  /* The login is forgotten locally either way; the server forgets it when it
   * is reachable, or when the refresh token expires. */
  if (!bc_api_client_logout_finish (BC_API_CLIENT (object), result, &error))
    g_debug ("Sign-out not confirmed by the server: %s", error->message);
}

static void
on_credentials_cleared (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!bc_credential_store_clear_finish (BC_CREDENTIAL_STORE (object), result, &error))
    g_message ("Could not remove the login from the keyring: %s", error->message);
}

static void
sign_out (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  BcApplication *app = get_app (self);
  BcApiClient *client = bc_application_get_client (app);

  bc_session_page_leave (self->session_page);
  bc_dashboard_page_stop (self->dashboard_page);
  bc_credential_store_clear_async (bc_application_get_credential_store (app), NULL, NULL,
                                   on_credentials_cleared, NULL);
  if (client != NULL)
    bc_api_client_logout_async (client, NULL, on_signed_out, NULL);
  show_sign_in (self);
}

static void
refresh (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  BcRealtime *realtime = bc_application_get_realtime (get_app (self));

  if (realtime != NULL && bc_realtime_get_state (realtime) != BC_REALTIME_STATE_CONNECTED)
    bc_realtime_reconnect_now (realtime);

  bc_dashboard_page_reload (self->dashboard_page);
  if (g_str_equal (bc_window_get_page_name (self), "session"))
    bc_session_page_reload (self->session_page);
}

static void
go_back (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcWindow *self = BC_WINDOW (widget);

  if (!g_str_equal (bc_window_get_page_name (self), "session"))
    return;

  bc_session_page_leave (self->session_page);
  set_page (self, "dashboard");
  bc_dashboard_page_reload (self->dashboard_page);
}

static void
on_bounty_created (BcWindow *self, BcBounty *bounty)
{
  /* The new bounty shows up under My Bounties at once. */
  bc_dashboard_page_reload (self->dashboard_page);
}

static void
new_bounty (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  BcApiClient *client = bc_application_get_client (get_app (self));
  BcNewBountyDialog *dialog;

  if (client == NULL || !g_str_equal (bc_window_get_page_name (self), "dashboard"))
    return;

  dialog = bc_new_bounty_dialog_new (GTK_WINDOW (self), client,
                                     bc_dashboard_page_get_balance (self->dashboard_page));
  g_signal_connect_object (dialog, "created", G_CALLBACK (on_bounty_created), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_session_loaded (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  session = bc_api_client_get_session_finish (BC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (session == NULL)
    {
      bc_window_show_error (self, error);
      return;
    }

  bc_session_page_set_session (self->session_page, session);
  set_page (self, "session");
}

void
bc_window_open_session (BcWindow *self, const char *session_id)
{
  BcApiClient *client;

  g_return_if_fail (BC_IS_WINDOW (self));

  client = bc_application_get_client (get_app (self));
  if (client == NULL)
    return;

  /* Fetched fresh: the page needs the events, which lists may leave out. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  bc_api_client_get_session_async (client, session_id, self->cancellable, on_session_loaded,
                                   g_object_ref (self));
}

static void
open_session (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  bc_window_open_session (BC_WINDOW (widget), g_variant_get_string (parameter, NULL));
}

static void
on_bounty_accepted (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcWindow) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  session = bc_api_client_accept_bounty_finish (BC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (session == NULL)
    {
      if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT))
        bc_window_add_toast (self, _ ("Someone else accepted this bounty first."));
      else
        bc_window_show_error (self, error);
      bc_dashboard_page_reload (self->dashboard_page);
      return;
    }

  bc_window_open_session (self, bc_session_get_id (session));
}

static void
accept_bounty (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  BcApiClient *client = bc_application_get_client (get_app (self));

  if (client == NULL)
    return;

  bc_api_client_accept_bounty_async (client, g_variant_get_string (parameter, NULL),
                                     self->cancellable, on_bounty_accepted, g_object_ref (self));
}

static void
forward_to_session (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcWindow *self = BC_WINDOW (widget);
  const char *session_action = NULL;

  if (g_str_equal (action_name, "win.toggle-streaming"))
    session_action = "session.toggle-streaming";
  else if (g_str_equal (action_name, "win.toggle-microphone"))
    session_action = "session.toggle-microphone";
  else if (g_str_equal (action_name, "win.show-stats"))
    session_action = "session.show-stats";

  if (session_action != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self->session_page), session_action, NULL);
}

static gboolean
bc_window_close_request (GtkWindow *window)
{
  BcWindow *self = BC_WINDOW (window);
  BcApplication *app = get_app (self);
  GSettings *settings = app ? bc_application_get_settings (app) : NULL;
  int width, height;

  if (settings != NULL)
    {
      gtk_window_get_default_size (window, &width, &height);
      g_settings_delay (settings);
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
      g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
      g_settings_apply (settings);
    }

  bc_session_page_leave (self->session_page);

  return GTK_WINDOW_CLASS (bc_window_parent_class)->close_request (window);
}

/* The application is set after constructed() (it is not a construct
 * property), so the window is set up here, from bc_window_new(). */
static void
bc_window_setup (BcWindow *self)
{
  BcApplication *app = get_app (self);
  GSettings *settings = bc_application_get_settings (app);
  const char *profile = bc_application_get_profile (app);

  gtk_window_set_default_size (GTK_WINDOW (self), g_settings_get_int (settings, "window-width"),
                               g_settings_get_int (settings, "window-height"));
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  if (profile != NULL)
    {
      g_autofree char *title = NULL;

      /* Translators: the window title of a profile, %s is its name */
      title = g_strdup_printf (_ ("BountyCam (%s)"), profile);
      gtk_window_set_title (GTK_WINDOW (self), title);
    }

  g_signal_connect_object (app, "notify::client", G_CALLBACK (watch_client), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->dashboard_page, "notify::state", G_CALLBACK (update_actions), self,
                           G_CONNECT_SWAPPED);
  watch_client (self);

  /* Restore the stored login; the dashboard's spinner shows meanwhile. */
  set_page (self, "dashboard");
  bc_credential_store_lookup_async (bc_application_get_credential_store (app), NULL,
                                    self->cancellable, on_credentials_found, g_object_ref (self));
}

static void
bc_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcWindow *self = BC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_PAGE_NAME:
      g_value_set_string (value, bc_window_get_page_name (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_window_dispose (GObject *object)
{
  BcWindow *self = BC_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->watched_client != NULL)
    g_signal_handlers_disconnect_by_data (self->watched_client, self);
  g_clear_object (&self->watched_client);
  g_clear_pointer (&self->toasts, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_window_parent_class)->dispose (object);
}

static void
bc_window_class_init (BcWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->get_property = bc_window_get_property;
  object_class->dispose = bc_window_dispose;
  window_class->close_request = bc_window_close_request;

  /* "sign-in", "dashboard" or "session" */
  properties[PROP_PAGE_NAME] =
      g_param_spec_string ("page-name", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (BC_TYPE_SIGN_IN_PAGE);
  g_type_ensure (BC_TYPE_DASHBOARD_PAGE);
  g_type_ensure (BC_TYPE_SESSION_PAGE);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/app/bountycam/BountyCam/ui/bc-window.ui");
  gtk_widget_class_bind_template_child (widget_class, BcWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, sign_in_page);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, dashboard_page);
  gtk_widget_class_bind_template_child (widget_class, BcWindow, session_page);
  gtk_widget_class_bind_template_callback (widget_class, on_signed_in);

  gtk_widget_class_install_action (widget_class, "win.new-bounty", NULL, new_bounty);
  gtk_widget_class_install_action (widget_class, "win.refresh", NULL, refresh);
  gtk_widget_class_install_action (widget_class, "win.go-back", NULL, go_back);
  gtk_widget_class_install_action (widget_class, "win.sign-out", NULL, sign_out);
  gtk_widget_class_install_action (widget_class, "win.accept-bounty", "s", accept_bounty);
  gtk_widget_class_install_action (widget_class, "win.open-session", "s", open_session);
  gtk_widget_class_install_action (widget_class, "win.toggle-streaming", NULL, forward_to_session);
  gtk_widget_class_install_action (widget_class, "win.toggle-microphone", NULL, forward_to_session);
  gtk_widget_class_install_action (widget_class, "win.show-stats", NULL, forward_to_session);
}

static void
bc_window_init (BcWindow *self)
{
  self->cancellable = g_cancellable_new ();
  self->toasts = g_ptr_array_new_with_free_func (g_object_unref);
  gtk_widget_init_template (GTK_WIDGET (self));
}

BcWindow *
bc_window_new (BcApplication *application)
{
  BcWindow *self = g_object_new (BC_TYPE_WINDOW, "application", application, NULL);

  bc_window_setup (self);
  return self;
}
