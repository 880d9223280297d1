#include "config.h"

#include "bc-test-server.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>
#include <unistd.h>

const char *
bc_test_server_binary (void)
{
  static char *path;
  const char *env = g_getenv ("BC_SERVER");
  const char *build = g_getenv ("BC_BUILD_ROOT");

  if (path == NULL)
    {
      if (env != NULL)
        path = g_strdup (env);
      else if (build != NULL)
        path = g_build_filename (build, "src", "server", "bountycam-server", NULL);
    }
  return path != NULL && g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) ? path : NULL;
}

char **
bc_test_server_child_environ (BcTestServer *s)
{
  const char *unset[] = { "LIVEKIT_URL",
                          "NEXT_PUBLIC_LIVEKIT_URL",
                          "LIVEKIT_API_KEY",
                          "LIVEKIT_API_SECRET",
                          "CLEANUP_API_KEY",
                          "BOUNTYCAM_SERVER",
                          "BOUNTYCAM_EMAIL",
                          "BOUNTYCAM_PASSWORD",
                          "BOUNTYCAM_REFRESH_TOKEN",
                          "BOUNTYCAM_REFRESH_TOKEN_FILE" };
  const char *xdg[][2] = { { "XDG_DATA_HOME", "xdg-data" },
                           { "XDG_CONFIG_HOME", "xdg-config" },
                           { "XDG_CACHE_HOME", "xdg-cache" } };
  char **env = g_get_environ ();

  for (guint i = 0; i < G_N_ELEMENTS (unset); i++)
    env = g_environ_unsetenv (env, unset[i]);
  for (guint i = 0; i < G_N_ELEMENTS (xdg); i++)
    {
      g_autofree char *dir = g_build_filename (s->dir, xdg[i][1], NULL);
      env = g_environ_setenv (env, xdg[i][0], dir, TRUE);
    }
  return env;
}

char **
bc_test_leak_check_environ (char **env)
{
  const char *options = g_environ_getenv (env, "ASAN_OPTIONS");
  /* Later options win; the slow unwinder goes through libraries built
   * without frame pointers (GLib, GStreamer). */
  g_autofree char *with_leaks =
      g_strconcat (options ? options : "", options ? ":" : "",
                   "detect_leaks=1:fast_unwind_on_malloc=0:malloc_context_size=30", NULL);

  return g_environ_setenv (env, "ASAN_OPTIONS", with_leaks, TRUE);
}

/* A test that fails an assertion aborts without stopping its server or
 * clients: the kernel stops them when the test process dies. */
void
bc_test_child_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static gboolean
spawn (BcTestServer *s, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autofree char *db = g_build_filename (s->dir, "bountycam.db", NULL);
  g_autofree char *secrets_path = g_build_filename (s->dir, "secrets.ini", NULL);
  g_auto (GStrv) env = bc_test_server_child_environ (s);
  const char *binary = bc_test_server_binary ();

  g_assert_nonnull (binary);
  if (g_strcmp0 (g_getenv ("BC_TEST_SERVER_LEAK_CHECK"), "1") == 0)
    env = bc_test_leak_check_environ (env);
  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--dev"));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", s->port));
  g_ptr_array_add (argv, g_strdup ("--database"));
  g_ptr_array_add (argv, g_strdup (db));
  for (guint i = 0; s->extra_args && s->extra_args[i]; i++)
    g_ptr_array_add (argv, g_strdup (s->extra_args[i]));
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, bc_test_child_die_with_parent, NULL, NULL);
  s->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
  if (s->proc == NULL)
    return FALSE;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (s->proc));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (line == NULL || !g_str_has_prefix (line, "listening on http://127.0.0.1:"))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "bountycam-server exited before it was listening");
      return FALSE;
    }
  g_free (s->base_url);
  s->base_url = g_strdup (line + strlen ("listening on "));
  s->port = (guint) g_ascii_strtoull (line + strlen ("listening on http://127.0.0.1:"), NULL, 10);

  g_clear_pointer (&s->secrets, g_key_file_unref);
  s->secrets = g_key_file_new ();
  return g_key_file_load_from_file (s->secrets, secrets_path, G_KEY_FILE_NONE, error);
}

