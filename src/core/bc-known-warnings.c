/* Warnings that GStreamer 1.22 (Debian 12) prints from races inside its own
 * threads, which nothing in BountyCam can prevent and which do not harm the
 * stream: the packet or call concerned is dropped and the next one goes
 * through. Under G_DEBUG=fatal-warnings (all our tests) each would abort a
 * process at random, so they, and only they, are let through; every other
 * warning stays fatal. Each entry names where it comes from. */
#include "config.h"

#include "bc-known-warnings.h"

#include <string.h>

typedef struct
{
  const char *log_domain; /* NULL: the plugin logs without a domain */
  const char *needle;
  const char *also; /* a second substring that must be present, or NULL */
} KnownWarning;

static const KnownWarning known_warnings[] = {
  /* gstpad.c gst_pad_push_data(): srtpdec pushes an RTCP packet that arrived
   * while webrtcbin was still linking the transport, before its segment. */
  { "GStreamer", "Got data flow before segment event", "srtpdec" },
  /* gstwebrtcbin.c jitter_buffer_set_retransmission(): rtpbin asks about a
   * jitter buffer for an SSRC whose transceiver is gone or not matched yet
   * (renegotiation racing the first packets); RTX is just not set on it. */
  { NULL, "jitter_buffer_set_retransmission: code should not be reached", NULL },
  /* GTK 4.8 under Xvfb without a window manager: focus moves between
   * windows without the X server's focus-out. */
  { "Gtk", "did not receive a focus-out event", NULL },
};

gboolean
bc_known_warning_matches (const char *log_domain, const char *message)
{
  if (message == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (known_warnings); i++)
    {
      const KnownWarning *k = &known_warnings[i];

      if (g_strcmp0 (k->log_domain, log_domain) == 0 && strstr (message, k->needle) != NULL &&
          (k->also == NULL || strstr (message, k->also) != NULL))
        return TRUE;
    }
  return FALSE;
}

/* The levels that were fatal before bc_known_warnings_install(). */
static GLogLevelFlags fatal_levels;

/* Every message, of the old g_log() API (GStreamer's) as of the structured
 * one (ours, GTK's), ends here: a fatal level aborts, but for a known
 * warning. */
static GLogWriterOutput
fatal_writer (GLogLevelFlags log_level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  GLogWriterOutput output = g_log_writer_default (log_level, fields, n_fields, user_data);
  const char *log_domain = NULL;
  const char *message = NULL;

  if ((log_level & fatal_levels) == 0)
    return output;
  for (gsize i = 0; i < n_fields; i++)
    {
      if (fields[i].length >= 0)
        continue;
      if (g_str_equal (fields[i].key, "GLIB_DOMAIN"))
        log_domain = fields[i].value;
      else if (g_str_equal (fields[i].key, "MESSAGE"))
        message = fields[i].value;
    }
  if ((log_level & G_LOG_LEVEL_WARNING) && bc_known_warning_matches (log_domain, message))
    return output;
  g_abort ();
}

/* Changes nothing unless warnings or criticals are fatal (G_DEBUG, or a
 * GTest program, which sets both): then GLib stops treating them as fatal
 * itself and the writer above does, knowing the exceptions. (GLib's own
 * fatal handler, g_test_log_set_fatal_handler(), would not do: GTest resets
 * it before every test case.) Call it once, after g_test_init(); nothing
 * else in the process may set the log writer. */
void
bc_known_warnings_install (void)
{
  const GLogLevelFlags levels = G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL;
  GLogLevelFlags always_fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK);

  fatal_levels = always_fatal & levels;
  g_log_set_always_fatal (always_fatal & ~levels);
  if (fatal_levels != 0)
    g_log_set_writer_func (fatal_writer, NULL, NULL);
}
