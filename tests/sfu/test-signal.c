/* Signalling tests of the built-in SFU without media: tokens and grants,
 * the HTTP routes, the WebSocket protocol (join, leave, malformed input,
 * reconnects), the RoomService over Twirp and signed webhooks. Everything
 * runs in-process on a loopback SoupServer. */
#include "config.h"

#include "bc-known-warnings.h"

#include "bc-sfu-auth.h"
#include "bc-sfu-error.h"
#include "bc-sfu-webhook.h"
#include "bc-sfu.h"

#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-secure.h"
#include "bc-livekit.pb-c.h"

#include <gst/gst.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#define KEY    "test-key"
#define SECRET "test-secret-0123456789-abcdefghijklmnop"

static char *
mint (const char *identity, const char *room, gint64 exp_offset, const char *video_json)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_set_string_member (claims, "iss", KEY);
  if (identity != NULL)
    json_object_set_string_member (claims, "sub", identity);
  json_object_set_int_member (claims, "nbf", now);
  if (exp_offset != G_MININT64)
    json_object_set_int_member (claims, "exp", now + exp_offset);
  if (video_json != NULL)
    {
      g_autoptr (JsonObject) video = bc_json_parse_object (video_json, -1, NULL);

      g_assert_nonnull (video);
      if (room != NULL)
        json_object_set_string_member (video, "room", room);
      json_object_set_object_member (claims, "video", g_steal_pointer (&video));
    }
  return bc_jwt_sign_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
}

/* ---- tokens ----------------------------------------------------------- */

