/* UI tests of the app: each page against a real bountycam-server --dev,
 * driven the way a user drives it (actions, entries, dialogs), with
 * screenshots of every page saved in <build>/screenshots. */
#include "config.h"

#include "bc-known-warnings.h"

#include <adwaita.h>
#include <gst/gst.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "bc-app-test-util.h"
#include "bc-live-stream.h"
#include "bc-lk-peer.h"
#include "bc-application.h"
#include "bc-bounty-row.h"
#include "bc-dashboard-page.h"
#include "bc-new-bounty-dialog.h"
#include "bc-preferences-window.h"
#include "bc-session-page.h"
#include "bc-sign-in-page.h"
#include "bc-video-paintable.h"
#include "bc-window.h"

static BcApplication *app;

/* ---- helpers ------------------------------------------------------------ */

static GtkWidget *
template_child (gpointer widget, GType type, const char *name)
{
  GObject *child = gtk_widget_get_template_child (GTK_WIDGET (widget), type, name);

  g_assert_nonnull (child);
  return GTK_WIDGET (child);
}

static void
set_text (gpointer widget, GType type, const char *name, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (template_child (widget, type, name)), text);
}

typedef struct
{
  BcWindow *window;
  const char *page;
} PageWait;

static gboolean
page_is (gpointer data)
{
  PageWait *wait = data;

  return g_strcmp0 (bc_window_get_page_name (wait->window), wait->page) == 0;
}

static void
wait_for_page (BcWindow *window, const char *page)
{
  PageWait wait = { window, page };

  if (!bc_test_wait (page_is, &wait, 30))
    g_error ("Timed out waiting for page %s, on %s", page, bc_window_get_page_name (window));
}

static gboolean
dashboard_loaded (gpointer data)
{
  return g_strcmp0 (bc_dashboard_page_get_state (data), "content") == 0;
}

typedef struct
{
  BcDashboardPage *page;
  guint generation;
} GenerationWait;

static gboolean
dashboard_reloaded (gpointer data)
{
  GenerationWait *wait = data;

  return bc_dashboard_page_get_generation (wait->page) > wait->generation;
}

static guint
list_rows (BcDashboardPage *page, const char *list_name)
{
  GtkListBox *list = GTK_LIST_BOX (template_child (page, BC_TYPE_DASHBOARD_PAGE, list_name));
  guint n = 0;

  while (gtk_list_box_get_row_at_index (list, n) != NULL)
    n++;
  return n;
}

typedef struct
{
  BcDashboardPage *page;
  const char *list;
  guint rows;
} RowsWait;

static gboolean
rows_are (gpointer data)
{
  RowsWait *wait = data;

  return list_rows (wait->page, wait->list) == wait->rows;
}

static void
wait_for_rows (BcDashboardPage *page, const char *list, guint rows)
{
  RowsWait wait = { page, list, rows };

  if (!bc_test_wait (rows_are, &wait, 30))
    g_error ("Timed out waiting for %u rows in %s, have %u", rows, list, list_rows (page, list));
}

static BcWindow *
new_window (void)
{
  BcWindow *window = bc_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 760);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

static void
close_window (BcWindow *window)
{
  g_autoptr (GtkWidget) ref = g_object_ref (GTK_WIDGET (window));

  /* Closing as the user does, so the window saves its size. */
  gtk_window_close (GTK_WINDOW (window));
  bc_test_wait_ms (50);
}

/* Waits for an async client call made with the callback below. */
typedef struct
{
  GAsyncResult *result;
} AsyncWait;

static void
on_async_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  AsyncWait *wait = user_data;

  wait->result = g_object_ref (result);
}

static gboolean
async_done (gpointer data)
{
  return ((AsyncWait *) data)->result != NULL;
}

static GAsyncResult *
wait_async (AsyncWait *wait)
{
  g_assert_true (bc_test_wait (async_done, wait, 30));
  return wait->result;
}

