/* bc-routes-api.c: bounties, sessions, LiveKit tokens and webhooks, cleanup
 *
 * Permission rules live here; the store enforces the state transitions
 * (open → accepted, active → ended) itself so that races cannot break them.
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-server-private.h"
#include "bc-core-error.h"
#include "bc-json.h"
#include "bc-secure.h"

#include <string.h>

#define LIST_LIMIT      100
#define TITLE_MAX       120
#define DESCRIPTION_MAX 2000
#define REWARD_MAX      1000000

static void
reply_forbidden (BcRequest *req, const char *message)
{
  bc_reply_error (req, SOUP_STATUS_FORBIDDEN, "forbidden", message);
}

static void
reply_invalid (BcRequest *req, const char *field, const char *what)
{
  g_autofree char *message = g_strdup_printf ("The field “%s” %s", field, what);

  bc_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field", message);
}

/* Whether the query has @name=@value (or @name=1/true when @value is NULL). */
static gboolean
query_has (BcRequest *req, const char *name, const char *value)
{
  const char *query = g_uri_get_query (soup_server_message_get_uri (req->msg));
  g_autoptr (GHashTable) form = NULL;
  const char *have;

  if (query == NULL)
    return FALSE;
  form = soup_form_decode (query);
  have = g_hash_table_lookup (form, name);
  if (have == NULL)
    return FALSE;
  if (value != NULL)
    return g_str_equal (have, value);
  return g_str_equal (have, "1") || g_str_equal (have, "true");
}

static gboolean
is_participant (BcSession *session, const char *user_id)
{
  return g_strcmp0 (session->streamer_id, user_id) == 0 ||
         g_strcmp0 (session->requester_id, user_id) == 0;
}

/* Text fields: trimmed, plain text, within limits. */
static char *
get_text (BcRequest *req, const char *field, gsize min_chars, gsize max_chars)
{
  g_autoptr (GError) error = NULL;
  const char *value = bc_json_get_string (req->body, field, TRUE, &error);
  g_autofree char *trimmed = NULL;
  glong chars;

  if (value == NULL)
    {
      bc_reply_gerror (req, error);
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      reply_invalid (req, field, "must be valid UTF-8 text");
      return NULL;
    }
  trimmed = g_strstrip (g_strdup (value));
  chars = g_utf8_strlen (trimmed, -1);
  if ((gsize) chars < min_chars || (gsize) chars > max_chars)
    {
      g_autofree char *what = g_strdup_printf (
          "must have %" G_GSIZE_FORMAT " to %" G_GSIZE_FORMAT " characters", min_chars, max_chars);
      reply_invalid (req, field, what);
      return NULL;
    }
  for (const char *p = trimmed; *p; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c) && c != '\n' && c != '\t')
        {
          reply_invalid (req, field, "must not contain control characters");
          return NULL;
        }
    }
  return g_steal_pointer (&trimmed);
}

/* ---- bounties ---- */

void
bc_route_list_bounties (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (JsonObject) root = json_object_new ();
  JsonArray *array;
  gboolean mine;

  if (!bc_request_authenticate (req))
    return;
  /* ?filter=mine (or ?mine=1): my own bounties; otherwise the open ones of others. */
  mine = query_has (req, "filter", "mine") || query_has (req, "mine", NULL);
  list = bc_store_list_bounties (req->server->store,
                                 mine ? BC_BOUNTY_LIST_MINE : BC_BOUNTY_LIST_OPEN_OF_OTHERS,
                                 req->user_id, LIST_LIMIT, &error);
  if (list == NULL)
    return bc_reply_gerror (req, error);
  array = json_array_sized_new (list->len);
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (array, bc_json_bounty (g_ptr_array_index (list, i)));
  json_object_set_array_member (root, "bounties", array);
  bc_reply_object (req, SOUP_STATUS_OK, root);
}

