#define G_LOG_DOMAIN "bc-client"

#include "config.h"

#include <string.h>

#include "bc-api-client.h"
#include "bc-client-private.h"
#include "bc-json.h"

/* Refresh this long before the server's expiry, so a request never races it. */
#define EXPIRY_MARGIN_US  (30 * G_USEC_PER_SEC)
#define REQUEST_TIMEOUT_S 30

typedef enum
{
  REQ_NONE = 0,
  REQ_AUTH = 1 << 0,   /* needs the access token */
  REQ_LOGIN = 1 << 1,  /* 401 means a wrong email or password */
  REQ_PUBLIC = 1 << 2, /* carries no secret: allowed over plain http anywhere */
  REQ_REFRESH = 1 << 3 /* 401 means the stored login is no longer valid */
} ReqFlags;

typedef struct
{
  char *method;
  char *path;
  GBytes *body;
  ReqFlags flags;
  gboolean retried;
  char *token_used;
} Request;

struct _BcApiClient
{
  GObject parent_instance;

  char *base_url;
  gboolean allow_insecure;
  SoupSession *session;

  char *access_token;
  gint64 access_expires_at; /* monotonic µs; 0 = unknown */
  char *refresh_token;
  BcUser *user;

  /* Tasks waiting for the refresh in flight; refresh tokens rotate, so two
   * refreshes with the same token would look like theft to the server. */
  GPtrArray *refresh_waiters;
  gboolean refreshing;
};

G_DEFINE_FINAL_TYPE (BcApiClient, bc_api_client, G_TYPE_OBJECT)
G_DEFINE_ENUM_TYPE (BcBountyFilter,
                    bc_bounty_filter,
                    G_DEFINE_ENUM_VALUE (BC_BOUNTY_FILTER_OPEN, "open"),
                    G_DEFINE_ENUM_VALUE (BC_BOUNTY_FILTER_MINE, "mine"))

enum
{
  PROP_0,
  PROP_BASE_URL,
  PROP_ALLOW_INSECURE,
  PROP_USER,
  PROP_SIGNED_IN,
  PROP_REFRESH_TOKEN,
  N_PROPS
};

enum
{
  SIGNAL_LOGIN_EXPIRED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void send_request (BcApiClient *self, GTask *task);
static void start_refresh (BcApiClient *self);

static void
wipe_free (char *secret)
{
  if (secret)
    {
      memset (secret, 0, strlen (secret));
      g_free (secret);
    }
}

static void
request_free (Request *req)
{
  g_free (req->method);
  g_free (req->path);
  g_clear_pointer (&req->body, g_bytes_unref);
  wipe_free (req->token_used);
  g_free (req);
}

/* ---- properties ---------------------------------------------------------- */

static void
bc_api_client_dispose (GObject *object)
{
  BcApiClient *self = BC_API_CLIENT (object);

  if (self->session)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->user);

  G_OBJECT_CLASS (bc_api_client_parent_class)->dispose (object);
}

static void
bc_api_client_finalize (GObject *object)
{
  BcApiClient *self = BC_API_CLIENT (object);

  g_free (self->base_url);
  g_clear_pointer (&self->access_token, wipe_free);
  g_clear_pointer (&self->refresh_token, wipe_free);
  g_clear_pointer (&self->refresh_waiters, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_api_client_parent_class)->finalize (object);
}

static void
bc_api_client_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcApiClient *self = BC_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      g_value_set_string (value, self->base_url);
      break;
    case PROP_ALLOW_INSECURE:
      g_value_set_boolean (value, self->allow_insecure);
      break;
    case PROP_USER:
      g_value_set_object (value, self->user);
      break;
    case PROP_SIGNED_IN:
      g_value_set_boolean (value, bc_api_client_get_signed_in (self));
      break;
    case PROP_REFRESH_TOKEN:
      g_value_set_string (value, self->refresh_token);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_api_client_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BcApiClient *self = BC_API_CLIENT (object);

  switch (prop_id)
    {
    case PROP_BASE_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url ? strlen (url) : 0;

        while (len > 0 && url[len - 1] == '/')
          len--;
        self->base_url = g_strndup (url ? url : "", len);
      }
      break;
    case PROP_ALLOW_INSECURE:
      bc_api_client_set_allow_insecure (self, g_value_get_boolean (value));
      break;
    case PROP_REFRESH_TOKEN:
      bc_api_client_set_refresh_token (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_api_client_class_init (BcApiClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_api_client_dispose;
  object_class->finalize = bc_api_client_finalize;
  object_class->get_property = bc_api_client_get_property;
  object_class->set_property = bc_api_client_set_property;

  properties[PROP_BASE_URL] =
      g_param_spec_string ("base-url", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW_INSECURE] =
      g_param_spec_boolean ("allow-insecure", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
      g_param_spec_object ("user", NULL, NULL, BC_TYPE_USER,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNED_IN] =
      g_param_spec_boolean ("signed-in", NULL, NULL, FALSE,
                            G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REFRESH_TOKEN] =
      g_param_spec_string ("refresh-token", NULL, NULL, NULL,
                           G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_LOGIN_EXPIRED] =
      g_signal_new ("login-expired", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 0);
}

static void
bc_api_client_init (BcApiClient *self)
{
  g_autofree char *ua = g_strdup_printf ("BountyCam/%s", PACKAGE_VERSION);

  self->session =
      soup_session_new_with_options ("timeout", REQUEST_TIMEOUT_S, "user-agent", ua, NULL);
  self->refresh_waiters = g_ptr_array_new ();
}

BcApiClient *
bc_api_client_new (const char *base_url)
{
  g_return_val_if_fail (base_url != NULL, NULL);
  return g_object_new (BC_TYPE_API_CLIENT, "base-url", base_url, NULL);
}

const char *
bc_api_client_get_base_url (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), NULL);
  return self->base_url;
}

