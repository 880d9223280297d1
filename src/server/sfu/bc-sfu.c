/* bc-sfu.c
 *
 * The SFU's HTTP face on the backend's SoupServer, as livekit-server has it
 * (pkg/service/rtcservice.go, roomservice.go):
 *   /rtc               WebSocket signalling (the dual peer connection "v0" path)
 *   /rtc/validate      200 "success", or the status and reason a join would get
 *   /rtc/v1[/validate] 404 with CORS, so clients that try the single peer
 *                      connection path first fall back to /rtc
 *   /twirp/livekit.RoomService/{ListRooms,DeleteRoom,ListParticipants,
 *                               RemoveParticipant}   Twirp JSON, admin tokens
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu.h"
#include "bc-sfu-auth.h"
#include "bc-sfu-error.h"
#include "bc-sfu-participant.h"
#include "bc-sfu-room.h"
#include "bc-sfu-webhook.h"

#include "bc-json.h"

#include <gst/gst.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#define DEFAULT_DEPARTURE_TIMEOUT 20
#define MAX_TWIRP_BODY            (64 * 1024)

struct _BcSfu
{
  GObject parent_instance;

  char *api_key;
  char *api_secret;
  BcSfuWebhook *webhook;
  GStrv ice_addresses;
  guint departure_timeout;
  GHashTable *rooms; /* name → BcSfuRoom */
  gboolean closing;
};

G_DEFINE_FINAL_TYPE (BcSfu, bc_sfu, G_TYPE_OBJECT)

static void
bc_sfu_dispose (GObject *object)
{
  BcSfu *self = BC_SFU (object);

  if (self->rooms != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->rooms);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_signal_handlers_disconnect_by_data (value, self);
      g_clear_pointer (&self->rooms, g_hash_table_unref);
    }
  if (self->webhook != NULL)
    bc_sfu_webhook_close (self->webhook);
  g_clear_object (&self->webhook);

  G_OBJECT_CLASS (bc_sfu_parent_class)->dispose (object);
}

static void
bc_sfu_finalize (GObject *object)
{
  BcSfu *self = BC_SFU (object);

  g_free (self->api_key);
  g_free (self->api_secret);
  g_strfreev (self->ice_addresses);

  G_OBJECT_CLASS (bc_sfu_parent_class)->finalize (object);
}

static void
bc_sfu_class_init (BcSfuClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_dispose;
  object_class->finalize = bc_sfu_finalize;
}

static void
bc_sfu_init (BcSfu *self)
{
  const char *loopback[] = { "127.0.0.1", NULL };

  self->rooms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->ice_addresses = g_strdupv ((char **) loopback);
  self->departure_timeout = DEFAULT_DEPARTURE_TIMEOUT;
}

/**
 * bc_sfu_new:
 * @api_key: the LiveKit API key tokens must be issued by
 * @api_secret: the secret they are signed with
 * @webhook_url: (nullable): where webhooks go, e.g.
 *   http://127.0.0.1:8080/api/livekit/webhook
 */
BcSfu *
bc_sfu_new (const char *api_key, const char *api_secret, const char *webhook_url)
{
  BcSfu *self;

  g_return_val_if_fail (api_key != NULL && api_secret != NULL, NULL);

  gst_init (NULL, NULL);
  self = g_object_new (BC_TYPE_SFU, NULL);
  self->api_key = g_strdup (api_key);
  self->api_secret = g_strdup (api_secret);
  self->webhook = bc_sfu_webhook_new (webhook_url, api_key, api_secret);
  return self;
}

/**
 * bc_sfu_set_ice_addresses:
 * @addresses: (nullable): local IP addresses ICE may use; %NULL or empty for
 *   every interface. The default is 127.0.0.1 only.
 *
 * Applies to rooms created afterwards.
 */
void
bc_sfu_set_ice_addresses (BcSfu *self, const char *const *addresses)
{
  g_return_if_fail (BC_IS_SFU (self));
  g_strfreev (self->ice_addresses);
  self->ice_addresses = g_strdupv ((char **) addresses);
}

