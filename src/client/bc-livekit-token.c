#include "config.h"

#include <string.h>

#include "bc-livekit-token.h"
#include "bc-client-private.h"

struct _BcLivekitToken
{
  GObject parent_instance;

  char *token;
  char *url;
  char *room;
  char *identity;
  char *role;
  gboolean can_publish;
};

G_DEFINE_FINAL_TYPE (BcLivekitToken, bc_livekit_token, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_TOKEN,
  PROP_URL,
  PROP_ROOM,
  PROP_IDENTITY,
  PROP_ROLE,
  PROP_CAN_PUBLISH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bc_livekit_token_finalize (GObject *object)
{
  BcLivekitToken *self = BC_LIVEKIT_TOKEN (object);

  if (self->token)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  g_free (self->url);
  g_free (self->room);
  g_free (self->identity);
  g_free (self->role);

  G_OBJECT_CLASS (bc_livekit_token_parent_class)->finalize (object);
}

static void
bc_livekit_token_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcLivekitToken *self = BC_LIVEKIT_TOKEN (object);

  switch (prop_id)
    {
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_ROOM:
      g_value_set_string (value, self->room);
      break;
    case PROP_IDENTITY:
      g_value_set_string (value, self->identity);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_CAN_PUBLISH:
      g_value_set_boolean (value, self->can_publish);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_livekit_token_class_init (BcLivekitTokenClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_livekit_token_finalize;
  object_class->get_property = bc_livekit_token_get_property;

  properties[PROP_TOKEN] =
      g_param_spec_string ("token", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_URL] =
      g_param_spec_string ("url", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROOM] =
      g_param_spec_string ("room", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_IDENTITY] =
      g_param_spec_string ("identity", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_ROLE] =
      g_param_spec_string ("role", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CAN_PUBLISH] = g_param_spec_boolean ("can-publish", NULL, NULL, FALSE,
                                                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_livekit_token_init (BcLivekitToken *self)
{
}

BcLivekitToken *
bc_livekit_token_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr (BcLivekitToken) self = g_object_new (BC_TYPE_LIVEKIT_TOKEN, NULL);

  self->token = _bc_json_dup_string (object, "token");
  self->url = _bc_json_dup_string (object, "url");
  if (self->token == NULL || self->url == NULL)
    {
      g_propagate_error (error,
                         _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0,
                                               "The server's LiveKit answer lacks a token or URL"));
      return NULL;
    }
  self->room = _bc_json_dup_string (object, "room");
  self->identity = _bc_json_dup_string (object, "identity");
  self->role = _bc_json_dup_string (object, "role");
  self->can_publish = _bc_json_get_bool (object, "can_publish", FALSE);
  return g_steal_pointer (&self);
}

const char *
bc_livekit_token_get_token (BcLivekitToken *self)
{
  g_return_val_if_fail (BC_IS_LIVEKIT_TOKEN (self), NULL);
  return self->token;
}

const char *
bc_livekit_token_get_url (BcLivekitToken *self)
{
  g_return_val_if_fail (BC_IS_LIVEKIT_TOKEN (self), NULL);
  return self->url;
}

const char *
bc_livekit_token_get_room (BcLivekitToken *self)
{
  g_return_val_if_fail (BC_IS_LIVEKIT_TOKEN (self), NULL);
  return self->room;
}

const char *
bc_livekit_token_get_identity (BcLivekitToken *self)
{
  g_return_val_if_fail (BC_IS_LIVEKIT_TOKEN (self), NULL);
  return self->identity;
}

const char *
bc_livekit_token_get_role (BcLivekitToken *self)
{
  g_return_val_if_fail (BC_IS_LIVEKIT_TOKEN (self), NULL);
  return self->role;
}

gboolean
bc_livekit_token_get_can_publish (BcLivekitToken *self)
{
  g_return_val_if_fail (BC_IS_LIVEKIT_TOKEN (self), FALSE);
  return self->can_publish;
}
