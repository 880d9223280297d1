#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-cli.h"
#include "bc-json.h"
#include "bc-lk-error.h"
#include "bc-media-error.h"

#define DEFAULT_SERVER "http://127.0.0.1:8080"

GAsyncResult *
bc_cli_wait (BcCli *cli)
{
  while (cli->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&cli->result);
}

void
bc_cli_store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BcCli *cli = user_data;

  g_assert (cli->result == NULL);
  cli->result = g_object_ref (result);
}

/* ---- output -------------------------------------------------------------- */

void
bc_cli_print_json (BcCli *cli, const char *type, JsonObject *object)
{
  g_autoptr (JsonObject) line = json_object_new ();
  g_autofree char *text = NULL;

  if (!cli->json)
    return;
  json_object_set_string_member (line, "type", type);
  if (object)
    {
      JsonObjectIter iter;
      const char *name;
      JsonNode *node;

      json_object_iter_init (&iter, object);
      while (json_object_iter_next (&iter, &name, &node))
        if (g_strcmp0 (name, "type") != 0)
          json_object_set_member (line, name, json_node_copy (node));
    }
  text = bc_json_object_to_string (line);
  printf ("%s\n", text);
  fflush (stdout);
}

void
bc_cli_status (BcCli *cli, const char *format, ...)
{
  va_list args;
  g_autofree char *text = NULL;

  if (cli->json)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  fprintf (stderr, "%s\n", text);
}

static const char *
error_code_name (const GError *error)
{
  if (error->domain == BC_CLIENT_ERROR)
    switch ((BcClientError) error->code)
      {
      case BC_CLIENT_ERROR_UNREACHABLE:
        return "unreachable";
      case BC_CLIENT_ERROR_UNAUTHORIZED:
        return "unauthorized";
      case BC_CLIENT_ERROR_FORBIDDEN:
        return "forbidden";
      case BC_CLIENT_ERROR_NOT_FOUND:
        return "not_found";
      case BC_CLIENT_ERROR_CONFLICT:
        return "conflict";
      case BC_CLIENT_ERROR_THROTTLED:
        return "throttled";
      case BC_CLIENT_ERROR_INVALID_INPUT:
        return "invalid_input";
      case BC_CLIENT_ERROR_SERVER:
        return "server";
      case BC_CLIENT_ERROR_INSECURE:
        return "insecure";
      case BC_CLIENT_ERROR_NO_CREDENTIALS:
        return "no_credentials";
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "interrupted";
  if (g_error_matches (error, G_OPTION_ERROR, error->code))
    return "usage";
  if (g_error_matches (error, BC_LK_ERROR, BC_LK_ERROR_NOT_ALLOWED))
    return "not_allowed";
  if (g_error_matches (error, BC_LK_ERROR, BC_LK_ERROR_TOKEN_REJECTED))
    return "token_rejected";
  if (error->domain == BC_LK_ERROR)
    return "livekit";
  if (g_error_matches (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA) ||
      g_error_matches (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_CAMERA_DENIED))
    return "no_camera";
  if (error->domain == BC_MEDIA_ERROR)
    return "media";
  return "failed";
}

int
bc_cli_exit_code_for (const GError *error)
{
  if (error->domain == BC_CLIENT_ERROR)
    switch ((BcClientError) error->code)
      {
      case BC_CLIENT_ERROR_UNAUTHORIZED:
      case BC_CLIENT_ERROR_THROTTLED:
      case BC_CLIENT_ERROR_NO_CREDENTIALS:
        return BC_EXIT_AUTH;
      case BC_CLIENT_ERROR_FORBIDDEN:
      case BC_CLIENT_ERROR_NOT_FOUND:
        return BC_EXIT_NOT_FOUND;
      case BC_CLIENT_ERROR_CONFLICT:
        return BC_EXIT_CONFLICT;
      case BC_CLIENT_ERROR_UNREACHABLE:
      case BC_CLIENT_ERROR_SERVER:
        return BC_EXIT_UNREACHABLE;
      case BC_CLIENT_ERROR_INVALID_INPUT:
      case BC_CLIENT_ERROR_INSECURE:
        return BC_EXIT_USAGE;
      }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return BC_EXIT_INTERRUPTED;
  if (error->domain == G_OPTION_ERROR)
    return BC_EXIT_USAGE;
  return BC_EXIT_MEDIA;
}

int
bc_cli_fail (BcCli *cli, const GError *error)
{
  int code = bc_cli_exit_code_for (error);

  if (code == BC_EXIT_INTERRUPTED)
    fprintf (stderr, "bountycam-cli: interrupted\n");
  else if (g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INSECURE))
    fprintf (stderr, "bountycam-cli: %s; --allow-insecure does it anyway\n", error->message);
  else if (g_error_matches (error, BC_MEDIA_ERROR, BC_MEDIA_ERROR_NO_CAMERA))
    fprintf (stderr, "bountycam-cli: %s (--camera test)\n", error->message);
  else
    fprintf (stderr, "bountycam-cli: %s\n", error->message);

  if (cli->json)
    {
      g_autoptr (JsonObject) obj = json_object_new ();
      guint retry = bc_client_error_get_retry_after (error);
      const char *server_code = bc_client_error_get_server_code (error);

      json_object_set_string_member (obj, "code", error_code_name (error));
      json_object_set_string_member (obj, "message", error->message);
      json_object_set_int_member (obj, "exit_code", code);
      if (server_code)
        json_object_set_string_member (obj, "server_code", server_code);
      if (retry)
        json_object_set_int_member (obj, "retry_after", retry);
      bc_cli_print_json (cli, "error", obj);
    }
  return code;
}

