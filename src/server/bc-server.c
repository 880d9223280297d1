/* bc-server.c: HTTP plumbing of the API (routing, errors, auth, shutdown)
 *
 * One SoupServer serves the JSON API under /api, /healthz, the realtime
 * WebSocket and, when no external LiveKit is configured, the built-in SFU
 * (which adds its own handlers). Requests are handled on the main loop;
 * only password hashing leaves it (bc-password.c).
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-server-private.h"
#include "bc-core-error.h"
#include "bc-json.h"
#include "bc-password.h"

#include <string.h>

#define SHUTDOWN_GRACE_S 10
#define CLEANUP_BATCH    200
#define LISTEN_BACKLOG   4096

G_DEFINE_FINAL_TYPE (BcServer, bc_server, G_TYPE_OBJECT)

/* ---- time and JSON ---- */

gint64
bc_now_ms (void)
{
  return g_get_real_time () / 1000;
}

char *
bc_format_time (gint64 ms)
{
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (ms / 1000);

  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", g_date_time_get_year (dt),
                          g_date_time_get_month (dt), g_date_time_get_day_of_month (dt),
                          g_date_time_get_hour (dt), g_date_time_get_minute (dt),
                          g_date_time_get_second (dt), (int) (ms % 1000));
}

static void
set_time (JsonObject *object, const char *member, gint64 ms)
{
  g_autofree char *text = NULL;

  if (ms <= 0)
    {
      json_object_set_null_member (object, member);
      return;
    }
  text = bc_format_time (ms);
  json_object_set_string_member (object, member, text);
}

static void
set_nullable_string (JsonObject *object, const char *member, const char *value)
{
  if (value == NULL)
    json_object_set_null_member (object, member);
  else
    json_object_set_string_member (object, member, value);
}

static JsonObject *
json_person (const char *id, const char *display_name)
{
  JsonObject *person = json_object_new ();

  json_object_set_string_member (person, "id", id);
  json_object_set_string_member (person, "display_name", display_name);
  return person;
}

JsonObject *
bc_json_me (BcUser *user)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", user->id);
  json_object_set_string_member (object, "email", user->email);
  json_object_set_string_member (object, "display_name", user->display_name);
  json_object_set_int_member (object, "points", user->points);
  return object;
}

JsonObject *
bc_json_bounty (BcBounty *bounty)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", bounty->id);
  json_object_set_string_member (object, "title", bounty->title);
  json_object_set_string_member (object, "description", bounty->description);
  json_object_set_int_member (object, "reward_points", bounty->reward_points);
  json_object_set_string_member (object, "status", bounty->status);
  json_object_set_object_member (object, "requester",
                                 json_person (bounty->requester_id, bounty->requester_name));
  set_nullable_string (object, "session_id", bounty->session_id);
  set_time (object, "created_at", bounty->created_at);
  set_time (object, "updated_at", bounty->updated_at);
  return object;
}

JsonObject *
bc_json_event (BcStreamEvent *event)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "id", event->id);
  json_object_set_string_member (object, "session_id", event->session_id);
  json_object_set_string_member (object, "type", event->event_type);
  json_object_set_string_member (object, "source", event->source);
  set_nullable_string (object, "participant", event->participant);
  set_time (object, "created_at", event->created_at);
  return object;
}

JsonObject *
bc_json_session (BcSession *session)
{
  JsonObject *object = json_object_new ();
  JsonArray *events = json_array_new ();

  json_object_set_string_member (object, "id", session->id);
  json_object_set_string_member (object, "bounty_id", session->bounty_id);
  json_object_set_string_member (object, "title", session->title);
  json_object_set_int_member (object, "reward_points", session->reward_points);
  json_object_set_string_member (object, "room", session->room_name);
  json_object_set_string_member (object, "status", session->status);
  json_object_set_string_member (object, "stream_status", session->stream_status);
  set_nullable_string (object, "outcome", session->outcome);
  json_object_set_object_member (object, "streamer",
                                 json_person (session->streamer_id, session->streamer_name));
  json_object_set_object_member (object, "requester",
                                 json_person (session->requester_id, session->requester_name));
  set_time (object, "created_at", session->created_at);
  set_time (object, "last_activity_at", session->last_activity_at);
  set_time (object, "ended_at", session->ended_at);
  if (session->events != NULL)
    for (guint i = 0; i < session->events->len; i++)
      json_array_add_object_element (events,
                                     bc_json_event (g_ptr_array_index (session->events, i)));
  json_object_set_array_member (object, "events", events);
  return object;
}

/* ---- requests and replies ---- */

static void
on_message_finished (SoupServerMessage *msg, BcRequest *req)
{
  req->finished = TRUE;
}

