/* End to end: two BcLkRooms (streamer and requester) through the real
 * `bountycam-server --dev` and its built-in SFU, with accounts, a bounty and a
 * session made through the API. The LiveKit URL goes through a TCP proxy in
 * this process so the test can cut the signal connection and follow the
 * server across a restart. ICE stays on 127.0.0.1. */
#include "config.h"

#include "bc-lk-test-wait.h"

#include "bc-known-warnings.h"

#include "bc-lk-error.h"
#include "bc-lk-proto.h"
#include "bc-lk-room.h"
#include "bc-test-server.h"

#include <signal.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* A failing test must not leave a server behind (it would also hold the
 * test runner's output pipe open). */

static volatile sig_atomic_t server_pid;

static void
kill_server_and_die (int sig)
{
  if (server_pid > 0)
    kill (server_pid, SIGKILL);
  signal (sig, SIG_DFL);
  raise (sig);
}

static void
watch_server (BcTestServer *server)
{
  const char *id = server != NULL ? g_subprocess_get_identifier (server->proc) : NULL;
  static gboolean installed;

  server_pid = id != NULL ? (sig_atomic_t) atoi (id) : 0;
  if (!installed)
    {
      const int sigs[] = { SIGABRT, SIGTRAP, SIGSEGV, SIGBUS, SIGTERM, SIGINT };

      for (guint i = 0; i < G_N_ELEMENTS (sigs); i++)
        signal (sigs[i], kill_server_and_die);
      installed = TRUE;
    }
}

/* ------------------------------------------------------------------------ */
/* A loopback TCP proxy */

typedef struct
{
  GSocketService *service;
  guint16 port;
  guint16 target_port;
  GPtrArray *pairs;
} Proxy;

typedef struct
{
  GIOStream *down;
  GIOStream *up;
  GCancellable *cancellable;
} Pair;

static void
pair_free (Pair *pair)
{
  /* The splice then closes both streams. */
  g_cancellable_cancel (pair->cancellable);
  g_object_unref (pair->down);
  g_object_unref (pair->up);
  g_object_unref (pair->cancellable);
  g_free (pair);
}

static void
on_spliced (GObject *source, GAsyncResult *result, gpointer data)
{
  g_io_stream_splice_finish (result, NULL);
}

static gboolean
on_incoming (GSocketService *service, GSocketConnection *conn, GObject *source, gpointer data)
{
  Proxy *proxy = data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  GSocketConnection *up;
  Pair *pair;

  up = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->target_port, NULL, NULL);
  if (up == NULL)
    {
      g_io_stream_close (G_IO_STREAM (conn), NULL, NULL);
      return TRUE;
    }
  pair = g_new0 (Pair, 1);
  pair->down = G_IO_STREAM (g_object_ref (conn));
  pair->up = G_IO_STREAM (up);
  pair->cancellable = g_cancellable_new ();
  g_ptr_array_add (proxy->pairs, pair);
  /* When either side closes (or the test cuts it), both are closed. */
  g_io_stream_splice_async (pair->down, pair->up,
                            G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, pair->cancellable, on_spliced, NULL);
  return TRUE;
}

static Proxy *
proxy_new (guint16 target_port)
{
  Proxy *proxy = g_new0 (Proxy, 1);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (lo, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GError) error = NULL;

  proxy->target_port = target_port;
  proxy->pairs = g_ptr_array_new_with_free_func ((GDestroyNotify) pair_free);
  proxy->service = g_socket_service_new ();
  g_socket_listener_add_address (G_SOCKET_LISTENER (proxy->service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &effective, &error);
  g_assert_no_error (error);
  proxy->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (on_incoming), proxy);
  g_socket_service_start (proxy->service);
  return proxy;
}

/* Cuts every connection, as a server or network dropping them would. */
static void
proxy_drop_all (Proxy *proxy)
{
  g_ptr_array_set_size (proxy->pairs, 0);
}

