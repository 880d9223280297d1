/* BcSessionPage: one bounty session, live. The streamer picks a camera and
 * goes live; the requester watches and approves or rejects. Both see the
 * session's status and its timeline. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "bc-app-util.h"
#include "bc-application.h"
#include "bc-camera-list.h"
#include "bc-event-row.h"
#include "bc-live-stream.h"
#include "bc-session-page.h"
#include "bc-window.h"

#define RELOAD_DELAY_MS 150

struct _BcSessionPage
{
  GtkWidget parent_instance;

  AdwWindowTitle *window_title;
  GtkMenuButton *stats_button;
  GtkLabel *stats_resolution;
  GtkLabel *stats_fps;
  GtkLabel *stats_bitrate;
  GtkLabel *stats_loss;
  GtkLabel *stats_rtt;
  GtkLabel *status_label;
  GtkPicture *picture;
  GtkWidget *state_box;
  GtkImage *state_icon;
  GtkSpinner *state_spinner;
  GtkLabel *state_title;
  GtkLabel *state_description;
  GtkButton *retry_button;
  GtkLabel *live_badge;
  AdwPreferencesGroup *bounty_group;
  GtkLabel *reward_label;
  AdwActionRow *peer_row;
  AdwPreferencesGroup *streamer_group;
  AdwComboRow *camera_row;
  GtkSwitch *mic_switch;
  GtkButton *stream_button;
  AdwButtonContent *stream_button_content;
  GtkWidget *review_box;
  GtkListBox *events_list;

  BcSession *session;
  BcLiveStream *stream;
  BcLiveStream *preview;
  BcVideoPaintable *paintable;
  BcCameraList *cameras;
  BcRealtime *realtime;
  GCancellable *cancellable;
  BcSessionState state;
  char *status_class;
  guint stats_source;
  guint reload_source;
  gboolean is_streamer;
  gboolean reviewing;
  gboolean start_logged;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_SESSION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcSessionPage, bc_session_page, GTK_TYPE_WIDGET)

static BcApplication *
get_app (void)
{
  return BC_APPLICATION (g_application_get_default ());
}

static void
toast (BcSessionPage *self, const char *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (BC_IS_WINDOW (root))
    bc_window_add_toast (BC_WINDOW (root), message);
}

static const char *
peer_name (BcSessionPage *self)
{
  BcUser *peer;
  const char *name;

  if (self->session == NULL)
    return "";

  peer = self->is_streamer ? bc_session_get_requester (self->session)
                           : bc_session_get_streamer (self->session);
  name = peer ? bc_user_get_display_name (peer) : NULL;

  return name && *name ? name : _ ("Someone");
}

static gboolean
session_ended (BcSessionPage *self)
{
  return self->session != NULL && (bc_session_is_ended (self->session) ||
                                   g_strcmp0 (bc_session_get_status (self->session), "ended") == 0);
}

static void
set_status_pill (BcSessionPage *self, const char *text, const char *style_class)
{
  if (self->status_class != NULL)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), self->status_class);
  g_clear_pointer (&self->status_class, g_free);

  gtk_label_set_label (self->status_label, text);
  if (style_class != NULL)
    {
      self->status_class = g_strdup (style_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), style_class);
    }
}

static void
show_overlay (BcSessionPage *self,
              const char *icon_name,
              gboolean spinning,
              const char *title,
              const char *description,
              gboolean retry)
{
  gtk_widget_set_visible (self->state_box, title != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->state_icon), icon_name != NULL && !spinning);
  if (icon_name != NULL)
    gtk_image_set_from_icon_name (self->state_icon, icon_name);
  gtk_widget_set_visible (GTK_WIDGET (self->state_spinner), spinning);
  gtk_spinner_set_spinning (self->state_spinner, spinning);
  gtk_label_set_label (self->state_title, title ? title : "");
  gtk_label_set_label (self->state_description, description ? description : "");
  gtk_widget_set_visible (GTK_WIDGET (self->state_description), description != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->retry_button), retry);
}

static void
show_ended (BcSessionPage *self)
{
  const char *outcome = bc_session_get_outcome (self->session);
  g_autofree char *points = bc_format_points (bc_session_get_reward_points (self->session));
  g_autofree char *description = NULL;

  if (g_strcmp0 (outcome, "approved") == 0)
    {
      if (self->is_streamer)
        /* Translators: %s is an amount such as "50 points" */
        description =
            g_strdup_printf (_ ("The requester approved your stream. You earned %s."), points);
      else
        /* Translators: the first %s is an amount such as "50 points", the second a name */
        description = g_strdup_printf (_ ("You approved the stream. %s went to %s."), points,
                                       peer_name (self));
      set_status_pill (self, _ ("Approved"), "approved");
      show_overlay (self, "object-select-symbolic", FALSE, _ ("Approved"), description, FALSE);
    }
  else if (g_strcmp0 (outcome, "rejected") == 0)
    {
      if (self->is_streamer)
        description = g_strdup (_ ("The requester rejected your stream. The points went back "
                                   "to them."));
      else
        /* Translators: %s is an amount such as "50 points" */
        description = g_strdup_printf (_ ("You rejected the stream. %s went back to you."), points);
      set_status_pill (self, _ ("Rejected"), "rejected");
      show_overlay (self, "window-close-symbolic", FALSE, _ ("Rejected"), description, FALSE);
    }
  else if (g_strcmp0 (outcome, "timed_out") == 0)
    {
      description = g_strdup (_ ("Nothing happened for two hours, so the session ended and the "
                                 "points went back to the requester."));
      set_status_pill (self, _ ("Timed Out"), "failed");
      show_overlay (self, "alarm-symbolic", FALSE, _ ("Timed Out"), description, FALSE);
    }
  else
    {
      set_status_pill (self, _ ("Ended"), NULL);
      show_overlay (self, "media-playback-stop-symbolic", FALSE, _ ("Session Ended"), NULL, FALSE);
    }
}

