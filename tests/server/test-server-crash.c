/* Crash safety: SIGKILL in the middle of approvals loses and creates no
 * points; SIGTERM finishes the requests in flight. */
#include "config.h"

#include "bc-test-server.h"

#include <signal.h>
#include <string.h>

#define N_SESSIONS 40
#define REWARD     10
#define START      1000

typedef struct
{
  GMainLoop *loop;
  BcTestServer *server;
  guint pending;
  guint answered;
  guint kill_after;
  guint status[N_SESSIONS];
  guint index;
} Load;

typedef struct
{
  Load *load;
  guint index;
} Call;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Call *call = user_data;
  Load *load = call->load;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) bytes =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  load->status[call->index] = bytes ? soup_message_get_status (msg) : 0;
  if (bytes && ++load->answered == load->kill_after && load->server->proc)
    {
      /* In the middle of the load: some approvals done, some not yet read. */
      g_subprocess_send_signal (load->server->proc, SIGKILL);
    }
  if (--load->pending == 0)
    g_main_loop_quit (load->loop);
  g_free (call);
}

static void
send_async (Load *load, const char *method, const char *path, const char *token, guint index)
{
  g_autofree char *url = g_strconcat (load->server->base_url, path, NULL);
  g_autofree char *auth = g_strconcat ("Bearer ", token, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  Call *call = g_new0 (Call, 1);

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  call->load = load;
  call->index = index;
  load->pending++;
  soup_session_send_and_read_async (load->server->session, msg, G_PRIORITY_DEFAULT, NULL, on_done,
                                    call);
}

static void
test_sigkill_during_approvals (void)
{
  const char *args[] = { "--starting-points", G_STRINGIFY (START), NULL };
  BcTestServer *s = bc_test_server_start (NULL, args);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *dir = g_strdup (s->dir);
  char *sessions[N_SESSIONS];
  Load load = { 0 };
  JsonArray *list;
  guint ended = 0, answered_ok = 0;
  gint64 a_points, b_points, escrow = 0;

  for (guint i = 0; i < N_SESSIONS; i++)
    {
      g_autoptr (JsonNode) bounty = NULL;
      g_autoptr (JsonNode) session = NULL;
      g_autofree char *path = NULL;
      g_autofree char *body = g_strdup_printf (
          "{\"title\":\"Bounty %u\",\"description\":\"\",\"reward_points\":%d}", i, REWARD);

      g_assert_cmpuint (
          bc_test_request (s, "POST", "/api/bounties", a->access_token, body, &bounty), ==, 201);
      path = g_strdup_printf ("/api/bounties/%s/accept", bc_test_str (bounty, "id"));
      g_assert_cmpuint (bc_test_request (s, "POST", path, b->access_token, NULL, &session), ==,
                        201);
      sessions[i] = g_strdup (bc_test_str (session, "id"));
    }

  /* Every approval at once (twice each, to mix duplicates in), killed midway. */
  load.loop = g_main_loop_new (NULL, FALSE);
  load.server = s;
  load.kill_after = N_SESSIONS / 4;
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/sessions/%s/approve", sessions[i]);
      send_async (&load, "POST", path, a->access_token, i);
    }
  g_main_loop_run (load.loop);
  g_main_loop_unref (load.loop);
  bc_test_server_kill (s);
  s->owns_dir = FALSE;
  bc_test_server_free (s);

  /* Restart on the same database. */
  s = bc_test_server_start (dir, args);
  s->owns_dir = TRUE;
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/sessions", b->access_token, NULL, &answer), ==,
                    200);
  list = json_object_get_array_member (json_node_get_object (answer), "sessions");
  g_assert_cmpuint (json_array_get_length (list), ==, N_SESSIONS);
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      JsonObject *session = json_array_get_object_element (list, i);
      const char *id = json_object_get_string_member (session, "id");
      gboolean is_ended = g_str_equal (json_object_get_string_member (session, "status"), "ended");
      JsonArray *events = json_object_get_array_member (session, "events");

      if (is_ended)
        {
          ended++;
          g_assert_cmpuint (json_array_get_length (events), ==, 1);
          g_assert_cmpstr (
              json_object_get_string_member (json_array_get_object_element (events, 0), "type"), ==,
              "stream_ended");
        }
      else
        escrow += json_object_get_int_member (session, "reward_points");
      /* An approval the client saw succeed is never lost. */
      for (guint j = 0; j < N_SESSIONS; j++)
        if (g_str_equal (sessions[j], id) && load.status[j] == 200)
          g_assert_true (is_ended);
    }
  for (guint j = 0; j < N_SESSIONS; j++)
    if (load.status[j] == 200)
      answered_ok++;
  g_test_message ("%u approvals answered before the kill, %u committed", answered_ok, ended);
  g_assert_cmpuint (ended, >=, answered_ok);
  g_clear_pointer (&answer, json_node_unref);

  /* Points add up: nothing created, nothing lost. */
  a_points = bc_test_points (s, a);
  b_points = bc_test_points (s, b);
  g_assert_cmpint (a_points, ==, START - N_SESSIONS * REWARD);
  g_assert_cmpint (b_points, ==, START + (gint64) ended * REWARD);
  g_assert_cmpint (a_points + b_points + escrow, ==, 2 * START);

  /* The rest can still be approved, each exactly once. */
  for (guint i = 0; i < N_SESSIONS; i++)
    {
      g_autofree char *path = g_strdup_printf ("/api/sessions/%s/approve", sessions[i]);
      guint status = bc_test_request (s, "POST", path, a->access_token, NULL, NULL);

      g_assert_true (status == 200 || status == 409);
      g_free (sessions[i]);
    }
  g_assert_cmpint (bc_test_points (s, b), ==, START + N_SESSIONS * REWARD);
  g_assert_cmpint (bc_test_points (s, a), ==, START - N_SESSIONS * REWARD);
  bc_test_server_free (s);
}

static void
on_login_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  guint *status = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) bytes =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  *status = bytes ? soup_message_get_status (msg) : 1;
}

static void
on_request_started (SoupMessage *msg, gpointer user_data)
{
  GSubprocess *proc = user_data;

  /* The request is on the wire; the server is hashing when SIGTERM arrives. */
  g_subprocess_send_signal (proc, SIGTERM);
}

static void
test_sigterm_finishes_requests (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "al");
  g_autofree char *url = g_strconcat (s->base_url, "/api/auth/login", NULL);
  g_autofree char *body =
      g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse al\"}", a->email);
  g_autoptr (SoupMessage) msg = soup_message_new ("POST", url);
  g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));
  guint status = 0;

  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  g_signal_connect (msg, "wrote-body", G_CALLBACK (on_request_started), s->proc);
  soup_session_send_and_read_async (s->session, msg, G_PRIORITY_DEFAULT, NULL, on_login_done,
                                    &status);
  while (status == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (status, ==, 200);
  /* And it exits cleanly by itself. */
  g_assert_true (g_subprocess_wait (s->proc, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (s->proc));
  g_assert_cmpint (g_subprocess_get_exit_status (s->proc), ==, 0);
  g_clear_object (&s->proc);
  bc_test_server_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/crash/sigkill-during-approvals", test_sigkill_during_approvals);
  g_test_add_func ("/server/crash/sigterm-finishes-requests", test_sigterm_finishes_requests);
  return g_test_run ();
}