BcTestServer *
bc_test_server_start (const char *dir, const char *const *extra_args)
{
  BcTestServer *s = g_new0 (BcTestServer, 1);
  g_autoptr (GError) error = NULL;

  if (dir == NULL)
    {
      s->dir = g_dir_make_tmp ("bc-server-test-XXXXXX", &error);
      g_assert_no_error (error);
      s->owns_dir = TRUE;
    }
  else
    s->dir = g_strdup (dir);
  s->extra_args = g_strdupv ((char **) extra_args);
  spawn (s, &error);
  g_assert_no_error (error);
  s->session = soup_session_new_with_options ("max-conns", 128, "max-conns-per-host", 128,
                                              "timeout", 60, NULL);
  return s;
}

gboolean
bc_test_server_restart (BcTestServer *s, GError **error)
{
  bc_test_server_stop (s);
  return spawn (s, error);
}

static void
wait_exit (BcTestServer *s)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_wait (s->proc, NULL, &error);
  g_assert_no_error (error);
}

void
bc_test_server_stop (BcTestServer *s)
{
  if (s->proc == NULL)
    return;
  g_subprocess_send_signal (s->proc, SIGTERM);
  wait_exit (s);
  g_assert_true (g_subprocess_get_if_exited (s->proc));
  /* Under BC_TEST_SERVER_LEAK_CHECK, leaks show as a report on stderr and
   * exit status 1. */
  g_assert_cmpint (g_subprocess_get_exit_status (s->proc), ==, 0);
  g_clear_object (&s->proc);
}

void
bc_test_server_kill (BcTestServer *s)
{
  if (s->proc == NULL)
    return;
  g_subprocess_force_exit (s->proc);
  wait_exit (s);
  g_clear_object (&s->proc);
}

static void
remove_dir (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

void
bc_test_server_free (BcTestServer *s)
{
  if (s->proc != NULL)
    bc_test_server_stop (s);
  g_clear_object (&s->session);
  g_clear_pointer (&s->secrets, g_key_file_unref);
  if (s->owns_dir)
    remove_dir (s->dir);
  g_free (s->dir);
  g_free (s->base_url);
  g_strfreev (s->extra_args);
  g_free (s);
}

char *
bc_test_server_secret (BcTestServer *s, const char *key)
{
  char *value = g_key_file_get_string (s->secrets, "secrets", key, NULL);

  g_assert_nonnull (value);
  return value;
}

char *
bc_test_server_db_path (BcTestServer *s)
{
  return g_build_filename (s->dir, "bountycam.db", NULL);
}

static SoupMessage *
new_message (BcTestServer *s,
             const char *method,
             const char *path,
             const char *authorization,
             const char *body)
{
  g_autofree char *url = g_strconcat (s->base_url, path, NULL);
  SoupMessage *msg = soup_message_new (method, url);

  g_assert_nonnull (msg);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                  authorization);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  return msg;
}

static JsonNode *
parse (GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  if (len == 0)
    return NULL;
  if (!json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

guint
bc_test_request_full (BcTestServer *s,
                      const char *method,
                      const char *path,
                      const char *authorization,
                      const char *body,
                      JsonNode **out,
                      SoupMessageHeaders **out_headers)
{
  g_autoptr (SoupMessage) msg = new_message (s, method, path, authorization, body);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = soup_session_send_and_read (s->session, msg, NULL, &error);
  const char *type;

  g_assert_no_error (error);
  type = soup_message_headers_get_content_type (soup_message_get_response_headers (msg), NULL);
  if (g_bytes_get_size (bytes) > 0)
    g_assert_cmpstr (type, ==, "application/json");
  if (out)
    *out = parse (bytes);
  if (out_headers)
    *out_headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return soup_message_get_status (msg);
}

guint
bc_test_request (BcTestServer *s,
                 const char *method,
                 const char *path,
                 const char *token,
                 const char *body,
                 JsonNode **out)
{
  g_autofree char *auth = token ? g_strconcat ("Bearer ", token, NULL) : NULL;

  return bc_test_request_full (s, method, path, auth, body, out, NULL);
}

typedef struct
{
  BcTestCall *call;
  guint *pending;
  GMainLoop *loop;
} Pending;

static void
on_parallel_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pending *p = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) bytes =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  p->call->status = bytes ? soup_message_get_status (msg) : 0;
  if (--*p->pending == 0)
    g_main_loop_quit (p->loop);
  g_free (p);
}

