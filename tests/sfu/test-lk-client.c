/* BountyCam's own LiveKit client (src/livekit) through the built-in SFU, in
 * one process: a streamer publishes a VP8 test pattern, a viewer decodes it,
 * sees a mute, and sees the streamer leave. */
#include "config.h"

#include "bc-known-warnings.h"

#include "bc-lk-room.h"
#include "bc-sfu.h"

#include "bc-json.h"
#include "bc-jwt.h"

#include <string.h>
#include <stdio.h>
#include <unistd.h>

#define KEY    "lk-client-key"
#define SECRET "lk-client-secret-0123456789-abcdefghij"

typedef struct
{
  GMainLoop *loop;
  char *url;
  BcLkRoom *streamer;
  BcLkRoom *viewer;
  gint frames; /* atomic */
  char *subscribed_identity;
  gboolean connected;
  GError *error;
  char *track_sid;
  gboolean muted_seen;
  gboolean unpublished_seen;
  gboolean left_seen;
} Fixture;

static char *
mint (const char *identity, const char *video_json)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  g_autoptr (JsonObject) video = bc_json_parse_object (video_json, -1, NULL);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  json_object_set_string_member (claims, "iss", KEY);
  json_object_set_string_member (claims, "sub", identity);
  json_object_set_int_member (claims, "nbf", now);
  json_object_set_int_member (claims, "exp", now + 600);
  json_object_set_string_member (video, "room", "lk-room");
  json_object_set_boolean_member (video, "roomJoin", TRUE);
  json_object_set_object_member (claims, "video", g_steal_pointer (&video));
  return bc_jwt_sign_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
}

static void
on_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  f->connected = bc_lk_room_connect_finish (BC_LK_ROOM (source), result, &f->error);
  g_main_loop_quit (f->loop);
}

static void
connect_room (Fixture *f, BcLkRoom *room, const char *token)
{
  f->connected = FALSE;
  bc_lk_room_connect_async (room, f->url, token, NULL, on_connected, f);
  g_main_loop_run (f->loop);
  g_assert_no_error (f->error);
  g_assert_true (f->connected);
}

static void
on_published (GObject *source, GAsyncResult *result, gpointer data)
{
  Fixture *f = data;

  f->track_sid = bc_lk_room_publish_track_finish (BC_LK_ROOM (source), result, &f->error);
  g_main_loop_quit (f->loop);
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Fixture *f = data;

  g_atomic_int_inc (&f->frames);
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
  Fixture *f = data;
  g_autoptr (GError) error = NULL;
  GstElement *chain = gst_parse_bin_from_description (
      "queue ! rtpvp8depay ! vp8dec ! fakesink name=s sync=false", TRUE, &error);
  g_autoptr (GstPad) sink = NULL;
  g_autoptr (GstElement) fakesink = NULL;
  g_autoptr (GstPad) fakesink_pad = NULL;

  g_assert_no_error (error);
  g_free (f->subscribed_identity);
  f->subscribed_identity = g_strdup (identity);
  gst_bin_add (bin, chain);
  gst_element_sync_state_with_parent (chain);
  sink = gst_element_get_static_pad (chain, "sink");
  g_assert_cmpint (gst_pad_link (pad, sink), ==, GST_PAD_LINK_OK);
  fakesink = gst_bin_get_by_name (GST_BIN (chain), "s");
  fakesink_pad = gst_element_get_static_pad (fakesink, "sink");
  gst_pad_add_probe (fakesink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, f, NULL);
}

static void
on_track_muted (BcLkRoom *room,
                const char *participant_sid,
                const char *track_sid,
                gboolean muted,
                gpointer data)
{
  Fixture *f = data;

  if (muted && g_strcmp0 (track_sid, f->track_sid) == 0)
    {
      f->muted_seen = TRUE;
      g_main_loop_quit (f->loop);
    }
}

static void
on_track_unpublished (BcLkRoom *room,
                      const char *participant_sid,
                      const char *identity,
                      const char *track_sid,
                      gpointer data)
{
  Fixture *f = data;

  if (g_strcmp0 (track_sid, f->track_sid) == 0)
    {
      f->unpublished_seen = TRUE;
      g_main_loop_quit (f->loop);
    }
}

static void
on_participant_disconnected (BcLkRoom *room,
                             const char *participant_sid,
                             const char *identity,
                             gpointer data)
{
  Fixture *f = data;

  if (g_strcmp0 (identity, "streamer") == 0)
    {
      f->left_seen = TRUE;
      g_main_loop_quit (f->loop);
    }
}