static void
proxy_free (Proxy *proxy)
{
  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_object_unref (proxy->service);
  g_ptr_array_unref (proxy->pairs);
  g_free (proxy);
}

/* ------------------------------------------------------------------------ */
/* Waiting */

/* ------------------------------------------------------------------------ */
/* Session through the API */

typedef struct
{
  BcTestServer *server;
  BcTestUser *requester;
  BcTestUser *streamer;
  char *session_id;
  char *streamer_token;
  char *viewer_token;
  Proxy *proxy;
  char *url; /* through the proxy */
} Session;

static guint16
port_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  return (guint16) g_uri_get_port (uri);
}

static char *
livekit_token (Session *s, BcTestUser *user, const char *role)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body = g_strdup_printf ("{\"session_id\":\"%s\"}", s->session_id);

  g_assert_cmpuint (
      bc_test_request (s->server, "POST", "/api/livekit/token", user->access_token, body, &answer),
      ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "role"), ==, role);
  if (s->proxy == NULL)
    {
      s->proxy = proxy_new (port_of (bc_test_str (answer, "url")));
      s->url = g_strdup_printf ("ws://127.0.0.1:%u", s->proxy->port);
    }
  return g_strdup (bc_test_str (answer, "token"));
}

static Session *
session_new (void)
{
  Session *s = g_new0 (Session, 1);
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *path = NULL;
  g_autofree char *bounty_id = NULL;

  s->server = bc_test_server_start (NULL, NULL);
  watch_server (s->server);
  s->requester = bc_test_signup (s->server, "requester");
  s->streamer = bc_test_signup (s->server, "streamer");
  g_assert_cmpuint (bc_test_request (s->server, "POST", "/api/bounties", s->requester->access_token,
                                     "{\"title\":\"Sunset at Pier 39\",\"description\":\"Sea "
                                     "lions\",\"reward_points\":50}",
                                     &answer),
                    ==, 201);
  bounty_id = g_strdup (bc_test_str (answer, "id"));
  g_clear_pointer (&answer, json_node_unref);
  path = g_strdup_printf ("/api/bounties/%s/accept", bounty_id);
  g_assert_cmpuint (
      bc_test_request (s->server, "POST", path, s->streamer->access_token, NULL, &answer), ==, 201);
  s->session_id = g_strdup (bc_test_str (answer, "id"));

  s->streamer_token = livekit_token (s, s->streamer, "streamer");
  s->viewer_token = livekit_token (s, s->requester, "requester");
  return s;
}

static void
session_free (Session *s)
{
  if (s->server != NULL)
    {
      bc_test_server_stop (s->server);
      bc_test_server_free (s->server);
      watch_server (NULL);
    }
  bc_test_user_free (s->requester);
  bc_test_user_free (s->streamer);
  g_free (s->session_id);
  g_free (s->streamer_token);
  g_free (s->viewer_token);
  g_free (s->url);
  proxy_free (s->proxy);
  g_free (s);
}

/* ------------------------------------------------------------------------ */
/* Clients */

typedef struct
{
  BcLkRoom *room;
  GPtrArray *states;
  gint frames;
  gint audio_buffers;
  GMutex lock;
  char *subscribed_identity;
  GHashTable *subscribed_sids; /* sid → frames decoded (gint *), under lock */
  char *published_identity;
  int published_source;
  gboolean disconnected;
  int disconnect_reason;
} Client;

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Client *c = data;

  g_atomic_int_inc (&c->frames);
  return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn
count_audio (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Client *c = data;

  g_atomic_int_inc (&c->audio_buffers);
  return GST_PAD_PROBE_OK;
}

typedef struct
{
  Client *client;
  char *sid;
} TrackCount;

static void
track_count_free (gpointer data)
{
  TrackCount *tc = data;

  g_free (tc->sid);
  g_free (tc);
}