void
bc_test_request_parallel (BcTestServer *s, BcTestCall *calls, guint n)
{
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  guint pending = n;

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *auth = calls[i].token ? g_strconcat ("Bearer ", calls[i].token, NULL) : NULL;
      BcTestServer *to = calls[i].target ? calls[i].target : s;
      g_autoptr (SoupMessage) msg =
          new_message (to, calls[i].method, calls[i].path, auth, calls[i].body);
      Pending *p = g_new0 (Pending, 1);

      p->call = &calls[i];
      p->pending = &pending;
      p->loop = loop;
      soup_session_send_and_read_async (s->session, msg, G_PRIORITY_DEFAULT, NULL, on_parallel_done,
                                        p);
    }
  if (n > 0)
    g_main_loop_run (loop);
}

static guint user_counter;

BcTestUser *
bc_test_signup (BcTestServer *s, const char *name)
{
  BcTestUser *user = g_new0 (BcTestUser, 1);
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body = NULL;

  user->email = g_strdup_printf ("%s-%u-%d@example.org", name, ++user_counter, (int) getpid ());
  body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse %s\","
                          "\"display_name\":\"%s\"}",
                          user->email, name, name);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/signup", NULL, body, &answer), ==, 201);
  user->id = g_strdup (bc_test_str (answer, "user.id"));
  user->access_token = g_strdup (bc_test_str (answer, "access_token"));
  user->refresh_token = g_strdup (bc_test_str (answer, "refresh_token"));
  return user;
}

void
bc_test_user_free (BcTestUser *user)
{
  if (user == NULL)
    return;
  g_free (user->id);
  g_free (user->email);
  g_free (user->access_token);
  g_free (user->refresh_token);
  g_free (user);
}

gint64
bc_test_points (BcTestServer *s, BcTestUser *user)
{
  g_autoptr (JsonNode) me = NULL;

  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", user->access_token, NULL, &me), ==, 200);
  return bc_test_int (me, "points");
}

char *
bc_test_session_new (BcTestServer *s, BcTestUser *requester, BcTestUser *streamer, gint64 reward)
{
  g_autoptr (JsonNode) bounty = NULL;
  g_autoptr (JsonNode) session = NULL;
  g_autofree char *body = g_strdup_printf (
      "{\"title\":\"test\",\"description\":\"\",\"reward_points\":%" G_GINT64_FORMAT "}", reward);
  g_autofree char *path = NULL;

  g_assert_cmpuint (
      bc_test_request (s, "POST", "/api/bounties", requester->access_token, body, &bounty), ==,
      201);
  path = g_strdup_printf ("/api/bounties/%s/accept", bc_test_str (bounty, "id"));
  g_assert_cmpuint (bc_test_request (s, "POST", path, streamer->access_token, NULL, &session), ==,
                    201);
  return g_strdup (bc_test_str (session, "id"));
}

static JsonNode *
lookup (JsonNode *node, const char *path)
{
  g_auto (GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i]; i++)
    {
      g_assert_nonnull (node);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      node = json_object_get_member (json_node_get_object (node), parts[i]);
      if (node == NULL)
        g_error ("The answer has no “%s”", path);
    }
  return node;
}

const char *
bc_test_str (JsonNode *node, const char *path)
{
  JsonNode *member = lookup (node, path);

  if (JSON_NODE_HOLDS_NULL (member))
    return NULL;
  return json_node_get_string (member);
}

gint64
bc_test_int (JsonNode *node, const char *path)
{
  return json_node_get_int (lookup (node, path));
}
