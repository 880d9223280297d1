/* BcDashboardPage: open bounties of others, my bounties, my streams, and the
 * points balance; kept current by the realtime channel. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "bc-app-util.h"
#include "bc-application.h"
#include "bc-bounty-row.h"
#include "bc-dashboard-page.h"
#include "bc-window.h"

/* Realtime messages often come in bursts (a session changes, then the
 * balance): one reload for the lot. */
#define RELOAD_DELAY_MS 150

struct _BcDashboardPage
{
  GtkWidget parent_instance;

  AdwWindowTitle *window_title;
  GtkLabel *points_label;
  GtkRevealer *offline_revealer;
  GtkLabel *offline_label;
  GtkStack *stack;
  GtkSpinner *loading_spinner;
  AdwStatusPage *offline_status;
  AdwPreferencesGroup *streams_group;
  GtkListBox *streams_list;
  GtkListBox *open_list;
  GtkListBox *mine_list;

  BcRealtime *realtime;
  GCancellable *cancellable;
  guint reload_source;
  guint pending;
  guint generation;
  gboolean loaded;
  gboolean failed;
  GError *error;

  GListModel *open_bounties;
  GListModel *my_bounties;
  GListModel *sessions;

  /* What was last seen, to tell the user what changed (id → status). */
  GHashTable *seen_status;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_GENERATION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcDashboardPage, bc_dashboard_page, GTK_TYPE_WIDGET)

static BcApiClient *
get_client (void)
{
  return bc_application_get_client (BC_APPLICATION (g_application_get_default ()));
}