static BcSessionState
compute_state (BcSessionPage *self)
{
  if (self->session == NULL)
    return BC_SESSION_STATE_IDLE;

  if (session_ended (self))
    return BC_SESSION_STATE_ENDED;

  if (self->stream == NULL && self->preview != NULL &&
      bc_live_stream_get_state (self->preview) == BC_LIVE_STREAM_FAILED)
    {
      const GError *error = bc_live_stream_get_error (self->preview);

      if (g_error_matches (error, BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_CAMERA_DENIED))
        return BC_SESSION_STATE_CAMERA_DENIED;
      return BC_SESSION_STATE_CAMERA_MISSING;
    }

  if (self->stream == NULL)
    return self->is_streamer ? BC_SESSION_STATE_IDLE : BC_SESSION_STATE_WAITING;

  switch (bc_live_stream_get_state (self->stream))
    {
    case BC_LIVE_STREAM_IDLE:
      return self->is_streamer ? BC_SESSION_STATE_IDLE : BC_SESSION_STATE_WAITING;
    case BC_LIVE_STREAM_CONNECTING:
      return BC_SESSION_STATE_CONNECTING;
    case BC_LIVE_STREAM_WAITING:
      return self->is_streamer ? BC_SESSION_STATE_CONNECTING : BC_SESSION_STATE_WAITING;
    case BC_LIVE_STREAM_LIVE:
      return BC_SESSION_STATE_LIVE;
    case BC_LIVE_STREAM_RECONNECTING:
      return BC_SESSION_STATE_RECONNECTING;
    case BC_LIVE_STREAM_FAILED:
      {
        const GError *error = bc_live_stream_get_error (self->stream);

        if (g_error_matches (error, BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_CAMERA_MISSING))
          return BC_SESSION_STATE_CAMERA_MISSING;
        if (g_error_matches (error, BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_CAMERA_DENIED))
          return BC_SESSION_STATE_CAMERA_DENIED;
        return BC_SESSION_STATE_FAILED;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
update_stream_button (BcSessionPage *self)
{
  gboolean streaming =
      self->stream != NULL && bc_live_stream_get_state (self->stream) != BC_LIVE_STREAM_FAILED;

  if (streaming)
    {
      adw_button_content_set_label (self->stream_button_content, _ ("_Stop Streaming"));
      adw_button_content_set_icon_name (self->stream_button_content,
                                        "media-playback-stop-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->stream_button), "suggested-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->stream_button), "destructive-action");
    }
  else
    {
      adw_button_content_set_label (self->stream_button_content, _ ("_Start Streaming"));
      adw_button_content_set_icon_name (self->stream_button_content, "media-record-symbolic");
      gtk_widget_remove_css_class (GTK_WIDGET (self->stream_button), "destructive-action");
      gtk_widget_add_css_class (GTK_WIDGET (self->stream_button), "suggested-action");
    }
  gtk_widget_set_sensitive (GTK_WIDGET (self->camera_row), !streaming);
}

static void
update_state (BcSessionPage *self)
{
  BcSessionState state = compute_state (self);
  gboolean ended = state == BC_SESSION_STATE_ENDED;
  g_autofree char *waiting = NULL;
  g_autofree char *message = NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->streamer_group), self->is_streamer && !ended);
  gtk_widget_set_visible (GTK_WIDGET (self->stream_button), self->is_streamer && !ended);
  gtk_widget_set_visible (self->review_box, !self->is_streamer && !ended);
  gtk_widget_set_sensitive (self->review_box, !self->reviewing);
  gtk_widget_set_visible (GTK_WIDGET (self->live_badge), state == BC_SESSION_STATE_LIVE);
  /* Statistics only mean something while media flows. */
  gtk_widget_set_visible (GTK_WIDGET (self->stats_button),
                          self->stream != NULL && (state == BC_SESSION_STATE_LIVE ||
                                                   state == BC_SESSION_STATE_RECONNECTING));
  update_stream_button (self);

  switch (state)
    {
    case BC_SESSION_STATE_IDLE:
      set_status_pill (self, _ ("Ready"), NULL);
      /* The camera's preview speaks for itself. */
      if (self->preview != NULL && bc_live_stream_get_state (self->preview) == BC_LIVE_STREAM_LIVE)
        show_overlay (self, NULL, FALSE, NULL, NULL, FALSE);
      else
        show_overlay (self, "camera-web-symbolic", FALSE, _ ("Ready When You Are"),
                      _ ("Choose a camera and start streaming. The requester sees you as soon "
                         "as you are live."),
                      FALSE);
      break;

    case BC_SESSION_STATE_WAITING:
      /* Translators: %s is the streamer's name */
      waiting = g_strdup_printf (_ ("%s accepted your bounty. The video appears here as soon as "
                                    "they go live."),
                                 peer_name (self));
      set_status_pill (self, _ ("Waiting for Streamer"), "connecting");
      show_overlay (self, NULL, TRUE, _ ("Waiting for the Streamer"), waiting, FALSE);
      break;

    case BC_SESSION_STATE_CONNECTING:
      set_status_pill (self, _ ("Connecting"), "connecting");
      show_overlay (self, NULL, TRUE, _ ("Connecting…"), NULL, FALSE);
      break;

    case BC_SESSION_STATE_LIVE:
      set_status_pill (self, _ ("Live"), "live");
      show_overlay (self, NULL, FALSE, NULL, NULL, FALSE);
      break;

    case BC_SESSION_STATE_RECONNECTING:
      set_status_pill (self, _ ("Reconnecting"), "reconnecting");
      show_overlay (self, NULL, TRUE, _ ("Reconnecting…"),
                    _ ("The connection dropped. BountyCam is trying to get it back."), FALSE);
      break;

    case BC_SESSION_STATE_FAILED:
      message = bc_describe_error (bc_live_stream_get_error (self->stream));
      set_status_pill (self, _ ("Connection Failed"), "failed");
      show_overlay (self, "network-error-symbolic", FALSE, _ ("Connection Failed"), message, TRUE);
      break;

    case BC_SESSION_STATE_CAMERA_MISSING:
      set_status_pill (self, _ ("No Camera"), "failed");
      show_overlay (self, "camera-disabled-symbolic", FALSE, _ ("No Camera Found"),
                    _ ("Connect a camera and try again, or choose the test pattern."), TRUE);
      break;

    case BC_SESSION_STATE_CAMERA_DENIED:
      set_status_pill (self, _ ("No Camera Access"), "failed");
      show_overlay (self, "camera-disabled-symbolic", FALSE, _ ("Camera Access Denied"),
                    _ ("Allow BountyCam to use the camera in Settings, under Privacy, then try "
                       "again."),
                    TRUE);
      break;

    case BC_SESSION_STATE_ENDED:
      show_ended (self);
      break;

    default:
      g_assert_not_reached ();
    }

  if (state != self->state)
    {
      self->state = state;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
    }
}

