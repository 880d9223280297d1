/* bountycam-cli: the BountyCam client without a window */
#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include "bc-known-warnings.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "bc-cli.h"

typedef struct
{
  const char *name;
  int (*run) (BcCli *cli, int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "login", bc_cli_cmd_login, "Sign in; the login is kept in the keyring" },
  { "signup", bc_cli_cmd_signup, "Create an account and sign in" },
  { "logout", bc_cli_cmd_logout, "Sign out and forget the stored login" },
  { "me", bc_cli_cmd_me, "Show your account and points" },
  { "bounties", bc_cli_cmd_bounties, "List open bounties (--mine: your own)" },
  { "create", bc_cli_cmd_create, "Post a bounty" },
  { "cancel", bc_cli_cmd_cancel, "Cancel an open bounty of yours" },
  { "accept", bc_cli_cmd_accept, "Accept a bounty; starts a session" },
  { "sessions", bc_cli_cmd_sessions, "List your sessions, or show one" },
  { "token", bc_cli_cmd_token, "Get a LiveKit token for a session" },
  { "publish", bc_cli_cmd_publish, "Stream a camera into a session's room" },
  { "watch", bc_cli_cmd_watch, "Watch a session's stream" },
  { "approve", bc_cli_cmd_approve, "Approve a session: the streamer gets the points" },
  { "reject", bc_cli_cmd_reject, "Reject a session: the points come back" },
};

static gboolean
on_signal (gpointer user_data)
{
  BcCli *cli = user_data;

  if (cli->interrupted)
    {
      /* A second Ctrl-C: the user does not want to wait for a clean exit. */
      fprintf (stderr, "bountycam-cli: interrupted\n");
      _exit (BC_EXIT_INTERRUPTED);
    }
  cli->interrupted = TRUE;
  g_cancellable_cancel (cli->cancellable);
  return G_SOURCE_CONTINUE;
}

static void
print_help (FILE *out)
{
  fprintf (out,
           "Usage: bountycam-cli [--server URL] [--profile NAME] [--json] COMMAND [OPTIONS]\n\n"
           "Commands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-10s %s\n", commands[i].name, commands[i].summary);
  fprintf (
      out,
      "\nGlobal options (before or after the command):\n"
      "  -s, --server URL      bounty server (or BOUNTYCAM_SERVER; default: the stored login's)\n"
      "  -p, --profile NAME    login profile (default: default)\n"
      "  -j, --json            JSON lines on standard output\n"
      "      --allow-insecure  allow plain http to a non-loopback server (testing only)\n"
      "\nEnvironment: BOUNTYCAM_SERVER, BOUNTYCAM_EMAIL + BOUNTYCAM_PASSWORD,\n"
      "BOUNTYCAM_REFRESH_TOKEN, BOUNTYCAM_REFRESH_TOKEN_FILE.\n"
      "Exit codes: 0 ok, 1 usage, 2 auth, 3 not found/forbidden, 4 conflict,\n"
      "5 server unreachable, 6 media/connection failure, 7 session ended, 130 interrupted.\n"
      "See bountycam-cli(1) and “bountycam-cli COMMAND --help”.\n");
}

/* Global options may come before the command; each takes its value from the
 * next word unless written --name=value. */
static gboolean
global_takes_value (const char *arg)
{
  return g_str_equal (arg, "--server") || g_str_equal (arg, "-s") ||
         g_str_equal (arg, "--profile") || g_str_equal (arg, "-p");
}

int
main (int argc, char **argv)
{
  BcCli cli = { .process_start = g_get_real_time () };
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const Command *command = NULL;
  int command_index = -1;
  int rc;

  /* Standard output carries results and JSON lines only; every log
   * message, debug output included, goes to standard error. */
  g_log_writer_default_set_use_stderr (TRUE);
  bc_known_warnings_install ();
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  for (int i = 1; i < argc; i++)
    {
      if (argv[i][0] != '-')
        {
          command_index = i;
          break;
        }
      if (g_str_equal (argv[i], "--help") || g_str_equal (argv[i], "-h"))
        {
          print_help (stdout);
          return BC_EXIT_OK;
        }
      if (g_str_equal (argv[i], "--version"))
        {
          printf ("bountycam-cli %s\n", PACKAGE_VERSION);
          return BC_EXIT_OK;
        }
      if (global_takes_value (argv[i]))
        i++;
    }
  if (command_index < 0)
    {
      print_help (stderr);
      return BC_EXIT_USAGE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (commands[i].name, argv[command_index]))
      command = &commands[i];
  if (command == NULL)
    {
      fprintf (stderr, "bountycam-cli: unknown command “%s”\n\n", argv[command_index]);
      print_help (stderr);
      return BC_EXIT_USAGE;
    }

  /* argv for the command: its name, then every other word, in order. */
  g_ptr_array_add (args, g_strdup_printf ("bountycam-cli %s", command->name));
  for (int i = 1; i < argc; i++)
    if (i != command_index)
      g_ptr_array_add (args, g_strdup (argv[i]));
  g_ptr_array_add (args, NULL);

  cli.command = command->name;
  cli.cancellable = g_cancellable_new ();
  cli.sigint_id = g_unix_signal_add (SIGINT, on_signal, &cli);
  cli.sigterm_id = g_unix_signal_add (SIGTERM, on_signal, &cli);

  {
    char **cargv = (char **) args->pdata;
    int cargc = (int) args->len - 1;
    char **owned = g_memdup2 (cargv, sizeof (char *) * args->len);

    rc = command->run (&cli, cargc, cargv);
    /* GOption may reorder or drop words; free what we allocated. */
    for (int i = 0; owned[i]; i++)
      g_free (owned[i]);
    g_free (owned);
  }

  if (cli.interrupted && rc != BC_EXIT_OK)
    rc = BC_EXIT_INTERRUPTED;
  /* A long publish or watch may have refreshed the login since the
   * command last saved it; the old refresh token no longer works. */
  if (cli.client && (cli.from_keyring || cli.token_file))
    bc_cli_save_login (&cli);

  g_clear_handle_id (&cli.sigint_id, g_source_remove);
  g_clear_handle_id (&cli.sigterm_id, g_source_remove);
  g_clear_object (&cli.client);
  g_clear_object (&cli.store);
  g_clear_object (&cli.cancellable);
  g_free (cli.server);
  g_free (cli.profile);
  g_free (cli.token_file);
  if (cli.saved_token)
    memset (cli.saved_token, 0, strlen (cli.saved_token));
  g_free (cli.saved_token);
  /* Let libsoup and libsecret finish closing their connections. */
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  return rc;
}