static void
set_stack_page (BcDashboardPage *self, const char *name)
{
  if (g_strcmp0 (gtk_stack_get_visible_child_name (self->stack), name) == 0)
    return;

  gtk_stack_set_visible_child_name (self->stack, name);
  gtk_spinner_set_spinning (self->loading_spinner, g_str_equal (name, "loading"));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

const char *
bc_dashboard_page_get_state (BcDashboardPage *self)
{
  g_return_val_if_fail (BC_IS_DASHBOARD_PAGE (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

guint
bc_dashboard_page_get_generation (BcDashboardPage *self)
{
  g_return_val_if_fail (BC_IS_DASHBOARD_PAGE (self), 0);

  return self->generation;
}

gint64
bc_dashboard_page_get_balance (BcDashboardPage *self)
{
  BcUser *user;

  g_return_val_if_fail (BC_IS_DASHBOARD_PAGE (self), 0);

  user = get_client () ? bc_api_client_get_user (get_client ()) : NULL;
  return user ? bc_user_get_points (user) : 0;
}

static gpointer
find_in_model (GListModel *model, const char *(*get_id) (gpointer), const char *id)
{
  guint n = model ? g_list_model_get_n_items (model) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GObject) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (get_id (item), id) == 0)
        return item;
    }

  return NULL;
}

BcBounty *
bc_dashboard_page_find_bounty (BcDashboardPage *self, const char *bounty_id)
{
  BcBounty *bounty;

  g_return_val_if_fail (BC_IS_DASHBOARD_PAGE (self), NULL);

  bounty = find_in_model (self->open_bounties, (gpointer) bc_bounty_get_id, bounty_id);
  if (bounty == NULL)
    bounty = find_in_model (self->my_bounties, (gpointer) bc_bounty_get_id, bounty_id);

  return bounty;
}

BcSession *
bc_dashboard_page_find_session (BcDashboardPage *self, const char *session_id)
{
  g_return_val_if_fail (BC_IS_DASHBOARD_PAGE (self), NULL);

  return find_in_model (self->sessions, (gpointer) bc_session_get_id, session_id);
}

BcSession *
bc_dashboard_page_find_session_for_bounty (BcDashboardPage *self, const char *bounty_id)
{
  BcSession *found = NULL;
  guint n;

  g_return_val_if_fail (BC_IS_DASHBOARD_PAGE (self), NULL);

  n = self->sessions ? g_list_model_get_n_items (self->sessions) : 0;
  /* A bounty has one session; should there be more, the newest counts. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BcSession) session = g_list_model_get_item (self->sessions, i);

      if (g_strcmp0 (bc_session_get_bounty_id (session), bounty_id) == 0)
        found = session;
    }

  return found;
}

static void
clear_list (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static void
describe_session (BcSession *session, const char **status, const char **style)
{
  const char *state = bc_session_get_status (session);
  const char *outcome = bc_session_get_outcome (session);

  if (bc_session_is_ended (session) || g_strcmp0 (state, "ended") == 0)
    {
      if (g_strcmp0 (outcome, "approved") == 0)
        *status = _ ("Approved"), *style = "approved";
      else if (g_strcmp0 (outcome, "rejected") == 0)
        *status = _ ("Rejected"), *style = "rejected";
      else if (g_strcmp0 (outcome, "timed_out") == 0)
        *status = _ ("Timed Out"), *style = "failed";
      else
        *status = _ ("Ended"), *style = NULL;
    }
  else if (g_strcmp0 (state, "live") == 0)
    *status = _ ("Live"), *style = "live";
  else
    *status = _ ("Waiting for Stream"), *style = "connecting";
}

static const char *
user_name (BcUser *user)
{
  const char *name = user ? bc_user_get_display_name (user) : NULL;

  return name && *name ? name : _ ("Someone");
}

static void
fill_open_list (BcDashboardPage *self)
{
  guint n = g_list_model_get_n_items (self->open_bounties);

  clear_list (self->open_list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BcBounty) bounty = g_list_model_get_item (self->open_bounties, i);
      g_autofree char *age = bc_format_relative_time (bc_bounty_get_created_at (bounty));
      BcBountyRow *row = BC_BOUNTY_ROW (bc_bounty_row_new ());

      bc_bounty_row_set_content (row, bc_bounty_get_title (bounty),
                                 bc_bounty_get_requester_name (bounty), age,
                                 bc_bounty_get_reward_points (bounty));
      bc_bounty_row_set_action (row, _ ("_Accept"), "win.accept-bounty", bc_bounty_get_id (bounty),
                                TRUE);
      if (bc_bounty_get_description (bounty) && *bc_bounty_get_description (bounty))
        gtk_widget_set_tooltip_text (GTK_WIDGET (row), bc_bounty_get_description (bounty));
      gtk_list_box_append (self->open_list, GTK_WIDGET (row));
    }
}

static void
fill_mine_list (BcDashboardPage *self)
{
  guint n = g_list_model_get_n_items (self->my_bounties);

  clear_list (self->mine_list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BcBounty) bounty = g_list_model_get_item (self->my_bounties, i);
      BcSession *session =
          bc_dashboard_page_find_session_for_bounty (self, bc_bounty_get_id (bounty));
      BcBountyRow *row = BC_BOUNTY_ROW (bc_bounty_row_new ());
      g_autofree char *age = bc_format_relative_time (bc_bounty_get_created_at (bounty));
      g_autofree char *detail = NULL;
      const char *person = NULL;
      const char *status = NULL, *style = NULL;

      if (session != NULL)
        {
          person = user_name (bc_session_get_streamer (session));
          describe_session (session, &status, &style);
          /* Translators: %s is how long ago, such as "5 minutes ago" */
          detail = g_strdup_printf (_ ("streaming your bounty · posted %s"), age);
          if (g_strcmp0 (bc_session_get_status (session), "live") == 0 &&
              !bc_session_is_ended (session))
            bc_bounty_row_set_action (row, _ ("_Watch Live"), "win.open-session",
                                      bc_session_get_id (session), TRUE);
          else
            bc_bounty_row_set_action (row, _ ("_Open"), "win.open-session",
                                      bc_session_get_id (session), FALSE);
        }
      else
        {
          const char *bounty_status = bc_bounty_get_status (bounty);

          /* Translators: %s is how long ago, such as "5 minutes ago" */
          detail = g_strdup_printf (_ ("Posted %s"), age);
          if (g_strcmp0 (bounty_status, "open") == 0)
            status = _ ("Waiting for a Streamer");
          else if (g_strcmp0 (bounty_status, "cancelled") == 0)
            status = _ ("Cancelled");
          else
            status = bounty_status;
        }

      bc_bounty_row_set_content (row, bc_bounty_get_title (bounty), person, detail,
                                 bc_bounty_get_reward_points (bounty));
      bc_bounty_row_set_status (row, status, style);
      gtk_list_box_append (self->mine_list, GTK_WIDGET (row));
    }
}

