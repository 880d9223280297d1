/* bc-json.h: strict JSON parsing and typed member access with errors that name the field */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

JsonObject *bc_json_parse_object (const char *data, gssize len, GError **error);
char *bc_json_object_to_string (JsonObject *object);
char *bc_json_node_to_string (JsonNode *node);

/* Each getter fails with BC_CORE_ERROR_INVALID_FIELD naming @member when it
 * is of the wrong type, or missing while @required. A missing optional member
 * returns the default and no error. */
const char *
bc_json_get_string (JsonObject *object, const char *member, gboolean required, GError **error);
gboolean bc_json_get_int (
    JsonObject *object, const char *member, gboolean required, gint64 *out_value, GError **error);
gboolean bc_json_get_bool (
    JsonObject *object, const char *member, gboolean required, gboolean *out_value, GError **error);
JsonObject *
bc_json_get_object (JsonObject *object, const char *member, gboolean required, GError **error);

G_END_DECLS