BcRequest *
bc_request_new (BcServer *server, SoupServerMessage *msg)
{
  BcRequest *req = g_new0 (BcRequest, 1);

  req->server = g_object_ref (server);
  req->msg = g_object_ref (msg);
  return req;
}

void
bc_request_free (BcRequest *req)
{
  if (req == NULL)
    return;
  g_clear_signal_handler (&req->finished_handler, req->msg);
  g_clear_object (&req->msg);
  g_clear_object (&req->server);
  g_clear_pointer (&req->body, json_object_unref);
  g_free (req->user_id);
  g_free (req->login_id);
  g_free (req->param);
  g_free (req);
}

void
bc_request_suspend (BcRequest *req)
{
  req->finished_handler =
      g_signal_connect (req->msg, "finished", G_CALLBACK (on_message_finished), req);
  soup_server_message_pause (req->msg);
}

void
bc_request_resume (BcRequest *req)
{
  if (!req->finished)
    soup_server_message_unpause (req->msg);
  bc_request_free (req);
}

void
bc_reply_json (BcRequest *req, guint status, JsonNode *node)
{
  char *text = bc_json_node_to_string (node);

  if (req->server->shutting_down)
    soup_message_headers_replace (soup_server_message_get_response_headers (req->msg), "Connection",
                                  "close");
  soup_server_message_set_status (req->msg, status, NULL);
  soup_server_message_set_response (req->msg, "application/json", SOUP_MEMORY_TAKE, text,
                                    strlen (text));
}

void
bc_reply_object (BcRequest *req, guint status, JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  bc_reply_json (req, status, node);
}

static void
reply_error_msg (
    BcServer *server, SoupServerMessage *msg, guint status, const char *code, const char *message)
{
  g_autoptr (BcRequest) req = bc_request_new (server, msg);

  bc_reply_error (req, status, code, message);
}

void
bc_reply_error (BcRequest *req, guint status, const char *code, const char *message)
{
  g_autoptr (JsonObject) root = json_object_new ();
  JsonObject *error = json_object_new ();

  json_object_set_string_member (error, "code", code);
  json_object_set_string_member (error, "message", message);
  json_object_set_object_member (root, "error", error);
  bc_reply_object (req, status, root);
}

void
bc_reply_gerror (BcRequest *req, const GError *error)
{
  if (error->domain == BC_STORE_ERROR)
    {
      switch ((BcStoreError) error->code)
        {
        case BC_STORE_ERROR_NOT_FOUND:
          bc_reply_error (req, SOUP_STATUS_NOT_FOUND, "not_found", error->message);
          return;
        case BC_STORE_ERROR_EXISTS:
          bc_reply_error (req, SOUP_STATUS_CONFLICT, "already_exists", error->message);
          return;
        case BC_STORE_ERROR_CONFLICT:
        case BC_STORE_ERROR_DUPLICATE:
          bc_reply_error (req, SOUP_STATUS_CONFLICT, "conflict", error->message);
          return;
        case BC_STORE_ERROR_INSUFFICIENT_POINTS:
          bc_reply_error (req, SOUP_STATUS_CONFLICT, "insufficient_points", error->message);
          return;
        case BC_STORE_ERROR_TOKEN_INVALID:
          bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_refresh_token", error->message);
          return;
        case BC_STORE_ERROR_TOKEN_REUSED:
          bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "refresh_token_reused", error->message);
          return;
        case BC_STORE_ERROR_FAILED:
        default:
          break;
        }
    }
  else if (error->domain == BC_CORE_ERROR)
    {
      if (error->code == BC_CORE_ERROR_INVALID_FIELD || error->code == BC_CORE_ERROR_INVALID_JSON)
        {
          bc_reply_error (req, SOUP_STATUS_BAD_REQUEST,
                          error->code == BC_CORE_ERROR_INVALID_FIELD ? "invalid_field"
                                                                     : "invalid_json",
                          error->message);
          return;
        }
      bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_token", error->message);
      return;
    }
  /* Store messages carry no secrets, but the client does not need them. */
  g_message ("Internal error on %s %s: %s", soup_server_message_get_method (req->msg),
             g_uri_get_path (soup_server_message_get_uri (req->msg)), error->message);
  bc_reply_error (req, SOUP_STATUS_INTERNAL_SERVER_ERROR, "internal_error",
                  "Something went wrong on the server; try again");
}

gboolean
bc_request_parse_body (BcRequest *req)
{
  g_autoptr (GBytes) bytes =
      soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  g_autoptr (GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len > req->server->config->max_body_bytes)
    {
      bc_reply_error (req, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                      "The request body is too large");
      return FALSE;
    }
  req->body = bc_json_parse_object (data, len, &error);
  if (req->body == NULL)
    {
      bc_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_json", error->message);
      return FALSE;
    }
  return TRUE;
}