static void
fill_streams_list (BcDashboardPage *self)
{
  BcUser *me = bc_api_client_get_user (get_client ());
  guint n = g_list_model_get_n_items (self->sessions);
  guint shown = 0;

  clear_list (self->streams_list);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (BcSession) session = g_list_model_get_item (self->sessions, i);
      BcUser *streamer = bc_session_get_streamer (session);
      const char *title = bc_session_get_bounty_title (session);
      BcBountyRow *row;
      const char *status, *style;
      g_autofree char *when = NULL;

      if (me == NULL || streamer == NULL ||
          g_strcmp0 (bc_user_get_id (streamer), bc_user_get_id (me)) != 0)
        continue;

      row = BC_BOUNTY_ROW (bc_bounty_row_new ());
      when = bc_format_relative_time (bc_session_get_last_activity_at (session));
      describe_session (session, &status, &style);
      bc_bounty_row_set_content (row, title && *title ? title : _ ("Bounty"),
                                 user_name (bc_session_get_requester (session)), when,
                                 bc_session_get_reward_points (session));
      bc_bounty_row_set_status (row, status, style);
      if (!bc_session_is_ended (session))
        bc_bounty_row_set_action (
            row,
            g_strcmp0 (bc_session_get_status (session), "live") == 0 ? _ ("_Open") : _ ("_Go Live"),
            "win.open-session", bc_session_get_id (session), TRUE);
      gtk_list_box_append (self->streams_list, GTK_WIDGET (row));
      shown++;
    }

  gtk_widget_set_visible (GTK_WIDGET (self->streams_group), shown > 0);
}

static void
update_header (BcDashboardPage *self)
{
  BcUser *me = bc_api_client_get_user (get_client ());
  g_autofree char *points = NULL;

  if (me == NULL)
    return;

  points = bc_format_points (bc_user_get_points (me));
  gtk_label_set_label (self->points_label, points);
  gtk_widget_set_visible (GTK_WIDGET (self->points_label), TRUE);
  adw_window_title_set_subtitle (self->window_title, bc_user_get_display_name (me));
}

static void
announce (BcDashboardPage *self, const char *id, const char *title, const char *body)
{
  BcApplication *app = BC_APPLICATION (g_application_get_default ());
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (root != NULL && gtk_window_is_active (GTK_WINDOW (root)) && BC_IS_WINDOW (root))
    bc_window_add_toast (BC_WINDOW (root), title);
  else
    bc_application_notify (app, id, title, body);
}

/* Tells the user about changes that matter to them: their bounty accepted or
 * live, their stream approved or rejected. */
