/* The client layer against the real bountycam-server --dev. */
#include "config.h"

#include <string.h>

#include "bc-client.h"
#include "bc-test-server.h"

static BcTestServer *server;
static GAsyncResult *pending;

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_assert_null (pending);
  pending = g_object_ref (result);
}

static GAsyncResult *
wait_result (void)
{
  while (pending == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&pending);
}

/* Synchronous wrappers keep the flow readable. */
#define CALL(client, fn, ...)                                                                      \
  ({                                                                                               \
    g_autoptr (GAsyncResult) _res = NULL;                                                          \
    bc_api_client_##fn##_async (client, ##__VA_ARGS__, NULL, store_result, NULL);                  \
    _res = wait_result ();                                                                         \
    bc_api_client_##fn##_finish (client, _res, &error);                                            \
  })

static gboolean
need_server (void)
{
  if (server == NULL)
    {
      g_test_skip (bc_test_server_binary () ? "the server did not start"
                                            : "bountycam-server is not built (BC_SERVER unset)");
      return FALSE;
    }
  return TRUE;
}

static char *
unique_email (const char *who)
{
  static int n;
  g_autofree char *lower = g_ascii_strdown (who, -1);
  return g_strdup_printf ("%s-%d-%u@example.com", lower, ++n, g_random_int ());
}

static BcApiClient *
new_account (const char *who, char **out_email)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *email = unique_email (who);
  BcApiClient *client = bc_api_client_new (server->base_url);
  g_autoptr (BcUser) user = CALL (client, signup, email, "correct horse battery", who);

  g_assert_no_error (error);
  g_assert_cmpstr (bc_user_get_display_name (user), ==, who);
  g_assert_cmpint (bc_user_get_points (user), ==, 100);
  if (out_email)
    *out_email = g_steal_pointer (&email);
  return client;
}

static gint64
points_of (BcApiClient *client)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcUser) user = CALL (client, me);

  g_assert_no_error (error);
  return bc_user_get_points (user);
}

