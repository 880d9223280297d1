/* bc-netem.c: an impaired IP link between a test's network namespace and
 * the root namespace, in user space (for kernels without sch_netem). The
 * one tool of the netfault suite (netfault.py) and of the reliability
 * scripts (tests/reliability/netem-*.sh, bench-soak.sh).
 *
 * Two TUN devices, one moved into the namespace, joined by this program: each
 * IP packet read from one is written to the other after a delay (plus
 * jitter), unless it is lost or the link is "down". A TCP relay on the root
 * side's link address forwards to a loopback port, so a server that only
 * listens on 127.0.0.1 is reachable from the namespace through the link.
 *
 *   bc-netem --netns NS --index N [--relay PORT]... [--keep-order]
 *
 * sets up 10.203.N.1 (root side) <-> 10.203.N.2 (namespace side), devices
 * bcnfNr and bcnfNn, prints "ready" and then reads commands from stdin, one
 * a line, applied to both directions, answering "ok ..." (or "error ..."):
 *   loss PERCENT | delay MS | jitter MS | down | up | clear | stats | quit
 * Jitter reorders packets, as netem's does, unless --keep-order: then a
 * packet never leaves before the one ahead of it (netem with a rate limit).
 * End of input ends the program; the TUN devices go with it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#define MAX_PACKET 65536
/* Packets held at once (both directions); more are dropped, as a full
 * queue would. */
#define MAX_QUEUE 16384

typedef struct
{
  gint64 due_us;
  int out_fd;
  gsize len;
  guint8 data[];
} Packet;

typedef struct
{
  GMutex lock;
  /* settings, under lock */
  double loss_percent;
  guint delay_ms;
  guint jitter_ms;
  gboolean down;
  gboolean keep_order; /* set before the thread starts */
  /* counters, under lock */
  guint64 forwarded;
  guint64 dropped;
  /* the forwarding thread's own */
  GQueue queue; /* Packet*, sorted by due_us */
  int fds[2];   /* 0: root side, 1: namespace side */
  int wake[2];  /* pipe: wakes the thread for a command or to quit */
  gint quit;
  GRand *rand;
} Link;

static Link link_state;

static int
open_tun (const char *name, GError **error)
{
  struct ifreq ifr = { 0 };
  int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "/dev/net/tun: %s",
                   g_strerror (errno));
      return -1;
    }
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  g_strlcpy (ifr.ifr_name, name, IFNAMSIZ);
  if (ioctl (fd, TUNSETIFF, &ifr) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "TUNSETIFF %s: %s", name,
                   g_strerror (errno));
      close (fd);
      return -1;
    }
  g_unix_set_fd_nonblocking (fd, TRUE, NULL);
  return fd;
}

static gboolean
run_ip (GError **error, ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *err = NULL;
  const char *arg;
  int status = 0;
  va_list args;

  g_ptr_array_add (argv, (char *) "ip");
  va_start (args, error);
  while ((arg = va_arg (args, const char *)))
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, &err,
                     &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", line, g_strstrip (err));
      return FALSE;
    }
  return TRUE;
}

/* ---- forwarding thread --------------------------------------------------- */

static void
enqueue (Link *l, Packet *p)
{
  GList *it;

  /* Jitter can put a packet before others, as netem does; in order, it
   * waits for the last one of its direction instead. */
  for (it = l->queue.tail; it != NULL; it = it->prev)
    {
      Packet *other = it->data;

      if (l->keep_order && other->out_fd == p->out_fd && other->due_us > p->due_us)
        p->due_us = other->due_us;
      if (other->due_us <= p->due_us)
        break;
    }
  if (it == NULL)
    g_queue_push_head (&l->queue, p);
  else
    g_queue_insert_after (&l->queue, it, p);
}

