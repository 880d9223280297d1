/* Leaks: a short publish + watch through the real bountycam-server --dev,
 * with LeakSanitizer on in every process. The streamer publishes the test
 * pattern with bountycam-cli, the requester watches 30 frames with another
 * and then approves with a third, which ends the stream; the server is then
 * stopped with SIGTERM. Each of them must exit with its normal code: at exit
 * LeakSanitizer turns any leak it does not suppress (tests/lsan.supp) into
 * a report on stderr, shown in the test log, and exit status 1.
 *
 * Only meaningful in an AddressSanitizer build (make test-asan); elsewhere
 * it skips (77). */
#include "config.h"

#include "bc-test-server.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

#if defined(__SANITIZE_ADDRESS__)
#define BC_HAVE_ASAN TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BC_HAVE_ASAN TRUE
#endif
#endif
#ifndef BC_HAVE_ASAN
#define BC_HAVE_ASAN FALSE
#endif

typedef struct
{
  const char *name;
  GSubprocess *proc;
  char *out_path;
  char *err_path;
  int status; /* -1 while running */
} Cli;

static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static Cli *
cli_start (BcTestServer *s, const char *name, const char *const *env_extra, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) env = bc_test_server_child_environ (s);
  Cli *cli = g_new0 (Cli, 1);
  const char *arg;
  va_list args;

  cli->name = name;
  cli->status = -1;
  cli->out_path = g_strdup_printf ("%s/%s.out", s->dir, name);
  cli->err_path = g_strdup_printf ("%s/%s.err", s->dir, name);
  env = bc_test_leak_check_environ (env);
  env = g_environ_setenv (env, "BOUNTYCAM_SERVER", s->base_url, TRUE);
  for (guint i = 0; env_extra[i] != NULL; i += 2)
    env = g_environ_setenv (env, env_extra[i], env_extra[i + 1], TRUE);

  g_ptr_array_add (argv, (char *) g_getenv ("BC_CLI"));
  va_start (args, env_extra);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stdout_file_path (launcher, cli->out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, cli->err_path);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  cli->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  return cli;
}

static void
on_cli_exit (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Cli *cli = user_data;
  GSubprocess *proc = G_SUBPROCESS (source);

  g_subprocess_wait_finish (proc, result, NULL);
  cli->status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                                  : 128 + g_subprocess_get_term_sig (proc);
}

/* Waits for the program to end (generously: a loaded machine under ASan),
 * shows its stderr in the log and returns its exit code. */
static int
cli_wait (Cli *cli, guint seconds)
{
  g_autofree char *err = NULL;
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  g_subprocess_wait_async (cli->proc, NULL, on_cli_exit, cli);
  while (cli->status < 0 && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (10000), TRUE);
  if (cli->status < 0)
    {
      g_subprocess_force_exit (cli->proc);
      while (cli->status < 0)
        g_main_context_iteration (NULL, TRUE);
      g_test_message ("bountycam-cli %s did not end within %u s", cli->name, seconds);
    }
  if (g_file_get_contents (cli->err_path, &err, NULL, NULL) && *err != '\0')
    {
      g_auto (GStrv) lines = g_strsplit (g_strchomp (err), "\n", -1);

      for (guint i = 0; lines[i] != NULL; i++)
        g_print ("# %s: %s\n", cli->name, lines[i]);
    }
  if (err != NULL && strstr (err, "ERROR: LeakSanitizer") != NULL)
    g_error ("bountycam-cli %s leaked (the report is above)", cli->name);
  return cli->status;
}

/* The last JSON line of @type the program printed. */
static JsonObject *
cli_line (Cli *cli, const char *type)
{
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  JsonObject *found = NULL;

  g_assert_true (g_file_get_contents (cli->out_path, &out, NULL, NULL));
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonNode *root;

      if (lines[i][0] != '{' || !json_parser_load_from_data (parser, lines[i], -1, NULL))
        continue;
      root = json_parser_get_root (parser);
      if (root != NULL && JSON_NODE_HOLDS_OBJECT (root) &&
          g_strcmp0 (
              json_object_get_string_member_with_default (json_node_get_object (root), "type", ""),
              type) == 0)
        {
          g_clear_pointer (&found, json_object_unref);
          found = json_object_ref (json_node_get_object (root));
        }
    }
  return found;
}

static void
cli_free (Cli *cli)
{
  g_clear_object (&cli->proc);
  g_free (cli->out_path);
  g_free (cli->err_path);
  g_free (cli);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Cli, cli_free)

static void
test_publish_watch (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) requester = bc_test_signup (s, "leak-req");
  g_autoptr (BcTestUser) streamer = bc_test_signup (s, "leak-str");
  g_autofree char *sid = bc_test_session_new (s, requester, streamer, 5);
  g_autofree char *password = g_strdup ("correct horse leak-req");
  g_autoptr (JsonObject) summary = NULL;
  g_autoptr (Cli) publisher = NULL;
  g_autoptr (Cli) viewer = NULL;
  g_autoptr (Cli) approver = NULL;

  /* Three ways in: a refresh token, a password, another refresh token. */
  publisher =
      cli_start (s, "publish",
                 (const char *const[]){ "BOUNTYCAM_REFRESH_TOKEN", streamer->refresh_token, NULL },
                 "publish", "--json", "--session", sid, "--camera", "test", NULL);
  viewer =
      cli_start (s, "watch",
                 (const char *const[]){ "BOUNTYCAM_EMAIL", requester->email, "BOUNTYCAM_PASSWORD",
                                        password, NULL },
                 "watch", "--json", "--session", sid, "--frames", "30", "--duration", "150", NULL);
  g_assert_cmpint (cli_wait (viewer, 200), ==, 0);
  summary = cli_line (viewer, "summary");
  g_assert_nonnull (summary);
  g_assert_cmpint (json_object_get_int_member (summary, "frames_decoded"), >=, 30);

  approver =
      cli_start (s, "approve",
                 (const char *const[]){ "BOUNTYCAM_REFRESH_TOKEN", requester->refresh_token, NULL },
                 "approve", "--json", sid, NULL);
  g_assert_cmpint (cli_wait (approver, 120), ==, 0);
  /* The approval ends the stream: "session ended" is the publisher's 7. */
  g_assert_cmpint (cli_wait (publisher, 120), ==, 7);
  g_assert_cmpint (bc_test_points (s, streamer), ==, 105);

  /* Asserts the server's clean exit, which includes its leak check. */
  bc_test_server_free (s);
}

int
main (int argc, char **argv)
{
  if (!BC_HAVE_ASAN)
    {
      g_print ("1..0 # SKIP not an AddressSanitizer build\n");
      return 77;
    }
  if (bc_test_server_binary () == NULL || g_getenv ("BC_CLI") == NULL)
    {
      g_print ("1..0 # SKIP bountycam-server or bountycam-cli not built\n");
      return 77;
    }
  /* For the server this test starts; the clients get it in cli_start. */
  g_setenv ("BC_TEST_SERVER_LEAK_CHECK", "1", TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reliability/leaks/publish-watch", test_publish_watch);
  return g_test_run ();
}
