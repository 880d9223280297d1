/* bc-sfu-auth.h: LiveKit access tokens as the built-in SFU checks them */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* LiveKit's track sources, as in TrackSource of livekit_models.proto. */
typedef enum
{
  BC_SFU_SOURCE_UNKNOWN = 0,
  BC_SFU_SOURCE_CAMERA = 1,
  BC_SFU_SOURCE_MICROPHONE = 2,
  BC_SFU_SOURCE_SCREEN_SHARE = 3,
  BC_SFU_SOURCE_SCREEN_SHARE_AUDIO = 4,
} BcSfuSource;

typedef struct
{
  char *identity;
  char *name;
  char *metadata;
  char *room;
  gboolean room_join;
  gboolean room_admin;
  gboolean room_list;
  gboolean room_create;
  gboolean can_publish;
  gboolean can_subscribe;
  gboolean can_publish_data;
  gboolean hidden;
  /* Bit (1 << BcSfuSource) for each allowed source; all when no list. */
  guint publish_sources;
  JsonObject *claims;
} BcSfuGrants;

void bc_sfu_grants_free (BcSfuGrants *grants);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSfuGrants, bc_sfu_grants_free)

BcSfuGrants *bc_sfu_grants_verify (
    const char *token, const char *api_key, const char *api_secret, gint64 now, GError **error);
gboolean bc_sfu_grants_can_publish_source (const BcSfuGrants *grants, BcSfuSource source);
char *bc_sfu_grants_refresh_token (
    const BcSfuGrants *grants, const char *api_key, const char *api_secret, gint64 now, gint64 ttl);
char *bc_sfu_token_from_request (const char *authorization, GHashTable *query);

G_END_DECLS