static BcApiClient *
api_signup (const char *url, const char *email, const char *name)
{
  BcApiClient *client = bc_api_client_new (url);
  AsyncWait wait = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (BcUser) user = NULL;

  bc_api_client_signup_async (client, email, "correct horse battery", name, NULL, on_async_done,
                              &wait);
  user = bc_api_client_signup_finish (client, wait_async (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return client;
}

static BcBounty *
api_create_bounty (BcApiClient *client, const char *title, const char *description, gint64 reward)
{
  AsyncWait wait = { 0 };
  g_autoptr (GError) error = NULL;
  BcBounty *bounty;

  bc_api_client_create_bounty_async (client, title, description, reward, NULL, on_async_done,
                                     &wait);
  bounty = bc_api_client_create_bounty_finish (client, wait_async (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return bounty;
}

static BcSession *
api_accept (BcApiClient *client, const char *bounty_id)
{
  AsyncWait wait = { 0 };
  g_autoptr (GError) error = NULL;
  BcSession *session;

  bc_api_client_accept_bounty_async (client, bounty_id, NULL, on_async_done, &wait);
  session = bc_api_client_accept_bounty_finish (client, wait_async (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return session;
}

static void
api_reject (BcApiClient *client, const char *session_id)
{
  AsyncWait wait = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  bc_api_client_reject_session_async (client, session_id, NULL, on_async_done, &wait);
  session = bc_api_client_reject_session_finish (client, wait_async (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static gint64
api_points (BcApiClient *client)
{
  AsyncWait wait = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (BcUser) user = NULL;

  bc_api_client_me_async (client, NULL, on_async_done, &wait);
  user = bc_api_client_me_finish (client, wait_async (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  return bc_user_get_points (user);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

static gboolean
dialog_shown (gpointer data)
{
  return find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

static GtkWindow *
wait_for_toplevel (GType type)
{
  g_assert_true (bc_test_wait (dialog_shown, GSIZE_TO_POINTER (type), 10));
  return find_toplevel (type);
}

typedef struct
{
  BcSessionPage *page;
  BcSessionState state;
} StateWait;

static gboolean
session_state_is (gpointer data)
{
  StateWait *wait = data;

  return bc_session_page_get_state (wait->page) == wait->state;
}

static void
wait_for_session_state (BcSessionPage *page, BcSessionState state)
{
  StateWait wait = { page, state };

  if (!bc_test_wait (session_state_is, &wait, 30))
    g_error ("Timed out waiting for session state %d, have %d", state,
             bc_session_page_get_state (page));
}

static gboolean
sign_in_idle (gpointer data)
{
  return !bc_sign_in_page_get_busy (data);
}

static const char *
sign_in_error (BcSignInPage *page)
{
  GtkRevealer *revealer =
      GTK_REVEALER (template_child (page, BC_TYPE_SIGN_IN_PAGE, "error_revealer"));

  if (!gtk_revealer_get_reveal_child (revealer))
    return NULL;
  return gtk_label_get_label (
      GTK_LABEL (template_child (page, BC_TYPE_SIGN_IN_PAGE, "error_label")));
}

/* ---- tests without a server --------------------------------------------- */

typedef struct
{
  BcVideoPaintable *paintable;
  int width;
  int height;
  guint count;
} PushData;

static gpointer
push_frames_thread (gpointer user_data)
{
  PushData *data = user_data;

  for (guint i = 0; i < data->count; i++)
    {
      gsize stride = (gsize) data->width * 4;
      guint8 *pixels = g_malloc (stride * data->height);
      g_autoptr (GBytes) bytes = NULL;

      memset (pixels, i & 0xff, stride * data->height);
      bytes = g_bytes_new_take (pixels, stride * data->height);
      bc_video_paintable_push_frame (data->paintable, bytes, data->width, data->height, stride,
                                     GDK_MEMORY_R8G8B8A8);
    }

  return NULL;
}

typedef struct
{
  BcVideoPaintable *paintable;
  guint64 expected;
} SettledWait;

static gboolean
frames_settled (gpointer data)
{
  SettledWait *wait = data;

  return bc_video_paintable_get_frames_shown (wait->paintable) +
             bc_video_paintable_get_frames_dropped (wait->paintable) ==
         wait->expected;
}

static void
count_invalidation (guint *count)
{
  (*count)++;
}

static void
test_video_paintable (void)
{
  g_autoptr (BcVideoPaintable) paintable = bc_video_paintable_new ();
  PushData data = { paintable, 64, 48, 300 };
  SettledWait wait = { paintable, 300 };
  guint size_changes = 0;
  GThread *thread;

  g_signal_connect_swapped (paintable, "invalidate-size", G_CALLBACK (count_invalidation),
                            &size_changes);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);

  /* A streaming thread pushing faster than the UI shows: every frame is
   * either shown or dropped, none waits, and the size changes once. */
  thread = g_thread_new ("push", push_frames_thread, &data);
  g_thread_join (thread);
  g_assert_true (bc_test_wait (frames_settled, &wait, 10));
  g_assert_cmpuint (bc_video_paintable_get_frames_shown (paintable), >=, 1);
  g_assert_cmpuint (bc_video_paintable_get_frames_dropped (paintable), >=, 1);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 64);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (paintable)), ==, 48);
  g_assert_cmpuint (size_changes, ==, 1);

  /* Same size again: no size invalidation; a new size: one more. */
  data.count = 1;
  wait.expected = 301;
  push_frames_thread (&data);
  g_assert_true (bc_test_wait (frames_settled, &wait, 10));
  g_assert_cmpuint (size_changes, ==, 1);

  data.width = 32;
  data.height = 32;
  wait.expected = 302;
  push_frames_thread (&data);
  g_assert_true (bc_test_wait (frames_settled, &wait, 10));
  g_assert_cmpuint (size_changes, ==, 2);
  g_assert_cmpfloat_with_epsilon (
      gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (paintable)), 1.0, 0.001);

  bc_video_paintable_clear (paintable);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (paintable)), ==, 0);
  g_assert_cmpuint (size_changes, ==, 3);
}

static void
test_profile_app_id (void)
{
  g_autofree char *plain = bc_application_dup_profile_app_id (NULL);
  g_autofree char *deflt = bc_application_dup_profile_app_id ("default");
  g_autofree char *streamer = bc_application_dup_profile_app_id ("streamer");
  g_autofree char *odd = bc_application_dup_profile_app_id ("2nd user-é");

  g_assert_cmpstr (plain, ==, APP_ID);
  g_assert_cmpstr (deflt, ==, APP_ID);
  g_assert_cmpstr (streamer, ==, APP_ID ".Profile_streamer");
  g_assert_true (g_application_id_is_valid (streamer));
  g_assert_true (g_application_id_is_valid (odd));
  g_assert_cmpstr (streamer, !=, plain);
}

static void
test_sign_in_validation (void)
{
  BcWindow *window = new_window ();
  BcSignInPage *page = BC_SIGN_IN_PAGE (bc_window_get_sign_in_page (window));

  wait_for_page (window, "sign-in");

  set_text (page, BC_TYPE_SIGN_IN_PAGE, "server_row", "http://127.0.0.1:9");
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "email_row", "not an address");
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "password_row", "secret");
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  g_assert_false (bc_sign_in_page_get_busy (page));
  g_assert_cmpstr (sign_in_error (page), ==, "Enter your email address.");
  g_assert_true (
      gtk_widget_has_css_class (template_child (page, BC_TYPE_SIGN_IN_PAGE, "email_row"), "error"));

  /* Sign-up needs a display name. */
  bc_sign_in_page_set_signing_up (page, TRUE);
  g_assert_true (
      gtk_widget_get_visible (template_child (page, BC_TYPE_SIGN_IN_PAGE, "display_name_row")));
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "email_row", "ada@example.org");
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  g_assert_cmpstr (sign_in_error (page), ==, "Enter the name other people will see.");
  bc_sign_in_page_set_signing_up (page, FALSE);

  /* Nothing listens there: the user is told the server cannot be reached. */
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  g_assert_true (bc_test_wait (sign_in_idle, page, 30));
  g_assert_nonnull (sign_in_error (page));
  g_assert_true (g_str_has_prefix (sign_in_error (page), "Can’t reach the server at "
                                                         "http://127.0.0.1:9"));
  g_assert_cmpstr (bc_window_get_page_name (window), ==, "sign-in");

  /* The window's size is kept for the next start. */
  close_window (window);
  g_assert_cmpint (g_settings_get_int (bc_application_get_settings (app), "window-width"), ==,
                   1180);
  g_assert_cmpint (g_settings_get_int (bc_application_get_settings (app), "window-height"), ==,
                   760);
}

static void
test_new_bounty_validation (void)
{
  g_autoptr (BcApiClient) client = bc_api_client_new ("http://127.0.0.1:9");
  BcNewBountyDialog *dialog = bc_new_bounty_dialog_new (NULL, client, 100);
  BcNewBountyDialog *broke;

  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_nonnull (bc_new_bounty_dialog_validate (dialog));
  set_text (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "title_row", "Hi");
  g_assert_cmpstr (bc_new_bounty_dialog_validate (dialog), ==,
                   "Give the bounty a title of at least 3 characters.");
  set_text (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "title_row", "Sunset at Pier 39");
  g_assert_null (bc_new_bounty_dialog_validate (dialog));
  /* The reward cannot go above the balance. */
  gtk_spin_button_set_value (
      GTK_SPIN_BUTTON (template_child (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "reward_spin")), 500);
  g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (
                         template_child (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "reward_spin"))),
                     ==, 100);
  g_assert_true (
      gtk_widget_get_visible (template_child (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "create_button")));
  gtk_window_destroy (GTK_WINDOW (dialog));

  broke = bc_new_bounty_dialog_new (NULL, client, 0);
  set_text (broke, BC_TYPE_NEW_BOUNTY_DIALOG, "title_row", "Sunset at Pier 39");
  g_assert_nonnull (bc_new_bounty_dialog_validate (broke));
  gtk_window_destroy (GTK_WINDOW (broke));
}

static void
test_preferences (void)
{
  GSettings *settings = bc_application_get_settings (app);
  BcPreferencesWindow *window = bc_preferences_window_new (settings);
  AdwComboRow *codec =
      ADW_COMBO_ROW (template_child (window, BC_TYPE_PREFERENCES_WINDOW, "codec_row"));
  GtkSwitch *low_latency =
      GTK_SWITCH (template_child (window, BC_TYPE_PREFERENCES_WINDOW, "low_latency_switch"));
  g_autofree char *value = NULL;

  gtk_window_present (GTK_WINDOW (window));
  g_settings_set_string (settings, "codec", "h264");
  g_assert_cmpuint (adw_combo_row_get_selected (codec), ==, 0);
  adw_combo_row_set_selected (codec, 1);
  value = g_settings_get_string (settings, "codec");
  g_assert_cmpstr (value, ==, "vp8");
  g_settings_set_string (settings, "codec", "h264");

  g_assert_true (gtk_switch_get_active (low_latency));
  gtk_switch_set_active (low_latency, FALSE);
  g_assert_false (g_settings_get_boolean (settings, "low-latency"));
  g_settings_reset (settings, "low-latency");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- tests against the server ------------------------------------------- */

static void
sign_in_through_ui (BcWindow *window,
                    const char *url,
                    const char *email,
                    const char *password,
                    const char *display_name)
{
  BcSignInPage *page = BC_SIGN_IN_PAGE (bc_window_get_sign_in_page (window));

  wait_for_page (window, "sign-in");
  bc_sign_in_page_set_signing_up (page, display_name != NULL);
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "server_row", url);
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "email_row", email);
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "password_row", password);
  if (display_name != NULL)
    set_text (page, BC_TYPE_SIGN_IN_PAGE, "display_name_row", display_name);
  gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
  wait_for_page (window, "dashboard");
  g_assert_true (bc_test_wait (dashboard_loaded, bc_window_get_dashboard_page (window), 30));
}

