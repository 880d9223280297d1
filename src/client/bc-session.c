#include "config.h"

#include "bc-session.h"
#include "bc-client-private.h"

struct _BcSession
{
  GObject parent_instance;

  char *id;
  char *bounty_id;
  char *room;
  char *status;
  char *outcome;
  BcUser *streamer;
  BcUser *requester;
  GDateTime *last_activity_at;
  GListStore *events;
  char *stream_status;
  char *bounty_title;
  gint64 reward_points;
};

G_DEFINE_FINAL_TYPE (BcSession, bc_session, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_BOUNTY_ID,
  PROP_ROOM,
  PROP_STATUS,
  PROP_OUTCOME,
  PROP_STREAMER,
  PROP_REQUESTER,
  PROP_LAST_ACTIVITY_AT,
  PROP_EVENTS,
  PROP_STREAM_STATUS,
  PROP_BOUNTY_TITLE,
  PROP_REWARD_POINTS,
  PROP_IS_ENDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define NOTIFY(prop) g_object_notify_by_pspec (G_OBJECT (self), properties[prop])

static void
bc_session_finalize (GObject *object)
{
  BcSession *self = BC_SESSION (object);

  g_free (self->id);
  g_free (self->bounty_id);
  g_free (self->room);
  g_free (self->status);
  g_free (self->outcome);
  g_clear_object (&self->streamer);
  g_clear_object (&self->requester);
  g_clear_pointer (&self->last_activity_at, g_date_time_unref);
  g_clear_object (&self->events);
  g_free (self->stream_status);
  g_free (self->bounty_title);

  G_OBJECT_CLASS (bc_session_parent_class)->finalize (object);
}

static void
bc_session_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcSession *self = BC_SESSION (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_BOUNTY_ID:
      g_value_set_string (value, self->bounty_id);
      break;
    case PROP_ROOM:
      g_value_set_string (value, self->room);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_OUTCOME:
      g_value_set_string (value, self->outcome);
      break;
    case PROP_STREAMER:
      g_value_set_object (value, self->streamer);
      break;
    case PROP_REQUESTER:
      g_value_set_object (value, self->requester);
      break;
    case PROP_LAST_ACTIVITY_AT:
      g_value_set_boxed (value, self->last_activity_at);
      break;
    case PROP_EVENTS:
      g_value_set_object (value, self->events);
      break;
    case PROP_STREAM_STATUS:
      g_value_set_string (value, self->stream_status);
      break;
    case PROP_BOUNTY_TITLE:
      g_value_set_string (value, self->bounty_title);
      break;
    case PROP_REWARD_POINTS:
      g_value_set_int64 (value, self->reward_points);
      break;
    case PROP_IS_ENDED:
      g_value_set_boolean (value, bc_session_is_ended (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_session_class_init (BcSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = bc_session_finalize;
  object_class->get_property = bc_session_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_BOUNTY_ID] = g_param_spec_string ("bounty-id", NULL, NULL, NULL, flags);
  properties[PROP_ROOM] = g_param_spec_string ("room", NULL, NULL, NULL, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_OUTCOME] = g_param_spec_string ("outcome", NULL, NULL, NULL, flags);
  properties[PROP_STREAMER] = g_param_spec_object ("streamer", NULL, NULL, BC_TYPE_USER, flags);
  properties[PROP_REQUESTER] = g_param_spec_object ("requester", NULL, NULL, BC_TYPE_USER, flags);
  properties[PROP_LAST_ACTIVITY_AT] =
      g_param_spec_boxed ("last-activity-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_EVENTS] = g_param_spec_object ("events", NULL, NULL, G_TYPE_LIST_MODEL, flags);
  properties[PROP_STREAM_STATUS] = g_param_spec_string ("stream-status", NULL, NULL, NULL, flags);
  properties[PROP_STREAM_STATUS] = g_param_spec_string ("stream-status", NULL, NULL, NULL, flags);
  properties[PROP_BOUNTY_TITLE] = g_param_spec_string ("bounty-title", NULL, NULL, NULL, flags);
  properties[PROP_REWARD_POINTS] =
      g_param_spec_int64 ("reward-points", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_IS_ENDED] = g_param_spec_boolean ("is-ended", NULL, NULL, FALSE, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_session_init (BcSession *self)
{
  self->events = g_list_store_new (BC_TYPE_STREAM_EVENT);
}

BcSession *
bc_session_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr (BcSession) self = g_object_new (BC_TYPE_SESSION, NULL);

  if (!bc_session_update_from_json (self, object, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* A party is {id, display_name, …}; a bare "<role>_id" member is accepted too. */
static void
update_party (BcSession *self, JsonObject *object, const char *role, BcUser **field, guint prop)
{
  JsonNode *node = json_object_get_member (object, role);
  g_autoptr (JsonObject) flat = NULL;
  JsonObject *party = NULL;

  if (node && JSON_NODE_HOLDS_OBJECT (node))
    party = json_node_get_object (node);
  else
    {
      g_autofree char *member = g_strdup_printf ("%s_id", role);
      g_autofree char *id = _bc_json_dup_string (object, member);
      g_autofree char *name_member = g_strdup_printf ("%s_name", role);
      g_autofree char *name = _bc_json_dup_string (object, name_member);

      if (id == NULL && node && JSON_NODE_HOLDS_VALUE (node))
        id = _bc_json_dup_string (object, role);
      if (id == NULL)
        return;
      flat = json_object_new ();
      json_object_set_string_member (flat, "id", id);
      if (name)
        json_object_set_string_member (flat, "display_name", name);
      party = flat;
    }

  if (*field && g_strcmp0 (bc_user_get_id (*field),
                           json_object_get_string_member_with_default (party, "id", "")) == 0)
    bc_user_update_from_json (*field, party, NULL);
  else
    {
      g_autoptr (BcUser) user = bc_user_new_from_json (party, NULL);
      if (user)
        {
          g_set_object (field, user);
          NOTIFY (prop);
        }
    }
}

gboolean
bc_session_update_from_json (BcSession *self, JsonObject *object, GError **error)
{
  g_autofree char *id = _bc_json_dup_string (object, "id");
  g_autofree char *bounty_id = _bc_json_dup_string (object, "bounty_id");
  g_autofree char *room = _bc_json_dup_string (object, "room");
  g_autofree char *status = _bc_json_dup_string (object, "status");
  g_autofree char *outcome = _bc_json_dup_string (object, "outcome");
  g_autoptr (GDateTime) last = _bc_json_get_datetime (object, "last_activity_at");
  gboolean was_ended;
  JsonNode *node;

  g_return_val_if_fail (BC_IS_SESSION (self), FALSE);

  if (id == NULL)
    {
      g_propagate_error (error, _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0,
                                                      "The server sent a session without an id"));
      return FALSE;
    }

  was_ended = bc_session_is_ended (self);
  g_object_freeze_notify (G_OBJECT (self));
  if (_bc_set_string (&self->id, id))
    NOTIFY (PROP_ID);
  if (bounty_id && _bc_set_string (&self->bounty_id, bounty_id))
    NOTIFY (PROP_BOUNTY_ID);
  if (room == NULL)
    room = _bc_json_dup_string (object, "room_name");
  if (room && _bc_set_string (&self->room, room))
    NOTIFY (PROP_ROOM);
  if (status && _bc_set_string (&self->status, status))
    NOTIFY (PROP_STATUS);
  if (json_object_has_member (object, "outcome") && _bc_set_string (&self->outcome, outcome))
    NOTIFY (PROP_OUTCOME);
  if (json_object_has_member (object, "stream_status"))
    {
      g_autofree char *stream_status = _bc_json_dup_string (object, "stream_status");
      if (_bc_set_string (&self->stream_status, stream_status))
        NOTIFY (PROP_STREAM_STATUS);
    }
  if (last && _bc_set_datetime (&self->last_activity_at, last))
    NOTIFY (PROP_LAST_ACTIVITY_AT);

  update_party (self, object, "streamer", &self->streamer, PROP_STREAMER);
  update_party (self, object, "requester", &self->requester, PROP_REQUESTER);

  node = json_object_get_member (object, "bounty");
  if (node && JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *b = json_node_get_object (node);
      g_autofree char *title = _bc_json_dup_string (b, "title");

      if (self->bounty_id == NULL)
        {
          self->bounty_id = _bc_json_dup_string (b, "id");
          NOTIFY (PROP_BOUNTY_ID);
        }
      if (title && _bc_set_string (&self->bounty_title, title))
        NOTIFY (PROP_BOUNTY_TITLE);
      if (json_object_has_member (b, "reward_points"))
        {
          gint64 reward = _bc_json_get_int (b, "reward_points", 0);
          if (reward != self->reward_points)
            {
              self->reward_points = reward;
              NOTIFY (PROP_REWARD_POINTS);
            }
        }
    }
  else
    {
      g_autofree char *title = _bc_json_dup_string (object, "bounty_title");
      if (title == NULL)
        title = _bc_json_dup_string (object, "title");
      if (title && _bc_set_string (&self->bounty_title, title))
        NOTIFY (PROP_BOUNTY_TITLE);
      if (json_object_has_member (object, "reward_points"))
        {
          gint64 reward = _bc_json_get_int (object, "reward_points", 0);
          if (reward != self->reward_points)
            {
              self->reward_points = reward;
              NOTIFY (PROP_REWARD_POINTS);
            }
        }
    }

  node = json_object_get_member (object, "events");
  if (node && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      guint n = json_array_get_length (array);
      g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);

      for (guint i = 0; i < n; i++)
        {
          JsonNode *e = json_array_get_element (array, i);
          BcStreamEvent *event;

          if (!JSON_NODE_HOLDS_OBJECT (e))
            continue;
          event = bc_stream_event_new_from_json (json_node_get_object (e), NULL);
          if (event)
            g_ptr_array_add (items, event);
        }
      g_list_store_splice (self->events, 0, g_list_model_get_n_items (G_LIST_MODEL (self->events)),
                           items->pdata, items->len);
    }

  if (was_ended != bc_session_is_ended (self))
    NOTIFY (PROP_IS_ENDED);
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

void
bc_session_add_event (BcSession *self, BcStreamEvent *event)
{
  const char *id;
  guint n;

  g_return_if_fail (BC_IS_SESSION (self));
  g_return_if_fail (BC_IS_STREAM_EVENT (event));

  id = bc_stream_event_get_id (event);
  n = g_list_model_get_n_items (G_LIST_MODEL (self->events));
  if (id != NULL)
    for (guint i = 0; i < n; i++)
      {
        g_autoptr (BcStreamEvent) known = g_list_model_get_item (G_LIST_MODEL (self->events), i);
        if (g_strcmp0 (bc_stream_event_get_id (known), id) == 0)
          return;
      }
  g_list_store_append (self->events, event);
}

const char *
bc_session_get_id (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->id;
}

const char *
bc_session_get_bounty_id (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->bounty_id;
}

const char *
bc_session_get_room (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->room;
}

const char *
bc_session_get_status (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->status;
}

const char *
bc_session_get_outcome (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->outcome;
}

BcUser *
bc_session_get_streamer (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->streamer;
}

BcUser *
bc_session_get_requester (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->requester;
}

GDateTime *
bc_session_get_last_activity_at (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->last_activity_at;
}

GListModel *
bc_session_get_events (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return G_LIST_MODEL (self->events);
}

const char *
bc_session_get_stream_status (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->stream_status;
}

const char *
bc_session_get_bounty_title (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), NULL);
  return self->bounty_title;
}

gint64
bc_session_get_reward_points (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), 0);
  return self->reward_points;
}

gboolean
bc_session_is_ended (BcSession *self)
{
  g_return_val_if_fail (BC_IS_SESSION (self), FALSE);
  return g_strcmp0 (self->status, "ended") == 0 || self->outcome != NULL;
}
