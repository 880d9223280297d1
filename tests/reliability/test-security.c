/* Secrets stay secret: bountycam-server --dev with every debug message on
 * (G_MESSAGES_DEBUG=all) goes through a whole session, with failed logins,
 * refreshes, LiveKit tokens, signalling, webhooks, realtime and cleanup;
 * its whole output must not contain any password, token or secret, nor
 * must any error answer. The files it keeps its secrets in are its own
 * (0600, in a 0700 directory). */
#include "config.h"

#include "bc-test-server.h"

#include "bc-client.h"
#include "bc-tokens.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct
{
  GPtrArray *secrets; /* (what, value) pairs, flattened */
  GString *answers;   /* every answer body seen */
} Secrets;

static void
add_secret (Secrets *s, const char *what, const char *value)
{
  g_assert_nonnull (value);
  g_assert_cmpuint (strlen (value), >=, 8);
  g_ptr_array_add (s->secrets, g_strdup (what));
  g_ptr_array_add (s->secrets, g_strdup (value));
  /* A token's signature alone is as good as the token. */
  if (strchr (value, '.') != NULL && strrchr (value, '.')[1] != '\0')
    {
      g_ptr_array_add (s->secrets, g_strconcat (what, " (signature)", NULL));
      g_ptr_array_add (s->secrets, g_strdup (strrchr (value, '.') + 1));
    }
}

static guint
request (BcTestServer *server,
         Secrets *s,
         const char *method,
         const char *path,
         const char *token,
         const char *body,
         JsonNode **out)
{
  g_autoptr (JsonNode) answer = NULL;
  guint status = bc_test_request (server, method, path, token, body, &answer);

  if (answer != NULL && status >= 400)
    {
      g_autofree char *text = json_to_string (answer, FALSE);

      g_string_append_printf (s->answers, "%s\n", text);
    }
  if (out != NULL)
    *out = g_steal_pointer (&answer);
  return status;
}

static void
assert_mode (const char *path, guint mode)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    g_error ("%s is missing", path);
  if ((st.st_mode & 0777) != mode)
    g_error ("%s has mode %o, expected %o", path, st.st_mode & 0777, mode);
}

typedef struct
{
  SoupWebsocketConnection *ws;
  gboolean done;
  gboolean message;
} Ws;

static void
on_message (SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer data)
{
  ((Ws *) data)->message = TRUE;
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Ws *w = data;

  w->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);
  if (w->ws != NULL)
    g_signal_connect (w->ws, "message", G_CALLBACK (on_message), w);
  w->done = TRUE;
}

static void
wait_for (gboolean *flag, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (1000);
  g_assert_true (*flag);
}

/* A WebSocket with the token in the query string, as browsers send it. */
static Ws *
ws_open (const char *url)
{
  static SoupSession *session;
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);
  Ws *w = g_new0 (Ws, 1);

  if (session == NULL)
    session = soup_session_new ();
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_connected, w);
  wait_for (&w->done, 30);
  g_assert_nonnull (w->ws);
  return w;
}