static void
test_sign_in_errors (void)
{
  BcTestServer *server = bc_test_server_start ();
  g_autoptr (BcApiClient) someone = NULL;
  BcWindow *window;
  BcSignInPage *page;
  gboolean throttled = FALSE;

  if (server == NULL)
    return;

  someone = api_signup (bc_test_server_get_url (server), "grace@example.org", "Grace");
  window = new_window ();
  page = BC_SIGN_IN_PAGE (bc_window_get_sign_in_page (window));
  wait_for_page (window, "sign-in");
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "server_row", bc_test_server_get_url (server));
  set_text (page, BC_TYPE_SIGN_IN_PAGE, "email_row", "grace@example.org");

  /* Wrong password, said plainly, until the server throttles the attempts. */
  for (guint i = 0; i < 30 && !throttled; i++)
    {
      set_text (page, BC_TYPE_SIGN_IN_PAGE, "password_row", "not her password");
      gtk_widget_activate_action (GTK_WIDGET (page), "sign-in.submit", NULL);
      g_assert_true (bc_test_wait (sign_in_idle, page, 30));
      g_assert_nonnull (sign_in_error (page));
      if (g_str_has_prefix (sign_in_error (page), "Too many attempts"))
        throttled = TRUE;
      else
        g_assert_cmpstr (sign_in_error (page), ==, "The email address or password is wrong.");
    }
  g_assert_true (throttled);
  g_assert_cmpstr (bc_window_get_page_name (window), ==, "sign-in");

  close_window (window);
  bc_test_server_stop (server);
}