int
bc_cli_usage_error (BcCli *cli, const char *format, ...)
{
  va_list args;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  error = g_error_new (G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s (see “bountycam-cli %s --help”)",
                       text, cli->command ? cli->command : "");
  return bc_cli_fail (cli, error);
}

/* ---- options ------------------------------------------------------------- */

int
bc_cli_parse (BcCli *cli,
              const char *parameter_string,
              const char *summary,
              const GOptionEntry *entries,
              int *argc,
              char ***argv)
{
  const GOptionEntry global_entries[] = {
    { "server", 's', 0, G_OPTION_ARG_STRING, &cli->server, "Bounty server address", "URL" },
    { "profile", 'p', 0, G_OPTION_ARG_STRING, &cli->profile, "Login profile (default: default)",
      "NAME" },
    { "json", 'j', 0, G_OPTION_ARG_NONE, &cli->json, "Print JSON lines", NULL },
    { "allow-insecure", 0, 0, G_OPTION_ARG_NONE, &cli->allow_insecure,
      "Send the login over plain http to a non-loopback host (testing only)", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &cli->verbose, "Print debug messages", NULL },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GOptionContext) context = g_option_context_new (parameter_string);
  g_autoptr (GError) error = NULL;
  GOptionGroup *group;

  g_option_context_set_summary (context, summary);
  if (entries)
    g_option_context_add_main_entries (context, entries, NULL);
  group = g_option_group_new ("global", "Global options", "Show global options", NULL, NULL);
  g_option_group_add_entries (group, global_entries);
  g_option_context_add_group (context, group);

  if (!g_option_context_parse (context, argc, argv, &error))
    return bc_cli_usage_error (cli, "%s", error->message);
  return -1;
}

/* ---- login --------------------------------------------------------------- */

static char *
read_token_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, error))
    return NULL;
  return g_strdup (g_strstrip (contents));
}