static void
update_stats (BcSessionPage *self)
{
  BcLiveStats stats = { 0 };
  g_autofree char *resolution = NULL;
  g_autofree char *fps = NULL;
  g_autofree char *bitrate = NULL;
  g_autofree char *loss = NULL;
  g_autofree char *rtt = NULL;

  if (self->stream == NULL || !bc_live_stream_get_stats (self->stream, &stats) || !stats.valid)
    {
      gtk_label_set_label (self->stats_resolution, "—");
      gtk_label_set_label (self->stats_fps, "—");
      gtk_label_set_label (self->stats_bitrate, "—");
      gtk_label_set_label (self->stats_loss, "—");
      gtk_label_set_label (self->stats_rtt, "—");
      return;
    }

  /* The media layer says -1 for what it does not know yet. */
  resolution = g_strdup_printf ("%d × %d", stats.width, stats.height);
  /* Translators: frames per second */
  fps = stats.fps >= 0 ? g_strdup_printf (_ ("%.0f fps"), stats.fps) : g_strdup ("—");
  if (stats.bitrate_kbps < 0)
    bitrate = g_strdup ("—");
  else if (stats.bitrate_kbps >= 1000)
    bitrate = g_strdup_printf (_ ("%.1f Mbit/s"), stats.bitrate_kbps / 1000.0);
  else
    bitrate = g_strdup_printf (_ ("%.0f kbit/s"), stats.bitrate_kbps);
  loss = stats.packet_loss_percent >= 0 ? g_strdup_printf ("%.1f %%", stats.packet_loss_percent)
                                        : g_strdup ("—");
  rtt = stats.rtt_ms > 0 ? g_strdup_printf (_ ("%.0f ms"), stats.rtt_ms) : g_strdup ("—");

  gtk_label_set_label (self->stats_resolution, resolution);
  gtk_label_set_label (self->stats_fps, fps);
  gtk_label_set_label (self->stats_bitrate, bitrate);
  gtk_label_set_label (self->stats_loss, loss);
  gtk_label_set_label (self->stats_rtt, rtt);
}

