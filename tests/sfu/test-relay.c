/* Media relay test: a webrtcbin publisher sends through the SFU's relay to
 * webrtcbin subscribers, all in this process over loopback ICE. Frames are
 * decoded and counted on the subscriber side; a late subscriber must see
 * frames although the publisher's encoder makes no keyframes by itself, which
 * proves that keyframe requests reach the publisher. */
#include "config.h"

#include "bc-known-warnings.h"

#include "bc-sfu-peer.h"
#include "bc-sfu-relay.h"
#include "bc-sfu-track.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

typedef struct _Fixture Fixture;

typedef struct
{
  Fixture *fixture;
  GstElement *pipeline;
  GstElement *webrtcbin;
  BcSfuPeer *peer;
  gint frames; /* atomic */
  char *last_offer;
} Client;

struct _Fixture
{
  GMainLoop *loop;
  BcSfuRelay *relay;
  Client publisher;
  Client subscribers[2];
  guint n_subscribers;
  const char *codec;
};

static void
restrict_to_loopback (GstElement *webrtcbin)
{
  GstObject *ice = NULL;
  NiceAgent *agent = NULL;
  NiceAddress addr;

  g_object_get (webrtcbin, "ice-agent", &ice, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
  nice_address_init (&addr);
  nice_address_set_from_string (&addr, "127.0.0.1");
  nice_agent_add_local_address (agent, &addr);
  g_object_unref (agent);
  gst_object_unref (ice);
}

typedef struct
{
  Client *client;
  guint mline;
  char *candidate;
  GstWebRTCSessionDescription *desc;
} Msg;

static gboolean
deliver_candidate_to_sfu (gpointer data)
{
  Msg *m = data;

  if (m->client->peer != NULL)
    bc_sfu_peer_add_ice_candidate (m->client->peer, m->mline, m->candidate);
  g_free (m->candidate);
  g_free (m);
  return G_SOURCE_REMOVE;
}

static void
on_client_candidate (GstElement *webrtcbin, guint mline, const char *candidate, Client *client)
{
  Msg *m = g_new0 (Msg, 1);

  m->client = client;
  m->mline = mline;
  m->candidate = g_strdup (candidate);
  g_idle_add (deliver_candidate_to_sfu, m);
}

static void
on_sfu_candidate (
    BcSfuPeer *peer, guint mline, const char *mid, const char *candidate, Client *client)
{
  g_assert_nonnull (mid);
  g_signal_emit_by_name (client->webrtcbin, "add-ice-candidate", mline, candidate);
}

/* ---- publisher client ------------------------------------------------- */

static gboolean
deliver_offer_to_sfu (gpointer data)
{
  Msg *m = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = gst_sdp_message_as_text (m->desc->sdp);

  g_assert_true (bc_sfu_peer_handle_offer (m->client->peer, text, 7, NULL, &error));
  g_assert_no_error (error);
  gst_webrtc_session_description_free (m->desc);
  g_free (m);
  return G_SOURCE_REMOVE;
}

static void
on_pub_offer_created (GstPromise *promise, gpointer user_data)
{
  Client *client = user_data;
  GstWebRTCSessionDescription *offer = NULL;
  Msg *m;

  g_assert_cmpint (gst_promise_wait (promise), ==, GST_PROMISE_RESULT_REPLIED);
  gst_structure_get (gst_promise_get_reply (promise), "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                     &offer, NULL);
  gst_promise_unref (promise);
  g_signal_emit_by_name (client->webrtcbin, "set-local-description", offer, NULL);
  m = g_new0 (Msg, 1);
  m->client = client;
  m->desc = offer;
  g_idle_add (deliver_offer_to_sfu, m);
}

static void
on_pub_negotiation_needed (GstElement *webrtcbin, Client *client)
{
  GstPromise *promise = gst_promise_new_with_change_func (on_pub_offer_created, client, NULL);

  g_signal_emit_by_name (webrtcbin, "create-offer", NULL, promise);
}

static void
on_sfu_answer (BcSfuPeer *peer, const char *type, const char *sdp, guint id, Client *client)
{
  GstSDPMessage *message = NULL;
  GstWebRTCSessionDescription *desc;

  g_assert_cmpstr (type, ==, "answer");
  g_assert_cmpuint (id, ==, 7);
  g_assert_cmpint (gst_sdp_message_new_from_text (sdp, &message), ==, GST_SDP_OK);
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_ANSWER, message);
  g_signal_emit_by_name (client->webrtcbin, "set-remote-description", desc, NULL);
  gst_webrtc_session_description_free (desc);
}

static void
on_sfu_track (BcSfuPeer *peer, BcSfuTrack *track, Fixture *fixture)
{
  g_assert_cmpstr (bc_sfu_track_get_mime_type (track), ==,
                   g_str_equal (fixture->codec, "h264") ? "video/H264" : "video/VP8");
  /* The first subscriber comes right away, the second later. */
  bc_sfu_peer_add_track (fixture->subscribers[0].peer, track, "PA_pub|TR_video", "TR_video");
  bc_sfu_peer_negotiate (fixture->subscribers[0].peer);
}

static void
start_publisher (Fixture *fixture)
{
  Client *client = &fixture->publisher;
  g_autoptr (GError) error = NULL;
  g_autofree char *desc = NULL;
  GstWebRTCRTPTransceiver *transceiver = NULL;

  /* No periodic keyframes: a late subscriber depends on its PLI. */
  if (g_str_equal (fixture->codec, "h264"))
    desc = g_strdup ("videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 "
                     "! x264enc tune=zerolatency speed-preset=ultrafast key-int-max=100000 "
                     "! video/x-h264,profile=constrained-baseline ! rtph264pay config-interval=-1 "
                     "pt=102 ! application/x-rtp,media=video,encoding-name=H264,payload=102,"
                     "ssrc=(uint)12345 ! webrtcbin name=w bundle-policy=max-bundle");
  else
    desc = g_strdup ("videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 "
                     "! vp8enc deadline=1 keyframe-max-dist=100000 ! rtpvp8pay pt=96 "
                     "! application/x-rtp,media=video,encoding-name=VP8,payload=96,"
                     "ssrc=(uint)12345 ! webrtcbin name=w bundle-policy=max-bundle");
  client->fixture = fixture;
  client->pipeline = gst_parse_launch (desc, &error);
  g_assert_no_error (error);
  client->webrtcbin = gst_bin_get_by_name (GST_BIN (client->pipeline), "w");
  restrict_to_loopback (client->webrtcbin);
  g_signal_connect (client->webrtcbin, "on-negotiation-needed",
                    G_CALLBACK (on_pub_negotiation_needed), client);
  g_signal_connect (client->webrtcbin, "on-ice-candidate", G_CALLBACK (on_client_candidate),
                    client);
  g_signal_emit_by_name (client->webrtcbin, "get-transceiver", 0, &transceiver);
  g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
  g_object_unref (transceiver);

  client->peer = bc_sfu_peer_new (fixture->relay, BC_SFU_PEER_PUBLISHER, "PA_pub");
  g_signal_connect (client->peer, "local-description", G_CALLBACK (on_sfu_answer), client);
  g_signal_connect (client->peer, "ice-candidate", G_CALLBACK (on_sfu_candidate), client);
  g_signal_connect (client->peer, "track-added", G_CALLBACK (on_sfu_track), fixture);
  gst_element_set_state (client->pipeline, GST_STATE_PLAYING);
}

/* ---- subscriber clients ----------------------------------------------- */

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Client *client = user_data;

  g_atomic_int_inc (&client->frames);
  return GST_PAD_PROBE_OK;
}

