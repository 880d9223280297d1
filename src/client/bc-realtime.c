#define G_LOG_DOMAIN "bc-client"

#include "config.h"

#include <string.h>

#include "bc-realtime.h"
#include "bc-client-private.h"
#include "bc-json.h"

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000
/* A socket silent for this long (the server pings well within it) is dead. */
#define KEEPALIVE_S 20

struct _BcRealtime
{
  GObject parent_instance;

  BcApiClient *client;
  BcRealtimeState state;
  char *last_error;

  gboolean running;
  GCancellable *cancellable;
  SoupWebsocketConnection *conn;
  guint retry_source;
  guint backoff_ms;
  gboolean auth_retried;
  gboolean in_flight; /* a token request or handshake is under way */
};

G_DEFINE_FINAL_TYPE (BcRealtime, bc_realtime, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (BcRealtimeState,
                    bc_realtime_state,
                    G_DEFINE_ENUM_VALUE (BC_REALTIME_STATE_OFFLINE, "offline"),
                    G_DEFINE_ENUM_VALUE (BC_REALTIME_STATE_CONNECTING, "connecting"),
                    G_DEFINE_ENUM_VALUE (BC_REALTIME_STATE_CONNECTED, "connected"))

enum
{
  PROP_0,
  PROP_CLIENT,
  PROP_STATE,
  PROP_LAST_ERROR,
  N_PROPS
};

enum
{
  SIGNAL_MESSAGE,
  SIGNAL_CONNECTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void connect_now (BcRealtime *self);

static void
set_state (BcRealtime *self, BcRealtimeState state, const char *error)
{
  if (error && _bc_set_string (&self->last_error, error))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
  if (self->state == state)
    return;
  self->state = state;
  if (state == BC_REALTIME_STATE_CONNECTED && _bc_set_string (&self->last_error, NULL))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
drop_connection (BcRealtime *self)
{
  if (self->conn)
    {
      g_signal_handlers_disconnect_by_data (self->conn, self);
      if (soup_websocket_connection_get_state (self->conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_clear_object (&self->conn);
    }
}

static gboolean
on_retry (gpointer user_data)
{
  BcRealtime *self = user_data;

  self->retry_source = 0;
  connect_now (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_retry (BcRealtime *self, const char *reason)
{
  guint delay;

  drop_connection (self);
  set_state (self, BC_REALTIME_STATE_OFFLINE, reason);
  if (!self->running || self->retry_source)
    return;

  /* Full jitter keeps many clients from reconnecting in step after a
   * server restart. */
  delay = self->backoff_ms / 2 + g_random_int_range (0, self->backoff_ms / 2 + 1);
  self->backoff_ms = MIN (self->backoff_ms * 2, BACKOFF_MAX_MS);
  self->retry_source = g_timeout_add (delay, on_retry, self);
}

static void
on_message (SoupWebsocketConnection *conn, int type, GBytes *message, gpointer user_data)
{
  BcRealtime *self = user_data;
  g_autoptr (JsonObject) obj = NULL;
  gsize len = 0;
  const char *data = g_bytes_get_data (message, &len);
  const char *msg_type;

  if (type != SOUP_WEBSOCKET_DATA_TEXT)
    return;
  obj = bc_json_parse_object (data, len, NULL);
  if (obj == NULL)
    {
      g_debug ("Ignoring a realtime message that is not a JSON object");
      return;
    }
  msg_type = json_object_get_string_member_with_default (obj, "type", NULL);
  if (msg_type == NULL)
    msg_type = json_object_get_string_member_with_default (obj, "event", "");
  if (g_strcmp0 (msg_type, "ping") == 0)
    return;
  /* The balance in the client's "user" follows on its own, so anything bound
   * to its "points" property stays right. */
  if (g_strcmp0 (msg_type, "balance.updated") == 0 && bc_api_client_get_user (self->client) &&
      json_object_has_member (obj, "points"))
    bc_user_set_points (bc_api_client_get_user (self->client), _bc_json_get_int (obj, "points", 0));
  g_signal_emit (self, signals[SIGNAL_MESSAGE], g_quark_try_string (msg_type), msg_type, obj);
}

static void
on_closed (SoupWebsocketConnection *conn, gpointer user_data)
{
  BcRealtime *self = user_data;
  g_autofree char *reason = NULL;
  gushort code = soup_websocket_connection_get_close_code (conn);

  reason = code ? g_strdup_printf ("The server closed the live updates (code %u)", code)
                : g_strdup ("The live updates connection was lost");
  schedule_retry (self, reason);
}

static void
on_error (SoupWebsocketConnection *conn, GError *error, gpointer user_data)
{
  g_debug ("Realtime socket error: %s", error->message);
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BcRealtime *self = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *conn;

  conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Stopped meanwhile; a later start owns in_flight now. */
      g_object_unref (self);
      return;
    }
  self->in_flight = FALSE;
  if (conn == NULL)
    {
      guint status = msg ? soup_message_get_status (msg) : 0;

      if (status == SOUP_STATUS_UNAUTHORIZED && !self->auth_retried)
        {
          /* The access token expired under us: refresh once, right away. */
          self->auth_retried = TRUE;
          _bc_api_client_invalidate_access_token (self->client, NULL);
          drop_connection (self);
          connect_now (self);
        }
      else if (status != 0)
        {
          g_autofree char *reason =
              g_strdup_printf ("The server refused live updates (HTTP %u)", status);
          schedule_retry (self, reason);
        }
      else
        {
          g_autoptr (GError) mapped = _bc_api_client_unreachable_error (self->client, error);
          schedule_retry (self, mapped->message);
        }
      g_object_unref (self);
      return;
    }

  self->conn = conn;
  self->auth_retried = FALSE;
  self->backoff_ms = BACKOFF_MIN_MS;
  soup_websocket_connection_set_keepalive_interval (conn, KEEPALIVE_S / 2);
  g_signal_connect (conn, "message", G_CALLBACK (on_message), self);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (conn, "error", G_CALLBACK (on_error), self);
  set_state (self, BC_REALTIME_STATE_CONNECTED, NULL);
  g_signal_emit (self, signals[SIGNAL_CONNECTED], 0);
  g_object_unref (self);
}

static void
on_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BcRealtime *self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *url = NULL;
  g_autofree char *auth = NULL;
  g_autoptr (SoupMessage) msg = NULL;

  token = _bc_api_client_ensure_access_token_finish (BC_API_CLIENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_object_unref (self);
      return;
    }
  if (token == NULL)
    {
      self->in_flight = FALSE;
      if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED) ||
          g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INSECURE))
        {
          /* Retrying cannot help until the user signs in again. */
          self->running = FALSE;
          set_state (self, BC_REALTIME_STATE_OFFLINE, error->message);
        }
      else
        schedule_retry (self, error->message);
      g_object_unref (self);
      return;
    }

  url = bc_api_client_dup_realtime_url (self->client);
  msg = soup_message_new (SOUP_METHOD_GET, url);
  if (msg == NULL)
    {
      self->in_flight = FALSE;
      self->running = FALSE;
      set_state (self, BC_REALTIME_STATE_OFFLINE, "The server address is not valid");
      g_object_unref (self);
      return;
    }
  auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  memset (auth, 0, strlen (auth));
  memset (token, 0, strlen (token));

  soup_session_websocket_connect_async (_bc_api_client_get_soup_session (self->client), msg, NULL,
                                        NULL, G_PRIORITY_DEFAULT, self->cancellable, on_connected,
                                        self);
}

static void
connect_now (BcRealtime *self)
{
  if (!self->running || self->conn || self->in_flight)
    return;
  self->in_flight = TRUE;
  set_state (self, BC_REALTIME_STATE_CONNECTING, NULL);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  _bc_api_client_ensure_access_token_async (self->client, self->cancellable, on_token,
                                            g_object_ref (self));
}

static void
bc_realtime_dispose (GObject *object)
{
  BcRealtime *self = BC_REALTIME (object);

  self->running = FALSE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_connection (self);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (bc_realtime_parent_class)->dispose (object);
}

static void
bc_realtime_finalize (GObject *object)
{
  BcRealtime *self = BC_REALTIME (object);

  g_free (self->last_error);

  G_OBJECT_CLASS (bc_realtime_parent_class)->finalize (object);
}

static void
bc_realtime_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcRealtime *self = BC_REALTIME (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      g_value_set_object (value, self->client);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_realtime_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BcRealtime *self = BC_REALTIME (object);

  switch (prop_id)
    {
    case PROP_CLIENT:
      self->client = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_realtime_class_init (BcRealtimeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_realtime_dispose;
  object_class->finalize = bc_realtime_finalize;
  object_class->get_property = bc_realtime_get_property;
  object_class->set_property = bc_realtime_set_property;

  properties[PROP_CLIENT] =
      g_param_spec_object ("client", NULL, NULL, BC_TYPE_API_CLIENT,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, BC_TYPE_REALTIME_STATE, BC_REALTIME_STATE_OFFLINE,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
      g_param_spec_string ("last-error", NULL, NULL, NULL,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_MESSAGE] =
      g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, JSON_TYPE_OBJECT);
  signals[SIGNAL_CONNECTED] = g_signal_new ("connected", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bc_realtime_init (BcRealtime *self)
{
  self->backoff_ms = BACKOFF_MIN_MS;
}

BcRealtime *
bc_realtime_new (BcApiClient *client)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (client), NULL);
  return g_object_new (BC_TYPE_REALTIME, "client", client, NULL);
}

void
bc_realtime_start (BcRealtime *self)
{
  g_return_if_fail (BC_IS_REALTIME (self));

  if (self->running)
    return;
  self->running = TRUE;
  self->backoff_ms = BACKOFF_MIN_MS;
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  connect_now (self);
}

void
bc_realtime_stop (BcRealtime *self)
{
  g_return_if_fail (BC_IS_REALTIME (self));

  self->running = FALSE;
  self->in_flight = FALSE;
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->retry_source, g_source_remove);
  drop_connection (self);
  set_state (self, BC_REALTIME_STATE_OFFLINE, NULL);
}

void
bc_realtime_reconnect_now (BcRealtime *self)
{
  g_return_if_fail (BC_IS_REALTIME (self));

  if (!self->running)
    {
      bc_realtime_start (self);
      return;
    }
  if (self->state == BC_REALTIME_STATE_OFFLINE)
    {
      self->backoff_ms = BACKOFF_MIN_MS;
      g_clear_handle_id (&self->retry_source, g_source_remove);
      connect_now (self);
    }
}

BcRealtimeState
bc_realtime_get_state (BcRealtime *self)
{
  g_return_val_if_fail (BC_IS_REALTIME (self), BC_REALTIME_STATE_OFFLINE);
  return self->state;
}

const char *
bc_realtime_get_last_error (BcRealtime *self)
{
  g_return_val_if_fail (BC_IS_REALTIME (self), NULL);
  return self->last_error;
}