static void
announce_changes (BcDashboardPage *self, gboolean first_load)
{
  BcUser *me = bc_api_client_get_user (get_client ());
  guint n = g_list_model_get_n_items (self->sessions);

  for (guint i = 0; i < n && me != NULL; i++)
    {
      g_autoptr (BcSession) session = g_list_model_get_item (self->sessions, i);
      const char *id = bc_session_get_id (session);
      const char *title = bc_session_get_bounty_title (session);
      g_autofree char *key = g_strconcat ("session:", id, NULL);
      g_autofree char *state = g_strdup_printf (
          "%s/%s", bc_session_get_status (session),
          bc_session_get_outcome (session) ? bc_session_get_outcome (session) : "");
      const char *before = g_hash_table_lookup (self->seen_status, key);
      gboolean i_requested =
          bc_session_get_requester (session) &&
          g_strcmp0 (bc_user_get_id (bc_session_get_requester (session)), bc_user_get_id (me)) == 0;
      g_autofree char *heading = NULL;
      g_autofree char *body = NULL;

      if (!first_load && g_strcmp0 (before, state) != 0)
        {
          title = title && *title ? title : _ ("your bounty");
          if (i_requested && before == NULL)
            {
              heading = g_strdup_printf (_ ("“%s” was accepted"), title);
              body = g_strdup_printf (_ ("%s will go live soon."),
                                      user_name (bc_session_get_streamer (session)));
            }
          else if (i_requested && g_strcmp0 (bc_session_get_status (session), "live") == 0)
            {
              heading = g_strdup_printf (_ ("“%s” is live"), title);
              body = g_strdup (_ ("Watch it now and approve it when you have seen enough."));
            }
          else if (!i_requested && g_strcmp0 (bc_session_get_outcome (session), "approved") == 0)
            {
              g_autofree char *points = bc_format_points (bc_session_get_reward_points (session));

              heading = g_strdup_printf (_ ("Your stream of “%s” was approved"), title);
              body = g_strdup_printf (_ ("You earned %s."), points);
            }
          else if (!i_requested && g_strcmp0 (bc_session_get_outcome (session), "rejected") == 0)
            {
              heading = g_strdup_printf (_ ("Your stream of “%s” was rejected"), title);
              body = g_strdup (_ ("The points went back to the requester."));
            }

          if (heading != NULL)
            announce (self, key, heading, body);
        }

      g_hash_table_insert (self->seen_status, g_steal_pointer (&key), g_steal_pointer (&state));
    }
}

static void
show_results (BcDashboardPage *self)
{
  gboolean first_load = !self->loaded;

  if (self->failed)
    {
      g_autofree char *message = bc_describe_error (self->error);

      if (!self->loaded)
        {
          if (g_error_matches (self->error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNREACHABLE))
            {
              g_free (message);
              message = g_strdup (_ ("Check your network connection and the server address in "
                                     "Preferences, then try again."));
            }
          adw_status_page_set_description (self->offline_status, message);
          set_stack_page (self, "offline");
        }
      else
        {
          gtk_label_set_label (self->offline_label, message);
          gtk_revealer_set_reveal_child (self->offline_revealer, TRUE);
        }
      return;
    }

  self->loaded = TRUE;
  gtk_label_set_label (self->offline_label, _ ("Live updates are paused. Reconnecting…"));
  if (self->realtime == NULL ||
      bc_realtime_get_state (self->realtime) == BC_REALTIME_STATE_CONNECTED)
    gtk_revealer_set_reveal_child (self->offline_revealer, FALSE);

  update_header (self);
  fill_open_list (self);
  fill_mine_list (self);
  fill_streams_list (self);
  announce_changes (self, first_load);
  set_stack_page (self, "content");

  self->generation++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_GENERATION]);
}

typedef enum
{
  REQUEST_ME,
  REQUEST_OPEN,
  REQUEST_MINE,
  REQUEST_SESSIONS,
} Request;

typedef struct
{
  BcDashboardPage *self;
  Request request;
} RequestData;