static void
on_sub_pad_added (GstElement *webrtcbin, GstPad *pad, Client *client)
{
  const char *chain = g_str_equal (client->fixture->codec, "h264")
                          ? "queue ! rtph264depay ! avdec_h264 ! fakesink name=sink sync=false"
                          : "queue ! rtpvp8depay ! vp8dec ! fakesink name=sink sync=false";
  g_autoptr (GError) error = NULL;
  GstElement *bin;
  g_autoptr (GstPad) sink = NULL;
  g_autoptr (GstElement) fakesink = NULL;
  g_autoptr (GstPad) fakesink_pad = NULL;
  g_autofree char *msid = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  g_object_get (pad, "msid", &msid, NULL);
  g_assert_cmpstr (msid, ==, "PA_pub|TR_video");

  bin = gst_parse_bin_from_description (chain, TRUE, &error);
  g_assert_no_error (error);
  gst_bin_add (GST_BIN (client->pipeline), bin);
  gst_element_sync_state_with_parent (bin);
  sink = gst_element_get_static_pad (bin, "sink");
  g_assert_cmpint (gst_pad_link (pad, sink), ==, GST_PAD_LINK_OK);
  fakesink = gst_bin_get_by_name (GST_BIN (bin), "sink");
  fakesink_pad = gst_element_get_static_pad (fakesink, "sink");
  gst_pad_add_probe (fakesink_pad, GST_PAD_PROBE_TYPE_BUFFER, count_frame, client, NULL);
}

