/* BcLkSignal against a small in-process WebSocket server on 127.0.0.1. */
#include "config.h"

#include "bc-lk-error.h"
#include "bc-lk-signal.h"

#include <libsoup/soup.h>
#include <string.h>

typedef struct
{
  SoupServer *server;
  char *url;
  GMainLoop *loop;
  SoupWebsocketConnection *ws;
  int ping_interval;
  int ping_timeout;
  gboolean answer_pings;
  /* what the server saw */
  char *query_token;
  char *auth_header;
  char *protocol;
  char *sdk;
  guint pings;
  guint ping_reqs;
  gboolean got_leave;
  gboolean leave_before_close;
  gboolean closed;
  /* what the client saw */
  guint refresh_tokens;
  GError *lost;
  Livekit__SignalResponse *first;
  GError *connect_error;
} Fixture;

static void
server_send (Fixture *f, Livekit__SignalResponse *response)
{
  g_autoptr (GBytes) bytes = bc_lk_signal_response_pack (response);

  soup_websocket_connection_send_binary (f->ws, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes));
}

static void
on_server_message (SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer data)
{
  Fixture *f = data;
  g_autoptr (Livekit__SignalRequest) request = bc_lk_signal_request_unpack (bytes, NULL);

  g_assert_nonnull (request);
  switch (request->message_case)
    {
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING:
      f->pings++;
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ:
      f->ping_reqs++;
      if (f->answer_pings)
        {
          Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
          Livekit__Pong pong = LIVEKIT__PONG__INIT;

          pong.last_ping_timestamp = request->ping_req->timestamp;
          pong.timestamp = g_get_real_time () / 1000;
          response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG_RESP;
          response.pong_resp = &pong;
          server_send (f, &response);
        }
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_LEAVE:
      g_assert_cmpint (request->leave->reason, ==, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED);
      f->got_leave = TRUE;
      break;
    default:
      break;
    }
}

static void
on_server_closed (SoupWebsocketConnection *ws, gpointer data)
{
  Fixture *f = data;

  f->closed = TRUE;
  f->leave_before_close = f->got_leave;
  g_main_loop_quit (f->loop);
}

static void
on_websocket (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              SoupWebsocketConnection *ws,
              gpointer data)
{
  Fixture *f = data;
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__JoinResponse join = LIVEKIT__JOIN_RESPONSE__INIT;
  Livekit__ParticipantInfo me = LIVEKIT__PARTICIPANT_INFO__INIT;
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr (GHashTable) params =
      g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);

  f->query_token = g_strdup (g_hash_table_lookup (params, "access_token"));
  f->protocol = g_strdup (g_hash_table_lookup (params, "protocol"));
  f->sdk = g_strdup (g_hash_table_lookup (params, "sdk"));
  f->auth_header = g_strdup (soup_message_headers_get_one (
      soup_server_message_get_request_headers (msg), "Authorization"));

  f->ws = g_object_ref (ws);
  g_signal_connect (ws, "message", G_CALLBACK (on_server_message), f);
  g_signal_connect (ws, "closed", G_CALLBACK (on_server_closed), f);

  me.sid = "PA_test";
  me.identity = "tester";
  join.participant = &me;
  join.ping_interval = f->ping_interval;
  join.ping_timeout = f->ping_timeout;
  join.server_version = "1.9.0";
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN;
  response.join = &join;
  server_send (f, &response);

  /* Sent right behind the join: must reach the client after it. */
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN;
  response.refresh_token = "refreshed";
  server_send (f, &response);
}

static void
on_plain (
    SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  const char *mode = data;

  if (g_str_equal (mode, "401"))
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "invalid token", 13);
  else
    soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC,
                                      "requested room does not exist", 29);
  soup_server_message_set_status (msg, g_str_equal (mode, "401") ? 401 : 404, NULL);
}