static void
on_bounty_created (BcNewBountyDialog *dialog, BcBounty *bounty, BcBounty **out)
{
  g_set_object (out, bounty);
}

typedef struct
{
  BcDashboardPage *page;
  const char *bounty_id;
} SessionWait;

static gboolean
dashboard_has_session (gpointer data)
{
  SessionWait *wait = data;

  return bc_dashboard_page_find_session_for_bounty (wait->page, wait->bounty_id) != NULL;
}

static gboolean
notified (gpointer data)
{
  GPtrArray *shown = bc_test_notifications_get ();

  for (guint i = 0; i < shown->len; i++)
    if (g_str_equal (g_ptr_array_index (shown, i), data))
      return TRUE;
  return FALSE;
}

typedef struct
{
  BcVideoPaintable *paintable;
  guint64 frames;
} FramesWait;

static gboolean
frames_shown (gpointer data)
{
  FramesWait *wait = data;

  return bc_video_paintable_get_frames_shown (wait->paintable) >= wait->frames;
}

static gboolean
stream_live (gpointer data)
{
  BcLiveStreamState state = bc_live_stream_get_state (data);

  if (state == BC_LIVE_STREAM_FAILED)
    g_error ("Streaming failed: %s", bc_live_stream_get_error (data)->message);
  return state == BC_LIVE_STREAM_LIVE;
}

static gboolean
stream_stopped (gpointer data)
{
  return bc_live_stream_get_state (data) != BC_LIVE_STREAM_LIVE;
}

static gboolean
session_has_stream_started (gpointer data)
{
  BcSession *session = bc_session_page_get_session (data);
  GListModel *events = session ? bc_session_get_events (session) : NULL;

  for (guint i = 0; events != NULL && i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (BcStreamEvent) event = g_list_model_get_item (events, i);

      if (g_str_equal (bc_stream_event_get_event_type (event), "stream_started"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
camera_settled (gpointer data)
{
  BcSessionState state = bc_session_page_get_state (data);

  return state == BC_SESSION_STATE_CAMERA_MISSING ||
         (state == BC_SESSION_STATE_IDLE &&
          bc_video_paintable_get_frames_shown (bc_session_page_get_paintable (data)) > 0);
}

static void
select_test_pattern (BcSessionPage *page)
{
  AdwComboRow *row = ADW_COMBO_ROW (template_child (page, BC_TYPE_SESSION_PAGE, "camera_row"));
  GListModel *names = adw_combo_row_get_model (row);

  for (guint i = 0; i < g_list_model_get_n_items (names); i++)
    if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (names), i), "Test Pattern"))
      {
        adw_combo_row_set_selected (row, i);
        return;
      }
  g_assert_not_reached ();
}

static BcSession *
api_session_for (BcApiClient *client, const char *bounty_id)
{
  AsyncWait wait = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GListModel) sessions = NULL;

  bc_api_client_list_sessions_async (client, NULL, on_async_done, &wait);
  sessions = bc_api_client_list_sessions_finish (client, wait_async (&wait), &error);
  g_assert_no_error (error);
  g_object_unref (wait.result);
  for (guint i = 0; i < g_list_model_get_n_items (sessions); i++)
    {
      g_autoptr (BcSession) session = g_list_model_get_item (sessions, i);

      if (g_str_equal (bc_session_get_bounty_id (session), bounty_id))
        return g_steal_pointer (&session);
    }
  g_assert_not_reached ();
}

static const char *
stats_label (BcSessionPage *page, const char *name)
{
  return gtk_label_get_label (GTK_LABEL (template_child (page, BC_TYPE_SESSION_PAGE, name)));
}