/**
 * bc_sfu_set_departure_timeout:
 *
 * How long an empty room lives on (20 s by default, as livekit-server).
 */
void
bc_sfu_set_departure_timeout (BcSfu *self, guint seconds)
{
  g_return_if_fail (BC_IS_SFU (self));
  self->departure_timeout = seconds;
}

guint
bc_sfu_get_n_rooms (BcSfu *self)
{
  g_return_val_if_fail (BC_IS_SFU (self), 0);
  return g_hash_table_size (self->rooms);
}

guint
bc_sfu_get_n_participants (BcSfu *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_return_val_if_fail (BC_IS_SFU (self), 0);
  g_hash_table_iter_init (&iter, self->rooms);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GList *list = bc_sfu_room_get_participants (value);

      n += g_list_length (list);
      g_list_free (list);
    }
  return n;
}

static void
on_room_finished (BcSfuRoom *room, gpointer data)
{
  BcSfu *self = data;

  if (g_hash_table_lookup (self->rooms, bc_sfu_room_get_name (room)) == room)
    {
      g_signal_handlers_disconnect_by_data (room, self);
      g_hash_table_remove (self->rooms, bc_sfu_room_get_name (room));
    }
}

static BcSfuRoom *
get_or_create_room (BcSfu *self, const char *name)
{
  BcSfuRoom *room = g_hash_table_lookup (self->rooms, name);

  if (room != NULL)
    return room;
  room = bc_sfu_room_new (name, self->webhook, (const char *const *) self->ice_addresses,
                          self->departure_timeout);
  g_signal_connect (room, "finished", G_CALLBACK (on_room_finished), self);
  g_hash_table_insert (self->rooms, g_strdup (name), room);
  return room;
}

/* ---- helpers ---------------------------------------------------------- */

static void
set_text (SoupServerMessage *msg, guint status, const char *text)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "text/plain; charset=utf-8", SOUP_MEMORY_COPY, text,
                                    strlen (text));
}

static void
allow_any_origin (SoupServerMessage *msg)
{
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
}

static BcSfuGrants *
authenticate (BcSfu *self, SoupServerMessage *msg, GHashTable *query, GError **error)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autofree char *token =
      bc_sfu_token_from_request (soup_message_headers_get_one (headers, "Authorization"), query);

  return bc_sfu_grants_verify (token, self->api_key, self->api_secret,
                               g_get_real_time () / G_USEC_PER_SEC, error);
}

/* livekit-server's checks for a join (rtcservice.go validateInternal). */
static BcSfuGrants *
validate_join (BcSfu *self, SoupServerMessage *msg, GHashTable *query, GError **error)
{
  g_autoptr (BcSfuGrants) grants = authenticate (self, msg, query, error);

  if (grants == NULL)
    return NULL;
  if (!grants->room_join)
    {
      g_set_error_literal (error, BC_SFU_ERROR, BC_SFU_ERROR_UNAUTHORIZED,
                           "permissions denied: the token does not allow joining a room");
      return NULL;
    }
  if (grants->room == NULL || *grants->room == '\0')
    {
      g_set_error_literal (error, BC_SFU_ERROR, BC_SFU_ERROR_BAD_REQUEST,
                           "the token names no room");
      return NULL;
    }
  if (grants->identity == NULL || *grants->identity == '\0')
    {
      g_set_error_literal (error, BC_SFU_ERROR, BC_SFU_ERROR_BAD_REQUEST,
                           "the token has no identity");
      return NULL;
    }
  return g_steal_pointer (&grants);
}

static gboolean
query_flag (GHashTable *query, const char *name, gboolean fallback)
{
  const char *value = query ? g_hash_table_lookup (query, name) : NULL;

  if (value == NULL)
    return fallback;
  return g_str_equal (value, "1") || g_ascii_strcasecmp (value, "true") == 0;
}

/* ---- /rtc ------------------------------------------------------------- */

static void
join_params_free (BcSfuJoinParams *params)
{
  g_free (params->sdk);
  g_free (params);
}