static GstPadProbeReturn
count_track_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  TrackCount *tc = data;
  gint *n;

  g_mutex_lock (&tc->client->lock);
  n = g_hash_table_lookup (tc->client->subscribed_sids, tc->sid);
  if (n != NULL)
    (*n)++;
  g_mutex_unlock (&tc->client->lock);
  return GST_PAD_PROBE_OK;
}

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
  Client *c = data;
  g_autoptr (GstCaps) current = gst_pad_get_current_caps (pad);
  g_autoptr (GstCaps) caps =
      current != NULL ? gst_caps_ref (current) : gst_pad_query_caps (pad, NULL);
  g_autofree char *text = gst_caps_to_string (caps);
  const char *desc =
      kind == BC_LK_TRACK_KIND_AUDIO
          ? "queue ! rtpopusdepay ! opusdec name=dec ! fakesink sync=false async=false"
      : strstr (text, "H264") != NULL
          ? "queue ! rtph264depay ! avdec_h264 name=dec ! fakesink sync=false async=false"
          : "queue ! rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false";
  GstElement *chain = gst_parse_bin_from_description (desc, TRUE, NULL);
  g_autoptr (GstElement) dec = gst_bin_get_by_name (GST_BIN (chain), "dec");
  g_autoptr (GstPad) decsrc = gst_element_get_static_pad (dec, "src");
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (chain, "sink");

  /* Streaming thread. */
  if (strstr (text, "OPUS") != NULL)
    g_assert_cmpint (kind, ==, BC_LK_TRACK_KIND_AUDIO);
  g_assert_nonnull (track_sid);
  g_assert_true (g_str_has_prefix (track_sid, "TR_"));
  g_mutex_lock (&c->lock);
  g_free (c->subscribed_identity);
  c->subscribed_identity = g_strdup (identity);
  if (!g_hash_table_contains (c->subscribed_sids, track_sid))
    g_hash_table_insert (c->subscribed_sids, g_strdup (track_sid), g_new0 (gint, 1));
  g_mutex_unlock (&c->lock);

  gst_bin_add (bin, chain);
  gst_pad_add_probe (decsrc, GST_PAD_PROBE_TYPE_BUFFER,
                     kind == BC_LK_TRACK_KIND_AUDIO ? count_audio : count_frame, c, NULL);
  if (kind == BC_LK_TRACK_KIND_VIDEO)
    {
      TrackCount *tc = g_new0 (TrackCount, 1);

      tc->client = c;
      tc->sid = g_strdup (track_sid);
      gst_pad_add_probe (decsrc, GST_PAD_PROBE_TYPE_BUFFER, count_track_frame, tc,
                         track_count_free);
    }
  g_assert_cmpint (gst_pad_link (pad, sinkpad), ==, GST_PAD_LINK_OK);
  gst_element_sync_state_with_parent (chain);
}

static void
on_track_published (BcLkRoom *room,
                    const char *participant_sid,
                    const char *identity,
                    const char *track_sid,
                    int kind,
                    int source,
                    const char *name,
                    gpointer data)
{
  Client *c = data;

  if (kind != BC_LK_TRACK_KIND_VIDEO)
    {
      g_assert_cmpint (source, ==, BC_LK_TRACK_SOURCE_MICROPHONE);
      return;
    }
  g_free (c->published_identity);
  c->published_identity = g_strdup (identity);
  c->published_source = source;
}

static void
on_state (GObject *room, GParamSpec *pspec, gpointer data)
{
  Client *c = data;

  g_ptr_array_add (c->states, GINT_TO_POINTER (bc_lk_room_get_state (BC_LK_ROOM (room))));
}

static void
on_disconnected (BcLkRoom *room, int reason, const char *message, gpointer data)
{
  Client *c = data;

  c->disconnected = TRUE;
  c->disconnect_reason = reason;
}

