/* The client layer against an in-process fake backend: error mapping,
 * refresh on 401, shared refreshes, transport rules, realtime, models. */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "bc-client.h"
#include "bc-json.h"

typedef struct
{
  SoupServer *server;
  char *base;
  GMainLoop *loop;
  GAsyncResult *result;

  /* fake backend state */
  int refresh_count;
  int me_count;
  char *valid_access;
  char *valid_refresh;
  gboolean refresh_slow;
  GPtrArray *ws;
  int ws_connects;
  int ws_rejected;
} Fixture;

static void
reply_json (SoupServerMessage *msg, guint status, const char *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

static gboolean
authorized (Fixture *f, SoupServerMessage *msg)
{
  const char *auth =
      soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Authorization");
  g_autofree char *want = g_strconcat ("Bearer ", f->valid_access, NULL);
  return auth && g_str_equal (auth, want);
}

static JsonObject *
body_of (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  return bc_json_parse_object (body->data, body->length, NULL);
}

static void
send_auth_answer (Fixture *f, SoupServerMessage *msg)
{
  g_autofree char *json = NULL;

  g_free (f->valid_access);
  g_free (f->valid_refresh);
  f->valid_access = g_strdup_printf ("access-%d", f->refresh_count);
  f->valid_refresh = g_strdup_printf ("refresh-%d", f->refresh_count);
  json = g_strdup_printf ("{\"user\":{\"id\":\"u1\",\"email\":\"a@example.com\","
                          "\"display_name\":\"Ann\",\"points\":100,\"extra\":[1,2]},"
                          "\"access_token\":\"%s\",\"refresh_token\":\"%s\",\"expires_in\":900}",
                          f->valid_access, f->valid_refresh);
  reply_json (msg, 200, json);
}

static gboolean
unpause (gpointer data)
{
  SoupServerMessage *msg = data;
  soup_server_message_unpause (msg);
  g_object_unref (msg);
  return G_SOURCE_REMOVE;
}

static void
handler (SoupServer *server,
         SoupServerMessage *msg,
         const char *path,
         GHashTable *query,
         gpointer user_data)
{
  Fixture *f = user_data;
  const char *method = soup_server_message_get_method (msg);

  if (g_str_equal (path, "/healthz"))
    reply_json (msg, 200, "{\"ok\":true}");
  else if (g_str_equal (path, "/api/auth/login"))
    {
      g_autoptr (JsonObject) body = body_of (msg);
      const char *pw = json_object_get_string_member_with_default (body, "password", "");

      if (g_str_equal (pw, "throttle"))
        {
          soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                        "Retry-After", "42");
          reply_json (msg, 429, "{\"error\":{\"code\":\"throttled\",\"message\":\"slow down\"}}");
        }
      else if (!g_str_equal (pw, "right"))
        reply_json (msg, 401,
                    "{\"error\":{\"code\":\"invalid_credentials\",\"message\":\"nope\"}}");
      else
        send_auth_answer (f, msg);
    }
  else if (g_str_equal (path, "/api/auth/refresh"))
    {
      g_autoptr (JsonObject) body = body_of (msg);
      const char *rt = json_object_get_string_member_with_default (body, "refresh_token", "");

      f->refresh_count++;
      if (f->valid_refresh == NULL || !g_str_equal (rt, f->valid_refresh))
        reply_json (msg, 401, "{\"error\":{\"code\":\"invalid_token\",\"message\":\"revoked\"}}");
      else
        send_auth_answer (f, msg);
      if (f->refresh_slow)
        {
          /* Hold the answer so concurrent requests pile up behind it. */
          soup_server_message_pause (msg);
          g_timeout_add (200, unpause, g_object_ref (msg));
        }
    }
  else if (g_str_equal (path, "/api/me"))
    {
      f->me_count++;
      if (!authorized (f, msg))
        reply_json (msg, 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"expired\"}}");
      else
        reply_json (msg, 200,
                    "{\"id\":\"u1\",\"email\":\"a@example.com\",\"display_name\":\"Ann\","
                    "\"points\":77}");
    }
  else if (g_str_equal (path, "/api/bounties") && g_str_equal (method, "GET"))
    reply_json (msg, 200,
                "{\"bounties\":[{\"id\":\"b1\",\"title\":\"Sunset\",\"description\":\"Pier "
                "39\",\"reward_points\":50,\"status\":\"open\",\"requester\":{\"id\":\"u2\","
                "\"display_name\":\"Bob\"},\"created_at\":\"2026-11-23T10:00:00Z\",\"x\":1},"
                "{\"id\":\"b2\",\"title\":\"Rain\",\"reward_points\":5,\"status\":\"open\","
                "\"requester\":{\"id\":\"u3\",\"display_name\":\"Cy\"},\"created_at\":"
                "\"2026-11-23 11:00:00\"}]}");
  else if (g_str_has_prefix (path, "/api/bounties/") && g_str_has_suffix (path, "/accept"))
    {
      if (strstr (path, "taken"))
        reply_json (msg, 409,
                    "{\"error\":{\"code\":\"conflict\",\"message\":\"Someone else was faster\"}}");
      else
        reply_json (msg, 201,
                    "{\"session\":{\"id\":\"s1\",\"bounty_id\":\"b1\",\"room\":\"s1\","
                    "\"status\":\"pending\",\"outcome\":null,\"streamer\":{\"id\":\"u1\","
                    "\"display_name\":\"Ann\"},\"requester\":{\"id\":\"u2\",\"display_name\":"
                    "\"Bob\"},\"last_activity_at\":\"2026-11-23T10:05:00Z\",\"events\":[{"
                    "\"type\":\"stream_started\",\"created_at\":\"2026-11-23T10:06:00Z\","
                    "\"detail\":{\"codec\":\"h264\"}}]}}");
    }
  else if (g_str_has_prefix (path, "/api/bounties/"))
    reply_json (msg, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"No such bounty\"}}");
  else if (g_str_equal (path, "/api/bounties"))
    reply_json (msg, 400,
                "{\"error\":{\"code\":\"invalid_field\",\"message\":\"title is too long\"}}");
  else if (g_str_equal (path, "/api/sessions"))
    reply_json (msg, 500, "<html>oops</html>");
  else if (g_str_equal (path, "/api/livekit/token"))
    reply_json (msg, 200,
                "{\"token\":\"jwt\",\"url\":\"ws://127.0.0.1:7880\",\"room\":\"s1\",\"identity\":"
                "\"u2\",\"role\":\"requester\",\"can_publish\":false}");
  else
    reply_json (msg, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"no route\"}}");
}

