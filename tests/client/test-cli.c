/* bountycam-cli end to end against the real bountycam-server --dev: JSON
 * lines, exit codes, environment, token file and keyring logins. */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include <glib/gstdio.h>

#include "bc-json.h"
#include "bc-test-server.h"

static BcTestServer *server;
static char *tmp;

typedef struct
{
  int status;
  char *out;
  char *err;
  GPtrArray *lines; /* JsonObject* */
} Run;

static void
run_free (Run *r)
{
  g_free (r->out);
  g_free (r->err);
  g_ptr_array_unref (r->lines);
  g_free (r);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Run, run_free)

/* Runs bountycam-cli with @env_extra ("NAME=value" pairs added to a clean
 * environment), feeding @input to its stdin. */
static Run *
cli (const char *const *env_extra, const char *input, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) env = bc_test_server_child_environ (server);
  g_auto (GStrv) lines = NULL;
  Run *r = g_new0 (Run, 1);
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("BC_CLI"));
  va_start (args, input);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; env_extra && env_extra[i]; i++)
    {
      g_auto (GStrv) kv = g_strsplit (env_extra[i], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }
  launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                 G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, bc_test_child_die_with_parent, NULL, NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, input, NULL, &r->out, &r->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  r->status = g_subprocess_get_exit_status (proc);
  if (r->err && *r->err)
    g_test_message ("cli %s → %d, stderr: %s", (char *) argv->pdata[1], r->status, r->err);

  r->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  lines = g_strsplit (r->out ? r->out : "", "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      JsonObject *obj;
      if (*lines[i] == '\0')
        continue;
      obj = bc_json_parse_object (lines[i], -1, NULL);
      if (obj)
        g_ptr_array_add (r->lines, obj);
    }
  return r;
}

static JsonObject *
line_of_type (Run *r, const char *type)
{
  for (guint i = 0; i < r->lines->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (r->lines->pdata[i], "type", NULL),
                   type) == 0)
      return r->lines->pdata[i];
  return NULL;
}