static void
on_request_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  RequestData *data = user_data;
  g_autoptr (BcDashboardPage) self = data->self;
  BcApiClient *client = BC_API_CLIENT (object);
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) model = NULL;
  g_autoptr (BcUser) user = NULL;
  Request request = data->request;

  g_free (data);

  switch (request)
    {
    case REQUEST_ME:
      user = bc_api_client_me_finish (client, result, &error);
      break;
    case REQUEST_OPEN:
    case REQUEST_MINE:
      model = bc_api_client_list_bounties_finish (client, result, &error);
      break;
    case REQUEST_SESSIONS:
      model = bc_api_client_list_sessions_finish (client, result, &error);
      break;
    default:
      g_assert_not_reached ();
    }

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (error != NULL)
    {
      if (!self->failed)
        {
          self->failed = TRUE;
          g_clear_error (&self->error);
          self->error = g_steal_pointer (&error);
        }
    }
  else if (request == REQUEST_OPEN)
    g_set_object (&self->open_bounties, model);
  else if (request == REQUEST_MINE)
    g_set_object (&self->my_bounties, model);
  else if (request == REQUEST_SESSIONS)
    g_set_object (&self->sessions, model);

  if (--self->pending == 0)
    show_results (self);
}

static void
start_request (BcDashboardPage *self, BcApiClient *client, Request request)
{
  RequestData *data = g_new0 (RequestData, 1);

  data->self = g_object_ref (self);
  data->request = request;
  self->pending++;

  switch (request)
    {
    case REQUEST_ME:
      bc_api_client_me_async (client, self->cancellable, on_request_done, data);
      break;
    case REQUEST_OPEN:
      bc_api_client_list_bounties_async (client, BC_BOUNTY_FILTER_OPEN, self->cancellable,
                                         on_request_done, data);
      break;
    case REQUEST_MINE:
      bc_api_client_list_bounties_async (client, BC_BOUNTY_FILTER_MINE, self->cancellable,
                                         on_request_done, data);
      break;
    case REQUEST_SESSIONS:
      bc_api_client_list_sessions_async (client, self->cancellable, on_request_done, data);
      break;
    default:
      g_assert_not_reached ();
    }
}

/**
 * bc_dashboard_page_reload:
 *
 * Fetches everything again. A reload still running is abandoned.
 */
void
bc_dashboard_page_reload (BcDashboardPage *self)
{
  BcApiClient *client;

  g_return_if_fail (BC_IS_DASHBOARD_PAGE (self));

  g_clear_handle_id (&self->reload_source, g_source_remove);
  client = get_client ();
  if (client == NULL)
    return;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  self->pending = 0;
  self->failed = FALSE;

  if (!self->loaded)
    set_stack_page (self, "loading");

  start_request (self, client, REQUEST_ME);
  start_request (self, client, REQUEST_OPEN);
  start_request (self, client, REQUEST_MINE);
  start_request (self, client, REQUEST_SESSIONS);
}

static void
reload_soon_cb (gpointer user_data)
{
  BcDashboardPage *self = user_data;

  self->reload_source = 0;
  bc_dashboard_page_reload (self);
}

static void
reload_soon (BcDashboardPage *self)
{
  if (self->reload_source == 0)
    self->reload_source = g_timeout_add_once (RELOAD_DELAY_MS, reload_soon_cb, self);
}

static void
on_realtime_message (BcDashboardPage *self,
                     const char *type,
                     JsonObject *message,
                     BcRealtime *realtime)
{
  reload_soon (self);
}

static void
on_realtime_state (BcDashboardPage *self, GParamSpec *pspec, BcRealtime *realtime)
{
  BcRealtimeState state = bc_realtime_get_state (realtime);

  if (state == BC_REALTIME_STATE_CONNECTED)
    {
      gtk_revealer_set_reveal_child (self->offline_revealer, FALSE);
      /* Messages sent while we were away are lost: catch up. */
      reload_soon (self);
    }
  else if (state == BC_REALTIME_STATE_OFFLINE && self->loaded)
    {
      gtk_label_set_label (self->offline_label, _ ("Live updates are paused. Reconnecting…"));
      gtk_revealer_set_reveal_child (self->offline_revealer, TRUE);
    }
}

/**
 * bc_dashboard_page_start:
 *
 * Loads the lists for the signed-in user and follows the realtime channel.
 */