static Client *
client_new (void)
{
  Client *c = g_new0 (Client, 1);

  g_mutex_init (&c->lock);
  c->states = g_ptr_array_new ();
  c->subscribed_sids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->room = bc_lk_room_new ();
  g_object_set (c->room, "loopback-only", TRUE, NULL);
  g_signal_connect (c->room, "notify::state", G_CALLBACK (on_state), c);
  g_signal_connect (c->room, "track-subscribed", G_CALLBACK (on_track_subscribed), c);
  g_signal_connect (c->room, "track-published", G_CALLBACK (on_track_published), c);
  g_signal_connect (c->room, "disconnected", G_CALLBACK (on_disconnected), c);
  return c;
}

static void
client_free (Client *c)
{
  g_clear_object (&c->room);
  g_ptr_array_unref (c->states);
  g_free (c->subscribed_identity);
  g_hash_table_unref (c->subscribed_sids);
  g_free (c->published_identity);
  g_mutex_clear (&c->lock);
  g_free (c);
}

typedef struct
{
  gboolean done;
  gboolean ok;
  char *sid;
  GError *error;
} Result;

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Result *r = data;

  r->ok = bc_lk_room_connect_finish (BC_LK_ROOM (source), result, &r->error);
  r->done = TRUE;
}

static void
on_published (GObject *source, GAsyncResult *result, gpointer data)
{
  Result *r = data;

  r->sid = bc_lk_room_publish_track_finish (BC_LK_ROOM (source), result, &r->error);
  r->done = TRUE;
}

