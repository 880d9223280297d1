/* Loopback load on bountycam-server: 32 keep-alive connections, each with one
 * request in flight, for a fixed time per route; prints requests/s and
 * p50/p99 latency. Plain sockets and epoll so that the load generator costs
 * little of the machine it shares with the server. */
#include "config.h"

#include "bc-test-server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define N_CONNECTIONS 32
#define WARMUP_S      1.0

typedef struct
{
  int fd;
  GString *in;
  gint64 started;
} Conn;

typedef struct
{
  const char *name;
  guint n_ok;
  guint n_errors;
  double seconds;
  double server_cpu_s;
  guint n_since_cpu;    /* answers since the CPU time was first read */
  GArray *latencies_us; /* double */
} Result;

static const char *server_pid;

/* User + system CPU seconds the server process has used so far. */
static double
server_cpu (void)
{
  g_autofree char *path = g_strdup_printf ("/proc/%s/stat", server_pid);
  g_autofree char *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const char *after_comm;

  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return 0;
  after_comm = strrchr (stat, ')');
  fields = g_strsplit (after_comm + 2, " ", -1);
  /* utime and stime are fields 14 and 15 of stat(5), 12 and 13 after comm. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

static int
connect_to (guint16 port)
{
  struct sockaddr_in addr = { 0 };
  int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;

  g_assert_cmpint (fd, >=, 0);
  addr.sin_family = AF_INET;
  addr.sin_port = htons (port);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  g_assert_cmpint (connect (fd, (struct sockaddr *) &addr, sizeof addr), ==, 0);
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

static void
send_all (int fd, const char *data, gsize len)
{
  while (len > 0)
    {
      ssize_t n = send (fd, data, len, MSG_NOSIGNAL);

      if (n < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (n, >, 0);
      data += n;
      len -= n;
    }
}

/* Returns the length of a complete response at the start of @in, or 0. */
static gsize
response_length (GString *in, guint *status)
{
  const char *end = g_strstr_len (in->str, in->len, "\r\n\r\n");
  const char *cl;
  gsize header_len, body_len = 0;

  if (end == NULL)
    return 0;
  header_len = end + 4 - in->str;
  cl = g_strstr_len (in->str, header_len, "Content-Length:");
  if (cl == NULL)
    cl = g_strstr_len (in->str, header_len, "content-length:");
  if (cl != NULL)
    body_len = strtoul (cl + 15, NULL, 10);
  if (in->len < header_len + body_len)
    return 0;
  *status = (guint) strtoul (in->str + 9, NULL, 10);
  return header_len + body_len;
}

static Result
run_load (const char *name, guint16 port, const char *request, double seconds)
{
  Result result = { name, 0, 0, 0, 0, 0, g_array_new (FALSE, FALSE, sizeof (double)) };
  double cpu_start = 0;
  gboolean cpu_started = FALSE;
  Conn conns[N_CONNECTIONS];
  struct epoll_event events[N_CONNECTIONS];
  int ep = epoll_create1 (EPOLL_CLOEXEC);
  gsize request_len = strlen (request);
  gint64 begin = g_get_monotonic_time ();
  gint64 measure_from = begin + (gint64) (WARMUP_S * G_USEC_PER_SEC);
  gint64 stop_at = measure_from + (gint64) (seconds * G_USEC_PER_SEC);
  guint active = N_CONNECTIONS;
  gint64 last_done = 0;
  char buf[16384];

  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      struct epoll_event ev = { .events = EPOLLIN, .data.u32 = i };

      conns[i].fd = connect_to (port);
      conns[i].in = g_string_sized_new (4096);
      g_assert_cmpint (epoll_ctl (ep, EPOLL_CTL_ADD, conns[i].fd, &ev), ==, 0);
      conns[i].started = g_get_monotonic_time ();
      send_all (conns[i].fd, request, request_len);
    }

  while (active > 0)
    {
      int n = epoll_wait (ep, events, N_CONNECTIONS, 1000);

      for (int e = 0; e < n; e++)
        {
          Conn *c = &conns[events[e].data.u32];
          ssize_t got = recv (c->fd, buf, sizeof buf, 0);
          guint status = 0;
          gsize len;

          if (got <= 0)
            {
              if (got < 0 && errno == EINTR)
                continue;
              g_error ("The server closed a connection during the %s load", name);
            }
          g_string_append_len (c->in, buf, got);
          if (!cpu_started && g_get_monotonic_time () >= measure_from)
            {
              cpu_start = server_cpu ();
              cpu_started = TRUE;
            }
          while ((len = response_length (c->in, &status)) > 0)
            {
              gint64 now = g_get_monotonic_time ();

              g_string_erase (c->in, 0, len);
              if (cpu_started)
                result.n_since_cpu++;
              /* Requests sent inside the window count even when they finish
               * after it: slow routes (login) would count nothing otherwise. */
              if (c->started >= measure_from && c->started <= stop_at)
                {
                  last_done = MAX (last_done, now);
                  double us = (double) (now - c->started);

                  if (status == 200)
                    {
                      result.n_ok++;
                      g_array_append_val (result.latencies_us, us);
                    }
                  else
                    result.n_errors++;
                }
              if (now < stop_at)
                {
                  c->started = now;
                  send_all (c->fd, request, request_len);
                }
              else
                {
                  epoll_ctl (ep, EPOLL_CTL_DEL, c->fd, NULL);
                  if (--active == 0)
                    result.server_cpu_s = server_cpu () - cpu_start;
                }
            }
        }
    }
  result.seconds = (double) (MAX (stop_at, last_done) - measure_from) / G_USEC_PER_SEC;
  for (guint i = 0; i < N_CONNECTIONS; i++)
    {
      close (conns[i].fd);
      g_string_free (conns[i].in, TRUE);
    }
  close (ep);
  return result;
}