static gboolean
need_server (void)
{
  if (server == NULL)
    {
      g_test_skip ("bountycam-server is not built (BC_SERVER unset)");
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  char *email;
  char *token_file;
  char *env[4];
} Account;

static void
account_clear (Account *a)
{
  g_free (a->email);
  g_free (a->token_file);
  for (int i = 0; i < 3; i++)
    g_free (a->env[i]);
}

/* Signs up through the cli; later commands use a token file. */
static void
account_init (Account *a, const char *name)
{
  static int n;
  g_autoptr (Run) r = NULL;
  JsonObject *login;

  a->email = g_strdup_printf ("%s-%d-%u@example.com", name, ++n, g_random_int ());
  a->token_file = g_strdup_printf ("%s/%s-%d.token", tmp, name, n);
  a->env[0] = g_strdup_printf ("BOUNTYCAM_SERVER=%s", server->base_url);
  a->env[1] = g_strdup_printf ("BOUNTYCAM_REFRESH_TOKEN_FILE=%s", a->token_file);
  a->env[2] = NULL;

  r = cli ((const char *const *) a->env, "a long enough password\n", "--json", "signup", "--email",
           a->email, "--display-name", name, "--password-stdin", NULL);
  g_assert_cmpint (r->status, ==, 0);
  login = line_of_type (r, "login");
  g_assert_nonnull (login);
  g_assert_cmpint (
      json_object_get_int_member (json_object_get_object_member (login, "user"), "points"), ==,
      100);
  g_assert_true (g_file_test (a->token_file, G_FILE_TEST_EXISTS));
}

static gint64
points (Account *a)
{
  g_autoptr (Run) r = cli ((const char *const *) a->env, NULL, "me", "--json", NULL);
  JsonObject *user;

  g_assert_cmpint (r->status, ==, 0);
  user = line_of_type (r, "user");
  g_assert_nonnull (user);
  return json_object_get_int_member (user, "points");
}

static void
test_flow (void)
{
  Account requester = { 0 }, streamer = { 0 }, stranger = { 0 };
  g_autofree char *bounty_id = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *old_token = NULL;
  g_autofree char *new_token = NULL;

  if (!need_server ())
    return;
  account_init (&requester, "requester");
  account_init (&streamer, "streamer");
  account_init (&stranger, "stranger");

  g_assert_true (g_file_get_contents (requester.token_file, &old_token, NULL, NULL));
  {
    g_autoptr (Run) r =
        cli ((const char *const *) requester.env, NULL, "--json", "create", "--title",
             "Sunset at Pier 39", "--description", "Live please", "--reward", "30", NULL);
    JsonObject *b;

    g_assert_cmpint (r->status, ==, 0);
    b = line_of_type (r, "bounty");
    g_assert_nonnull (b);
    g_assert_cmpstr (json_object_get_string_member (b, "status"), ==, "open");
    bounty_id = g_strdup (json_object_get_string_member (b, "id"));
  }
  g_assert_cmpint (points (&requester), ==, 70);
  /* The token file follows the rotation (so the next run still works). */
  g_assert_true (g_file_get_contents (requester.token_file, &new_token, NULL, NULL));
  g_assert_cmpstr (old_token, !=, new_token);

  {
    g_autoptr (Run) r = cli ((const char *const *) streamer.env, NULL, "bounties", "--json", NULL);
    gboolean found = FALSE;

    g_assert_cmpint (r->status, ==, 0);
    for (guint i = 0; i < r->lines->len; i++)
      found |= g_strcmp0 (json_object_get_string_member (r->lines->pdata[i], "id"), bounty_id) == 0;
    g_assert_true (found);
  }
  {
    g_autoptr (Run) r =
        cli ((const char *const *) streamer.env, NULL, "accept", bounty_id, "--json", NULL);
    JsonObject *s;

    g_assert_cmpint (r->status, ==, 0);
    s = line_of_type (r, "session");
    g_assert_nonnull (s);
    g_assert_cmpstr (json_object_get_string_member (s, "status"), ==, "pending");
    session_id = g_strdup (json_object_get_string_member (s, "id"));
  }
  {
    /* Taken: exit 4, and the JSON error says why. */
    g_autoptr (Run) r =
        cli ((const char *const *) stranger.env, NULL, "accept", bounty_id, "--json", NULL);
    JsonObject *e;

    g_assert_cmpint (r->status, ==, 4);
    e = line_of_type (r, "error");
    g_assert_nonnull (e);
    g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "conflict");
    g_assert_cmpint (json_object_get_int_member (e, "exit_code"), ==, 4);
  }
  {
    g_autoptr (Run) r = cli ((const char *const *) stranger.env, NULL, "approve", session_id, NULL);
    g_assert_cmpint (r->status, ==, 3);
  }
  {
    g_autoptr (Run) r =
        cli ((const char *const *) streamer.env, NULL, "--json", "token", session_id, NULL);
    JsonObject *t;

    g_assert_cmpint (r->status, ==, 0);
    t = line_of_type (r, "livekit_token");
    g_assert_nonnull (t);
    g_assert_true (json_object_get_boolean_member (t, "can_publish"));
    g_assert_cmpstr (json_object_get_string_member (t, "role"), ==, "streamer");
  }
  {
    g_autoptr (Run) r =
        cli ((const char *const *) requester.env, NULL, "approve", session_id, "--json", NULL);
    JsonObject *s;

    g_assert_cmpint (r->status, ==, 0);
    s = line_of_type (r, "session");
    g_assert_nonnull (s);
    g_assert_cmpstr (json_object_get_string_member (s, "outcome"), ==, "approved");
  }
  {
    g_autoptr (Run) r =
        cli ((const char *const *) requester.env, NULL, "approve", session_id, NULL);
    g_assert_cmpint (r->status, ==, 4);
  }
  g_assert_cmpint (points (&requester), ==, 70);
  g_assert_cmpint (points (&streamer), ==, 130);
  {
    g_autoptr (Run) r =
        cli ((const char *const *) streamer.env, NULL, "sessions", session_id, "--json", NULL);
    JsonObject *s;
    JsonArray *events;
    gboolean ended = FALSE;

    g_assert_cmpint (r->status, ==, 0);
    s = line_of_type (r, "session");
    events = json_object_get_array_member (s, "events");
    for (guint i = 0; i < json_array_get_length (events); i++)
      ended |= g_strcmp0 (json_object_get_string_member (json_array_get_object_element (events, i),
                                                         "type"),
                          "stream_ended") == 0;
    g_assert_true (ended);
  }
  {
    /* Human output too. */
    g_autoptr (Run) r = cli ((const char *const *) requester.env, NULL, "bounties", "--mine", NULL);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_nonnull (strstr (r->out, bounty_id));
    g_assert_nonnull (strstr (r->out, "completed"));
  }
  {
    g_autoptr (Run) r = cli ((const char *const *) requester.env, NULL, "logout", NULL);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_false (g_file_test (requester.token_file, G_FILE_TEST_EXISTS));
  }
  {
    const char *env[] = { requester.env[0], requester.env[1],
                          "DBUS_SESSION_BUS_ADDRESS=disabled:", NULL };
    g_autoptr (Run) r = cli (env, NULL, "me", "--json", NULL);
    g_assert_cmpint (r->status, ==, 2);
  }

  account_clear (&requester);
  account_clear (&streamer);
  account_clear (&stranger);
}

