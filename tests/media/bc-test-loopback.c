#include "config.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <nice.h>

#include "bc-test-loopback.h"

static void
restrict_to_loopback (GstElement *webrtc)
{
  g_autoptr (GObject) ice = NULL;
  NiceAgent *agent = NULL;
  NiceAddress address;

  /* libnice skips loopback unless told to use it (platform notes §2). */
  g_object_get (webrtc, "ice-agent", &ice, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  nice_address_init (&address);
  nice_address_set_from_string (&address, "127.0.0.1");
  nice_agent_add_local_address (agent, &address);
  /* No UPnP: its SSDP search would leave loopback, and its listener can
   * collide with another test's port. */
  g_object_set (agent, "upnp", FALSE, NULL);
  g_object_unref (agent);
}

typedef struct
{
  guint mline;
  char *candidate;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *c = data;

  g_free (c->candidate);
  g_free (c);
}

static void
add_candidate (Loopback *t, int to, guint mline, const char *candidate)
{
  GstElement *target = to == 0 ? t->send : t->recv;

  if (!t->have_remote[to])
    {
      Candidate *c = g_new0 (Candidate, 1);

      c->mline = mline;
      c->candidate = g_strdup (candidate);
      g_ptr_array_add (t->pending_candidates[to], c);
      return;
    }
  g_signal_emit_by_name (target, "add-ice-candidate", mline, candidate);
}

static void
flush_candidates (Loopback *t, int to)
{
  t->have_remote[to] = TRUE;
  for (guint i = 0; i < t->pending_candidates[to]->len; i++)
    {
      Candidate *c = g_ptr_array_index (t->pending_candidates[to], i);

      add_candidate (t, to, c->mline, c->candidate);
    }
  g_ptr_array_set_size (t->pending_candidates[to], 0);
}

static void
on_send_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer user_data)
{
  add_candidate (user_data, 1, mline, candidate);
}

static void
on_recv_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer user_data)
{
  add_candidate (user_data, 0, mline, candidate);
}

static GstWebRTCSessionDescription *
await_description (GstPromise *promise, const char *field)
{
  const GstStructure *reply;
  GstWebRTCSessionDescription *desc = NULL;

  g_assert_cmpint (gst_promise_wait (promise), ==, GST_PROMISE_RESULT_REPLIED);
  reply = gst_promise_get_reply (promise);
  gst_structure_get (reply, field, GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &desc, NULL);
  g_assert_nonnull (desc);
  return desc;
}

/* Offer/answer in the main thread, one step after the other. */
static gboolean
negotiate (gpointer user_data)
{
  Loopback *t = user_data;
  GstPromise *promise;
  GstWebRTCSessionDescription *offer, *answer;

  promise = gst_promise_new ();
  g_signal_emit_by_name (t->send, "create-offer", NULL, promise);
  offer = await_description (promise, "offer");
  gst_promise_unref (promise);

  g_signal_emit_by_name (t->send, "set-local-description", offer, NULL);
  promise = gst_promise_new ();
  g_signal_emit_by_name (t->recv, "set-remote-description", offer, promise);
  gst_promise_wait (promise);
  gst_promise_unref (promise);
  flush_candidates (t, 1);

  promise = gst_promise_new ();
  g_signal_emit_by_name (t->recv, "create-answer", NULL, promise);
  answer = await_description (promise, "answer");
  gst_promise_unref (promise);

  g_signal_emit_by_name (t->recv, "set-local-description", answer, NULL);
  promise = gst_promise_new ();
  g_signal_emit_by_name (t->send, "set-remote-description", answer, promise);
  gst_promise_wait (promise);
  gst_promise_unref (promise);
  flush_candidates (t, 0);

  gst_webrtc_session_description_free (offer);
  gst_webrtc_session_description_free (answer);
  return G_SOURCE_REMOVE;
}

static void
on_negotiation_needed (GstElement *webrtc, gpointer user_data)
{
  Loopback *t = user_data;

  /* Emitted from a webrtcbin thread; the promises are awaited elsewhere. */
  g_idle_add (negotiate, t);
}

static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer user_data)
{
  Loopback *t = user_data;
  g_autoptr (GError) error = NULL;
  BcTrackReceiver *receiver;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;
  /* This is all the glue a pad-added handler needs. */
  receiver = bc_track_receiver_new_for_pad (pad, &error);
  g_assert_no_error (error);
  g_ptr_array_add (t->receivers, receiver);
}

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  Loopback *t = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &t->error, &debug);
      g_printerr ("# pipeline error: %s (%s)\n", t->error->message, debug);
      g_main_loop_quit (t->loop);
    }
  return G_SOURCE_CONTINUE;
}