void
bc_route_create_bounty (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  g_autofree char *id = NULL;
  g_autoptr (BcUser) user = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (JsonObject) object = NULL;
  gint64 reward = 0;

  if (!bc_request_authenticate (req) || !bc_request_parse_body (req))
    return;
  if ((title = get_text (req, "title", 1, TITLE_MAX)) == NULL ||
      (description = get_text (req, "description", 0, DESCRIPTION_MAX)) == NULL)
    return;
  if (!bc_json_get_int (req->body, "reward_points", TRUE, &reward, &error))
    return bc_reply_gerror (req, error);
  if (reward < 1 || reward > REWARD_MAX)
    return reply_invalid (req, "reward_points", "must be at least 1");
  user = bc_store_get_user (self->store, req->user_id, NULL, &error);
  if (user == NULL)
    return bc_reply_gerror (req, error);
  if (reward > user->points)
    {
      g_autofree char *what = g_strdup_printf (
          "must not be more than your balance of %" G_GINT64_FORMAT " points", user->points);
      return reply_invalid (req, "reward_points", what);
    }

  id = bc_random_uuid ();
  bounty = bc_store_create_bounty (self->store, id, req->user_id, title, description, reward,
                                   bc_now_ms (), &error);
  if (bounty == NULL)
    {
      if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_INSUFFICIENT_POINTS))
        return reply_invalid (req, "reward_points", "must not be more than your balance");
      return bc_reply_gerror (req, error);
    }
  object = bc_json_bounty (bounty);
  bc_reply_object (req, SOUP_STATUS_CREATED, object);
  bc_server_notify_bounty (self, "bounty.created", bounty);
  bc_server_notify_balance (self, req->user_id);
}

void
bc_route_get_bounty (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (JsonObject) object = NULL;

  if (!bc_request_authenticate (req))
    return;
  bounty = bc_store_get_bounty (req->server->store, req->param, &error);
  if (bounty == NULL)
    return bc_reply_gerror (req, error);
  /* Open bounties are public; a taken one only concerns its two people. */
  if (!g_str_equal (bounty->status, "open") && g_strcmp0 (bounty->requester_id, req->user_id) != 0)
    {
      g_autoptr (BcSession) session = NULL;

      if (bounty->session_id != NULL)
        session = bc_store_get_session (req->server->store, bounty->session_id, FALSE, NULL);
      if (session == NULL || !is_participant (session, req->user_id))
        return reply_forbidden (req, "This bounty is not yours");
    }
  object = bc_json_bounty (bounty);
  bc_reply_object (req, SOUP_STATUS_OK, object);
}

void
bc_route_cancel_bounty (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (JsonObject) object = NULL;

  if (!bc_request_authenticate (req))
    return;
  bounty = bc_store_get_bounty (self->store, req->param, &error);
  if (bounty == NULL)
    return bc_reply_gerror (req, error);
  if (g_strcmp0 (bounty->requester_id, req->user_id) != 0)
    return reply_forbidden (req, "Only the requester can cancel a bounty");
  g_clear_pointer (&bounty, bc_bounty_free);
  bounty = bc_store_cancel_bounty (self->store, req->param, bc_now_ms (), &error);
  if (bounty == NULL)
    return bc_reply_gerror (req, error);
  object = bc_json_bounty (bounty);
  bc_reply_object (req, SOUP_STATUS_OK, object);
  bc_server_notify_bounty (self, "bounty.updated", bounty);
  bc_server_notify_balance (self, req->user_id);
}

void
bc_route_accept_bounty (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (JsonObject) object = NULL;
  g_autofree char *session_id = NULL;

  if (!bc_request_authenticate (req))
    return;
  bounty = bc_store_get_bounty (self->store, req->param, &error);
  if (bounty == NULL)
    return bc_reply_gerror (req, error);
  if (g_strcmp0 (bounty->requester_id, req->user_id) == 0)
    return reply_forbidden (req, "You cannot accept your own bounty");
  if (!g_str_equal (bounty->status, "open"))
    return bc_reply_error (req, SOUP_STATUS_CONFLICT, "conflict", "This bounty is no longer open");

  /* The room is named after the session (a UUID), as the spec asks. */
  session_id = bc_random_uuid ();
  session = bc_store_accept_bounty (self->store, req->param, req->user_id, session_id, bc_now_ms (),
                                    &error);
  if (session == NULL)
    return bc_reply_gerror (req, error);
  object = bc_json_session (session);
  bc_reply_object (req, SOUP_STATUS_CREATED, object);

  g_clear_pointer (&bounty, bc_bounty_free);
  bounty = bc_store_get_bounty (self->store, req->param, NULL);
  if (bounty != NULL)
    bc_server_notify_bounty (self, "bounty.updated", bounty);
  bc_server_notify_session (self, session);
}

/* ---- sessions ---- */

/* Loads the session of the path and checks that the caller is in it. */
static BcSession *
load_session (BcRequest *req, const char *id, gboolean with_events)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;

  session = bc_store_get_session (req->server->store, id, with_events, &error);
  if (session == NULL)
    {
      bc_reply_gerror (req, error);
      return NULL;
    }
  if (!is_participant (session, req->user_id))
    {
      reply_forbidden (req, "This session is not yours");
      return NULL;
    }
  return g_steal_pointer (&session);
}

