/* BcSignInPage: the server address and the account, for signing in or up. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>
#include <string.h>

#include "bc-app-util.h"
#include "bc-application.h"
#include "bc-sign-in-page.h"

struct _BcSignInPage
{
  GtkWidget parent_instance;

  AdwEntryRow *server_row;
  AdwEntryRow *display_name_row;
  AdwEntryRow *email_row;
  AdwPasswordEntryRow *password_row;
  GtkRevealer *error_revealer;
  GtkLabel *error_label;
  GtkLabel *heading_label;
  GtkLabel *subheading_label;
  GtkButton *submit_button;
  GtkLabel *submit_label;
  GtkStack *submit_stack;
  GtkSpinner *spinner;
  GtkLabel *switch_mode_hint;
  GtkButton *switch_mode_button;

  GCancellable *cancellable;
  gboolean busy;
  gboolean signing_up;
};

enum
{
  PROP_0,
  PROP_BUSY,
  PROP_SIGNING_UP,
  N_PROPS
};

enum
{
  SIGNED_IN,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcSignInPage, bc_sign_in_page, GTK_TYPE_WIDGET)

static void
set_busy (BcSignInPage *self, gboolean busy)
{
  if (self->busy == busy)
    return;

  self->busy = busy;
  gtk_stack_set_visible_child_name (self->submit_stack, busy ? "busy" : "label");
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->email_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->password_row), !busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->display_name_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.submit", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sign-in.toggle-mode", !busy);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

void
bc_sign_in_page_show_error (BcSignInPage *self, const char *message)
{
  g_return_if_fail (BC_IS_SIGN_IN_PAGE (self));

  if (message != NULL)
    gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static void
mark_invalid (GtkWidget *row, gboolean invalid)
{
  if (invalid)
    gtk_widget_add_css_class (row, "error");
  else
    gtk_widget_remove_css_class (row, "error");
}

static char *
describe_sign_in_error (BcSignInPage *self, const GError *error, const char *server_url)
{
  if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED))
    return g_strdup (_ ("The email address or password is wrong."));

  if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNREACHABLE))
    return g_strdup_printf (_ ("Can’t reach the server at %s. Check the address and your "
                               "network connection."),
                            server_url);

  if (self->signing_up && g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT))
    return g_strdup (_ ("An account with this email address already exists. Sign in instead."));

  return bc_describe_error (error);
}

typedef struct
{
  BcSignInPage *self;
  char *server_url;
} SubmitData;

static void
submit_data_free (SubmitData *data)
{
  g_object_unref (data->self);
  g_free (data->server_url);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SubmitData, submit_data_free)

static void
on_sign_in_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (SubmitData) data = user_data;
  BcSignInPage *self = data->self;
  g_autoptr (BcUser) user = NULL;
  g_autoptr (GError) error = NULL;

  if (self->signing_up)
    user = bc_api_client_signup_finish (BC_API_CLIENT (object), result, &error);
  else
    user = bc_api_client_login_finish (BC_API_CLIENT (object), result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  set_busy (self, FALSE);

  if (user == NULL)
    {
      g_autofree char *message = describe_sign_in_error (self, error, data->server_url);

      bc_sign_in_page_show_error (self, message);
      if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED))
        {
          mark_invalid (GTK_WIDGET (self->password_row), TRUE);
          gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
        }
      else if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNREACHABLE))
        mark_invalid (GTK_WIDGET (self->server_row), TRUE);
      return;
    }

  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  bc_sign_in_page_show_error (self, NULL);
  g_signal_emit (self, signals[SIGNED_IN], 0, user);
}

static char *
normalize_server_url (const char *text)
{
  g_autofree char *url = g_strstrip (g_strdup (text));
  g_autoptr (GUri) uri = NULL;

  if (*url == '\0')
    return NULL;

  /* "bounty.example.org" means https; only loopback may go without TLS by default. */
  if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
    {
      char *with_scheme = g_strconcat ("https://", url, NULL);
      g_free (url);
      url = with_scheme;
    }

  while (g_str_has_suffix (url, "/"))
    url[strlen (url) - 1] = '\0';

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;

  return g_steal_pointer (&url);
}

