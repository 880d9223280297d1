/* bc-netem: a userspace link impairment between two TUN devices
 *
 * The kernel here has no sch_netem, so this does its job in userspace: it
 * creates two TUN devices (IFF_TUN, no packet information), and every IP
 * packet read from one is written to the other after the configured loss,
 * delay and jitter, or dropped while the link is "down". A test moves one
 * device into a network namespace it made, gives each end an address, and
 * so gets an impaired point-to-point link between that namespace and the
 * root namespace.
 *
 * Usage: bc-netem TUN_A TUN_B
 * Prints "ready" once both devices exist, then reads commands on stdin,
 * one a line, applied to both directions:
 *   loss PERCENT | delay MS | jitter MS | down | up | stats | quit
 * Each command is answered with one line ("ok ..." or "error ...").
 * Delayed packets keep their order (jitter never reorders), as netem's
 * does with rate limits. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#define MAX_PACKET 65536
#define MAX_QUEUE  8192

typedef struct
{
  int64_t due_us;
  size_t len;
  unsigned char *data;
} Packet;

typedef struct
{
  int in;
  int out;
  Packet queue[MAX_QUEUE];
  size_t head;
  size_t count;
  int64_t last_due_us;
  uint64_t forwarded;
  uint64_t dropped;
} Direction;

static double loss_percent;
static int delay_ms;
static int jitter_ms;
static int link_down;

static int64_t
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
tun_open (const char *name)
{
  struct ifreq ifr;
  int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);

  if (fd < 0)
    return -1;
  memset (&ifr, 0, sizeof ifr);
  ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
  snprintf (ifr.ifr_name, IFNAMSIZ, "%s", name);
  if (ioctl (fd, TUNSETIFF, &ifr) < 0)
    {
      close (fd);
      return -1;
    }
  fcntl (fd, F_SETFL, O_NONBLOCK);
  return fd;
}

/* Uniform in [0, 1). */
static double
uniform (void)
{
  return (double) random () / ((double) RAND_MAX + 1.0);
}

static void
receive (Direction *d)
{
  unsigned char buf[MAX_PACKET];

  for (;;)
    {
      ssize_t n = read (d->in, buf, sizeof buf);
      Packet *p;
      int64_t due;

      if (n <= 0)
        return;
      if (link_down || uniform () * 100.0 < loss_percent || d->count == MAX_QUEUE)
        {
          d->dropped++;
          continue;
        }
      due = now_us () + (int64_t) delay_ms * 1000;
      if (jitter_ms > 0)
        due += (int64_t) ((uniform () * 2.0 - 1.0) * jitter_ms * 1000);
      /* No reordering: never before the packet ahead of it. */
      if (due < d->last_due_us)
        due = d->last_due_us;
      d->last_due_us = due;
      p = &d->queue[(d->head + d->count) % MAX_QUEUE];
      p->due_us = due;
      p->len = (size_t) n;
      p->data = malloc ((size_t) n);
      if (p->data == NULL)
        {
          d->dropped++;
          continue;
        }
      memcpy (p->data, buf, (size_t) n);
      d->count++;
    }
}

/* Sends what is due; returns the microseconds until the next packet, or -1. */
static int64_t
release (Direction *d)
{
  int64_t now = now_us ();

  while (d->count > 0)
    {
      Packet *p = &d->queue[d->head];

      if (p->due_us > now)
        return p->due_us - now;
      /* An outage that began while the packet waited drops it too. */
      if (link_down || write (d->out, p->data, p->len) < 0)
        d->dropped++;
      else
        d->forwarded++;
      free (p->data);
      d->head = (d->head + 1) % MAX_QUEUE;
      d->count--;
    }
  return -1;
}

static void
command (char *line, Direction *ab, Direction *ba)
{
  char word[32];
  double value = 0;
  int n = sscanf (line, "%31s %lf", word, &value);

  if (n < 1)
    return;
  if (strcmp (word, "loss") == 0 && n == 2 && value >= 0 && value <= 100)
    loss_percent = value;
  else if (strcmp (word, "delay") == 0 && n == 2 && value >= 0 && value <= 60000)
    delay_ms = (int) value;
  else if (strcmp (word, "jitter") == 0 && n == 2 && value >= 0 && value <= 60000)
    jitter_ms = (int) value;
  else if (strcmp (word, "down") == 0)
    link_down = 1;
  else if (strcmp (word, "up") == 0)
    link_down = 0;
  else if (strcmp (word, "stats") == 0)
    ;
  else if (strcmp (word, "quit") == 0)
    exit (0);
  else
    {
      printf ("error unknown command: %s\n", word);
      fflush (stdout);
      return;
    }
  printf ("ok loss=%.1f delay=%d jitter=%d link=%s a>b=%llu/%llu b>a=%llu/%llu\n", loss_percent,
          delay_ms, jitter_ms, link_down ? "down" : "up", (unsigned long long) ab->forwarded,
          (unsigned long long) ab->dropped, (unsigned long long) ba->forwarded,
          (unsigned long long) ba->dropped);
  fflush (stdout);
}

int
main (int argc, char **argv)
{
  static Direction ab, ba;
  char line[256];
  size_t have = 0;
  int a, b;

  if (argc != 3)
    {
      fprintf (stderr, "usage: bc-netem TUN_A TUN_B\n");
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);
  srandom ((unsigned) now_us ());
  a = tun_open (argv[1]);
  b = tun_open (argv[2]);
  if (a < 0 || b < 0)
    {
      fprintf (stderr, "bc-netem: cannot create the TUN devices: %s\n", strerror (errno));
      return 1;
    }
  ab.in = a;
  ab.out = b;
  ba.in = b;
  ba.out = a;
  printf ("ready\n");
  fflush (stdout);

  for (;;)
    {
      struct pollfd fds[3] = {
        { a, POLLIN, 0 },
        { b, POLLIN, 0 },
        { STDIN_FILENO, POLLIN, 0 },
      };
      int64_t wait1 = release (&ab), wait2 = release (&ba);
      int64_t wait = wait1 < 0 ? wait2 : wait2 < 0 ? wait1 : (wait1 < wait2 ? wait1 : wait2);
      int timeout = wait < 0 ? 1000 : (int) ((wait + 999) / 1000);

      if (poll (fds, 3, timeout) < 0 && errno != EINTR)
        return 1;
      if (fds[0].revents & POLLIN)
        receive (&ab);
      if (fds[1].revents & POLLIN)
        receive (&ba);
      if (fds[2].revents & (POLLIN | POLLHUP))
        {
          ssize_t n = read (STDIN_FILENO, line + have, sizeof line - 1 - have);

          if (n <= 0)
            return 0; /* the test is gone */
          have += (size_t) n;
          line[have] = '\0';
          for (char *nl; (nl = strchr (line, '\n')) != NULL;)
            {
              *nl = '\0';
              command (line, &ab, &ba);
              memmove (line, nl + 1, have - (size_t) (nl + 1 - line) + 1);
              have -= (size_t) (nl + 1 - line);
            }
          if (have == sizeof line - 1)
            have = 0;
        }
    }
}