gboolean
bc_api_client_get_allow_insecure (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), FALSE);
  return self->allow_insecure;
}

void
bc_api_client_set_allow_insecure (BcApiClient *self, gboolean allow_insecure)
{
  g_return_if_fail (BC_IS_API_CLIENT (self));

  allow_insecure = !!allow_insecure;
  if (self->allow_insecure == allow_insecure)
    return;
  self->allow_insecure = allow_insecure;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_INSECURE]);
}

BcUser *
bc_api_client_get_user (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), NULL);
  return self->user;
}

gboolean
bc_api_client_get_signed_in (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), FALSE);
  return self->refresh_token != NULL || self->access_token != NULL;
}

const char *
bc_api_client_get_refresh_token (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), NULL);
  return self->refresh_token;
}

const char *
bc_api_client_get_access_token (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), NULL);
  return self->access_token;
}

SoupSession *
_bc_api_client_get_soup_session (BcApiClient *self)
{
  return self->session;
}

static void
set_tokens (BcApiClient *self, const char *access, gint64 expires_in, const char *refresh)
{
  gboolean was_signed_in = bc_api_client_get_signed_in (self);

  g_clear_pointer (&self->access_token, wipe_free);
  self->access_token = g_strdup (access);
  self->access_expires_at =
      (access && expires_in > 0) ? g_get_monotonic_time () + expires_in * G_USEC_PER_SEC : 0;

  if (g_strcmp0 (self->refresh_token, refresh) != 0)
    {
      g_clear_pointer (&self->refresh_token, wipe_free);
      self->refresh_token = g_strdup (refresh);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REFRESH_TOKEN]);
    }
  if (was_signed_in != bc_api_client_get_signed_in (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNED_IN]);
}

void
bc_api_client_set_refresh_token (BcApiClient *self, const char *refresh_token)
{
  g_return_if_fail (BC_IS_API_CLIENT (self));

  if (g_strcmp0 (self->refresh_token, refresh_token) == 0)
    return;
  /* A different login: the access token belonged to the old one. */
  set_tokens (self, NULL, 0, refresh_token);
}

static void
set_user (BcApiClient *self, BcUser *user)
{
  if (g_set_object (&self->user, user))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_USER]);
}

static void
update_user_from_json (BcApiClient *self, JsonObject *object)
{
  if (object == NULL)
    return;
  if (self->user && g_strcmp0 (bc_user_get_id (self->user),
                               json_object_get_string_member_with_default (object, "id", "")) == 0)
    bc_user_update_from_json (self->user, object, NULL);
  else
    {
      g_autoptr (BcUser) user = bc_user_new_from_json (object, NULL);
      if (user)
        set_user (self, user);
    }
}

void
bc_api_client_forget_login (BcApiClient *self)
{
  g_return_if_fail (BC_IS_API_CLIENT (self));

  set_tokens (self, NULL, 0, NULL);
  set_user (self, NULL);
}

void
_bc_api_client_invalidate_access_token (BcApiClient *self, const char *token)
{
  if (token == NULL || g_strcmp0 (token, self->access_token) == 0)
    {
      g_clear_pointer (&self->access_token, wipe_free);
      self->access_expires_at = 0;
    }
}

/* ---- URLs and transport security ----------------------------------------- */