static void
rtc_handler (
    SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  BcSfu *self = data;
  g_autoptr (GError) error = NULL;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  BcSfuGrants *grants;
  BcSfuJoinParams *params;
  const char *protocol;

  if (!g_str_equal (path, "/rtc"))
    {
      set_text (msg, 404, "404 page not found");
      return;
    }
  /* Not an upgrade: livekit-server answers 404. */
  if (!soup_message_headers_header_contains (headers, "Upgrade", "websocket"))
    {
      set_text (msg, 404, "404 page not found");
      return;
    }
  if (self->closing)
    {
      set_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "server shutting down");
      return;
    }
  grants = validate_join (self, msg, query, &error);
  if (grants == NULL)
    {
      set_text (msg, bc_sfu_error_to_http_status (error), error->message);
      return;
    }
  params = g_new0 (BcSfuJoinParams, 1);
  protocol = query ? g_hash_table_lookup (query, "protocol") : NULL;
  params->protocol = protocol ? (int) g_ascii_strtoll (protocol, NULL, 10) : 0;
  params->auto_subscribe = query_flag (query, "auto_subscribe", TRUE);
  params->sdk = g_strdup (query ? g_hash_table_lookup (query, "sdk") : NULL);
  g_object_set_data_full (G_OBJECT (msg), "bc-sfu-grants", grants,
                          (GDestroyNotify) bc_sfu_grants_free);
  g_object_set_data_full (G_OBJECT (msg), "bc-sfu-params", params,
                          (GDestroyNotify) join_params_free);
  g_object_set_data (G_OBJECT (msg), "bc-sfu-reconnect",
                     GINT_TO_POINTER (query_flag (query, "reconnect", FALSE)));
  /* No status: libsoup goes on with the WebSocket handshake. */
}