void
bc_route_list_sessions (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (JsonObject) root = json_object_new ();
  JsonArray *array;

  if (!bc_request_authenticate (req))
    return;
  list = bc_store_list_sessions (req->server->store, req->user_id, LIST_LIMIT, &error);
  if (list == NULL)
    return bc_reply_gerror (req, error);
  array = json_array_sized_new (list->len);
  for (guint i = 0; i < list->len; i++)
    json_array_add_object_element (array, bc_json_session (g_ptr_array_index (list, i)));
  json_object_set_array_member (root, "sessions", array);
  bc_reply_object (req, SOUP_STATUS_OK, root);
}

void
bc_route_get_session (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (JsonObject) object = NULL;

  if (!bc_request_authenticate (req) || (session = load_session (req, req->param, TRUE)) == NULL)
    return;
  object = bc_json_session (session);
  bc_reply_object (req, SOUP_STATUS_OK, object);
}

void
bc_route_session_event (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (BcStreamEvent) event = NULL;
  g_autoptr (JsonObject) object = NULL;
  const char *type;

  if (!bc_request_authenticate (req) || !bc_request_parse_body (req))
    return;
  type = bc_json_get_string (req->body, "type", TRUE, &error);
  if (type == NULL)
    return bc_reply_gerror (req, error);
  if (!g_str_equal (type, "stream_started"))
    return reply_invalid (req, "type",
                          "must be “stream_started”: the other events come from LiveKit and "
                          "the server");
  if ((session = load_session (req, req->param, FALSE)) == NULL)
    return;
  if (g_strcmp0 (session->streamer_id, req->user_id) != 0)
    return reply_forbidden (req, "Only the streamer reports the stream");
  event = bc_store_add_stream_event (self->store, session->id, type, "client", req->user_id, NULL,
                                     bc_now_ms (), &error);
  if (event == NULL)
    return bc_reply_gerror (req, error);
  g_clear_pointer (&session, bc_session_free);
  session = bc_store_get_session (self->store, req->param, TRUE, &error);
  if (session == NULL)
    return bc_reply_gerror (req, error);
  object = bc_json_session (session);
  bc_reply_object (req, SOUP_STATUS_CREATED, object);
  bc_server_notify_event (self, session, event);
}

static void
settle (BcRequest *req, BcSettleOutcome outcome)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (JsonObject) object = NULL;

  if (!bc_request_authenticate (req) || (session = load_session (req, req->param, FALSE)) == NULL)
    return;
  if (g_strcmp0 (session->requester_id, req->user_id) != 0)
    return reply_forbidden (req, "Only the requester approves or rejects");
  if (!bc_session_is_active (session))
    return bc_reply_error (req, SOUP_STATUS_CONFLICT, "session_ended", "The session has ended");
  g_clear_pointer (&session, bc_session_free);
  session = bc_server_settle (req->server, req->param, outcome, &error);
  if (session == NULL)
    {
      if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_CONFLICT))
        return bc_reply_error (req, SOUP_STATUS_CONFLICT, "session_ended", error->message);
      return bc_reply_gerror (req, error);
    }
  object = bc_json_session (session);
  bc_reply_object (req, SOUP_STATUS_OK, object);
}

void
bc_route_approve (BcRequest *req)
{
  settle (req, BC_SETTLE_APPROVED);
}

void
bc_route_reject (BcRequest *req)
{
  settle (req, BC_SETTLE_REJECTED);
}

/* ---- LiveKit ---- */

void
bc_route_livekit_token (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (JsonObject) root = NULL;
  g_autofree char *token = NULL;
  const char *session_id;
  gboolean streamer;

  if (!bc_request_authenticate (req) || !bc_request_parse_body (req))
    return;
  session_id = bc_json_get_string (req->body, "session_id", TRUE, &error);
  if (session_id == NULL)
    return bc_reply_gerror (req, error);
  if (strlen (session_id) > 64)
    return reply_invalid (req, "session_id", "is not a session id");
  if ((session = load_session (req, session_id, FALSE)) == NULL)
    return;
  if (!bc_session_is_active (session))
    return bc_reply_error (req, SOUP_STATUS_CONFLICT, "session_ended",
                           "The session has ended; there is nothing to join");

  streamer = g_str_equal (session->streamer_id, req->user_id);
  token = bc_livekit_token_mint (
      self->config->livekit_api_key, self->config->livekit_api_secret, req->user_id,
      streamer ? session->streamer_name : session->requester_name, session->room_name, session->id,
      streamer ? BC_ROLE_STREAMER : BC_ROLE_REQUESTER, bc_now_ms () / 1000,
      self->config->livekit_token_ttl_s);
  root = json_object_new ();
  json_object_set_string_member (root, "token", token);
  json_object_set_string_member (root, "url", self->livekit_url);
  json_object_set_string_member (root, "room", session->room_name);
  json_object_set_string_member (root, "identity", req->user_id);
  json_object_set_string_member (
      root, "role", bc_role_to_string (streamer ? BC_ROLE_STREAMER : BC_ROLE_REQUESTER));
  json_object_set_boolean_member (root, "can_publish", streamer);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Cache-Control", "no-store");
  bc_reply_object (req, SOUP_STATUS_OK, root);
}

