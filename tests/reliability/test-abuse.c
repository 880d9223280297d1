/* Abuse: the real bountycam-server under huge bodies, slowloris
 * connections, 1,000 realtime WebSockets and rapid SFU join/leave loops,
 * while another thread keeps asking GET /healthz on fresh connections.
 * Each kind of abuse is bounded in count and time, on loopback only.
 *
 * Asserted: every abusive request gets its refusal (413/411), memory does
 * not grow with the bodies, every slowloris connection is cut off (and its
 * descriptor freed), /healthz keeps answering 200, every one of the
 * 1,000 WebSockets receives a broadcast, every join gets its JoinResponse.
 * Latency is reported (a table of /healthz p50/p99/max per phase), never
 * asserted: the machine is shared. */
#include "config.h"

#include "bc-test-server.h"

#include "bc-livekit.pb-c.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define PHASE_SECONDS 3
#define N_WEBSOCKETS  1000
#define N_SLOWLORIS   500
#define BODY_BYTES    (32 * 1024 * 1024)
/* The server's BOUNTYCAM_REQUEST_TIMEOUT here: short for the slowloris part,
 * still far more than a 32 MB body takes on loopback. */
#define REQUEST_TIMEOUT_S 10

static guint n_websockets = N_WEBSOCKETS;

/* ---- raw loopback sockets ---- */