static int
compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
percentile (GArray *sorted, double p)
{
  guint idx;

  if (sorted->len == 0)
    return 0;
  idx = (guint) (p * (sorted->len - 1) + 0.5);
  return g_array_index (sorted, double, idx) / 1000.0;
}

static void
print_row (Result *r)
{
  g_array_sort (r->latencies_us, compare_doubles);
  printf ("%-22s %9u %8u %11.0f %9.2f %9.2f %13.0f\n", r->name, r->n_ok, r->n_errors,
          r->n_ok / r->seconds, percentile (r->latencies_us, 0.50),
          percentile (r->latencies_us, 0.99), r->n_ok ? r->server_cpu_s * 1e6 / r->n_ok : 0);
}

static char *
http_post (guint16 port, const char *path, const char *token, const char *body)
{
  return g_strdup_printf ("POST %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n%s%s%s"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
                          path, port, token ? "Authorization: Bearer " : "", token ? token : "",
                          token ? "\r\n" : "", strlen (body), body);
}

int
main (int argc, char **argv)
{
  BcTestServer *s;
  g_autoptr (BcTestUser) a = NULL;
  g_autoptr (BcTestUser) b = NULL;
  g_autoptr (JsonNode) bounty = NULL;
  g_autoptr (JsonNode) session = NULL;
  g_autofree char *path = NULL;
  g_autofree char *login = NULL;
  g_autofree char *login_body = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_body = NULL;
  g_autofree char *me = NULL;
  Result results[3];
  double login_s =
      g_getenv ("BC_BENCH_LOGIN_S") ? g_ascii_strtod (g_getenv ("BC_BENCH_LOGIN_S"), NULL) : 5;
  double token_s =
      g_getenv ("BC_BENCH_TOKEN_S") ? g_ascii_strtod (g_getenv ("BC_BENCH_TOKEN_S"), NULL) : 8;
  guint16 port;

  s = bc_test_server_start (NULL, NULL);
  port = (guint16) atoi (strrchr (s->base_url, ':') + 1);
  server_pid = g_subprocess_get_identifier (s->proc);
  a = bc_test_signup (s, "requester");
  b = bc_test_signup (s, "streamer");
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/bounties", a->access_token,
                                     "{\"title\":\"Benchmark\",\"description\":\"\","
                                     "\"reward_points\":10}",
                                     &bounty),
                    ==, 201);
  path = g_strdup_printf ("/api/bounties/%s/accept", bc_test_str (bounty, "id"));
  g_assert_cmpuint (bc_test_request (s, "POST", path, b->access_token, NULL, &session), ==, 201);

  login_body =
      g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse requester\"}", a->email);
  login = http_post (port, "/api/auth/login", NULL, login_body);
  token_body = g_strdup_printf ("{\"session_id\":\"%s\"}", bc_test_str (session, "id"));
  token = http_post (port, "/api/livekit/token", b->access_token, token_body);
  me = g_strdup_printf ("GET /api/me HTTP/1.1\r\nHost: 127.0.0.1:%u\r\n"
                        "Authorization: Bearer %s\r\n\r\n",
                        port, a->access_token);

  results[0] = run_load ("POST /api/livekit/token", port, token, token_s);
  results[1] = run_load ("GET /api/me", port, me, token_s / 2);
  results[2] = run_load ("POST /api/auth/login", port, login, login_s);

  printf ("\nbountycam-server on loopback, %d keep-alive connections, %u processors\n",
          N_CONNECTIONS, g_get_num_processors ());
  printf ("%-22s %9s %8s %11s %9s %9s %13s\n", "route", "ok", "errors", "requests/s", "p50 ms",
          "p99 ms", "server µs/req");
  for (guint i = 0; i < G_N_ELEMENTS (results); i++)
    {
      print_row (&results[i]);
      g_assert_cmpuint (results[i].n_errors, ==, 0);
      g_assert_cmpuint (results[i].n_ok, >, 0);
      g_array_unref (results[i].latencies_us);
    }
  printf ("Aim: token route >= 5000 requests/s with p99 < 10 ms on 2 cores; login is bound by "
          "argon2id (64 MiB) on purpose.\n"
          "server µs/req is the server's CPU time per answered request (all threads): one "
          "core's capacity is 10^6 / that, whatever else the machine runs.\n");
  bc_test_server_free (s);
  return 0;
}
