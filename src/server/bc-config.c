/* bc-config.c
 *
 * Every setting has an environment variable and (for the common ones) a
 * flag; a flag wins over the environment. The LiveKit and cleanup settings
 * use the names of the BountyCam spec.
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-config.h"
#include "bc-secure.h"

#include <gio/gio.h>

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_PORT  8080
#define SECRETS_FILE  "secrets.ini"
#define SECRETS_GROUP "secrets"

void
bc_config_free (BcConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->listen_host);
  g_free (config->database_path);
  g_free (config->public_url);
  g_free (config->livekit_url);
  g_free (config->livekit_api_key);
  g_clear_pointer (&config->jwt_secret, g_free);
  g_clear_pointer (&config->livekit_api_secret, g_free);
  g_clear_pointer (&config->cleanup_api_key, g_free);
  g_free (config);
}

BcConfig *
bc_config_new_defaults (void)
{
  BcConfig *config = g_new0 (BcConfig, 1);

  config->listen_host = g_strdup ("0.0.0.0");
  config->listen_port = DEFAULT_PORT;
  config->starting_points = 100;
  config->session_timeout_s = 2 * 60 * 60;
  config->cleanup_interval_s = 60;
  config->max_body_bytes = 64 * 1024;
  /* A 64 KiB body in 30 s is 2 KiB/s: any real client, even on a poor link. */
  config->request_timeout_s = 30;
  config->login_max_failures = 5;
  config->login_lockout_s = 300;
  config->access_token_ttl_s = 15 * 60;
  config->refresh_token_ttl_s = 30 * 24 * 60 * 60;
  config->livekit_token_ttl_s = 60 * 60;
  return config;
}

static const char *
env (const char *name)
{
  const char *value = g_getenv (name);

  return value && *value ? value : NULL;
}

static void
set_from_env (char **field, const char *name)
{
  const char *value = env (name);

  if (value != NULL)
    {
      g_free (*field);
      *field = g_strdup (value);
    }
}

static gboolean
parse_int (
    const char *text, const char *setting, gint64 min, gint64 max, gint64 *out, GError **error)
{
  gint64 value;

  if (!g_ascii_string_to_signed (text, 10, min, max, &value, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s must be a whole number between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                   setting, min, max);
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
parse_listen (BcConfig *config, const char *text, GError **error)
{
  g_autofree char *host = NULL;
  const char *colon = strrchr (text, ':');
  gint64 port;

  if (colon == NULL || colon == text)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--listen / BOUNTYCAM_LISTEN must be HOST:PORT, e.g. 127.0.0.1:8080");
      return FALSE;
    }
  host = g_strndup (text, colon - text);
  if (host[0] == '[' && host[strlen (host) - 1] == ']')
    {
      char *inner = g_strndup (host + 1, strlen (host) - 2);
      g_free (host);
      host = inner;
    }
  if (!parse_int (colon + 1, "The port of --listen / BOUNTYCAM_LISTEN", 0, 65535, &port, error))
    return FALSE;
  g_free (config->listen_host);
  config->listen_host = g_steal_pointer (&host);
  config->listen_port = (guint) port;
  return TRUE;
}

static gboolean
is_loopback (const char *host)
{
  g_autoptr (GInetAddress) addr = NULL;

  if (g_strcmp0 (host, "localhost") == 0)
    return TRUE;
  addr = g_inet_address_new_from_string (host);
  return addr != NULL && g_inet_address_get_is_loopback (addr);
}

/* In --dev the secrets are generated on first start and kept next to the
 * database, readable by the owner only. */
static gboolean
load_dev_secrets (BcConfig *config, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (config->database_path);
  g_autofree char *path = g_build_filename (dir, SECRETS_FILE, NULL);
  g_autoptr (GKeyFile) keys = g_key_file_new ();
  g_autoptr (GError) local_error = NULL;
  struct
  {
    const char *key;
    char **field;
    gboolean random;
  } items[] = {
    { "jwt_secret", &config->jwt_secret, TRUE },
    { "livekit_api_key", &config->livekit_api_key, FALSE },
    { "livekit_api_secret", &config->livekit_api_secret, TRUE },
    { "cleanup_api_key", &config->cleanup_api_key, TRUE },
  };
  gboolean changed = FALSE;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                   "Cannot create the data directory %s: %s", dir, g_strerror (errno));
      return FALSE;
    }
  if (!g_key_file_load_from_file (keys, path, G_KEY_FILE_NONE, &local_error) &&
      !g_error_matches (local_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    {
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  "Cannot read the secrets file %s: ", path);
      return FALSE;
    }

  for (gsize i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autofree char *value = g_key_file_get_string (keys, SECRETS_GROUP, items[i].key, NULL);

      if (value == NULL || *value == '\0')
        {
          g_free (value);
          if (items[i].random)
            value = bc_random_token (32);
          else
            {
              g_autofree char *suffix = bc_random_token (9);
              value = g_strconcat ("APIdev", suffix, NULL);
            }
          g_key_file_set_string (keys, SECRETS_GROUP, items[i].key, value);
          changed = TRUE;
        }
      g_free (*items[i].field);
      *items[i].field = g_steal_pointer (&value);
    }

  if (changed)
    {
      g_autofree char *data = g_key_file_to_data (keys, NULL, NULL);
      g_autofree char *tmp = g_strconcat (path, ".tmp", NULL);
      int fd = g_open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
      gsize len = strlen (data);

      if (fd < 0 || write (fd, data, len) != (gssize) len || fsync (fd) != 0)
        {
          int saved = errno;
          if (fd >= 0)
            close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       "Cannot write the secrets file %s: %s", tmp, g_strerror (saved));
          return FALSE;
        }
      close (fd);
      if (g_rename (tmp, path) != 0)
        {
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
                       "Cannot write the secrets file %s: %s", path, g_strerror (errno));
          return FALSE;
        }
      memset (data, 0, len);
    }
  return TRUE;
}