const char *
bc_request_bearer (BcRequest *req)
{
  const char *header = soup_message_headers_get_one (
      soup_server_message_get_request_headers (req->msg), "Authorization");

  if (header == NULL || g_ascii_strncasecmp (header, "Bearer ", 7) != 0)
    return NULL;
  header += 7;
  while (*header == ' ')
    header++;
  return *header ? header : NULL;
}

/* A login known to be active is not asked about again for a moment: the
 * store lookup costs a read transaction (file locks included) per request.
 * Revocations by this process clear the entry at once; those by another
 * server process sharing the database take effect within this time. */
#define LOGIN_CACHE_US (2 * G_USEC_PER_SEC)

static gboolean
login_is_active (BcServer *self, const char *login_id)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *until = g_hash_table_lookup (self->active_logins, login_id);

  if (until != NULL && *until > now)
    return TRUE;
  if (!bc_store_login_is_active (self->store, login_id, NULL))
    {
      g_hash_table_remove (self->active_logins, login_id);
      return FALSE;
    }
  if (g_hash_table_size (self->active_logins) > 100000)
    g_hash_table_remove_all (self->active_logins);
  until = g_new (gint64, 1);
  *until = now + LOGIN_CACHE_US;
  g_hash_table_replace (self->active_logins, g_strdup (login_id), until);
  return TRUE;
}

void
bc_server_forget_login (BcServer *self, const char *login_id)
{
  if (login_id == NULL)
    g_hash_table_remove_all (self->active_logins);
  else
    g_hash_table_remove (self->active_logins, login_id);
}

/* Access tokens already checked: the signature and claims of a given token
 * never change, so only its expiry is looked at again. */
typedef struct
{
  char *user_id;
  char *login_id;
  gint64 expires_at;
} VerifiedToken;

#define MAX_VERIFIED_TOKENS 50000

static void
verified_token_free (gpointer data)
{
  VerifiedToken *v = data;

  g_free (v->user_id);
  g_free (v->login_id);
  g_free (v);
}

static gboolean
verify_access_token (BcServer *self, const char *token, BcRequest *req, GError **error)
{
  gint64 now_s = bc_now_ms () / 1000;
  VerifiedToken *v = g_hash_table_lookup (self->verified_tokens, token);

  if (v != NULL && now_s <= v->expires_at)
    {
      req->user_id = g_strdup (v->user_id);
      req->login_id = g_strdup (v->login_id);
      return TRUE;
    }
  if (v != NULL)
    g_hash_table_remove (self->verified_tokens, token);
  v = g_new0 (VerifiedToken, 1);
  if (!bc_access_token_verify (self->config->jwt_secret, token, now_s, &v->user_id, &v->login_id,
                               &v->expires_at, error))
    {
      verified_token_free (v);
      return FALSE;
    }
  if (g_hash_table_size (self->verified_tokens) >= MAX_VERIFIED_TOKENS)
    g_hash_table_remove_all (self->verified_tokens);
  req->user_id = g_strdup (v->user_id);
  req->login_id = g_strdup (v->login_id);
  g_hash_table_replace (self->verified_tokens, g_strdup (token), v);
  return TRUE;
}

static gboolean
authenticate_token (BcRequest *req, const char *token)
{
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;

  if (token == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                      "Sign in first: this needs an access token");
      return FALSE;
    }
  if (!verify_access_token (self, token, req, &error))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer error=\"invalid_token\"");
      bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED,
                      g_error_matches (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_EXPIRED)
                          ? "token_expired"
                          : "invalid_token",
                      error->message);
      return FALSE;
    }
  /* The login may have been signed out (or revoked by a reused refresh token). */
  if (!login_is_active (self, req->login_id))
    {
      bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_token",
                      "This login has been signed out");
      return FALSE;
    }
  return TRUE;
}

gboolean
bc_request_authenticate (BcRequest *req)
{
  return authenticate_token (req, bc_request_bearer (req));
}

/* ---- routing ---- */

typedef void (*RouteFunc) (BcRequest *req);

typedef struct
{
  const char *method;
  const char *pattern; /* under /api/; "*" matches one path segment (the id) */
  RouteFunc func;
} Route;

static const Route routes[] = {
  { "POST", "auth/signup", bc_route_signup },
  { "POST", "auth/login", bc_route_login },
  { "POST", "auth/refresh", bc_route_refresh },
  { "POST", "auth/logout", bc_route_logout },
  { "GET", "me", bc_route_me },
  { "GET", "bounties", bc_route_list_bounties },
  { "POST", "bounties", bc_route_create_bounty },
  { "GET", "bounties/*", bc_route_get_bounty },
  { "POST", "bounties/*/cancel", bc_route_cancel_bounty },
  { "POST", "bounties/*/accept", bc_route_accept_bounty },
  { "GET", "sessions", bc_route_list_sessions },
  { "GET", "sessions/*", bc_route_get_session },
  { "POST", "sessions/*/events", bc_route_session_event },
  { "POST", "sessions/*/approve", bc_route_approve },
  { "POST", "sessions/*/reject", bc_route_reject },
  { "POST", "livekit/token", bc_route_livekit_token },
  { "POST", "livekit/webhook", bc_route_livekit_webhook },
  { "POST", "cleanup", bc_route_cleanup },
};