static gboolean
stats_tick (gpointer user_data)
{
  update_stats (user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_event_posted (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcSessionPage) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!bc_api_client_post_event_finish (BC_API_CLIENT (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not log the start of the stream: %s", error->message);
      return;
    }

  bc_session_page_reload (self);
}

static void
on_stream_state_changed (BcSessionPage *self)
{
  BcLiveStreamState state = bc_live_stream_get_state (self->stream);

  update_state (self);

  /* Once the camera is on air, the session's log says so (once per Start). */
  if (state == BC_LIVE_STREAM_LIVE && self->is_streamer && !self->start_logged)
    {
      BcApiClient *client = bc_application_get_client (get_app ());

      self->start_logged = TRUE;
      bc_api_client_post_event_async (client, bc_session_get_id (self->session), "stream_started",
                                      NULL, self->cancellable, on_event_posted,
                                      g_object_ref (self));
    }

  /* A viewer that sees video knows the session went live before the
   * realtime message might say so: fetch the events. */
  if (state == BC_LIVE_STREAM_LIVE)
    bc_session_page_reload (self);
}

static void
stop_preview (BcSessionPage *self)
{
  if (self->preview == NULL)
    return;

  g_signal_handlers_disconnect_by_data (self->preview, self);
  bc_live_stream_stop (self->preview);
  g_clear_object (&self->preview);
}

/* The streamer sees the chosen camera before going live. */
static void
start_preview (BcSessionPage *self)
{
  const char *camera;

  stop_preview (self);
  if (!self->is_streamer || self->session == NULL || session_ended (self) || self->stream != NULL)
    return;

  camera = bc_camera_list_get_id (self->cameras, adw_combo_row_get_selected (self->camera_row));
  bc_video_paintable_clear (self->paintable);
  self->preview = bc_live_stream_new_preview (camera, self->paintable);
  g_signal_connect_object (self->preview, "notify::state", G_CALLBACK (update_state), self,
                           G_CONNECT_SWAPPED);
  bc_live_stream_start (self->preview);
}

static void
stop_stream (BcSessionPage *self)
{
  g_clear_handle_id (&self->stats_source, g_source_remove);
  if (self->stream != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->stream, self);
      bc_live_stream_stop (self->stream);
      g_clear_object (&self->stream);
    }
}

static void
start_stream (BcSessionPage *self)
{
  BcApplication *app = get_app ();
  BcApiClient *client = bc_application_get_client (app);
  GSettings *settings = bc_application_get_settings (app);

  stop_stream (self);
  stop_preview (self);
  self->start_logged = FALSE;

  if (self->is_streamer)
    {
      const char *camera =
          bc_camera_list_get_id (self->cameras, adw_combo_row_get_selected (self->camera_row));
      g_autofree char *codec = g_settings_get_string (settings, "codec");

      self->stream =
          bc_live_stream_new_publisher (client, bc_session_get_id (self->session), camera, codec,
                                        gtk_switch_get_active (self->mic_switch), self->paintable);
    }
  else
    {
      self->stream = bc_live_stream_new_viewer (client, bc_session_get_id (self->session),
                                                g_settings_get_boolean (settings, "low-latency"),
                                                self->paintable);
    }

  g_signal_connect_object (self->stream, "notify::state", G_CALLBACK (on_stream_state_changed),
                           self, G_CONNECT_SWAPPED);
  bc_live_stream_start (self->stream);
  self->stats_source = g_timeout_add_seconds (1, stats_tick, self);
  update_stats (self);
  update_state (self);
}

static void
toggle_streaming (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcSessionPage *self = BC_SESSION_PAGE (widget);

  if (self->session == NULL || !self->is_streamer || session_ended (self))
    return;

  if (self->stream != NULL && bc_live_stream_get_state (self->stream) != BC_LIVE_STREAM_FAILED)
    {
      stop_stream (self);
      start_preview (self);
      update_state (self);
      return;
    }

  start_stream (self);
}

static void
retry (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcSessionPage *self = BC_SESSION_PAGE (widget);

  if (self->session == NULL || session_ended (self))
    return;

  /* A preview that found no camera is retried as a preview. */
  if (self->is_streamer && self->stream == NULL)
    start_preview (self);
  else
    start_stream (self);
  update_state (self);
}

static void
toggle_microphone (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcSessionPage *self = BC_SESSION_PAGE (widget);

  if (self->is_streamer)
    gtk_switch_set_active (self->mic_switch, !gtk_switch_get_active (self->mic_switch));
}

/* Cameras found after the page opened: pick the default one if the user
 * has not chosen yet. */
static void
on_cameras_changed (BcSessionPage *self)
{
  g_autofree char *camera = NULL;

  if (adw_combo_row_get_selected (self->camera_row) != 0)
    return;

  camera = g_settings_get_string (bc_application_get_settings (get_app ()), "default-camera");
  adw_combo_row_set_selected (self->camera_row, bc_camera_list_find (self->cameras, camera));
}

static void
on_camera_selected (BcSessionPage *self)
{
  if (self->preview != NULL)
    start_preview (self);
}

static void
on_mic_toggled (BcSessionPage *self)
{
  if (self->stream != NULL)
    bc_live_stream_set_microphone (self->stream, gtk_switch_get_active (self->mic_switch));
}

static void
show_stats (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  BcSessionPage *self = BC_SESSION_PAGE (widget);

  if (gtk_widget_get_visible (GTK_WIDGET (self->stats_button)))
    gtk_menu_button_popup (self->stats_button);
}

static void
on_reviewed (BcSessionPage *self, BcSession *session, GError *error, gboolean approved)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  self->reviewing = FALSE;
  if (session == NULL)
    {
      g_autofree char *message = bc_describe_error (error);

      toast (self, message);
      bc_session_page_reload (self);
      update_state (self);
      return;
    }

  /* The page itself now shows the outcome; no toast needed. */
  bc_session_page_set_session (self, session);
  /* The list has only part of the session; the full one has the events. */
  bc_session_page_reload (self);
}

