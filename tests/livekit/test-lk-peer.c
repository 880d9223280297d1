/* A publisher peer and a subscriber peer wired to each other in-process:
 * offer/answer, trickle (with candidates held until the SDP is out), msid
 * and decoded frames. ICE on 127.0.0.1 only. */
#include "config.h"

#include "bc-known-warnings.h"

#include "bc-lk-peer.h"
#include "bc-lk-util.h"

#include <gst/webrtc/webrtc.h>

#include <string.h>

typedef struct
{
  BcLkPeer *pub;
  BcLkPeer *sub;
  GMainLoop *loop;
  gboolean pub_sdp_sent;
  gboolean sub_sdp_sent;
  guint early_candidates;
  guint candidates;
  char *msid;
  char *offer;
  gint frames;
} Fixture;

static void
on_local_description (BcLkPeer *peer, const char *type, const char *sdp, guint id, gpointer data)
{
  Fixture *f = data;

  if (peer == f->pub)
    {
      g_assert_cmpstr (type, ==, "offer");
      g_assert_cmpuint (id, >=, 1);
      f->pub_sdp_sent = TRUE;
      g_free (f->offer);
      f->offer = g_strdup (sdp);
      bc_lk_peer_set_remote_description (f->sub, type, sdp, id);
    }
  else
    {
      g_assert_cmpstr (type, ==, "answer");
      f->sub_sdp_sent = TRUE;
      bc_lk_peer_set_remote_description (f->pub, type, sdp, id);
    }
}

static void
on_local_candidate (BcLkPeer *peer, const char *json, gpointer data)
{
  Fixture *f = data;
  g_autofree char *candidate = NULL;
  g_autofree char *mid = NULL;
  int index = -1;

  /* Never before this side's SDP went out; always with sdpMid and index. */
  if ((peer == f->pub && !f->pub_sdp_sent) || (peer == f->sub && !f->sub_sdp_sent))
    f->early_candidates++;
  g_assert_true (bc_lk_candidate_from_json (json, &candidate, &mid, &index, NULL));
  g_assert_nonnull (mid);
  g_assert_cmpstr (mid, !=, "");
  g_assert_cmpint (index, >=, 0);
  /* loopback only */
  g_assert_nonnull (strstr (candidate, "127.0.0.1"));
  f->candidates++;
  bc_lk_peer_add_ice_candidate (peer == f->pub ? f->sub : f->pub, json);
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Fixture *f = data;

  g_atomic_int_inc (&f->frames);
  return GST_PAD_PROBE_OK;
}

static void
on_track (BcLkPeer *peer, GstPad *pad, const char *msid, const char *mid, gpointer data)
{
  Fixture *f = data;
  GstBin *bin = bc_lk_peer_get_bin (peer);
  g_autoptr (GError) error = NULL;
  GstElement *chain = gst_parse_bin_from_description (
      "queue ! rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false", TRUE, &error);
  g_autoptr (GstElement) dec = NULL;
  g_autoptr (GstPad) decsrc = NULL;
  g_autoptr (GstPad) sinkpad = NULL;

  g_assert_no_error (error);
  f->msid = g_strdup (msid);
  gst_bin_add (bin, chain);
  dec = gst_bin_get_by_name (GST_BIN (chain), "dec");
  decsrc = gst_element_get_static_pad (dec, "src");
  gst_pad_add_probe (decsrc, GST_PAD_PROBE_TYPE_BUFFER, count_frame, f, NULL);
  sinkpad = gst_element_get_static_pad (chain, "sink");
  g_assert_cmpint (gst_pad_link (pad, sinkpad), ==, GST_PAD_LINK_OK);
  gst_element_sync_state_with_parent (chain);
}