/* Matches @path (below /api/) against @pattern, returning the "*" segment.
 * Runs for every route on every request, so it does not allocate unless it
 * matches. */
static gboolean
match (const char *pattern, const char *path, char **param)
{
  const char *star_at = NULL;
  gsize star_len = 0;

  while (*pattern != '\0')
    {
      if (*pattern == '*')
        {
          const char *end = strchr (path, '/');
          gsize len = end ? (gsize) (end - path) : strlen (path);

          if (len == 0 || len > 64)
            return FALSE;
          star_at = path;
          star_len = len;
          path += len;
          pattern++;
          continue;
        }
      if (*pattern != *path)
        return FALSE;
      pattern++;
      path++;
    }
  if (*path != '\0')
    return FALSE;
  if (param != NULL && star_at != NULL)
    {
      g_free (*param);
      *param = g_strndup (star_at, star_len);
    }
  return TRUE;
}

static void
api_handler (SoupServer *soup,
             SoupServerMessage *msg,
             const char *path,
             GHashTable *query,
             gpointer user_data)
{
  BcServer *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  const char *sub = path + strlen ("/api");
  g_autoptr (GString) allow = NULL;
  g_autofree char *trimmed = NULL;

  if (self->shutting_down)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After",
                                    "1");
      reply_error_msg (self, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                       "The server is restarting; try again in a moment");
      return;
    }
  if (*sub == '/')
    sub++;
  trimmed = g_strdup (sub);
  if (*trimmed && trimmed[strlen (trimmed) - 1] == '/')
    trimmed[strlen (trimmed) - 1] = '\0';

  for (gsize i = 0; i < G_N_ELEMENTS (routes); i++)
    {
      char *param = NULL;

      if (!match (routes[i].pattern, trimmed, &param))
        continue;
      if (g_str_equal (routes[i].method, method))
        {
          BcRequest *req = bc_request_new (self, msg);

          req->param = param;
          /* Handlers that suspend keep @req; the others are done with it. */
          routes[i].func (req);
          return;
        }
      g_free (param);
      if (allow == NULL)
        allow = g_string_new (routes[i].method);
      else if (strstr (allow->str, routes[i].method) == NULL)
        g_string_append_printf (allow, ", %s", routes[i].method);
    }

  if (allow != NULL)
    {
      g_autofree char *message = g_strdup_printf ("Use %s on this path", allow->str);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    allow->str);
      reply_error_msg (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed", message);
      return;
    }
  reply_error_msg (self, msg, SOUP_STATUS_NOT_FOUND, "not_found", "There is no such API path");
}

/* Refuses oversized bodies from the headers alone, on every path (the SFU's
 * too). libsoup (3.2) goes on reading a body after an early answer and keeps
 * it in memory, so a refused one is read into nothing: without that, a
 * large POST to any path was held whole in memory. */
static void
on_got_headers (SoupServerMessage *msg, BcServer *self)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);
  gboolean too_large =
      encoding == SOUP_ENCODING_CONTENT_LENGTH &&
      soup_message_headers_get_content_length (headers) > (goffset) self->config->max_body_bytes;
  gboolean no_length = encoding == SOUP_ENCODING_CHUNKED || encoding == SOUP_ENCODING_EOF;

  if (soup_server_message_get_status (msg) != 0 || (!too_large && !no_length))
    return;
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection",
                                "close");
  if (too_large)
    reply_error_msg (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "body_too_large",
                     "The request body is too large");
  else
    reply_error_msg (self, msg, SOUP_STATUS_LENGTH_REQUIRED, "length_required",
                     "Send the body with a Content-Length");
}

/* A request has request_timeout_s from its first byte to arrive whole,
 * headers and body: libsoup (3.2) waits for ever, so a client trickling a
 * request in (slowloris) held a connection and its descriptor for as long
 * as it liked. Shut down, not closed: libsoup still owns the descriptor and
 * ends the connection itself when it reads the end of the stream. */
static gboolean
on_request_timeout (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  GSocket *socket = soup_server_message_get_socket (msg);

  g_object_steal_data (G_OBJECT (msg), "bc-request-timeout");
  g_debug ("Closing a connection whose request did not arrive in time");
  if (socket != NULL)
    g_socket_shutdown (socket, TRUE, TRUE, NULL);
  return G_SOURCE_REMOVE;
}