gboolean
bc_url_is_loopback (const char *url)
{
  g_autoptr (GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host;
  g_autoptr (GInetAddress) addr = NULL;

  if (uri == NULL || (host = g_uri_get_host (uri)) == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (host, "localhost") == 0 || g_str_has_suffix (host, ".localhost"))
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

static gboolean
check_transport (BcApiClient *self, ReqFlags flags, GError **error)
{
  g_autoptr (GUri) uri = g_uri_parse (self->base_url, G_URI_FLAGS_NONE, NULL);
  const char *scheme = uri ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0))
    {
      g_autofree char *msg = g_strdup_printf (
          "“%s” is not a server address; use one like https://bountycam.example", self->base_url);
      g_propagate_error (error,
                         _bc_client_error_new (BC_CLIENT_ERROR_INVALID_INPUT, 0, NULL, 0, msg));
      return FALSE;
    }
  if (g_strcmp0 (scheme, "https") == 0 || (flags & REQ_PUBLIC) || self->allow_insecure ||
      bc_url_is_loopback (self->base_url))
    return TRUE;

  {
    g_autofree char *msg =
        g_strdup_printf ("Refusing to send your login over unencrypted http:// to %s; use https:// "
                         "(or allow insecure connections, for testing only)",
                         g_uri_get_host (uri));
    g_propagate_error (error, _bc_client_error_new (BC_CLIENT_ERROR_INSECURE, 0, NULL, 0, msg));
  }
  return FALSE;
}

gboolean
bc_api_client_check_transport (BcApiClient *self, GError **error)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), FALSE);
  return check_transport (self, REQ_AUTH, error);
}

char *
bc_api_client_dup_realtime_url (BcApiClient *self)
{
  g_return_val_if_fail (BC_IS_API_CLIENT (self), NULL);

  if (g_str_has_prefix (self->base_url, "https://"))
    return g_strconcat ("wss://", self->base_url + 8, "/api/realtime", NULL);
  if (g_str_has_prefix (self->base_url, "http://"))
    return g_strconcat ("ws://", self->base_url + 7, "/api/realtime", NULL);
  return g_strconcat (self->base_url, "/api/realtime", NULL);
}

/* ---- errors -------------------------------------------------------------- */