static void
on_ws_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  Fixture *f = user_data;
  g_ptr_array_remove (f->ws, conn);
}

static void
ws_handler (SoupServer *server,
            SoupServerMessage *msg,
            const char *path,
            SoupWebsocketConnection *conn,
            gpointer user_data)
{
  Fixture *f = user_data;

  f->ws_connects++;
  g_ptr_array_add (f->ws, g_object_ref (conn));
  g_signal_connect (conn, "closed", G_CALLBACK (on_ws_closed), f);
  soup_websocket_connection_send_text (
      conn, "{\"type\":\"session.updated\",\"session\":{\"id\":\"s1\",\"status\":\"live\"}}");
}

/* Refuses the WebSocket handshake with 401 unless it carries the current
 * access token, as the real server does. */
static void
early_handler (SoupServer *server,
               SoupServerMessage *msg,
               const char *path,
               GHashTable *query,
               gpointer user_data)
{
  Fixture *f = user_data;

  if (g_str_equal (path, "/api/realtime") && !authorized (f, msg))
    {
      f->ws_rejected++;
      reply_json (msg, 401, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"expired\"}}");
    }
}

static void
setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  f->loop = g_main_loop_new (NULL, FALSE);
  f->ws = g_ptr_array_new_with_free_func (g_object_unref);
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->server, "/", handler, f, NULL);
  soup_server_add_early_handler (f->server, "/api/realtime", early_handler, f, NULL);
  soup_server_add_websocket_handler (f->server, "/api/realtime", NULL, NULL, ws_handler, f, NULL);
  g_assert_true (soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_uri_to_string (uris->data);
  if (g_str_has_suffix (f->base, "/"))
    f->base[strlen (f->base) - 1] = '\0';
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
teardown (Fixture *f, gconstpointer data)
{
  g_ptr_array_unref (f->ws);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->base);
  g_free (f->valid_access);
  g_free (f->valid_refresh);
  g_main_loop_unref (f->loop);
  /* Let closed connections finish. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *f = user_data;
  f->result = g_object_ref (result);
  g_main_loop_quit (f->loop);
}

static GAsyncResult *
wait_result (Fixture *f)
{
  if (f->result == NULL)
    g_main_loop_run (f->loop);
  return g_steal_pointer (&f->result);
}

static BcApiClient *
signed_in_client (Fixture *f)
{
  BcApiClient *client = bc_api_client_new (f->base);
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcUser) user = NULL;
  g_autoptr (GError) error = NULL;

  bc_api_client_login_async (client, "a@example.com", "right", NULL, store_result, f);
  res = wait_result (f);
  user = bc_api_client_login_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_user_get_display_name (user), ==, "Ann");
  return client;
}

static void
test_login_errors (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = bc_api_client_new (f->base);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcUser) user = NULL;

  bc_api_client_login_async (client, "a@example.com", "wrong", NULL, store_result, f);
  res = wait_result (f);
  user = bc_api_client_login_finish (client, res, &error);
  g_assert_null (user);
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpstr (error->message, ==, "Wrong email or password");
  g_assert_cmpstr (bc_client_error_get_server_code (error), ==, "invalid_credentials");
  g_assert_cmpuint (bc_client_error_get_http_status (error), ==, 401);
  g_assert_false (bc_api_client_get_signed_in (client));
  g_clear_error (&error);
  g_clear_object (&res);

  bc_api_client_login_async (client, "a@example.com", "throttle", NULL, store_result, f);
  res = wait_result (f);
  user = bc_api_client_login_finish (client, res, &error);
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_THROTTLED);
  g_assert_cmpuint (bc_client_error_get_retry_after (error), ==, 42);
  g_assert_cmpstr (error->message, ==, "Too many attempts; try again in 42 seconds");
  {
    /* The extended error data survives a copy. */
    g_autoptr (GError) copy = g_error_copy (error);
    g_assert_cmpuint (bc_client_error_get_retry_after (copy), ==, 42);
  }
}