static gboolean
stats_known (gpointer data)
{
  return strstr (stats_label (data, "stats_resolution"), "×") != NULL &&
         strstr (stats_label (data, "stats_fps"), "fps") != NULL &&
         strstr (stats_label (data, "stats_bitrate"), "bit/s") != NULL;
}

static GtkButton *
mine_row_button (BcDashboardPage *page)
{
  GtkListBox *list = GTK_LIST_BOX (template_child (page, BC_TYPE_DASHBOARD_PAGE, "mine_list"));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (list, 0);

  g_assert_true (BC_IS_BOUNTY_ROW (row));
  return bc_bounty_row_get_action_button (BC_BOUNTY_ROW (row));
}

static gboolean
dashboard_session_live (gpointer data)
{
  SessionWait *wait = data;
  BcSession *session = bc_dashboard_page_find_session_for_bounty (wait->page, wait->bounty_id);
  GtkButton *button = mine_row_button (wait->page);

  return session != NULL && g_strcmp0 (bc_session_get_status (session), "live") == 0 &&
         g_strcmp0 (gtk_button_get_label (button), "_Watch Live") == 0;
}

static void
test_bounty_flow (void)
{
  BcTestServer *server = bc_test_server_start ();
  g_autoptr (BcApiClient) bob = NULL;
  g_autoptr (BcApiClient) carol = NULL;
  g_autoptr (BcBounty) pier = NULL;
  g_autoptr (BcBounty) street = NULL;
  g_autoptr (BcBounty) created = NULL;
  g_autoptr (BcSession) session = NULL;
  BcWindow *window;
  BcDashboardPage *dashboard;
  BcSessionPage *session_page;
  BcNewBountyDialog *dialog;
  AdwMessageDialog *confirm;
  GenerationWait generation;
  FramesWait frames;
  gint64 watch_start;
  g_autoptr (BcVideoPaintable) bob_paintable = NULL;
  g_autoptr (BcLiveStream) bob_stream = NULL;
  g_autoptr (BcVideoPaintable) carol_paintable = NULL;
  g_autoptr (BcLiveStream) carol_stream = NULL;
  g_autoptr (BcSession) carol_session = NULL;
  SessionWait session_wait;
  const char *url;
  gint64 start_points, bob_points;

  if (server == NULL)
    return;
  url = bc_test_server_get_url (server);

  /* The sign-in page, then a new account made through it. */
  window = new_window ();
  dashboard = BC_DASHBOARD_PAGE (bc_window_get_dashboard_page (window));
  session_page = BC_SESSION_PAGE (bc_window_get_session_page (window));
  wait_for_page (window, "sign-in");
  set_text (bc_window_get_sign_in_page (window), BC_TYPE_SIGN_IN_PAGE, "server_row", url);
  set_text (bc_window_get_sign_in_page (window), BC_TYPE_SIGN_IN_PAGE, "email_row",
            "ada@example.org");
  bc_test_screenshot (GTK_WIDGET (window), "sign-in");
  sign_in_through_ui (window, url, "ada@example.org", "correct horse battery", "Ada Lovelace");
  start_points = bc_dashboard_page_get_balance (dashboard);
  g_assert_cmpint (start_points, >, 50);
  g_assert_cmpuint (list_rows (dashboard, "open_list"), ==, 0);
  g_assert_cmpuint (list_rows (dashboard, "mine_list"), ==, 0);
  bc_test_screenshot (GTK_WIDGET (window), "dashboard-empty");

  /* Others post bounties: the realtime channel brings them in, no refresh. */
  bob = api_signup (url, "bob@example.org", "Bob Marley");
  carol = api_signup (url, "carol@example.org", "Carol Shaw");
  bob_points = api_points (bob);
  pier =
      api_create_bounty (carol, "Sunset at Pier 39", "The sea lions at golden hour, please.", 40);
  street = api_create_bounty (carol, "Street musicians in Covent Garden",
                              "Whoever is playing right now, a few minutes.", 25);
  wait_for_rows (dashboard, "open_list", 2);

  /* A bounty of our own, through the New Bounty dialog. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.new-bounty", NULL);
  dialog = BC_NEW_BOUNTY_DIALOG (wait_for_toplevel (BC_TYPE_NEW_BOUNTY_DIALOG));
  g_signal_connect (dialog, "created", G_CALLBACK (on_bounty_created), &created);
  set_text (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "title_row", "Northern lights over Tromsø");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (template_child (
                                dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "description_view"))),
                            "Point the camera north, away from the city lights.", -1);
  gtk_spin_button_set_value (
      GTK_SPIN_BUTTON (template_child (dialog, BC_TYPE_NEW_BOUNTY_DIALOG, "reward_spin")), 50);
  bc_test_screenshot (GTK_WIDGET (dialog), "new-bounty");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "bounty.create", NULL);
  wait_for_rows (dashboard, "mine_list", 1);
  g_assert_nonnull (created);
  g_assert_cmpint (bc_dashboard_page_get_balance (dashboard), ==, start_points - 50);

  /* Bob accepts it; Ada's dashboard shows the session without a refresh. */
  session = api_accept (bob, bc_bounty_get_id (created));
  session_wait = (SessionWait){ dashboard, bc_bounty_get_id (created) };
  g_assert_true (bc_test_wait (dashboard_has_session, &session_wait, 30));
  bc_test_screenshot (GTK_WIDGET (window), "dashboard-accepted");
  /* Without a window manager our window never has the focus, as if in the
   * background: the user was told through a desktop notification. */
  g_assert_true (
      bc_test_wait (notified, (gpointer) "“Northern lights over Tromsø” was accepted", 10));

  /* Bob streams the test pattern from a second client. */
  bob_paintable = bc_video_paintable_new ();
  bob_stream = bc_live_stream_new_publisher (bob, bc_session_get_id (session), "test", "h264",
                                             FALSE, bob_paintable);
  bc_live_stream_start (bob_stream);
  g_assert_true (bc_test_wait (stream_live, bob_stream, 60));

  /* The session goes live on Ada's dashboard, which offers Watch Live. */
  g_assert_true (bc_test_wait (dashboard_session_live, &session_wait, 30));
  g_assert_cmpstr (gtk_button_get_label (mine_row_button (dashboard)), ==, "_Watch Live");
  bc_test_screenshot (GTK_WIDGET (window), "dashboard");

  /* Ada opens the session and watches: frames reach her paintable. */
  watch_start = g_get_monotonic_time ();
  bc_window_open_session (window, bc_session_get_id (session));
  wait_for_page (window, "session");
  g_assert_false (bc_session_page_get_is_streamer (session_page));
  frames = (FramesWait){ bc_session_page_get_paintable (session_page), 30 };
  if (!bc_test_wait (frames_shown, &frames, 60))
    g_error ("Only %" G_GUINT64_FORMAT " frames shown",
             bc_video_paintable_get_frames_shown (frames.paintable));
  wait_for_session_state (session_page, BC_SESSION_STATE_LIVE);
  g_test_message ("watching: 30 frames on screen %.2f s after Watch Live",
                  (g_get_monotonic_time () - watch_start) / (double) G_USEC_PER_SEC);
  g_test_message ("watching: %" G_GUINT64_FORMAT " frames shown, %" G_GUINT64_FORMAT " dropped",
                  bc_video_paintable_get_frames_shown (frames.paintable),
                  bc_video_paintable_get_frames_dropped (frames.paintable));
  bc_test_screenshot (GTK_WIDGET (window), "watching");
  /* The statistics popover tells the resolution of what arrives. */
  g_assert_true (bc_test_wait (stats_known, session_page, 30));
  g_test_message (
      "stats: %s, %s, %s, loss %s, rtt %s", stats_label (session_page, "stats_resolution"),
      stats_label (session_page, "stats_fps"), stats_label (session_page, "stats_bitrate"),
      stats_label (session_page, "stats_loss"), stats_label (session_page, "stats_rtt"));

  /* Approve, after a confirmation that states the points. */
  gtk_widget_activate_action (GTK_WIDGET (session_page), "session.approve", NULL);
  confirm = ADW_MESSAGE_DIALOG (wait_for_toplevel (ADW_TYPE_MESSAGE_DIALOG));
  g_assert_cmpstr (adw_message_dialog_get_body (confirm), ==,
                   "Bob Marley receives 50 points and the stream ends. This cannot be undone.");
  adw_message_dialog_response (confirm, "approve");
  wait_for_session_state (session_page, BC_SESSION_STATE_ENDED);
  g_assert_cmpstr (bc_session_get_outcome (bc_session_page_get_session (session_page)), ==,
                   "approved");
  bc_test_screenshot (GTK_WIDGET (window), "ended");
  g_assert_cmpint (api_points (bob), ==, bob_points + 50);
  /* Approving ended the room: Bob's client left it. */
  g_assert_true (bc_test_wait (stream_stopped, bob_stream, 30));
  g_clear_object (&bob_stream);

  /* Back on the dashboard the balance is what the server says. */
  generation = (GenerationWait){ dashboard, bc_dashboard_page_get_generation (dashboard) };
  gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL);
  wait_for_page (window, "dashboard");
  g_assert_true (bc_test_wait (dashboard_reloaded, &generation, 30));
  g_assert_cmpint (bc_dashboard_page_get_balance (dashboard), ==, start_points - 50);

  /* Ada signs out; Bob signs in, sees his stream, and takes Carol's bounty. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  wait_for_page (window, "sign-in");
  sign_in_through_ui (window, url, "bob@example.org", "correct horse battery", NULL);
  wait_for_rows (dashboard, "streams_list", 1);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.accept-bounty", "s",
                              bc_bounty_get_id (pier));
  wait_for_page (window, "session");
  g_assert_true (bc_session_page_get_is_streamer (session_page));
  /* The page previews the camera at once; with no camera on this machine,
   * "Automatic" finds none and says so, with Retry. */
  g_assert_true (bc_test_wait (camera_settled, session_page, 60));
  if (bc_session_page_get_state (session_page) == BC_SESSION_STATE_CAMERA_MISSING)
    {
      g_assert_true (gtk_widget_get_visible (
          template_child (session_page, BC_TYPE_SESSION_PAGE, "retry_button")));
      bc_test_screenshot (GTK_WIDGET (window), "camera-missing");
    }

  /* The test pattern, previewed before going live. */
  select_test_pattern (session_page);
  wait_for_session_state (session_page, BC_SESSION_STATE_IDLE);
  frames = (FramesWait){
    bc_session_page_get_paintable (session_page),
    bc_video_paintable_get_frames_shown (bc_session_page_get_paintable (session_page)) + 5
  };
  g_assert_true (bc_test_wait (frames_shown, &frames, 60));
  bc_test_screenshot (GTK_WIDGET (window), "streaming-ready");

  /* He goes live; Carol's client receives it. */
  gtk_widget_activate_action (GTK_WIDGET (session_page), "session.toggle-streaming", NULL);
  wait_for_session_state (session_page, BC_SESSION_STATE_LIVE);
  frames = (FramesWait){ bc_session_page_get_paintable (session_page), 10 };
  g_assert_true (bc_test_wait (frames_shown, &frames, 60));
  carol_session = api_session_for (carol, bc_bounty_get_id (pier));
  carol_paintable = bc_video_paintable_new ();
  carol_stream =
      bc_live_stream_new_viewer (carol, bc_session_get_id (carol_session), TRUE, carol_paintable);
  bc_live_stream_start (carol_stream);
  frames = (FramesWait){ carol_paintable, 30 };
  g_assert_true (bc_test_wait (frames_shown, &frames, 60));
  bc_test_screenshot (GTK_WIDGET (window), "streaming");
  g_assert_true (bc_test_wait (session_has_stream_started, session_page, 30));
  bc_live_stream_stop (carol_stream);
  g_clear_object (&carol_stream);

  /* Carol rejects; Bob's page, still live, shows the outcome by itself. */
  api_reject (carol, bc_session_get_id (carol_session));
  wait_for_session_state (session_page, BC_SESSION_STATE_ENDED);
  g_assert_cmpstr (bc_session_get_outcome (bc_session_page_get_session (session_page)), ==,
                   "rejected");
  g_assert_false (gtk_widget_get_visible (
      template_child (session_page, BC_TYPE_SESSION_PAGE, "stream_button")));
  bc_test_screenshot (GTK_WIDGET (window), "ended-streamer");

  /* The login is kept in the keyring: a new window is signed in at once. */
  close_window (window);
  window = new_window ();
  wait_for_page (window, "dashboard");
  g_assert_true (bc_test_wait (dashboard_loaded, bc_window_get_dashboard_page (window), 30));
  g_assert_cmpstr (
      bc_user_get_display_name (bc_api_client_get_user (bc_application_get_client (app))), ==,
      "Bob Marley");
  wait_for_rows (BC_DASHBOARD_PAGE (bc_window_get_dashboard_page (window)), "streams_list", 2);

  /* Signing out forgets it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  wait_for_page (window, "sign-in");
  close_window (window);
  bc_test_server_stop (server);
}

/* Without a window manager, Xvfb never gives our windows the focus, and GTK
 * warns when a text field that was told to take the focus never lost it. */
