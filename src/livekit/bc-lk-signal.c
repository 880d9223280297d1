/* bc-lk-signal.c: the LiveKit signal connection
 *
 * One WebSocket to <url>/rtc carrying one binary SignalRequest or
 * SignalResponse per frame (no length prefix). The first frame from the server
 * decides the outcome of the connect; all later frames are emitted as
 * ::message with the message kind as detail ("message::offer", ...).
 */
#define G_LOG_DOMAIN "bc-livekit"

#include "config.h"

#include "bc-lk-signal.h"

#include <libsoup/soup.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "bc-lk-error.h"

/* JoinResponses and SDPs of large rooms exceed libsoup's 128 KiB default. */
#define MAX_INCOMING_PAYLOAD (16 * 1024 * 1024)
/* LiveKit's JS SDK allows 15 s for the WebSocket and 5 s more for the join. */
#define CONNECT_TIMEOUT_S  20
#define VALIDATE_TIMEOUT_S 5

struct _BcLkSignal
{
  GObject parent_instance;

  SoupSession *session;
  SoupWebsocketConnection *ws;
  gulong ws_message_id;
  gulong ws_closed_id;

  /* The connect in progress, if any. */
  GTask *connect_task;
  guint connect_timeout_id;
  char *validate_url;
  char *token;

  /* Messages that arrived after the first one but before the caller got it. */
  GQueue pending;
  guint flush_id;
  gboolean holding;

  int ping_interval_s;
  int ping_timeout_s;
  guint ping_id;
  guint ping_timeout_id;
  gint64 rtt_ms;
  gboolean closing;
};

G_DEFINE_FINAL_TYPE (BcLkSignal, bc_lk_signal, G_TYPE_OBJECT)

enum
{
  SIGNAL_MESSAGE,
  SIGNAL_LOST,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void keepalive_stop (BcLkSignal *self);
static void keepalive_start (BcLkSignal *self);
static void ws_drop (BcLkSignal *self, gboolean send_close);

static void
bc_lk_signal_dispose (GObject *object)
{
  BcLkSignal *self = BC_LK_SIGNAL (object);

  keepalive_stop (self);
  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  self->closing = TRUE;
  ws_drop (self, TRUE);
  g_queue_clear_full (&self->pending, (GDestroyNotify) bc_lk_signal_response_free);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);

  G_OBJECT_CLASS (bc_lk_signal_parent_class)->dispose (object);
}

static void
bc_lk_signal_finalize (GObject *object)
{
  BcLkSignal *self = BC_LK_SIGNAL (object);

  g_free (self->validate_url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);

  G_OBJECT_CLASS (bc_lk_signal_parent_class)->finalize (object);
}

static void
bc_lk_signal_class_init (BcLkSignalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_lk_signal_dispose;
  object_class->finalize = bc_lk_signal_finalize;

  /**
   * BcLkSignal::message:
   * @response: (type gpointer): the Livekit__SignalResponse, valid during emission
   *
   * Emitted for every server message after the first; the detail is the
   * message kind, the protobuf field name (join, offer, answer, trickle,
   * update, track_published, leave, mute, refresh_token, reconnect, ...).
   */
  signals[SIGNAL_MESSAGE] =
      g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * BcLkSignal::lost:
   * @error: why
   *
   * The connection ended without a leave from us: closed by the server or
   * the network, or no message within the ping timeout.
   */
  signals[SIGNAL_LOST] = g_signal_new ("lost", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                       NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
bc_lk_signal_init (BcLkSignal *self)
{
  g_queue_init (&self->pending);
  self->session = soup_session_new_with_options ("user-agent", "BountyCam/" PACKAGE_VERSION,
                                                 "timeout", CONNECT_TIMEOUT_S, NULL);
}

BcLkSignal *
bc_lk_signal_new (void)
{
  return g_object_new (BC_TYPE_LK_SIGNAL, NULL);
}

/* ------------------------------------------------------------------------ */
/* URLs */

static char *
base_url (const char *url, const char *scheme_ws, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree char *path = NULL;
  const char *scheme;
  const char *new_scheme;
  g_autoptr (GUri) out = NULL;

  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                           "No LiveKit server URL was given");
      return NULL;
    }
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    {
      g_set_error (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a LiveKit server URL (expected wss://host or ws://host:port)", url);
      return NULL;
    }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "wss") == 0 || g_ascii_strcasecmp (scheme, "https") == 0)
    new_scheme = scheme_ws != NULL ? "wss" : "https";
  else if (g_ascii_strcasecmp (scheme, "ws") == 0 || g_ascii_strcasecmp (scheme, "http") == 0)
    new_scheme = scheme_ws != NULL ? "ws" : "http";
  else
    {
      g_set_error (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                   "Unsupported scheme “%s” in the LiveKit server URL (use wss:// or ws://)",
                   scheme);
      return NULL;
    }

  /* A path prefix (a proxy mounting LiveKit under /livekit) is kept. */
  path = g_strdup (g_uri_get_path (uri));
  while (*path != '\0' && path[strlen (path) - 1] == '/')
    path[strlen (path) - 1] = '\0';

  out = g_uri_build (G_URI_FLAGS_NONE, new_scheme, NULL, g_uri_get_host (uri), g_uri_get_port (uri),
                     path, NULL, NULL);
  return g_uri_to_string (out);
}