static void
test_requests (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GListModel) list = NULL;
  g_autoptr (BcBounty) b = NULL;
  g_autoptr (BcSession) s = NULL;
  g_autoptr (BcLivekitToken) tok = NULL;
  g_autoptr (BcStreamEvent) ev = NULL;
  g_autoptr (GDateTime) created = NULL;

  g_assert_cmpstr (bc_api_client_get_refresh_token (client), ==, "refresh-0");
  g_assert_true (bc_api_client_get_signed_in (client));

  bc_api_client_list_bounties_async (client, BC_BOUNTY_FILTER_OPEN, NULL, store_result, f);
  res = wait_result (f);
  list = bc_api_client_list_bounties_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (list), ==, 2);
  b = g_list_model_get_item (list, 0);
  g_assert_cmpstr (bc_bounty_get_title (b), ==, "Sunset");
  g_assert_cmpint (bc_bounty_get_reward_points (b), ==, 50);
  g_assert_cmpstr (bc_bounty_get_requester_name (b), ==, "Bob");
  g_assert_cmpint (g_date_time_get_hour (bc_bounty_get_created_at (b)), ==, 10);
  g_clear_object (&b);
  b = g_list_model_get_item (list, 1);
  /* SQLite's own datetime form is understood too. */
  g_assert_nonnull (bc_bounty_get_created_at (b));
  g_assert_cmpint (g_date_time_get_hour (bc_bounty_get_created_at (b)), ==, 11);
  g_clear_object (&res);

  bc_api_client_accept_bounty_async (client, "b1", NULL, store_result, f);
  res = wait_result (f);
  s = bc_api_client_accept_bounty_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_session_get_id (s), ==, "s1");
  g_assert_cmpstr (bc_session_get_status (s), ==, "pending");
  g_assert_null (bc_session_get_outcome (s));
  g_assert_false (bc_session_is_ended (s));
  g_assert_cmpstr (bc_user_get_display_name (bc_session_get_requester (s)), ==, "Bob");
  g_assert_cmpuint (g_list_model_get_n_items (bc_session_get_events (s)), ==, 1);
  ev = g_list_model_get_item (bc_session_get_events (s), 0);
  g_assert_cmpstr (bc_stream_event_get_event_type (ev), ==, "stream_started");
  g_assert_cmpstr (bc_stream_event_get_detail (ev), ==, "{\"codec\":\"h264\"}");
  g_clear_object (&res);

  {
    g_autoptr (JsonObject) update = bc_json_parse_object (
        "{\"id\":\"s1\",\"status\":\"ended\",\"outcome\":\"approved\"}", -1, NULL);
    g_assert_true (bc_session_update_from_json (s, update, &error));
    g_assert_true (bc_session_is_ended (s));
    g_assert_cmpstr (bc_session_get_outcome (s), ==, "approved");
    /* Events are kept when the update carries none. */
    g_assert_cmpuint (g_list_model_get_n_items (bc_session_get_events (s)), ==, 1);
  }

  bc_api_client_accept_bounty_async (client, "taken", NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_accept_bounty_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_CONFLICT);
  g_assert_cmpstr (error->message, ==, "Someone else was faster");
  g_clear_error (&error);
  g_clear_object (&res);

  bc_api_client_get_bounty_async (client, "nope", NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_get_bounty_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_object (&res);

  bc_api_client_create_bounty_async (client, "x", "y", 1, NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_create_bounty_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "title is too long");
  g_clear_error (&error);
  g_clear_object (&res);

  bc_api_client_list_sessions_async (client, NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_list_sessions_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_SERVER);
  g_assert_cmpuint (bc_client_error_get_http_status (error), ==, 500);
  g_clear_error (&error);
  g_clear_object (&res);

  bc_api_client_livekit_token_async (client, "s1", NULL, store_result, f);
  res = wait_result (f);
  tok = bc_api_client_livekit_token_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (bc_livekit_token_get_role (tok), ==, "requester");
  g_assert_false (bc_livekit_token_get_can_publish (tok));
  g_assert_cmpstr (bc_livekit_token_get_url (tok), ==, "ws://127.0.0.1:7880");
}