static gboolean
close_later (gpointer data)
{
  SoupWebsocketConnection *connection = data;

  if (soup_websocket_connection_get_state (connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return G_SOURCE_REMOVE;
}

static void
rtc_websocket_handler (SoupServer *server,
                       SoupServerMessage *msg,
                       const char *path,
                       SoupWebsocketConnection *connection,
                       gpointer data)
{
  BcSfu *self = data;
  BcSfuGrants *grants = g_object_steal_data (G_OBJECT (msg), "bc-sfu-grants");
  BcSfuJoinParams *params = g_object_get_data (G_OBJECT (msg), "bc-sfu-params");
  BcSfuRoom *room;
  g_autoptr (BcSfuParticipant) participant = NULL;

  if (grants == NULL || params == NULL)
    {
      soup_websocket_connection_close (connection, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, NULL);
      return;
    }

  if (g_object_get_data (G_OBJECT (msg), "bc-sfu-reconnect") != NULL)
    {
      /* Sessions are not resumed: tell the client to rejoin in full, as
       * livekit-server does for a participant it no longer knows. */
      Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
      Livekit__LeaveRequest leave = LIVEKIT__LEAVE_REQUEST__INIT;
      g_autoptr (GBytes) bytes = NULL;

      leave.reason = LIVEKIT__DISCONNECT_REASON__STATE_MISMATCH;
      leave.action = LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT;
      leave.can_reconnect = TRUE;
      response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE;
      response.leave = &leave;
      bytes = bc_sfu_pack (&response.base);
      soup_websocket_connection_send_message (connection, SOUP_WEBSOCKET_DATA_BINARY, bytes);
      g_timeout_add_full (G_PRIORITY_DEFAULT, 2000, close_later, g_object_ref (connection),
                          g_object_unref);
      bc_sfu_grants_free (grants);
      return;
    }

  /* The join response, the subscriber offer and its candidates go out back
   * to back: without TCP_NODELAY each later one waits ~40 ms for the client's
   * delayed ACK (Nagle), which was a good part of the time to first frame. */
  {
    GSocket *socket = soup_server_message_get_socket (msg);

    if (socket != NULL && g_socket_get_family (socket) != G_SOCKET_FAMILY_UNIX)
      g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  }

  room = get_or_create_room (self, grants->room);
  participant =
      bc_sfu_participant_new (room, connection, grants, params, self->api_key, self->api_secret);
  bc_sfu_room_join (room, participant);
}

static void
validate_handler (
    SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  BcSfu *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSfuGrants) grants = NULL;

  allow_any_origin (msg);
  if (self->closing)
    {
      set_text (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "server shutting down");
      return;
    }
  grants = validate_join (self, msg, query, &error);
  if (grants == NULL)
    set_text (msg, bc_sfu_error_to_http_status (error), error->message);
  else
    set_text (msg, 200, "success");
}

static void
not_found_handler (
    SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  /* Clients fall back to /rtc on a 404 whose body does not say that the
   * room is missing; the CORS header lets browsers read it. */
  allow_any_origin (msg);
  set_text (msg, 404, "404 page not found");
}

/* ---- Twirp RoomService ------------------------------------------------ */

static void
twirp_error (SoupServerMessage *msg, guint status, const char *code, const char *text)
{
  g_autoptr (JsonObject) obj = json_object_new ();
  g_autofree char *body = NULL;

  json_object_set_string_member (obj, "code", code);
  json_object_set_string_member (obj, "msg", text);
  body = bc_json_object_to_string (obj);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
twirp_reply (SoupServerMessage *msg, JsonObject *obj)
{
  g_autofree char *body = bc_json_object_to_string (obj);

  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static gboolean
admin_of (BcSfuGrants *grants, const char *room)
{
  if (!grants->room_admin)
    return FALSE;
  return grants->room == NULL || *grants->room == '\0' || g_strcmp0 (grants->room, room) == 0;
}

static void
twirp_handler (
    SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query, gpointer data)
{
  BcSfu *self = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSfuGrants) grants = NULL;
  g_autoptr (JsonObject) request = NULL;
  g_autoptr (JsonObject) reply = json_object_new ();
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  const char *method = strrchr (path, '/') + 1;
  const char *room_name;
  BcSfuRoom *room;

  if (!g_str_equal (method, "ListRooms") && !g_str_equal (method, "DeleteRoom") &&
      !g_str_equal (method, "ListParticipants") && !g_str_equal (method, "RemoveParticipant"))
    {
      twirp_error (msg, 404, "bad_route", "no such RoomService method");
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), "POST"))
    {
      twirp_error (msg, 405, "bad_route", "RoomService methods are called with POST");
      return;
    }
  grants = authenticate (self, msg, NULL, &error);
  if (grants == NULL)
    {
      twirp_error (msg, 401, "unauthenticated", error->message);
      return;
    }
  if (body->length > MAX_TWIRP_BODY)
    {
      twirp_error (msg, 400, "malformed", "the request is too large");
      return;
    }
  request = bc_json_parse_object (body->length > 0 ? body->data : "{}",
                                  body->length > 0 ? (gssize) body->length : -1, &error);
  if (request == NULL)
    {
      twirp_error (msg, 400, "malformed", "the request body is not a JSON object");
      return;
    }
  room_name = bc_json_get_string (request, "room", FALSE, NULL);
  room = room_name ? g_hash_table_lookup (self->rooms, room_name) : NULL;

  if (g_str_equal (method, "ListRooms"))
    {
      JsonArray *rooms = json_array_new ();
      JsonNode *names = json_object_get_member (request, "names");
      GHashTableIter iter;
      gpointer value;

      if (!grants->room_list && !grants->room_admin)
        {
          json_array_unref (rooms);
          twirp_error (msg, 403, "permission_denied", "listing rooms needs the roomList grant");
          return;
        }
      g_hash_table_iter_init (&iter, self->rooms);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          gboolean wanted = TRUE;

          if (names != NULL && JSON_NODE_HOLDS_ARRAY (names) &&
              json_array_get_length (json_node_get_array (names)) > 0)
            {
              JsonArray *list = json_node_get_array (names);

              wanted = FALSE;
              for (guint i = 0; i < json_array_get_length (list); i++)
                if (g_strcmp0 (json_array_get_string_element (list, i),
                               bc_sfu_room_get_name (value)) == 0)
                  wanted = TRUE;
            }
          if (wanted)
            json_array_add_object_element (rooms, bc_sfu_room_to_json (value));
        }
      json_object_set_array_member (reply, "rooms", rooms);
      twirp_reply (msg, reply);
      return;
    }

  if (room_name == NULL || *room_name == '\0')
    {
      twirp_error (msg, 400, "invalid_argument", "the request names no room");
      return;
    }

  if (g_str_equal (method, "DeleteRoom"))
    {
      /* livekit-server-sdk signs DeleteRoom with roomCreate. */
      if (!grants->room_create && !admin_of (grants, room_name))
        {
          twirp_error (msg, 403, "permission_denied",
                       "deleting a room needs roomCreate or roomAdmin");
          return;
        }
      if (room != NULL)
        bc_sfu_room_close (room, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);
      twirp_reply (msg, reply);
      return;
    }

  if (!admin_of (grants, room_name))
    {
      twirp_error (msg, 403, "permission_denied", "this needs the roomAdmin grant for the room");
      return;
    }

  if (g_str_equal (method, "ListParticipants"))
    {
      JsonArray *list = json_array_new ();

      if (room != NULL)
        {
          GList *participants = bc_sfu_room_get_participants (room);

          for (GList *l = participants; l != NULL; l = l->next)
            json_array_add_object_element (list, bc_sfu_participant_to_json (l->data));
          g_list_free (participants);
        }
      json_object_set_array_member (reply, "participants", list);
      twirp_reply (msg, reply);
    }
  else if (g_str_equal (method, "RemoveParticipant"))
    {
      const char *identity = bc_json_get_string (request, "identity", FALSE, NULL);
      BcSfuParticipant *participant =
          room && identity ? bc_sfu_room_find_participant (room, identity) : NULL;

      if (participant == NULL)
        {
          twirp_error (msg, 404, "not_found", "participant not found");
          return;
        }
      bc_sfu_participant_disconnect (participant, LIVEKIT__DISCONNECT_REASON__PARTICIPANT_REMOVED,
                                     LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
      twirp_reply (msg, reply);
    }
  else
    twirp_error (msg, 404, "bad_route", "no such RoomService method");
}