static void
test_env_and_errors (void)
{
  Account a = { 0 };
  g_autofree char *server_env = NULL;
  g_autofree char *email_env = NULL;

  if (!need_server ())
    return;
  account_init (&a, "envuser");
  server_env = g_strdup_printf ("BOUNTYCAM_SERVER=%s", server->base_url);
  email_env = g_strdup_printf ("BOUNTYCAM_EMAIL=%s", a.email);

  {
    const char *env[] = { server_env, email_env, "BOUNTYCAM_PASSWORD=a long enough password",
                          NULL };
    g_autoptr (Run) r = cli (env, NULL, "me", "--json", NULL);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_cmpstr (json_object_get_string_member (line_of_type (r, "user"), "email"), ==,
                     a.email);
  }
  {
    const char *env[] = { server_env, email_env, "BOUNTYCAM_PASSWORD=wrong", NULL };
    g_autoptr (Run) r = cli (env, NULL, "me", "--json", NULL);
    JsonObject *e;

    g_assert_cmpint (r->status, ==, 2);
    e = line_of_type (r, "error");
    g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "unauthorized");
    g_assert_cmpstr (json_object_get_string_member (e, "message"), ==, "Wrong email or password");
  }
  {
    const char *env[] = { "BOUNTYCAM_EMAIL=a@example.com", "BOUNTYCAM_PASSWORD=x", NULL };
    g_autoptr (Run) r = cli (env, NULL, "--server", "http://127.0.0.1:1", "me", NULL);
    g_assert_cmpint (r->status, ==, 5);
    g_assert_nonnull (strstr (r->err, "Could not reach the server at http://127.0.0.1:1"));
  }
  {
    const char *env[] = { "BOUNTYCAM_EMAIL=a@example.com", "BOUNTYCAM_PASSWORD=x", NULL };
    g_autoptr (Run) r = cli (env, NULL, "me", "--server", "http://bounty.example", NULL);
    g_assert_cmpint (r->status, ==, 1);
    g_assert_nonnull (strstr (r->err, "unencrypted"));
  }
  {
    g_autoptr (Run) r = cli ((const char *const *) a.env, NULL, "create", "--reward", "5", NULL);
    g_assert_cmpint (r->status, ==, 1);
  }
  {
    g_autoptr (Run) r = cli ((const char *const *) a.env, NULL, "frobnicate", NULL);
    g_assert_cmpint (r->status, ==, 1);
  }
  {
    g_autoptr (Run) r = cli ((const char *const *) a.env, NULL, "sessions",
                             "00000000-0000-0000-0000-000000000000", NULL);
    g_assert_cmpint (r->status, ==, 3);
  }
  {
    g_autoptr (Run) r = cli (NULL, NULL, "--help", NULL);
    g_assert_cmpint (r->status, ==, 0);
    g_assert_nonnull (strstr (r->out, "publish"));
  }
  account_clear (&a);
}