GError *
_bc_api_client_unreachable_error (BcApiClient *self, const GError *cause)
{
  g_autofree char *msg = NULL;

  if (cause && cause->domain == G_TLS_ERROR)
    msg = g_strdup_printf ("Could not make a secure connection to the server at %s: %s",
                           self->base_url, cause->message);
  else if (cause && g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    msg = g_strdup_printf ("The server at %s did not answer in time", self->base_url);
  else
    msg = g_strdup_printf ("Could not reach the server at %s: %s", self->base_url,
                           cause ? cause->message : "no answer");
  return _bc_client_error_new (BC_CLIENT_ERROR_UNREACHABLE, 0, NULL, 0, msg);
}

static GError *
error_from_response (BcApiClient *self, SoupMessage *msg, GBytes *body, ReqFlags flags)
{
  guint status = soup_message_get_status (msg);
  g_autoptr (JsonObject) root = NULL;
  const char *server_code = NULL;
  const char *server_message = NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;

  if (data && len > 0)
    root = bc_json_parse_object (data, len, NULL);
  if (root && json_object_has_member (root, "error"))
    {
      JsonNode *e = json_object_get_member (root, "error");
      if (JSON_NODE_HOLDS_OBJECT (e))
        {
          JsonObject *eo = json_node_get_object (e);
          server_code = json_object_get_string_member_with_default (eo, "code", NULL);
          server_message = json_object_get_string_member_with_default (eo, "message", NULL);
        }
      else if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
        server_message = json_node_get_string (e);
    }

  switch (status)
    {
    case SOUP_STATUS_BAD_REQUEST:
    case SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE:
    case SOUP_STATUS_UNPROCESSABLE_ENTITY:
      return _bc_client_error_new (BC_CLIENT_ERROR_INVALID_INPUT, status, server_code, 0,
                                   server_message ? server_message
                                                  : "The server did not accept the request");
    case SOUP_STATUS_UNAUTHORIZED:
      if (flags & REQ_LOGIN)
        text = g_strdup ("Wrong email or password");
      else
        text = g_strdup ("Your login has expired or was signed out; sign in again");
      return _bc_client_error_new (BC_CLIENT_ERROR_UNAUTHORIZED, status, server_code, 0, text);
    case SOUP_STATUS_FORBIDDEN:
      return _bc_client_error_new (BC_CLIENT_ERROR_FORBIDDEN, status, server_code, 0,
                                   server_message ? server_message
                                                  : "You are not allowed to do that");
    case SOUP_STATUS_NOT_FOUND:
      return _bc_client_error_new (BC_CLIENT_ERROR_NOT_FOUND, status, server_code, 0,
                                   server_message ? server_message : "Not found");
    case SOUP_STATUS_CONFLICT:
      return _bc_client_error_new (BC_CLIENT_ERROR_CONFLICT, status, server_code, 0,
                                   server_message ? server_message : "That is no longer possible");
    case 429:
      {
        const char *ra =
            soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After");
        guint64 secs = 0;

        if (ra == NULL || !g_ascii_string_to_unsigned (ra, 10, 0, 86400, &secs, NULL))
          secs = 0;
        if (secs > 0)
          text = g_strdup_printf ("Too many attempts; try again in %u second%s", (guint) secs,
                                  secs == 1 ? "" : "s");
        else
          text = g_strdup ("Too many attempts; try again later");
        return _bc_client_error_new (BC_CLIENT_ERROR_THROTTLED, status, server_code, (guint) secs,
                                     text);
      }
    default:
      break;
    }

  if (status >= 500)
    text = g_strdup_printf ("The server at %s had a problem (HTTP %u)%s%s", self->base_url, status,
                            server_message ? ": " : "", server_message ? server_message : "");
  else
    text = g_strdup_printf ("The server at %s answered HTTP %u%s%s; is it a BountyCam server?",
                            self->base_url, status, server_message ? ": " : "",
                            server_message ? server_message : "");
  return _bc_client_error_new (BC_CLIENT_ERROR_SERVER, status, server_code, 0, text);
}

/* ---- requests ------------------------------------------------------------ */

static gboolean
access_token_usable (BcApiClient *self)
{
  return self->access_token != NULL &&
         (self->access_expires_at == 0 ||
          g_get_monotonic_time () + EXPIRY_MARGIN_US < self->access_expires_at);
}

static void
fail_not_signed_in (GTask *task)
{
  g_task_return_error (task, _bc_client_error_new (BC_CLIENT_ERROR_UNAUTHORIZED, 0, NULL, 0,
                                                   "You are not signed in"));
}

/* Queues @task behind the refresh in flight (starting one). */
static void
wait_for_refresh (BcApiClient *self, GTask *task)
{
  g_ptr_array_add (self->refresh_waiters, g_object_ref (task));
  if (!self->refreshing)
    start_refresh (self);
}

static void
on_request_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcApiClient *self = g_task_get_source_object (task);
  Request *req = g_task_get_task_data (task);
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;
  guint status;
  gsize len = 0;
  const char *data;

  body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_error (task, _bc_api_client_unreachable_error (self, error));
      return;
    }

  status = soup_message_get_status (msg);
  if (status == SOUP_STATUS_UNAUTHORIZED && (req->flags & REQ_AUTH) && !req->retried &&
      self->refresh_token != NULL)
    {
      req->retried = TRUE;
      _bc_api_client_invalidate_access_token (self, req->token_used);
      wait_for_refresh (self, task);
      return;
    }
  if (!SOUP_STATUS_IS_SUCCESSFUL (status))
    {
      g_task_return_error (task, error_from_response (self, msg, body, req->flags));
      return;
    }

  data = g_bytes_get_data (body, &len);
  if (len == 0)
    {
      g_task_return_pointer (task, json_node_new (JSON_NODE_NULL),
                             (GDestroyNotify) json_node_unref);
      return;
    }
  {
    g_autoptr (JsonParser) parser = json_parser_new_immutable ();
    JsonNode *root;

    if (!json_parser_load_from_data (parser, data, len, NULL) ||
        (root = json_parser_get_root (parser)) == NULL)
      {
        g_autofree char *text = g_strdup_printf (
            "The server at %s sent an answer that is not JSON; is it a BountyCam server?",
            self->base_url);
        g_task_return_error (task,
                             _bc_client_error_new (BC_CLIENT_ERROR_SERVER, status, NULL, 0, text));
        return;
      }
    g_task_return_pointer (task, json_node_ref (root), (GDestroyNotify) json_node_unref);
  }
}

static void
send_request (BcApiClient *self, GTask *task)
{
  Request *req = g_task_get_task_data (task);
  g_autofree char *url = g_strconcat (self->base_url, req->path, NULL);
  g_autoptr (SoupMessage) msg = NULL;
  SoupMessageHeaders *headers;

  if (g_task_return_error_if_cancelled (task))
    return;

  msg = soup_message_new (req->method, url);
  if (msg == NULL)
    {
      g_autofree char *text = g_strdup_printf ("“%s” is not a server address", self->base_url);
      g_task_return_error (task,
                           _bc_client_error_new (BC_CLIENT_ERROR_INVALID_INPUT, 0, NULL, 0, text));
      return;
    }
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Accept", "application/json");
  if (req->flags & REQ_AUTH)
    {
      g_autofree char *auth = g_strconcat ("Bearer ", self->access_token, NULL);

      g_clear_pointer (&req->token_used, wipe_free);
      req->token_used = g_strdup (self->access_token);
      soup_message_headers_replace (headers, "Authorization", auth);
      memset (auth, 0, strlen (auth));
    }
  if (req->body)
    soup_message_set_request_body_from_bytes (msg, "application/json", req->body);

  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT,
                                    g_task_get_cancellable (task), on_request_sent,
                                    g_object_ref (task));
}