typedef struct
{
  Client *client;
  char *sdp;
} AnswerMsg;

static gboolean
deliver_answer_to_sfu (gpointer data)
{
  AnswerMsg *m = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (bc_sfu_peer_handle_answer (m->client->peer, m->sdp, &error));
  g_assert_no_error (error);
  g_free (m->sdp);
  g_free (m);
  return G_SOURCE_REMOVE;
}

static void
on_sub_answer_created (GstPromise *promise, gpointer user_data)
{
  Client *client = user_data;
  GstWebRTCSessionDescription *answer = NULL;
  AnswerMsg *m;

  g_assert_cmpint (gst_promise_wait (promise), ==, GST_PROMISE_RESULT_REPLIED);
  gst_structure_get (gst_promise_get_reply (promise), "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION,
                     &answer, NULL);
  gst_promise_unref (promise);
  g_assert_nonnull (answer);
  g_signal_emit_by_name (client->webrtcbin, "set-local-description", answer, NULL);
  m = g_new0 (AnswerMsg, 1);
  m->client = client;
  m->sdp = gst_sdp_message_as_text (answer->sdp);
  gst_webrtc_session_description_free (answer);
  g_idle_add (deliver_answer_to_sfu, m);
}

static void
on_sub_remote_set (GstPromise *promise, gpointer user_data)
{
  Client *client = user_data;
  GstPromise *next;

  gst_promise_unref (promise);
  next = gst_promise_new_with_change_func (on_sub_answer_created, client, NULL);
  g_signal_emit_by_name (client->webrtcbin, "create-answer", NULL, next);
}

static void
on_sfu_offer (BcSfuPeer *peer, const char *type, const char *sdp, guint id, Client *client)
{
  GstSDPMessage *message = NULL;
  GstWebRTCSessionDescription *desc;
  GstPromise *promise;

  g_assert_cmpstr (type, ==, "offer");
  g_free (client->last_offer);
  client->last_offer = g_strdup (sdp);
  g_assert_cmpint (gst_sdp_message_new_from_text (sdp, &message), ==, GST_SDP_OK);
  desc = gst_webrtc_session_description_new (GST_WEBRTC_SDP_TYPE_OFFER, message);
  promise = gst_promise_new_with_change_func (on_sub_remote_set, client, NULL);
  g_signal_emit_by_name (client->webrtcbin, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);
}

