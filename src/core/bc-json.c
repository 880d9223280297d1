#include "config.h"

#include "bc-json.h"
#include "bc-core-error.h"

JsonObject *
bc_json_parse_object (const char *data, gssize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local_error = NULL;
  JsonNode *root;

  if (data == NULL || len == 0)
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_JSON,
                           "The body is empty; a JSON object was expected");
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, len, &local_error))
    {
      g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_JSON,
                   "The body is not valid JSON: %s", local_error->message);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_JSON,
                           "The body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

char *
bc_json_node_to_string (JsonNode *node)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, node);
  return json_generator_to_data (gen, NULL);
}

char *
bc_json_object_to_string (JsonObject *object)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return bc_json_node_to_string (node);
}

static JsonNode *
lookup (JsonObject *object, const char *member, gboolean required, GError **error)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    {
      if (required)
        g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_FIELD,
                     "The field “%s” is required", member);
      return NULL;
    }
  return node;
}

static gboolean
wrong_type (const char *member, const char *expected, GError **error)
{
  g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_FIELD, "The field “%s” must be %s",
               member, expected);
  return FALSE;
}

const char *
bc_json_get_string (JsonObject *object, const char *member, gboolean required, GError **error)
{
  GError *local_error = NULL;
  JsonNode *node = lookup (object, member, required, &local_error);

  if (node == NULL)
    {
      if (local_error)
        g_propagate_error (error, local_error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      wrong_type (member, "a string", error);
      return NULL;
    }
  return json_node_get_string (node);
}

gboolean
bc_json_get_int (
    JsonObject *object, const char *member, gboolean required, gint64 *out_value, GError **error)
{
  GError *local_error = NULL;
  JsonNode *node = lookup (object, member, required, &local_error);

  if (node == NULL)
    {
      if (local_error)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return wrong_type (member, "an integer", error);
  *out_value = json_node_get_int (node);
  return TRUE;
}

gboolean
bc_json_get_bool (
    JsonObject *object, const char *member, gboolean required, gboolean *out_value, GError **error)
{
  GError *local_error = NULL;
  JsonNode *node = lookup (object, member, required, &local_error);

  if (node == NULL)
    {
      if (local_error)
        {
          g_propagate_error (error, local_error);
          return FALSE;
        }
      return TRUE;
    }
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return wrong_type (member, "true or false", error);
  *out_value = json_node_get_boolean (node);
  return TRUE;
}

JsonObject *
bc_json_get_object (JsonObject *object, const char *member, gboolean required, GError **error)
{
  GError *local_error = NULL;
  JsonNode *node = lookup (object, member, required, &local_error);

  if (node == NULL)
    {
      if (local_error)
        g_propagate_error (error, local_error);
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      wrong_type (member, "an object", error);
      return NULL;
    }
  return json_node_get_object (node);
}
