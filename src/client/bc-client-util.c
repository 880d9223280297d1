#include "config.h"

#include <string.h>

#include "bc-client-private.h"

GDateTime *
_bc_json_get_datetime (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      const char *text = json_node_get_string (node);
      g_autoptr (GTimeZone) utc = g_time_zone_new_utc ();
      GDateTime *dt = g_date_time_new_from_iso8601 (text, utc);

      /* SQLite's datetime() writes "YYYY-MM-DD HH:MM:SS" without a zone. */
      if (dt == NULL && text != NULL && strlen (text) >= 19 && text[10] == ' ')
        {
          g_autofree char *iso = g_strdup (text);
          iso[10] = 'T';
          dt = g_date_time_new_from_iso8601 (iso, utc);
        }
      return dt;
    }
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    {
      gint64 v = json_node_get_int (node);
      /* Milliseconds if it cannot be seconds (after the year 33658). */
      if (v > G_GINT64_CONSTANT (1000000000000))
        return g_date_time_new_from_unix_utc (v / 1000);
      return g_date_time_new_from_unix_utc (v);
    }
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return g_date_time_new_from_unix_utc ((gint64) json_node_get_double (node));
  return NULL;
}

char *
_bc_json_dup_string (JsonObject *object, const char *member)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    default:
      return NULL;
    }
}

gint64
_bc_json_get_int (JsonObject *object, const char *member, gint64 fallback)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node);
    case G_TYPE_DOUBLE:
      return (gint64) json_node_get_double (node);
    case G_TYPE_STRING:
      {
        const char *s = json_node_get_string (node);
        char *end = NULL;
        gint64 v = g_ascii_strtoll (s, &end, 10);
        return (end != s && *end == '\0') ? v : fallback;
      }
    default:
      return fallback;
    }
}

gboolean
_bc_json_get_bool (JsonObject *object, const char *member, gboolean fallback)
{
  JsonNode *node = object ? json_object_get_member (object, member) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return fallback;
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node);
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node) != 0;
  return fallback;
}

gboolean
_bc_set_string (char **field, const char *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

gboolean
_bc_set_datetime (GDateTime **field, GDateTime *value)
{
  if (*field == value || (*field && value && g_date_time_equal (*field, value)))
    return FALSE;
  g_clear_pointer (field, g_date_time_unref);
  if (value)
    *field = g_date_time_ref (value);
  return TRUE;
}