static void
test_keyring_login (void)
{
  g_autoptr (Run) r = NULL;
  Account a = { 0 };
  g_autofree char *email_env = NULL;
  const char *env[3] = { NULL };

  if (!need_server ())
    return;
  if (g_getenv ("BC_NO_SECRET_SERVICE") || !g_getenv ("DBUS_SESSION_BUS_ADDRESS"))
    {
      g_test_skip ("no private Secret Service (see run-with-keyring.sh)");
      return;
    }
  account_init (&a, "keyring");
  email_env = g_strdup_printf ("BOUNTYCAM_EMAIL=%s", a.email);
  env[0] = email_env;
  env[1] = "BOUNTYCAM_PASSWORD=a long enough password";

  r = cli (env, NULL, "--server", server->base_url, "--profile", "kr", "login", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_assert_nonnull (strstr (r->out, "Signed in as keyring"));
  g_clear_pointer (&r, run_free);

  /* No server, no password: both come from the keyring, twice (the second
   * run needs the rotated token the first one stored). */
  for (int i = 0; i < 2; i++)
    {
      r = cli (NULL, NULL, "--profile", "kr", "me", "--json", NULL);
      g_assert_cmpint (r->status, ==, 0);
      g_assert_cmpstr (json_object_get_string_member (line_of_type (r, "user"), "email"), ==,
                       a.email);
      g_clear_pointer (&r, run_free);
    }
  /* Another profile is not signed in. */
  r = cli (NULL, NULL, "--profile", "other", "me", NULL);
  g_assert_cmpint (r->status, ==, 2);
  g_clear_pointer (&r, run_free);

  r = cli (NULL, NULL, "--profile", "kr", "logout", NULL);
  g_assert_cmpint (r->status, ==, 0);
  g_clear_pointer (&r, run_free);
  r = cli (NULL, NULL, "--profile", "kr", "me", NULL);
  g_assert_cmpint (r->status, ==, 2);
  account_clear (&a);
}

/* ---- publish and watch ---------------------------------------------------- */

typedef struct
{
  GSubprocess *proc;
  GDataInputStream *out;
  GPtrArray *lines; /* JsonObject* seen so far */
  gboolean eof;
  gboolean exited;
  int status;
} Bg;

static void bg_read_next (Bg *bg);

static void
on_bg_line (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Bg *bg = user_data;
  g_autofree char *line =
      g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  JsonObject *obj;

  if (line == NULL)
    {
      bg->eof = TRUE;
      return;
    }
  obj = bc_json_parse_object (line, -1, NULL);
  if (obj)
    g_ptr_array_add (bg->lines, obj);
  bg_read_next (bg);
}

static void
bg_read_next (Bg *bg)
{
  g_data_input_stream_read_line_async (bg->out, G_PRIORITY_DEFAULT, NULL, on_bg_line, bg);
}

static void
on_bg_exit (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Bg *bg = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  bg->status = g_subprocess_get_if_exited (bg->proc) ? g_subprocess_get_exit_status (bg->proc)
                                                     : 128 + g_subprocess_get_term_sig (bg->proc);
  bg->exited = TRUE;
}

/* Starts bountycam-cli in the background; its stderr goes to the test log. */
static Bg *
bg_start (const char *const *env_extra, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) env = bc_test_server_child_environ (server);
  Bg *bg = g_new0 (Bg, 1);
  const char *arg;
  va_list args;

  g_ptr_array_add (argv, (char *) g_getenv ("BC_CLI"));
  va_start (args, env_extra);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  for (guint i = 0; env_extra && env_extra[i]; i++)
    {
      g_auto (GStrv) kv = g_strsplit (env_extra[i], "=", 2);
      env = g_environ_setenv (env, kv[0], kv[1], TRUE);
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, bc_test_child_die_with_parent, NULL, NULL);
  bg->proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  bg->out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (bg->proc));
  bg->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  bg_read_next (bg);
  g_subprocess_wait_async (bg->proc, NULL, on_bg_exit, bg);
  return bg;
}