static gboolean
offline_banner_shown (gpointer data)
{
  return gtk_revealer_get_reveal_child (
      GTK_REVEALER (template_child (data, BC_TYPE_DASHBOARD_PAGE, "offline_revealer")));
}

static gboolean
dashboard_offline (gpointer data)
{
  return g_strcmp0 (bc_dashboard_page_get_state (data), "offline") == 0;
}

static void
test_dashboard_offline (void)
{
  BcTestServer *server = bc_test_server_start ();
  BcWindow *window;
  BcDashboardPage *dashboard;
  GenerationWait generation;

  if (server == NULL)
    return;

  window = new_window ();
  dashboard = BC_DASHBOARD_PAGE (bc_window_get_dashboard_page (window));
  sign_in_through_ui (window, bc_test_server_get_url (server), "grace@example.org",
                      "correct horse battery", "Grace Hopper");
  g_assert_false (offline_banner_shown (dashboard));

  /* The server goes away: the realtime channel notices, the page says so
   * and keeps what it showed. */
  generation = (GenerationWait){ dashboard, bc_dashboard_page_get_generation (dashboard) };
  bc_test_server_stop (server);
  g_assert_true (bc_test_wait (offline_banner_shown, dashboard, 30));
  gtk_widget_activate_action (GTK_WIDGET (window), "win.refresh", NULL);
  bc_test_wait_ms (500);
  g_assert_cmpstr (bc_dashboard_page_get_state (dashboard), ==, "content");
  g_assert_true (offline_banner_shown (dashboard));
  g_assert_cmpuint (bc_dashboard_page_get_generation (dashboard), ==, generation.generation);
  bc_test_screenshot (GTK_WIDGET (window), "dashboard-offline-banner");
  close_window (window);

  /* Starting with a stored login and no server: the offline page, with Retry. */
  window = new_window ();
  dashboard = BC_DASHBOARD_PAGE (bc_window_get_dashboard_page (window));
  g_assert_true (bc_test_wait (dashboard_offline, dashboard, 30));
  bc_test_screenshot (GTK_WIDGET (window), "dashboard-offline");
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  wait_for_page (window, "sign-in");
  close_window (window);
}