static gboolean
write_token_file (const char *path, const char *token, GError **error)
{
  g_autofree char *text = g_strconcat (token, "\n", NULL);

  /* 0600 from the first byte: g_file_set_contents_full creates it so. */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
bc_cli_connect (BcCli *cli, gboolean need_login, GError **error)
{
  g_autoptr (BcEnvCredentials) env = bc_env_credentials_get ();
  g_autofree char *refresh = NULL;
  g_autofree char *stored_server = NULL;
  g_autoptr (GError) keyring_error = NULL;
  const char *server = cli->server ? cli->server : (env ? env->server : NULL);
  gboolean use_password = FALSE;

  cli->store = bc_credential_store_new (cli->profile);
  cli->token_file = g_strdup (g_getenv ("BOUNTYCAM_REFRESH_TOKEN_FILE"));
  if (cli->token_file && *cli->token_file == '\0')
    g_clear_pointer (&cli->token_file, g_free);

  if (need_login)
    {
      if (env && env->refresh_token)
        refresh = g_strdup (env->refresh_token);
      else if (cli->token_file && g_file_test (cli->token_file, G_FILE_TEST_EXISTS))
        {
          refresh = read_token_file (cli->token_file, error);
          if (refresh == NULL)
            {
              g_prefix_error (error, "Could not read BOUNTYCAM_REFRESH_TOKEN_FILE: ");
              return FALSE;
            }
        }
      else if (env && env->email && env->password)
        use_password = TRUE;
      else
        {
          bc_credential_store_lookup_async (cli->store, server, cli->cancellable,
                                            bc_cli_store_result, cli);
          {
            g_autoptr (GAsyncResult) res = bc_cli_wait (cli);
            refresh =
                bc_credential_store_lookup_finish (cli->store, res, &stored_server, &keyring_error);
          }
          if (g_error_matches (keyring_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&keyring_error));
              return FALSE;
            }
          if (refresh == NULL)
            {
              g_autofree char *msg = g_strdup_printf (
                  "Not signed in%s%s%s; run “bountycam-cli login” or set BOUNTYCAM_EMAIL and "
                  "BOUNTYCAM_PASSWORD",
                  keyring_error ? " (" : "", keyring_error ? keyring_error->message : "",
                  keyring_error ? ")" : "");
              g_propagate_error (error,
                                 bc_client_error_new_literal (BC_CLIENT_ERROR_NO_CREDENTIALS, msg));
              return FALSE;
            }
          cli->from_keyring = TRUE;
          if (server == NULL)
            server = stored_server;
        }
    }

  cli->client = bc_api_client_new (server ? server : DEFAULT_SERVER);
  bc_api_client_set_allow_insecure (cli->client, cli->allow_insecure);
  if (!bc_api_client_check_transport (cli->client, error))
    return FALSE;

  if (refresh)
    {
      bc_api_client_set_refresh_token (cli->client, refresh);
      g_free (cli->saved_token);
      cli->saved_token = g_strdup (refresh);
      memset (refresh, 0, strlen (refresh));
    }
  else if (use_password)
    {
      g_autoptr (BcUser) user = NULL;

      bc_api_client_login_async (cli->client, env->email, env->password, cli->cancellable,
                                 bc_cli_store_result, cli);
      {
        g_autoptr (GAsyncResult) res = bc_cli_wait (cli);
        user = bc_api_client_login_finish (cli->client, res, error);
      }
      if (user == NULL)
        return FALSE;
    }
  return TRUE;
}

void
bc_cli_save_login (BcCli *cli)
{
  const char *token = cli->client ? bc_api_client_get_refresh_token (cli->client) : NULL;
  g_autoptr (GError) error = NULL;

  /* Saved already: nothing rotated since. */
  if (token == NULL || g_strcmp0 (token, cli->saved_token) == 0)
    return;
  g_free (cli->saved_token);
  cli->saved_token = g_strdup (token);

  if (cli->token_file)
    {
      g_autofree char *old = read_token_file (cli->token_file, NULL);
      if (g_strcmp0 (old, token) != 0 && !write_token_file (cli->token_file, token, &error))
        fprintf (stderr, "bountycam-cli: could not save the login to %s: %s\n", cli->token_file,
                 error->message);
      if (old)
        memset (old, 0, strlen (old));
      return;
    }
  if (cli->from_keyring)
    {
      g_autoptr (GAsyncResult) res = NULL;

      /* Not cancellable: the old token no longer works, so losing the new
       * one would sign the user out. */
      bc_credential_store_store_async (cli->store, bc_api_client_get_base_url (cli->client), token,
                                       NULL, bc_cli_store_result, cli);
      res = bc_cli_wait (cli);
      if (!bc_credential_store_store_finish (cli->store, res, &error))
        fprintf (stderr, "bountycam-cli: %s\n", error->message);
      return;
    }
  {
    const char *env_token = g_getenv ("BOUNTYCAM_REFRESH_TOKEN");
    if (env_token && *env_token && g_strcmp0 (env_token, token) != 0)
      fprintf (stderr, "bountycam-cli: note: the server rotated the refresh token from "
                       "BOUNTYCAM_REFRESH_TOKEN, which no longer works; set "
                       "BOUNTYCAM_REFRESH_TOKEN_FILE to keep logins across runs\n");
  }
}