static gboolean
check_frames (gpointer data)
{
  Fixture *f = data;

  if (g_atomic_int_get (&f->frames) >= 30)
    g_main_loop_quit (f->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer data)
{
  Fixture *f = data;

  g_error ("Timed out (%d frames, muted %d, left %d)", g_atomic_int_get (&f->frames), f->muted_seen,
           f->left_seen);
  return G_SOURCE_REMOVE;
}

static void
test_publish_watch (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 0);
  g_autoptr (SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr (BcSfu) sfu = bc_sfu_new (KEY, SECRET, NULL);
  g_autofree char *streamer_token =
      mint ("streamer", "{\"canSubscribe\":false,\"canPublishSources\":[\"camera\"]}");
  g_autofree char *viewer_token = mint ("viewer", "{\"canPublish\":false}");
  GstElement *source;
  GSList *uris;
  guint timeout, poll;

  f.loop = g_main_loop_new (NULL, FALSE);
  g_assert_true (soup_server_listen (server, addr, 0, &error));
  uris = soup_server_get_uris (server);
  f.url = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  bc_sfu_attach (sfu, server);
  timeout = g_timeout_add_seconds (120, on_timeout, &f);

  f.streamer = bc_lk_room_new ();
  f.viewer = bc_lk_room_new ();
  /* No loopback-only here: a client of a server on 127.0.0.1 must find the
   * SFU's loopback candidates by itself. */
  g_signal_connect (f.viewer, "track-subscribed", G_CALLBACK (on_track_subscribed), &f);
  g_signal_connect (f.viewer, "track-muted", G_CALLBACK (on_track_muted), &f);
  g_signal_connect (f.viewer, "track-unpublished", G_CALLBACK (on_track_unpublished), &f);
  g_signal_connect (f.viewer, "participant-disconnected", G_CALLBACK (on_participant_disconnected),
                    &f);

  connect_room (&f, f.streamer, streamer_token);
  g_assert_true (bc_lk_room_get_can_publish (f.streamer));
  source = gst_parse_bin_from_description (
      "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 "
      "! vp8enc deadline=1 keyframe-max-dist=100000 ! rtpvp8pay pt=96 picture-id-mode=15-bit "
      "! capsfilter caps=\"application/x-rtp,media=video,encoding-name=VP8,payload=96,"
      "clock-rate=90000\"",
      TRUE, &error);
  g_assert_no_error (error);
  bc_lk_room_publish_track_async (f.streamer, BC_LK_TRACK_KIND_VIDEO, BC_LK_TRACK_SOURCE_CAMERA,
                                  "camera", 320, 240, source, NULL, on_published, &f);
  g_main_loop_run (f.loop);
  g_assert_no_error (f.error);
  g_assert_true (g_str_has_prefix (f.track_sid, "TR_"));

  /* The viewer joins late: the first frame needs a keyframe request. */
  connect_room (&f, f.viewer, viewer_token);
  g_assert_false (bc_lk_room_get_can_publish (f.viewer));
  poll = g_timeout_add (50, check_frames, &f);
  g_main_loop_run (f.loop);
  g_source_remove (poll);
  g_assert_cmpint (g_atomic_int_get (&f.frames), >=, 30);
  g_assert_cmpstr (f.subscribed_identity, ==, "streamer");

  bc_lk_room_set_track_muted (f.streamer, f.track_sid, TRUE);
  while (!f.muted_seen)
    g_main_loop_run (f.loop);

  /* Unpublishing turns the section inactive; the SFU takes the track away
   * from the viewer. */
  {
    g_autoptr (GstElement) returned = bc_lk_room_unpublish_track (f.streamer, f.track_sid);

    while (!f.unpublished_seen)
      g_main_loop_run (f.loop);
  }

  bc_lk_room_disconnect (f.streamer);
  while (!f.left_seen)
    g_main_loop_run (f.loop);

  bc_lk_room_disconnect (f.viewer);
  g_source_remove (timeout);
  g_clear_object (&f.viewer);
  g_clear_object (&f.streamer);
  g_clear_object (&sfu);
  soup_server_disconnect (server);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_free (f.url);
  g_free (f.track_sid);
  g_free (f.subscribed_identity);
  g_main_loop_unref (f.loop);
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_test_add_func ("/sfu/lk-client/publish-watch", test_publish_watch);
  ret = g_test_run ();
  /* OpenSSL's exit-time cleanup sometimes double-frees state that
   * GStreamer's DTLS elements left behind; the tests are over by now. */
  fflush (stdout);
  _exit (ret);
}
