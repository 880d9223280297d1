/* Benchmark of the C client's media path through the real
 * `bountycam-server --dev` on loopback: a 1280×720@30 test pattern with
 * capture time stamps, H.264 from x264 (the default encoder choice), published
 * by a BcLkRoom in this process and watched by viewers in child processes
 * (this program with `--viewer`), each a fresh process as `bountycam-cli
 * watch` is, then joining once more in the same process as the app would.
 * Prints one table: glass-to-glass latency, join → first frame (new and warm
 * process), publisher and viewer CPU, viewer RSS and the publisher's RSS
 * growth over 50 publish/unpublish cycles. Shorter runs: BC_BENCH_JOINS,
 * BC_BENCH_WATCH_S. */
#include "config.h"

#include "bc-lk-test-wait.h"

#include "bc-known-warnings.h"

#include "bc-lk-peer.h"
#include "bc-lk-room.h"
#include "bc-media.h"
#include "bc-test-server.h"

#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define N_JOINS       10
#define WATCH_S       10
#define N_WARM_UP     5
#define N_CYCLES      50
#define TIMEOUT_S     30
#define LEAVE_WAIT_MS 200

static void
spin_ms (guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * G_TIME_SPAN_MILLISECOND;
  gboolean done = FALSE;
  guint id = g_timeout_add (ms, bc_test_set_flag, &done);

  while (!done && g_get_monotonic_time () < end + G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  if (!done)
    g_source_remove (id);
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* VmRSS of this process in kB. */
static gint64
rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL))
    return -1;
  line = strstr (status, "\nVmRSS:");
  return line != NULL ? g_ascii_strtoll (line + strlen ("\nVmRSS:"), NULL, 10) : -1;
}

/* With GST_TRACERS=leaks, the GStreamer objects made and not freed over the
 * publish/unpublish cycles, by type, to see what grows. */
static GstTracer *
leaks_tracer (void)
{
  GList *tracers = gst_tracing_get_active_tracers ();
  GstTracer *found = NULL;

  for (GList *l = tracers; l != NULL; l = l->next)
    if (found == NULL && g_str_equal (G_OBJECT_TYPE_NAME (l->data), "GstLeaksTracer"))
      found = gst_object_ref (l->data);
  g_list_free_full (tracers, gst_object_unref);
  return found;
}

static void
start_object_tracking (void)
{
  g_autoptr (GstTracer) tracer = leaks_tracer ();

  if (tracer != NULL)
    g_signal_emit_by_name (tracer, "activity-start-tracking");
}

static void
print_object_growth (void)
{
  g_autoptr (GstTracer) tracer = leaks_tracer ();
  g_autoptr (GHashTable) removed = NULL;
  g_autoptr (GHashTable) counts = NULL;
  GstStructure *checkpoint = NULL;
  const GValue *list;
  GHashTableIter iter;
  gpointer key, value;

  if (tracer == NULL)
    return;
  g_signal_emit_by_name (tracer, "activity-get-checkpoint", &checkpoint);
  if (checkpoint == NULL)
    return;
  g_printerr (
      "# GStreamer objects over the cycles: %u made, %u freed\n",
      gst_value_list_get_size (gst_structure_get_value (checkpoint, "objects-created-list")),
      gst_value_list_get_size (gst_structure_get_value (checkpoint, "objects-removed-list")));
  removed = g_hash_table_new (NULL, NULL);
  counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  list = gst_structure_get_value (checkpoint, "objects-removed-list");
  for (guint i = 0; list != NULL && i < gst_value_list_get_size (list); i++)
    {
      const GstStructure *o = gst_value_get_structure (gst_value_list_get_value (list, i));
      gpointer address = NULL;

      gst_structure_get (o, "address", G_TYPE_POINTER, &address, NULL);
      g_hash_table_add (removed, address);
    }
  list = gst_structure_get_value (checkpoint, "objects-created-list");
  for (guint i = 0; list != NULL && i < gst_value_list_get_size (list); i++)
    {
      const GstStructure *o = gst_value_get_structure (gst_value_list_get_value (list, i));
      gpointer address = NULL;
      const char *name = gst_structure_get_string (o, "type-name");

      gst_structure_get (o, "address", G_TYPE_POINTER, &address, NULL);
      if (name == NULL || g_hash_table_contains (removed, address))
        continue;
      g_hash_table_insert (
          counts, g_strdup (name),
          GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, name)) + 1));
    }
  g_hash_table_iter_init (&iter, counts);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_printerr ("# made and still alive after the cycles: %u %s\n", GPOINTER_TO_UINT (value),
                (const char *) key);
  gst_structure_free (checkpoint);
}