static void
read_side (Link *l, int side)
{
  guint8 buf[MAX_PACKET];

  for (;;)
    {
      ssize_t n = read (l->fds[side], buf, sizeof buf);
      gboolean drop;
      gint64 delay_us;
      Packet *p;

      if (n <= 0)
        return;
      g_mutex_lock (&l->lock);
      drop = l->down || l->queue.length >= MAX_QUEUE ||
             (l->loss_percent > 0 && g_rand_double (l->rand) * 100 < l->loss_percent);
      delay_us = (gint64) l->delay_ms * 1000;
      if (l->jitter_ms > 0)
        delay_us += g_rand_int_range (l->rand, -(gint32) l->jitter_ms * 1000,
                                      (gint32) l->jitter_ms * 1000 + 1);
      if (drop)
        l->dropped++;
      g_mutex_unlock (&l->lock);
      if (drop)
        continue;
      p = g_malloc (sizeof (Packet) + (gsize) n);
      p->due_us = g_get_monotonic_time () + MAX (delay_us, 0);
      p->out_fd = l->fds[1 - side];
      p->len = (gsize) n;
      memcpy (p->data, buf, (gsize) n);
      enqueue (l, p);
    }
}

static gpointer
forward_thread (gpointer data)
{
  Link *l = data;

  while (!g_atomic_int_get (&l->quit))
    {
      struct pollfd fds[3] = {
        { .fd = l->fds[0], .events = POLLIN },
        { .fd = l->fds[1], .events = POLLIN },
        { .fd = l->wake[0], .events = POLLIN },
      };
      int timeout = -1;
      gint64 now = g_get_monotonic_time ();
      Packet *head = g_queue_peek_head (&l->queue);
      gboolean down;

      if (head)
        timeout = (int) MAX ((head->due_us - now + 999) / 1000, 0);
      if (poll (fds, 3, timeout) < 0 && errno != EINTR)
        g_error ("poll: %s", g_strerror (errno));
      if (fds[2].revents & POLLIN)
        {
          char c[64];
          while (read (l->wake[0], c, sizeof c) > 0)
            ;
        }
      for (int side = 0; side < 2; side++)
        if (fds[side].revents & POLLIN)
          read_side (l, side);

      g_mutex_lock (&l->lock);
      down = l->down;
      g_mutex_unlock (&l->lock);
      now = g_get_monotonic_time ();
      while ((head = g_queue_peek_head (&l->queue)) && (head->due_us <= now || down))
        {
          g_queue_pop_head (&l->queue);
          /* What was in flight when the link went down is lost too. */
          if (!down && write (head->out_fd, head->data, head->len) == (ssize_t) head->len)
            {
              g_mutex_lock (&l->lock);
              l->forwarded++;
              g_mutex_unlock (&l->lock);
            }
          else
            {
              g_mutex_lock (&l->lock);
              l->dropped++;
              g_mutex_unlock (&l->lock);
            }
          g_free (head);
        }
    }
  g_queue_clear_full (&l->queue, g_free);
  return NULL;
}

static void
wake (Link *l)
{
  if (write (l->wake[1], "x", 1) < 0)
    g_warning ("wake: %s", g_strerror (errno));
}

/* ---- TCP relay to loopback ----------------------------------------------- */

typedef struct
{
  GSocketConnection *in;
  guint port;
} RelayConn;

static void
on_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_io_stream_splice_finish (result, NULL);
}

static void
on_target_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RelayConn *rc = user_data;
  g_autoptr (GSocketConnection) out = NULL;

  out = g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, NULL);
  if (out != NULL)
    g_io_stream_splice_async (G_IO_STREAM (rc->in), G_IO_STREAM (out),
                              G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                              G_PRIORITY_DEFAULT, NULL, on_spliced, NULL);
  else
    g_io_stream_close (G_IO_STREAM (rc->in), NULL, NULL);
  g_object_unref (rc->in);
  g_free (rc);
}