static void
fixture_server (Fixture *f, const char *mode)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  f->loop = g_main_loop_new (NULL, FALSE);
  f->server = soup_server_new (NULL, NULL);
  if (mode == NULL)
    soup_server_add_websocket_handler (f->server, "/rtc", NULL, NULL, on_websocket, f, NULL);
  else
    soup_server_add_handler (f->server, "/rtc", on_plain, (gpointer) mode, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
fixture_free (Fixture *f)
{
  g_clear_object (&f->ws);
  if (f->server != NULL)
    soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_free (f->url);
  g_free (f->query_token);
  g_free (f->auth_header);
  g_free (f->protocol);
  g_free (f->sdk);
  g_clear_error (&f->lost);
  g_clear_error (&f->connect_error);
  g_clear_pointer (&f->first, bc_lk_signal_response_free);
  g_main_loop_unref (f->loop);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  f->first = bc_lk_signal_connect_finish (BC_LK_SIGNAL (source), result, &f->connect_error);
  g_main_loop_quit (f->loop);
}

static void
on_refresh (BcLkSignal *signal, Livekit__SignalResponse *response, gpointer data)
{
  Fixture *f = data;

  g_assert_cmpint (response->message_case, ==, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN);
  g_assert_cmpstr (response->refresh_token, ==, "refreshed");
  g_assert_nonnull (f->first);
  f->refresh_tokens++;
}

static void
on_lost (BcLkSignal *signal, GError *error, gpointer data)
{
  Fixture *f = data;

  f->lost = g_error_copy (error);
  g_main_loop_quit (f->loop);
}

static gboolean
quit_loop (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

static gboolean
fail_timeout (gpointer data)
{
  g_error ("test timed out");
  return G_SOURCE_REMOVE;
}

static void
test_signal_join_keepalive_leave (void)
{
  Fixture f = { 0 };
  g_autoptr (BcLkSignal) signal = bc_lk_signal_new ();
  guint guard = g_timeout_add_seconds (30, fail_timeout, NULL);

  fixture_server (&f, NULL);
  f.ping_interval = 1;
  f.ping_timeout = 5;
  f.answer_pings = TRUE;
  g_signal_connect (signal, "message::refresh_token", G_CALLBACK (on_refresh), &f);
  g_signal_connect (signal, "lost", G_CALLBACK (on_lost), &f);

  bc_lk_signal_connect_async (signal, f.url, "the-token", NULL, NULL, on_connected, &f);
  g_main_loop_run (f.loop);
  g_assert_no_error (f.connect_error);
  g_assert_cmpint (f.first->message_case, ==, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN);
  g_assert_cmpstr (f.first->join->participant->sid, ==, "PA_test");
  g_assert_cmpstr (f.query_token, ==, "the-token");
  g_assert_cmpstr (f.auth_header, ==, "Bearer the-token");
  g_assert_cmpstr (f.protocol, ==, "17");
  g_assert_cmpstr (f.sdk, ==, "cpp");

  /* keepalive: both ping forms, answered, so the connection stays */
  while (f.ping_reqs < 2)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (f.pings, >=, 2);
  g_assert_cmpuint (f.refresh_tokens, ==, 1);
  g_assert_null (f.lost);
  while (bc_lk_signal_get_rtt (signal) == 0 && f.ping_reqs < 4)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (bc_lk_signal_is_connected (signal));

  /* leave goes out before the close */
  bc_lk_signal_leave (signal, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED,
                      LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
  if (!f.closed)
    g_main_loop_run (f.loop);
  g_assert_true (f.leave_before_close);
  g_assert_null (f.lost);
  g_source_remove (guard);
  fixture_free (&f);
}

static void
test_signal_ping_timeout (void)
{
  Fixture f = { 0 };
  g_autoptr (BcLkSignal) signal = bc_lk_signal_new ();
  guint guard = g_timeout_add_seconds (30, fail_timeout, NULL);

  fixture_server (&f, NULL);
  f.ping_interval = 1;
  f.ping_timeout = 2;
  f.answer_pings = FALSE;
  g_signal_connect (signal, "lost", G_CALLBACK (on_lost), &f);
  bc_lk_signal_connect_async (signal, f.url, "t", NULL, NULL, on_connected, &f);
  g_main_loop_run (f.loop);
  g_assert_no_error (f.connect_error);

  while (f.lost == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f.lost, BC_LK_ERROR, BC_LK_ERROR_TIMEOUT);
  g_assert_false (bc_lk_signal_is_connected (signal));
  g_source_remove (guard);
  fixture_free (&f);
}

static void
test_signal_server_close (void)
{
  Fixture f = { 0 };
  g_autoptr (BcLkSignal) signal = bc_lk_signal_new ();
  guint guard = g_timeout_add_seconds (30, fail_timeout, NULL);

  fixture_server (&f, NULL);
  g_signal_connect (signal, "lost", G_CALLBACK (on_lost), &f);
  bc_lk_signal_connect_async (signal, f.url, "t", NULL, NULL, on_connected, &f);
  g_main_loop_run (f.loop);
  g_assert_no_error (f.connect_error);

  soup_websocket_connection_close (f.ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  while (f.lost == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (f.lost, BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE);
  g_source_remove (guard);
  fixture_free (&f);
}

static void
check_connect_error (const char *mode, GQuark domain, int code)
{
  Fixture f = { 0 };
  g_autoptr (BcLkSignal) signal = bc_lk_signal_new ();
  guint guard = g_timeout_add_seconds (30, fail_timeout, NULL);

  if (mode != NULL)
    fixture_server (&f, mode);
  else
    {
      /* A port nobody listens on: bind one, note it, close it. */
      g_autoptr (GSocket) socket =
          g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr (GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr (GSocketAddress) bound = NULL;

      g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
      bound = g_socket_get_local_address (socket, NULL);
      f.url = g_strdup_printf ("ws://127.0.0.1:%u",
                               g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
      g_socket_close (socket, NULL);
      f.loop = g_main_loop_new (NULL, FALSE);
    }
  bc_lk_signal_connect_async (signal, f.url, "secret-token-value", NULL, NULL, on_connected, &f);
  g_main_loop_run (f.loop);
  g_assert_null (f.first);
  g_assert_error (f.connect_error, domain, code);
  /* the token never shows up in an error */
  g_assert_null (strstr (f.connect_error->message, "secret-token-value"));
  g_test_message ("%s: %s", mode != NULL ? mode : "closed port", f.connect_error->message);
  g_source_remove (guard);
  fixture_free (&f);
}

static void
test_signal_validate_errors (void)
{
  check_connect_error ("401", BC_LK_ERROR, BC_LK_ERROR_TOKEN_REJECTED);
  check_connect_error ("404", BC_LK_ERROR, BC_LK_ERROR_ROOM_NOT_FOUND);
  check_connect_error (NULL, BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE);
}

static void
test_signal_cancel (void)
{
  Fixture f = { 0 };
  g_autoptr (BcLkSignal) signal = bc_lk_signal_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();

  fixture_server (&f, NULL);
  bc_lk_signal_connect_async (signal, f.url, "t", NULL, cancellable, on_connected, &f);
  g_cancellable_cancel (cancellable);
  g_main_loop_run (f.loop);
  g_assert_error (f.connect_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  /* let the server side settle */
  g_timeout_add (50, quit_loop, f.loop);
  g_main_loop_run (f.loop);
  fixture_free (&f);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/livekit/signal/join-keepalive-leave", test_signal_join_keepalive_leave);
  g_test_add_func ("/livekit/signal/ping-timeout", test_signal_ping_timeout);
  g_test_add_func ("/livekit/signal/server-close", test_signal_server_close);
  g_test_add_func ("/livekit/signal/validate-errors", test_signal_validate_errors);
  g_test_add_func ("/livekit/signal/cancel", test_signal_cancel);
  return g_test_run ();
}