/* Bytes malloc has handed out and not had back, in kB: what the process
 * really holds, whatever the allocator keeps cached. */
static gint64
heap_in_use_kb (void)
{
  struct mallinfo2 info = mallinfo2 ();

  return (gint64) ((info.uordblks + info.hblkhd) / 1024);
}

typedef struct
{
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
store_result (GObject *source, GAsyncResult *result, gpointer data)
{
  Wait *w = data;

  w->result = g_object_ref (result);
  w->done = TRUE;
}

static void
room_connect (BcLkRoom *room, const char *url, const char *token)
{
  Wait w = { 0 };
  g_autoptr (GError) error = NULL;

  bc_lk_room_connect_async (room, url, token, NULL, store_result, &w);
  WAIT_FOR (w.done, TIMEOUT_S);
  if (!bc_lk_room_connect_finish (room, w.result, &error))
    g_error ("connect: %s", error->message);
  g_object_unref (w.result);
}

/* ------------------------------------------------------------------------ */
/* Viewer (child process) */

typedef struct
{
  GMutex lock;
  GPtrArray *receivers;
  BcFrameSink *sink;
  gint64 track_time;
} Viewer;

/* Streaming thread, as BcLkRoom asks. */
static void
on_track_subscribed (BcLkRoom *room,
                     const char *participant_sid,
                     const char *identity,
                     const char *track_sid,
                     int kind,
                     GstPad *pad,
                     GstBin *bin,
                     gpointer data)
{
  Viewer *v = data;
  g_autoptr (GError) error = NULL;
  BcTrackReceiver *receiver = bc_track_receiver_new_for_pad (pad, &error);

  if (receiver == NULL)
    g_error ("cannot play track: %s", error->message);
  g_mutex_lock (&v->lock);
  if (bc_track_receiver_get_kind (receiver) == BC_TRACK_KIND_VIDEO)
    {
      g_set_object (&v->sink, bc_track_receiver_get_frame_sink (receiver));
      v->track_time = g_get_monotonic_time ();
    }
  g_ptr_array_add (v->receivers, receiver);
  g_mutex_unlock (&v->lock);
}

static guint64
viewer_frames (Viewer *v)
{
  guint64 n;

  g_mutex_lock (&v->lock);
  n = v->sink != NULL ? bc_frame_sink_get_n_frames (v->sink) : 0;
  g_mutex_unlock (&v->lock);
  return n;
}

/* Joins and waits for the first decoded frame; prints the times. */
static double
viewer_join (Viewer *v, BcLkRoom **room, const char *url, const char *token, const char *prefix)
{
  gint64 start, joined;
  double first_ms;

  *room = bc_lk_room_new ();
  g_object_set (*room, "loopback-only", TRUE, "latency", bc_media_get_jitter_latency_ms (), NULL);
  g_signal_connect (*room, "track-subscribed", G_CALLBACK (on_track_subscribed), v);

  start = g_get_monotonic_time ();
  room_connect (*room, url, token);
  joined = g_get_monotonic_time ();
  WAIT_FOR (viewer_frames (v) >= 1, TIMEOUT_S);
  first_ms = (g_get_monotonic_time () - start) / 1000.0;
  /* Where the time went: connected (signal joined, subscriber peer
   * connected), then the video receiver built (first RTP through the jitter
   * buffer), then the first decoded frame. */
  g_print ("%sfirst_frame_ms %.1f %sconnected_ms %.1f %strack_ms %.1f\n", prefix, first_ms, prefix,
           (joined - start) / 1000.0, prefix, (v->track_time - start) / 1000.0);
  return first_ms;
}

/* Prints "first_frame_ms X" and, when watching, one "watch …" line. */
static int
run_viewer (const char *url, const char *token, int watch_s)
{
  Viewer v = { 0 };
  g_autoptr (BcLkRoom) room = NULL;
  gint64 start;
  double cpu0;

  /* As bountycam-cli watch does: the DTLS certificate is made and the
   * plugins are loaded meanwhile. */
  g_auto (GStrv) names = bc_track_receiver_dup_factory_names ();

  bc_lk_peer_warm_up_with ((const char *const *) names);
  g_mutex_init (&v.lock);
  v.receivers = g_ptr_array_new_with_free_func (g_object_unref);
  viewer_join (&v, &room, url, token, "");
  if (watch_s == 0)
    {
      /* Again in the same process: what the app sees when a viewer opens a
       * stream after start-up (certificate made, plugins loaded). */
      bc_lk_room_disconnect (room);
      spin_ms (LEAVE_WAIT_MS);
      g_clear_object (&room);
      g_clear_object (&v.sink);
      viewer_join (&v, &room, url, token, "warm_");
    }

  if (watch_s > 0)
    {
      gint64 p50 = 0, p95 = 0;
      guint n;
      guint64 frames;
      double wall;

      /* Past the start-up (plugin loading, first keyframe). */
      spin_ms (1000);
      g_mutex_lock (&v.lock);
      bc_frame_sink_reset_latency (v.sink);
      g_mutex_unlock (&v.lock);
      frames = viewer_frames (&v);
      cpu0 = cpu_seconds ();
      start = g_get_monotonic_time ();
      spin_ms (watch_s * 1000);
      wall = (g_get_monotonic_time () - start) / 1e6;
      g_mutex_lock (&v.lock);
      n = bc_frame_sink_get_latency (v.sink, &p50, &p95);
      g_mutex_unlock (&v.lock);
      g_print ("watch cpu_pct %.1f rss_kb %" G_GINT64_FORMAT " latency_n %u p50_ms %.1f p95_ms "
               "%.1f fps %.1f\n",
               100.0 * (cpu_seconds () - cpu0) / wall, rss_kb (), n, p50 / 1000.0, p95 / 1000.0,
               (viewer_frames (&v) - frames) / wall);
    }

  bc_lk_room_disconnect (room);
  spin_ms (LEAVE_WAIT_MS);
  g_clear_object (&room);
  g_ptr_array_unref (v.receivers);
  g_clear_object (&v.sink);
  bc_lk_peer_warm_up_finish ();
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Publisher and the table (parent process) */

static volatile sig_atomic_t server_pid;

static void
kill_server_and_die (int sig)
{
  if (server_pid > 0)
    kill (server_pid, SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

typedef struct
{
  BcTestServer *server;
  BcTestUser *requester;
  BcTestUser *streamer;
  char *url;
  char *streamer_token;
  char *viewer_token;
} Session;

static char *
livekit_token (Session *s, const char *session_id, BcTestUser *user)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body = g_strdup_printf ("{\"session_id\":\"%s\"}", session_id);

  g_assert_cmpuint (
      bc_test_request (s->server, "POST", "/api/livekit/token", user->access_token, body, &answer),
      ==, 200);
  if (s->url == NULL)
    s->url = g_strdup (bc_test_str (answer, "url"));
  return g_strdup (bc_test_str (answer, "token"));
}

static Session *
session_new (void)
{
  Session *s = g_new0 (Session, 1);
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *session_id = NULL;
  const int sigs[] = { SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGTERM, SIGINT };

  s->server = bc_test_server_start (NULL, NULL);
  server_pid = atoi (g_subprocess_get_identifier (s->server->proc));
  for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
    signal (sigs[i], kill_server_and_die);
  s->requester = bc_test_signup (s->server, "requester");
  s->streamer = bc_test_signup (s->server, "streamer");
  g_assert_cmpuint (bc_test_request (s->server, "POST", "/api/bounties", s->requester->access_token,
                                     "{\"title\":\"Harbour at dusk\",\"description\":\"Boats\","
                                     "\"reward_points\":50}",
                                     &answer),
                    ==, 201);
  path = g_strdup_printf ("/api/bounties/%s/accept", bc_test_str (answer, "id"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request (s->server, "POST", path, s->streamer->access_token, NULL, &answer), ==, 201);
  session_id = g_strdup (bc_test_str (answer, "id"));
  s->streamer_token = livekit_token (s, session_id, s->streamer);
  s->viewer_token = livekit_token (s, session_id, s->requester);
  return s;
}

static void
session_free (Session *s)
{
  bc_test_server_stop (s->server);
  bc_test_server_free (s->server);
  server_pid = 0;
  bc_test_user_free (s->requester);
  bc_test_user_free (s->streamer);
  g_free (s->url);
  g_free (s->streamer_token);
  g_free (s->viewer_token);
  g_free (s);
}

static BcVideoSource *
make_source (void)
{
  g_autoptr (BcCamera) camera = bc_camera_new_test_pattern ();
  g_autoptr (GError) error = NULL;
  BcVideoSource *source =
      g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, &error, "camera", camera, "codec",
                      BC_VIDEO_CODEC_H264, "stamp-capture-time", TRUE, NULL);

  if (source == NULL)
    g_error ("video source: %s", error->message);
  return source;
}

static char *
publish (BcLkRoom *room, BcVideoSource *source)
{
  Wait w = { 0 };
  g_autoptr (GError) error = NULL;
  int width = 0, height = 0, fps = 0;
  char *sid;

  bc_video_source_get_size (source, &width, &height, &fps);
  bc_lk_room_publish_track_async (room, BC_LK_TRACK_KIND_VIDEO, BC_LK_TRACK_SOURCE_CAMERA, "camera",
                                  width, height, bc_video_source_get_element (source), NULL,
                                  store_result, &w);
  WAIT_FOR (w.done, TIMEOUT_S);
  sid = bc_lk_room_publish_track_finish (room, w.result, &error);
  if (sid == NULL)
    g_error ("publish: %s", error->message);
  g_object_unref (w.result);
  return sid;
}

typedef struct
{
  gboolean done;
  char *out;
  GError *error;
} Child;

static void
on_child_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Child *c = data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, NULL, &c->error);
  c->done = TRUE;
}

/* Runs a viewer process while this one's main loop keeps going; returns its
 * standard output. */
static char *
run_viewer_child (const char *self_exe, Session *s, int watch_s)
{
  g_autofree char *watch = g_strdup_printf ("%d", watch_s);
  const char *argv[] = { self_exe, "--viewer", s->url, s->viewer_token, watch, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) proc = NULL;
  Child c = { 0 };

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_child_done, &c);
  WAIT_FOR (c.done, TIMEOUT_S + watch_s + 10);
  g_assert_no_error (c.error);
  g_subprocess_wait (proc, NULL, NULL);
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    g_error ("viewer failed:\n%s", c.out);
  return c.out;
}

