#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "bc-cli.h"

/* ---- helpers ------------------------------------------------------------- */

static char *
read_line (FILE *in, gboolean echo)
{
  struct termios old, quiet;
  gboolean restore = FALSE;
  char buf[1024];
  char *line = NULL;

  if (!echo && isatty (fileno (in)) && tcgetattr (fileno (in), &old) == 0)
    {
      quiet = old;
      quiet.c_lflag &= ~ECHO;
      restore = tcsetattr (fileno (in), TCSAFLUSH, &quiet) == 0;
    }
  if (fgets (buf, sizeof buf, in))
    {
      buf[strcspn (buf, "\r\n")] = '\0';
      line = g_strdup (buf);
    }
  memset (buf, 0, sizeof buf);
  if (restore)
    {
      tcsetattr (fileno (in), TCSAFLUSH, &old);
      fputc ('\n', stderr);
    }
  return line;
}

static char *
prompt (const char *question, gboolean echo)
{
  if (!isatty (STDIN_FILENO))
    return NULL;
  fprintf (stderr, "%s", question);
  fflush (stderr);
  return read_line (stdin, echo);
}

static void
wipe_free (char *secret)
{
  if (secret)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

typedef char char_secret;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (char_secret, wipe_free)

/* The one positional argument, or the value of its --option. */
static const char *
take_id (int argc, char **argv, const char *option_value)
{
  if (option_value)
    return option_value;
  return argc >= 2 ? argv[1] : NULL;
}

/* Starts a command on one bounty or session, named by --bounty/--session or
 * as the first argument: parses, then connects. Returns -1 to go on with
 * *@id set, or the exit code to return. */
static int
begin_id_command (
    BcCli *cli, gboolean is_session, const char *summary, int *argc, char ***argv, char **id)
{
  g_autofree char *option_value = NULL;
  const GOptionEntry entries[] = { { is_session ? "session" : "bounty", is_session ? 'S' : 'b', 0,
                                     G_OPTION_ARG_STRING, &option_value,
                                     is_session ? "The session" : "The bounty", "ID" },
                                   G_OPTION_ENTRY_NULL };
  g_autoptr (GError) error = NULL;
  const char *given;
  int rc;

  rc = bc_cli_parse (cli, is_session ? "SESSION-ID" : "BOUNTY-ID", summary, entries, argc, argv);
  if (rc >= 0)
    return rc;
  if ((given = take_id (*argc, *argv, option_value)) == NULL)
    return bc_cli_usage_error (cli, is_session ? "Which session?" : "Which bounty?");
  *id = g_strdup (given);
  if (!bc_cli_connect (cli, TRUE, &error))
    return bc_cli_fail (cli, error);
  return -1;
}

/* ---- signup / login / logout --------------------------------------------- */

static int
finish_sign_in (BcCli *cli, BcUser *user)
{
  const char *token = bc_api_client_get_refresh_token (cli->client);
  g_autoptr (GError) error = NULL;

  if (token && cli->token_file)
    {
      cli->from_keyring = FALSE;
      bc_cli_save_login (cli);
    }
  else if (token)
    {
      g_autoptr (GAsyncResult) res = NULL;

      bc_credential_store_store_async (cli->store, bc_api_client_get_base_url (cli->client), token,
                                       NULL, bc_cli_store_result, cli);
      res = bc_cli_wait (cli);
      if (!bc_credential_store_store_finish (cli->store, res, &error))
        {
          g_prefix_error (&error, "Signed in, but could not keep the login: ");
          g_clear_error (&error);
          error = bc_client_error_new_literal (
              BC_CLIENT_ERROR_NO_CREDENTIALS,
              "Signed in, but the keyring is not available to keep the login; set "
              "BOUNTYCAM_REFRESH_TOKEN_FILE, or BOUNTYCAM_EMAIL and BOUNTYCAM_PASSWORD");
          return bc_cli_fail (cli, error);
        }
    }

  if (cli->json)
    {
      g_autoptr (JsonObject) obj = json_object_new ();
      json_object_set_string_member (obj, "server", bc_api_client_get_base_url (cli->client));
      json_object_set_string_member (obj, "profile", bc_credential_store_get_profile (cli->store));
      json_object_set_object_member (obj, "user", bc_cli_user_to_json (user));
      bc_cli_print_json (cli, "login", obj);
    }
  else
    printf ("Signed in as %s <%s> at %s (%" G_GINT64_FORMAT " points)\n",
            bc_user_get_display_name (user), bc_user_get_email (user),
            bc_api_client_get_base_url (cli->client), bc_user_get_points (user));
  return BC_EXIT_OK;
}

static int
sign_in (BcCli *cli, int argc, char **argv, gboolean signup)
{
  g_autofree char *email = NULL;
  g_autofree char *display_name = NULL;
  gboolean password_stdin = FALSE;
  const GOptionEntry login_entries[] = {
    { "email", 'e', 0, G_OPTION_ARG_STRING, &email, "Account email (or BOUNTYCAM_EMAIL)", "EMAIL" },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &password_stdin,
      "Read the password from standard input (or BOUNTYCAM_PASSWORD)", NULL },
    { "display-name", 'n', 0, G_OPTION_ARG_STRING, &display_name, "Name others see (sign-up only)",
      "NAME" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (BcEnvCredentials) env = bc_env_credentials_get ();
  g_autoptr (char_secret) password = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcUser) user = NULL;
  int rc;

  rc = bc_cli_parse (cli, NULL,
                     signup ? "Create an account and keep its login in the keyring"
                            : "Sign in and keep the login in the keyring (never the password)",
                     login_entries, &argc, &argv);
  if (rc >= 0)
    return rc;

  if (email == NULL && env && env->email)
    email = g_strdup (env->email);
  if (email == NULL)
    email = prompt ("Email: ", TRUE);
  if (email == NULL || *email == '\0')
    return bc_cli_usage_error (cli, "An email is needed: --email or BOUNTYCAM_EMAIL");

  if (password_stdin)
    password = read_line (stdin, FALSE);
  else if (env && env->password)
    password = g_strdup (env->password);
  else
    password = prompt ("Password: ", FALSE);
  if (password == NULL || *password == '\0')
    return bc_cli_usage_error (
        cli, "A password is needed: --password-stdin, BOUNTYCAM_PASSWORD or a terminal");

  if (signup && display_name == NULL)
    display_name = g_strdup (email);

  if (!bc_cli_connect (cli, FALSE, &error))
    return bc_cli_fail (cli, error);

  if (signup)
    bc_api_client_signup_async (cli->client, email, password, display_name, cli->cancellable,
                                bc_cli_store_result, cli);
  else
    bc_api_client_login_async (cli->client, email, password, cli->cancellable, bc_cli_store_result,
                               cli);
  res = bc_cli_wait (cli);
  user = signup ? bc_api_client_signup_finish (cli->client, res, &error)
                : bc_api_client_login_finish (cli->client, res, &error);
  if (user == NULL)
    return bc_cli_fail (cli, error);
  return finish_sign_in (cli, user);
}

int
bc_cli_cmd_signup (BcCli *cli, int argc, char **argv)
{
  return sign_in (cli, argc, argv, TRUE);
}

int
bc_cli_cmd_login (BcCli *cli, int argc, char **argv)
{
  return sign_in (cli, argc, argv, FALSE);
}

int
bc_cli_cmd_logout (BcCli *cli, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) server_error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  int rc;

  rc = bc_cli_parse (cli, NULL, "Sign out on the server and forget the stored login", NULL, &argc,
                     &argv);
  if (rc >= 0)
    return rc;

  if (!bc_cli_connect (cli, TRUE, &error))
    {
      if (!g_error_matches (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_NO_CREDENTIALS))
        return bc_cli_fail (cli, error);
      bc_cli_status (cli, "Not signed in");
      bc_cli_print_json (cli, "logout", NULL);
      return BC_EXIT_OK;
    }

  bc_api_client_logout_async (cli->client, cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  bc_api_client_logout_finish (cli->client, res, &server_error);
  g_clear_object (&res);

  if (cli->token_file)
    g_unlink (cli->token_file);
  bc_credential_store_clear_async (cli->store, cli->from_keyring ? NULL : cli->server, NULL,
                                   bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  /* A missing keyring means there is nothing in it to forget. */
  bc_credential_store_clear_finish (cli->store, res, NULL);

  if (server_error)
    {
      g_prefix_error (&server_error, "Forgot the login here, but the server was not told: ");
      return bc_cli_fail (cli, server_error);
    }
  if (!cli->json)
    printf ("Signed out\n");
  bc_cli_print_json (cli, "logout", NULL);
  return BC_EXIT_OK;
}

/* ---- me ------------------------------------------------------------------ */

int
bc_cli_cmd_me (BcCli *cli, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcUser) user = NULL;
  int rc;

  rc = bc_cli_parse (cli, NULL, "Show your account and points balance", NULL, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (!bc_cli_connect (cli, TRUE, &error))
    return bc_cli_fail (cli, error);

  bc_api_client_me_async (cli->client, cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  user = bc_api_client_me_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (user == NULL)
    return bc_cli_fail (cli, error);

  if (cli->json)
    {
      g_autoptr (JsonObject) obj = bc_cli_user_to_json (user);
      bc_cli_print_json (cli, "user", obj);
    }
  else
    printf ("%s <%s>\nid: %s\npoints: %" G_GINT64_FORMAT "\n", bc_user_get_display_name (user),
            bc_user_get_email (user), bc_user_get_id (user), bc_user_get_points (user));
  return BC_EXIT_OK;
}

/* ---- bounties ------------------------------------------------------------ */

static void
print_bounty (BcCli *cli, BcBounty *bounty)
{
  if (cli->json)
    {
      g_autoptr (JsonObject) obj = bc_cli_bounty_to_json (bounty);
      bc_cli_print_json (cli, "bounty", obj);
    }
  else
    printf ("%-36s %6" G_GINT64_FORMAT " pts  %-9s %s%s%s%s\n", bc_bounty_get_id (bounty),
            bc_bounty_get_reward_points (bounty),
            bc_bounty_get_status (bounty) ? bc_bounty_get_status (bounty) : "?",
            bc_bounty_get_title (bounty) ? bc_bounty_get_title (bounty) : "",
            bc_bounty_get_requester_name (bounty) ? " (by " : "",
            bc_bounty_get_requester_name (bounty) ? bc_bounty_get_requester_name (bounty) : "",
            bc_bounty_get_requester_name (bounty) ? ")" : "");
}

int
bc_cli_cmd_bounties (BcCli *cli, int argc, char **argv)
{
  gboolean mine = FALSE;
  const GOptionEntry entries[] = { { "mine", 'm', 0, G_OPTION_ARG_NONE, &mine,
                                     "My own bounties instead of open ones", NULL },
                                   G_OPTION_ENTRY_NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GListModel) list = NULL;
  int rc;

  rc = bc_cli_parse (cli, NULL, "List open bounties of others, or your own with --mine", entries,
                     &argc, &argv);
  if (rc >= 0)
    return rc;
  if (!bc_cli_connect (cli, TRUE, &error))
    return bc_cli_fail (cli, error);

  bc_api_client_list_bounties_async (cli->client,
                                     mine ? BC_BOUNTY_FILTER_MINE : BC_BOUNTY_FILTER_OPEN,
                                     cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  list = bc_api_client_list_bounties_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (list == NULL)
    return bc_cli_fail (cli, error);

  if (g_list_model_get_n_items (list) == 0)
    bc_cli_status (cli, mine ? "You have no bounties" : "No open bounties");
  for (guint i = 0; i < g_list_model_get_n_items (list); i++)
    {
      g_autoptr (BcBounty) bounty = g_list_model_get_item (list, i);
      print_bounty (cli, bounty);
    }
  return BC_EXIT_OK;
}

int
bc_cli_cmd_create (BcCli *cli, int argc, char **argv)
{
  g_autofree char *title = NULL;
  g_autofree char *description = NULL;
  gint64 reward = 0;
  const GOptionEntry entries[] = {
    { "title", 't', 0, G_OPTION_ARG_STRING, &title, "What you want to see", "TEXT" },
    { "description", 'd', 0, G_OPTION_ARG_STRING, &description, "More detail", "TEXT" },
    { "reward", 'r', 0, G_OPTION_ARG_INT64, &reward, "Points paid on approval", "POINTS" },
    G_OPTION_ENTRY_NULL
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  int rc;

  rc = bc_cli_parse (cli, NULL, "Post a bounty; its reward is held until you approve or reject",
                     entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (title == NULL || reward <= 0)
    return bc_cli_usage_error (cli, "--title and a positive --reward are needed");
  if (!bc_cli_connect (cli, TRUE, &error))
    return bc_cli_fail (cli, error);

  bc_api_client_create_bounty_async (cli->client, title, description ? description : "", reward,
                                     cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  bounty = bc_api_client_create_bounty_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (bounty == NULL)
    return bc_cli_fail (cli, error);

  if (cli->json)
    print_bounty (cli, bounty);
  else
    printf ("Created bounty %s (%" G_GINT64_FORMAT " points held)\n", bc_bounty_get_id (bounty),
            bc_bounty_get_reward_points (bounty));
  return BC_EXIT_OK;
}

int
bc_cli_cmd_cancel (BcCli *cli, int argc, char **argv)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  int rc;

  rc = begin_id_command (cli, FALSE, "Cancel an open bounty of yours; its points come back", &argc,
                         &argv, &id);
  if (rc >= 0)
    return rc;

  bc_api_client_cancel_bounty_async (cli->client, id, cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  bounty = bc_api_client_cancel_bounty_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (bounty == NULL)
    return bc_cli_fail (cli, error);
  if (cli->json)
    print_bounty (cli, bounty);
  else
    printf ("Cancelled bounty %s\n", bc_bounty_get_id (bounty));
  return BC_EXIT_OK;
}

/* ---- sessions ------------------------------------------------------------ */

static void
print_session (BcCli *cli, BcSession *session, gboolean with_events)
{
  BcUser *streamer = bc_session_get_streamer (session);
  BcUser *requester = bc_session_get_requester (session);
  GListModel *events;

  if (cli->json)
    {
      g_autoptr (JsonObject) obj = bc_cli_session_to_json (session);
      bc_cli_print_json (cli, "session", obj);
      return;
    }
  printf ("%-36s %-8s %-9s %s → %s%s%s\n", bc_session_get_id (session),
          bc_session_get_status (session) ? bc_session_get_status (session) : "?",
          bc_session_get_outcome (session) ? bc_session_get_outcome (session) : "",
          streamer ? bc_user_get_display_name (streamer) : "?",
          requester ? bc_user_get_display_name (requester) : "?",
          bc_session_get_bounty_title (session) ? "  " : "",
          bc_session_get_bounty_title (session) ? bc_session_get_bounty_title (session) : "");
  if (!with_events)
    return;
  events = bc_session_get_events (session);
  for (guint i = 0; i < g_list_model_get_n_items (events); i++)
    {
      g_autoptr (BcStreamEvent) event = g_list_model_get_item (events, i);
      GDateTime *at = bc_stream_event_get_created_at (event);
      g_autoptr (GDateTime) local = at ? g_date_time_to_local (at) : NULL;
      g_autofree char *when = local ? g_date_time_format (local, "%F %T") : g_strdup ("");

      printf ("  %s  %s%s%s\n", when, bc_stream_event_get_event_type (event),
              bc_stream_event_get_detail (event) ? "  " : "",
              bc_stream_event_get_detail (event) ? bc_stream_event_get_detail (event) : "");
    }
}

int
bc_cli_cmd_accept (BcCli *cli, int argc, char **argv)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcSession) session = NULL;
  int rc;

  rc = begin_id_command (cli, FALSE, "Accept an open bounty; this starts a session", &argc, &argv,
                         &id);
  if (rc >= 0)
    return rc;

  bc_api_client_accept_bounty_async (cli->client, id, cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  session = bc_api_client_accept_bounty_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (session == NULL)
    return bc_cli_fail (cli, error);
  if (cli->json)
    print_session (cli, session, FALSE);
  else
    printf ("Accepted; session %s. Stream with: bountycam-cli publish --session %s\n",
            bc_session_get_id (session), bc_session_get_id (session));
  return BC_EXIT_OK;
}

int
bc_cli_cmd_sessions (BcCli *cli, int argc, char **argv)
{
  g_autofree char *session_id = NULL;
  const GOptionEntry entries[] = { { "session", 'S', 0, G_OPTION_ARG_STRING, &session_id,
                                     "Show one session with its events", "ID" },
                                   G_OPTION_ENTRY_NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  const char *id;
  int rc;

  rc = bc_cli_parse (cli, "[SESSION-ID]", "List your sessions, or show one with its events",
                     entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  id = take_id (argc, argv, session_id);
  if (!bc_cli_connect (cli, TRUE, &error))
    return bc_cli_fail (cli, error);

  if (id)
    {
      g_autoptr (BcSession) session = NULL;

      bc_api_client_get_session_async (cli->client, id, cli->cancellable, bc_cli_store_result, cli);
      res = bc_cli_wait (cli);
      session = bc_api_client_get_session_finish (cli->client, res, &error);
      bc_cli_save_login (cli);
      if (session == NULL)
        return bc_cli_fail (cli, error);
      print_session (cli, session, TRUE);
    }
  else
    {
      g_autoptr (GListModel) list = NULL;

      bc_api_client_list_sessions_async (cli->client, cli->cancellable, bc_cli_store_result, cli);
      res = bc_cli_wait (cli);
      list = bc_api_client_list_sessions_finish (cli->client, res, &error);
      bc_cli_save_login (cli);
      if (list == NULL)
        return bc_cli_fail (cli, error);
      if (g_list_model_get_n_items (list) == 0)
        bc_cli_status (cli, "You have no sessions");
      for (guint i = 0; i < g_list_model_get_n_items (list); i++)
        {
          g_autoptr (BcSession) session = g_list_model_get_item (list, i);
          print_session (cli, session, FALSE);
        }
    }
  return BC_EXIT_OK;
}

static int
end_session (BcCli *cli, int argc, char **argv, gboolean approve)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcSession) session = NULL;
  int rc;

  rc = begin_id_command (cli, TRUE,
                         approve ? "Approve the stream: the points go to the streamer"
                                 : "Reject the stream: the points come back to you",
                         &argc, &argv, &id);
  if (rc >= 0)
    return rc;

  if (approve)
    bc_api_client_approve_session_async (cli->client, id, cli->cancellable, bc_cli_store_result,
                                         cli);
  else
    bc_api_client_reject_session_async (cli->client, id, cli->cancellable, bc_cli_store_result,
                                        cli);
  res = bc_cli_wait (cli);
  session = approve ? bc_api_client_approve_session_finish (cli->client, res, &error)
                    : bc_api_client_reject_session_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (session == NULL)
    return bc_cli_fail (cli, error);
  if (cli->json)
    print_session (cli, session, FALSE);
  else
    printf ("%s session %s\n", approve ? "Approved" : "Rejected", bc_session_get_id (session));
  return BC_EXIT_OK;
}

int
bc_cli_cmd_approve (BcCli *cli, int argc, char **argv)
{
  return end_session (cli, argc, argv, TRUE);
}

int
bc_cli_cmd_reject (BcCli *cli, int argc, char **argv)
{
  return end_session (cli, argc, argv, FALSE);
}

/* ---- token --------------------------------------------------------------- */

int
bc_cli_cmd_token (BcCli *cli, int argc, char **argv)
{
  g_autofree char *id = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (BcLivekitToken) token = NULL;
  int rc;

  rc = begin_id_command (cli, TRUE, "Print a LiveKit access token for a session of yours", &argc,
                         &argv, &id);
  if (rc >= 0)
    return rc;

  bc_api_client_livekit_token_async (cli->client, id, cli->cancellable, bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  token = bc_api_client_livekit_token_finish (cli->client, res, &error);
  bc_cli_save_login (cli);
  if (token == NULL)
    return bc_cli_fail (cli, error);
  if (cli->json)
    {
      g_autoptr (JsonObject) obj = json_object_new ();
      json_object_set_string_member (obj, "token", bc_livekit_token_get_token (token));
      json_object_set_string_member (obj, "url", bc_livekit_token_get_url (token));
      json_object_set_string_member (obj, "room", bc_livekit_token_get_room (token));
      json_object_set_string_member (obj, "identity", bc_livekit_token_get_identity (token));
      json_object_set_string_member (obj, "role", bc_livekit_token_get_role (token));
      json_object_set_boolean_member (obj, "can_publish", bc_livekit_token_get_can_publish (token));
      bc_cli_print_json (cli, "livekit_token", obj);
    }
  else
    printf ("url: %s\nroom: %s\nidentity: %s\nrole: %s\ncan publish: %s\ntoken: %s\n",
            bc_livekit_token_get_url (token), bc_livekit_token_get_room (token),
            bc_livekit_token_get_identity (token), bc_livekit_token_get_role (token),
            bc_livekit_token_get_can_publish (token) ? "yes" : "no",
            bc_livekit_token_get_token (token));
  return BC_EXIT_OK;
}