static gboolean
has_event (BcSession *session, const char *type)
{
  GListModel *events = bc_session_get_events (session);

  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (BcStreamEvent) e = g_list_model_get_item (events, i);
      if (g_strcmp0 (bc_stream_event_get_event_type (e), type) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_flow (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcApiClient) requester = NULL;
  g_autoptr (BcApiClient) streamer = NULL;
  g_autoptr (BcApiClient) stranger = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (BcSession) seen = NULL;
  g_autoptr (BcSession) ended = NULL;
  g_autoptr (BcLivekitToken) st = NULL;
  g_autoptr (BcLivekitToken) rt = NULL;
  g_autoptr (GListModel) open = NULL;
  g_autoptr (GListModel) mine = NULL;
  g_autoptr (GListModel) sessions = NULL;
  gboolean listed = FALSE;

  if (!need_server ())
    return;

  requester = new_account ("Requester", NULL);
  streamer = new_account ("Streamer", NULL);
  stranger = new_account ("Stranger", NULL);

  bounty = CALL (requester, create_bounty, "Sunset at Pier 39", "Live, please", 50);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_bounty_get_status (bounty), ==, "open");
  g_assert_cmpint (bc_bounty_get_reward_points (bounty), ==, 50);
  g_assert_cmpstr (bc_bounty_get_requester_name (bounty), ==, "Requester");
  g_assert_nonnull (bc_bounty_get_created_at (bounty));
  g_assert_cmpint (points_of (requester), ==, 50);

  open = CALL (streamer, list_bounties, BC_BOUNTY_FILTER_OPEN);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (open); i++)
    {
      g_autoptr (BcBounty) b = g_list_model_get_item (open, i);
      listed |= g_str_equal (bc_bounty_get_id (b), bc_bounty_get_id (bounty));
    }
  g_assert_true (listed);

  session = CALL (streamer, accept_bounty, bc_bounty_get_id (bounty));
  g_assert_no_error (error);
  g_assert_cmpstr (bc_session_get_bounty_id (session), ==, bc_bounty_get_id (bounty));
  g_assert_cmpstr (bc_session_get_status (session), ==, "pending");
  g_assert_cmpstr (bc_session_get_room (session), ==, bc_session_get_id (session));
  g_assert_cmpstr (bc_session_get_bounty_title (session), ==, "Sunset at Pier 39");
  g_assert_cmpstr (bc_user_get_display_name (bc_session_get_streamer (session)), ==, "Streamer");

  /* Taken: a second accept is a conflict, the stranger cannot look. */
  g_assert_null (CALL (stranger, accept_bounty, bc_bounty_get_id (bounty)));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);

  st = CALL (streamer, livekit_token, bc_session_get_id (session));
  g_assert_no_error (error);
  g_assert_true (bc_livekit_token_get_can_publish (st));
  g_assert_cmpstr (bc_livekit_token_get_room (st), ==, bc_session_get_room (session));
  g_assert_true (g_str_has_prefix (bc_livekit_token_get_url (st), "ws://127.0.0.1:"));
  rt = CALL (requester, livekit_token, bc_session_get_id (session));
  g_assert_no_error (error);
  g_assert_false (bc_livekit_token_get_can_publish (rt));
  g_assert_cmpstr (bc_livekit_token_get_identity (rt), ==,
                   bc_user_get_id (bc_api_client_get_user (requester)));

  g_assert_null (CALL (stranger, livekit_token, bc_session_get_id (session)));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_FORBIDDEN);
  g_clear_error (&error);
  g_assert_null (CALL (stranger, get_session, bc_session_get_id (session)));
  g_assert_true (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_FORBIDDEN) ||
                 g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_NOT_FOUND));
  g_clear_error (&error);

  g_assert_true (CALL (streamer, post_event, bc_session_get_id (session), "stream_started", NULL));
  g_assert_no_error (error);
  /* Only the streamer reports the stream. */
  g_assert_false (
      CALL (requester, post_event, bc_session_get_id (session), "stream_started", NULL));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_FORBIDDEN);
  g_clear_error (&error);

  seen = CALL (requester, get_session, bc_session_get_id (session));
  g_assert_no_error (error);
  g_assert_true (has_event (seen, "stream_started"));

  /* The streamer cannot approve their own stream. */
  g_assert_null (CALL (streamer, approve_session, bc_session_get_id (session)));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_FORBIDDEN);
  g_clear_error (&error);

  ended = CALL (requester, approve_session, bc_session_get_id (session));
  g_assert_no_error (error);
  g_assert_true (bc_session_is_ended (ended));
  g_assert_cmpstr (bc_session_get_outcome (ended), ==, "approved");
  g_assert_true (has_event (ended, "stream_ended"));

  g_assert_cmpint (points_of (requester), ==, 50);
  g_assert_cmpint (points_of (streamer), ==, 150);
  g_assert_cmpint (points_of (stranger), ==, 100);

  /* Exactly once. */
  g_assert_null (CALL (requester, reject_session, bc_session_get_id (session)));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_null (CALL (streamer, livekit_token, bc_session_get_id (session)));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);
  g_assert_cmpint (points_of (streamer), ==, 150);

  mine = CALL (requester, list_bounties, BC_BOUNTY_FILTER_MINE);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (mine), ==, 1);
  {
    g_autoptr (BcBounty) b = g_list_model_get_item (mine, 0);
    g_assert_cmpstr (bc_bounty_get_status (b), ==, "completed");
  }
  sessions = CALL (streamer, list_sessions);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (sessions), ==, 1);
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *email = NULL;
  g_autoptr (BcApiClient) client = NULL;
  g_autoptr (BcApiClient) other = NULL;
  g_autoptr (BcUser) user = NULL;
  g_autoptr (BcBounty) bounty = NULL;

  if (!need_server ())
    return;

  client = new_account ("Ann", &email);
  other = bc_api_client_new (server->base_url);

  g_assert_null (CALL (other, login, email, "not the password"));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpstr (error->message, ==, "Wrong email or password");
  g_clear_error (&error);

  user = CALL (other, login, email, "correct horse battery");
  g_assert_no_error (error);
  g_assert_cmpstr (bc_user_get_email (user), ==, email);

  g_assert_null (CALL (other, signup, email, "correct horse battery", "Again"));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT);
  g_clear_error (&error);

  g_assert_null (CALL (client, create_bounty, "Too rich", "", 1000));
  g_assert_true (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INVALID_INPUT) ||
                 g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT));
  g_assert_cmpstr (error->message, !=, "");
  g_clear_error (&error);

  g_assert_null (CALL (client, create_bounty, "", "", 10));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "title"));
  g_clear_error (&error);

  bounty = CALL (client, create_bounty, "Mine", "", 10);
  g_assert_no_error (error);
  g_assert_cmpint (points_of (client), ==, 90);
  /* Not your own. */
  g_assert_null (CALL (client, accept_bounty, bc_bounty_get_id (bounty)));
  g_assert_true (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_FORBIDDEN) ||
                 g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT));
  g_clear_error (&error);
  {
    g_autoptr (BcBounty) cancelled = CALL (client, cancel_bounty, bc_bounty_get_id (bounty));
    g_assert_no_error (error);
    g_assert_cmpstr (bc_bounty_get_status (cancelled), ==, "cancelled");
  }
  g_assert_cmpint (points_of (client), ==, 100);

  g_assert_null (CALL (client, get_bounty, "00000000-0000-0000-0000-000000000000"));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (CALL (client, logout));
  g_assert_no_error (error);
  g_assert_false (bc_api_client_get_signed_in (client));
  g_assert_null (CALL (client, me));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED);
  g_clear_error (&error);

  g_assert_true (CALL (client, healthz));
  g_assert_no_error (error);
}

typedef struct
{
  GPtrArray *types;
} Seen;

static void
on_message (BcRealtime *rt, const char *type, JsonObject *message, gpointer user_data)
{
  Seen *seen = user_data;
  g_ptr_array_add (seen->types, g_strdup (type));
}

