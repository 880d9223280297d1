/* BcNewBountyDialog: title, description and reward of a new bounty, checked
 * as they are typed, then posted. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <glib/gi18n.h>

#include "bc-app-util.h"
#include "bc-new-bounty-dialog.h"

#define TITLE_MIN_CHARS       3
#define TITLE_MAX_CHARS       120
#define DESCRIPTION_MAX_CHARS 2000

struct _BcNewBountyDialog
{
  AdwWindow parent_instance;

  AdwEntryRow *title_row;
  GtkTextView *description_view;
  AdwActionRow *reward_row;
  GtkSpinButton *reward_spin;
  GtkAdjustment *reward_adjustment;
  GtkLabel *error_label;
  GtkButton *create_button;
  GtkSpinner *spinner;

  BcApiClient *client;
  GCancellable *cancellable;
  gint64 balance;
  gboolean edited;
};

enum
{
  CREATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (BcNewBountyDialog, bc_new_bounty_dialog, ADW_TYPE_WINDOW)

static char *
dup_description (BcNewBountyDialog *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return g_strstrip (gtk_text_buffer_get_text (buffer, &start, &end, FALSE));
}

/**
 * bc_new_bounty_dialog_validate:
 *
 * Returns: (nullable): what is wrong with the form, or %NULL when it can be posted
 */
const char *
bc_new_bounty_dialog_validate (BcNewBountyDialog *self)
{
  g_autofree char *title =
      g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  g_autofree char *description = dup_description (self);
  glong title_len = g_utf8_strlen (title, -1);
  gint64 reward = (gint64) gtk_spin_button_get_value (self->reward_spin);

  if (self->balance < 1)
    return _ ("You have no points left to offer. Approve or reject your open sessions, or go "
              "live on someone else’s bounty to earn some.");
  if (title_len < TITLE_MIN_CHARS)
    return _ ("Give the bounty a title of at least 3 characters.");
  if (title_len > TITLE_MAX_CHARS)
    return _ ("The title is too long: keep it under 120 characters.");
  if (g_utf8_strlen (description, -1) > DESCRIPTION_MAX_CHARS)
    return _ ("The description is too long: keep it under 2000 characters.");
  if (reward < 1 || reward > self->balance)
    return _ ("The reward must be between 1 point and your balance.");

  return NULL;
}

static void
update_validity (BcNewBountyDialog *self)
{
  const char *problem = bc_new_bounty_dialog_validate (self);
  gboolean busy = self->cancellable != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "bounty.create", problem == NULL && !busy);

  /* Do not scold before the user typed anything. */
  if (problem != NULL && (self->edited || self->balance < 1))
    {
      gtk_label_set_label (self->error_label, problem);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
}

static void
on_changed (BcNewBountyDialog *self)
{
  self->edited = TRUE;
  update_validity (self);
}

static void
on_created (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcNewBountyDialog) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcBounty) bounty = NULL;

  bounty = bc_api_client_create_bounty_finish (BC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->cancellable);
  gtk_spinner_set_spinning (self->spinner, FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->title_row), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->description_view), TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reward_spin), TRUE);

  if (bounty == NULL)
    {
      g_autofree char *message = bc_describe_error (error);

      update_validity (self);
      gtk_label_set_label (self->error_label, message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  g_signal_emit (self, signals[CREATED], 0, bounty);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
create (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcNewBountyDialog *self = BC_NEW_BOUNTY_DIALOG (widget);
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;

  self->edited = TRUE;
  if (bc_new_bounty_dialog_validate (self) != NULL || self->cancellable != NULL)
    {
      update_validity (self);
      return;
    }

  title = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row))));
  description = dup_description (self);

  self->cancellable = g_cancellable_new ();
  update_validity (self);
  gtk_spinner_set_spinning (self->spinner, TRUE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->title_row), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->description_view), FALSE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reward_spin), FALSE);

  bc_api_client_create_bounty_async (self->client, title, description,
                                     (gint64) gtk_spin_button_get_value (self->reward_spin),
                                     self->cancellable, on_created, g_object_ref (self));
}

static void
on_title_activated (BcNewBountyDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "bounty.create", NULL);
}

static void
bc_new_bounty_dialog_dispose (GObject *object)
{
  BcNewBountyDialog *self = BC_NEW_BOUNTY_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (bc_new_bounty_dialog_parent_class)->dispose (object);
}

static void
bc_new_bounty_dialog_class_init (BcNewBountyDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = bc_new_bounty_dialog_dispose;

  /* Emitted with the new BcBounty once the server has it. */
  signals[CREATED] = g_signal_new ("created", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                   NULL, NULL, G_TYPE_NONE, 1, BC_TYPE_BOUNTY);

  gtk_widget_class_set_template_from_resource (
      widget_class, "/app/bountycam/BountyCam/ui/bc-new-bounty-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, title_row);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, description_view);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, reward_row);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, reward_spin);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, reward_adjustment);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, create_button);
  gtk_widget_class_bind_template_child (widget_class, BcNewBountyDialog, spinner);

  gtk_widget_class_install_action (widget_class, "bounty.create", NULL, create);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
bc_new_bounty_dialog_init (BcNewBountyDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_swapped (self->title_row, "changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (gtk_text_view_get_buffer (self->description_view), "changed",
                            G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->reward_spin, "value-changed", G_CALLBACK (on_changed), self);
  g_signal_connect_swapped (self->title_row, "entry-activated", G_CALLBACK (on_title_activated),
                            self);
}

BcNewBountyDialog *
bc_new_bounty_dialog_new (GtkWindow *parent, BcApiClient *client, gint64 balance)
{
  BcNewBountyDialog *self;
  g_autofree char *balance_text = bc_format_points (balance);
  g_autofree char *subtitle = NULL;

  g_return_val_if_fail (BC_IS_API_CLIENT (client), NULL);

  self = g_object_new (BC_TYPE_NEW_BOUNTY_DIALOG, "transient-for", parent, NULL);
  self->client = g_object_ref (client);
  self->balance = balance;

  gtk_adjustment_set_upper (self->reward_adjustment, MAX (balance, 1));
  gtk_adjustment_set_value (self->reward_adjustment, CLAMP (10, 1, MAX (balance, 1)));
  /* Translators: %s is the balance, such as "90 points" */
  subtitle = g_strdup_printf (_ ("You have %s"), balance_text);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->reward_row), subtitle);
  self->edited = FALSE;
  update_validity (self);

  return self;
}