static void
client_connect (Client *c, const char *url, const char *token)
{
  Result r = { 0 };

  bc_lk_room_connect_async (c->room, url, token, NULL, on_connected, &r);
  WAIT_FOR (r.done, 60);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

static GstElement *
make_source (const char *codec)
{
  const char *desc =
      g_str_equal (codec, "h264")
          ? "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! "
            "x264enc tune=zerolatency speed-preset=ultrafast key-int-max=60 ! "
            "video/x-h264,profile=constrained-baseline ! "
            "rtph264pay config-interval=-1 aggregate-mode=zero-latency mtu=1200 pt=102"
          : "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! "
            "vp8enc deadline=1 keyframe-max-dist=60 ! "
            "rtpvp8pay picture-id-mode=15-bit mtu=1200 pt=96";
  g_autoptr (GError) error = NULL;
  GstElement *bin = gst_parse_bin_from_description (desc, TRUE, &error);

  g_assert_no_error (error);
  return bin;
}

static char *
publish (Client *c, const char *codec, GError **error)
{
  Result r = { 0 };

  if (g_str_equal (codec, "opus"))
    bc_lk_room_publish_track_async (
        c->room, BC_LK_TRACK_KIND_AUDIO, BC_LK_TRACK_SOURCE_MICROPHONE, "microphone", 0, 0,
        gst_parse_bin_from_description ("audiotestsrc is-live=true ! audioconvert ! "
                                        "audioresample ! opusenc ! rtpopuspay pt=111",
                                        TRUE, NULL),
        NULL, on_published, &r);
  else
    bc_lk_room_publish_track_async (c->room, BC_LK_TRACK_KIND_VIDEO, BC_LK_TRACK_SOURCE_CAMERA,
                                    "camera", 320, 240, make_source (codec), NULL, on_published,
                                    &r);
  WAIT_FOR (r.done, 30);
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.sid;
}

static gboolean
went_through_reconnecting (Client *c)
{
  for (guint i = 0; i < c->states->len; i++)
    if (GPOINTER_TO_INT (c->states->pdata[i]) == BC_LK_ROOM_STATE_RECONNECTING)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Tests */

static void
run_publish_watch (const char *codec, gboolean full)
{
  Session *s = session_new ();
  Client *pub = client_new ();
  Client *view = client_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sid = NULL;
  gint frames;

  g_object_set (view->room, "latency", 50, NULL);
  client_connect (pub, s->url, s->streamer_token);
  sid = publish (pub, codec, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (sid, "TR_"));

  if (!full)
    {
      /* Audio as well, received as plain Opus. */
      g_autofree char *audio_sid = publish (pub, "opus", &error);

      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (audio_sid, "TR_"));
    }

  client_connect (view, s->url, s->viewer_token);
  {
    gint64 start = g_get_monotonic_time ();

    WAIT_FOR (g_atomic_int_get (&view->frames) >= 1, 60);
    g_test_message ("%s: first frame decoded %.0f ms after the viewer's connect completed", codec,
                    (g_get_monotonic_time () - start) / 1000.0);
  }
  WAIT_FOR (g_atomic_int_get (&view->frames) >= 60, 60);
  if (!full)
    WAIT_FOR (g_atomic_int_get (&view->audio_buffers) >= 25, 60);
  g_mutex_lock (&view->lock);
  g_assert_cmpstr (view->subscribed_identity, ==, s->streamer->id);
  g_mutex_unlock (&view->lock);
  g_assert_cmpstr (view->published_identity, ==, s->streamer->id);
  g_assert_cmpint (view->published_source, ==, BC_LK_TRACK_SOURCE_CAMERA);

  if (full)
    {
      /* The signal connections drop: both recover (the SFU answers the
       * resume with a full rejoin) and frames flow again. */
      g_ptr_array_set_size (pub->states, 0);
      g_ptr_array_set_size (view->states, 0);
      proxy_drop_all (s->proxy);
      WAIT_FOR (went_through_reconnecting (pub) && went_through_reconnecting (view) &&
                    bc_lk_room_get_state (pub->room) == BC_LK_ROOM_STATE_CONNECTED &&
                    bc_lk_room_get_state (view->room) == BC_LK_ROOM_STATE_CONNECTED,
                60);
      frames = g_atomic_int_get (&view->frames);
      WAIT_FOR (g_atomic_int_get (&view->frames) >= frames + 30, 60);

      /* The server restarts (new port, same database and secrets). Whatever
       * it says on the way down reaches the clients through the proxy. */
      {
        g_autofree char *dir = g_strdup (s->server->dir);

        g_ptr_array_set_size (pub->states, 0);
        g_ptr_array_set_size (view->states, 0);
        s->server->owns_dir = FALSE;
        bc_test_server_stop (s->server);
        bc_test_server_free (s->server);
        s->server = NULL;
        WAIT_FOR (went_through_reconnecting (pub) && went_through_reconnecting (view), 30);
        s->server = bc_test_server_start (dir, NULL);
        watch_server (s->server);
        s->server->owns_dir = TRUE;
        s->proxy->target_port = port_of (s->server->base_url);
      }
      WAIT_FOR (bc_lk_room_get_state (pub->room) == BC_LK_ROOM_STATE_CONNECTED &&
                    bc_lk_room_get_state (view->room) == BC_LK_ROOM_STATE_CONNECTED,
                70);
      frames = g_atomic_int_get (&view->frames);
      WAIT_FOR (g_atomic_int_get (&view->frames) >= frames + 30, 60);
      /* the viewer's jitter buffer setting survived two new webrtcbins */
      {
        guint latency = 0;

        g_object_get (bc_lk_room_get_webrtcbin (view->room, FALSE), "latency", &latency, NULL);
        g_assert_cmpuint (latency, ==, 50);
      }

      /* Approving ends the session and deletes the room. */
      {
        g_autofree char *path = g_strdup_printf ("/api/sessions/%s/approve", s->session_id);

        g_assert_cmpuint (
            bc_test_request (s->server, "POST", path, s->requester->access_token, NULL, NULL), ==,
            200);
      }
      WAIT_FOR (pub->disconnected && view->disconnected, 30);
      g_assert_cmpint (pub->disconnect_reason, ==, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);
      g_assert_cmpint (view->disconnect_reason, ==, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);
      g_assert_cmpint (bc_lk_room_get_state (pub->room), ==, BC_LK_ROOM_STATE_DISCONNECTED);
      g_assert_cmpint (bc_lk_room_get_state (view->room), ==, BC_LK_ROOM_STATE_DISCONNECTED);
    }
  else
    {
      bc_lk_room_disconnect (view->room);
      bc_lk_room_disconnect (pub->room);
    }

  client_free (view);
  client_free (pub);
  session_free (s);
}

/* Frames decoded of the track @sid, -1 before it is subscribed. */
static gint
frames_of (Client *c, const char *sid)
{
  gint *n;
  gint frames;

  g_mutex_lock (&c->lock);
  n = g_hash_table_lookup (c->subscribed_sids, sid);
  frames = n != NULL ? *n : -1;
  g_mutex_unlock (&c->lock);
  return frames;
}

/* Publish and unpublish in a tight loop while a viewer watches: every publish
 * succeeds (nothing is left pending on the server to count against its
 * track limit, and webrtcbin's sections are reused), and the last track
 * still reaches the viewer. */
static void
test_e2e_fast_republish (void)
{
  Session *s = session_new ();
  Client *pub = client_new ();
  Client *view = client_new ();
  g_autofree char *sid = NULL;

  client_connect (pub, s->url, s->streamer_token);
  client_connect (view, s->url, s->viewer_token);
  for (guint i = 0; i < 24; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *cycle_sid = publish (pub, "vp8", &error);
      g_autoptr (GstElement) element = NULL;

      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (cycle_sid, "TR_"));
      element = bc_lk_room_unpublish_track (pub->room, cycle_sid);
      g_assert_nonnull (element);
    }
  {
    g_autoptr (GError) error = NULL;

    sid = publish (pub, "vp8", &error);
    g_assert_no_error (error);
  }
  WAIT_FOR (frames_of (view, sid) >= 30, 60);

  bc_lk_room_disconnect (view->room);
  bc_lk_room_disconnect (pub->room);
  client_free (view);
  client_free (pub);
  session_free (s);
}