static void
on_name_appeared (GDBusConnection *connection,
                  const char *name,
                  const char *owner,
                  gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

static void
test_profile_instance (void)
{
  g_autofree char *binary =
      g_build_filename (g_getenv ("BC_BUILD_ROOT"), "src", "app", "bountycam", NULL);
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  gboolean appeared = FALSE;
  guint watch;

  /* A second instance under its own application id runs beside this one. */
  process =
      g_subprocess_new (G_SUBPROCESS_FLAGS_NONE, &error, binary, "--profile", "streamer", NULL);
  g_assert_no_error (error);
  watch = g_bus_watch_name (G_BUS_TYPE_SESSION, APP_ID ".Profile_streamer",
                            G_BUS_NAME_WATCHER_FLAGS_NONE, on_name_appeared, NULL, &appeared, NULL);
  g_assert_true (bc_test_wait (flag_set, &appeared, 30));
  g_bus_unwatch_name (watch);
  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait (process, NULL, NULL);
}

static gboolean
connection_lost (gpointer data)
{
  BcSessionState state = bc_session_page_get_state (data);

  return state == BC_SESSION_STATE_RECONNECTING || state == BC_SESSION_STATE_FAILED;
}

static void
test_session_retry (void)
{
  BcTestServer *server = bc_test_server_start ();
  g_autoptr (BcApiClient) bob = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (BcSession) session = NULL;
  BcSessionPage *page;
  BcWindow *window;

  if (server == NULL)
    return;

  window = new_window ();
  page = BC_SESSION_PAGE (bc_window_get_session_page (window));
  sign_in_through_ui (window, bc_test_server_get_url (server), "ada@example.org",
                      "correct horse battery", "Ada Lovelace");
  bob = api_signup (bc_test_server_get_url (server), "bob@example.org", "Bob Marley");
  bounty = api_create_bounty (bc_application_get_client (app), "Morning fog on the bay", "", 20);
  session = api_accept (bob, bc_bounty_get_id (bounty));

  /* Ada waits in the room for Bob's video. */
  bc_window_open_session (window, bc_session_get_id (session));
  wait_for_page (window, "session");
  wait_for_session_state (page, BC_SESSION_STATE_WAITING);

  /* The server (and its media server) goes away: that is shown, not hidden. */
  bc_test_server_pause (server);
  g_assert_true (bc_test_wait (connection_lost, page, 60));
  g_test_message ("connection lost: state %d", bc_session_page_get_state (page));

  /* Retrying while it is down fails with a reason and offers Retry again. */
  gtk_widget_activate_action (GTK_WIDGET (page), "session.retry", NULL);
  wait_for_session_state (page, BC_SESSION_STATE_FAILED);
  g_assert_true (
      gtk_widget_get_visible (template_child (page, BC_TYPE_SESSION_PAGE, "retry_button")));
  g_assert_true (g_str_has_prefix (gtk_label_get_label (GTK_LABEL (template_child (
                                       page, BC_TYPE_SESSION_PAGE, "state_description"))),
                                   "Can’t reach the BountyCam server"));
  bc_test_screenshot (GTK_WIDGET (window), "connection-failed");

  /* Back up: Retry joins the room again. */
  bc_test_server_restart (server);
  gtk_widget_activate_action (GTK_WIDGET (page), "session.retry", NULL);
  wait_for_session_state (page, BC_SESSION_STATE_WAITING);

  gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL);
  gtk_widget_activate_action (GTK_WIDGET (window), "win.sign-out", NULL);
  wait_for_page (window, "sign-in");
  close_window (window);
  bc_test_server_stop (server);
}