static void
remove_source (gpointer id)
{
  g_source_remove (GPOINTER_TO_UINT (id));
}

static void
on_request_started (SoupServer *soup, SoupServerMessage *msg, BcServer *self)
{
  guint id = g_timeout_add_seconds (self->config->request_timeout_s, on_request_timeout, msg);

  /* The timer goes with the message if the client leaves first. */
  g_object_set_data_full (G_OBJECT (msg), "bc-request-timeout", GUINT_TO_POINTER (id),
                          remove_source);
  /* Runs after libsoup's own got-headers handling, which it connects first. */
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (on_got_headers), self, 0);
}

static void
fallback_handler (SoupServer *soup,
                  SoupServerMessage *msg,
                  const char *path,
                  GHashTable *query,
                  gpointer user_data)
{
  reply_error_msg (user_data, msg, SOUP_STATUS_NOT_FOUND, "not_found", "There is nothing here");
}

static void
healthz_handler (SoupServer *soup,
                 SoupServerMessage *msg,
                 const char *path,
                 GHashTable *query,
                 gpointer user_data)
{
  BcServer *self = user_data;
  g_autoptr (BcRequest) req = bc_request_new (self, msg);
  g_autoptr (JsonObject) root = json_object_new ();
  const char *method = soup_server_message_get_method (msg);

  if (!g_str_equal (method, "GET") && !g_str_equal (method, "HEAD"))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow", "GET");
      bc_reply_error (req, SOUP_STATUS_METHOD_NOT_ALLOWED, "method_not_allowed",
                      "Use GET on this path");
      return;
    }
  json_object_set_string_member (root, "status", self->shutting_down ? "stopping" : "ok");
  json_object_set_string_member (root, "version", PACKAGE_VERSION);
  bc_reply_object (req, self->shutting_down ? SOUP_STATUS_SERVICE_UNAVAILABLE : SOUP_STATUS_OK,
                   root);
}

/* The plain-HTTP half of /api/realtime: authenticates before the upgrade. */
static void
realtime_handler (SoupServer *soup,
                  SoupServerMessage *msg,
                  const char *path,
                  GHashTable *query,
                  gpointer user_data)
{
  BcServer *self = user_data;
  g_autoptr (BcRequest) req = bc_request_new (self, msg);
  const char *token = bc_request_bearer (req);

  if (self->shutting_down)
    {
      bc_reply_error (req, SOUP_STATUS_SERVICE_UNAVAILABLE, "shutting_down",
                      "The server is restarting; try again in a moment");
      return;
    }
  if (token == NULL && query != NULL)
    token = g_hash_table_lookup (query, "access_token");
  if (!authenticate_token (req, token))
    return;
  if (!soup_websocket_server_check_handshake (msg, NULL, NULL, NULL, NULL))
    {
      bc_reply_error (req, SOUP_STATUS_BAD_REQUEST, "websocket_required",
                      "Open this path as a WebSocket (GET with Upgrade: websocket)");
      return;
    }
  g_object_set_data_full (G_OBJECT (msg), "bc-user-id", g_steal_pointer (&req->user_id), g_free);
  g_object_set_data_full (G_OBJECT (msg), "bc-login-id", g_steal_pointer (&req->login_id), g_free);
}