static void
test_refresh_on_401 (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcUser) user = NULL;
  int notified = 0;

  g_signal_connect_swapped (client, "notify::refresh-token", G_CALLBACK (g_atomic_int_inc),
                            &notified);

  /* The server forgets the access token (as if it expired). */
  g_free (f->valid_access);
  f->valid_access = g_strdup ("something-else");

  bc_api_client_me_async (client, NULL, store_result, f);
  res = wait_result (f);
  user = bc_api_client_me_finish (client, res, &error);
  g_assert_no_error (error);
  g_assert_cmpint (bc_user_get_points (user), ==, 77);
  g_assert_cmpint (f->refresh_count, ==, 1);
  g_assert_cmpint (f->me_count, ==, 2);
  g_assert_cmpstr (bc_api_client_get_refresh_token (client), ==, "refresh-1");
  g_assert_cmpint (notified, ==, 1);
  /* "user" follows /api/me. */
  g_assert_true (bc_api_client_get_user (client) == user);
}

typedef struct
{
  Fixture *f;
  int done;
  int ok;
} Shared;

static void
on_shared_me (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Shared *shared = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcUser) user = bc_api_client_me_finish (BC_API_CLIENT (source), result, &error);

  g_assert_no_error (error);
  shared->ok += user != NULL;
  if (++shared->done == 5)
    g_main_loop_quit (shared->f->loop);
}