static void
on_approved (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcSessionPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  session = bc_api_client_approve_session_finish (BC_API_CLIENT (object), result, &error);
  on_reviewed (self, session, error, TRUE);
}

static void
on_rejected (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcSessionPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  session = bc_api_client_reject_session_finish (BC_API_CLIENT (object), result, &error);
  on_reviewed (self, session, error, FALSE);
}

typedef struct
{
  BcSessionPage *self;
  gboolean approve;
} ReviewData;

static void
on_review_response (AdwMessageDialog *dialog, const char *response, gpointer user_data)
{
  ReviewData *data = user_data;
  BcSessionPage *self = data->self;
  BcApiClient *client = bc_application_get_client (get_app ());
  gboolean approve = data->approve;

  if (!g_str_equal (response, "approve") && !g_str_equal (response, "reject"))
    return;
  if (self->session == NULL || session_ended (self))
    return;

  self->reviewing = TRUE;
  update_state (self);

  if (approve)
    bc_api_client_approve_session_async (client, bc_session_get_id (self->session),
                                         self->cancellable, on_approved, g_object_ref (self));
  else
    bc_api_client_reject_session_async (client, bc_session_get_id (self->session),
                                        self->cancellable, on_rejected, g_object_ref (self));
}

static void
review_data_free (gpointer data, GClosure *closure)
{
  ReviewData *review = data;

  g_object_unref (review->self);
  g_free (review);
}

