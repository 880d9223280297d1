/* bc-config.h: bountycam-server's configuration, from the environment and flags */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Secrets shorter than this stop start-up (outside --dev). */
#define BC_CONFIG_MIN_SECRET_LEN 32

typedef struct
{
  gboolean dev;
  char *listen_host;
  guint listen_port; /* 0: any free port */
  char *database_path;
  char *public_url;         /* NULL: http://<bound address> */
  gboolean durable_commits; /* fsync every commit (BOUNTYCAM_DURABLE_COMMITS=1) */

  char *jwt_secret;  /* signs the API's access tokens */
  char *livekit_url; /* NULL: the built-in SFU on our own address */
  char *livekit_api_key;
  char *livekit_api_secret;
  char *cleanup_api_key;

  gint64 starting_points;
  gint64 session_timeout_s;
  guint cleanup_interval_s;
  gsize max_body_bytes;
  guint request_timeout_s; /* a request's headers and body must arrive within this */
  guint login_max_failures;
  guint login_lockout_s;
  guint access_token_ttl_s;
  guint refresh_token_ttl_s;
  guint livekit_token_ttl_s;
} BcConfig;

void bc_config_free (BcConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcConfig, bc_config_free)

/* Parses the flags in @argv (removing them) and the environment. In --dev,
 * fills in the database path and generates (once) the secrets file next to
 * it. Fails with a message naming the setting when a secret is missing or
 * weak outside --dev. */
BcConfig *bc_config_load (int *argc, char ***argv, GError **error);

/* Built only from defaults (tests). */
BcConfig *bc_config_new_defaults (void);

/* Checks a loaded configuration; the same rules bc_config_load applies. */
gboolean bc_config_validate (BcConfig *config, GError **error);

G_END_DECLS