static void
realtime_connected (SoupServer *soup,
                    SoupServerMessage *msg,
                    const char *path,
                    SoupWebsocketConnection *conn,
                    gpointer user_data)
{
  BcServer *self = user_data;
  const char *user_id = g_object_get_data (G_OBJECT (msg), "bc-user-id");

  if (user_id == NULL)
    {
      soup_websocket_connection_close (conn, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }
  bc_realtime_add (self->realtime, user_id, g_object_get_data (G_OBJECT (msg), "bc-login-id"),
                   conn);
}

/* ---- in-flight requests, for graceful shutdown ---- */

static void maybe_finish_shutdown (BcServer *self);

static gboolean
shutdown_idle (gpointer user_data)
{
  maybe_finish_shutdown (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_request_read (SoupServer *soup, SoupServerMessage *msg, BcServer *self)
{
  g_object_set_data (G_OBJECT (msg), "bc-request-timeout", NULL);
  /* A WebSocket upgrade never gets request-finished (libsoup steals the
   * connection), so it would hold shutdown for the whole grace period. */
  if (soup_message_headers_header_contains (soup_server_message_get_request_headers (msg),
                                            "Upgrade", "websocket"))
    return;
  g_object_set_data (G_OBJECT (msg), "bc-counted", GINT_TO_POINTER (1));
  self->in_flight++;
  self->last_read_us = g_get_monotonic_time ();
}

static void
on_request_done (SoupServer *soup, SoupServerMessage *msg, BcServer *self)
{
  if (g_object_get_data (G_OBJECT (msg), "bc-counted") == NULL)
    return;
  g_object_set_data (G_OBJECT (msg), "bc-counted", NULL);
  self->in_flight--;
  /* Not from inside libsoup's own completion of this message. */
  if (self->shutting_down && self->in_flight == 0)
    g_idle_add_full (G_PRIORITY_DEFAULT, shutdown_idle, g_object_ref (self), g_object_unref);
}

/* ---- notifications ---- */

static JsonObject *
message_new (const char *type)
{
  JsonObject *message = json_object_new ();

  json_object_set_string_member (message, "type", type);
  return message;
}

void
bc_server_notify_bounty (BcServer *self, const char *type, BcBounty *bounty)
{
  g_autoptr (JsonObject) message = message_new (type);

  JsonObject *object = bc_json_bounty (bounty);

  /* Open bounties are visible to everyone, and a change of one (accepted,
   * cancelled) takes it off everyone's list. Which session took it is only
   * the two people's business (they get session.updated). */
  json_object_set_null_member (object, "session_id");
  json_object_set_object_member (message, "bounty", object);
  bc_realtime_broadcast (self->realtime, message);
}

void
bc_server_notify_session (BcServer *self, BcSession *session)
{
  g_autoptr (JsonObject) message = message_new ("session.updated");

  json_object_set_object_member (message, "session", bc_json_session (session));
  bc_realtime_send (self->realtime, session->streamer_id, message);
  bc_realtime_send (self->realtime, session->requester_id, message);
}

void
bc_server_notify_event (BcServer *self, BcSession *session, BcStreamEvent *event)
{
  g_autoptr (JsonObject) message = message_new ("session.event");

  json_object_set_string_member (message, "session_id", session->id);
  json_object_set_string_member (message, "status", session->status);
  json_object_set_string_member (message, "stream_status", session->stream_status);
  json_object_set_object_member (message, "event", bc_json_event (event));
  bc_realtime_send (self->realtime, session->streamer_id, message);
  bc_realtime_send (self->realtime, session->requester_id, message);
  /* Clients that only follow whole sessions see the new status too. */
  if (session->events != NULL)
    bc_server_notify_session (self, session);
}

void
bc_server_notify_balance (BcServer *self, const char *user_id)
{
  g_autoptr (BcUser) user = bc_store_get_user (self->store, user_id, NULL, NULL);
  g_autoptr (JsonObject) message = NULL;

  if (user == NULL)
    return;
  message = message_new ("balance.updated");
  json_object_set_int_member (message, "points", user->points);
  bc_realtime_send (self->realtime, user_id, message);
}

BcSession *
bc_server_settle (BcServer *self, const char *session_id, BcSettleOutcome outcome, GError **error)
{
  g_autoptr (BcSession) session = NULL;
  g_autoptr (BcBounty) bounty = NULL;

  session = bc_store_settle_session (self->store, session_id, outcome, bc_now_ms (), error);
  if (session == NULL)
    return NULL;
  bc_room_service_kick (self->room_service);

  if (session->events != NULL && session->events->len > 0)
    bc_server_notify_event (self, session,
                            g_ptr_array_index (session->events, session->events->len - 1));
  else
    bc_server_notify_session (self, session);
  bc_server_notify_balance (self, outcome == BC_SETTLE_APPROVED ? session->streamer_id
                                                                : session->requester_id);
  bounty = bc_store_get_bounty (self->store, session->bounty_id, NULL);
  if (bounty != NULL)
    bc_server_notify_bounty (self, "bounty.updated", bounty);
  return g_steal_pointer (&session);
}

guint
bc_server_run_cleanup (BcServer *self)
{
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GError) error = NULL;
  gint64 idle_before = bc_now_ms () - self->config->session_timeout_s * 1000;
  guint n = 0;

  ids = bc_store_list_idle_sessions (self->store, idle_before, CLEANUP_BATCH, &error);
  if (ids == NULL)
    {
      g_message ("Cleanup could not list idle sessions: %s", error->message);
      return 0;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (BcSession) session = NULL;
      g_autoptr (GError) settle_error = NULL;

      /* A session that became active or ended since the listing is left alone:
       * settle refuses an ended one, and we re-check the activity here. */
      session = bc_store_get_session (self->store, g_ptr_array_index (ids, i), FALSE, NULL);
      if (session == NULL || !bc_session_is_active (session) ||
          session->last_activity_at >= idle_before)
        continue;
      g_clear_pointer (&session, bc_session_free);
      session =
          bc_server_settle (self, g_ptr_array_index (ids, i), BC_SETTLE_TIMED_OUT, &settle_error);
      if (session != NULL)
        {
          n++;
          g_info ("Session %s timed out", session->id);
        }
    }
  return n;
}

/* LiveKit retries a webhook for minutes, not days. */
#define WEBHOOK_MEMORY_MS (7 * 24 * 60 * 60 * (gint64) 1000)

static gboolean
on_cleanup_timer (gpointer user_data)
{
  BcServer *self = user_data;
  g_autoptr (GError) error = NULL;

  bc_server_run_cleanup (self);
  if (!bc_store_prune (self->store, bc_now_ms () - WEBHOOK_MEMORY_MS, &error))
    g_message ("Pruning old webhook ids and refresh tokens failed: %s", error->message);
  return G_SOURCE_CONTINUE;
}

/* ---- lifecycle ---- */

static void
bc_server_dispose (GObject *object)
{
  BcServer *self = BC_SERVER (object);

  g_clear_handle_id (&self->cleanup_id, g_source_remove);
  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_clear_handle_id (&self->quiet_id, g_source_remove);
  if (self->room_service)
    bc_room_service_stop (self->room_service);
  g_clear_object (&self->room_service);
  if (self->soup)
    {
      g_signal_handlers_disconnect_by_data (self->soup, self);
      soup_server_disconnect (self->soup);
    }
  g_clear_object (&self->soup);
  g_clear_object (&self->realtime);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (bc_server_parent_class)->dispose (object);
}

static void
bc_server_finalize (GObject *object)
{
  BcServer *self = BC_SERVER (object);

  g_clear_pointer (&self->config, bc_config_free);
  g_clear_pointer (&self->login_failures, g_hash_table_unref);
  g_clear_pointer (&self->active_logins, g_hash_table_unref);
  g_clear_pointer (&self->verified_tokens, g_hash_table_unref);
  g_free (self->base_url);
  g_free (self->livekit_url);
  g_free (self->webhook_url);
  G_OBJECT_CLASS (bc_server_parent_class)->finalize (object);
}

static void
bc_server_class_init (BcServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_server_dispose;
  object_class->finalize = bc_server_finalize;
}

static void
bc_server_init (BcServer *self)
{
  self->login_failures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->active_logins = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->verified_tokens =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, verified_token_free);
  self->realtime = bc_realtime_new ();
}

BcServer *
bc_server_new (BcConfig *config, BcStore *store)
{
  BcServer *self = g_object_new (BC_TYPE_SERVER, NULL);

  self->config = config;
  self->store = g_object_ref (store);
  self->soup = soup_server_new ("server-header", "bountycam-server/" PACKAGE_VERSION " ", NULL);

  soup_server_add_handler (self->soup, NULL, fallback_handler, self, NULL);
  soup_server_add_handler (self->soup, "/healthz", healthz_handler, self, NULL);
  soup_server_add_handler (self->soup, "/api", api_handler, self, NULL);
  soup_server_add_handler (self->soup, "/api/realtime", realtime_handler, self, NULL);
  soup_server_add_websocket_handler (self->soup, "/api/realtime", NULL, NULL, realtime_connected,
                                     self, NULL);
  g_signal_connect (self->soup, "request-started", G_CALLBACK (on_request_started), self);
  g_signal_connect (self->soup, "request-read", G_CALLBACK (on_request_read), self);
  g_signal_connect (self->soup, "request-finished", G_CALLBACK (on_request_done), self);
  g_signal_connect (self->soup, "request-aborted", G_CALLBACK (on_request_done), self);
  return self;
}

static char *
host_for_url (const char *host)
{
  if (g_strcmp0 (host, "0.0.0.0") == 0 || g_strcmp0 (host, "") == 0)
    return g_strdup ("127.0.0.1");
  if (g_strcmp0 (host, "::") == 0)
    return g_strdup ("[::1]");
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("[%s]", host);
  return g_strdup (host);
}

gboolean
bc_server_listen (BcServer *self, GError **error)
{
  g_autoptr (GInetAddress) addr = NULL;
  g_autoptr (GSocketAddress) sockaddr = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autofree char *host = NULL;
  GSList *uris;
  guint port = self->config->listen_port;

  if (g_strcmp0 (self->config->listen_host, "localhost") == 0)
    addr = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    addr = g_inet_address_new_from_string (self->config->listen_host);
  if (addr == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "Cannot listen on “%s”: give an IP address", self->config->listen_host);
      return FALSE;
    }
  sockaddr = g_inet_socket_address_new (addr, port);
  /* Our own socket: libsoup would listen with GLib's default backlog of 10,
   * and a burst of connections (every client reconnecting after a restart)
   * would then see SYNs dropped and retried for seconds. */
  socket = g_socket_new (g_socket_address_get_family (sockaddr), G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket != NULL)
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (socket == NULL || !g_socket_bind (socket, sockaddr, TRUE, error) ||
      !g_socket_listen (socket, error) || !soup_server_listen_socket (self->soup, socket, 0, error))
    {
      g_prefix_error (error, "Cannot listen on %s:%u: ", self->config->listen_host, port);
      return FALSE;
    }
  uris = soup_server_get_uris (self->soup);
  if (uris != NULL)
    port = g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  host = host_for_url (self->config->listen_host);
  self->base_url = g_strdup_printf ("http://%s:%u", host, port);
  self->webhook_url = g_strdup_printf ("%s/api/livekit/webhook", self->base_url);
  if (self->config->livekit_url != NULL)
    self->livekit_url = g_strdup (self->config->livekit_url);
  else
    {
      const char *public_url = self->config->public_url ? self->config->public_url : self->base_url;

      if (g_str_has_prefix (public_url, "https://"))
        self->livekit_url = g_strconcat ("wss://", public_url + 8, NULL);
      else if (g_str_has_prefix (public_url, "http://"))
        self->livekit_url = g_strconcat ("ws://", public_url + 7, NULL);
      else
        self->livekit_url = g_strdup (public_url);
    }

  /* RoomService calls to the built-in SFU go over loopback to ourselves. */
  self->room_service = bc_room_service_new (
      self->store, self->config->livekit_url ? self->config->livekit_url : self->base_url,
      self->config->livekit_api_key, self->config->livekit_api_secret);
  bc_room_service_kick (self->room_service);
  self->cleanup_id =
      g_timeout_add_seconds (self->config->cleanup_interval_s, on_cleanup_timer, self);
  return TRUE;
}