static gboolean
on_incoming (GSocketService *service,
             GSocketConnection *connection,
             GObject *source_object,
             gpointer user_data)
{
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  RelayConn *rc = g_new0 (RelayConn, 1);
  GSocketAddress *local = g_socket_connection_get_local_address (connection, NULL);

  rc->in = g_object_ref (connection);
  rc->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);
  /* The server sees the relay's loopback connection; what the namespace's
   * client sees went through the impaired link. */
  g_socket_client_connect_to_host_async (client, "127.0.0.1", (guint16) rc->port, NULL,
                                         on_target_connected, rc);
  return TRUE;
}

/* ---- control ------------------------------------------------------------- */

static void reply (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
static void
reply (const char *fmt, ...)
{
  va_list args;

  va_start (args, fmt);
  vprintf (fmt, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static gboolean
handle_command (Link *l, char *line)
{
  g_auto (GStrv) words = g_strsplit (g_strstrip (line), " ", 2);
  const char *cmd = words[0];
  const char *arg = words[0] && words[1] ? words[1] : NULL;
  guint64 value = 0;

  if (cmd == NULL || *cmd == '\0')
    return TRUE;
  if (g_str_equal (cmd, "quit"))
    return FALSE;
  if ((g_str_equal (cmd, "loss") || g_str_equal (cmd, "delay") || g_str_equal (cmd, "jitter")) &&
      (arg == NULL || !g_ascii_string_to_unsigned (arg, 10, 0, 100000, &value, NULL) ||
       (g_str_equal (cmd, "loss") && value > 100)))
    {
      reply ("error %s needs a number", cmd);
      return TRUE;
    }
  g_mutex_lock (&l->lock);
  if (g_str_equal (cmd, "loss"))
    l->loss_percent = (double) value;
  else if (g_str_equal (cmd, "delay"))
    l->delay_ms = (guint) value;
  else if (g_str_equal (cmd, "jitter"))
    l->jitter_ms = (guint) value;
  else if (g_str_equal (cmd, "down"))
    l->down = TRUE;
  else if (g_str_equal (cmd, "up"))
    l->down = FALSE;
  else if (g_str_equal (cmd, "clear"))
    {
      l->loss_percent = 0;
      l->delay_ms = l->jitter_ms = 0;
      l->down = FALSE;
    }
  else if (!g_str_equal (cmd, "stats"))
    {
      g_mutex_unlock (&l->lock);
      reply ("error unknown command %s", cmd);
      return TRUE;
    }
  reply ("ok loss=%g delay=%u jitter=%u down=%d forwarded=%" G_GUINT64_FORMAT
         " dropped=%" G_GUINT64_FORMAT,
         l->loss_percent, l->delay_ms, l->jitter_ms, l->down, l->forwarded, l->dropped);
  g_mutex_unlock (&l->lock);
  wake (l);
  return TRUE;
}

static gboolean
on_stdin (GIOChannel *channel, GIOCondition condition, gpointer user_data)
{
  GMainLoop *loop = user_data;
  g_autofree char *line = NULL;
  GIOStatus status;

  status = g_io_channel_read_line (channel, &line, NULL, NULL, NULL);
  if (status == G_IO_STATUS_AGAIN)
    return G_SOURCE_CONTINUE;
  if (status != G_IO_STATUS_NORMAL || !handle_command (&link_state, line))
    {
      g_main_loop_quit (loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GSocketService) service = NULL;
  g_autoptr (GIOChannel) in = NULL;
  g_autofree char *netns = NULL;
  g_autofree char *root_dev = NULL;
  g_autofree char *ns_dev = NULL;
  g_autofree char *root_addr = NULL;
  g_autofree char *ns_addr = NULL;
  g_auto (GStrv) relays = NULL;
  GThread *thread;
  int index = -1;
  const GOptionEntry entries[] = { { "netns", 0, 0, G_OPTION_ARG_STRING, &netns,
                                     "The namespace (made with ip netns add)", "NAME" },
                                   { "index", 0, 0, G_OPTION_ARG_INT, &index,
                                     "Link number: 10.203.N.1 <-> 10.203.N.2", "N" },
                                   { "relay", 0, 0, G_OPTION_ARG_STRING_ARRAY, &relays,
                                     "Relay TCP 10.203.N.1:PORT to 127.0.0.1:PORT", "PORT" },
                                   { "keep-order", 0, 0, G_OPTION_ARG_NONE, &link_state.keep_order,
                                     "Jitter never reorders packets", NULL },
                                   G_OPTION_ENTRY_NULL };

  context = g_option_context_new ("- an impaired link into a network namespace");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bc-netem: %s\n", error->message);
      return 2;
    }
  if (netns == NULL || index < 0 || index > 255)
    {
      g_printerr ("bc-netem: --netns and --index (0-255) are required\n");
      return 2;
    }

  root_dev = g_strdup_printf ("bcnf%dr", index);
  ns_dev = g_strdup_printf ("bcnf%dn", index);
  root_addr = g_strdup_printf ("10.203.%d.1", index);
  ns_addr = g_strdup_printf ("10.203.%d.2", index);

  g_mutex_init (&link_state.lock);
  link_state.rand = g_rand_new ();
  link_state.fds[0] = open_tun (root_dev, &error);
  if (link_state.fds[0] >= 0)
    link_state.fds[1] = open_tun (ns_dev, &error);
  if (link_state.fds[0] < 0 || link_state.fds[1] < 0)
    {
      g_printerr ("bc-netem: %s\n", error->message);
      return 1;
    }
  /* The namespace's device moves there; our file descriptor stays valid. */
  if (!run_ip (&error, "link", "set", ns_dev, "netns", netns, NULL) ||
      !run_ip (&error, "addr", "add", root_addr, "peer", ns_addr, "dev", root_dev, NULL) ||
      !run_ip (&error, "link", "set", root_dev, "up", NULL) ||
      !run_ip (&error, "-n", netns, "addr", "add", ns_addr, "peer", root_addr, "dev", ns_dev,
               NULL) ||
      !run_ip (&error, "-n", netns, "link", "set", ns_dev, "up", NULL) ||
      !run_ip (&error, "-n", netns, "link", "set", "lo", "up", NULL))
    {
      g_printerr ("bc-netem: %s\n", error->message);
      return 1;
    }
  if (!g_unix_open_pipe (link_state.wake, FD_CLOEXEC, &error) ||
      !g_unix_set_fd_nonblocking (link_state.wake[0], TRUE, &error))
    g_error ("pipe: %s", error->message);

  service = g_socket_service_new ();
  for (guint i = 0; relays && relays[i]; i++)
    {
      guint64 port;
      g_autoptr (GInetAddress) addr = g_inet_address_new_from_string (root_addr);
      g_autoptr (GSocketAddress) sa = NULL;

      if (!g_ascii_string_to_unsigned (relays[i], 10, 1, 65535, &port, NULL))
        {
          g_printerr ("bc-netem: bad relay port %s\n", relays[i]);
          return 2;
        }
      sa = g_inet_socket_address_new (addr, (guint16) port);
      if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), sa, G_SOCKET_TYPE_STREAM,
                                          G_SOCKET_PROTOCOL_TCP, NULL, NULL, &error))
        {
          g_printerr ("bc-netem: relay on %s:%s: %s\n", root_addr, relays[i], error->message);
          return 1;
        }
    }
  g_signal_connect (service, "incoming", G_CALLBACK (on_incoming), NULL);
  g_socket_service_start (service);

  thread = g_thread_new ("bc-netem-forward", forward_thread, &link_state);

  loop = g_main_loop_new (NULL, FALSE);
  in = g_io_channel_unix_new (STDIN_FILENO);
  g_io_add_watch (in, G_IO_IN | G_IO_HUP | G_IO_ERR, on_stdin, loop);
  reply ("ready %s %s", root_addr, ns_addr);
  g_main_loop_run (loop);

  g_atomic_int_set (&link_state.quit, TRUE);
  wake (&link_state);
  g_thread_join (thread);
  g_socket_service_stop (service);
  close (link_state.fds[0]);
  close (link_state.fds[1]);
  g_rand_free (link_state.rand);
  return 0;
}