/**
 * bc_sfu_attach:
 *
 * Serves the SFU's routes on @server, next to whatever else it serves.
 */
void
bc_sfu_attach (BcSfu *self, SoupServer *server)
{
  g_return_if_fail (BC_IS_SFU (self));
  g_return_if_fail (SOUP_IS_SERVER (server));

  soup_server_add_handler (server, "/rtc", rtc_handler, g_object_ref (self), g_object_unref);
  soup_server_add_websocket_handler (server, "/rtc", NULL, NULL, rtc_websocket_handler,
                                     g_object_ref (self), g_object_unref);
  soup_server_add_handler (server, "/rtc/validate", validate_handler, g_object_ref (self),
                           g_object_unref);
  soup_server_add_handler (server, "/rtc/v1", not_found_handler, NULL, NULL);
  soup_server_add_handler (server, "/twirp/livekit.RoomService", twirp_handler, g_object_ref (self),
                           g_object_unref);
}

/**
 * bc_sfu_close:
 *
 * Ends every room with a leave{SERVER_SHUTDOWN} to each participant, for a
 * graceful stop. From then on joins are refused with 503, so that clients
 * wait for the server's return instead of joining one that is going away.
 */
void
bc_sfu_close (BcSfu *self)
{
  g_autoptr (GList) rooms = NULL;

  g_return_if_fail (BC_IS_SFU (self));

  self->closing = TRUE;
  rooms = g_hash_table_get_values (self->rooms);
  for (GList *l = rooms; l != NULL; l = l->next)
    g_object_ref (l->data);
  for (GList *l = rooms; l != NULL; l = l->next)
    {
      bc_sfu_room_close (l->data, LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN);
      g_object_unref (l->data);
    }
}
