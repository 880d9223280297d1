#include "config.h"

#include "bc-stream-event.h"
#include "bc-client-private.h"

struct _BcStreamEvent
{
  GObject parent_instance;

  char *id;
  char *type;
  GDateTime *created_at;
  char *detail;
};

G_DEFINE_FINAL_TYPE (BcStreamEvent, bc_stream_event, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_ID,
  PROP_TYPE,
  PROP_CREATED_AT,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
bc_stream_event_finalize (GObject *object)
{
  BcStreamEvent *self = BC_STREAM_EVENT (object);

  g_free (self->id);
  g_free (self->type);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_free (self->detail);

  G_OBJECT_CLASS (bc_stream_event_parent_class)->finalize (object);
}

static void
bc_stream_event_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcStreamEvent *self = BC_STREAM_EVENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_TYPE:
      g_value_set_string (value, self->type);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_stream_event_class_init (BcStreamEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = bc_stream_event_finalize;
  object_class->get_property = bc_stream_event_get_property;

  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  properties[PROP_TYPE] = g_param_spec_string ("type", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] =
      g_param_spec_boxed ("created-at", NULL, NULL, G_TYPE_DATE_TIME, flags);
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_stream_event_init (BcStreamEvent *self)
{
}

BcStreamEvent *
bc_stream_event_new_from_json (JsonObject *object, GError **error)
{
  g_autoptr (BcStreamEvent) self = g_object_new (BC_TYPE_STREAM_EVENT, NULL);
  JsonNode *detail;

  self->type = _bc_json_dup_string (object, "type");
  if (self->type == NULL)
    self->type = _bc_json_dup_string (object, "event_type");
  if (self->type == NULL)
    {
      g_propagate_error (error,
                         _bc_client_error_new (BC_CLIENT_ERROR_SERVER, 0, NULL, 0,
                                               "The server sent a stream event without a type"));
      return NULL;
    }
  self->id = _bc_json_dup_string (object, "id");
  self->created_at = _bc_json_get_datetime (object, "created_at");

  detail = json_object_get_member (object, "detail");
  if (detail == NULL)
    detail = json_object_get_member (object, "details");
  if (detail && JSON_NODE_HOLDS_VALUE (detail) &&
      json_node_get_value_type (detail) == G_TYPE_STRING)
    self->detail = g_strdup (json_node_get_string (detail));
  else if (detail && !JSON_NODE_HOLDS_NULL (detail))
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      json_generator_set_root (gen, detail);
      self->detail = json_generator_to_data (gen, NULL);
    }
  return g_steal_pointer (&self);
}

const char *
bc_stream_event_get_id (BcStreamEvent *self)
{
  g_return_val_if_fail (BC_IS_STREAM_EVENT (self), NULL);
  return self->id;
}

const char *
bc_stream_event_get_event_type (BcStreamEvent *self)
{
  g_return_val_if_fail (BC_IS_STREAM_EVENT (self), NULL);
  return self->type;
}

GDateTime *
bc_stream_event_get_created_at (BcStreamEvent *self)
{
  g_return_val_if_fail (BC_IS_STREAM_EVENT (self), NULL);
  return self->created_at;
}

const char *
bc_stream_event_get_detail (BcStreamEvent *self)
{
  g_return_val_if_fail (BC_IS_STREAM_EVENT (self), NULL);
  return self->detail;
}