void
bc_dashboard_page_start (BcDashboardPage *self)
{
  BcRealtime *realtime =
      bc_application_get_realtime (BC_APPLICATION (g_application_get_default ()));

  g_return_if_fail (BC_IS_DASHBOARD_PAGE (self));

  if (realtime != self->realtime)
    {
      if (self->realtime != NULL)
        g_signal_handlers_disconnect_by_data (self->realtime, self);
      g_set_object (&self->realtime, realtime);
      if (realtime != NULL)
        {
          g_signal_connect_object (realtime, "message", G_CALLBACK (on_realtime_message), self,
                                   G_CONNECT_SWAPPED);
          g_signal_connect_object (realtime, "notify::state", G_CALLBACK (on_realtime_state), self,
                                   G_CONNECT_SWAPPED);
        }
    }

  if (realtime != NULL)
    bc_realtime_start (realtime);

  bc_dashboard_page_reload (self);
}

/**
 * bc_dashboard_page_stop:
 *
 * Forgets everything shown, e.g. when the user signs out.
 */
void
bc_dashboard_page_stop (BcDashboardPage *self)
{
  g_return_if_fail (BC_IS_DASHBOARD_PAGE (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->realtime != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->realtime, self);
      bc_realtime_stop (self->realtime);
      g_clear_object (&self->realtime);
    }

  self->loaded = FALSE;
  g_hash_table_remove_all (self->seen_status);
  g_clear_object (&self->open_bounties);
  g_clear_object (&self->my_bounties);
  g_clear_object (&self->sessions);
  clear_list (self->open_list);
  clear_list (self->mine_list);
  clear_list (self->streams_list);
  gtk_revealer_set_reveal_child (self->offline_revealer, FALSE);
  gtk_label_set_label (self->points_label, "");
  gtk_widget_set_visible (GTK_WIDGET (self->points_label), FALSE);
  adw_window_title_set_subtitle (self->window_title, NULL);
  set_stack_page (self, "loading");
}

static void
bc_dashboard_page_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcDashboardPage *self = BC_DASHBOARD_PAGE (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_string (value, bc_dashboard_page_get_state (self));
      break;

    case PROP_GENERATION:
      g_value_set_uint (value, self->generation);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_dashboard_page_dispose (GObject *object)
{
  BcDashboardPage *self = BC_DASHBOARD_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->reload_source, g_source_remove);
  if (self->realtime != NULL)
    g_signal_handlers_disconnect_by_data (self->realtime, self);
  g_clear_object (&self->realtime);
  g_clear_object (&self->open_bounties);
  g_clear_object (&self->my_bounties);
  g_clear_object (&self->sessions);
  g_clear_pointer (&self->seen_status, g_hash_table_unref);
  g_clear_error (&self->error);
  gtk_widget_dispose_template (GTK_WIDGET (self), BC_TYPE_DASHBOARD_PAGE);
  /* The template's top box has no id, so it is not among the children
   * gtk_widget_dispose_template() takes care of. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (bc_dashboard_page_parent_class)->dispose (object);
}

static void
bc_dashboard_page_class_init (BcDashboardPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = bc_dashboard_page_get_property;
  object_class->dispose = bc_dashboard_page_dispose;

  /* "loading", "offline" or "content" */
  properties[PROP_STATE] =
      g_param_spec_string ("state", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Counts the loads shown so far. */
  properties[PROP_GENERATION] =
      g_param_spec_uint ("generation", NULL, NULL, 0, G_MAXUINT, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/app/bountycam/BountyCam/ui/bc-dashboard-page.ui");
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, window_title);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, points_label);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, offline_revealer);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, offline_label);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, stack);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, offline_status);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, streams_group);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, streams_list);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, open_list);
  gtk_widget_class_bind_template_child (widget_class, BcDashboardPage, mine_list);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "bcdashboardpage");
}

static void
bc_dashboard_page_init (BcDashboardPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->seen_status = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  set_stack_page (self, "loading");
}

GtkWidget *
bc_dashboard_page_new (void)
{
  return g_object_new (BC_TYPE_DASHBOARD_PAGE, NULL);
}