/* Runs @task once a usable access token exists (or fails it). */
static void
dispatch (BcApiClient *self, GTask *task)
{
  Request *req = g_task_get_task_data (task);

  if ((req->flags & REQ_AUTH) && !access_token_usable (self))
    {
      if (self->refresh_token == NULL && self->access_token == NULL)
        {
          fail_not_signed_in (task);
          return;
        }
      if (self->refresh_token != NULL)
        {
          wait_for_refresh (self, task);
          return;
        }
    }
  send_request (self, task);
}

static void
request_async (BcApiClient *self,
               const char *method,
               const char *path,
               JsonObject *body,
               ReqFlags flags,
               gpointer source_tag,
               GCancellable *cancellable,
               GAsyncReadyCallback callback,
               gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  Request *req = g_new0 (Request, 1);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  req->method = g_strdup (method);
  req->path = g_strdup (path);
  req->flags = flags;
  if (body)
    {
      char *json = bc_json_object_to_string (body);
      gsize len = strlen (json);
      req->body = g_bytes_new_with_free_func (json, len, (GDestroyNotify) wipe_free, json);
    }
  g_task_set_task_data (task, req, (GDestroyNotify) request_free);

  if (!check_transport (self, flags, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  dispatch (self, task);
}

static JsonNode *
request_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- refresh ------------------------------------------------------------- */

static gboolean
apply_auth_answer (BcApiClient *self, JsonNode *root, GError **error)
{
  JsonObject *obj = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  g_autofree char *access = _bc_json_dup_string (obj, "access_token");
  g_autofree char *refresh = _bc_json_dup_string (obj, "refresh_token");
  JsonNode *user = obj ? json_object_get_member (obj, "user") : NULL;

  if (access == NULL)
    {
      g_propagate_error (error,
                         _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0,
                                               "The server's login answer has no access token"));
      g_clear_pointer (&refresh, wipe_free);
      return FALSE;
    }
  set_tokens (self, access, _bc_json_get_int (obj, "expires_in", 0),
              refresh ? refresh : self->refresh_token);
  if (user && JSON_NODE_HOLDS_OBJECT (user))
    update_user_from_json (self, json_node_get_object (user));
  memset (access, 0, strlen (access));
  if (refresh)
    memset (refresh, 0, strlen (refresh));
  return TRUE;
}

static void
on_refresh_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BcApiClient *self = BC_API_CLIENT (source);
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) waiters = NULL;
  gboolean expired = FALSE;

  root = request_finish (self, result, &error);
  if (root != NULL)
    apply_auth_answer (self, root, &error);
  else if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED) ||
           g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_FORBIDDEN))
    {
      /* The refresh token was revoked, rotated elsewhere or expired. */
      g_clear_error (&error);
      error = _bc_client_error_new (BC_CLIENT_ERROR_UNAUTHORIZED, 401, "login_expired", 0,
                                    "Your login has expired or was signed out; sign in again");
      expired = TRUE;
    }

  self->refreshing = FALSE;
  waiters = g_steal_pointer (&self->refresh_waiters);
  self->refresh_waiters = g_ptr_array_new ();

  if (expired)
    {
      bc_api_client_forget_login (self);
      g_signal_emit (self, signals[SIGNAL_LOGIN_EXPIRED], 0);
    }

  for (guint i = 0; i < waiters->len; i++)
    {
      g_autoptr (GTask) task = waiters->pdata[i];

      if (g_task_get_source_tag (task) == bc_api_client_refresh_async ||
          g_task_get_source_tag (task) == _bc_api_client_ensure_access_token_async)
        {
          if (error)
            g_task_return_error (task, g_error_copy (error));
          else if (g_task_get_source_tag (task) == bc_api_client_refresh_async)
            g_task_return_boolean (task, TRUE);
          else
            g_task_return_pointer (task, g_strdup (self->access_token), (GDestroyNotify) wipe_free);
        }
      else if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        send_request (self, task);
    }
  g_object_unref (self);
}

static void
start_refresh (BcApiClient *self)
{
  g_autoptr (JsonObject) body = json_object_new ();

  self->refreshing = TRUE;
  json_object_set_string_member (body, "refresh_token", self->refresh_token);
  /* Not cancellable: once sent, the server rotates the token and we must
   * keep the answer whatever became of the request that asked. */
  request_async (self, "POST", "/api/auth/refresh", body, REQ_REFRESH, NULL, NULL, on_refresh_done,
                 g_object_ref (self));
}