static void
ask_review (BcSessionPage *self, gboolean approve)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *points = NULL;
  g_autofree char *body = NULL;
  GtkWidget *dialog;
  ReviewData *data;

  if (self->session == NULL || self->is_streamer || session_ended (self) || self->reviewing)
    return;

  points = bc_format_points (bc_session_get_reward_points (self->session));
  if (approve)
    /* Translators: the first %s is a name, the second an amount such as "50 points" */
    body = g_strdup_printf (_ ("%s receives %s and the stream ends. This cannot be undone."),
                            peer_name (self), points);
  else
    /* Translators: %s is an amount such as "50 points" */
    body = g_strdup_printf (_ ("The stream ends and %s go back to you. This cannot be undone."),
                            points);

  dialog = adw_message_dialog_new (
      GTK_WINDOW (root), approve ? _ ("Approve This Stream?") : _ ("Reject This Stream?"), body);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog), "cancel", _ ("_Cancel"),
                                    approve ? "approve" : "reject",
                                    approve ? _ ("_Approve") : _ ("_Reject"), NULL);
  adw_message_dialog_set_response_appearance (
      ADW_MESSAGE_DIALOG (dialog), approve ? "approve" : "reject",
      approve ? ADW_RESPONSE_SUGGESTED : ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  data = g_new0 (ReviewData, 1);
  data->self = g_object_ref (self);
  data->approve = approve;
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_review_response), data,
                         review_data_free, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
approve (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask_review (BC_SESSION_PAGE (widget), TRUE);
}

static void
reject (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  ask_review (BC_SESSION_PAGE (widget), FALSE);
}

static GtkWidget *
create_event_row (gpointer item, gpointer user_data)
{
  return bc_event_row_new (BC_STREAM_EVENT (item));
}

static void
on_session_loaded (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcSessionPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  session = bc_api_client_get_session_finish (BC_API_CLIENT (object), result, &error);
  if (session == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Could not refresh the session: %s", error->message);
      return;
    }

  if (self->session != NULL &&
      g_strcmp0 (bc_session_get_id (session), bc_session_get_id (self->session)) == 0)
    bc_session_page_set_session (self, session);
}

/**
 * bc_session_page_reload:
 *
 * Fetches the session again: its status and its events.
 */
void
bc_session_page_reload (BcSessionPage *self)
{
  BcApiClient *client = bc_application_get_client (get_app ());

  g_return_if_fail (BC_IS_SESSION_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->session == NULL || client == NULL)
    return;

  bc_api_client_get_session_async (client, bc_session_get_id (self->session), self->cancellable,
                                   on_session_loaded, g_object_ref (self));
}

static void
reload_soon_cb (gpointer user_data)
{
  BcSessionPage *self = user_data;

  self->reload_source = 0;
  bc_session_page_reload (self);
}