static void
reply_webhook (BcRequest *req, const char *result)
{
  g_autoptr (JsonObject) root = json_object_new ();

  json_object_set_string_member (root, "result", result);
  bc_reply_object (req, SOUP_STATUS_OK, root);
}

void
bc_route_livekit_webhook (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (BcSession) session = NULL;
  g_autoptr (BcStreamEvent) event = NULL;
  JsonObject *room, *participant;
  const char *name, *id, *room_name, *identity;
  const char *event_type = NULL;
  gsize len;
  const char *data;

  body = soup_message_body_flatten (soup_server_message_get_request_body (req->msg));
  data = g_bytes_get_data (body, &len);
  if (!bc_livekit_webhook_verify (
          self->config->livekit_api_key, self->config->livekit_api_secret,
          soup_message_headers_get_one (soup_server_message_get_request_headers (req->msg),
                                        "Authorization"),
          data ? data : "", len, bc_now_ms () / 1000, &error))
    return bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_signature", error->message);
  if (!bc_request_parse_body (req))
    return;

  name = bc_json_get_string (req->body, "event", TRUE, &error);
  if (name == NULL)
    return bc_reply_gerror (req, error);
  id = bc_json_get_string (req->body, "id", FALSE, NULL);
  room = bc_json_get_object (req->body, "room", FALSE, NULL);
  participant = bc_json_get_object (req->body, "participant", FALSE, NULL);
  room_name = room ? bc_json_get_string (room, "name", FALSE, NULL) : NULL;
  identity = participant ? bc_json_get_string (participant, "identity", FALSE, NULL) : NULL;

  if (room_name != NULL && strlen (room_name) <= 64)
    session = bc_store_get_session (self->store, room_name, FALSE, NULL);
  if (session != NULL && identity != NULL && g_str_equal (identity, session->streamer_id))
    {
      if (g_str_equal (name, "track_published"))
        event_type = "stream_active";
      else if ((g_str_equal (name, "track_unpublished") ||
                g_str_equal (name, "participant_left")) &&
               (g_strcmp0 (session->stream_status, "active") == 0 ||
                g_strcmp0 (session->stream_status, "started") == 0))
        event_type = "stream_inactive";
    }

  if (event_type == NULL || !bc_session_is_active (session))
    {
      /* Nothing to log; still remember the id so a redelivery is recognised. */
      if (id != NULL && !bc_store_record_webhook (self->store, id, name, bc_now_ms (), &error))
        {
          if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_DUPLICATE))
            return reply_webhook (req, "duplicate");
          return bc_reply_gerror (req, error);
        }
      return reply_webhook (req, "ignored");
    }

  event = bc_store_add_stream_event (self->store, session->id, event_type, "livekit", identity, id,
                                     bc_now_ms (), &error);
  if (event == NULL)
    {
      if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_DUPLICATE))
        return reply_webhook (req, "duplicate");
      if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_CONFLICT))
        return reply_webhook (req, "ignored");
      return bc_reply_gerror (req, error);
    }
  reply_webhook (req, "logged");
  g_clear_pointer (&session, bc_session_free);
  session = bc_store_get_session (self->store, event->session_id, TRUE, NULL);
  if (session != NULL)
    bc_server_notify_event (self, session, event);
}

/* ---- cleanup ---- */

void
bc_route_cleanup (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (JsonObject) root = NULL;
  const char *key = bc_request_bearer (req);
  guint n;

  if (!bc_secure_str_equal (key, req->server->config->cleanup_api_key))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "WWW-Authenticate", "Bearer");
      return bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "unauthorized",
                             "This needs Authorization: Bearer $CLEANUP_API_KEY");
    }
  n = bc_server_run_cleanup (req->server);
  root = json_object_new ();
  json_object_set_int_member (root, "timed_out", n);
  bc_reply_object (req, SOUP_STATUS_OK, root);
}