static double
field (const char *text, const char *name)
{
  const char *at = strstr (text, name);

  if (at == NULL)
    g_error ("no %s in viewer output:\n%s", name, text);
  return g_ascii_strtod (at + strlen (name) + 1, NULL);
}

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
percentiles (GArray *values, double *p50, double *p95)
{
  g_assert_cmpuint (values->len, >, 0);
  g_array_sort (values, compare_double);
  *p50 = g_array_index (values, double, values->len / 2);
  *p95 = g_array_index (values, double, MIN (values->len - 1, (guint) (values->len * 0.95)));
}

static void
row (const char *what, guint n, double p50, double p95, const char *aim, gboolean met)
{
  g_autofree char *p95_text = p95 >= 0 ? g_strdup_printf ("%.1f", p95) : g_strdup ("");

  g_print ("| %-53s | %4u | %7.1f | %7s | %-10s | %-4s |\n", what, n, p50, p95_text, aim,
           met ? "met" : "NOT");
}

static int
run_bench (const char *self_exe)
{
  Session *s = session_new ();
  g_autoptr (BcLkRoom) pub = bc_lk_room_new ();
  g_autoptr (BcVideoSource) source = make_source ();
  g_autoptr (GArray) joins = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) warm_joins = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree char *sid = NULL;
  g_autofree char *watch = NULL;
  g_autofree char *encoder = g_strdup (bc_video_source_get_encoder_name (source));
  double cpu0, pub_cpu, join_p50, join_p95, viewer_cpu, viewer_rss_mb, g2g_p50, g2g_p95, fps;
  double growth_mb, warm_p50, warm_p95, cycles_s = 0;
  gint64 cycles_start = 0;
  gint64 start, rss_start, rss_end, rss_trimmed, rss_start_trimmed = 0;
  gint64 heap_start = 0, heap_end;
  guint g2g_n;
  int width = 0, height = 0, framerate = 0;
  /* Shorter runs while working on it. */
  guint n_joins = g_getenv ("BC_BENCH_JOINS") ? atoi (g_getenv ("BC_BENCH_JOINS")) : N_JOINS;
  int watch_s = g_getenv ("BC_BENCH_WATCH_S") ? atoi (g_getenv ("BC_BENCH_WATCH_S")) : WATCH_S;

  bc_video_source_get_size (source, &width, &height, &framerate);
  g_object_set (pub, "loopback-only", TRUE, NULL);
  room_connect (pub, s->url, s->streamer_token);
  sid = publish (pub, source);
  g_printerr ("# publishing %s\n", sid);

  /* Join → first frame, each viewer a new process. */
  for (guint i = 0; i < n_joins; i++)
    {
      g_autofree char *out = run_viewer_child (self_exe, s, 0);
      double ms = field (out, "first_frame_ms");
      double warm_ms = field (out, "warm_first_frame_ms");

      g_array_append_val (joins, ms);
      g_array_append_val (warm_joins, warm_ms);
      g_printerr ("# join %u: %s", i + 1, out);
    }
  percentiles (joins, &join_p50, &join_p95);
  percentiles (warm_joins, &warm_p50, &warm_p95);

  /* One viewer watches; this process only publishes meanwhile, so its CPU
   * over that time is the publisher's. */
  cpu0 = cpu_seconds ();
  start = g_get_monotonic_time ();
  watch = run_viewer_child (self_exe, s, watch_s);
  pub_cpu = 100.0 * (cpu_seconds () - cpu0) / ((g_get_monotonic_time () - start) / 1e6);
  viewer_cpu = field (watch, "cpu_pct");
  viewer_rss_mb = field (watch, "rss_kb") / 1024.0;
  g2g_n = (guint) field (watch, "latency_n");
  g2g_p50 = field (watch, "p50_ms");
  g2g_p95 = field (watch, "p95_ms");
  fps = field (watch, "fps");

  g_printerr ("# watched: %s", watch);
  /* RSS growth over publish/unpublish cycles, a new source each time. */
  g_object_unref (bc_lk_room_unpublish_track (pub, sid));
  g_clear_object (&source);
  rss_start = 0;
  for (guint i = 0; i < N_WARM_UP + N_CYCLES; i++)
    {
      g_autoptr (BcVideoSource) cycle_source = make_source ();
      g_autofree char *cycle_sid = NULL;

      if (i == N_WARM_UP)
        {
          rss_start = rss_kb ();
          malloc_trim (0);
          rss_start_trimmed = rss_kb ();
          heap_start = heap_in_use_kb ();
          cycles_start = g_get_monotonic_time ();
          start_object_tracking ();
        }
      if (i % 10 == 0)
        g_printerr ("# publish/unpublish cycle %u, RSS %.1f MB\n", i, rss_kb () / 1024.0);
      cycle_sid = publish (pub, cycle_source);
      WAIT_FOR (bc_video_source_get_n_frames (cycle_source) >= 1, TIMEOUT_S);
      g_object_unref (bc_lk_room_unpublish_track (pub, cycle_sid));
    }
  cycles_s = (g_get_monotonic_time () - cycles_start) / 1e6;
  spin_ms (500);
  print_object_growth ();
  rss_end = rss_kb ();
  growth_mb = (rss_end - rss_start) / 1024.0;
  /* What of the growth is freed memory the allocator keeps (x264 makes
   * large per-thread allocations) rather than memory still in use. */
  malloc_trim (0);
  rss_trimmed = rss_kb ();
  heap_end = heap_in_use_kb ();

  g_print ("\nBountyCam C client through bountycam-server --dev on loopback: "
           "%dx%d@%d test pattern with capture stamps, H.264 (%s)\n",
           width, height, framerate, encoder);
  g_print ("| %-53s | %4s | %7s | %7s | %-10s | %-4s |\n", "measure", "n", "p50", "p95", "aim", "");
  g_print ("|-------------------------------------------------------|------|---------|---------|"
           "------------|------|\n");
  row ("glass-to-glass latency (ms)", g2g_n, g2g_p50, g2g_p95, "p50 <= 80", g2g_p50 <= 80);
  row ("viewer join to first decoded frame, new process (ms)", joins->len, join_p50, join_p95,
       "p50 <= 400", join_p50 <= 400);
  row ("viewer join to first decoded frame, warm process (ms)", warm_joins->len, warm_p50, warm_p95,
       "p50 <= 400", warm_p50 <= 400);
  row ("publisher CPU (% of one core)", 1, pub_cpu, -1, "<= 25", pub_cpu <= 25);
  row ("viewer CPU (% of one core)", 1, viewer_cpu, -1, "", TRUE);
  row ("viewer RSS (MB)", 1, viewer_rss_mb, -1, "<= 120", viewer_rss_mb <= 120);
  row ("publisher RSS growth, 50 publish/unpublish (MB)", N_CYCLES, growth_mb, -1, "<= 5",
       growth_mb <= 5);
  row ("  the same, malloc_trim before both samples (MB)", N_CYCLES,
       (rss_trimmed - rss_start_trimmed) / 1024.0, -1, "<= 5",
       (rss_trimmed - rss_start_trimmed) / 1024.0 <= 5);
  row ("  malloc'd and not freed over the same cycles (MB)", N_CYCLES,
       (heap_end - heap_start) / 1024.0, -1, "<= 5", (heap_end - heap_start) / 1024.0 <= 5);
  row ("publish (until answered) + unpublish, mean (ms)", N_CYCLES, 1000.0 * cycles_s / N_CYCLES,
       -1, "", TRUE);
  g_print ("(viewer decoded %.1f fps while watching %d s; publisher RSS over the cycles %.1f -> "
           "%.1f MB, with malloc_trim %.1f -> %.1f MB)\n",
           fps, watch_s, rss_start / 1024.0, rss_end / 1024.0, rss_start_trimmed / 1024.0,
           rss_trimmed / 1024.0);

  bc_lk_room_disconnect (pub);
  spin_ms (LEAVE_WAIT_MS);
  g_clear_object (&pub);
  session_free (s);
  return 0;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  bc_known_warnings_install ();
  if (argc == 5 && g_str_equal (argv[1], "--viewer"))
    return run_viewer (argv[2], argv[3], atoi (argv[4]));
  {
    g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);

    return run_bench (self_exe != NULL ? self_exe : argv[0]);
  }
}