/* ---- models as JSON ------------------------------------------------------ */

static void
set_string (JsonObject *obj, const char *name, const char *value)
{
  if (value)
    json_object_set_string_member (obj, name, value);
  else
    json_object_set_null_member (obj, name);
}

static void
set_datetime (JsonObject *obj, const char *name, GDateTime *dt)
{
  g_autofree char *text = dt ? g_date_time_format_iso8601 (dt) : NULL;
  set_string (obj, name, text);
}

static JsonObject *
party_to_json (BcUser *user)
{
  JsonObject *obj = json_object_new ();

  set_string (obj, "id", bc_user_get_id (user));
  set_string (obj, "display_name", bc_user_get_display_name (user));
  return obj;
}

JsonObject *
bc_cli_user_to_json (BcUser *user)
{
  JsonObject *obj = json_object_new ();

  set_string (obj, "id", bc_user_get_id (user));
  set_string (obj, "email", bc_user_get_email (user));
  set_string (obj, "display_name", bc_user_get_display_name (user));
  json_object_set_int_member (obj, "points", bc_user_get_points (user));
  return obj;
}

JsonObject *
bc_cli_bounty_to_json (BcBounty *bounty)
{
  JsonObject *obj = json_object_new ();

  set_string (obj, "id", bc_bounty_get_id (bounty));
  set_string (obj, "title", bc_bounty_get_title (bounty));
  set_string (obj, "description", bc_bounty_get_description (bounty));
  json_object_set_int_member (obj, "reward_points", bc_bounty_get_reward_points (bounty));
  set_string (obj, "status", bc_bounty_get_status (bounty));
  if (bc_bounty_get_requester (bounty))
    json_object_set_object_member (obj, "requester",
                                   party_to_json (bc_bounty_get_requester (bounty)));
  set_datetime (obj, "created_at", bc_bounty_get_created_at (bounty));
  if (bc_bounty_get_session_id (bounty))
    set_string (obj, "session_id", bc_bounty_get_session_id (bounty));
  return obj;
}

JsonObject *
bc_cli_session_to_json (BcSession *session)
{
  JsonObject *obj = json_object_new ();
  JsonArray *events = json_array_new ();
  GListModel *model = bc_session_get_events (session);

  set_string (obj, "id", bc_session_get_id (session));
  set_string (obj, "bounty_id", bc_session_get_bounty_id (session));
  set_string (obj, "room", bc_session_get_room (session));
  set_string (obj, "status", bc_session_get_status (session));
  set_string (obj, "outcome", bc_session_get_outcome (session));
  if (bc_session_get_streamer (session))
    json_object_set_object_member (obj, "streamer",
                                   party_to_json (bc_session_get_streamer (session)));
  if (bc_session_get_requester (session))
    json_object_set_object_member (obj, "requester",
                                   party_to_json (bc_session_get_requester (session)));
  set_datetime (obj, "last_activity_at", bc_session_get_last_activity_at (session));
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr (BcStreamEvent) event = g_list_model_get_item (model, i);
      JsonObject *e = json_object_new ();

      set_string (e, "type", bc_stream_event_get_event_type (event));
      set_datetime (e, "created_at", bc_stream_event_get_created_at (event));
      if (bc_stream_event_get_detail (event))
        set_string (e, "detail", bc_stream_event_get_detail (event));
      json_array_add_object_element (events, e);
    }
  json_object_set_array_member (obj, "events", events);
  return obj;
}