static JsonObject *
bg_line (Bg *bg, const char *type)
{
  for (guint i = 0; i < bg->lines->len; i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (bg->lines->pdata[i], "type", NULL),
                   type) == 0)
      return bg->lines->pdata[i];
  return NULL;
}

static gboolean
on_wait_deadline (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits (generously: the machine may be loaded) for a line of @type, or for
 * the exit (and end of output) when @type is NULL. */
static gboolean
bg_wait (Bg *bg, const char *type, guint timeout_s)
{
  gboolean late = FALSE;
  guint id = g_timeout_add_seconds (timeout_s, on_wait_deadline, &late);

  while (!late && (type ? bg_line (bg, type) == NULL && !bg->eof : !(bg->exited && bg->eof)))
    g_main_context_iteration (NULL, TRUE);
  if (!late)
    g_source_remove (id);
  return type ? bg_line (bg, type) != NULL : bg->exited;
}

static void
bg_free (Bg *bg)
{
  if (!bg->exited)
    {
      g_subprocess_force_exit (bg->proc);
      while (!bg->exited)
        g_main_context_iteration (NULL, TRUE);
    }
  while (!bg->eof)
    g_main_context_iteration (NULL, TRUE);
  g_object_unref (bg->out);
  g_object_unref (bg->proc);
  g_ptr_array_unref (bg->lines);
  g_free (bg);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Bg, bg_free)

/* Requester posts a bounty, streamer accepts it: returns the session id. */
static char *
make_session (Account *requester, Account *streamer)
{
  g_autoptr (Run) c = NULL;
  g_autoptr (Run) a = NULL;

  c = cli ((const char *const *) requester->env, NULL, "--json", "create", "--title", "Stream it",
           "--reward", "10", NULL);
  g_assert_cmpint (c->status, ==, 0);
  a = cli ((const char *const *) streamer->env, NULL, "--json", "accept",
           json_object_get_string_member (line_of_type (c, "bounty"), "id"), NULL);
  g_assert_cmpint (a->status, ==, 0);
  return g_strdup (json_object_get_string_member (line_of_type (a, "session"), "id"));
}

static char **
stream_env (Account *a)
{
  char **env = g_new0 (char *, 4);

  env[0] = g_strdup (a->env[0]);
  env[1] = g_strdup (a->env[1]);
  /* Host candidates on 127.0.0.1 only: loopback, and quick. */
  env[2] = g_strdup ("BC_ICE_LOOPBACK=1");
  return env;
}

static void
stream_test (const char *codec, gboolean end_by_approve)
{
  Account requester = { 0 }, streamer = { 0 };
  g_autofree char *sid = NULL;
  g_auto (GStrv) senv = NULL;
  g_auto (GStrv) renv = NULL;
  g_autoptr (Bg) publisher = NULL;
  g_autoptr (Bg) viewer = NULL;
  g_autoptr (Bg) second = NULL;
  JsonObject *summary;

  if (!need_server ())
    return;
  account_init (&requester, "requester");
  account_init (&streamer, "streamer");
  sid = make_session (&requester, &streamer);
  senv = stream_env (&streamer);
  renv = stream_env (&requester);

  publisher = bg_start ((const char *const *) senv, "publish", "--json", "--session", sid,
                        "--camera", "test", "--codec", codec, "--stamp-capture-time", NULL);
  g_assert_true (bg_wait (publisher, "publishing", 120));
  g_assert_cmpstr (json_object_get_string_member (bg_line (publisher, "source"), "codec"), ==,
                   codec);

  viewer = bg_start ((const char *const *) renv, "watch", "--json", "--session", sid, "--frames",
                     "60", "--duration", "150", NULL);
  g_assert_true (bg_wait (viewer, NULL, 180));
  g_assert_cmpint (viewer->status, ==, 0);
  summary = bg_line (viewer, "summary");
  g_assert_nonnull (summary);
  g_assert_cmpint (json_object_get_int_member (summary, "frames_decoded"), >=, 60);
  g_assert_cmpstr (json_object_get_string_member (summary, "codec"), ==, codec);
  g_assert_cmpint (json_object_get_int_member (summary, "width"), >, 0);
  g_assert_nonnull (bg_line (viewer, "first_frame"));
  /* The stamped capture times came through: glass-to-glass is measured. */
  g_assert_cmpfloat (json_object_get_double_member (summary, "latency_p50_ms"), >=, 0);
  g_assert_cmpfloat (json_object_get_double_member (summary, "latency_p95_ms"), >=,
                     json_object_get_double_member (summary, "latency_p50_ms"));
  {
    JsonObject *track = bg_line (viewer, "track");
    g_assert_nonnull (track);
    g_assert_cmpstr (json_object_get_string_member (track, "source"), ==, "camera");
  }

  if (!end_by_approve)
    {
      g_subprocess_send_signal (publisher->proc, SIGINT);
      g_assert_true (bg_wait (publisher, NULL, 60));
      g_assert_cmpint (publisher->status, ==, 130);
      g_assert_nonnull (bg_line (publisher, "summary"));
    }
  else
    {
      g_autoptr (Run) approve = NULL;

      /* A second viewer watches without limits until the approval ends it. */
      second = bg_start ((const char *const *) renv, "watch", "--json", "--session", sid, NULL);
      g_assert_true (bg_wait (second, "first_frame", 120));

      approve = cli ((const char *const *) requester.env, NULL, "approve", sid, NULL);
      g_assert_cmpint (approve->status, ==, 0);

      g_assert_true (bg_wait (publisher, NULL, 60));
      g_assert_cmpint (publisher->status, ==, 7);
      g_assert_nonnull (strstr (
          json_object_get_string_member (bg_line (publisher, "summary"), "reason"), "approved"));
      g_assert_true (bg_wait (second, NULL, 60));
      g_assert_cmpint (second->status, ==, 7);
      g_assert_nonnull (strstr (
          json_object_get_string_member (bg_line (second, "summary"), "reason"), "approved"));
    }
  account_clear (&requester);
  account_clear (&streamer);
}

static void
test_stream_h264 (void)
{
  stream_test ("h264", TRUE);
}

static void
test_stream_vp8 (void)
{
  stream_test ("vp8", FALSE);
}

static void
test_viewer_cannot_publish (void)
{
  Account requester = { 0 }, streamer = { 0 };
  g_autofree char *sid = NULL;
  g_auto (GStrv) renv = NULL;
  g_autoptr (Run) r = NULL;
  JsonObject *e;

  if (!need_server ())
    return;
  account_init (&requester, "requester");
  account_init (&streamer, "streamer");
  sid = make_session (&requester, &streamer);
  renv = stream_env (&requester);

  r = cli ((const char *const *) renv, NULL, "publish", "--json", "--session", sid, "--camera",
           "test", "--codec", "vp8", NULL);
  g_assert_cmpint (r->status, ==, 6);
  e = line_of_type (r, "error");
  g_assert_nonnull (e);
  g_assert_cmpstr (json_object_get_string_member (e, "code"), ==, "not_allowed");
  g_assert_nonnull (strstr (json_object_get_string_member (e, "message"), "may not publish"));
  g_assert_nonnull (strstr (r->err, "only the streamer streams"));
  g_clear_pointer (&r, run_free);

  /* And the streamer's token cannot watch. */
  {
    g_auto (GStrv) senv = stream_env (&streamer);
    r = cli ((const char *const *) senv, NULL, "watch", "--session", sid, "--duration", "30", NULL);
    g_assert_cmpint (r->status, ==, 6);
    g_assert_nonnull (strstr (r->err, "only its requester can watch"));
  }
  account_clear (&requester);
  account_clear (&streamer);
}

/* Raw mode: no bounty server involved once the tokens are in hand. */
static void
test_raw_mode (void)
{
  Account requester = { 0 }, streamer = { 0 };
  g_autofree char *sid = NULL;
  g_autoptr (Run) st = NULL;
  g_autoptr (Run) rt = NULL;
  g_autoptr (Bg) publisher = NULL;
  g_autoptr (Bg) viewer = NULL;
  const char *env[] = { "BC_ICE_LOOPBACK=1", "DBUS_SESSION_BUS_ADDRESS=disabled:", NULL };
  JsonObject *s_tok, *r_tok;

  if (!need_server ())
    return;
  account_init (&requester, "requester");
  account_init (&streamer, "streamer");
  sid = make_session (&requester, &streamer);
  st = cli ((const char *const *) streamer.env, NULL, "--json", "token", sid, NULL);
  rt = cli ((const char *const *) requester.env, NULL, "--json", "token", sid, NULL);
  g_assert_cmpint (st->status, ==, 0);
  g_assert_cmpint (rt->status, ==, 0);
  s_tok = line_of_type (st, "livekit_token");
  r_tok = line_of_type (rt, "livekit_token");

  publisher = bg_start (env, "publish", "--json", "--camera", "test", "--codec", "vp8",
                        "--livekit-url", json_object_get_string_member (s_tok, "url"), "--token",
                        json_object_get_string_member (s_tok, "token"), NULL);
  g_assert_true (bg_wait (publisher, "publishing", 120));
  viewer = bg_start (env, "watch", "--json", "--frames", "30", "--duration", "150", "--livekit-url",
                     json_object_get_string_member (r_tok, "url"), "--token",
                     json_object_get_string_member (r_tok, "token"), NULL);
  g_assert_true (bg_wait (viewer, NULL, 180));
  g_assert_cmpint (viewer->status, ==, 0);
  g_assert_cmpint (json_object_get_int_member (bg_line (viewer, "summary"), "frames_decoded"), >=,
                   30);
  g_assert_cmpstr (json_object_get_string_member (bg_line (viewer, "joined"), "identity"), ==,
                   json_object_get_string_member (r_tok, "identity"));

  g_subprocess_send_signal (publisher->proc, SIGTERM);
  g_assert_true (bg_wait (publisher, NULL, 60));
  g_assert_cmpint (publisher->status, ==, 130);

  {
    /* No token in the clear to another machine. */
    g_autoptr (Run) insecure =
        cli (env, NULL, "watch", "--livekit-url", "ws://bounty.example:7880", "--token", "x", NULL);
    g_assert_cmpint (insecure->status, ==, 1);
    g_assert_nonnull (strstr (insecure->err, "--allow-insecure"));
  }
  {
    /* A token that is not one is refused with exit code 6. */
    g_autoptr (Run) bad =
        cli (env, NULL, "watch", "--livekit-url", json_object_get_string_member (r_tok, "url"),
             "--token", "not-a-token", "--duration", "30", NULL);
    g_assert_cmpint (bad->status, ==, 6);
  }
  account_clear (&requester);
  account_clear (&streamer);
}

/* TRUE once @bg went through "reconnecting" and then "connected" again. */
static gboolean
bg_recovered (Bg *bg)
{
  gboolean reconnecting = FALSE;

  for (guint i = 0; i < bg->lines->len; i++)
    {
      JsonObject *o = bg->lines->pdata[i];
      const char *state;

      if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", NULL), "state") != 0)
        continue;
      state = json_object_get_string_member_with_default (o, "state", NULL);
      if (g_strcmp0 (state, "reconnecting") == 0)
        reconnecting = TRUE;
      else if (reconnecting && g_strcmp0 (state, "connected") == 0)
        return TRUE;
    }
  return FALSE;
}

static gint64
bg_frames (Bg *bg)
{
  for (guint i = bg->lines->len; i > 0; i--)
    {
      JsonObject *o = bg->lines->pdata[i - 1];
      if (g_strcmp0 (json_object_get_string_member_with_default (o, "type", NULL), "stats") == 0)
        return json_object_get_int_member (o, "frames");
    }
  return 0;
}

typedef struct
{
  Bg *publisher;
  Bg *viewer;
  gint64 frames_before;
} Recovery;

static gboolean
recovered (gpointer data)
{
  Recovery *r = data;

  return (bg_recovered (r->publisher) && bg_recovered (r->viewer) &&
          bg_frames (r->viewer) >= r->frames_before + 60) ||
         r->publisher->exited || r->viewer->exited;
}

/* The bounty server, with its built-in SFU, restarts mid-stream: publisher
 * and viewer rejoin on their own (connected → reconnecting → connected) and
 * frames flow again; then approval ends both. */
static void
test_server_restart (void)
{
  Account requester = { 0 }, streamer = { 0 };
  g_autofree char *sid = NULL;
  g_auto (GStrv) senv = NULL;
  g_auto (GStrv) renv = NULL;
  g_autoptr (Bg) publisher = NULL;
  g_autoptr (Bg) viewer = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (Run) approve = NULL;
  Recovery r = { 0 };
  gboolean late = FALSE;
  guint id;

  if (!need_server ())
    return;
  account_init (&requester, "requester");
  account_init (&streamer, "streamer");
  sid = make_session (&requester, &streamer);
  senv = stream_env (&streamer);
  renv = stream_env (&requester);

  publisher = bg_start ((const char *const *) senv, "publish", "--json", "--session", sid,
                        "--camera", "test", "--codec", "vp8", NULL);
  g_assert_true (bg_wait (publisher, "publishing", 120));
  viewer = bg_start ((const char *const *) renv, "watch", "--json", "--session", sid, NULL);
  g_assert_true (bg_wait (viewer, "first_frame", 120));
  g_assert_true (bg_wait (viewer, "stats", 60));

  g_assert_true (bc_test_server_restart (server, &error));
  g_assert_no_error (error);
  r.publisher = publisher;
  r.viewer = viewer;
  r.frames_before = bg_frames (viewer);

  id = g_timeout_add_seconds (180, on_wait_deadline, &late);
  while (!late && !recovered (&r))
    g_main_context_iteration (NULL, TRUE);
  if (!late)
    g_source_remove (id);
  g_assert_false (publisher->exited);
  g_assert_false (viewer->exited);
  g_assert_true (bg_recovered (publisher));
  g_assert_true (bg_recovered (viewer));
  g_assert_cmpint (bg_frames (viewer), >=, r.frames_before + 60);

  approve = cli ((const char *const *) requester.env, NULL, "approve", sid, NULL);
  g_assert_cmpint (approve->status, ==, 0);
  g_assert_true (bg_wait (publisher, NULL, 60));
  g_assert_cmpint (publisher->status, ==, 7);
  g_assert_true (bg_wait (viewer, NULL, 60));
  g_assert_cmpint (viewer->status, ==, 7);
  account_clear (&requester);
  account_clear (&streamer);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int rc;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/cli/flow", test_flow);
  g_test_add_func ("/client/cli/env-and-errors", test_env_and_errors);
  g_test_add_func ("/client/cli/keyring-login", test_keyring_login);
  g_test_add_func ("/client/cli/viewer-cannot-publish", test_viewer_cannot_publish);
  g_test_add_func ("/client/cli/stream-h264-approve", test_stream_h264);
  g_test_add_func ("/client/cli/stream-vp8-interrupt", test_stream_vp8);
  g_test_add_func ("/client/cli/raw-mode", test_raw_mode);
  g_test_add_func ("/client/cli/server-restart", test_server_restart);

  g_assert_nonnull (g_getenv ("BC_CLI"));
  tmp = g_dir_make_tmp ("bc-cli-test-XXXXXX", &error);
  g_assert_no_error (error);
  if (bc_test_server_binary ())
    server = bc_test_server_start (NULL, NULL);
  rc = g_test_run ();
  g_clear_pointer (&server, bc_test_server_free);
  {
    g_autoptr (GDir) dir = g_dir_open (tmp, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name (dir)))
      {
        g_autofree char *path = g_build_filename (tmp, name, NULL);
        g_remove (path);
      }
    g_rmdir (tmp);
  }
  g_free (tmp);
  return rc;
}