static void
test_e2e_vp8_reconnect_approve (void)
{
  run_publish_watch ("vp8", TRUE);
}

static void
test_e2e_h264 (void)
{
  run_publish_watch ("h264", FALSE);
}

static void
test_e2e_viewer_cannot_publish (void)
{
  Session *s = session_new ();
  Client *view = client_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *sid = NULL;

  client_connect (view, s->url, s->viewer_token);
  g_assert_false (bc_lk_room_get_can_publish (view->room));
  sid = publish (view, "vp8", &error);
  g_assert_null (sid);
  g_assert_error (error, BC_LK_ERROR, BC_LK_ERROR_NOT_ALLOWED);
  bc_lk_room_disconnect (view->room);
  client_free (view);
  session_free (s);
}

static void
test_e2e_bad_token (void)
{
  Session *s = session_new ();
  Client *c = client_new ();
  Result r = { 0 };

  bc_lk_room_connect_async (c->room, s->url, "not.a.token", NULL, on_connected, &r);
  WAIT_FOR (r.done, 30);
  g_assert_error (r.error, BC_LK_ERROR, BC_LK_ERROR_TOKEN_REJECTED);
  g_test_message ("%s", r.error->message);
  g_clear_error (&r.error);
  client_free (c);
  session_free (s);
}