static void
append_param (GString *query, const char *key, const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_c (query, query->len == 0 ? '?' : '&');
  g_string_append (query, key);
  g_string_append_c (query, '=');
  g_string_append (query, escaped);
}

static char *
build_query (const char *token, const BcLkSignalResume *resume)
{
  GString *query = g_string_new (NULL);
  g_autofree char *protocol = g_strdup_printf ("%d", BC_LK_PROTOCOL_VERSION);

  append_param (query, "access_token", token);
  append_param (query, "auto_subscribe", "1");
  append_param (query, "sdk", "cpp");
  append_param (query, "version", PACKAGE_VERSION);
  append_param (query, "protocol", protocol);
  append_param (query, "os", "linux");
  if (resume != NULL)
    {
      g_autofree char *reason = g_strdup_printf ("%d", (int) resume->reason);

      append_param (query, "reconnect", "1");
      append_param (query, "sid", resume->participant_sid != NULL ? resume->participant_sid : "");
      append_param (query, "reconnect_reason", reason);
    }
  return g_string_free (query, FALSE);
}

char *
bc_lk_signal_build_url (const char *url,
                        const char *token,
                        const BcLkSignalResume *resume,
                        GError **error)
{
  g_autofree char *base = base_url (url, "ws", error);
  g_autofree char *query = NULL;

  if (base == NULL)
    return NULL;
  if (token == NULL || *token == '\0')
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                           "No access token was given for the LiveKit room");
      return NULL;
    }
  query = build_query (token, resume);
  return g_strconcat (base, "/rtc", query, NULL);
}

static char *
build_validate_url (const char *url, const char *token, const BcLkSignalResume *resume)
{
  g_autofree char *base = base_url (url, NULL, NULL);
  g_autofree char *query = NULL;

  if (base == NULL)
    return NULL;
  query = build_query (token, resume);
  return g_strconcat (base, "/rtc/validate", query, NULL);
}

/* ------------------------------------------------------------------------ */
/* Incoming messages */

static void
emit_message (BcLkSignal *self, Livekit__SignalResponse *response)
{
  GQuark detail = g_quark_from_static_string (bc_lk_signal_response_kind_name (
      (Livekit__SignalResponse__MessageCase) response->message_case));

  g_signal_emit (self, signals[SIGNAL_MESSAGE], detail, response);
}

static gboolean
flush_pending (gpointer user_data)
{
  BcLkSignal *self = BC_LK_SIGNAL (user_data);
  Livekit__SignalResponse *response;

  self->flush_id = 0;
  self->holding = FALSE;
  g_object_ref (self);
  while (!self->holding && (response = g_queue_pop_head (&self->pending)) != NULL)
    {
      emit_message (self, response);
      bc_lk_signal_response_free (response);
    }
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
connect_complete (BcLkSignal *self, Livekit__SignalResponse *first, GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

  g_clear_handle_id (&self->connect_timeout_id, g_source_remove);
  if (task == NULL)
    {
      if (first != NULL)
        bc_lk_signal_response_free (first);
      if (error != NULL)
        g_error_free (error);
      return;
    }
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, first, (GDestroyNotify) bc_lk_signal_response_free);
}

static void ping_timeout_reset (BcLkSignal *self);