static void
submit (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcSignInPage *self = BC_SIGN_IN_PAGE (widget);
  BcApplication *app = BC_APPLICATION (g_application_get_default ());
  g_autofree char *server_url =
      normalize_server_url (gtk_editable_get_text (GTK_EDITABLE (self->server_row)));
  g_autofree char *email =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->email_row))));
  g_autofree char *display_name =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->display_name_row))));
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  BcApiClient *client;
  SubmitData *data;

  if (self->busy)
    return;

  mark_invalid (GTK_WIDGET (self->server_row), server_url == NULL);
  mark_invalid (GTK_WIDGET (self->email_row), strchr (email, '@') == NULL);
  mark_invalid (GTK_WIDGET (self->password_row), *password == '\0');
  mark_invalid (GTK_WIDGET (self->display_name_row), self->signing_up && *display_name == '\0');

  if (server_url == NULL)
    {
      bc_sign_in_page_show_error (self, _ ("Enter the address of your BountyCam server, "
                                           "such as https://bountycam.example.org."));
      gtk_widget_grab_focus (GTK_WIDGET (self->server_row));
      return;
    }
  if (self->signing_up && *display_name == '\0')
    {
      bc_sign_in_page_show_error (self, _ ("Enter the name other people will see."));
      gtk_widget_grab_focus (GTK_WIDGET (self->display_name_row));
      return;
    }
  if (strchr (email, '@') == NULL)
    {
      bc_sign_in_page_show_error (self, _ ("Enter your email address."));
      gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
      return;
    }
  if (*password == '\0')
    {
      bc_sign_in_page_show_error (self, _ ("Enter your password."));
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  bc_sign_in_page_show_error (self, NULL);
  gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  g_settings_set_string (bc_application_get_settings (app), "server-url", server_url);
  client = bc_application_use_server (app, server_url);

  set_busy (self, TRUE);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();

  data = g_new0 (SubmitData, 1);
  data->self = g_object_ref (self);
  data->server_url = g_steal_pointer (&server_url);

  if (self->signing_up)
    bc_api_client_signup_async (client, email, password, display_name, self->cancellable,
                                on_sign_in_done, data);
  else
    bc_api_client_login_async (client, email, password, self->cancellable, on_sign_in_done, data);
}

gboolean
bc_sign_in_page_get_signing_up (BcSignInPage *self)
{
  g_return_val_if_fail (BC_IS_SIGN_IN_PAGE (self), FALSE);

  return self->signing_up;
}

void
bc_sign_in_page_set_signing_up (BcSignInPage *self, gboolean signing_up)
{
  g_return_if_fail (BC_IS_SIGN_IN_PAGE (self));

  signing_up = !!signing_up;
  if (self->signing_up == signing_up)
    return;

  self->signing_up = signing_up;
  gtk_widget_set_visible (GTK_WIDGET (self->display_name_row), signing_up);
  gtk_label_set_label (self->heading_label,
                       signing_up ? _ ("Create Your Account") : _ ("Welcome to BountyCam"));
  gtk_label_set_label (self->subheading_label,
                       signing_up ? _ ("New accounts start with points to spend on bounties.")
                                  : _ ("Post a bounty to see something live, or go live and earn "
                                       "points."));
  gtk_label_set_label (self->submit_label, signing_up ? _ ("Create Account") : _ ("Sign In"));
  gtk_label_set_label (self->switch_mode_hint,
                       signing_up ? _ ("Already have an account?") : _ ("New to BountyCam?"));
  gtk_button_set_label (self->switch_mode_button,
                        signing_up ? _ ("Sign In") : _ ("Create an Account"));
  bc_sign_in_page_show_error (self, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNING_UP]);
}

static void
toggle_mode (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcSignInPage *self = BC_SIGN_IN_PAGE (widget);

  bc_sign_in_page_set_signing_up (self, !self->signing_up);
}