/* ------------------------------------------------------------------------ */
/* Benchmark (`--bench`): joins, first frames and recoveries, as a table. */

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static void
print_row (const char *what, GArray *values)
{
  double p50, p95;

  g_array_sort (values, compare_double);
  p50 = g_array_index (values, double, values->len / 2);
  p95 = g_array_index (values, double, MIN (values->len - 1, (guint) (values->len * 0.95)));
  g_print ("| %-44s | %3u | %8.0f | %8.0f |\n", what, values->len, p50, p95);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static int
run_bench (void)
{
  const guint n_viewers = 8;
  const guint n_cuts = 3;
  Session *s = session_new ();
  Client *pub = client_new ();
  g_autoptr (GArray) pub_join = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) publish_ms = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) view_join = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) first_frame = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) recover = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GArray) frames_again = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr (GError) error = NULL;
  g_autofree char *sid = NULL;
  Client *view;
  gint64 start;
  double value;

  start = g_get_monotonic_time ();
  client_connect (pub, s->url, s->streamer_token);
  value = ms_since (start);
  g_array_append_val (pub_join, value);
  start = g_get_monotonic_time ();
  sid = publish (pub, "vp8", &error);
  g_assert_no_error (error);
  value = ms_since (start);
  g_array_append_val (publish_ms, value);

  for (guint i = 0; i < n_viewers; i++)
    {
      view = client_new ();
      start = g_get_monotonic_time ();
      client_connect (view, s->url, s->viewer_token);
      value = ms_since (start);
      g_array_append_val (view_join, value);
      WAIT_FOR (g_atomic_int_get (&view->frames) >= 1, 30);
      value = ms_since (start);
      g_array_append_val (first_frame, value);
      bc_lk_room_disconnect (view->room);
      client_free (view);
    }

  view = client_new ();
  client_connect (view, s->url, s->viewer_token);
  WAIT_FOR (g_atomic_int_get (&view->frames) >= 1, 30);
  for (guint i = 0; i < n_cuts; i++)
    {
      gint frames;

      g_ptr_array_set_size (pub->states, 0);
      g_ptr_array_set_size (view->states, 0);
      start = g_get_monotonic_time ();
      proxy_drop_all (s->proxy);
      WAIT_FOR (went_through_reconnecting (pub) && went_through_reconnecting (view) &&
                    bc_lk_room_get_state (pub->room) == BC_LK_ROOM_STATE_CONNECTED &&
                    bc_lk_room_get_state (view->room) == BC_LK_ROOM_STATE_CONNECTED,
                60);
      value = ms_since (start);
      g_array_append_val (recover, value);
      frames = g_atomic_int_get (&view->frames);
      WAIT_FOR (g_atomic_int_get (&view->frames) > frames, 30);
      value = ms_since (start);
      g_array_append_val (frames_again, value);
    }

  g_print ("\nBcLkRoom through bountycam-server --dev (loopback, VP8 320x240@30)\n");
  g_print ("| %-44s | %3s | %8s | %8s |\n", "measure (ms)", "n", "p50", "p95");
  g_print ("|----------------------------------------------|-----|----------|----------|\n");
  print_row ("publisher join (connect to connected)", pub_join);
  print_row ("publish (call to track sid)", publish_ms);
  print_row ("viewer join (connect to connected)", view_join);
  print_row ("viewer connect to first decoded frame", first_frame);
  print_row ("signal cut to both rooms connected", recover);
  print_row ("signal cut to frames flowing again", frames_again);

  bc_lk_room_disconnect (view->room);
  bc_lk_room_disconnect (pub->room);
  client_free (view);
  client_free (pub);
  session_free (s);
  return 0;
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  if (argc > 1 && g_str_equal (argv[1], "--bench"))
    {
      bc_known_warnings_install ();
      return run_bench ();
    }
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_test_add_func ("/livekit/e2e/vp8-reconnect-approve", test_e2e_vp8_reconnect_approve);
  g_test_add_func ("/livekit/e2e/h264", test_e2e_h264);
  g_test_add_func ("/livekit/e2e/fast-republish", test_e2e_fast_republish);
  g_test_add_func ("/livekit/e2e/viewer-cannot-publish", test_e2e_viewer_cannot_publish);
  g_test_add_func ("/livekit/e2e/bad-token", test_e2e_bad_token);
  return g_test_run ();
}