static void
start_subscriber (Fixture *fixture, Client *client, const char *name)
{
  client->fixture = fixture;
  client->pipeline = gst_pipeline_new (name);
  client->webrtcbin = gst_element_factory_make ("webrtcbin", NULL);
  g_object_set (client->webrtcbin, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  gst_bin_add (GST_BIN (client->pipeline), gst_object_ref (client->webrtcbin));
  restrict_to_loopback (client->webrtcbin);
  g_signal_connect (client->webrtcbin, "pad-added", G_CALLBACK (on_sub_pad_added), client);
  g_signal_connect (client->webrtcbin, "on-ice-candidate", G_CALLBACK (on_client_candidate),
                    client);
  gst_element_set_state (client->pipeline, GST_STATE_PLAYING);

  client->peer = bc_sfu_peer_new (fixture->relay, BC_SFU_PEER_SUBSCRIBER, name);
  g_signal_connect (client->peer, "local-description", G_CALLBACK (on_sfu_offer), client);
  g_signal_connect (client->peer, "ice-candidate", G_CALLBACK (on_sfu_candidate), client);
}

static void
stop_client (Client *client)
{
  if (client->peer != NULL)
    bc_sfu_peer_close (client->peer);
  g_clear_object (&client->peer);
  gst_element_set_state (client->pipeline, GST_STATE_NULL);
  gst_clear_object (&client->webrtcbin);
  gst_clear_object (&client->pipeline);
  g_clear_pointer (&client->last_offer, g_free);
}

static gboolean
check_progress (gpointer data)
{
  Fixture *fixture = data;
  Client *first = &fixture->subscribers[0];
  Client *late = &fixture->subscribers[1];

  if (late->peer == NULL && g_atomic_int_get (&first->frames) >= 30)
    {
      GPtrArray *tracks = bc_sfu_peer_get_tracks (fixture->publisher.peer);

      g_assert_cmpuint (tracks->len, ==, 1);
      start_subscriber (fixture, late, "PA_late");
      bc_sfu_peer_add_track (late->peer, g_ptr_array_index (tracks, 0), "PA_pub|TR_video",
                             "TR_video");
      bc_sfu_peer_negotiate (late->peer);
    }
  if (late->peer != NULL && g_atomic_int_get (&late->frames) >= 30)
    {
      g_main_loop_quit (fixture->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer data)
{
  Fixture *fixture = data;

  g_error ("Timed out: first subscriber %d frames, late subscriber %d frames",
           g_atomic_int_get (&fixture->subscribers[0].frames),
           g_atomic_int_get (&fixture->subscribers[1].frames));
  return G_SOURCE_REMOVE;
}

static void
run_relay (const char *codec)
{
  const char *loopback[] = { "127.0.0.1", NULL };
  Fixture fixture = { 0 };
  guint timeout;

  fixture.codec = codec;
  fixture.loop = g_main_loop_new (NULL, FALSE);
  fixture.relay = bc_sfu_relay_new ("test-room", loopback);
  start_subscriber (&fixture, &fixture.subscribers[0], "PA_first");
  start_publisher (&fixture);

  g_timeout_add (50, check_progress, &fixture);
  timeout = g_timeout_add_seconds (90, on_timeout, &fixture);
  g_main_loop_run (fixture.loop);
  g_source_remove (timeout);

  /* LiveKit's packed stream id, at media level and at ssrc level. */
  g_assert_nonnull (strstr (fixture.subscribers[0].last_offer, "a=msid:PA_pub|TR_video TR_video"));
  g_assert_nonnull (strstr (fixture.subscribers[0].last_offer, " msid:PA_pub|TR_video TR_video"));
  /* Lost packets can be asked for again. */
  g_assert_nonnull (strstr (fixture.subscribers[0].last_offer, "rtx/90000"));
  g_assert_nonnull (strstr (fixture.subscribers[0].last_offer, "nack"));
  g_assert_cmpuint (bc_sfu_track_get_packets (
                        g_ptr_array_index (bc_sfu_peer_get_tracks (fixture.publisher.peer), 0)),
                    >, 0);

  stop_client (&fixture.subscribers[1]);
  stop_client (&fixture.subscribers[0]);
  stop_client (&fixture.publisher);
  g_clear_object (&fixture.relay);
  g_main_loop_unref (fixture.loop);
}

static void
test_relay_vp8 (void)
{
  run_relay ("vp8");
}

static void
test_relay_h264 (void)
{
  run_relay ("h264");
}

int
main (int argc, char **argv)
{
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_test_add_func ("/sfu/relay/vp8", test_relay_vp8);
  g_test_add_func ("/sfu/relay/h264", test_relay_h264);
  ret = g_test_run ();
  /* OpenSSL's exit-time cleanup sometimes double-frees state that
   * GStreamer's DTLS elements left behind; the tests are over by now. */
  fflush (stdout);
  _exit (ret);
}