void
bc_api_client_refresh_async (BcApiClient *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  g_task_set_source_tag (task, bc_api_client_refresh_async);

  if (self->refresh_token == NULL)
    {
      fail_not_signed_in (task);
      return;
    }
  if (!check_transport (self, REQ_AUTH, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  wait_for_refresh (self, task);
}

gboolean
bc_api_client_refresh_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
_bc_api_client_ensure_access_token_async (BcApiClient *self,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, _bc_api_client_ensure_access_token_async);
  if (!check_transport (self, REQ_AUTH, &error))
    g_task_return_error (task, error);
  else if (access_token_usable (self) || (self->access_token && !self->refresh_token))
    g_task_return_pointer (task, g_strdup (self->access_token), (GDestroyNotify) wipe_free);
  else if (self->refresh_token == NULL)
    fail_not_signed_in (task);
  else
    wait_for_refresh (self, task);
}

char *
_bc_api_client_ensure_access_token_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- answers ------------------------------------------------------------- */

/* The object itself, or its member @key when the server wraps it. */
static JsonObject *
unwrap_object (JsonNode *root, const char *key)
{
  JsonObject *obj;
  JsonNode *inner;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  obj = json_node_get_object (root);
  inner = key ? json_object_get_member (obj, key) : NULL;
  if (inner && JSON_NODE_HOLDS_OBJECT (inner))
    return json_node_get_object (inner);
  return obj;
}

static JsonArray *
unwrap_array (JsonNode *root, const char *key)
{
  JsonNode *inner;

  if (root == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_ARRAY (root))
    return json_node_get_array (root);
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return NULL;
  inner = json_object_get_member (json_node_get_object (root), key);
  if (inner == NULL)
    inner = json_object_get_member (json_node_get_object (root), "items");
  return inner && JSON_NODE_HOLDS_ARRAY (inner) ? json_node_get_array (inner) : NULL;
}

static GError *
bad_answer (const char *what)
{
  g_autofree char *text = g_strdup_printf ("The server's answer has no %s", what);
  return _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0, text);
}

typedef gpointer (*ParseFunc) (JsonObject *object, GError **error);

/* Completes @task from a request's answer with @parse applied to the
 * object found under @key (or the whole answer). */
static void
return_parsed (GTask *task, GAsyncResult *result, const char *key, ParseFunc parse)
{
  BcApiClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);
  JsonObject *obj;
  gpointer value;

  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  obj = unwrap_object (root, key);
  if (obj == NULL)
    {
      g_task_return_error (task, bad_answer (key));
      return;
    }
  value = parse (obj, &error);
  if (value == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, value, g_object_unref);
}

static void
return_list (GTask *task, GAsyncResult *result, const char *key, GType type, ParseFunc parse)
{
  BcApiClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);
  g_autoptr (GListStore) store = NULL;
  JsonArray *array;

  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  array = unwrap_array (root, key);
  if (array == NULL)
    {
      g_task_return_error (task, bad_answer (key));
      return;
    }
  store = g_list_store_new (type);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);
      g_autoptr (GObject) item = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = parse (json_node_get_object (node), NULL);
      if (item)
        g_list_store_append (store, item);
    }
  g_task_return_pointer (task, g_steal_pointer (&store), g_object_unref);
}

static void
return_boolean (GTask *task, GAsyncResult *result)
{
  BcApiClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);

  if (root == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

static char *
path_with_id (const char *prefix, const char *id, const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);
  return g_strconcat (prefix, escaped, suffix, NULL);
}

/* ---- healthz ------------------------------------------------------------- */

static void
on_healthz (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  return_boolean (task, result);
}

void
bc_api_client_healthz_async (BcApiClient *self,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_healthz_async);
  request_async (self, "GET", "/healthz", NULL, REQ_PUBLIC, NULL, cancellable, on_healthz, task);
}

gboolean
bc_api_client_healthz_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- signup, login, logout, me ------------------------------------------- */

static void
on_auth_answer (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcApiClient *self = BC_API_CLIENT (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);

  if (root == NULL || !apply_auth_answer (self, root, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else if (self->user == NULL)
    g_task_return_error (task, bad_answer ("user"));
  else
    g_task_return_pointer (task, g_object_ref (self->user), g_object_unref);
}

void
bc_api_client_signup_async (BcApiClient *self,
                            const char *email,
                            const char *password,
                            const char *display_name,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (JsonObject) body = json_object_new ();
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_signup_async);
  json_object_set_string_member (body, "email", email ? email : "");
  json_object_set_string_member (body, "password", password ? password : "");
  json_object_set_string_member (body, "display_name", display_name ? display_name : "");
  request_async (self, "POST", "/api/auth/signup", body, REQ_NONE, NULL, cancellable,
                 on_auth_answer, task);
}

BcUser *
bc_api_client_signup_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bc_api_client_login_async (BcApiClient *self,
                           const char *email,
                           const char *password,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data)
{
  g_autoptr (JsonObject) body = json_object_new ();
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_login_async);
  json_object_set_string_member (body, "email", email ? email : "");
  json_object_set_string_member (body, "password", password ? password : "");
  request_async (self, "POST", "/api/auth/login", body, REQ_LOGIN, NULL, cancellable,
                 on_auth_answer, task);
}