static void
test_token_grants (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (GError) error = NULL;
  g_autofree char *tok = mint ("alice", "r1", 600, "{\"roomJoin\":true}");
  g_autoptr (BcSfuGrants) g = bc_sfu_grants_verify (tok, KEY, SECRET, now, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (g->identity, ==, "alice");
  g_assert_cmpstr (g->room, ==, "r1");
  g_assert_true (g->room_join);
  /* LiveKit's defaults: publish and subscribe unless denied. */
  g_assert_true (g->can_publish);
  g_assert_true (g->can_subscribe);
  g_assert_true (g->can_publish_data);
  g_assert_true (bc_sfu_grants_can_publish_source (g, BC_SFU_SOURCE_CAMERA));
}

static void
test_token_restricted (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autoptr (GError) error = NULL;
  g_autofree char *tok = mint ("bob", "r1", 600,
                               "{\"roomJoin\":true,\"canPublish\":true,\"canSubscribe\":false,"
                               "\"canPublishSources\":[\"camera\",\"microphone\"]}");
  g_autofree char *viewer_tok =
      mint ("carol", "r1", 600, "{\"roomJoin\":true,\"canPublish\":false}");
  g_autoptr (BcSfuGrants) g = bc_sfu_grants_verify (tok, KEY, SECRET, now, &error);
  g_autoptr (BcSfuGrants) v = NULL;

  g_assert_no_error (error);
  g_assert_false (g->can_subscribe);
  g_assert_true (bc_sfu_grants_can_publish_source (g, BC_SFU_SOURCE_CAMERA));
  g_assert_true (bc_sfu_grants_can_publish_source (g, BC_SFU_SOURCE_MICROPHONE));
  g_assert_false (bc_sfu_grants_can_publish_source (g, BC_SFU_SOURCE_SCREEN_SHARE));

  v = bc_sfu_grants_verify (viewer_tok, KEY, SECRET, now, &error);
  g_assert_no_error (error);
  g_assert_false (v->can_publish);
  g_assert_false (v->can_publish_data); /* follows canPublish */
  g_assert_false (bc_sfu_grants_can_publish_source (v, BC_SFU_SOURCE_CAMERA));
}

static void
test_token_rejected (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *expired = mint ("a", "r", -120, "{\"roomJoin\":true}");
  g_autofree char *leeway = mint ("a", "r", -30, "{\"roomJoin\":true}");
  g_autofree char *no_exp = mint ("a", "r", G_MININT64, "{\"roomJoin\":true}");
  g_autofree char *good = mint ("a", "r", 600, "{\"roomJoin\":true}");
  g_autoptr (BcSfuGrants) ok = NULL;
  GError *error = NULL;

  g_assert_null (bc_sfu_grants_verify (expired, KEY, SECRET, now, &error));
  g_assert_error (error, BC_SFU_ERROR, BC_SFU_ERROR_UNAUTHORIZED);
  g_clear_error (&error);
  /* 60 s of leeway, as livekit-server. */
  ok = bc_sfu_grants_verify (leeway, KEY, SECRET, now, &error);
  g_assert_no_error (error);
  g_assert_null (bc_sfu_grants_verify (no_exp, KEY, SECRET, now, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (bc_sfu_grants_verify (good, "other-key", SECRET, now, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (bc_sfu_grants_verify (good, KEY, "wrong-secret-wrong-secret-wrong", now, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (bc_sfu_grants_verify ("not.a.token", KEY, SECRET, now, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (bc_sfu_grants_verify (NULL, KEY, SECRET, now, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
}

static void
test_token_refresh (void)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *tok = mint ("a", "r", 60, "{\"roomJoin\":true,\"canPublish\":false}");
  g_autoptr (BcSfuGrants) g = bc_sfu_grants_verify (tok, KEY, SECRET, now, NULL);
  g_autofree char *fresh = bc_sfu_grants_refresh_token (g, KEY, SECRET, now, 600);
  g_autoptr (BcSfuGrants) g2 = bc_sfu_grants_verify (fresh, KEY, SECRET, now + 500, NULL);

  g_assert_nonnull (g2);
  g_assert_cmpstr (g2->identity, ==, "a");
  g_assert_false (g2->can_publish);
}

/* ---- server fixture --------------------------------------------------- */

typedef struct
{
  SoupServer *server;
  BcSfu *sfu;
  char *base;    /* http://127.0.0.1:port */
  char *ws_base; /* ws://127.0.0.1:port */
  SoupSession *session;
  GPtrArray *hooks; /* received webhook bodies (char *) */
  GPtrArray *hook_auth;
} Fixture;

static void
hook_handler (
    SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  Fixture *f = data;
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                   "application/webhook+json");
  g_ptr_array_add (f->hooks, g_strndup (body->data, body->length));
  g_ptr_array_add (f->hook_auth,
                   g_strdup (soup_message_headers_get_one (headers, "Authorization")));
  soup_server_message_set_status (msg, 200, NULL);
}

static void
fixture_setup (Fixture *f, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autofree char *hook_url = NULL;
  GSList *uris;

  f->hooks = g_ptr_array_new_with_free_func (g_free);
  f->hook_auth = g_ptr_array_new_with_free_func (g_free);
  f->server = soup_server_new (NULL, NULL);
  g_assert_true (soup_server_listen (f->server, addr, 0, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  f->ws_base = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  hook_url = g_strdup_printf ("%s/hook", f->base);
  soup_server_add_handler (f->server, "/hook", hook_handler, f, NULL);
  f->sfu = bc_sfu_new (KEY, SECRET, hook_url);
  bc_sfu_set_departure_timeout (f->sfu, 1);
  bc_sfu_attach (f->sfu, f->server);
  f->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *f, gconstpointer data)
{
  g_clear_object (&f->sfu);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_clear_object (&f->session);
  /* Let closed connections finish on the main context. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f->base);
  g_free (f->ws_base);
  g_ptr_array_unref (f->hooks);
  g_ptr_array_unref (f->hook_auth);
}

static void
iterate_until (gboolean (*done) (gpointer), gpointer data, guint timeout_s)
{
  gint64 end = g_get_monotonic_time () + timeout_s * G_USEC_PER_SEC;

  while (!done (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, end);
      g_main_context_iteration (NULL, TRUE);
    }
}

typedef struct
{
  SoupMessage *msg;
  GBytes *body;
  gboolean done;
} Http;

static void
on_http_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Http *h = data;

  h->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  h->done = TRUE;
}

static gboolean
http_done (gpointer data)
{
  return ((Http *) data)->done;
}

static guint
http (Fixture *f,
      const char *method,
      const char *path,
      const char *auth,
      const char *body,
      char **out_body,
      SoupMessageHeaders **out_headers)
{
  g_autofree char *url = g_strconcat (f->base, path, NULL);
  Http h = { soup_message_new (method, url), NULL, FALSE };
  guint status;

  if (auth != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", auth, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (h.msg), "Authorization",
                                    value);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (h.msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (f->session, h.msg, G_PRIORITY_DEFAULT, NULL, on_http_done, &h);
  iterate_until (http_done, &h, 20);
  status = soup_message_get_status (h.msg);
  if (out_body != NULL)
    *out_body = h.body ? g_strndup (g_bytes_get_data (h.body, NULL), g_bytes_get_size (h.body))
                       : g_strdup ("");
  if (out_headers != NULL)
    *out_headers = soup_message_headers_ref (soup_message_get_response_headers (h.msg));
  g_clear_pointer (&h.body, g_bytes_unref);
  g_object_unref (h.msg);
  return status;
}

/* ---- WebSocket client ------------------------------------------------- */

typedef struct
{
  SoupWebsocketConnection *ws;
  GQueue messages; /* Livekit__SignalResponse */
  gboolean closed;
  gboolean failed;
} Client;

static void
on_client_message (SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer data)
{
  Client *c = data;
  gsize len;
  const guint8 *raw = g_bytes_get_data (bytes, &len);
  Livekit__SignalResponse *resp = livekit__signal_response__unpack (NULL, len, raw);

  g_assert_cmpint (type, ==, SOUP_WEBSOCKET_DATA_BINARY);
  g_assert_nonnull (resp);
  g_queue_push_tail (&c->messages, resp);
}

static void
on_client_closed (SoupWebsocketConnection *ws, gpointer data)
{
  ((Client *) data)->closed = TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Client *c = data;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  if (c->ws == NULL)
    {
      c->failed = TRUE;
      return;
    }
  g_signal_connect (c->ws, "message", G_CALLBACK (on_client_message), c);
  g_signal_connect (c->ws, "closed", G_CALLBACK (on_client_closed), c);
}

static gboolean
client_ready (gpointer data)
{
  Client *c = data;

  return c->ws != NULL || c->failed;
}

static Client *
client_connect (Fixture *f, const char *token, const char *extra)
{
  Client *c = g_new0 (Client, 1);
  g_autofree char *url = g_strdup_printf ("%s/rtc?access_token=%s&protocol=17&sdk=cpp%s",
                                          f->ws_base, token, extra ? extra : "");
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

  g_queue_init (&c->messages);
  soup_session_websocket_connect_async (f->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, c);
  iterate_until (client_ready, c, 20);
  g_assert_false (c->failed);
  return c;
}

static void
response_free (gpointer resp)
{
  livekit__signal_response__free_unpacked (resp, NULL);
}

static void
client_free (Client *c)
{
  if (c->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (c->ws, c);
      if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (c->ws);
    }
  g_queue_clear_full (&c->messages, response_free);
  g_free (c);
}

static gboolean
client_has_message (gpointer data)
{
  Client *c = data;

  return !g_queue_is_empty (&c->messages) || c->closed;
}

/* The next message of @kind, skipping others (trickles, updates, …). */
static Livekit__SignalResponse *
client_expect (Client *c, Livekit__SignalResponse__MessageCase kind)
{
  for (;;)
    {
      Livekit__SignalResponse *resp;

      iterate_until (client_has_message, c, 30);
      resp = g_queue_pop_head (&c->messages);
      g_assert_nonnull (resp); /* not closed before it came */
      if (resp->message_case == kind)
        return resp;
      livekit__signal_response__free_unpacked (resp, NULL);
    }
}

static gboolean
client_closed (gpointer data)
{
  return ((Client *) data)->closed;
}

static void
client_send (Client *c, Livekit__SignalRequest *req)
{
  gsize len = livekit__signal_request__get_packed_size (req);
  guint8 *buf = g_malloc (len + 1);
  g_autoptr (GBytes) bytes = NULL;

  livekit__signal_request__pack (req, buf);
  bytes = g_bytes_new_take (buf, len);
  soup_websocket_connection_send_message (c->ws, SOUP_WEBSOCKET_DATA_BINARY, bytes);
}

/* ---- HTTP routes ------------------------------------------------------ */

static void
test_routes (Fixture *f, gconstpointer data)
{
  g_autofree char *good = mint ("alice", "room-a", 600, "{\"roomJoin\":true}");
  g_autofree char *no_join = mint ("alice", "room-a", 600, "{\"canPublish\":true}");
  g_autofree char *no_identity = mint (NULL, "room-a", 600, "{\"roomJoin\":true}");
  g_autofree char *path = g_strdup_printf ("/rtc/validate?access_token=%s", good);
  g_autofree char *path_no_join = g_strdup_printf ("/rtc/validate?access_token=%s", no_join);
  g_autofree char *path_no_id = g_strdup_printf ("/rtc/validate?access_token=%s", no_identity);
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autofree char *body = NULL;

  g_assert_cmpuint (http (f, "GET", path, NULL, NULL, &body, &headers), ==, 200);
  g_assert_cmpstr (body, ==, "success");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==, "*");
  /* The token may also come as a bearer header, as the Rust SDK sends it. */
  g_assert_cmpuint (http (f, "GET", "/rtc/validate", good, NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (http (f, "GET", "/rtc/validate", NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (http (f, "GET", path_no_join, NULL, NULL, NULL, NULL), ==, 401);
  g_assert_cmpuint (http (f, "GET", path_no_id, NULL, NULL, NULL, NULL), ==, 400);

  /* The single-PC path is refused so that clients fall back to /rtc. */
  g_clear_pointer (&headers, soup_message_headers_unref);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "GET", "/rtc/v1/validate?access_token=x", NULL, NULL, &body, &headers),
                    ==, 404);
  g_assert_null (strstr (body, "requested room does not exist"));
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==, "*");
  g_assert_cmpuint (http (f, "GET", "/rtc/v1", NULL, NULL, NULL, NULL), ==, 404);
  /* A plain GET of the WebSocket path, as livekit-server: 404. */
  g_assert_cmpuint (http (f, "GET", "/rtc", good, NULL, NULL, NULL), ==, 404);
}

/* ---- join, leave, errors ---------------------------------------------- */

static void
test_join (Fixture *f, gconstpointer data)
{
  g_autofree char *tok = mint ("viewer", "room-j", 600, "{\"roomJoin\":true,\"canPublish\":false}");
  g_autofree char *tok2 =
      mint ("streamer", "room-j", 600, "{\"roomJoin\":true,\"canSubscribe\":false}");
  Client *c = client_connect (f, tok, NULL);
  Client *c2;
  Livekit__SignalResponse *resp;
  Livekit__JoinResponse *join;
  Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__Ping ping = LIVEKIT__PING__INIT;
  Livekit__LeaveRequest leave = LIVEKIT__LEAVE_REQUEST__INIT;
  g_autofree char *room_sid = NULL;
  g_autofree char *viewer_sid = NULL;

  /* The first message is the join. */
  iterate_until (client_has_message, c, 30);
  resp = g_queue_pop_head (&c->messages);
  g_assert_cmpint (resp->message_case, ==, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN);
  join = resp->join;
  g_assert_true (g_str_has_prefix (join->room->sid, "RM_"));
  g_assert_cmpstr (join->room->name, ==, "room-j");
  g_assert_true (g_str_has_prefix (join->participant->sid, "PA_"));
  g_assert_cmpstr (join->participant->identity, ==, "viewer");
  g_assert_false (join->participant->permission->can_publish);
  g_assert_true (join->participant->permission->can_subscribe);
  g_assert_cmpstr (join->server_info->version, ==, "1.9.0");
  g_assert_cmpstr (join->server_version, ==, "1.9.0");
  g_assert_cmpint (join->ping_interval, ==, 5);
  g_assert_cmpint (join->ping_timeout, ==, 15);
  g_assert_true (join->subscriber_primary);
  g_assert_false (join->fast_publish);
  g_assert_cmpuint (join->n_enabled_publish_codecs, ==, 0);
  g_assert_cmpuint (join->n_other_participants, ==, 0);
  room_sid = g_strdup (join->room->sid);
  viewer_sid = g_strdup (join->participant->sid);
  livekit__signal_response__free_unpacked (resp, NULL);

  resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN);
  g_assert_cmpuint (strlen (resp->refresh_token), >, 20);
  livekit__signal_response__free_unpacked (resp, NULL);

  /* Subscriber primary: an offer with LiveKit's data channels, at once. */
  resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_OFFER);
  g_assert_cmpstr (resp->offer->type, ==, "offer");
  g_assert_nonnull (strstr (resp->offer->sdp, "m=application"));
  g_assert_nonnull (strstr (resp->offer->sdp, "a=group:BUNDLE"));
  livekit__signal_response__free_unpacked (resp, NULL);

  /* Keepalive, both forms. */
  ping.timestamp = 1234;
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ;
  req.ping_req = &ping;
  client_send (c, &req);
  resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG_RESP);
  g_assert_cmpint (resp->pong_resp->last_ping_timestamp, ==, 1234);
  livekit__signal_response__free_unpacked (resp, NULL);
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING;
  req.ping = 99;
  client_send (c, &req);
  resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG);
  g_assert_cmpint (resp->pong, >, 0);
  livekit__signal_response__free_unpacked (resp, NULL);

  /* A second participant sees the first; the first hears of the second. */
  c2 = client_connect (f, tok2, NULL);
  resp = client_expect (c2, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN);
  g_assert_cmpstr (resp->join->room->sid, ==, room_sid);
  g_assert_cmpuint (resp->join->n_other_participants, ==, 1);
  g_assert_cmpstr (resp->join->other_participants[0]->identity, ==, "viewer");
  g_assert_false (resp->join->subscriber_primary); /* cannot subscribe */
  livekit__signal_response__free_unpacked (resp, NULL);
  resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE);
  g_assert_cmpuint (resp->update->n_participants, ==, 1);
  g_assert_cmpstr (resp->update->participants[0]->identity, ==, "streamer");
  livekit__signal_response__free_unpacked (resp, NULL);
  g_assert_cmpuint (bc_sfu_get_n_participants (f->sfu), ==, 2);

  /* A leave from the client: the other one sees it disconnected. */
  leave.reason = LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED;
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_LEAVE;
  req.leave = &leave;
  client_send (c2, &req);
  for (;;)
    {
      resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE);
      if (resp->update->participants[0]->state == LIVEKIT__PARTICIPANT_INFO__STATE__DISCONNECTED)
        break;
      livekit__signal_response__free_unpacked (resp, NULL);
    }
  g_assert_cmpstr (resp->update->participants[0]->identity, ==, "streamer");
  g_assert_cmpuint (resp->update->participants[0]->version, >, 1);
  livekit__signal_response__free_unpacked (resp, NULL);
  g_assert_cmpuint (bc_sfu_get_n_participants (f->sfu), ==, 1);
  client_free (c2);
  client_free (c);
  g_assert_cmpstr (viewer_sid, !=, NULL);
}

static void
test_malformed (Fixture *f, gconstpointer data)
{
  g_autofree char *tok_a = mint ("a", "room-m", 600, "{\"roomJoin\":true}");
  g_autofree char *tok_b = mint ("b", "room-m", 600, "{\"roomJoin\":true}");
  Client *a = client_connect (f, tok_a, NULL);
  Client *b = client_connect (f, tok_b, NULL);
  Livekit__SignalResponse *resp;
  g_autoptr (GBytes) junk = g_bytes_new_static ("\xff\xff\xff\xff garbage", 13);
  Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__SessionDescription desc = LIVEKIT__SESSION_DESCRIPTION__INIT;

  livekit__signal_response__free_unpacked (
      client_expect (a, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  livekit__signal_response__free_unpacked (
      client_expect (b, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);

  /* A frame that is no SignalRequest: a leave, then the socket closes. */
  soup_websocket_connection_send_message (a->ws, SOUP_WEBSOCKET_DATA_BINARY, junk);
  resp = client_expect (a, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  g_assert_cmpint (resp->leave->action, ==, LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
  livekit__signal_response__free_unpacked (resp, NULL);
  iterate_until (client_closed, a, 10);

  /* SDP that does not parse. */
  desc.type = (char *) "offer";
  desc.sdp = (char *) "this is not SDP";
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER;
  req.offer = &desc;
  client_send (b, &req);
  resp = client_expect (b, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  livekit__signal_response__free_unpacked (resp, NULL);
  iterate_until (client_closed, b, 10);
  g_assert_cmpuint (bc_sfu_get_n_participants (f->sfu), ==, 0);
  client_free (a);
  client_free (b);
}

/* A publisher offer with LiveKit's data channel section only. */
static const char data_only_offer[] =
    "v=0\r\n"
    "o=- 4242 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Qw3r\r\n"
    "a=ice-pwd:T0pS3cretIcePassw0rdAbcd\r\n"
    "a=fingerprint:sha-256 "
    "0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:E8:F9:0A:1B:2C:3D:4E:5F:60:71:82:93:A4:B5:C6:D7:"
    "E8:F9\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=sctp-port:5000\r\n";

/* A client that unpublishes a track before any offer carried it (it offers
 * without it once it got TrackPublished) leaves nothing pending: many such
 * tracks in a row never hit the publication limit. */
static void
test_abandoned_tracks (Fixture *f, gconstpointer data)
{
  g_autofree char *tok = mint ("streamer", "room-a", 600, "{\"roomJoin\":true}");
  Client *c = client_connect (f, tok, NULL);

  livekit__signal_response__free_unpacked (
      client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  for (guint i = 0; i < 40; i++)
    {
      Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
      Livekit__AddTrackRequest add = LIVEKIT__ADD_TRACK_REQUEST__INIT;
      Livekit__SessionDescription offer = LIVEKIT__SESSION_DESCRIPTION__INIT;
      Livekit__SignalResponse *resp = NULL;
      g_autofree char *cid = g_strdup_printf ("track-%u", i);

      add.cid = cid;
      add.name = (char *) "camera";
      add.type = LIVEKIT__TRACK_TYPE__VIDEO;
      add.source = LIVEKIT__TRACK_SOURCE__CAMERA;
      add.width = 320;
      add.height = 240;
      req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK;
      req.add_track = &add;
      client_send (c, &req);
      /* Accepted, not refused for too many tracks. */
      while (resp == NULL)
        {
          iterate_until (client_has_message, c, 30);
          resp = g_queue_pop_head (&c->messages);
          g_assert_nonnull (resp);
          if (resp->message_case != LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED &&
              resp->message_case != LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE)
            g_clear_pointer (&resp, response_free);
        }
      g_assert_cmpint (resp->message_case, ==, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED);
      g_assert_cmpstr (resp->track_published->cid, ==, cid);
      livekit__signal_response__free_unpacked (resp, NULL);

      offer.type = (char *) "offer";
      offer.sdp = (char *) data_only_offer;
      offer.id = i + 1;
      req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER;
      req.offer = &offer;
      client_send (c, &req);
      resp = client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER);
      g_assert_cmpuint (resp->answer->id, ==, i + 1);
      livekit__signal_response__free_unpacked (resp, NULL);
    }
  g_assert_false (c->closed);
  client_free (c);
}

static void
test_flood (Fixture *f, gconstpointer data)
{
  g_autofree char *tok_a = mint ("a", "room-f", 600, "{\"roomJoin\":true}");
  g_autofree char *tok_b = mint ("b", "room-f", 600, "{\"roomJoin\":true}");
  Client *a = client_connect (f, tok_a, NULL);
  Client *b = client_connect (f, tok_b, NULL);
  Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__SignalResponse *resp;

  livekit__signal_response__free_unpacked (
      client_expect (a, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  livekit__signal_response__free_unpacked (
      client_expect (b, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING;
  req.ping = 1;
  for (guint i = 0; i < 1000; i++)
    client_send (a, &req);
  resp = client_expect (a, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  livekit__signal_response__free_unpacked (resp, NULL);
  iterate_until (client_closed, a, 10);

  /* The other participant is untouched and still answered. */
  req.ping = 2;
  client_send (b, &req);
  resp = client_expect (b, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG);
  livekit__signal_response__free_unpacked (resp, NULL);
  g_assert_false (b->closed);
  g_assert_cmpuint (bc_sfu_get_n_participants (f->sfu), ==, 1);
  client_free (a);
  client_free (b);
}

static void
test_reconnect (Fixture *f, gconstpointer data)
{
  g_autofree char *tok = mint ("a", "room-r", 600, "{\"roomJoin\":true}");
  Client *c = client_connect (f, tok, "&reconnect=1&sid=PA_gone&reconnect_reason=1");
  Livekit__SignalResponse *resp;

  /* Not resumable here: rejoin in full (livekit-server's answer to an
   * unknown participant). */
  iterate_until (client_has_message, c, 30);
  resp = g_queue_pop_head (&c->messages);
  g_assert_cmpint (resp->message_case, ==, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  g_assert_cmpint (resp->leave->reason, ==, LIVEKIT__DISCONNECT_REASON__STATE_MISMATCH);
  g_assert_cmpint (resp->leave->action, ==, LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT);
  livekit__signal_response__free_unpacked (resp, NULL);
  iterate_until (client_closed, c, 10);
  client_free (c);
}

static void
test_duplicate_identity (Fixture *f, gconstpointer data)
{
  g_autofree char *tok = mint ("same", "room-d", 600, "{\"roomJoin\":true}");
  Client *first = client_connect (f, tok, NULL);
  Client *second;
  Livekit__SignalResponse *resp;

  livekit__signal_response__free_unpacked (
      client_expect (first, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  second = client_connect (f, tok, NULL);
  livekit__signal_response__free_unpacked (
      client_expect (second, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  resp = client_expect (first, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  g_assert_cmpint (resp->leave->reason, ==, LIVEKIT__DISCONNECT_REASON__DUPLICATE_IDENTITY);
  livekit__signal_response__free_unpacked (resp, NULL);
  g_assert_cmpuint (bc_sfu_get_n_participants (f->sfu), ==, 1);
  client_free (first);
  client_free (second);
}

/* Mutated but mostly well-formed requests, many clients in a row: the SFU
 * must survive and still serve a clean client afterwards. */
static GBytes *
pack_request (Livekit__SignalRequest *req)
{
  gsize len = livekit__signal_request__get_packed_size (req);
  guint8 *buf = g_malloc (len + 1);

  livekit__signal_request__pack (req, buf);
  return g_bytes_new_take (buf, len);
}

static void
test_fuzz_frames (Fixture *f, gconstpointer data)
{
  g_autofree char *tok = mint ("fuzz", "room-z", 600, "{\"roomJoin\":true,\"canSubscribe\":false}");
  g_autofree char *clean_tok = mint ("clean", "room-z", 600, "{\"roomJoin\":true}");
  GRand *rand = g_rand_new_with_seed (424242);
  g_autoptr (GPtrArray) seeds = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__TrickleRequest trickle = LIVEKIT__TRICKLE_REQUEST__INIT;
  Livekit__AddTrackRequest add = LIVEKIT__ADD_TRACK_REQUEST__INIT;
  Livekit__MuteTrackRequest mute = LIVEKIT__MUTE_TRACK_REQUEST__INIT;
  Livekit__SessionDescription desc = LIVEKIT__SESSION_DESCRIPTION__INIT;
  Livekit__UpdateSubscription sub = LIVEKIT__UPDATE_SUBSCRIPTION__INIT;
  char *sids[] = { (char *) "TR_x" };
  Client *clean;
  Livekit__SignalResponse *resp;

  trickle.candidateinit = (char *) "{\"candidate\":\"candidate:1 1 UDP 1 127.0.0.1 9 typ host\","
                                   "\"sdpMid\":\"0\",\"sdpMLineIndex\":0}";
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRICKLE;
  req.trickle = &trickle;
  g_ptr_array_add (seeds, pack_request (&req));
  add.cid = (char *) "cid-1";
  add.name = (char *) "camera";
  add.type = LIVEKIT__TRACK_TYPE__VIDEO;
  add.source = LIVEKIT__TRACK_SOURCE__CAMERA;
  add.width = 640;
  add.height = 480;
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK;
  req.add_track = &add;
  g_ptr_array_add (seeds, pack_request (&req));
  mute.sid = (char *) "TR_x";
  mute.muted = TRUE;
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_MUTE;
  req.mute = &mute;
  g_ptr_array_add (seeds, pack_request (&req));
  desc.type = (char *) "answer";
  desc.sdp = (char *) "v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\n";
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ANSWER;
  req.answer = &desc;
  g_ptr_array_add (seeds, pack_request (&req));
  sub.n_track_sids = 1;
  sub.track_sids = sids;
  sub.subscribe = TRUE;
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_SUBSCRIPTION;
  req.subscription = &sub;
  g_ptr_array_add (seeds, pack_request (&req));

  for (guint round = 0; round < 30; round++)
    {
      Client *c = client_connect (f, tok, NULL);

      for (guint i = 0; i < 10 && !c->closed && g_queue_is_empty (&c->messages); i++)
        {
          GBytes *seed = g_ptr_array_index (seeds, g_rand_int_range (rand, 0, seeds->len));
          gsize len;
          const guint8 *raw = g_bytes_get_data (seed, &len);
          guint8 *copy = g_memdup2 (raw, len);
          g_autoptr (GBytes) frame = NULL;

          for (guint k = g_rand_int_range (rand, 0, 4); k > 0; k--)
            copy[g_rand_int_range (rand, 0, len)] = g_rand_int_range (rand, 0, 256);
          frame = g_bytes_new_take (
              copy, g_rand_boolean (rand) ? len : (gsize) g_rand_int_range (rand, 1, len + 1));
          if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_send_message (c->ws, SOUP_WEBSOCKET_DATA_BINARY, frame);
          g_main_context_iteration (NULL, FALSE);
        }
      /* Whatever the SFU made of it, it ends the session cleanly or keeps
       * it; give a closing socket the time to close. */
      for (guint i = 0; i < 20 && !c->closed; i++)
        g_main_context_iteration (NULL, FALSE);
      client_free (c);
    }
  g_rand_free (rand);

  clean = client_connect (f, clean_tok, NULL);
  resp = client_expect (clean, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN);
  g_assert_cmpstr (resp->join->participant->identity, ==, "clean");
  livekit__signal_response__free_unpacked (resp, NULL);
  client_free (clean);
}

/* ---- RoomService ------------------------------------------------------ */

static void
test_twirp (Fixture *f, gconstpointer data)
{
  g_autofree char *join_a = mint ("a", "room-t", 600, "{\"roomJoin\":true}");
  g_autofree char *join_b = mint ("b", "room-t", 600, "{\"roomJoin\":true}");
  g_autofree char *lister = mint (NULL, NULL, 600, "{\"roomList\":true}");
  g_autofree char *admin = mint (NULL, "room-t", 600, "{\"roomAdmin\":true}");
  g_autofree char *other_admin = mint (NULL, "elsewhere", 600, "{\"roomAdmin\":true}");
  g_autofree char *creator = mint (NULL, NULL, 600, "{\"roomCreate\":true}");
  g_autofree char *body = NULL;
  g_autoptr (JsonObject) reply = NULL;
  Client *a, *b;
  Livekit__SignalResponse *resp;

  g_assert_cmpuint (
      http (f, "POST", "/twirp/livekit.RoomService/ListRooms", NULL, "{}", &body, NULL), ==, 401);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (
      http (f, "POST", "/twirp/livekit.RoomService/ListRooms", join_a, "{}", &body, NULL), ==, 403);
  g_clear_pointer (&body, g_free);
  reply = NULL;
  g_assert_cmpuint (
      http (f, "POST", "/twirp/livekit.RoomService/ListRooms", lister, "{}", &body, NULL), ==, 200);
  reply = bc_json_parse_object (body, -1, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "rooms")), ==, 0);

  a = client_connect (f, join_a, NULL);
  b = client_connect (f, join_b, NULL);
  livekit__signal_response__free_unpacked (
      client_expect (a, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  livekit__signal_response__free_unpacked (
      client_expect (b, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);

  g_clear_pointer (&body, g_free);
  g_clear_pointer (&reply, json_object_unref);
  g_assert_cmpuint (
      http (f, "POST", "/twirp/livekit.RoomService/ListRooms", lister, "{}", &body, NULL), ==, 200);
  reply = bc_json_parse_object (body, -1, NULL);
  {
    JsonArray *rooms = json_object_get_array_member (reply, "rooms");
    JsonObject *room;

    g_assert_cmpuint (json_array_get_length (rooms), ==, 1);
    room = json_array_get_object_element (rooms, 0);
    g_assert_cmpstr (json_object_get_string_member (room, "name"), ==, "room-t");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (room, "sid"), "RM_"));
    g_assert_cmpint (json_object_get_int_member (room, "numParticipants"), ==, 2);
  }

  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/twirp/livekit.RoomService/ListParticipants", other_admin,
                          "{\"room\":\"room-t\"}", &body, NULL),
                    ==, 403);
  g_clear_pointer (&body, g_free);
  g_clear_pointer (&reply, json_object_unref);
  g_assert_cmpuint (http (f, "POST", "/twirp/livekit.RoomService/ListParticipants", admin,
                          "{\"room\":\"room-t\"}", &body, NULL),
                    ==, 200);
  reply = bc_json_parse_object (body, -1, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (reply, "participants")),
                    ==, 2);

  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/twirp/livekit.RoomService/RemoveParticipant", admin,
                          "{\"room\":\"room-t\",\"identity\":\"a\"}", &body, NULL),
                    ==, 200);
  resp = client_expect (a, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  g_assert_cmpint (resp->leave->reason, ==, LIVEKIT__DISCONNECT_REASON__PARTICIPANT_REMOVED);
  livekit__signal_response__free_unpacked (resp, NULL);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/twirp/livekit.RoomService/RemoveParticipant", admin,
                          "{\"room\":\"room-t\",\"identity\":\"nobody\"}", &body, NULL),
                    ==, 404);

  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (http (f, "POST", "/twirp/livekit.RoomService/DeleteRoom", creator,
                          "{\"room\":\"room-t\"}", &body, NULL),
                    ==, 200);
  resp = client_expect (b, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE);
  g_assert_cmpint (resp->leave->reason, ==, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);
  livekit__signal_response__free_unpacked (resp, NULL);
  iterate_until (client_closed, b, 10);
  g_assert_cmpuint (bc_sfu_get_n_rooms (f->sfu), ==, 0);

  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (
      http (f, "POST", "/twirp/livekit.RoomService/Nope", admin, "{\"room\":\"x\"}", &body, NULL),
      ==, 404);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (
      http (f, "POST", "/twirp/livekit.RoomService/DeleteRoom", admin, "not json", &body, NULL), ==,
      400);
  client_free (a);
  client_free (b);
}

/* ---- webhooks --------------------------------------------------------- */

static gboolean
has_room_finished (gpointer data)
{
  Fixture *f = data;

  for (guint i = 0; i < f->hooks->len; i++)
    if (strstr (g_ptr_array_index (f->hooks, i), "\"room_finished\"") != NULL)
      return TRUE;
  return FALSE;
}

static void
test_webhooks (Fixture *f, gconstpointer data)
{
  g_autofree char *tok = mint ("hooked", "room-w", 600, "{\"roomJoin\":true}");
  Client *c = client_connect (f, tok, NULL);
  const char *expected[] = { "room_started", "participant_joined", "participant_left",
                             "room_finished" };

  livekit__signal_response__free_unpacked (
      client_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN), NULL);
  soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  /* Departure timeout of 1 s in this fixture. */
  iterate_until (has_room_finished, f, 30);
  g_assert_cmpuint (f->hooks->len, ==, G_N_ELEMENTS (expected));

  for (guint i = 0; i < f->hooks->len; i++)
    {
      const char *body = g_ptr_array_index (f->hooks, i);
      const char *auth = g_ptr_array_index (f->hook_auth, i);
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) event = bc_json_parse_object (body, -1, &error);
      g_autoptr (JsonObject) claims = NULL;
      g_autofree char *digest = bc_sha256_base64 (body, strlen (body));

      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (event, "event"), ==, expected[i]);
      g_assert_true (g_str_has_prefix (json_object_get_string_member (event, "id"), "EV_"));
      g_assert_true (json_object_has_member (event, "createdAt"));
      g_assert_cmpstr (
          json_object_get_string_member (json_object_get_object_member (event, "room"), "name"), ==,
          "room-w");
      if (g_str_has_prefix (expected[i], "participant_"))
        g_assert_cmpstr (json_object_get_string_member (
                             json_object_get_object_member (event, "participant"), "identity"),
                         ==, "hooked");

      /* LiveKit's signature: a JWT by the API key whose sha256 claim is
       * the body's digest. */
      g_assert_nonnull (auth);
      claims = bc_jwt_verify_hs256 (auth, (const guint8 *) SECRET, strlen (SECRET),
                                    g_get_real_time () / G_USEC_PER_SEC, 60,
                                    BC_JWT_VERIFY_REQUIRE_EXP, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, KEY);
      g_assert_cmpstr (json_object_get_string_member (claims, "sha256"), ==, digest);
    }
  client_free (c);
}

static void
test_webhook_sign (void)
{
  const char *body = "{\"event\":\"room_started\"}";
  g_autofree char *auth = bc_sfu_webhook_sign (body, strlen (body), KEY, SECRET, 1700000000);
  g_autoptr (JsonObject) claims =
      bc_jwt_verify_hs256 (auth, (const guint8 *) SECRET, strlen (SECRET), 1700000010, 0,
                           BC_JWT_VERIFY_REQUIRE_EXP, NULL);
  g_autofree char *digest = bc_sha256_base64 (body, strlen (body));

  g_assert_nonnull (claims);
  g_assert_cmpstr (json_object_get_string_member (claims, "sha256"), ==, digest);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, KEY);
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_test_add_func ("/sfu/token/grants", test_token_grants);
  g_test_add_func ("/sfu/token/restricted", test_token_restricted);
  g_test_add_func ("/sfu/token/rejected", test_token_rejected);
  g_test_add_func ("/sfu/token/refresh", test_token_refresh);
  g_test_add_func ("/sfu/webhook/sign", test_webhook_sign);
  g_test_add ("/sfu/http/routes", Fixture, NULL, fixture_setup, test_routes, fixture_teardown);
  g_test_add ("/sfu/signal/join", Fixture, NULL, fixture_setup, test_join, fixture_teardown);
  g_test_add ("/sfu/signal/malformed", Fixture, NULL, fixture_setup, test_malformed,
              fixture_teardown);
  g_test_add ("/sfu/signal/flood", Fixture, NULL, fixture_setup, test_flood, fixture_teardown);
  g_test_add ("/sfu/signal/abandoned-tracks", Fixture, NULL, fixture_setup, test_abandoned_tracks,
              fixture_teardown);
  g_test_add ("/sfu/signal/reconnect", Fixture, NULL, fixture_setup, test_reconnect,
              fixture_teardown);
  g_test_add ("/sfu/signal/duplicate-identity", Fixture, NULL, fixture_setup,
              test_duplicate_identity, fixture_teardown);
  g_test_add ("/sfu/signal/fuzz-frames", Fixture, NULL, fixture_setup, test_fuzz_frames,
              fixture_teardown);
  g_test_add ("/sfu/twirp", Fixture, NULL, fixture_setup, test_twirp, fixture_teardown);
  g_test_add ("/sfu/webhooks", Fixture, NULL, fixture_setup, test_webhooks, fixture_teardown);
  ret = g_test_run ();
  /* OpenSSL's exit-time cleanup sometimes double-frees state that
   * GStreamer's DTLS elements left behind; the tests are over by now. */
  fflush (stdout);
  _exit (ret);
}