static void
test_refresh_shared (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  Shared shared = { f };

  g_free (f->valid_access);
  f->valid_access = g_strdup ("something-else");
  f->refresh_slow = TRUE;

  /* Five requests hit 401 together; one refresh must serve them all, or
   * the reused refresh token would look stolen. */
  for (int i = 0; i < 5; i++)
    bc_api_client_me_async (client, NULL, on_shared_me, &shared);
  g_main_loop_run (f->loop);
  g_assert_cmpint (shared.ok, ==, 5);
  g_assert_cmpint (f->refresh_count, ==, 1);
}

static void
on_login_expired (BcApiClient *client, gpointer user_data)
{
  (*(int *) user_data)++;
}

static void
test_refresh_revoked (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  int expired = 0;

  g_signal_connect (client, "login-expired", G_CALLBACK (on_login_expired), &expired);
  g_free (f->valid_access);
  f->valid_access = g_strdup ("something-else");
  g_free (f->valid_refresh);
  f->valid_refresh = g_strdup ("revoked-elsewhere");

  bc_api_client_me_async (client, NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_me_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpint (expired, ==, 1);
  g_assert_false (bc_api_client_get_signed_in (client));
  g_assert_null (bc_api_client_get_refresh_token (client));
}

static void
test_not_signed_in (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = bc_api_client_new (f->base);
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;

  bc_api_client_me_async (client, NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_me_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED);
  g_assert_cmpint (f->me_count, ==, 0);
}

static void
test_unreachable (Fixture *f, gconstpointer data)
{
  g_autoptr (GSocket) sock = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (BcApiClient) client = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autofree char *url = NULL;

  /* A port that was just free and is not listening. */
  sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (sock, addr, FALSE, &error));
  bound = g_socket_get_local_address (sock, &error);
  url = g_strdup_printf ("http://127.0.0.1:%u",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  client = bc_api_client_new (url);
  bc_api_client_healthz_async (client, NULL, store_result, f);
  res = wait_result (f);
  g_assert_false (bc_api_client_healthz_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNREACHABLE);
  g_assert_true (
      g_str_has_prefix (error->message, "Could not reach the server at http://127.0.0.1:"));
}

static void
test_insecure (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = bc_api_client_new ("http://bounty.example");
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;

  bc_api_client_login_async (client, "a@example.com", "right", NULL, store_result, f);
  res = wait_result (f);
  g_assert_null (bc_api_client_login_finish (client, res, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "bounty.example"));
  g_clear_error (&error);

  g_assert_false (bc_api_client_check_transport (client, NULL));
  bc_api_client_set_allow_insecure (client, TRUE);
  g_assert_true (bc_api_client_check_transport (client, NULL));

  g_assert_true (bc_url_is_loopback ("http://127.0.0.1:8080"));
  g_assert_true (bc_url_is_loopback ("http://127.1.2.3"));
  g_assert_true (bc_url_is_loopback ("http://[::1]:80"));
  g_assert_true (bc_url_is_loopback ("http://localhost:80"));
  g_assert_false (bc_url_is_loopback ("http://10.0.0.1"));
  g_assert_false (bc_url_is_loopback ("http://localhost.example.com"));

  {
    g_autoptr (BcApiClient) tls = bc_api_client_new ("https://bounty.example/");
    g_autofree char *ws = bc_api_client_dup_realtime_url (tls);
    g_assert_cmpstr (ws, ==, "wss://bounty.example/api/realtime");
    g_assert_true (bc_api_client_check_transport (tls, NULL));
  }
}

static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;

  bc_api_client_me_async (client, cancellable, store_result, f);
  g_cancellable_cancel (cancellable);
  res = wait_result (f);
  g_assert_null (bc_api_client_me_finish (client, res, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

typedef struct
{
  Fixture *f;
  int messages;
  int connected;
  char *last_type;
  int detailed;
} RealtimeSeen;

static void
on_rt_message (BcRealtime *rt, const char *type, JsonObject *message, gpointer user_data)
{
  RealtimeSeen *seen = user_data;

  seen->messages++;
  g_free (seen->last_type);
  seen->last_type = g_strdup (type);
  g_assert_true (json_object_has_member (message, "session"));
  g_main_loop_quit (seen->f->loop);
}

static void
on_rt_detailed (BcRealtime *rt, const char *type, JsonObject *message, gpointer user_data)
{
  RealtimeSeen *seen = user_data;
  seen->detailed++;
}

static void
test_realtime (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (BcRealtime) rt = bc_realtime_new (client);
  RealtimeSeen seen = { f };

  g_signal_connect (rt, "message", G_CALLBACK (on_rt_message), &seen);
  g_signal_connect (rt, "message::session.updated", G_CALLBACK (on_rt_detailed), &seen);
  g_signal_connect (rt, "message::bounty.created", G_CALLBACK (on_rt_detailed), &seen);
  bc_realtime_start (rt);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_CONNECTING);
  g_main_loop_run (f->loop);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_CONNECTED);
  g_assert_cmpint (seen.messages, ==, 1);
  g_assert_cmpint (seen.detailed, ==, 1);
  g_assert_cmpstr (seen.last_type, ==, "session.updated");

  /* The server drops the socket: it comes back on its own. */
  g_assert_cmpuint (f->ws->len, ==, 1);
  soup_websocket_connection_close (f->ws->pdata[0], SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  g_main_loop_run (f->loop);
  g_assert_cmpint (seen.messages, ==, 2);
  g_assert_cmpint (f->ws_connects, ==, 2);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_CONNECTED);

  bc_realtime_stop (rt);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_OFFLINE);
  g_free (seen.last_type);
}