static void
on_realtime_message (BcSessionPage *self,
                     const char *type,
                     JsonObject *message,
                     BcRealtime *realtime)
{
  if (self->session != NULL && self->reload_source == 0)
    self->reload_source = g_timeout_add_once (RELOAD_DELAY_MS, reload_soon_cb, self);
}

static void
on_bounty_loaded (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcSessionPage) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  const char *description;

  bounty = bc_api_client_get_bounty_finish (BC_API_CLIENT (object), result, &error);
  if (bounty == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("No bounty details: %s", error->message);
      return;
    }

  if (self->session == NULL ||
      g_strcmp0 (bc_bounty_get_id (bounty), bc_session_get_bounty_id (self->session)) != 0)
    return;

  description = bc_bounty_get_description (bounty);
  adw_preferences_group_set_description (self->bounty_group,
                                         description && *description ? description : NULL);
}

/**
 * bc_session_page_set_session:
 *
 * Shows @session. The same session again (a newer copy) only updates what is
 * shown; another session leaves the current one first. A requester starts
 * watching at once; a streamer starts with Start Streaming.
 */
void
bc_session_page_set_session (BcSessionPage *self, BcSession *session)
{
  BcApplication *app = get_app ();
  BcApiClient *client = bc_application_get_client (app);
  BcUser *me = client ? bc_api_client_get_user (client) : NULL;
  BcUser *streamer = bc_session_get_streamer (session);
  gboolean same = self->session != NULL &&
                  g_strcmp0 (bc_session_get_id (self->session), bc_session_get_id (session)) == 0;
  const char *title = bc_session_get_bounty_title (session);
  g_autofree char *reward = NULL;

  g_return_if_fail (BC_IS_SESSION_PAGE (self));
  g_return_if_fail (BC_IS_SESSION (session));

  if (!same)
    bc_session_page_leave (self);

  g_set_object (&self->session, session);
  self->is_streamer = me != NULL && streamer != NULL &&
                      g_strcmp0 (bc_user_get_id (me), bc_user_get_id (streamer)) == 0;

  title = title && *title ? title : _ ("Bounty");
  adw_window_title_set_title (self->window_title, title);
  adw_window_title_set_subtitle (self->window_title, self->is_streamer ? _ ("You are the streamer")
                                                                       : _ ("You requested this"));
  reward = bc_format_points (bc_session_get_reward_points (session));
  gtk_label_set_label (self->reward_label, reward);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->peer_row),
                                 self->is_streamer ? _ ("Requested by") : _ ("Streamed by"));
  adw_action_row_set_subtitle (self->peer_row, peer_name (self));
  gtk_list_box_bind_model (self->events_list, bc_session_get_events (session), create_event_row,
                           NULL, NULL);

  if (!same)
    {
      bc_api_client_get_bounty_async (client, bc_session_get_bounty_id (session), self->cancellable,
                                      on_bounty_loaded, g_object_ref (self));
    }

  if (!same)
    {
      g_autofree char *camera =
          g_settings_get_string (bc_application_get_settings (app), "default-camera");
      BcRealtime *realtime = bc_application_get_realtime (app);

      adw_combo_row_set_selected (self->camera_row, bc_camera_list_find (self->cameras, camera));
      gtk_switch_set_active (self->mic_switch, FALSE);
      if (self->is_streamer)
        bc_camera_list_start (self->cameras);

      g_set_object (&self->realtime, realtime);
      if (realtime != NULL)
        g_signal_connect_object (realtime, "message", G_CALLBACK (on_realtime_message), self,
                                 G_CONNECT_SWAPPED);
    }

  if (session_ended (self))
    {
      stop_preview (self);
      stop_stream (self);
    }
  else if (!self->is_streamer && self->stream == NULL)
    start_stream (self);
  else if (self->is_streamer && !same)
    start_preview (self);

  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SESSION]);
}

BcSession *
bc_session_page_get_session (BcSessionPage *self)
{
  g_return_val_if_fail (BC_IS_SESSION_PAGE (self), NULL);

  return self->session;
}

/**
 * bc_session_page_leave:
 *
 * Leaves the room and forgets the session.
 */