static void
test_about_and_shortcuts (void)
{
  BcWindow *window = new_window ();
  GtkWindow *about;
  GtkWindow *shortcuts;

  wait_for_page (window, "sign-in");

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = wait_for_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  bc_test_screenshot (GTK_WIDGET (about), "about");
  gtk_window_destroy (about);

  /* The shortcuts window comes from the resource, as GtkApplication loads it. */
  gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL);
  shortcuts = wait_for_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  gtk_window_close (shortcuts);

  /* Accelerators are set for the window's actions. */
  {
    g_auto (GStrv) accels =
        gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.new-bounty");
    g_assert_cmpstr (accels[0], ==, "<Control>n");
  }

  close_window (window);
}

int
main (int argc, char *argv[])
{
  g_autoptr (GError) error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  bc_known_warnings_install ();
  /* The libraries' debug chatter drowns the test's own messages. */
  g_log_set_debug_enabled (FALSE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  app = bc_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  adw_init ();
  bc_test_notifications_start ();

  g_test_add_func ("/app/video-paintable", test_video_paintable);
  g_test_add_func ("/app/profile-app-id", test_profile_app_id);
  g_test_add_func ("/app/sign-in/validation", test_sign_in_validation);
  g_test_add_func ("/app/new-bounty/validation", test_new_bounty_validation);
  g_test_add_func ("/app/preferences", test_preferences);
  g_test_add_func ("/app/about-and-shortcuts", test_about_and_shortcuts);
  g_test_add_func ("/app/sign-in/errors", test_sign_in_errors);
  g_test_add_func ("/app/bounty-flow", test_bounty_flow);
  g_test_add_func ("/app/dashboard/offline", test_dashboard_offline);
  g_test_add_func ("/app/session/retry", test_session_retry);
  g_test_add_func ("/app/profile-instance", test_profile_instance);

  status = g_test_run ();
  /* The application never ran, so its shutdown does not stop the warm-up. */
  bc_lk_peer_warm_up_finish ();
  g_object_unref (app);
  return status;
}