/* The access token expired while offline: the handshake's 401 makes the
 * realtime client refresh the login once and connect. */
static void
test_realtime_refresh (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (BcRealtime) rt = bc_realtime_new (client);
  RealtimeSeen seen = { f };

  g_free (f->valid_access);
  f->valid_access = g_strdup ("something-else");
  g_signal_connect (rt, "message", G_CALLBACK (on_rt_message), &seen);
  bc_realtime_start (rt);
  g_main_loop_run (f->loop);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_CONNECTED);
  g_assert_cmpint (f->ws_rejected, ==, 1);
  g_assert_cmpint (f->refresh_count, ==, 1);
  g_assert_cmpint (seen.messages, ==, 1);
  bc_realtime_stop (rt);
  g_free (seen.last_type);
}

/* A revoked login stops the realtime client with a reason instead of
 * retrying for ever. */
static void
test_realtime_revoked (Fixture *f, gconstpointer data)
{
  g_autoptr (BcApiClient) client = signed_in_client (f);
  g_autoptr (BcRealtime) rt = bc_realtime_new (client);

  g_free (f->valid_access);
  f->valid_access = g_strdup ("something-else");
  g_free (f->valid_refresh);
  f->valid_refresh = g_strdup ("revoked-elsewhere");
  bc_realtime_start (rt);
  while (bc_realtime_get_last_error (rt) == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (bc_realtime_get_state (rt), ==, BC_REALTIME_STATE_OFFLINE);
  g_assert_nonnull (strstr (bc_realtime_get_last_error (rt), "sign in again"));
  g_assert_false (bc_api_client_get_signed_in (client));
}

static void
test_env_credentials (void)
{
  g_autoptr (BcEnvCredentials) none = NULL;
  g_autoptr (BcEnvCredentials) creds = NULL;

  g_unsetenv ("BOUNTYCAM_SERVER");
  g_unsetenv ("BOUNTYCAM_EMAIL");
  g_unsetenv ("BOUNTYCAM_PASSWORD");
  g_unsetenv ("BOUNTYCAM_REFRESH_TOKEN");
  none = bc_env_credentials_get ();
  g_assert_null (none);
  g_assert_false (bc_env_credentials_can_sign_in (none));

  g_setenv ("BOUNTYCAM_SERVER", "http://127.0.0.1:9", TRUE);
  g_setenv ("BOUNTYCAM_EMAIL", "a@example.com", TRUE);
  creds = bc_env_credentials_get ();
  g_assert_nonnull (creds);
  g_assert_cmpstr (creds->server, ==, "http://127.0.0.1:9");
  g_assert_false (bc_env_credentials_can_sign_in (creds));
  g_clear_pointer (&creds, bc_env_credentials_free);

  g_setenv ("BOUNTYCAM_PASSWORD", "pw", TRUE);
  creds = bc_env_credentials_get ();
  g_assert_true (bc_env_credentials_can_sign_in (creds));
  g_clear_pointer (&creds, bc_env_credentials_free);

  g_unsetenv ("BOUNTYCAM_EMAIL");
  g_unsetenv ("BOUNTYCAM_PASSWORD");
  g_setenv ("BOUNTYCAM_REFRESH_TOKEN", "rt", TRUE);
  creds = bc_env_credentials_get ();
  g_assert_true (bc_env_credentials_can_sign_in (creds));
  g_assert_cmpstr (creds->refresh_token, ==, "rt");
  g_unsetenv ("BOUNTYCAM_SERVER");
  g_unsetenv ("BOUNTYCAM_REFRESH_TOKEN");
}

static void
test_models_tolerant (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) o = bc_json_parse_object (
      "{\"id\":7,\"bounty_id\":\"b\",\"streamer_id\":\"u1\",\"requester\":{\"id\":\"u2\"},"
      "\"status\":\"live\",\"unknown\":{\"deep\":true},\"events\":[{\"event_type\":\"x\"},3]}",
      -1, NULL);
  g_autoptr (BcSession) s = bc_session_new_from_json (o, &error);
  g_autoptr (JsonObject) bad = bc_json_parse_object ("{\"title\":\"no id\"}", -1, NULL);

  g_assert_no_error (error);
  g_assert_cmpstr (bc_session_get_id (s), ==, "7");
  g_assert_cmpstr (bc_user_get_id (bc_session_get_streamer (s)), ==, "u1");
  g_assert_cmpuint (g_list_model_get_n_items (bc_session_get_events (s)), ==, 1);

  g_assert_null (bc_bounty_new_from_json (bad, &error));
  g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_SERVER);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) g_test_add (name, Fixture, NULL, setup, fn, teardown)
  ADD ("/client/api/login-errors", test_login_errors);
  ADD ("/client/api/requests", test_requests);
  ADD ("/client/api/refresh-on-401", test_refresh_on_401);
  ADD ("/client/api/refresh-shared", test_refresh_shared);
  ADD ("/client/api/refresh-revoked", test_refresh_revoked);
  ADD ("/client/api/not-signed-in", test_not_signed_in);
  ADD ("/client/api/unreachable", test_unreachable);
  ADD ("/client/api/insecure", test_insecure);
  ADD ("/client/api/cancel", test_cancel);
  ADD ("/client/realtime/message-and-reconnect", test_realtime);
  ADD ("/client/realtime/refresh-on-401", test_realtime_refresh);
  ADD ("/client/realtime/login-revoked", test_realtime_revoked);
  g_test_add_func ("/client/env-credentials", test_env_credentials);
  g_test_add_func ("/client/models/tolerant", test_models_tolerant);
  return g_test_run ();
}