BcFrameSink *
video_sink (Loopback *t)
{
  for (guint i = 0; i < t->receivers->len; i++)
    {
      BcTrackReceiver *r = g_ptr_array_index (t->receivers, i);

      if (bc_track_receiver_get_kind (r) == BC_TRACK_KIND_VIDEO)
        return bc_track_receiver_get_frame_sink (r);
    }
  return NULL;
}

static gboolean
on_poll (gpointer user_data)
{
  Loopback *t = user_data;
  BcFrameSink *sink = video_sink (t);

  if (sink != NULL && bc_frame_sink_get_n_frames (sink) >= t->wanted_frames)
    g_main_loop_quit (t->loop);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  Loopback *t = user_data;

  g_main_loop_quit (t->loop);
  return G_SOURCE_REMOVE;
}

static void
add_track (Loopback *t, GstElement *bin, GstCaps *caps)
{
  GstWebRTCRTPTransceiver *transceiver = NULL;
  g_autoptr (GstPad) src = gst_element_get_static_pad (bin, "src");
  g_autoptr (GstPad) sink = NULL;

  gst_bin_add (GST_BIN (t->pipeline), bin);
  sink = gst_element_request_pad_simple (t->send, "sink_%u");
  g_object_get (sink, "transceiver", &transceiver, NULL);
  g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                "codec-preferences", caps, NULL);
  gst_object_unref (transceiver);
  g_assert_cmpint (gst_pad_link (src, sink), ==, GST_PAD_LINK_OK);
}

void
loopback_run (
    Loopback *t, BcVideoCodec codec, gboolean with_audio, int width, int height, guint bitrate)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstBus) bus = NULL;
  guint watch, poll, timeout;

  t->loop = g_main_loop_new (NULL, FALSE);
  t->receivers = g_ptr_array_new_with_free_func (g_object_unref);
  t->pending_candidates[0] = g_ptr_array_new_with_free_func (candidate_free);
  t->pending_candidates[1] = g_ptr_array_new_with_free_func (candidate_free);
  t->pipeline = gst_pipeline_new (NULL);
  t->send = gst_element_factory_make ("webrtcbin", "send");
  t->recv = gst_element_factory_make ("webrtcbin", "recv");
  g_assert_nonnull (t->send);
  gst_util_set_object_arg (G_OBJECT (t->send), "bundle-policy", "max-bundle");
  gst_util_set_object_arg (G_OBJECT (t->recv), "bundle-policy", "max-bundle");
  /* What the viewer glue does with the media layer's jitter setting. */
  g_object_set (t->recv, "latency", bc_media_get_jitter_latency_ms (), NULL);
  gst_bin_add_many (GST_BIN (t->pipeline), t->send, t->recv, NULL);
  restrict_to_loopback (t->send);
  restrict_to_loopback (t->recv);

  t->video =
      g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, &error, "codec", codec, "width", width, "height",
                      height, "bitrate", bitrate, "stamp-capture-time", TRUE, NULL);
  g_assert_no_error (error);
  caps = bc_video_source_get_rtp_caps (t->video);
  add_track (t, bc_video_source_get_element (t->video), caps);
  if (with_audio)
    {
      g_autoptr (GstCaps) audio_caps = NULL;

      t->audio = bc_audio_source_new (TRUE, &error);
      g_assert_no_error (error);
      audio_caps = bc_audio_source_get_rtp_caps (t->audio);
      add_track (t, bc_audio_source_get_element (t->audio), audio_caps);
    }

  g_signal_connect (t->send, "on-negotiation-needed", G_CALLBACK (on_negotiation_needed), t);
  g_signal_connect (t->send, "on-ice-candidate", G_CALLBACK (on_send_candidate), t);
  g_signal_connect (t->recv, "on-ice-candidate", G_CALLBACK (on_recv_candidate), t);
  g_signal_connect (t->recv, "pad-added", G_CALLBACK (on_pad_added), t);

  bus = gst_element_get_bus (t->pipeline);
  watch = gst_bus_add_watch (bus, on_bus_message, t);
  poll = g_timeout_add (20, on_poll, t);
  timeout = g_timeout_add_seconds (LOOPBACK_TIMEOUT_S, on_timeout, t);
  t->start_time = g_get_real_time ();
  g_assert_cmpint (gst_element_set_state (t->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
  g_main_loop_run (t->loop);
  g_source_remove (watch);
  g_source_remove (poll);
  g_source_remove (timeout);
}

void
loopback_clear (Loopback *t)
{
  gst_element_set_state (t->pipeline, GST_STATE_NULL);
  g_clear_pointer (&t->receivers, g_ptr_array_unref);
  g_clear_pointer (&t->pending_candidates[0], g_ptr_array_unref);
  g_clear_pointer (&t->pending_candidates[1], g_ptr_array_unref);
  g_clear_object (&t->video);
  g_clear_object (&t->audio);
  g_clear_pointer (&t->pipeline, gst_object_unref);
  g_clear_pointer (&t->loop, g_main_loop_unref);
  g_clear_error (&t->error);
}