static gboolean
check_secret (const char *value, const char *setting, GError **error)
{
  if (value == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s is not set. Set it to a random string of at least %d characters, or run "
                   "with --dev for local defaults",
                   setting, BC_CONFIG_MIN_SECRET_LEN);
      return FALSE;
    }
  if (strlen (value) < BC_CONFIG_MIN_SECRET_LEN)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s is too weak: use a random string of at least %d characters", setting,
                   BC_CONFIG_MIN_SECRET_LEN);
      return FALSE;
    }
  return TRUE;
}

gboolean
bc_config_validate (BcConfig *config, GError **error)
{
  if (config->dev && !is_loopback (config->listen_host))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--dev only listens on loopback; %s is not a loopback address",
                   config->listen_host);
      return FALSE;
    }
  if (config->database_path == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "BOUNTYCAM_DATABASE (or --database) is not set");
      return FALSE;
    }
  if (config->livekit_api_key == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "LIVEKIT_API_KEY is not set (the LiveKit project's API key)");
      return FALSE;
    }
  if (!check_secret (config->livekit_api_secret, "LIVEKIT_API_SECRET", error) ||
      !check_secret (config->cleanup_api_key, "CLEANUP_API_KEY", error) ||
      !check_secret (config->jwt_secret, "BOUNTYCAM_JWT_SECRET", error))
    return FALSE;
  if (config->livekit_url != NULL && !g_str_has_prefix (config->livekit_url, "ws://") &&
      !g_str_has_prefix (config->livekit_url, "wss://") &&
      !g_str_has_prefix (config->livekit_url, "http://") &&
      !g_str_has_prefix (config->livekit_url, "https://"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "LIVEKIT_URL must start with wss://, ws://, https:// or http://");
      return FALSE;
    }
  return TRUE;
}

BcConfig *
bc_config_load (int *argc, char ***argv, GError **error)
{
  g_autoptr (BcConfig) config = bc_config_new_defaults ();
  g_autoptr (GOptionContext) context = NULL;
  gboolean dev = FALSE;
  g_autofree char *listen = NULL;
  g_autofree char *database = NULL;
  g_autofree char *livekit_url = NULL;
  g_autofree char *public_url = NULL;
  g_autofree char *starting_points = NULL;
  g_autofree char *session_timeout = NULL;
  g_autofree char *cleanup_interval = NULL;
  gint64 value;
  GOptionEntry entries[] = {
    { "dev", 0, 0, G_OPTION_ARG_NONE, &dev,
      "Local development: loopback only, data in the user's data directory, generated secrets, "
      "built-in SFU",
      NULL },
    { "listen", 'l', 0, G_OPTION_ARG_STRING, &listen,
      "Address to listen on (port 0: any free port) [BOUNTYCAM_LISTEN]", "HOST:PORT" },
    { "database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
      "SQLite database file [BOUNTYCAM_DATABASE]", "PATH" },
    { "livekit-url", 0, 0, G_OPTION_ARG_STRING, &livekit_url,
      "External LiveKit server; without it the built-in SFU serves [LIVEKIT_URL]", "URL" },
    { "public-url", 0, 0, G_OPTION_ARG_STRING, &public_url,
      "Base URL clients reach this server at [BOUNTYCAM_PUBLIC_URL]", "URL" },
    { "starting-points", 0, 0, G_OPTION_ARG_STRING, &starting_points,
      "Points a new account starts with (default 100) [BOUNTYCAM_STARTING_POINTS]", "N" },
    { "session-timeout", 0, 0, G_OPTION_ARG_STRING, &session_timeout,
      "Seconds without activity before a session times out (default 7200) "
      "[BOUNTYCAM_SESSION_TIMEOUT]",
      "SECONDS" },
    { "cleanup-interval", 0, 0, G_OPTION_ARG_STRING, &cleanup_interval,
      "Seconds between cleanup runs (default 60) [BOUNTYCAM_CLEANUP_INTERVAL]", "SECONDS" },
    { NULL },
  };

  context = g_option_context_new ("- the BountyCam bounty backend");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, argc, argv, error))
    return NULL;
  config->dev = dev;

  /* Environment first, then flags over it. */
