/* BcEventRow: one entry of a session's timeline. */
#include "config.h"

#include <glib/gi18n.h>

#include "bc-event-row.h"

struct _BcEventRow
{
  AdwActionRow parent_instance;

  GtkImage *icon;
  GtkLabel *time_label;
};

G_DEFINE_FINAL_TYPE (BcEventRow, bc_event_row, ADW_TYPE_ACTION_ROW)

static void
describe_event (const char *type, const char **title, const char **icon, const char **style)
{
  static const struct
  {
    const char *type;
    const char *title;
    const char *icon;
    const char *style;
  } known[] = {
    { "stream_started", N_ ("Streamer started streaming"), "media-record-symbolic", "live" },
    { "stream_active", N_ ("Video is live"), "camera-video-symbolic", "live" },
    { "stream_inactive", N_ ("Video stopped"), "media-playback-pause-symbolic", NULL },
    { "stream_ended", N_ ("Session ended"), "object-select-symbolic", "good" },
    { "session_timeout", N_ ("Session timed out"), "alarm-symbolic", "bad" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (known); i++)
    if (g_strcmp0 (type, known[i].type) == 0)
      {
        *title = _ (known[i].title);
        *icon = known[i].icon;
        *style = known[i].style;
        return;
      }

  *title = type;
  *icon = "emblem-system-symbolic";
  *style = NULL;
}

static void
bc_event_row_class_init (BcEventRowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/app/bountycam/BountyCam/ui/bc-event-row.ui");
  gtk_widget_class_bind_template_child (widget_class, BcEventRow, icon);
  gtk_widget_class_bind_template_child (widget_class, BcEventRow, time_label);
}

static void
bc_event_row_init (BcEventRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

GtkWidget *
bc_event_row_new (BcStreamEvent *event)
{
  BcEventRow *self = g_object_new (BC_TYPE_EVENT_ROW, NULL);
  const char *title, *icon, *style;
  GDateTime *created_at = bc_stream_event_get_created_at (event);
  const char *detail = bc_stream_event_get_detail (event);

  describe_event (bc_stream_event_get_event_type (event), &title, &icon, &style);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
  /* Only plain-text details are for people; JSON details are for machines. */
  if (detail != NULL && *detail != '\0' && *detail != '{' && *detail != '[')
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self), detail);
  gtk_image_set_from_icon_name (self->icon, icon);
  if (style != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->icon), style);

  if (created_at != NULL)
    {
      g_autoptr (GDateTime) local = g_date_time_to_local (created_at);
      g_autofree char *text = g_date_time_format (local, "%X");

      gtk_label_set_label (self->time_label, text);
    }

  return GTK_WIDGET (self);
}