static void
ws_close (Ws *w)
{
  g_signal_handlers_disconnect_by_data (w->ws, w);
  soup_websocket_connection_close (w->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  g_object_unref (w->ws);
  g_free (w);
}

static void
test_no_secret_in_logs (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *home = g_dir_make_tmp ("bc-security-XXXXXX", &error);
  g_autofree char *data_dir = g_build_filename (home, "bountycam", NULL);
  g_autofree char *log_path = g_build_filename (home, "server.log", NULL);
  g_autofree char *out_path = g_build_filename (home, "server.out", NULL);
  g_autofree char *secrets_path = g_build_filename (data_dir, "secrets.ini", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "bountycam.db", NULL);
  g_autofree char *binary =
      g_build_filename (g_getenv ("BC_BUILD_ROOT"), "src", "server", "bountycam-server", NULL);
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *line = NULL;
  g_autofree char *log = NULL;
  BcTestServer *server = g_new0 (BcTestServer, 1);
  Secrets s = { g_ptr_array_new_with_free_func (g_free), g_string_new (NULL) };
  g_autoptr (BcTestUser) a = NULL;
  g_autoptr (BcTestUser) b = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *lk_a = NULL;
  g_autofree char *lk_b = NULL;
  g_autofree char *refreshed = NULL;
  g_autofree char *access2 = NULL;
  const char *wrong_password = "wrong horse battery staple";

  g_assert_no_error (error);
  /* The --dev defaults: data under XDG_DATA_HOME, generated secrets. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", home, TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  g_subprocess_launcher_setenv (launcher, "GST_DEBUG", "2", TRUE);
  /* Debug and info messages go to stdout, the rest to stderr: both are the log. */
  g_subprocess_launcher_set_stderr_file_path (launcher, log_path);
  g_subprocess_launcher_set_stdout_file_path (launcher, out_path);
  server->proc = g_subprocess_launcher_spawn (launcher, &error, binary, "--dev", "--listen",
                                              "127.0.0.1:0", "--session-timeout", "1", NULL);
  g_assert_no_error (error);
  for (gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC; line == NULL;)
    {
      g_autofree char *text = NULL;
      const char *at;

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
      if (!g_file_get_contents (out_path, &text, NULL, NULL) ||
          (at = strstr (text, "listening on http://127.0.0.1:")) == NULL ||
          strchr (at, '\n') == NULL)
        continue;
      line = g_strndup (at, strchr (at, '\n') - at);
    }
  server->base_url = g_strdup (line + strlen ("listening on "));
  server->dir = g_strdup (data_dir);
  server->session = soup_session_new_with_options ("timeout", 60, NULL);
  server->secrets = g_key_file_new ();
  g_key_file_load_from_file (server->secrets, secrets_path, G_KEY_FILE_NONE, &error);
  g_assert_no_error (error);

  /* The secrets' files are the user's alone. */
  assert_mode (data_dir, 0700);
  assert_mode (secrets_path, 0600);
  assert_mode (db_path, 0600);

  {
    const char *keys[] = { "jwt_secret", "livekit_api_secret", "cleanup_api_key" };

    for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
      {
        g_autofree char *value = bc_test_server_secret (server, keys[i]);

        add_secret (&s, keys[i], value);
      }
  }

  /* Accounts: sign-up, a failed and a good login, refresh. */
  a = bc_test_signup (server, "sec-a");
  b = bc_test_signup (server, "sec-b");
  add_secret (&s, "A's password", "correct horse sec-a");
  add_secret (&s, "B's password", "correct horse sec-b");
  add_secret (&s, "a wrong password", wrong_password);
  add_secret (&s, "A's access token", a->access_token);
  add_secret (&s, "A's refresh token", a->refresh_token);
  add_secret (&s, "B's access token", b->access_token);
  add_secret (&s, "B's refresh token", b->refresh_token);
  body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"%s\"}", a->email, wrong_password);
  g_assert_cmpuint (request (server, &s, "POST", "/api/auth/login", NULL, body, NULL), ==, 401);
  g_free (body);
  body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse sec-a\"}", a->email);
  g_assert_cmpuint (request (server, &s, "POST", "/api/auth/login", NULL, body, &answer), ==, 200);
  access2 = g_strdup (bc_test_str (answer, "access_token"));
  add_secret (&s, "A's second access token", access2);
  add_secret (&s, "A's second refresh token", bc_test_str (answer, "refresh_token"));
  g_clear_pointer (&answer, json_node_unref);
  g_free (body);
  body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", a->refresh_token);
  g_assert_cmpuint (request (server, &s, "POST", "/api/auth/refresh", NULL, body, &answer), ==,
                    200);
  refreshed = g_strdup (bc_test_str (answer, "refresh_token"));
  add_secret (&s, "A's rotated refresh token", refreshed);
  add_secret (&s, "A's refreshed access token", bc_test_str (answer, "access_token"));
  g_clear_pointer (&answer, json_node_unref);
  /* Reusing the rotated one: refused, and logged as such without the token. */
  g_assert_cmpuint (request (server, &s, "POST", "/api/auth/refresh", NULL, body, NULL), ==, 401);

  /* A session with both LiveKit tokens. */
  g_assert_cmpuint (request (server, &s, "POST", "/api/bounties", access2,
                             "{\"title\":\"Secret sunset\",\"description\":\"\","
                             "\"reward_points\":10}",
                             &answer),
                    ==, 201);
  g_free (path);
  path = g_strdup_printf ("/api/bounties/%s/accept", bc_test_str (answer, "id"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (request (server, &s, "POST", path, b->access_token, NULL, &answer), ==, 201);
  session_id = g_strdup (bc_test_str (answer, "id"));
  g_clear_pointer (&answer, json_node_unref);
  g_free (body);
  body = g_strdup_printf ("{\"session_id\":\"%s\"}", session_id);
  g_assert_cmpuint (request (server, &s, "POST", "/api/livekit/token", access2, body, &answer), ==,
                    200);
  lk_a = g_strdup (bc_test_str (answer, "token"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      request (server, &s, "POST", "/api/livekit/token", b->access_token, body, &answer), ==, 200);
  lk_b = g_strdup (bc_test_str (answer, "token"));
  g_clear_pointer (&answer, json_node_unref);
  add_secret (&s, "A's LiveKit token", lk_a);
  add_secret (&s, "B's LiveKit token", lk_b);

  /* Realtime and signalling with tokens in the query string (logged URLs
   * would show them), then the stream's events and webhooks. */
  {
    g_autofree char *rt_url =
        g_strdup_printf ("ws%s/api/realtime?access_token=%s", server->base_url + 4, access2);
    g_autofree char *rtc_url = g_strdup_printf ("ws%s/rtc?access_token=%s&protocol=16&sdk=cpp",
                                                server->base_url + 4, lk_b);
    g_autofree char *rtc_url_a = g_strdup_printf ("ws%s/rtc?access_token=%s&protocol=16&sdk=cpp",
                                                  server->base_url + 4, lk_a);
    g_autofree char *event_path = g_strdup_printf ("/api/sessions/%s/events", session_id);
    Ws *rt = ws_open (rt_url);
    Ws *rtc = ws_open (rtc_url);
    Ws *rtc_a = ws_open (rtc_url_a);

    wait_for (&rtc->message, 30);
    wait_for (&rtc_a->message, 30);
    g_assert_cmpuint (request (server, &s, "POST", event_path, b->access_token,
                               "{\"type\":\"stream_started\"}", NULL),
                      ==, 201);
    wait_for (&rt->message, 30);
    ws_close (rtc);
    ws_close (rtc_a);
    ws_close (rt);
  }
  {
    g_autofree char *key = bc_test_server_secret (server, "livekit_api_key");
    g_autofree char *secret = bc_test_server_secret (server, "livekit_api_secret");
    g_autofree char *hook = g_strdup_printf (
        "{\"event\":\"track_published\",\"id\":\"EV_sec\",\"room\":{\"name\":\"%s\"},"
        "\"participant\":{\"identity\":\"%s\"}}",
        session_id, b->id);
    g_autofree char *auth = bc_livekit_webhook_sign (key, secret, hook, strlen (hook),
                                                     g_get_real_time () / G_USEC_PER_SEC);
    g_autofree char *bad = bc_livekit_webhook_sign (
        key, "not-the-secret-0123456789", hook, strlen (hook), g_get_real_time () / G_USEC_PER_SEC);

    add_secret (&s, "a webhook signature", auth);
    g_assert_cmpuint (
        bc_test_request_full (server, "POST", "/api/livekit/webhook", auth, hook, NULL, NULL), ==,
        200);
    g_assert_cmpuint (
        bc_test_request_full (server, "POST", "/api/livekit/webhook", bad, hook, &answer, NULL), ==,
        401);
    {
      g_autofree char *text = json_to_string (answer, FALSE);

      g_string_append_printf (s.answers, "%s\n", text);
    }
    g_clear_pointer (&answer, json_node_unref);
  }

  /* Wrong keys and tokens everywhere. */
  g_assert_cmpuint (request (server, &s, "POST", "/api/cleanup", access2, NULL, NULL), ==, 401);
  g_assert_cmpuint (request (server, &s, "GET", "/api/me", lk_a, NULL, NULL), ==, 401);
  g_assert_cmpuint (request (server, &s, "GET", "/api/me", refreshed, NULL, NULL), ==, 401);
  g_assert_cmpuint (
      request (server, &s, "POST", "/api/livekit/token", access2, "{\"session_id\":1}", NULL), ==,
      400);

  /* The end: approval, a cleanup with the key, logout. */
  g_free (path);
  path = g_strdup_printf ("/api/sessions/%s/approve", session_id);
  g_assert_cmpuint (request (server, &s, "POST", path, access2, NULL, NULL), ==, 200);
  {
    g_autofree char *cleanup_key = bc_test_server_secret (server, "cleanup_api_key");

    g_assert_cmpuint (request (server, &s, "POST", "/api/cleanup", cleanup_key, NULL, NULL), ==,
                      200);
  }
  g_assert_cmpuint (request (server, &s, "POST", "/api/auth/logout", access2, NULL, NULL), ==, 204);
  /* Let the SFU's webhooks and the room deletion run before stopping. */
  g_usleep (G_USEC_PER_SEC);
  bc_test_server_stop (server);

  {
    g_autofree char *err = NULL;
    g_autofree char *out = NULL;

    g_assert_true (g_file_get_contents (log_path, &err, NULL, NULL));
    g_assert_true (g_file_get_contents (out_path, &out, NULL, NULL));
    log = g_strconcat (out, err, NULL);
  }
  /* Debug output was on: the check means something. */
  g_assert_nonnull (strstr (log, "DEBUG"));
  g_assert_nonnull (strstr (log, session_id)); /* the SFU logged the room's joins */
  g_test_message ("server log: %zu bytes; %u secrets checked; %zu bytes of error answers",
                  strlen (log), s.secrets->len / 2, s.answers->len);
  for (guint i = 0; i < s.secrets->len; i += 2)
    {
      const char *what = g_ptr_array_index (s.secrets, i);
      const char *value = g_ptr_array_index (s.secrets, i + 1);

      if (strstr (log, value) != NULL)
        g_error ("The server log contains %s", what);
      if (strstr (s.answers->str, value) != NULL)
        g_error ("An error answer contains %s", what);
    }

  server->owns_dir = FALSE;
  bc_test_server_free (server);
  g_unlink (secrets_path);
  g_unlink (db_path);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (wal);
    g_unlink (shm);
  }
  g_rmdir (data_dir);
  g_unlink (log_path);
  g_unlink (out_path);
  g_rmdir (home);
  g_ptr_array_unref (s.secrets);
  g_string_free (s.answers, TRUE);
}

static void
store_result (GObject *source, GAsyncResult *result, gpointer data)
{
  *(GAsyncResult **) data = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*slot == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (*slot);
  return g_steal_pointer (slot);
}

/* The client sends a LiveKit join token only over wss://, or to loopback,
 * or when insecure connections are explicitly allowed. */
static void
test_livekit_url_transport (void)
{
  struct
  {
    const char *public_url;
    gboolean refused;
  } cases[] = {
    { "http://192.0.2.10:7880", TRUE },
    { "https://bountycam.example", FALSE },
    { NULL, FALSE }, /* the server's own loopback address */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[] = { "--public-url", cases[i].public_url, NULL };
      BcTestServer *s = bc_test_server_start (NULL, cases[i].public_url ? args : NULL);
      g_autoptr (BcTestUser) a = bc_test_signup (s, "transport-a");
      g_autoptr (BcTestUser) b = bc_test_signup (s, "transport-b");
      g_autoptr (BcApiClient) client = bc_api_client_new (s->base_url);
      g_autofree char *sid = bc_test_session_new (s, a, b, 1);
      g_autoptr (GError) error = NULL;
      g_autoptr (BcUser) user = NULL;
      g_autoptr (BcLivekitToken) token = NULL;
      GAsyncResult *slot = NULL;
      g_autoptr (GAsyncResult) result = NULL;

      bc_api_client_login_async (client, a->email, "correct horse transport-a", NULL, store_result,
                                 &slot);
      result = wait_result (&slot);
      user = bc_api_client_login_finish (client, result, &error);
      g_assert_no_error (error);
      g_clear_object (&result);

      bc_api_client_livekit_token_async (client, sid, NULL, store_result, &slot);
      result = wait_result (&slot);
      token = bc_api_client_livekit_token_finish (client, result, &error);
      g_clear_object (&result);
      if (!cases[i].refused)
        {
          g_assert_no_error (error);
          g_assert_nonnull (token);
          bc_test_server_free (s);
          continue;
        }
      g_assert_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INSECURE);
      g_assert_null (strstr (error->message, "eyJ")); /* names the host, not the token */
      g_assert_nonnull (strstr (error->message, "192.0.2.10"));
      g_clear_error (&error);

      /* The explicit override, for testing only. */
      bc_api_client_set_allow_insecure (client, TRUE);
      bc_api_client_livekit_token_async (client, sid, NULL, store_result, &slot);
      result = wait_result (&slot);
      token = bc_api_client_livekit_token_finish (client, result, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (bc_livekit_token_get_url (token), ==, "ws://192.0.2.10:7880");
      bc_test_server_free (s);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reliability/security/no-secret-in-logs", test_no_secret_in_logs);
  g_test_add_func ("/reliability/security/livekit-url-transport", test_livekit_url_transport);
  return g_test_run ();
}
