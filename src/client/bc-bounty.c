#include "config.h"

#include "bc-bounty.h"
#include "bc-client-private.h"

struct _BcBounty
{
  GObject parent_instance;

  char *id;
  char *title;
  char *description;
  gint64 reward_points;
  char *status;
  BcUser *requester;
  GDateTime *created_at;
  char *session_id;
};

G_DEFINE_FINAL_TYPE (BcBounty, bc_bounty, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TITLE,
  PROP_DESCRIPTION,
  PROP_REWARD_POINTS,
  PROP_STATUS,
  PROP_REQUESTER,
  PROP_REQUESTER_NAME,
  PROP_CREATED_AT,
  PROP_SESSION_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bc_bounty_finalize (GObject *object)
{
  BcBounty *self = BC_BOUNTY (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->description);
  g_free (self->status);
  g_clear_object (&self->requester);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_free (self->session_id);

  G_OBJECT_CLASS (bc_bounty_parent_class)->finalize (object);
}

static void
bc_bounty_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcBounty *self = BC_BOUNTY (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, self->description);
      break;
    case PROP_REWARD_POINTS:
      g_value_set_int64 (value, self->reward_points);
      break;
    case PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case PROP_REQUESTER:
      g_value_set_object (value, self->requester);
      break;
    case PROP_REQUESTER_NAME:
      g_value_set_string (value, bc_bounty_get_requester_name (self));
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_SESSION_ID:
      g_value_set_string (value, self->session_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_bounty_class_init (BcBountyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = bc_bounty_finalize;
  object_class->get_property = bc_bounty_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, flags);
  properties[PROP_REWARD_POINTS] =
      g_param_spec_int64 ("reward-points", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  properties[PROP_REQUESTER] = g_param_spec_object ("requester", NULL, NULL, BC_TYPE_USER, flags);
  properties[PROP_REQUESTER_NAME] = g_param_spec_string ("requester-name", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] =
      g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_SESSION_ID] = g_param_spec_string ("session-id", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_bounty_init (BcBounty *self)
{
}

BcBounty *
bc_bounty_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr (BcBounty) self = g_object_new (BC_TYPE_BOUNTY, NULL);

  if (!bc_bounty_update_from_json (self, object, error))
    return NULL;
  return g_steal_pointer (&self);
}

#define NOTIFY(prop) g_object_notify_by_pspec (G_OBJECT (self), properties[prop])

gboolean
bc_bounty_update_from_json (BcBounty *self, JsonObject *object, GError **error)
{
  g_autofree char *id = _bc_json_dup_string (object, "id");
  g_autofree char *title = _bc_json_dup_string (object, "title");
  g_autofree char *description = _bc_json_dup_string (object, "description");
  g_autofree char *status = _bc_json_dup_string (object, "status");
  g_autofree char *session_id = _bc_json_dup_string (object, "session_id");
  g_autoptr (GDateTime) created_at = _bc_json_get_datetime (object, "created_at");
  JsonNode *requester_node;

  g_return_val_if_fail (BC_IS_BOUNTY (self), FALSE);

  if (id == NULL)
    {
      g_propagate_error (error, _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0,
                                                      "The server sent a bounty without an id"));
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (_bc_set_string (&self->id, id))
    NOTIFY (PROP_ID);
  if (title && _bc_set_string (&self->title, title))
    NOTIFY (PROP_TITLE);
  if (description && _bc_set_string (&self->description, description))
    NOTIFY (PROP_DESCRIPTION);
  if (json_object_has_member (object, "reward_points"))
    {
      gint64 reward = _bc_json_get_int (object, "reward_points", self->reward_points);
      if (reward != self->reward_points)
        {
          self->reward_points = reward;
          NOTIFY (PROP_REWARD_POINTS);
        }
    }
  if (status && _bc_set_string (&self->status, status))
    NOTIFY (PROP_STATUS);
  if (created_at && _bc_set_datetime (&self->created_at, created_at))
    NOTIFY (PROP_CREATED_AT);
  if (json_object_has_member (object, "session_id") &&
      _bc_set_string (&self->session_id, session_id))
    NOTIFY (PROP_SESSION_ID);

  requester_node = json_object_get_member (object, "requester");
  if (requester_node && JSON_NODE_HOLDS_OBJECT (requester_node))
    {
      JsonObject *r = json_node_get_object (requester_node);
      const char *old_name = self->requester ? bc_user_get_display_name (self->requester) : NULL;
      g_autofree char *old_name_copy = g_strdup (old_name);

      if (self->requester &&
          g_strcmp0 (bc_user_get_id (self->requester),
                     json_object_get_string_member_with_default (r, "id", "")) == 0)
        bc_user_update_from_json (self->requester, r, NULL);
      else
        {
          g_autoptr (BcUser) user = bc_user_new_from_json (r, NULL);
          if (user)
            {
              g_set_object (&self->requester, user);
              NOTIFY (PROP_REQUESTER);
            }
        }
      if (self->requester &&
          g_strcmp0 (old_name_copy, bc_user_get_display_name (self->requester)) != 0)
        NOTIFY (PROP_REQUESTER_NAME);
    }
  else if (json_object_has_member (object, "requester_id") && self->requester == NULL)
    {
      /* A flat form ({requester_id, requester_name}) is accepted too. */
      g_autoptr (JsonObject) r = json_object_new ();
      g_autofree char *rid = _bc_json_dup_string (object, "requester_id");
      g_autofree char *rname = _bc_json_dup_string (object, "requester_name");

      json_object_set_string_member (r, "id", rid);
      if (rname)
        json_object_set_string_member (r, "display_name", rname);
      self->requester = bc_user_new_from_json (r, NULL);
      NOTIFY (PROP_REQUESTER);
      NOTIFY (PROP_REQUESTER_NAME);
    }
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

const char *
bc_bounty_get_id (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->id;
}

const char *
bc_bounty_get_title (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->title;
}

const char *
bc_bounty_get_description (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->description;
}

gint64
bc_bounty_get_reward_points (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), 0);
  return self->reward_points;
}

const char *
bc_bounty_get_status (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->status;
}

BcUser *
bc_bounty_get_requester (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->requester;
}

const char *
bc_bounty_get_requester_name (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->requester ? bc_user_get_display_name (self->requester) : NULL;
}

GDateTime *
bc_bounty_get_created_at (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->created_at;
}

const char *
bc_bounty_get_session_id (BcBounty *self)
{
  g_return_val_if_fail (BC_IS_BOUNTY (self), NULL);
  return self->session_id;
}
