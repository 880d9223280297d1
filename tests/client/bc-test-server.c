#include "config.h"

#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include <glib/gstdio.h>

#include "bc-test-server.h"

#define START_TIMEOUT_S 60

const char *
bc_test_server_binary (void)
{
  const char *bin = g_getenv ("BC_SERVER");

  if (bin == NULL || !g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    return NULL;
  return bin;
}

char **
bc_test_server_child_environ (BcTestServer *server)
{
  char **env = g_get_environ ();
  g_autofree char *data = g_build_filename (server->dir, "xdg-data", NULL);
  g_autofree char *config = g_build_filename (server->dir, "xdg-config", NULL);
  g_autofree char *cache = g_build_filename (server->dir, "xdg-cache", NULL);

  /* Nothing from the developer's own setup: the built-in SFU it is. */
  env = g_environ_unsetenv (env, "LIVEKIT_URL");
  env = g_environ_unsetenv (env, "NEXT_PUBLIC_LIVEKIT_URL");
  env = g_environ_unsetenv (env, "LIVEKIT_API_KEY");
  env = g_environ_unsetenv (env, "LIVEKIT_API_SECRET");
  env = g_environ_unsetenv (env, "CLEANUP_API_KEY");
  env = g_environ_unsetenv (env, "BOUNTYCAM_SERVER");
  env = g_environ_unsetenv (env, "BOUNTYCAM_EMAIL");
  env = g_environ_unsetenv (env, "BOUNTYCAM_PASSWORD");
  env = g_environ_unsetenv (env, "BOUNTYCAM_REFRESH_TOKEN");
  env = g_environ_unsetenv (env, "BOUNTYCAM_REFRESH_TOKEN_FILE");
  env = g_environ_setenv (env, "XDG_DATA_HOME", data, TRUE);
  env = g_environ_setenv (env, "XDG_CONFIG_HOME", config, TRUE);
  env = g_environ_setenv (env, "XDG_CACHE_HOME", cache, TRUE);
  return env;
}

static void
drain_output (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree char *line = NULL;
  g_autoptr (GError) error = NULL;
  GDataInputStream *out = G_DATA_INPUT_STREAM (source);

  line = g_data_input_stream_read_line_finish_utf8 (out, result, NULL, &error);
  if (line == NULL)
    return;
  g_printerr ("server: %s\n", line);
  g_data_input_stream_read_line_async (out, G_PRIORITY_DEFAULT, user_data, drain_output, user_data);
}

typedef struct
{
  char *line;
  GError *error;
  gboolean done;
} LineResult;

static void
on_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LineResult *r = user_data;

  r->line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL,
                                                       &r->error);
  r->done = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* The server must not outlive a test that crashed. */
static void
child_setup (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static gboolean
spawn (BcTestServer *server, GError **error)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *db = g_build_filename (server->dir, "bountycam.db", NULL);
  g_auto (GStrv) env = bc_test_server_child_environ (server);
  gboolean timed_out = FALSE;
  guint timeout_id;

  g_ptr_array_add (argv, g_strdup (bc_test_server_binary ()));
  g_ptr_array_add (argv, g_strdup ("--dev"));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", server->port));
  g_ptr_array_add (argv, g_strdup ("--database"));
  g_ptr_array_add (argv, g_strdup (db));
  for (guint i = 0; server->extra_args && i < server->extra_args->len; i++)
    g_ptr_array_add (argv, g_strdup (server->extra_args->pdata[i]));
  g_ptr_array_add (argv, NULL);

  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  server->process =
      g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (server->process == NULL)
    return FALSE;
  server->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  server->cancellable = g_cancellable_new ();

  /* It prints "listening on http://127.0.0.1:PORT" once it accepts. */
  timeout_id = g_timeout_add_seconds (START_TIMEOUT_S, on_timeout, &timed_out);
  while (server->base_url == NULL)
    {
      LineResult r = { 0 };
      const char *url;

      g_data_input_stream_read_line_async (server->out, G_PRIORITY_DEFAULT, server->cancellable,
                                           on_line, &r);
      while (!r.done && !timed_out)
        g_main_context_iteration (NULL, TRUE);
      if (!r.done)
        {
          g_cancellable_cancel (server->cancellable);
          while (!r.done)
            g_main_context_iteration (NULL, TRUE);
          g_clear_error (&r.error);
          g_free (r.line);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "bountycam-server did not start within %d s", START_TIMEOUT_S);
          return FALSE;
        }
      if (r.line == NULL)
        {
          if (r.error)
            g_propagate_error (error, r.error);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "bountycam-server exited before it was listening");
          g_clear_handle_id (&timeout_id, g_source_remove);
          return FALSE;
        }
      g_printerr ("server: %s\n", r.line);
      url = strstr (r.line, "http://127.0.0.1:");
      if (url)
        {
          server->base_url = g_strdup (url);
          g_strchomp (server->base_url);
          server->port = (guint) g_ascii_strtoull (url + strlen ("http://127.0.0.1:"), NULL, 10);
        }
      g_free (r.line);
    }
  g_clear_handle_id (&timeout_id, g_source_remove);
  g_data_input_stream_read_line_async (server->out, G_PRIORITY_DEFAULT, server->cancellable,
                                       drain_output, server->cancellable);
  return TRUE;
}

BcTestServer *
bc_test_server_start (const char *const *extra_args, GError **error)
{
  g_autoptr (BcTestServer) server = g_new0 (BcTestServer, 1);

  server->dir = g_dir_make_tmp ("bc-client-test-XXXXXX", error);
  if (server->dir == NULL)
    return NULL;
  server->own_dir = TRUE;
  server->extra_args = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; extra_args && extra_args[i]; i++)
    g_ptr_array_add (server->extra_args, g_strdup (extra_args[i]));
  if (!spawn (server, error))
    return NULL;
  return g_steal_pointer (&server);
}

void
bc_test_server_stop (BcTestServer *server)
{
  if (server->process == NULL)
    return;
  g_cancellable_cancel (server->cancellable);
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  g_clear_object (&server->out);
  g_clear_object (&server->cancellable);
  /* The drain callback sees the cancellation. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

gboolean
bc_test_server_restart (BcTestServer *server, GError **error)
{
  bc_test_server_stop (server);
  g_clear_pointer (&server->base_url, g_free);
  return spawn (server, error);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          remove_tree (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

void
bc_test_server_free (BcTestServer *server)
{
  if (server == NULL)
    return;
  bc_test_server_stop (server);
  if (server->own_dir && server->dir)
    remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->base_url);
  g_clear_pointer (&server->extra_args, g_ptr_array_unref);
  g_free (server);
}