BcUser *
bc_api_client_login_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_logout (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcApiClient *self = BC_API_CLIENT (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);

  bc_api_client_forget_login (self);
  /* Already signed out on the server is what we wanted. */
  if (root == NULL && !g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_UNAUTHORIZED))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
bc_api_client_logout_async (BcApiClient *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_autoptr (JsonObject) body = json_object_new ();
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_logout_async);
  if (self->refresh_token == NULL && self->access_token == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (self->refresh_token)
    json_object_set_string_member (body, "refresh_token", self->refresh_token);
  request_async (self, "POST", "/api/auth/logout", body, REQ_AUTH, NULL, cancellable, on_logout,
                 task);
}

gboolean
bc_api_client_logout_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_me (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcApiClient *self = BC_API_CLIENT (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);
  JsonObject *obj;

  if (root == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  obj = unwrap_object (root, "user");
  if (obj == NULL || !json_object_has_member (obj, "id"))
    {
      g_task_return_error (task, bad_answer ("user"));
      return;
    }
  update_user_from_json (self, obj);
  g_task_return_pointer (task, g_object_ref (self->user), g_object_unref);
}

void
bc_api_client_me_async (BcApiClient *self,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_me_async);
  request_async (self, "GET", "/api/me", NULL, REQ_AUTH, NULL, cancellable, on_me, task);
}

BcUser *
bc_api_client_me_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- bounties ------------------------------------------------------------ */

static void
on_bounty_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  return_list (task, result, "bounties", BC_TYPE_BOUNTY, (ParseFunc) bc_bounty_new_from_json);
}

void
bc_api_client_list_bounties_async (BcApiClient *self,
                                   BcBountyFilter filter,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_list_bounties_async);
  request_async (self, "GET",
                 filter == BC_BOUNTY_FILTER_MINE ? "/api/bounties?mine=1" : "/api/bounties", NULL,
                 REQ_AUTH, NULL, cancellable, on_bounty_list, task);
}

GListModel *
bc_api_client_list_bounties_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_bounty (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  return_parsed (task, result, "bounty", (ParseFunc) bc_bounty_new_from_json);
}

void
bc_api_client_create_bounty_async (BcApiClient *self,
                                   const char *title,
                                   const char *description,
                                   gint64 reward_points,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (JsonObject) body = json_object_new ();
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_create_bounty_async);
  json_object_set_string_member (body, "title", title ? title : "");
  json_object_set_string_member (body, "description", description ? description : "");
  json_object_set_int_member (body, "reward_points", reward_points);
  request_async (self, "POST", "/api/bounties", body, REQ_AUTH, NULL, cancellable, on_bounty, task);
}

BcBounty *
bc_api_client_create_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A request on one bounty or session, answered by @on_done with the
 * entity it returns. */
static void
entity_request_async (BcApiClient *self,
                      const char *method,
                      const char *prefix,
                      const char *id,
                      const char *suffix,
                      GAsyncReadyCallback on_done,
                      gpointer source_tag,
                      GCancellable *cancellable,
                      GAsyncReadyCallback callback,
                      gpointer user_data)
{
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  g_return_if_fail (id != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  path = path_with_id (prefix, id, suffix);
  request_async (self, method, path, NULL, REQ_AUTH, NULL, cancellable, on_done, task);
}

void
bc_api_client_get_bounty_async (BcApiClient *self,
                                const char *bounty_id,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  entity_request_async (self, "GET", "/api/bounties/", bounty_id, NULL, on_bounty,
                        bc_api_client_get_bounty_async, cancellable, callback, user_data);
}

BcBounty *
bc_api_client_get_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bc_api_client_cancel_bounty_async (BcApiClient *self,
                                   const char *bounty_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  entity_request_async (self, "POST", "/api/bounties/", bounty_id, "/cancel", on_bounty,
                        bc_api_client_cancel_bounty_async, cancellable, callback, user_data);
}

BcBounty *
bc_api_client_cancel_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- sessions ------------------------------------------------------------ */

static void
on_session (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  return_parsed (task, result, "session", (ParseFunc) bc_session_new_from_json);
}

void
bc_api_client_accept_bounty_async (BcApiClient *self,
                                   const char *bounty_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  entity_request_async (self, "POST", "/api/bounties/", bounty_id, "/accept", on_session,
                        bc_api_client_accept_bounty_async, cancellable, callback, user_data);
}

BcSession *
bc_api_client_accept_bounty_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_session_list (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  return_list (task, result, "sessions", BC_TYPE_SESSION, (ParseFunc) bc_session_new_from_json);
}

void
bc_api_client_list_sessions_async (BcApiClient *self,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_list_sessions_async);
  request_async (self, "GET", "/api/sessions", NULL, REQ_AUTH, NULL, cancellable, on_session_list,
                 task);
}