/**
 * bc_sign_in_page_reset:
 *
 * Back to a clean form for @server_url, e.g. after signing out.
 */
void
bc_sign_in_page_reset (BcSignInPage *self, const char *server_url)
{
  g_return_if_fail (BC_IS_SIGN_IN_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  set_busy (self, FALSE);
  if (server_url != NULL)
    gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
  gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
  bc_sign_in_page_show_error (self, NULL);
}

gboolean
bc_sign_in_page_get_busy (BcSignInPage *self)
{
  g_return_val_if_fail (BC_IS_SIGN_IN_PAGE (self), FALSE);

  return self->busy;
}

static void
on_row_changed (GtkWidget *row)
{
  gtk_widget_remove_css_class (row, "error");
}

static void
bc_sign_in_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcSignInPage *self = BC_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_SIGNING_UP:
      g_value_set_boolean (value, self->signing_up);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sign_in_page_set_property (GObject *object,
                              guint prop_id,
                              const GValue *value,
                              GParamSpec *pspec)
{
  BcSignInPage *self = BC_SIGN_IN_PAGE (object);

  switch (prop_id)
    {
    case PROP_SIGNING_UP:
      bc_sign_in_page_set_signing_up (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_sign_in_page_dispose (GObject *object)
{
  BcSignInPage *self = BC_SIGN_IN_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_SIGN_IN_PAGE);
  /* The template's top box has no id, so it is not among the children
   * gtk_widget_dispose_template() takes care of. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (bc_sign_in_page_parent_class)->dispose (object);
}

static void
bc_sign_in_page_class_init (BcSignInPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bc_sign_in_page_get_property;
  object_class->set_property = bc_sign_in_page_set_property;
  object_class->dispose = bc_sign_in_page_dispose;

  properties[PROP_BUSY] =
      g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNING_UP] =
      g_param_spec_boolean ("signing-up", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Emitted with the BcUser once the client holds a login. */
  signals[SIGNED_IN] = g_signal_new ("signed-in", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                     NULL, NULL, NULL, G_TYPE_NONE, 1, BC_TYPE_USER);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/app/bountycam/BountyCam/ui/bc-sign-in-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, server_row);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, display_name_row);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, email_row);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, password_row);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, error_label);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, heading_label);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, subheading_label);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, submit_button);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, submit_label);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, submit_stack);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, spinner);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, switch_mode_hint);
  gtk_widget_class_bind_template_child (widget_class, BcSignInPage, switch_mode_button);

  gtk_widget_class_install_action (widget_class, "sign-in.submit", NULL, submit);
  gtk_widget_class_install_action (widget_class, "sign-in.toggle-mode", NULL, toggle_mode);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bcsigninpage");
}

static void
on_entry_activated (BcSignInPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "sign-in.submit", NULL);
}

static void
bc_sign_in_page_init (BcSignInPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* Enter in any field signs in; no default widget is needed for that. */
  g_signal_connect_swapped (self->server_row, "entry-activated", G_CALLBACK (on_entry_activated),
                            self);
  g_signal_connect_swapped (self->email_row, "entry-activated", G_CALLBACK (on_entry_activated),
                            self);
  g_signal_connect_swapped (self->password_row, "entry-activated", G_CALLBACK (on_entry_activated),
                            self);
  g_signal_connect_swapped (self->display_name_row, "entry-activated",
                            G_CALLBACK (on_entry_activated), self);
  g_signal_connect (self->server_row, "changed", G_CALLBACK (on_row_changed), NULL);
  g_signal_connect (self->email_row, "changed", G_CALLBACK (on_row_changed), NULL);
  g_signal_connect (self->password_row, "changed", G_CALLBACK (on_row_changed), NULL);
  g_signal_connect (self->display_name_row, "changed", G_CALLBACK (on_row_changed), NULL);
}

GtkWidget *
bc_sign_in_page_new (void)
{
  return g_object_new (BC_TYPE_SIGN_IN_PAGE, NULL);
}