static gboolean
seen_type (Seen *seen, const char *type)
{
  for (guint i = 0; i < seen->types->len; i++)
    if (g_str_equal (seen->types->pdata[i], type))
      return TRUE;
  return FALSE;
}

static gboolean
on_deadline (gpointer data)
{
  g_error ("timed out waiting for %s", (const char *) data);
  return G_SOURCE_REMOVE;
}

static void
iterate_until (gboolean (*cond) (gpointer), gpointer data, const char *what)
{
  /* Generous: the machine may be loaded; the test fails only on a hang. */
  guint id = g_timeout_add_seconds (60, on_deadline, (gpointer) what);
  while (!cond (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static gboolean
is_connected (gpointer data)
{
  return bc_realtime_get_state (data) == BC_REALTIME_STATE_CONNECTED;
}

static gboolean
got_session_update (gpointer data)
{
  return seen_type (data, "session.updated");
}

static gboolean
got_balance (gpointer data)
{
  return seen_type (data, "balance.updated");
}

static void
test_realtime (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcApiClient) requester = NULL;
  g_autoptr (BcApiClient) streamer = NULL;
  g_autoptr (BcRealtime) rt = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (BcSession) session = NULL;
  Seen seen = { g_ptr_array_new_with_free_func (g_free) };

  if (!need_server ())
    return;

  requester = new_account ("Requester", NULL);
  streamer = new_account ("Streamer", NULL);
  rt = bc_realtime_new (requester);
  g_signal_connect (rt, "message", G_CALLBACK (on_message), &seen);
  bc_realtime_start (rt);
  iterate_until (is_connected, rt, "the realtime connection");

  bounty = CALL (requester, create_bounty, "Realtime", "", 10);
  g_assert_no_error (error);
  session = CALL (streamer, accept_bounty, bc_bounty_get_id (bounty));
  g_assert_no_error (error);
  /* The other party hears about it. */
  iterate_until (got_session_update, &seen, "session.updated");

  {
    g_autoptr (BcSession) ended = CALL (requester, reject_session, bc_session_get_id (session));
    g_assert_no_error (error);
    g_assert_cmpstr (bc_session_get_outcome (ended), ==, "rejected");
  }
  bc_realtime_stop (rt);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_OFFLINE);
  g_ptr_array_unref (seen.types);
}

static void
count (GObject *o, GParamSpec *p, gpointer data)
{
  (*(int *) data)++;
}

/* A restarted server with a new signing key refuses every access token: the
 * client refreshes once and retries, and realtime reconnects by itself. */
static void
test_refresh_after_restart (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcApiClient) client = NULL;
  g_autoptr (BcRealtime) rt = NULL;
  g_autoptr (BcUser) user = NULL;
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autofree char *secrets = NULL;
  g_autofree char *old_refresh = NULL;
  int rotated = 0;
  Seen seen = { g_ptr_array_new_with_free_func (g_free) };

  if (!need_server ())
    return;

  client = new_account ("Restart", NULL);
  old_refresh = g_strdup (bc_api_client_get_refresh_token (client));
  rt = bc_realtime_new (client);
  g_signal_connect (rt, "message", G_CALLBACK (on_message), &seen);
  bc_realtime_start (rt);
  iterate_until (is_connected, rt, "the realtime connection");

  bc_test_server_stop (server);
  secrets = g_build_filename (server->dir, "secrets.ini", NULL);
  g_assert_true (g_key_file_load_from_file (keys, secrets, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string (keys, "secrets", "jwt_secret",
                         "a-completely-different-signing-key-0123456789abcdef");
  g_assert_true (g_key_file_save_to_file (keys, secrets, &error));
  g_assert_no_error (error);
  g_assert_true (bc_test_server_restart (server, &error));
  g_assert_no_error (error);

  g_signal_connect (client, "notify::refresh-token", G_CALLBACK (count), &rotated);
  user = CALL (client, me);
  g_assert_no_error (error);
  g_assert_nonnull (user);
  g_assert_cmpint (rotated, ==, 1);
  g_assert_cmpstr (bc_api_client_get_refresh_token (client), !=, old_refresh);

  iterate_until (is_connected, rt, "the realtime reconnection");
  /* A change now reaches the reconnected socket. */
  {
    g_autoptr (BcBounty) b = CALL (client, create_bounty, "After restart", "", 5);
    g_assert_no_error (error);
  }
  iterate_until (got_balance, &seen, "balance.updated after the restart");
  /* The realtime client keeps the signed-in user's balance current. */
  g_assert_cmpint (bc_user_get_points (bc_api_client_get_user (client)), ==, 95);
  bc_realtime_stop (rt);
  g_ptr_array_unref (seen.types);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/server/flow", test_flow);
  g_test_add_func ("/client/server/errors", test_errors);
  g_test_add_func ("/client/server/realtime", test_realtime);
  g_test_add_func ("/client/server/refresh-after-restart", test_refresh_after_restart);

  if (bc_test_server_binary ())
    server = bc_test_server_start (NULL, NULL);
  rc = g_test_run ();
  g_clear_pointer (&server, bc_test_server_free);
  return rc;
}