void
bc_session_page_leave (BcSessionPage *self)
{
  g_return_if_fail (BC_IS_SESSION_PAGE (self));

  stop_preview (self);
  stop_stream (self);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  if (self->realtime != NULL)
    g_signal_handlers_disconnect_by_data (self->realtime, self);
  g_clear_object (&self->realtime);
  if (self->events_list != NULL)
    gtk_list_box_bind_model (self->events_list, NULL, NULL, NULL, NULL);
  if (self->bounty_group != NULL)
    adw_preferences_group_set_description (self->bounty_group, NULL);
  if (self->paintable != NULL)
    bc_video_paintable_clear (self->paintable);
  self->reviewing = FALSE;
  g_clear_object (&self->session);
}

gboolean
bc_session_page_get_is_streamer (BcSessionPage *self)
{
  g_return_val_if_fail (BC_IS_SESSION_PAGE (self), FALSE);

  return self->is_streamer;
}

BcSessionState
bc_session_page_get_state (BcSessionPage *self)
{
  g_return_val_if_fail (BC_IS_SESSION_PAGE (self), BC_SESSION_STATE_IDLE);

  return self->state;
}

BcVideoPaintable *
bc_session_page_get_paintable (BcSessionPage *self)
{
  g_return_val_if_fail (BC_IS_SESSION_PAGE (self), NULL);

  return self->paintable;
}

static void
bc_session_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcSessionPage *self = BC_SESSION_PAGE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    case PROP_SESSION:
      g_value_set_object (value, self->session);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_session_page_dispose (GObject *object)
{
  BcSessionPage *self = BC_SESSION_PAGE (object);
  GtkWidget *child;

  bc_session_page_leave (self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->paintable);
  g_clear_object (&self->cameras);
  g_clear_pointer (&self->status_class, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_SESSION_PAGE);
  /* The template's top box has no id, so it is not among the children
   * gtk_widget_dispose_template() takes care of. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (bc_session_page_parent_class)->dispose (object);
}

static void
bc_session_page_class_init (BcSessionPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bc_session_page_get_property;
  object_class->dispose = bc_session_page_dispose;

  /* A BcSessionState. */
  properties[PROP_STATE] =
      g_param_spec_int ("state", NULL, NULL, 0, BC_SESSION_STATE_ENDED, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SESSION] =
      g_param_spec_object ("session", NULL, NULL, BC_TYPE_SESSION,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/app/bountycam/BountyCam/ui/bc-session-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stats_button);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stats_resolution);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stats_fps);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stats_bitrate);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stats_loss);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stats_rtt);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, picture);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, state_box);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, state_icon);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, state_spinner);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, state_title);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, state_description);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, retry_button);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, live_badge);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, bounty_group);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, reward_label);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, peer_row);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, streamer_group);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, camera_row);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, mic_switch);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stream_button);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, stream_button_content);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, review_box);
  gtk_widget_class_bind_template_child (widget_class, BcSessionPage, events_list);

  gtk_widget_class_install_action (widget_class, "session.toggle-streaming", NULL,
                                   toggle_streaming);
  gtk_widget_class_install_action (widget_class, "session.toggle-microphone", NULL,
                                   toggle_microphone);
  gtk_widget_class_install_action (widget_class, "session.show-stats", NULL, show_stats);
  gtk_widget_class_install_action (widget_class, "session.retry", NULL, retry);
  gtk_widget_class_install_action (widget_class, "session.approve", NULL, approve);
  gtk_widget_class_install_action (widget_class, "session.reject", NULL, reject);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bcsessionpage");
}

static void
bc_session_page_init (BcSessionPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->paintable = bc_video_paintable_new ();
  gtk_picture_set_paintable (self->picture, GDK_PAINTABLE (self->paintable));
  self->cameras = bc_camera_list_new ();
  adw_combo_row_set_model (self->camera_row, bc_camera_list_get_names (self->cameras));
  g_signal_connect_object (bc_camera_list_get_names (self->cameras), "items-changed",
                           G_CALLBACK (on_cameras_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_swapped (self->mic_switch, "notify::active", G_CALLBACK (on_mic_toggled), self);
  g_signal_connect_swapped (self->camera_row, "notify::selected", G_CALLBACK (on_camera_selected),
                            self);
  self->state = BC_SESSION_STATE_IDLE;
}

GtkWidget *
bc_session_page_new (void)
{
  return g_object_new (BC_TYPE_SESSION_PAGE, NULL);
}
