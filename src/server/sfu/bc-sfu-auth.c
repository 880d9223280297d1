/* bc-sfu-auth.c
 *
 * Verification follows livekit-server (protocol auth/verifier.go and
 * grants.go): HS256 signed with the API secret, issuer = API key, exp
 * required with one minute of leeway, identity = sub. Absent canPublish and
 * canSubscribe mean true; absent canPublishData follows canPublish.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-auth.h"
#include "bc-sfu-error.h"

#include "bc-json.h"
#include "bc-jwt.h"

#include <string.h>

#define LEEWAY_SECONDS 60

void
bc_sfu_grants_free (BcSfuGrants *grants)
{
  if (grants == NULL)
    return;
  g_free (grants->identity);
  g_free (grants->name);
  g_free (grants->metadata);
  g_free (grants->room);
  g_clear_pointer (&grants->claims, json_object_unref);
  g_free (grants);
}

static gboolean
get_bool (JsonObject *obj, const char *member, gboolean fallback)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_BOOLEAN)
    return fallback;
  return json_node_get_boolean (node);
}

static const char *
get_string (JsonObject *obj, const char *member)
{
  JsonNode *node = json_object_get_member (obj, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static int
source_from_name (const char *name)
{
  static const char *const names[] = { "unknown", "camera", "microphone", "screen_share",
                                       "screen_share_audio" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (name, names[i]) == 0)
      return i;
  return -1;
}

/**
 * bc_sfu_grants_verify:
 * @now: seconds since the epoch
 *
 * Returns: (transfer full): the token's grants, or %NULL with
 * %BC_SFU_ERROR_UNAUTHORIZED
 */
BcSfuGrants *
bc_sfu_grants_verify (
    const char *token, const char *api_key, const char *api_secret, gint64 now, GError **error)
{
  g_autoptr (GError) local_error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (BcSfuGrants) grants = NULL;
  JsonObject *video = NULL;
  JsonNode *node;
  const char *iss;
  const char *sub;

  if (token == NULL || *token == '\0')
    {
      g_set_error_literal (error, BC_SFU_ERROR, BC_SFU_ERROR_UNAUTHORIZED,
                           "no authorization token was given");
      return NULL;
    }
  claims = bc_jwt_verify_hs256 (token, (const guint8 *) api_secret, strlen (api_secret), now,
                                LEEWAY_SECONDS, BC_JWT_VERIFY_REQUIRE_EXP, &local_error);
  if (claims == NULL)
    {
      g_set_error (error, BC_SFU_ERROR, BC_SFU_ERROR_UNAUTHORIZED, "invalid token: %s",
                   local_error->message);
      return NULL;
    }
  iss = get_string (claims, "iss");
  if (iss == NULL || g_strcmp0 (iss, api_key) != 0)
    {
      g_set_error_literal (error, BC_SFU_ERROR, BC_SFU_ERROR_UNAUTHORIZED, "invalid API key");
      return NULL;
    }

  grants = g_new0 (BcSfuGrants, 1);
  sub = get_string (claims, "sub");
  if (sub == NULL)
    sub = get_string (claims, "jti");
  grants->identity = g_strdup (sub ? sub : "");
  grants->name = g_strdup (get_string (claims, "name"));
  grants->metadata = g_strdup (get_string (claims, "metadata"));

  node = json_object_get_member (claims, "video");
  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    video = json_node_get_object (node);
  if (video != NULL)
    {
      grants->room = g_strdup (get_string (video, "room"));
      grants->room_join = get_bool (video, "roomJoin", FALSE);
      grants->room_admin = get_bool (video, "roomAdmin", FALSE);
      grants->room_list = get_bool (video, "roomList", FALSE);
      grants->room_create = get_bool (video, "roomCreate", FALSE);
      grants->can_publish = get_bool (video, "canPublish", TRUE);
      grants->can_subscribe = get_bool (video, "canSubscribe", TRUE);
      grants->can_publish_data = get_bool (video, "canPublishData", grants->can_publish);
      grants->hidden = get_bool (video, "hidden", FALSE);
      grants->publish_sources = ~0u;
      node = json_object_get_member (video, "canPublishSources");
      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        {
          JsonArray *array = json_node_get_array (node);

          grants->publish_sources = 0;
          for (guint i = 0; i < json_array_get_length (array); i++)
            {
              JsonNode *item = json_array_get_element (array, i);
              int source = -1;

              if (JSON_NODE_HOLDS_VALUE (item) && json_node_get_value_type (item) == G_TYPE_STRING)
                source = source_from_name (json_node_get_string (item));
              if (source >= 0)
                grants->publish_sources |= 1u << source;
            }
        }
    }
  grants->claims = g_steal_pointer (&claims);
  return g_steal_pointer (&grants);
}

gboolean
bc_sfu_grants_can_publish_source (const BcSfuGrants *grants, BcSfuSource source)
{
  if (!grants->can_publish)
    return FALSE;
  if ((guint) source > BC_SFU_SOURCE_SCREEN_SHARE_AUDIO)
    return FALSE;
  return (grants->publish_sources & (1u << source)) != 0;
}

/**
 * bc_sfu_grants_refresh_token:
 *
 * Returns: (transfer full): the same claims, valid from @now for @ttl
 * seconds, as livekit-server hands out in refresh_token responses
 */
char *
bc_sfu_grants_refresh_token (
    const BcSfuGrants *grants, const char *api_key, const char *api_secret, gint64 now, gint64 ttl)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  GList *members = json_object_get_members (grants->claims);

  for (GList *l = members; l != NULL; l = l->next)
    json_object_set_member (claims, l->data,
                            json_node_copy (json_object_get_member (grants->claims, l->data)));
  g_list_free (members);
  json_object_set_string_member (claims, "iss", api_key);
  json_object_set_int_member (claims, "nbf", now);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + ttl);
  return bc_jwt_sign_hs256 (claims, (const guint8 *) api_secret, strlen (api_secret));
}

/**
 * bc_sfu_token_from_request:
 *
 * LiveKit reads `Authorization: Bearer` first and the `access_token` query
 * parameter otherwise; JS uses the query, the Rust SDK the header.
 *
 * Returns: (transfer full) (nullable): the token
 */
char *
bc_sfu_token_from_request (const char *authorization, GHashTable *query)
{
  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0)
    return g_strstrip (g_strdup (authorization + 7));
  if (query != NULL && g_hash_table_lookup (query, "access_token") != NULL)
    return g_strdup (g_hash_table_lookup (query, "access_token"));
  return NULL;
}
