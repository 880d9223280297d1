/* BcBountyRow: one bounty or session in the dashboard's lists. */
#include "config.h"

#include <glib/gi18n.h>

#include "bc-app-util.h"
#include "bc-bounty-row.h"

struct _BcBountyRow
{
  AdwActionRow parent_instance;

  AdwAvatar *avatar;
  GtkLabel *status_label;
  GtkLabel *reward_label;
  GtkButton *action_button;

  char *status_class;
};

G_DEFINE_FINAL_TYPE (BcBountyRow, bc_bounty_row, ADW_TYPE_ACTION_ROW)

/**
 * bc_bounty_row_set_content:
 * @person: whose bounty or stream it is, shown in the avatar and subtitle
 * @detail: (nullable): the rest of the subtitle, such as its age
 */
void
bc_bounty_row_set_content (BcBountyRow *self,
                           const char *title,
                           const char *person,
                           const char *detail,
                           gint64 reward_points)
{
  g_autofree char *reward = bc_format_points (reward_points);
  g_autofree char *subtitle = NULL;

  g_return_if_fail (BC_IS_BOUNTY_ROW (self));

  if (person != NULL && detail != NULL && *detail != '\0')
    /* Translators: a bounty's subtitle: "<who> · <when>" */
    subtitle = g_strdup_printf (_ ("%s · %s"), person, detail);
  else
    subtitle = g_strdup (person ? person : detail);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle ? subtitle : "");
  adw_avatar_set_text (self->avatar, person);
  gtk_label_set_label (self->reward_label, reward);
}

/**
 * bc_bounty_row_set_status:
 * @text: (nullable): the status to show, or %NULL for none
 * @style_class: (nullable): "live", "approved", "rejected", …
 */
void
bc_bounty_row_set_status (BcBountyRow *self, const char *text, const char *style_class)
{
  g_return_if_fail (BC_IS_BOUNTY_ROW (self));

  if (self->status_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->status_class);
  g_clear_pointer (&self->status_class, g_free);

  gtk_label_set_label (self->status_label, text ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->status_label), text != NULL);

  if (style_class != NULL)
    {
      self->status_class = g_strdup (style_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), style_class);
    }
}

/**
 * bc_bounty_row_set_action:
 * @label: (nullable): the button's label, %NULL for no button
 * @target: the string the action is activated with
 */
void
bc_bounty_row_set_action (BcBountyRow *self,
                          const char *label,
                          const char *action_name,
                          const char *target,
                          gboolean suggested)
{
  g_return_if_fail (BC_IS_BOUNTY_ROW (self));

  gtk_widget_set_visible (GTK_WIDGET (self->action_button), label != NULL);
  if (label == NULL)
    return;

  gtk_button_set_label (self->action_button, label);
  gtk_button_set_use_underline (self->action_button, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->action_button), action_name);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->action_button), "s", target);
  if (suggested)
    gtk_widget_add_css_class (GTK_WIDGET (self->action_button), "suggested-action");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->action_button), "suggested-action");
}

GtkButton *
bc_bounty_row_get_action_button (BcBountyRow *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY_ROW (self), NULL);

  return self->action_button;
}

static void
bc_bounty_row_finalize (GObject *object)
{
  BcBountyRow *self = BC_BOUNTY_ROW (object);

  g_free (self->status_class);

  G_OBJECT_CLASS (bc_bounty_row_parent_class)->finalize (object);
}

static void
bc_bounty_row_class_init (BcBountyRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = bc_bounty_row_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/app/bountycam/BountyCam/ui/bc-bounty-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BcBountyRow, avatar);
  gtk_widget_class_bind_template_child (widget_class, BcBountyRow, status_label);
  gtk_widget_class_bind_template_child (widget_class, BcBountyRow, reward_label);
  gtk_widget_class_bind_template_child (widget_class, BcBountyRow, action_button);
}

static void
bc_bounty_row_init (BcBountyRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bc_bounty_row_new (void)
{
  return g_object_new (BC_TYPE_BOUNTY_ROW, NULL);
}