static void
on_ws_message (SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer user_data)
{
  BcLkSignal *self = BC_LK_SIGNAL (user_data);
  g_autoptr (GError) error = NULL;
  Livekit__SignalResponse *response;

  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    {
      g_message ("Ignoring a text frame from the LiveKit server (only binary protobuf is used)");
      return;
    }
  response = bc_lk_signal_response_unpack (bytes, &error);
  if (response == NULL)
    {
      g_message ("%s", error->message);
      return;
    }
  ping_timeout_reset (self);

  if (response->message_case == LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG_RESP &&
      response->pong_resp != NULL && response->pong_resp->last_ping_timestamp > 0)
    self->rtt_ms = g_get_real_time () / 1000 - response->pong_resp->last_ping_timestamp;

  if (self->connect_task != NULL)
    {
      /* The first message decides the connect. Later ones wait until the
       * caller has seen it. */
      self->holding = TRUE;
      if (response->message_case == LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN &&
          response->join != NULL)
        bc_lk_signal_set_keepalive (self, response->join->ping_interval,
                                    response->join->ping_timeout);
      connect_complete (self, response, NULL);
      return;
    }

  if (self->holding)
    {
      g_queue_push_tail (&self->pending, response);
      return;
    }
  emit_message (self, response);
  bc_lk_signal_response_free (response);
}

static void
lost (BcLkSignal *self, GError *error)
{
  keepalive_stop (self);
  ws_drop (self, TRUE);
  if (self->connect_task != NULL)
    {
      connect_complete (self, NULL, g_error_copy (error));
      return;
    }
  g_signal_emit (self, signals[SIGNAL_LOST], 0, error);
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer user_data)
{
  BcLkSignal *self = BC_LK_SIGNAL (user_data);
  g_autoptr (GError) error = NULL;
  gushort code = soup_websocket_connection_get_close_code (ws);

  if (self->closing)
    return;
  error = g_error_new (BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE,
                       "The LiveKit server closed the signal connection (code %u)", code);
  g_object_ref (self);
  lost (self, error);
  g_object_unref (self);
}

static void
ws_drop (BcLkSignal *self, gboolean send_close)
{
  g_autoptr (SoupWebsocketConnection) ws = g_steal_pointer (&self->ws);

  if (ws == NULL)
    return;
  g_clear_signal_handler (&self->ws_message_id, ws);
  g_clear_signal_handler (&self->ws_closed_id, ws);
  if (send_close && soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Keepalive */

static gboolean
on_ping_timeout (gpointer user_data)
{
  BcLkSignal *self = BC_LK_SIGNAL (user_data);
  g_autoptr (GError) error = NULL;

  self->ping_timeout_id = 0;
  error =
      g_error_new (BC_LK_ERROR, BC_LK_ERROR_TIMEOUT,
                   "The LiveKit server stopped answering (nothing for %d s)", self->ping_timeout_s);
  g_object_ref (self);
  lost (self, error);
  g_object_unref (self);
  return G_SOURCE_REMOVE;
}

static void
ping_timeout_reset (BcLkSignal *self)
{
  if (self->ping_timeout_id == 0)
    return;
  g_source_remove (self->ping_timeout_id);
  self->ping_timeout_id = g_timeout_add_seconds (self->ping_timeout_s, on_ping_timeout, self);
}

static gboolean
on_ping (gpointer user_data)
{
  BcLkSignal *self = BC_LK_SIGNAL (user_data);
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__Ping ping = LIVEKIT__PING__INIT;
  gint64 now_ms = g_get_real_time () / 1000;

  /* Both forms, as LiveKit's SDKs do: old servers only know the int64. */
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING;
  request.ping = now_ms;
  bc_lk_signal_send (self, &request);

  ping.timestamp = now_ms;
  ping.rtt = self->rtt_ms;
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ;
  request.ping_req = &ping;
  bc_lk_signal_send (self, &request);
  return G_SOURCE_CONTINUE;
}

static void
keepalive_stop (BcLkSignal *self)
{
  g_clear_handle_id (&self->ping_id, g_source_remove);
  g_clear_handle_id (&self->ping_timeout_id, g_source_remove);
}

static void
keepalive_start (BcLkSignal *self)
{
  keepalive_stop (self);
  if (self->ws == NULL || self->ping_interval_s <= 0 || self->ping_timeout_s <= 0)
    return;
  self->ping_id = g_timeout_add_seconds (self->ping_interval_s, on_ping, self);
  self->ping_timeout_id = g_timeout_add_seconds (self->ping_timeout_s, on_ping_timeout, self);
  /* One right away, so the round trip time is known from the start. */
  on_ping (self);
}

void
bc_lk_signal_set_keepalive (BcLkSignal *self, int interval_s, int timeout_s)
{
  g_return_if_fail (BC_IS_LK_SIGNAL (self));

  /* Like LiveKit's ESP32 client: never below a second. */
  self->ping_interval_s = interval_s > 0 ? MAX (interval_s, 1) : 0;
  self->ping_timeout_s = timeout_s > 0 ? MAX (timeout_s, self->ping_interval_s + 1) : 0;
  keepalive_start (self);
}

gint64
bc_lk_signal_get_rtt (BcLkSignal *self)
{
  g_return_val_if_fail (BC_IS_LK_SIGNAL (self), 0);
  return self->rtt_ms;
}

/* ------------------------------------------------------------------------ */
/* Connect */

static GError *
error_from_validate (guint status, const char *body)
{
  g_autofree char *text = g_strstrip (g_strndup (body != NULL ? body : "", 200));

  switch (status)
    {
    case 401:
    case 403:
      return g_error_new (BC_LK_ERROR, BC_LK_ERROR_TOKEN_REJECTED,
                          "The LiveKit server rejected the access token (%s). Ask for a new one",
                          *text != '\0' ? text : "unauthorized");
    case 404:
      if (strstr (text, "room") != NULL)
        return g_error_new (BC_LK_ERROR, BC_LK_ERROR_ROOM_NOT_FOUND,
                            "The room does not exist on the LiveKit server (%s)", text);
      return g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                                  "The server at this URL is not a LiveKit server (no /rtc)");
    case 502:
    case 503:
    case 504:
      return g_error_new (BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE,
                          "The LiveKit server is unavailable for now (HTTP %u%s%s); try again "
                          "shortly",
                          status, *text != '\0' ? ": " : "", text);
    case 200:
      return g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE,
                                  "The LiveKit server accepted the token but the signal "
                                  "connection failed; a proxy may be blocking WebSockets");
    default:
      return g_error_new (BC_LK_ERROR,
                          status == 400 ? BC_LK_ERROR_TOKEN_REJECTED : BC_LK_ERROR_PROTOCOL,
                          "The LiveKit server refused the connection (HTTP %u%s%s)", status,
                          *text != '\0' ? ": " : "", text);
    }
}