SoupServer *
bc_server_get_soup_server (BcServer *self)
{
  return self->soup;
}

const BcConfig *
bc_server_get_config (BcServer *self)
{
  return self->config;
}

BcStore *
bc_server_get_store (BcServer *self)
{
  return self->store;
}

const char *
bc_server_get_base_url (BcServer *self)
{
  return self->base_url;
}

gboolean
bc_server_uses_builtin_sfu (BcServer *self)
{
  return self->config->livekit_url == NULL;
}

const char *
bc_server_get_livekit_url (BcServer *self)
{
  return self->livekit_url;
}

const char *
bc_server_get_livekit_api_key (BcServer *self)
{
  return self->config->livekit_api_key;
}

const char *
bc_server_get_livekit_api_secret (BcServer *self)
{
  return self->config->livekit_api_secret;
}

const char *
bc_server_get_webhook_url (BcServer *self)
{
  return self->webhook_url;
}

/* Requests already sent on open connections when the signal came are still
 * read and answered: stop only once no request was read for this long. */
#define QUIET_MS 150

static gboolean
on_quiet (gpointer user_data)
{
  BcServer *self = user_data;

  self->quiet_id = 0;
  maybe_finish_shutdown (self);
  return G_SOURCE_REMOVE;
}

static void
maybe_finish_shutdown (BcServer *self)
{
  g_autoptr (GTask) task = NULL;
  gint64 quiet_for_ms = (g_get_monotonic_time () - self->last_read_us) / 1000;

  if (self->shutdown_task == NULL || self->in_flight > 0)
    return;
  if (quiet_for_ms < QUIET_MS && self->shutdown_timeout_id != 0)
    {
      if (self->quiet_id == 0)
        self->quiet_id = g_timeout_add (QUIET_MS - quiet_for_ms + 1, on_quiet, self);
      return;
    }
  task = g_steal_pointer (&self->shutdown_task);
  g_clear_handle_id (&self->shutdown_timeout_id, g_source_remove);
  g_clear_handle_id (&self->quiet_id, g_source_remove);
  /* Closing the listeners also closes idle keep-alive connections. */
  soup_server_disconnect (self->soup);
  g_task_return_boolean (task, TRUE);
}

static gboolean
on_shutdown_timeout (gpointer user_data)
{
  BcServer *self = user_data;

  self->shutdown_timeout_id = 0;
  g_message ("%u requests still running after %d s; stopping anyway", self->in_flight,
             SHUTDOWN_GRACE_S);
  self->in_flight = 0;
  self->last_read_us = 0;
  maybe_finish_shutdown (self);
  return G_SOURCE_REMOVE;
}

void
bc_server_shutdown_async (BcServer *self,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, bc_server_shutdown_async);
  if (self->shutdown_task != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->shutting_down = TRUE;
  self->last_read_us = g_get_monotonic_time ();
  g_clear_handle_id (&self->cleanup_id, g_source_remove);
  if (self->room_service)
    bc_room_service_stop (self->room_service);
  bc_realtime_close_all (self->realtime);
  self->shutdown_task = g_steal_pointer (&task);
  self->shutdown_timeout_id = g_timeout_add_seconds (SHUTDOWN_GRACE_S, on_shutdown_timeout, self);
  maybe_finish_shutdown (self);
}

gboolean
bc_server_shutdown_finish (BcServer *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