GListModel *
bc_api_client_list_sessions_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bc_api_client_get_session_async (BcApiClient *self,
                                 const char *session_id,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  entity_request_async (self, "GET", "/api/sessions/", session_id, NULL, on_session,
                        bc_api_client_get_session_async, cancellable, callback, user_data);
}

BcSession *
bc_api_client_get_session_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_livekit_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  BcApiClient *self = g_task_get_source_object (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) root = request_finish (self, result, &error);
  g_autoptr (BcLivekitToken) token = NULL;
  g_autoptr (GUri) uri = NULL;
  const char *scheme;
  JsonObject *obj;

  if (root == NULL)
    return g_task_return_error (task, g_steal_pointer (&error));
  if ((obj = unwrap_object (root, NULL)) == NULL)
    return g_task_return_error (task, bad_answer (NULL));
  if ((token = bc_livekit_token_new_from_json (obj, &error)) == NULL)
    return g_task_return_error (task, g_steal_pointer (&error));

  /* The join token travels in the LiveKit URL's query string: like a login,
   * never over plain ws:// to another machine unless that is allowed. */
  uri = g_uri_parse (bc_livekit_token_get_url (token), G_URI_FLAGS_NONE, NULL);
  scheme = uri ? g_uri_get_scheme (uri) : NULL;
  if (g_strcmp0 (scheme, "wss") != 0 && g_strcmp0 (scheme, "https") != 0 && !self->allow_insecure &&
      !bc_url_is_loopback (bc_livekit_token_get_url (token)))
    {
      g_autofree char *msg = g_strdup_printf (
          "Refusing to send the stream token over unencrypted %s:// to %s; the server must offer "
          "wss:// (or allow insecure connections, for testing only)",
          scheme ? scheme : "?", uri && g_uri_get_host (uri) ? g_uri_get_host (uri) : "?");

      return g_task_return_error (task,
                                  _bc_client_error_new (BC_CLIENT_ERROR_INSECURE, 0, NULL, 0, msg));
    }
  g_task_return_pointer (task, g_steal_pointer (&token), g_object_unref);
}

void
bc_api_client_livekit_token_async (BcApiClient *self,
                                   const char *session_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  g_autoptr (JsonObject) body = json_object_new ();
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  g_return_if_fail (session_id != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_livekit_token_async);
  json_object_set_string_member (body, "session_id", session_id);
  request_async (self, "POST", "/api/livekit/token", body, REQ_AUTH, NULL, cancellable,
                 on_livekit_token, task);
}

BcLivekitToken *
bc_api_client_livekit_token_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_post_event (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  return_boolean (task, result);
}

void
bc_api_client_post_event_async (BcApiClient *self,
                                const char *session_id,
                                const char *event_type,
                                JsonObject *detail,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (JsonObject) body = json_object_new ();
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (BC_IS_API_CLIENT (self));
  g_return_if_fail (session_id != NULL);
  g_return_if_fail (event_type != NULL);
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_api_client_post_event_async);
  json_object_set_string_member (body, "type", event_type);
  if (detail)
    json_object_set_object_member (body, "detail", json_object_ref (detail));
  path = path_with_id ("/api/sessions/", session_id, "/events");
  request_async (self, "POST", path, body, REQ_AUTH, NULL, cancellable, on_post_event, task);
}

gboolean
bc_api_client_post_event_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
bc_api_client_approve_session_async (BcApiClient *self,
                                     const char *session_id,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data)
{
  entity_request_async (self, "POST", "/api/sessions/", session_id, "/approve", on_session,
                        bc_api_client_approve_session_async, cancellable, callback, user_data);
}

BcSession *
bc_api_client_approve_session_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bc_api_client_reject_session_async (BcApiClient *self,
                                    const char *session_id,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  entity_request_async (self, "POST", "/api/sessions/", session_id, "/reject", on_session,
                        bc_api_client_reject_session_async, cancellable, callback, user_data);
}

BcSession *
bc_api_client_reject_session_finish (BcApiClient *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