static gboolean
check_frames (gpointer data)
{
  Fixture *f = data;

  if (g_atomic_int_get (&f->frames) >= 15)
    {
      g_main_loop_quit (f->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer data)
{
  g_error ("no frames decoded in time");
  return G_SOURCE_REMOVE;
}

static void
test_peer_loopback (void)
{
  Fixture f = { 0 };
  g_autoptr (GError) error = NULL;
  GstElement *source;
  g_autofree char *cid = NULL;
  guint timeout;

  f.loop = g_main_loop_new (NULL, FALSE);
  f.pub = bc_lk_peer_new (BC_LK_PEER_PUBLISHER, TRUE, FALSE);
  f.sub = bc_lk_peer_new (BC_LK_PEER_SUBSCRIBER, TRUE, FALSE);
  for (guint i = 0; i < 2; i++)
    {
      BcLkPeer *p = i == 0 ? f.pub : f.sub;

      g_signal_connect (p, "local-description", G_CALLBACK (on_local_description), &f);
      g_signal_connect (p, "local-candidate", G_CALLBACK (on_local_candidate), &f);
    }
  g_signal_connect (f.sub, "track", G_CALLBACK (on_track), &f);

  source = gst_parse_bin_from_description (
      "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=30 ! rtpvp8pay picture-id-mode=15-bit mtu=1200",
      TRUE, &error);
  g_assert_no_error (error);
  cid = bc_lk_peer_add_track (f.pub, source, "PA_pub|TR_cam", &error);
  g_assert_no_error (error);
  /* the transceiver name webrtcbin writes as msid track id */
  g_assert_true (g_str_has_prefix (cid, "webrtctransceiver"));

  g_assert_true (bc_lk_peer_start (f.sub, &error));
  g_assert_true (bc_lk_peer_start (f.pub, &error));
  bc_lk_peer_negotiate (f.pub, FALSE);

  g_timeout_add (50, check_frames, &f);
  timeout = g_timeout_add_seconds (30, on_timeout, NULL);
  g_main_loop_run (f.loop);
  g_source_remove (timeout);

  g_assert_cmpuint (f.early_candidates, ==, 0);
  g_assert_cmpuint (f.candidates, >, 0);
  g_assert_cmpstr (f.msid, ==, "PA_pub|TR_cam");
  /* The sent offer names the track by its cid in both msid forms. */
  {
    g_autofree char *line = g_strdup_printf ("a=msid:PA_pub|TR_cam %s\r\n", cid);
    g_autofree char *ssrc = g_strdup_printf (" msid:PA_pub|TR_cam %s\r\n", cid);

    g_assert_nonnull (strstr (f.offer, line));
    g_assert_nonnull (strstr (f.offer, ssrc));
    g_assert_nonnull (strstr (f.offer, "a=group:BUNDLE"));
    g_assert_nonnull (strstr (f.offer, "webrtc-datachannel"));
  }
  g_assert_cmpint (bc_lk_peer_get_state (f.pub), ==, BC_LK_PEER_STATE_CONNECTED);

  bc_lk_peer_close (f.pub);
  bc_lk_peer_close (f.sub);
  g_clear_object (&f.pub);
  g_clear_object (&f.sub);
  g_main_loop_unref (f.loop);
  g_free (f.msid);
  g_free (f.offer);
}

/* ICE servers as LiveKit Cloud hands them out end up on webrtcbin. */
static void
test_peer_ice_servers (void)
{
  g_autoptr (BcLkPeer) peer = bc_lk_peer_new (BC_LK_PEER_PUBLISHER, FALSE, TRUE);
  Livekit__ICEServer stun = LIVEKIT__ICESERVER__INIT;
  Livekit__ICEServer turn = LIVEKIT__ICESERVER__INIT;
  Livekit__ICEServer *servers[] = { &stun, &turn };
  char *stun_urls[] = { "stun:stun.example.org:3478" };
  char *turn_urls[] = { "turn:turn.example.org:3478?transport=udp",
                        "turns:turn.example.org:443?transport=tcp" };
  g_autofree char *stun_server = NULL;
  GstWebRTCICETransportPolicy policy;

  stun.n_urls = 1;
  stun.urls = stun_urls;
  turn.n_urls = 2;
  turn.urls = turn_urls;
  turn.username = "user";
  turn.credential = "pass";
  bc_lk_peer_set_ice_servers (peer, servers, G_N_ELEMENTS (servers));

  g_object_get (bc_lk_peer_get_webrtcbin (peer), "stun-server", &stun_server,
                "ice-transport-policy", &policy, NULL);
  g_assert_cmpstr (stun_server, ==, "stun://stun.example.org:3478");
  g_assert_cmpint (policy, ==, GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY);
  bc_lk_peer_close (peer);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_test_add_func ("/livekit/peer/loopback", test_peer_loopback);
  g_test_add_func ("/livekit/peer/ice-servers", test_peer_ice_servers);
  return g_test_run ();
}