#define PICK(flag, var) ((flag) ? (flag) : env (var))
  if (PICK (listen, "BOUNTYCAM_LISTEN") != NULL)
    {
      if (!parse_listen (config, PICK (listen, "BOUNTYCAM_LISTEN"), error))
        return NULL;
    }
  else if (config->dev)
    {
      g_free (config->listen_host);
      config->listen_host = g_strdup ("127.0.0.1");
    }
  if (PICK (database, "BOUNTYCAM_DATABASE") != NULL)
    config->database_path = g_strdup (PICK (database, "BOUNTYCAM_DATABASE"));
  else if (config->dev)
    config->database_path =
        g_build_filename (g_get_user_data_dir (), "bountycam", "bountycam.db", NULL);
  if (env ("BOUNTYCAM_DURABLE_COMMITS") != NULL)
    config->durable_commits = g_str_equal (env ("BOUNTYCAM_DURABLE_COMMITS"), "1") ||
                              g_ascii_strcasecmp (env ("BOUNTYCAM_DURABLE_COMMITS"), "true") == 0;
  if (PICK (public_url, "BOUNTYCAM_PUBLIC_URL") != NULL)
    config->public_url = g_strdup (PICK (public_url, "BOUNTYCAM_PUBLIC_URL"));
  if (PICK (starting_points, "BOUNTYCAM_STARTING_POINTS") != NULL)
    {
      if (!parse_int (PICK (starting_points, "BOUNTYCAM_STARTING_POINTS"),
                      "--starting-points / BOUNTYCAM_STARTING_POINTS", 0, G_MAXINT32, &value,
                      error))
        return NULL;
      config->starting_points = value;
    }
  if (PICK (session_timeout, "BOUNTYCAM_SESSION_TIMEOUT") != NULL)
    {
      if (!parse_int (PICK (session_timeout, "BOUNTYCAM_SESSION_TIMEOUT"),
                      "--session-timeout / BOUNTYCAM_SESSION_TIMEOUT", 1, G_MAXINT32, &value,
                      error))
        return NULL;
      config->session_timeout_s = value;
    }
  if (PICK (cleanup_interval, "BOUNTYCAM_CLEANUP_INTERVAL") != NULL)
    {
      if (!parse_int (PICK (cleanup_interval, "BOUNTYCAM_CLEANUP_INTERVAL"),
                      "--cleanup-interval / BOUNTYCAM_CLEANUP_INTERVAL", 1, 24 * 60 * 60, &value,
                      error))
        return NULL;
      config->cleanup_interval_s = (guint) value;
    }
  if (env ("BOUNTYCAM_REQUEST_TIMEOUT") != NULL)
    {
      if (!parse_int (env ("BOUNTYCAM_REQUEST_TIMEOUT"), "BOUNTYCAM_REQUEST_TIMEOUT", 1, 3600,
                      &value, error))
        return NULL;
      config->request_timeout_s = (guint) value;
    }

  if (config->dev)
    {
      /* --dev never talks to a LiveKit from the environment by accident: only
       * an explicit --livekit-url leaves the built-in SFU. */
      config->livekit_url = g_strdup (livekit_url);
      if (config->database_path != NULL && !load_dev_secrets (config, error))
        return NULL;
    }
  else
    {
      config->livekit_url = g_strdup (livekit_url ? livekit_url : env ("LIVEKIT_URL"));
      if (config->livekit_url == NULL)
        set_from_env (&config->livekit_url, "NEXT_PUBLIC_LIVEKIT_URL");
      set_from_env (&config->livekit_api_key, "LIVEKIT_API_KEY");
      set_from_env (&config->livekit_api_secret, "LIVEKIT_API_SECRET");
      set_from_env (&config->cleanup_api_key, "CLEANUP_API_KEY");
      set_from_env (&config->jwt_secret, "BOUNTYCAM_JWT_SECRET");
    }
#undef PICK

  if (!bc_config_validate (config, error))
    return NULL;
  return g_steal_pointer (&config);
}