static void
on_validate_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLkSignal) self = BC_LK_SIGNAL (user_data);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *text = NULL;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        connect_complete (self, NULL, g_steal_pointer (&error));
      else
        connect_complete (self, NULL,
                          g_error_new (BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE,
                                       "Cannot reach the LiveKit server: %s", error->message));
      return;
    }
  text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  connect_complete (self, NULL, error_from_validate (soup_message_get_status (msg), text));
}

static void
validate (BcLkSignal *self)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *auth = NULL;

  if (self->validate_url == NULL)
    {
      connect_complete (self, NULL,
                        g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE,
                                             "Cannot reach the LiveKit server"));
      return;
    }
  msg = soup_message_new ("GET", self->validate_url);
  if (msg == NULL)
    {
      connect_complete (self, NULL,
                        g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                                             "The LiveKit server URL is not valid"));
      return;
    }
  auth = g_strconcat ("Bearer ", self->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (self->connect_task), on_validate_done,
                                    g_object_ref (self));
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLkSignal) self = BC_LK_SIGNAL (user_data);
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws;

  ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (self->connect_task == NULL)
    {
      g_clear_object (&ws);
      return;
    }
  if (ws == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          connect_complete (self, NULL, g_steal_pointer (&error));
          return;
        }
      g_debug ("Signal WebSocket failed (%s); asking /rtc/validate why", error->message);
      validate (self);
      return;
    }

  self->ws = ws;
  soup_websocket_connection_set_max_incoming_payload_size (ws, MAX_INCOMING_PAYLOAD);
  self->ws_message_id = g_signal_connect (ws, "message", G_CALLBACK (on_ws_message), self);
  self->ws_closed_id = g_signal_connect (ws, "closed", G_CALLBACK (on_ws_closed), self);
}