static int
connect_to (guint port)
{
  struct sockaddr_in addr = { 0 };
  struct timeval tv = { 10, 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt (fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) != 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static gboolean
send_all (int fd, const void *data, gsize len)
{
  const char *p = data;

  while (len > 0)
    {
      gssize n = send (fd, p, len, MSG_NOSIGNAL);

      if (n <= 0)
        return FALSE;
      p += n;
      len -= n;
    }
  return TRUE;
}

/* Reads an HTTP answer until the server closes; returns its status or 0. */
static guint
read_status (int fd)
{
  char buf[4096];
  gsize have = 0;
  guint status = 0;

  for (;;)
    {
      gssize n = recv (fd, buf + have, sizeof buf - 1 - have, 0);

      if (n <= 0)
        break;
      have += n;
      if (have >= sizeof buf - 1)
        have = 16; /* keep the status line, drop the rest */
    }
  buf[have] = '\0';
  if (sscanf (buf, "HTTP/1.%*d %u", &status) != 1)
    return 0;
  return status;
}

/* Whether the server closed (or reset) the connection; never blocks. */
static gboolean
is_closed (int fd)
{
  char buf[512];

  for (;;)
    {
      gssize n = recv (fd, buf, sizeof buf, MSG_DONTWAIT);

      if (n == 0)
        return TRUE;
      if (n < 0)
        return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
    }
}

/* ---- the /healthz sampler ---- */

typedef struct
{
  guint port;
  volatile gint stop;
  GArray *latencies_us; /* gint64 */
  guint errors;
} Sampler;

static gpointer
sampler_thread (gpointer data)
{
  Sampler *s = data;
  static const char request[] =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

  while (!g_atomic_int_get (&s->stop))
    {
      gint64 start = g_get_monotonic_time ();
      int fd = connect_to (s->port);
      guint status = 0;

      if (fd >= 0)
        {
          if (send_all (fd, request, strlen (request)))
            status = read_status (fd);
          close (fd);
        }
      if (status == 200)
        {
          gint64 took = g_get_monotonic_time () - start;

          g_array_append_val (s->latencies_us, took);
        }
      else
        s->errors++;
      g_usleep (2000);
    }
  return NULL;
}

static gint
compare_i64 (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

typedef struct
{
  Sampler sampler;
  GThread *thread;
  const char *name;
  char *detail;
  gint64 rss_before_kb;
  gint64 rss_after_kb;
} Phase;

static GPtrArray *table; /* char* rows */

static gint64
server_rss_kb (BcTestServer *s)
{
  g_autofree char *path =
      g_strdup_printf ("/proc/%s/status", g_subprocess_get_identifier (s->proc));
  g_autofree char *text = NULL;
  const char *line;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  line = strstr (text, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + 6, NULL, 10);
}

static guint
server_fds (BcTestServer *s)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/fd", g_subprocess_get_identifier (s->proc));
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

static guint
server_port (BcTestServer *s)
{
  return (guint) g_ascii_strtoull (strrchr (s->base_url, ':') + 1, NULL, 10);
}

static void
phase_start (Phase *p, BcTestServer *s, const char *name)
{
  memset (p, 0, sizeof *p);
  p->name = name;
  p->sampler.port = server_port (s);
  p->sampler.latencies_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  p->rss_before_kb = server_rss_kb (s);
  p->thread = g_thread_new ("healthz", sampler_thread, &p->sampler);
}

static void
phase_end (Phase *p, BcTestServer *s)
{
  GArray *l = p->sampler.latencies_us;
  double p50, p99, max;
  char *row;

  g_atomic_int_set (&p->sampler.stop, 1);
  g_thread_join (p->thread);
  p->rss_after_kb = server_rss_kb (s);
  g_assert_cmpuint (l->len, >, 0);
  g_array_sort (l, compare_i64);
  p50 = g_array_index (l, gint64, l->len / 2) / 1000.0;
  p99 = g_array_index (l, gint64, MIN (l->len - 1, l->len * 99 / 100)) / 1000.0;
  max = g_array_index (l, gint64, l->len - 1) / 1000.0;
  row = g_strdup_printf ("| %-22s | %-34s | %6u | %8.2f | %8.2f | %8.1f | %6u | %4" G_GINT64_FORMAT
                         " -> %4" G_GINT64_FORMAT " |",
                         p->name, p->detail ? p->detail : "", l->len, p50, p99, max,
                         p->sampler.errors, p->rss_before_kb / 1024, p->rss_after_kb / 1024);
  g_test_message ("%s", row);
  g_ptr_array_add (table, row);
  /* /healthz answered every time, whatever else was going on. */
  g_assert_cmpuint (p->sampler.errors, ==, 0);
  g_array_unref (l);
  g_free (p->detail);
}

/* ---- huge bodies ---- */

typedef struct
{
  guint port;
  gint64 until;
  guint index;
  guint refused; /* 413 and 411 */
  guint other;
  gsize sent;
} Bodies;

static gpointer
bodies_thread (gpointer data)
{
  Bodies *b = data;
  static const char *const paths[] = {
    "/api/auth/login",
    "/api/bounties",
    "/healthz",
    "/rtc",
    "/twirp/livekit.RoomService/ListRooms",
    "/api/livekit/webhook",
    "/nothing/here",
  };
  g_autofree char *zeros = g_malloc0 (256 * 1024);

  for (guint i = b->index; g_get_monotonic_time () < b->until; i++)
    {
      const char *path = paths[i % G_N_ELEMENTS (paths)];
      gboolean chunked = i % 3 == 2;
      g_autofree char *head =
          chunked ? g_strdup_printf ("POST %s HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                     "Content-Type: application/json\r\n\r\n",
                                     path)
                  : g_strdup_printf ("POST %s HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n"
                                     "Content-Type: application/json\r\n\r\n",
                                     path, BODY_BYTES);
      int fd = connect_to (b->port);
      guint status = 0;

      g_assert_cmpint (fd, >=, 0);
      if (send_all (fd, head, strlen (head)))
        {
          for (gsize sent = 0; sent < BODY_BYTES; sent += 256 * 1024)
            {
              if (chunked)
                {
                  static const char chunk_head[] = "40000\r\n";

                  if (!send_all (fd, chunk_head, strlen (chunk_head)) ||
                      !send_all (fd, zeros, 256 * 1024) || !send_all (fd, "\r\n", 2))
                    break;
                }
              else if (!send_all (fd, zeros, 256 * 1024))
                break;
              b->sent += 256 * 1024;
            }
          if (chunked)
            send_all (fd, "0\r\n\r\n", 5);
          status = read_status (fd);
        }
      close (fd);
      if (status == 413 || status == 411)
        b->refused++;
      else
        b->other++;
    }
  return NULL;
}

/* ---- WebSockets ---- */

typedef struct
{
  GPtrArray *sockets;
  guint connected;
  guint failed;
  guint received;
  guint joined;
  guint pending;
  gint64 started;
} Crowd;

static void
on_realtime_message (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer data)
{
  Crowd *c = data;
  gsize len;
  const char *text = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT && g_strstr_len (text, len, "\"bounty.created\"") != NULL &&
      g_object_get_data (G_OBJECT (ws), "bc-got") == NULL)
    {
      g_object_set_data (G_OBJECT (ws), "bc-got", GINT_TO_POINTER (1));
      c->received++;
    }
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Crowd *c = data;
  g_autoptr (GError) error = NULL;
  SoupWebsocketConnection *ws =
      soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  c->pending--;
  if (ws == NULL)
    {
      if (c->failed++ < 3)
        g_test_message ("WebSocket %u failed: %s", c->connected + c->failed, error->message);
      return;
    }
  if (c->connected % 100 == 0)
    g_test_message ("%u WebSockets open at %.1f s", c->connected,
                    (g_get_monotonic_time () - c->started) / 1e6);
  c->connected++;
  g_signal_connect (ws, "message", G_CALLBACK (on_realtime_message), c);
  g_ptr_array_add (c->sockets, ws);
}

static void
iterate_until (guint *counter, guint target, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (*counter < target && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
}

static void
close_all (GPtrArray *sockets)
{
  for (guint i = 0; i < sockets->len; i++)
    {
      SoupWebsocketConnection *ws = g_ptr_array_index (sockets, i);

      g_signal_handlers_disconnect_matched (ws, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                            on_realtime_message, NULL);
      if (soup_websocket_connection_get_state (ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  g_ptr_array_set_size (sockets, 0);
}

/* A join: connect to /rtc, wait for the JoinResponse, leave. */
typedef struct
{
  Crowd *crowd;
  SoupSession *session;
  char *url;
  guint left;
} Joiner;

static void join_next (Joiner *j);

static void
on_rtc_message (SoupWebsocketConnection *ws, int type, GBytes *message, gpointer data)
{
  Joiner *j = data;
  gsize len;
  const guint8 *raw = g_bytes_get_data (message, &len);
  Livekit__SignalResponse *resp = livekit__signal_response__unpack (NULL, len, raw);

  if (resp == NULL || g_object_get_data (G_OBJECT (ws), "bc-joined") != NULL)
    {
      if (resp != NULL)
        livekit__signal_response__free_unpacked (resp, NULL);
      return;
    }
  if (resp->message_case == LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN)
    {
      g_object_set_data (G_OBJECT (ws), "bc-joined", GINT_TO_POINTER (1));
      j->crowd->joined++;
      /* Leave at once: the rapid part of the loop. */
      soup_websocket_connection_close (ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      join_next (j);
    }
  livekit__signal_response__free_unpacked (resp, NULL);
}

static void
on_rtc_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Joiner *j = data;
  SoupWebsocketConnection *ws =
      soup_session_websocket_connect_finish (SOUP_SESSION (source), result, NULL);

  if (ws == NULL)
    {
      j->crowd->failed++;
      join_next (j);
      return;
    }
  g_signal_connect (ws, "message", G_CALLBACK (on_rtc_message), j);
  g_ptr_array_add (j->crowd->sockets, ws);
}

static void
join_next (Joiner *j)
{
  g_autoptr (SoupMessage) msg = NULL;

  if (j->left == 0)
    {
      j->crowd->pending--;
      return;
    }
  j->left--;
  msg = soup_message_new ("GET", j->url);
  soup_session_websocket_connect_async (j->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_rtc_connected, j);
}

static void
test_abuse (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "abuse-a");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "abuse-b");
  g_autofree char *lk_token = NULL;
  guint port = server_port (s);
  Phase p;

  table = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (table,
                   g_strdup ("| abuse                  | load                               | "
                             "n      | p50 ms   | p99 ms   | max ms   | errors | RSS MB      |"));
  g_ptr_array_add (table, g_strdup ("|---|---|---|---|---|---|---|---|"));

  /* A session, for the SFU part. */
  {
    g_autofree char *sid = bc_test_session_new (s, a, b, 5);
    g_autoptr (JsonNode) token = NULL;
    g_autofree char *body = g_strdup_printf ("{\"session_id\":\"%s\"}", sid);

    g_assert_cmpuint (
        bc_test_request (s, "POST", "/api/livekit/token", b->access_token, body, &token), ==, 200);
    lk_token = g_strdup (bc_test_str (token, "token"));
  }

  /* Baseline. */
  phase_start (&p, s, "none (baseline)");
  g_usleep (PHASE_SECONDS * G_USEC_PER_SEC);
  phase_end (&p, s);

  /* Huge bodies on every kind of path, with and without a length. */
  {
    Bodies workers[4];
    GThread *threads[4];
    guint refused = 0, other = 0;
    gsize sent = 0;

    phase_start (&p, s, "huge bodies");
    for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
      {
        workers[i] = (Bodies){ port, g_get_monotonic_time () + PHASE_SECONDS * G_USEC_PER_SEC, i };
        threads[i] = g_thread_new ("bodies", bodies_thread, &workers[i]);
      }
    for (guint i = 0; i < G_N_ELEMENTS (workers); i++)
      {
        g_thread_join (threads[i]);
        refused += workers[i].refused;
        other += workers[i].other;
        sent += workers[i].sent;
      }
    p.detail = g_strdup_printf ("4 x %d MB POSTs: %u refused, %" G_GSIZE_FORMAT " MB sent",
                                BODY_BYTES >> 20, refused, sent >> 20);
    phase_end (&p, s);
    g_assert_cmpuint (other, ==, 0);
    g_assert_cmpuint (refused, >, 0);
    /* Bodies are read into nothing: far less than one body's worth of growth. */
    g_assert_cmpint (p.rss_after_kb - p.rss_before_kb, <, (BODY_BYTES / 1024) / 2);
  }

  /* Slowloris: headers one byte a second, and bodies that never come. The
   * server gives a request REQUEST_TIMEOUT_S to arrive whole and then cuts
   * the connection off; until then it serves others as usual. */
  {
    int fds[N_SLOWLORIS];
    guint open = 0, cut = 0, seconds = 0;
    guint fds_before = server_fds (s);

    phase_start (&p, s, "slowloris");
    for (guint i = 0; i < N_SLOWLORIS; i++)
      {
        const char *start = i % 2 ? "GET /healthz HTTP/1.1\r\nHost: x\r\n"
                                  : "POST /api/auth/login HTTP/1.1\r\nHost: x\r\n"
                                    "Content-Length: 1000\r\n\r\n{\"email\":";

        fds[i] = connect_to (port);
        if (fds[i] >= 0 && send_all (fds[i], start, strlen (start)))
          open++;
      }
    /* Generous: a loaded machine under ASan. */
    while (cut < open && seconds++ < REQUEST_TIMEOUT_S + 120)
      {
        g_usleep (G_USEC_PER_SEC);
        for (guint i = 0; i < N_SLOWLORIS; i++)
          if (fds[i] >= 0 && !is_closed (fds[i]))
            send_all (fds[i], i % 2 ? "X" : " ", 1);
          else if (fds[i] >= 0)
            {
              close (fds[i]);
              fds[i] = -1;
              cut++;
            }
      }
    p.detail = g_strdup_printf ("%u stalled connections, %u cut off in %u s", open, cut, seconds);
    phase_end (&p, s);
    g_assert_cmpuint (open, ==, N_SLOWLORIS);
    g_assert_cmpuint (cut, ==, N_SLOWLORIS);
    /* And the server let go of them. */
    for (seconds = 0; server_fds (s) > fds_before + 50 && seconds < 60; seconds++)
      g_usleep (G_USEC_PER_SEC);
    g_assert_cmpuint (server_fds (s), <=, fds_before + 50);
  }

  /* 1,000 realtime WebSockets, then one broadcast that reaches all of them. */
  {
    g_autoptr (SoupSession) session =
        soup_session_new_with_options ("max-conns", 4000, "max-conns-per-host", 4000, NULL);
    g_autofree char *url =
        g_strdup_printf ("ws://127.0.0.1:%u/api/realtime?access_token=%s", port, a->access_token);
    Crowd c = { g_ptr_array_new_with_free_func (g_object_unref) };
    gint64 start = g_get_monotonic_time ();

    c.started = start;
    double open_s, broadcast_ms;

    phase_start (&p, s, "realtime WebSockets");
    for (guint i = 0; i < n_websockets; i++)
      {
        g_autoptr (SoupMessage) msg = soup_message_new ("GET", url);

        c.pending++;
        soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                              on_ws_connected, &c);
      }
    iterate_until (&c.connected, n_websockets, 120);
    open_s = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
    /* Held open a moment, then something everyone must hear about. */
    start = g_get_monotonic_time ();
    while (g_get_monotonic_time () < start + G_USEC_PER_SEC)
      g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
    start = g_get_monotonic_time ();
    g_assert_cmpuint (bc_test_request (s, "POST", "/api/bounties", b->access_token,
                                       "{\"title\":\"for everyone\",\"description\":\"\","
                                       "\"reward_points\":1}",
                                       NULL),
                      ==, 201);
    iterate_until (&c.received, n_websockets, 60);
    broadcast_ms = (g_get_monotonic_time () - start) / 1000.0;
    p.detail = g_strdup_printf ("%u open in %.1f s; broadcast to all %.0f ms", c.connected, open_s,
                                broadcast_ms);
    phase_end (&p, s);
    g_assert_cmpuint (c.failed, ==, 0);
    g_assert_cmpuint (c.connected, ==, n_websockets);
    g_assert_cmpuint (c.received, ==, n_websockets);
    close_all (c.sockets);
    g_ptr_array_unref (c.sockets);
  }

  /* Rapid join/leave loops on the SFU: 4 loops of 50 joins each. */
  {
    g_autoptr (SoupSession) session =
        soup_session_new_with_options ("max-conns", 100, "max-conns-per-host", 100, NULL);
    g_autofree char *url = g_strdup_printf (
        "ws://127.0.0.1:%u/rtc?access_token=%s&protocol=16&sdk=cpp", port, lk_token);
    Crowd c = { g_ptr_array_new_with_free_func (g_object_unref) };
    Joiner joiners[4];
    guint zero = 0;

    phase_start (&p, s, "SFU join/leave loops");
    for (guint i = 0; i < G_N_ELEMENTS (joiners); i++)
      {
        joiners[i] = (Joiner){ &c, session, url, 50 };
        c.pending++;
        join_next (&joiners[i]);
      }
    /* pending counts loops still running; wait for it to reach zero. */
    {
      gint64 deadline = g_get_monotonic_time () + 180 * G_USEC_PER_SEC;

      while (c.pending > 0 && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
    }
    p.detail = g_strdup_printf ("%u joins and leaves, 4 at a time", c.joined);
    phase_end (&p, s);
    g_assert_cmpuint (c.pending, ==, zero);
    g_assert_cmpuint (c.failed, ==, 0);
    g_assert_cmpuint (c.joined, ==, 200);
    close_all (c.sockets);
    g_ptr_array_unref (c.sockets);
  }

  /* Still serving the API afterwards. */
  g_assert_cmpint (bc_test_points (s, a), ==, 95);
  for (guint i = 0; i < table->len; i++)
    g_print ("# %s\n", (char *) g_ptr_array_index (table, i));
  g_clear_pointer (&table, g_ptr_array_unref);
  bc_test_server_free (s);
}

int
main (int argc, char **argv)
{
  struct rlimit limit;

  /* The server (our child) and this process each hold one descriptor per
   * WebSocket. */
  if (getrlimit (RLIMIT_NOFILE, &limit) == 0)
    {
      limit.rlim_cur = limit.rlim_max;
      setrlimit (RLIMIT_NOFILE, &limit);
      if (limit.rlim_cur < N_WEBSOCKETS + N_SLOWLORIS + 256)
        n_websockets = limit.rlim_cur > 512 ? (guint) limit.rlim_cur - 512 : 64;
    }
  /* Under AddressSanitizer, freed memory waits in a quarantine of 256 MB
   * by default, which would read as the server's growth; a small one keeps
   * the memory check meaningful there too. The server inherits this. */
  {
    g_autofree char *asan =
        g_strconcat (g_getenv ("ASAN_OPTIONS") ? g_getenv ("ASAN_OPTIONS") : "",
                     ":quarantine_size_mb=1:thread_local_quarantine_size_kb=64", NULL);

    g_setenv ("ASAN_OPTIONS", asan, TRUE);
  }
  g_setenv ("BOUNTYCAM_REQUEST_TIMEOUT", G_STRINGIFY (REQUEST_TIMEOUT_S), TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reliability/abuse", test_abuse);
  return g_test_run ();
}
