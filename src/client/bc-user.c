#include "config.h"

#include "bc-user.h"
#include "bc-client-private.h"

struct _BcUser
{
  GObject parent_instance;

  char *id;
  char *email;
  char *display_name;
  gint64 points;
};

G_DEFINE_FINAL_TYPE (BcUser, bc_user, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_EMAIL,
  PROP_DISPLAY_NAME,
  PROP_POINTS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bc_user_finalize (GObject *object)
{
  BcUser *self = BC_USER (object);

  g_free (self->id);
  g_free (self->email);
  g_free (self->display_name);

  G_OBJECT_CLASS (bc_user_parent_class)->finalize (object);
}

static void
bc_user_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcUser *self = BC_USER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_DISPLAY_NAME:
      g_value_set_string (value, self->display_name);
      break;
    case PROP_POINTS:
      g_value_set_int64 (value, self->points);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_user_class_init (BcUserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_user_finalize;
  object_class->get_property = bc_user_get_property;

  properties[PROP_ID] =
      g_param_spec_string ("id", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_EMAIL] =
      g_param_spec_string ("email", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL,
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_POINTS] =
      g_param_spec_int64 ("points", NULL, NULL, G_MININT64, G_MAXINT64, 0,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_user_init (BcUser *self)
{
}

BcUser *
bc_user_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr (BcUser) self = g_object_new (BC_TYPE_USER, NULL);

  if (!bc_user_update_from_json (self, object, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
bc_user_update_from_json (BcUser *self, JsonObject *object, GError **error)
{
  g_autofree char *id = _bc_json_dup_string (object, "id");
  g_autofree char *email = _bc_json_dup_string (object, "email");
  g_autofree char *name = _bc_json_dup_string (object, "display_name");

  g_return_val_if_fail (BC_IS_USER (self), FALSE);

  if (id == NULL)
    {
      g_propagate_error (error, _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0,
                                                      "The server sent a user without an id"));
      return FALSE;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (_bc_set_string (&self->id, id))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
  if (email && _bc_set_string (&self->email, email))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);
  if (name && _bc_set_string (&self->display_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
  if (object && json_object_has_member (object, "points"))
    bc_user_set_points (self, _bc_json_get_int (object, "points", self->points));
  g_object_thaw_notify (G_OBJECT (self));
  return TRUE;
}

const char *
bc_user_get_id (BcUser *self)
{
  g_return_val_if_fail (BC_IS_USER (self), NULL);
  return self->id;
}

const char *
bc_user_get_email (BcUser *self)
{
  g_return_val_if_fail (BC_IS_USER (self), NULL);
  return self->email;
}

const char *
bc_user_get_display_name (BcUser *self)
{
  g_return_val_if_fail (BC_IS_USER (self), NULL);
  return self->display_name;
}

gint64
bc_user_get_points (BcUser *self)
{
  g_return_val_if_fail (BC_IS_USER (self), 0);
  return self->points;
}

void
bc_user_set_points (BcUser *self, gint64 points)
{
  g_return_if_fail (BC_IS_USER (self));

  if (self->points == points)
    return;
  self->points = points;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POINTS]);
}