static gboolean
on_connect_timeout (gpointer user_data)
{
  BcLkSignal *self = BC_LK_SIGNAL (user_data);

  self->connect_timeout_id = 0;
  self->closing = TRUE;
  ws_drop (self, TRUE);
  connect_complete (self, NULL,
                    g_error_new (BC_LK_ERROR, BC_LK_ERROR_TIMEOUT,
                                 "The LiveKit server did not answer within %d s",
                                 CONNECT_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

/* Signal messages are small and often come in pairs (an answer right after
 * another, a trickled candidate after an offer). With Nagle's algorithm the
 * second waits for the peer's delayed ACK, which costs ~40 ms per exchange on
 * Linux and showed up twice in every join; so send at once. */
static void
on_network_event (SoupMessage *msg, GSocketClientEvent event, GIOStream *connection, gpointer data)
{
  GSocket *socket;

  if (event != G_SOCKET_CLIENT_CONNECTED || !G_IS_SOCKET_CONNECTION (connection))
    return;
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (connection));
  if (g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
    g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

void
bc_lk_signal_connect_async (BcLkSignal *self,
                            const char *url,
                            const char *token,
                            const BcLkSignalResume *resume,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *ws_url = NULL;
  g_autofree char *auth = NULL;

  g_return_if_fail (BC_IS_LK_SIGNAL (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_lk_signal_connect_async);

  if (self->connect_task != NULL || self->ws != NULL)
    {
      g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                               "The signal connection is already in use");
      return;
    }
  ws_url = bc_lk_signal_build_url (url, token, resume, &error);
  if (ws_url == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  msg = soup_message_new ("GET", ws_url);
  if (msg == NULL)
    {
      g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                               "The LiveKit server URL is not valid");
      return;
    }

  g_free (self->validate_url);
  self->validate_url = build_validate_url (url, token, resume);
  g_free (self->token);
  self->token = g_strdup (token);
  self->closing = FALSE;
  self->holding = FALSE;
  self->connect_task = g_steal_pointer (&task);
  self->connect_timeout_id = g_timeout_add_seconds (CONNECT_TIMEOUT_S, on_connect_timeout, self);

  auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  g_signal_connect (msg, "network-event", G_CALLBACK (on_network_event), NULL);
  soup_session_websocket_connect_async (self->session, msg, NULL, NULL, G_PRIORITY_DEFAULT,
                                        cancellable, on_ws_connected, g_object_ref (self));
}

Livekit__SignalResponse *
bc_lk_signal_connect_finish (BcLkSignal *self, GAsyncResult *result, GError **error)
{
  Livekit__SignalResponse *first;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  first = g_task_propagate_pointer (G_TASK (result), error);
  if (first == NULL)
    {
      self->closing = TRUE;
      ws_drop (self, TRUE);
      return NULL;
    }
  if (self->flush_id == 0)
    self->flush_id = g_idle_add (flush_pending, self);
  return first;
}

gboolean
bc_lk_signal_is_connected (BcLkSignal *self)
{
  g_return_val_if_fail (BC_IS_LK_SIGNAL (self), FALSE);
  return self->ws != NULL &&
         soup_websocket_connection_get_state (self->ws) == SOUP_WEBSOCKET_STATE_OPEN;
}

gboolean
bc_lk_signal_send (BcLkSignal *self, const Livekit__SignalRequest *request)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_val_if_fail (BC_IS_LK_SIGNAL (self), FALSE);

  if (!bc_lk_signal_is_connected (self))
    return FALSE;
  bytes = bc_lk_signal_request_pack (request);
  soup_websocket_connection_send_binary (self->ws, g_bytes_get_data (bytes, NULL),
                                         g_bytes_get_size (bytes));
  return TRUE;
}

void
bc_lk_signal_leave (BcLkSignal *self,
                    Livekit__DisconnectReason reason,
                    Livekit__LeaveRequest__Action action)
{
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__LeaveRequest leave = LIVEKIT__LEAVE_REQUEST__INIT;

  g_return_if_fail (BC_IS_LK_SIGNAL (self));

  leave.reason = reason;
  leave.action = action;
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_LEAVE;
  request.leave = &leave;
  bc_lk_signal_send (self, &request);
  bc_lk_signal_close (self);
}

void
bc_lk_signal_close (BcLkSignal *self)
{
  g_return_if_fail (BC_IS_LK_SIGNAL (self));

  self->closing = TRUE;
  keepalive_stop (self);
  g_clear_handle_id (&self->flush_id, g_source_remove);
  g_queue_clear_full (&self->pending, (GDestroyNotify) bc_lk_signal_response_free);
  ws_drop (self, TRUE);
  if (self->connect_task != NULL)
    connect_complete (
        self, NULL,
        g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "The connection was closed"));
}
