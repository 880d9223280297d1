/* bc-lk-peer.c: one LiveKit peer connection on webrtcbin
 *
 * The peer owns a pipeline holding one webrtcbin and its bus watch. webrtcbin
 * calls back from its own threads; everything that touches our state is
 * marshalled to the main context the peer was created in. The one exception
 * is ::track, which must run in the streaming thread so the receiver can link
 * the pad before data flows.
 */
#define G_LOG_DOMAIN "bc-livekit"

#include "config.h"

#include "bc-context-post.h"

#include "bc-lk-peer.h"

#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <malloc.h>
#include <nice/agent.h>
#include <string.h>

#include "bc-lk-dtls-key-private.h"
#include "bc-lk-error.h"
#include "bc-lk-util.h"

typedef struct
{
  char *cid;
  char *sdp_track_id; /* the transceiver's name, which webrtcbin writes */
  GstElement *source;
  GstPad *sinkpad;
  gulong caps_probe;
  GstCaps *caps; /* the last caps event seen, under caps_lock */
  gulong hold_probe;
  guint hold_until; /* media waits for an answer to an offer after this one */
} PeerTrack;

/* A webrtcbin sink pad whose track was removed, kept with its transceiver
 * (now inactive) for the next track of the same kind and codec. */
typedef struct
{
  GstPad *sinkpad;
  char *sdp_track_id;
  GstCaps *caps;        /* what its last source sent, without the stream's own fields */
  guint inactive_offer; /* the first offer that showed it inactive, or 0 */
  gboolean negotiated;  /* an answer to such an offer is in place */
} IdlePad;

struct _BcLkPeer
{
  GObject parent_instance;

  BcLkPeerRole role;
  gboolean loopback_only;
  gboolean relay_only;
  GMainContext *context;

  GstElement *pipeline;
  GstElement *webrtc;
  guint bus_watch;
  gboolean started;
  gboolean closed;
  BcLkPeerState state;

  GPtrArray *tracks; /* PeerTrack */
  GPtrArray *idle;   /* IdlePad */
  guint cid_serial;
  GStrv inactive_mids; /* the idle sections the latest offer showed inactive */
  GPtrArray *channels; /* GstWebRTCDataChannel */

  /* Publisher negotiation */
  gboolean want_offer;
  gboolean want_ice_restart;
  gboolean offer_in_flight;
  guint offer_id;
  guint retry_offer_id;

  /* Subscriber negotiation */
  gboolean answering;
  char *pending_offer;
  guint pending_offer_id;

  /* What was sent last: for candidates' sdpMid and for SyncState. */
  char *local_sdp;
  char *local_type;
  guint local_id;
  gboolean sdp_sent;
  GPtrArray *local_candidates; /* JSON strings held until the SDP is sent */

  GMutex sdp_lock; /* remote_sdp is also read from streaming threads */
  char *remote_sdp;
  gboolean remote_set;
  GPtrArray *remote_candidates; /* JSON strings held until the remote SDP is set */
};

G_DEFINE_FINAL_TYPE (BcLkPeer, bc_lk_peer, G_TYPE_OBJECT)

enum
{
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_LOCAL_CANDIDATE,
  SIGNAL_STATE_CHANGED,
  SIGNAL_TRACK,
  SIGNAL_ERROR,
  SIGNAL_ANSWER_APPLIED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* PeerTrack.caps is written from streaming threads. */
static GMutex caps_lock;

static void try_offer (BcLkPeer *self);
static void process_offer (BcLkPeer *self, char *sdp, guint id);

static void
peer_track_free (PeerTrack *track)
{
  if (track->caps_probe != 0 && track->sinkpad != NULL)
    gst_pad_remove_probe (track->sinkpad, track->caps_probe);
  if (track->hold_probe != 0 && track->sinkpad != NULL)
    gst_pad_remove_probe (track->sinkpad, track->hold_probe);
  g_clear_object (&track->sinkpad);
  g_clear_object (&track->source);
  g_clear_pointer (&track->caps, gst_caps_unref);
  g_free (track->cid);
  g_free (track->sdp_track_id);
  g_free (track);
}

static void
idle_pad_free (IdlePad *idle)
{
  g_clear_object (&idle->sinkpad);
  g_free (idle->sdp_track_id);
  g_clear_pointer (&idle->caps, gst_caps_unref);
  g_free (idle);
}

/* ------------------------------------------------------------------------ */
/* Running things on the peer's main context */

typedef struct
{
  BcLkPeer *self;
  void (*func) (BcLkPeer *self, gpointer data);
  gpointer data;
  GDestroyNotify destroy;
} Invocation;

static gboolean
invocation_run (gpointer user_data)
{
  Invocation *inv = user_data;

  if (!inv->self->closed)
    inv->func (inv->self, inv->data);
  return G_SOURCE_REMOVE;
}

static void
invocation_free (gpointer user_data)
{
  Invocation *inv = user_data;

  if (inv->destroy != NULL && inv->data != NULL)
    inv->destroy (inv->data);
  g_object_unref (inv->self);
  g_free (inv);
}

static void
invoke (BcLkPeer *self,
        void (*func) (BcLkPeer *self, gpointer data),
        gpointer data,
        GDestroyNotify destroy)
{
  Invocation *inv = g_new0 (Invocation, 1);

  inv->self = g_object_ref (self);
  inv->func = func;
  inv->data = data;
  inv->destroy = destroy;
  bc_context_post (self->context, invocation_run, inv, invocation_free, NULL);
}

/* SDP for debug logs, without the ICE password. */
static char *
sdp_for_log (const char *sdp)
{
  g_auto (GStrv) lines = g_strsplit (sdp != NULL ? sdp : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], "a=ice-pwd:"))
      {
        g_free (lines[i]);
        lines[i] = g_strdup ("a=ice-pwd:(hidden)\r");
      }
  return g_strjoinv ("\n", lines);
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
bc_lk_peer_dispose (GObject *object)
{
  BcLkPeer *self = BC_LK_PEER (object);

  bc_lk_peer_close (self);
  g_clear_pointer (&self->tracks, g_ptr_array_unref);
  g_clear_pointer (&self->idle, g_ptr_array_unref);
  g_clear_pointer (&self->channels, g_ptr_array_unref);
  g_clear_object (&self->webrtc);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (bc_lk_peer_parent_class)->dispose (object);
}

static void
bc_lk_peer_finalize (GObject *object)
{
  BcLkPeer *self = BC_LK_PEER (object);

  g_free (self->pending_offer);
  g_strfreev (self->inactive_mids);
  g_free (self->local_sdp);
  g_free (self->local_type);
  g_free (self->remote_sdp);
  g_mutex_clear (&self->sdp_lock);
  g_ptr_array_unref (self->local_candidates);
  g_ptr_array_unref (self->remote_candidates);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (bc_lk_peer_parent_class)->finalize (object);
}

static void
bc_lk_peer_class_init (BcLkPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_lk_peer_dispose;
  object_class->finalize = bc_lk_peer_finalize;

  /**
   * BcLkPeer::local-description:
   * @type: "offer" or "answer"
   * @sdp: the SDP to send
   * @id: the offer id (publisher) or the id of the offer answered
   *
   * Send this to the server now; local candidates follow after it.
   */
  signals[SIGNAL_LOCAL_DESCRIPTION] =
      g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT);

  /**
   * BcLkPeer::local-candidate:
   * @candidate_init: RTCIceCandidateInit JSON, for a TrickleRequest
   */
  signals[SIGNAL_LOCAL_CANDIDATE] =
      g_signal_new ("local-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  /**
   * BcLkPeer::state-changed:
   * @state: the new #BcLkPeerState
   */
  signals[SIGNAL_STATE_CHANGED] =
      g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_INT);

  /**
   * BcLkPeer::track:
   * @pad: the webrtcbin src pad producing RTP of one remote track
   * @msid: the stream id the server gave it ("PA_xxx|TR_yyy"), or NULL
   * @mid: the media section's mid, or NULL
   *
   * Emitted from a streaming thread. Link @pad before returning (add
   * elements to bc_lk_peer_get_bin()); a pad left unlinked is sent to a
   * fakesink.
   */
  signals[SIGNAL_TRACK] =
      g_signal_new ("track", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                    G_TYPE_NONE, 3, GST_TYPE_PAD, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * BcLkPeer::error:
   * @error: what went wrong in the pipeline
   */
  signals[SIGNAL_ERROR] = g_signal_new ("error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);

  /**
   * BcLkPeer::answer-applied:
   * @id: the id of the publisher's offer the server answered
   *
   * The server's answer to the latest offer is in place: every track added
   * before that offer was made is now negotiated.
   */
  signals[SIGNAL_ANSWER_APPLIED] =
      g_signal_new ("answer-applied", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_UINT);
}

static void
bc_lk_peer_init (BcLkPeer *self)
{
  self->context = g_main_context_ref_thread_default ();
  g_mutex_init (&self->sdp_lock);
  self->tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) peer_track_free);
  self->idle = g_ptr_array_new_with_free_func ((GDestroyNotify) idle_pad_free);
  self->channels = g_ptr_array_new_with_free_func (g_object_unref);
  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  self->remote_candidates = g_ptr_array_new_with_free_func (g_free);
}

/* ------------------------------------------------------------------------ */
/* Bus, state */

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  BcLkPeer *self = BC_LK_PEER (user_data);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) gerror = NULL;
        g_autofree char *debug = NULL;
        g_autoptr (GError) error = NULL;

        gst_message_parse_error (message, &gerror, &debug);
        g_debug ("Pipeline error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
                 gerror->message, debug != NULL ? debug : "");
        error = g_error_new (BC_LK_ERROR, BC_LK_ERROR_MEDIA, "Media error: %s", gerror->message);
        g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
        break;
      }
    case GST_MESSAGE_WARNING:
      {
        g_autoptr (GError) gerror = NULL;

        gst_message_parse_warning (message, &gerror, NULL);
        g_debug ("Pipeline warning: %s", gerror->message);
        break;
      }
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
set_state (BcLkPeer *self, BcLkPeerState state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (int) state);
}

static void
update_connection_state (BcLkPeer *self, gpointer data)
{
  GstWebRTCPeerConnectionState pcs;

  if (self->webrtc == NULL)
    return;
  g_object_get (self->webrtc, "connection-state", &pcs, NULL);
  switch (pcs)
    {
    case GST_WEBRTC_PEER_CONNECTION_STATE_NEW:
      set_state (self, BC_LK_PEER_STATE_NEW);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTING:
      set_state (self, BC_LK_PEER_STATE_CONNECTING);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED:
      set_state (self, BC_LK_PEER_STATE_CONNECTED);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_DISCONNECTED:
      set_state (self, BC_LK_PEER_STATE_DISCONNECTED);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_FAILED:
      set_state (self, BC_LK_PEER_STATE_FAILED);
      break;
    case GST_WEBRTC_PEER_CONNECTION_STATE_CLOSED:
      set_state (self, BC_LK_PEER_STATE_CLOSED);
      break;
    }
}

static void
on_connection_state (GObject *webrtc, GParamSpec *pspec, gpointer user_data)
{
  invoke (BC_LK_PEER (user_data), update_connection_state, NULL, NULL);
}

/* ------------------------------------------------------------------------ */
/* Candidates */

static void
emit_local_candidate (BcLkPeer *self, const char *json)
{
  g_signal_emit (self, signals[SIGNAL_LOCAL_CANDIDATE], 0, json);
}

typedef struct
{
  guint mline;
  char *candidate;
} LocalCandidate;

static void
local_candidate_free (gpointer data)
{
  LocalCandidate *c = data;

  g_free (c->candidate);
  g_free (c);
}

static void
handle_local_candidate (BcLkPeer *self, gpointer data)
{
  LocalCandidate *c = data;
  g_autofree char *mid = NULL;
  g_autofree char *json = NULL;

  if (c->candidate == NULL || *c->candidate == '\0')
    return;
  if (!self->sdp_sent)
    {
      /* mid comes from the local SDP, resolved when it is sent. */
      g_ptr_array_add (self->local_candidates, g_strdup_printf ("%u %s", c->mline, c->candidate));
      return;
    }
  mid = self->local_sdp != NULL ? bc_lk_sdp_get_mid (self->local_sdp, c->mline) : NULL;
  json = bc_lk_candidate_to_json (c->candidate, mid, c->mline);
  emit_local_candidate (self, json);
}

static void
on_ice_candidate (GstElement *webrtc, guint mline, const char *candidate, gpointer user_data)
{
  LocalCandidate *c = g_new0 (LocalCandidate, 1);

  c->mline = mline;
  c->candidate = g_strdup (candidate);
  invoke (BC_LK_PEER (user_data), handle_local_candidate, c, local_candidate_free);
}

static void
flush_local_candidates (BcLkPeer *self)
{
  g_autoptr (GPtrArray) queued = g_steal_pointer (&self->local_candidates);

  self->local_candidates = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < queued->len; i++)
    {
      const char *entry = g_ptr_array_index (queued, i);
      char *end = NULL;
      guint mline = (guint) g_ascii_strtoull (entry, &end, 10);
      g_autofree char *mid = bc_lk_sdp_get_mid (self->local_sdp, mline);
      g_autofree char *json = bc_lk_candidate_to_json (end + 1, mid, mline);

      emit_local_candidate (self, json);
    }
}

static void
apply_remote_candidate (BcLkPeer *self, const char *json)
{
  g_autofree char *candidate = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GError) error = NULL;
  int mline = -1;

  if (!bc_lk_candidate_from_json (json, &candidate, &mid, &mline, &error))
    {
      g_message ("%s", error->message);
      return;
    }
  if (*candidate == '\0')
    return;
  if (mid != NULL && self->remote_sdp != NULL)
    {
      int found = bc_lk_sdp_find_mid (self->remote_sdp, mid);

      if (found >= 0)
        mline = found;
    }
  if (mline < 0)
    mline = 0;
  g_signal_emit_by_name (self->webrtc, "add-ice-candidate", (guint) mline, candidate);
}

void
bc_lk_peer_add_ice_candidate (BcLkPeer *self, const char *candidate_init)
{
  g_return_if_fail (BC_IS_LK_PEER (self));

  if (self->closed)
    return;
  if (!self->remote_set)
    {
      g_ptr_array_add (self->remote_candidates, g_strdup (candidate_init));
      return;
    }
  apply_remote_candidate (self, candidate_init);
}

static void
flush_remote_candidates (BcLkPeer *self)
{
  g_autoptr (GPtrArray) queued = g_steal_pointer (&self->remote_candidates);

  self->remote_candidates = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < queued->len; i++)
    apply_remote_candidate (self, g_ptr_array_index (queued, i));
}

/* ------------------------------------------------------------------------ */
/* Tracks */

static void
on_pad_added (GstElement *webrtc, GstPad *pad, gpointer user_data)
{
  BcLkPeer *self = BC_LK_PEER (user_data);
  g_autofree char *msid = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  g_object_get (pad, "msid", &msid, "transceiver", &transceiver, NULL);
  if (transceiver != NULL)
    g_object_get (transceiver, "mid", &mid, NULL);
  if (msid == NULL || strchr (msid, '|') == NULL)
    {
      /* webrtcbin 1.22 only reads a=ssrc msid; an offer with the
       * media-level a=msid only still names the track. */
      char *from_sdp;

      g_mutex_lock (&self->sdp_lock);
      from_sdp = bc_lk_sdp_get_stream_id_for_mid (self->remote_sdp, mid);
      g_mutex_unlock (&self->sdp_lock);
      if (from_sdp != NULL)
        {
          g_free (msid);
          msid = from_sdp;
        }
    }
  g_debug ("Remote track pad %s (msid %s, mid %s)", GST_PAD_NAME (pad), msid, mid);

  g_signal_emit (self, signals[SIGNAL_TRACK], 0, pad, msid, mid);

  if (!gst_pad_is_linked (pad))
    {
      GstElement *sink = gst_element_factory_make ("fakesink", NULL);
      g_autoptr (GstPad) sinkpad = NULL;

      g_object_set (sink, "async", FALSE, "sync", FALSE, NULL);
      gst_bin_add (GST_BIN (self->pipeline), sink);
      sinkpad = gst_element_get_static_pad (sink, "sink");
      gst_pad_link (pad, sinkpad);
      gst_element_sync_state_with_parent (sink);
    }
}

static void
track_got_caps (BcLkPeer *self, gpointer data)
{
  try_offer (self);
}

static GstPadProbeReturn
on_sink_event (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PeerTrack *track = user_data;
  GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);

  if (GST_EVENT_TYPE (event) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  /* The PeerTrack outlives the probe: it is removed before the track is freed. */
  g_mutex_lock (&caps_lock);
  {
    GstCaps *caps = NULL;

    gst_event_parse_caps (event, &caps);
    gst_caps_replace (&track->caps, caps);
  }
  g_mutex_unlock (&caps_lock);
  {
    BcLkPeer *self = g_object_get_data (G_OBJECT (pad), "bc-lk-peer");

    if (self != NULL)
      invoke (self, track_got_caps, NULL, NULL);
  }
  return GST_PAD_PROBE_OK;
}

/* Takes an idle sink pad for a source of this kind and codec, once the
 * server has answered an offer that showed its section inactive (so the
 * server never sees one section change tracks within one offer). The new
 * track comes with a new SSRC and msid track id on that mid: pion, under
 * livekit-server, then replaces the mid's receiver (configureRTPReceivers:
 * a receiver whose SSRC is no longer described is stopped) and matches the
 * new track to its AddTrack by the track id, as the built-in SFU does. Its
 * m-section then carries the new track: the SDP does not grow and webrtcbin
 * makes no new transceiver, RTP chain and transport elements, which it keeps
 * for the lifetime of the connection (GStreamer 1.22 cannot remove a
 * transceiver). */
static GstPad *
take_idle_pad (BcLkPeer *self, GstPad *srcpad)
{
  g_autoptr (GstCaps) can_send = NULL;

  /* Off unless BC_LK_REUSE_SECTIONS=1: through bountycam-server, a viewer
   * that watches while a track on a reused section is unpublished and
   * published again within milliseconds, many times over, can be left
   * without the last track (slower republishing works); until that is
   * understood every track gets a new section, as before. */
  if (self->idle->len == 0 || g_strcmp0 (g_getenv ("BC_LK_REUSE_SECTIONS"), "1") != 0)
    return NULL;
  /* The same media, codec and payload type as the section was negotiated
   * with: what the source can send must include its last source's caps. */
  can_send = gst_pad_query_caps (srcpad, NULL);
  for (guint i = 0; i < self->idle->len; i++)
    {
      IdlePad *idle = g_ptr_array_index (self->idle, i);
      GstPad *pad;

      if (!idle->negotiated || !gst_caps_can_intersect (can_send, idle->caps))
        continue;
      pad = g_steal_pointer (&idle->sinkpad);
      g_ptr_array_remove_index (self->idle, i);
      return pad;
    }
  return NULL;
}

static GstPadProbeReturn
hold_media (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  return GST_PAD_PROBE_OK;
}

static void
release_held_media (BcLkPeer *self, PeerTrack *track)
{
  if (track->hold_probe == 0)
    return;
  gst_pad_remove_probe (track->sinkpad, track->hold_probe);
  track->hold_probe = 0;
}

char *
bc_lk_peer_add_track (BcLkPeer *self, GstElement *rtp_source, const char *stream_id, GError **error)
{
  g_autoptr (GstPad) srcpad = NULL;
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  PeerTrack *track;
  gboolean reused = FALSE;

  g_return_val_if_fail (BC_IS_LK_PEER (self), NULL);
  g_return_val_if_fail (GST_IS_ELEMENT (rtp_source), NULL);

  if (self->role != BC_LK_PEER_PUBLISHER || self->closed)
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                           "Tracks can only be added to an open publisher connection");
      return NULL;
    }
  srcpad = gst_element_get_static_pad (rtp_source, "src");
  if (srcpad == NULL)
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                           "The media source has no “src” pad");
      return NULL;
    }

  track = g_new0 (PeerTrack, 1);
  track->source = gst_object_ref_sink (rtp_source);
  gst_bin_add (GST_BIN (self->pipeline), rtp_source);
  track->sinkpad = take_idle_pad (self, srcpad);
  if (track->sinkpad != NULL)
    {
      reused = TRUE;
      /* In case it was deactivated when its last source stopped. */
      gst_pad_set_active (track->sinkpad, TRUE);
      /* webrtcbin holds a new pad's media until its section is negotiated;
       * a reused pad is already linked inside, so hold the media here:
       * packets with an SSRC no answered offer announced yet would reach a
       * server that cannot tell which track they belong to. */
      track->hold_until = self->offer_id;
      track->hold_probe = gst_pad_add_probe (track->sinkpad,
                                             GST_PAD_PROBE_TYPE_BLOCK | GST_PAD_PROBE_TYPE_BUFFER |
                                                 GST_PAD_PROBE_TYPE_BUFFER_LIST,
                                             hold_media, NULL, NULL);
    }
  else
    track->sinkpad = gst_element_request_pad_simple (self->webrtc, "sink_%u");
  if (stream_id != NULL)
    g_object_set (track->sinkpad, "msid", stream_id, NULL);
  g_object_get (track->sinkpad, "transceiver", &transceiver, NULL);
  g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY, NULL);
  /* webrtcbin 1.22 writes the transceiver's name as the msid track id
   * (a=ssrc:N msid:<stream> <name>), and the server matches AddTrack's cid
   * against that track id. A reused section gets a new track id, as a
   * browser's track would have, so that the server cannot take the new track
   * for the old one; the offer sent carries it in place of the name. */
  track->sdp_track_id = g_strdup (GST_OBJECT_NAME (transceiver));
  if (reused)
    track->cid = g_strdup_printf ("%s-%u", track->sdp_track_id, ++self->cid_serial);
  else
    track->cid = g_strdup (track->sdp_track_id);
  g_debug ("Track %s on %s transceiver %s", track->cid, reused ? "a reused" : "a new",
           track->sdp_track_id);
  g_object_set_data (G_OBJECT (track->sinkpad), "bc-lk-peer", self);
  track->caps_probe = gst_pad_add_probe (track->sinkpad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                                         on_sink_event, track, NULL);
  g_ptr_array_add (self->tracks, track);

  if (gst_pad_link (srcpad, track->sinkpad) != GST_PAD_LINK_OK)
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_MEDIA,
                           "The media source does not produce RTP webrtcbin accepts");
      g_ptr_array_remove (self->tracks, track);
      return NULL;
    }
  if (self->started)
    gst_element_sync_state_with_parent (rtp_source);
  return g_strdup (track->cid);
}

GstElement *
bc_lk_peer_remove_track (BcLkPeer *self, const char *cid)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), NULL);

  for (guint i = 0; i < self->tracks->len; i++)
    {
      PeerTrack *track = g_ptr_array_index (self->tracks, i);
      g_autoptr (GstPad) srcpad = NULL;
      GstElement *source;
      gboolean keep;

      if (g_strcmp0 (track->cid, cid) != 0)
        continue;
      source = g_object_ref (track->source);
      srcpad = gst_element_get_static_pad (source, "src");
      if (track->caps_probe != 0)
        gst_pad_remove_probe (track->sinkpad, track->caps_probe);
      track->caps_probe = 0;
      g_object_set_data (G_OBJECT (track->sinkpad), "bc-lk-peer", NULL);
      /* A pad that never had caps was never offered: drop it the plain way. */
      g_mutex_lock (&caps_lock);
      keep = track->caps != NULL;
      g_mutex_unlock (&caps_lock);
      if (!keep)
        {
          g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;

          g_object_get (track->sinkpad, "transceiver", &transceiver, NULL);
          if (transceiver != NULL)
            g_object_set (transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                          NULL);
        }
      gst_element_set_locked_state (source, TRUE);
      /* webrtcbin holds buffers at a blocking probe on its sink pad until
       * the section is negotiated (GStreamer 1.22), with the pad's stream
       * lock taken; stopping the source would then wait for that lock for
       * ever. Deactivating the sink pad first wakes the blocked push (it
       * returns FLUSHING) so the source can stop. A pad media flows through
       * is left active: deactivating it under a push can let a buffer reach
       * webrtcbin's elements ahead of its segment. */
      if (gst_pad_is_blocked (track->sinkpad))
        gst_pad_set_active (track->sinkpad, FALSE);
      gst_element_set_state (source, GST_STATE_NULL);
      release_held_media (self, track);
      if (srcpad != NULL)
        gst_pad_unlink (srcpad, track->sinkpad);
      if (self->pipeline != NULL && GST_OBJECT_PARENT (source) == GST_OBJECT (self->pipeline))
        gst_bin_remove (GST_BIN (self->pipeline), source);
      gst_element_set_locked_state (source, FALSE);
      if (keep)
        {
          /* The pad is kept rather than released: webrtcbin 1.22 leaves the
           * elements behind a released pad in place and cannot link a new
           * pad to that transceiver again, so a later track of this kind
           * takes this pad over. webrtcbin also refuses to make a section
           * active again once it was negotiated inactive, so for webrtcbin
           * the transceiver stays send-only; only the offers sent (and the
           * answers applied) show it inactive, which is how the server
           * learns the track is gone. */
          IdlePad *idle = g_new0 (IdlePad, 1);

          idle->sinkpad = g_steal_pointer (&track->sinkpad);
          idle->sdp_track_id = g_strdup (track->sdp_track_id);
          g_mutex_lock (&caps_lock);
          idle->caps = gst_caps_copy (track->caps);
          g_mutex_unlock (&caps_lock);
          /* Any source's own stream: not part of what the section carries. */
          for (guint j = 0; j < gst_caps_get_size (idle->caps); j++)
            gst_structure_remove_fields (gst_caps_get_structure (idle->caps, j), "ssrc",
                                         "timestamp-offset", "seqnum-offset", "a-framerate", NULL);
          g_ptr_array_add (self->idle, idle);
        }
      else if (self->webrtc != NULL)
        gst_element_release_request_pad (self->webrtc, track->sinkpad);
      g_ptr_array_remove_index (self->tracks, i);
      return source;
    }
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Offer / answer */

typedef struct
{
  GstPromise *promise;
  guint id;
  char *type;
} PromiseDone;

static void
promise_done_free (gpointer data)
{
  PromiseDone *done = data;

  gst_promise_unref (done->promise);
  g_free (done->type);
  g_free (done);
}

typedef void (*PromiseFunc) (BcLkPeer *self, gpointer data);

typedef struct
{
  BcLkPeer *self;
  PromiseFunc func;
  guint id;
  char *type;
} PromiseCtx;

static void
promise_ctx_free (gpointer data)
{
  PromiseCtx *ctx = data;

  g_object_unref (ctx->self);
  g_free (ctx->type);
  g_free (ctx);
}

static void
on_promise_changed (GstPromise *promise, gpointer user_data)
{
  PromiseCtx *ctx = user_data;
  PromiseDone *done = g_new0 (PromiseDone, 1);

  /* The reference promise_new() returned comes here: it was handed to
   * webrtcbin without being dropped, and webrtcbin replies exactly once. */
  done->promise = promise;
  done->id = ctx->id;
  done->type = g_strdup (ctx->type);
  invoke (ctx->self, ctx->func, done, promise_done_free);
}

static GstPromise *
promise_new (BcLkPeer *self, PromiseFunc func, guint id, const char *type)
{
  PromiseCtx *ctx = g_new0 (PromiseCtx, 1);

  ctx->self = g_object_ref (self);
  ctx->func = func;
  ctx->id = id;
  ctx->type = g_strdup (type);
  return gst_promise_new_with_change_func (on_promise_changed, ctx, promise_ctx_free);
}

static gboolean
promise_failed (BcLkPeer *self, PromiseDone *done, const char *what)
{
  const GstStructure *reply;
  g_autoptr (GError) error = NULL;
  const GError *reply_error = NULL;

  if (gst_promise_wait (done->promise) != GST_PROMISE_RESULT_REPLIED)
    {
      error = g_error_new (BC_LK_ERROR, BC_LK_ERROR_MEDIA, "Could not %s", what);
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      return TRUE;
    }
  reply = gst_promise_get_reply (done->promise);
  if (reply != NULL && gst_structure_has_field (reply, "error"))
    {
      gst_structure_get (reply, "error", G_TYPE_ERROR, &error, NULL);
      reply_error = error;
      error = g_error_new (BC_LK_ERROR, BC_LK_ERROR_MEDIA, "Could not %s: %s", what,
                           reply_error != NULL ? reply_error->message : "unknown error");
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      return TRUE;
    }
  return FALSE;
}

static void open_warm_up_gate (void);

static void
sent_local_description (BcLkPeer *self, const char *type, const char *sdp, guint id)
{
  g_free (self->local_sdp);
  self->local_sdp = g_strdup (sdp);
  g_free (self->local_type);
  self->local_type = g_strdup (type);
  self->local_id = id;

  {
    g_autofree char *shown = sdp_for_log (sdp);

    g_debug ("Local %s %u:\n%s", type, id, shown);
  }
  g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0, type, sdp, id);
  self->sdp_sent = TRUE;
  flush_local_candidates (self);
  open_warm_up_gate ();
}

static void
on_offer_created (BcLkPeer *self, gpointer data)
{
  PromiseDone *done = data;
  GstWebRTCSessionDescription *offer = NULL;
  g_autofree char *text = NULL;
  g_autofree char *sent = NULL;

  if (promise_failed (self, done, "create an offer"))
    {
      self->offer_in_flight = FALSE;
      return;
    }
  gst_structure_get (gst_promise_get_reply (done->promise), "offer",
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  g_signal_emit_by_name (self->webrtc, "set-local-description", offer, NULL);
  text = gst_sdp_message_as_text (offer->sdp);
  gst_webrtc_session_description_free (offer);

  for (guint i = 0; i < self->tracks->len; i++)
    {
      PeerTrack *track = g_ptr_array_index (self->tracks, i);

      if (g_strcmp0 (track->cid, track->sdp_track_id) != 0)
        {
          char *renamed = bc_lk_sdp_replace_track_id (text, track->sdp_track_id, track->cid);

          g_free (text);
          text = renamed;
        }
    }
  {
    g_autoptr (GPtrArray) mids = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);

    for (guint i = 0; i < self->idle->len; i++)
      {
        IdlePad *idle = g_ptr_array_index (self->idle, i);
        char *mid = bc_lk_sdp_get_mid_for_track_id (text, idle->sdp_track_id);

        if (mid == NULL)
          continue;
        g_ptr_array_add (mids, mid);
        if (idle->inactive_offer == 0)
          idle->inactive_offer = done->id;
      }
    g_ptr_array_add (mids, NULL);
    if (mids->len > 1)
      {
        char *swapped = bc_lk_sdp_swap_direction (text, (const char *const *) mids->pdata,
                                                  "sendonly", "inactive", changed);

        g_free (text);
        text = swapped;
      }
    g_ptr_array_add (changed, NULL);
    g_strfreev (self->inactive_mids);
    self->inactive_mids = (GStrv) g_ptr_array_free (g_steal_pointer (&changed), FALSE);
  }

  /* msid is declarative, so adding the media-level form to the copy we send
   * is safe and helps parsers that ignore a=ssrc msid. */
  {
    g_autofree char *with_msid = bc_lk_sdp_add_media_msid (text);

    sent = bc_lk_sdp_drop_bundle_only (with_msid);
  }
  sent_local_description (self, "offer", sent, done->id);
}

static gboolean
retry_offer (gpointer user_data)
{
  BcLkPeer *self = BC_LK_PEER (user_data);

  self->retry_offer_id = 0;
  try_offer (self);
  return G_SOURCE_REMOVE;
}

static void
try_offer (BcLkPeer *self)
{
  GstStructure *options = NULL;
  GstWebRTCSignalingState signaling;

  if (self->role != BC_LK_PEER_PUBLISHER || !self->started || self->closed || !self->want_offer ||
      self->offer_in_flight)
    return;
  for (guint i = 0; i < self->tracks->len; i++)
    {
      PeerTrack *track = g_ptr_array_index (self->tracks, i);
      g_autoptr (GstCaps) current = gst_pad_get_current_caps (track->sinkpad);
      gboolean seen, ready;

      /* Without caps webrtcbin can describe neither the codec nor the ssrc.
       * The probe fires before the caps are stored on the pad (and before
       * webrtcbin takes them), and a reused pad still holds its last
       * source's caps: wait until the pad has the caps the probe saw, and
       * look again shortly if they are not there yet. */
      g_mutex_lock (&caps_lock);
      seen = track->caps != NULL;
      ready = seen && current != NULL && gst_caps_is_equal (current, track->caps);
      g_mutex_unlock (&caps_lock);
      if (!ready)
        {
          if (seen && self->retry_offer_id == 0)
            self->retry_offer_id = g_timeout_add (20, retry_offer, self);
          return;
        }
    }
  g_object_get (self->webrtc, "signaling-state", &signaling, NULL);
  if (signaling != GST_WEBRTC_SIGNALING_STATE_STABLE && !self->want_ice_restart)
    {
      g_debug ("Offer deferred: signaling state %d", signaling);
      return;
    }

  self->want_offer = FALSE;
  self->offer_in_flight = TRUE;
  self->offer_id++;
  g_debug ("Creating offer %u (%u tracks%s)", self->offer_id, self->tracks->len,
           self->want_ice_restart ? ", ICE restart" : "");
  if (self->want_ice_restart)
    options = gst_structure_new ("options", "ice-restart", G_TYPE_BOOLEAN, TRUE, NULL);
  self->want_ice_restart = FALSE;
  g_signal_emit_by_name (self->webrtc, "create-offer", options,
                         promise_new (self, on_offer_created, self->offer_id, "offer"));
  g_clear_pointer (&options, gst_structure_free);
}

void
bc_lk_peer_negotiate (BcLkPeer *self, gboolean ice_restart)
{
  g_return_if_fail (BC_IS_LK_PEER (self));

  if (self->role != BC_LK_PEER_PUBLISHER)
    return;
  self->want_offer = TRUE;
  if (ice_restart)
    {
      /* After a lost signal connection the answer to an outstanding offer
       * will never come. */
      self->want_ice_restart = TRUE;
      self->offer_in_flight = FALSE;
    }
  try_offer (self);
}

static void
on_remote_answer_set (BcLkPeer *self, gpointer data)
{
  PromiseDone *done = data;

  g_debug ("Answer %u applied (latest offer %u)", done->id, self->offer_id);
  if (done->id != self->offer_id && done->id != 0)
    return;
  if (!promise_failed (self, done, "apply the server's answer"))
    {
      self->remote_set = TRUE;
      flush_remote_candidates (self);
      self->offer_in_flight = FALSE;
      for (guint i = 0; i < self->idle->len; i++)
        {
          IdlePad *idle = g_ptr_array_index (self->idle, i);

          if (idle->inactive_offer != 0 && done->id >= idle->inactive_offer)
            idle->negotiated = TRUE;
        }
      for (guint i = 0; i < self->tracks->len; i++)
        {
          PeerTrack *track = g_ptr_array_index (self->tracks, i);

          if (done->id > track->hold_until)
            release_held_media (self, track);
        }
      g_signal_emit (self, signals[SIGNAL_ANSWER_APPLIED], 0, done->id);
    }
  self->offer_in_flight = FALSE;
  try_offer (self);
}

static void
on_answer_created (BcLkPeer *self, gpointer data)
{
  PromiseDone *done = data;
  GstWebRTCSessionDescription *answer = NULL;
  g_autofree char *text = NULL;

  if (promise_failed (self, done, "answer the server's offer"))
    {
      self->answering = FALSE;
      return;
    }
  gst_structure_get (gst_promise_get_reply (done->promise), "answer",
                     GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  g_signal_emit_by_name (self->webrtc, "set-local-description", answer, NULL);
  text = gst_sdp_message_as_text (answer->sdp);
  gst_webrtc_session_description_free (answer);

  sent_local_description (self, "answer", text, done->id);
  self->answering = FALSE;
  if (self->pending_offer != NULL)
    {
      char *sdp = g_steal_pointer (&self->pending_offer);

      process_offer (self, sdp, self->pending_offer_id);
    }
}

static void
on_remote_offer_set (BcLkPeer *self, gpointer data)
{
  PromiseDone *done = data;

  if (promise_failed (self, done, "apply the server's offer"))
    {
      self->answering = FALSE;
      return;
    }
  self->remote_set = TRUE;
  flush_remote_candidates (self);
  g_signal_emit_by_name (self->webrtc, "create-answer", NULL,
                         promise_new (self, on_answer_created, done->id, "answer"));
}

static gboolean
set_remote (BcLkPeer *self, GstWebRTCSDPType type, const char *sdp, guint id, PromiseFunc done)
{
  GstSDPMessage *message = NULL;
  GstWebRTCSessionDescription *desc;
  g_autoptr (GError) error = NULL;

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK)
    {
      error = g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                                   "The LiveKit server sent SDP that does not parse");
      g_signal_emit (self, signals[SIGNAL_ERROR], 0, error);
      return FALSE;
    }
  {
    g_autofree char *shown = sdp_for_log (sdp);

    g_debug ("Remote %s %u:\n%s", type == GST_WEBRTC_SDP_TYPE_OFFER ? "offer" : "answer", id,
             shown);
  }
  g_mutex_lock (&self->sdp_lock);
  g_free (self->remote_sdp);
  self->remote_sdp = g_strdup (sdp);
  g_mutex_unlock (&self->sdp_lock);
  desc = gst_webrtc_session_description_new (type, message);
  g_signal_emit_by_name (self->webrtc, "set-remote-description", desc,
                         promise_new (self, done, id, NULL));
  gst_webrtc_session_description_free (desc);
  return TRUE;
}

static void
process_offer (BcLkPeer *self, char *sdp, guint id)
{
  g_autofree char *owned = sdp;
  g_autofree char *stripped = bc_lk_sdp_strip_red (sdp);

  self->answering = TRUE;
  if (!set_remote (self, GST_WEBRTC_SDP_TYPE_OFFER, stripped, id, on_remote_offer_set))
    self->answering = FALSE;
}

void
bc_lk_peer_set_remote_description (BcLkPeer *self, const char *type, const char *sdp, guint id)
{
  g_return_if_fail (BC_IS_LK_PEER (self));

  if (self->closed || sdp == NULL)
    return;
  if (g_strcmp0 (type, "offer") == 0)
    {
      if (self->answering)
        {
          /* One negotiation at a time; the newest offer supersedes a queued one. */
          g_free (self->pending_offer);
          self->pending_offer = g_strdup (sdp);
          self->pending_offer_id = id;
          return;
        }
      process_offer (self, g_strdup (sdp), id);
    }
  else if (g_strcmp0 (type, "answer") == 0)
    {
      /* Like LiveKit's JS SDK: an answer to an older offer is stale. */
      if (id != 0 && id != self->offer_id)
        {
          g_debug ("Ignoring answer %u to an older offer (latest %u)", id, self->offer_id);
          return;
        }
      if (self->inactive_mids != NULL && self->inactive_mids[0] != NULL)
        {
          /* webrtcbin made these sections send-only; see remove_track. */
          g_autofree char *swapped = bc_lk_sdp_swap_direction (
              sdp, (const char *const *) self->inactive_mids, "inactive", "recvonly", NULL);

          set_remote (self, GST_WEBRTC_SDP_TYPE_ANSWER, swapped, id, on_remote_answer_set);
          return;
        }
      set_remote (self, GST_WEBRTC_SDP_TYPE_ANSWER, sdp, id, on_remote_answer_set);
    }
}

guint
bc_lk_peer_get_offer_id (BcLkPeer *self)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), 0);
  return self->offer_id;
}

const char *
bc_lk_peer_get_local_sdp (BcLkPeer *self, const char **type, guint *id)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), NULL);

  if (type != NULL)
    *type = self->local_type;
  if (id != NULL)
    *id = self->local_id;
  return self->local_sdp;
}

/* ------------------------------------------------------------------------ */
/* Data channels */

static void
add_data_channel (BcLkPeer *self, gpointer data)
{
  g_ptr_array_add (self->channels, g_object_ref (data));
}

static void
on_data_channel (GstElement *webrtc, GstWebRTCDataChannel *channel, gpointer user_data)
{
  /* Kept only to report them in SyncState; BountyCam sends no data. */
  invoke (BC_LK_PEER (user_data), add_data_channel, g_object_ref (channel), g_object_unref);
}

GPtrArray *
bc_lk_peer_list_data_channels (BcLkPeer *self)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), NULL);
  return g_ptr_array_ref (self->channels);
}

/* ------------------------------------------------------------------------ */
/* Setup */

static void
restrict_to_loopback (BcLkPeer *self)
{
  g_autoptr (GObject) ice = NULL;
  NiceAgent *agent = NULL;
  NiceAddress address;

  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL)
    {
      g_warning ("Cannot restrict ICE to loopback: webrtcbin has no libnice agent");
      return;
    }
  g_object_get (ice, "agent", &agent, NULL);
  nice_address_init (&address);
  nice_address_set_from_string (&address, "127.0.0.1");
  /* Once any local address is given, libnice gathers on those only. */
  nice_agent_add_local_address (agent, &address);
  g_object_unref (agent);
}

static void
disable_upnp (BcLkPeer *self)
{
  g_autoptr (GObject) ice = NULL;
  NiceAgent *agent = NULL;

  /* LiveKit hands out STUN/TURN servers; UPnP port mapping adds nothing
   * but SSDP multicast on the local network. */
  g_object_get (self->webrtc, "ice-agent", &ice, NULL);
  if (ice == NULL || g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "agent") == NULL)
    return;
  g_object_get (ice, "agent", &agent, NULL);
  g_object_set (agent, "upnp", FALSE, NULL);
  g_object_unref (agent);
}

BcLkPeer *
bc_lk_peer_new (BcLkPeerRole role, gboolean loopback_only, gboolean relay_only)
{
  BcLkPeer *self = g_object_new (BC_TYPE_LK_PEER, NULL);
  g_autoptr (GstBus) bus = NULL;
  const char *env = g_getenv ("BC_ICE_LOOPBACK");

  _bc_lk_dtls_key_cache_enable ();

  if (role == BC_LK_PEER_PUBLISHER)
    bc_lk_peer_limit_heap_growth ();
  self->role = role;
  self->loopback_only = loopback_only || (env != NULL && g_str_equal (env, "1"));
  self->relay_only = relay_only;

  self->pipeline = gst_object_ref_sink (
      gst_pipeline_new (role == BC_LK_PEER_PUBLISHER ? "bc-lk-publisher" : "bc-lk-subscriber"));
  self->webrtc = gst_element_factory_make ("webrtcbin", "webrtc");
  if (self->webrtc == NULL)
    g_error ("GStreamer's webrtcbin is not installed (gstreamer1.0-plugins-bad)");
  gst_object_ref (self->webrtc);
  /* webrtcbin's default "none" leaves out a=group:BUNDLE and LiveKit then
   * rejects every m-line. */
  g_object_set (self->webrtc, "bundle-policy", GST_WEBRTC_BUNDLE_POLICY_MAX_BUNDLE, NULL);
  if (relay_only)
    g_object_set (self->webrtc, "ice-transport-policy", GST_WEBRTC_ICE_TRANSPORT_POLICY_RELAY,
                  NULL);
  gst_bin_add (GST_BIN (self->pipeline), self->webrtc);

  disable_upnp (self);
  if (self->loopback_only)
    restrict_to_loopback (self);

  g_signal_connect (self->webrtc, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtc, "notify::connection-state", G_CALLBACK (on_connection_state),
                    self);
  g_signal_connect (self->webrtc, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->webrtc, "on-data-channel", G_CALLBACK (on_data_channel), self);

  bus = gst_pipeline_get_bus (GST_PIPELINE (self->pipeline));
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  return self;
}

/* Loads @name's plugin and initialises its class, as making the first one
 * would, without making one. */
static void
warm_up_element (const char *name)
{
  g_autoptr (GstElementFactory) factory = gst_element_factory_find (name);
  g_autoptr (GstPluginFeature) loaded = NULL;
  GType type;

  if (factory == NULL)
    return;
  loaded = gst_plugin_feature_load (GST_PLUGIN_FEATURE (factory));
  type = loaded != NULL ? gst_element_factory_get_element_type (GST_ELEMENT_FACTORY (loaded)) : 0;
  if (type != 0)
    g_type_class_unref (g_type_class_ref (type));
}

/* The warm-up holds a caller's plugins back until the first peer connection
 * has made its first offer or answer (or for WARM_UP_GATE_MS at most):
 * loading libav initialises hundreds of classes under GLib's class lock,
 * and webrtcbin, which initialises classes of its own while it builds its
 * first transport, then waited for each (30-60 ms a time). */
#define WARM_UP_GATE_MS 500
static GMutex warm_up_lock;
static GCond warm_up_cond;
static gboolean warm_up_gate_open;
static gint warm_up_stopping;
static GThread *warm_up_thread_handle; /* under warm_up_lock */

static void
open_warm_up_gate (void)
{
  g_mutex_lock (&warm_up_lock);
  warm_up_gate_open = TRUE;
  g_cond_broadcast (&warm_up_cond);
  g_mutex_unlock (&warm_up_lock);
}

static void
wait_for_warm_up_gate (void)
{
  gint64 end = g_get_monotonic_time () + WARM_UP_GATE_MS * G_TIME_SPAN_MILLISECOND;

  g_mutex_lock (&warm_up_lock);
  while (!warm_up_gate_open)
    if (!g_cond_wait_until (&warm_up_cond, &warm_up_lock, end))
      break;
  g_mutex_unlock (&warm_up_lock);
}

static gpointer
warm_up_thread (gpointer data)
{
  g_auto (GStrv) more = data;
  /* What a peer connection loads, in the order it needs it: webrtcbin and
   * ICE first (made right after the join), then the elements and objects
   * its first transport is built from when the first offer or answer is
   * made. GStreamer loads one plugin at a time and a class is initialised
   * under a process-wide lock, so whatever webrtcbin needs must be ready
   * before a caller's slow plugins (libav takes 50-300 ms) are loaded: a
   * first answer otherwise waited for them. */
  static const char *const before[] = { "webrtcbin", "nicesrc", "nicesink", "rtpbin", NULL };
  static const char *const after[] = {
    "dtlssrtpenc",  "dtlssrtpdec",   "dtlssrtpdemux",   "dtlsenc",      "srtpenc",
    "srtpdec",      "sctpenc",       "sctpdec",         "funnel",       "clocksync",
    "capsfilter",   "queue",         "rtpsession",      "rtpssrcdemux", "rtpstorage",
    "rtprtxsend",   "rtprtxreceive", "rtpjitterbuffer", "rtpptdemux",   "rtpfunnel",
    "rtpulpfecdec", "rtpreddec",     "appsrc",          "appsink",      "fakesink",
    NULL,
  };
  /* webrtcbin's own objects (GStreamer 1.22 names); missing ones are
   * skipped. */
  static const char *const types[] = {
    "TransportStream",
    "TransportSendBin",
    "TransportReceiveBin",
    "GstWebRTCDTLSTransport",
    "GstWebRTCNice",
    "GstWebRTCNiceStream",
    "GstWebRTCNiceTransport",
    "WebRTCTransceiver",
    "GstWebRTCRTPSender",
    "GstWebRTCRTPReceiver",
    "WebRTCSCTPTransport",
    "WebRTCDataChannel",
    NULL,
  };
  GstElement *dec;

  for (guint i = 0; before[i] != NULL && !g_atomic_int_get (&warm_up_stopping); i++)
    warm_up_element (before[i]);
  /* GStreamer's DTLS elements share one certificate per process, made when
   * the first of them is created: with the cached key (bc-lk-dtls-key.c)
   * that is a few ms, else a new RSA key (0.1-1.5 s). */
  dec = g_atomic_int_get (&warm_up_stopping) ? NULL : gst_element_factory_make ("dtlsdec", NULL);
  g_clear_pointer (&dec, gst_object_unref);
  for (guint i = 0; after[i] != NULL && !g_atomic_int_get (&warm_up_stopping); i++)
    warm_up_element (after[i]);
  for (guint i = 0; types[i] != NULL; i++)
    {
      GType type = g_type_from_name (types[i]);

      if (type != 0 && G_TYPE_IS_CLASSED (type))
        g_type_class_unref (g_type_class_ref (type));
    }
  if (more != NULL)
    wait_for_warm_up_gate ();
  for (guint i = 0; more != NULL && more[i] != NULL && !g_atomic_int_get (&warm_up_stopping); i++)
    warm_up_element (more[i]);
  return NULL;
}

void
bc_lk_peer_warm_up (void)
{
  bc_lk_peer_warm_up_with (NULL);
}

void
bc_lk_peer_warm_up_with (const char *const *factory_names)
{
  static gsize started = 0;

  if (g_once_init_enter (&started))
    {
      GThread *thread;

      _bc_lk_dtls_key_cache_enable ();
      thread = g_thread_new ("bc-warm-up", warm_up_thread, g_strdupv ((char **) factory_names));
      g_mutex_lock (&warm_up_lock);
      warm_up_thread_handle = thread;
      g_mutex_unlock (&warm_up_lock);
      g_once_init_leave (&started, 1);
    }
}

void
bc_lk_peer_warm_up_finish (void)
{
  GThread *thread;

  g_atomic_int_set (&warm_up_stopping, 1);
  g_mutex_lock (&warm_up_lock);
  thread = g_steal_pointer (&warm_up_thread_handle);
  warm_up_gate_open = TRUE;
  g_cond_broadcast (&warm_up_cond);
  g_mutex_unlock (&warm_up_lock);
  if (thread != NULL)
    g_thread_join (thread);
}

void
bc_lk_peer_limit_heap_growth (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* Fixed at glibc's initial value, which also stops the trim threshold
       * from growing with it. */
      if (g_getenv ("MALLOC_MMAP_THRESHOLD_") == NULL)
        mallopt (M_MMAP_THRESHOLD, 128 * 1024);
      g_once_init_leave (&done, 1);
    }
}

BcLkPeerRole
bc_lk_peer_get_role (BcLkPeer *self)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), BC_LK_PEER_PUBLISHER);
  return self->role;
}

BcLkPeerState
bc_lk_peer_get_state (BcLkPeer *self)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), BC_LK_PEER_STATE_CLOSED);
  return self->state;
}

GstBin *
bc_lk_peer_get_bin (BcLkPeer *self)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), NULL);
  return GST_BIN (self->pipeline);
}

GstElement *
bc_lk_peer_get_webrtcbin (BcLkPeer *self)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), NULL);
  return self->webrtc;
}

void
bc_lk_peer_set_ice_servers (BcLkPeer *self, Livekit__ICEServer **servers, gsize n_servers)
{
  gboolean have_stun = FALSE;

  g_return_if_fail (BC_IS_LK_PEER (self));

  for (gsize i = 0; i < n_servers; i++)
    for (gsize j = 0; j < servers[i]->n_urls; j++)
      {
        gboolean is_turn = FALSE;
        g_autofree char *uri = bc_lk_ice_url_to_gst (servers[i]->urls[j], servers[i]->username,
                                                     servers[i]->credential, &is_turn);
        gboolean ok = FALSE;

        if (uri == NULL)
          continue;
        if (is_turn)
          g_signal_emit_by_name (self->webrtc, "add-turn-server", uri, &ok);
        else if (!have_stun)
          {
            /* webrtcbin takes a single STUN server. */
            g_object_set (self->webrtc, "stun-server", uri, NULL);
            have_stun = TRUE;
          }
      }
}

gboolean
bc_lk_peer_start (BcLkPeer *self, GError **error)
{
  g_return_val_if_fail (BC_IS_LK_PEER (self), FALSE);

  if (self->started)
    return TRUE;
  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_MEDIA,
                           "Could not start the media pipeline");
      return FALSE;
    }
  self->started = TRUE;

  if (self->role == BC_LK_PEER_PUBLISHER)
    {
      GstWebRTCDataChannel *reliable = NULL;
      GstWebRTCDataChannel *lossy = NULL;
      GstStructure *lossy_opts = gst_structure_new ("options", "ordered", G_TYPE_BOOLEAN, FALSE,
                                                    "max-retransmits", G_TYPE_INT, 0, NULL);

      /* LiveKit's labels; the server expects both on the publisher PC. */
      g_signal_emit_by_name (self->webrtc, "create-data-channel", "_reliable", NULL, &reliable);
      g_signal_emit_by_name (self->webrtc, "create-data-channel", "_lossy", lossy_opts, &lossy);
      gst_structure_free (lossy_opts);
      if (reliable != NULL)
        g_ptr_array_add (self->channels, reliable);
      if (lossy != NULL)
        g_ptr_array_add (self->channels, lossy);
    }
  try_offer (self);
  return TRUE;
}

void
bc_lk_peer_close (BcLkPeer *self)
{
  g_return_if_fail (BC_IS_LK_PEER (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  g_clear_handle_id (&self->retry_offer_id, g_source_remove);
  if (self->webrtc != NULL)
    g_signal_handlers_disconnect_by_data (self->webrtc, self);
  for (guint i = 0; self->tracks != NULL && i < self->tracks->len; i++)
    {
      PeerTrack *track = g_ptr_array_index (self->tracks, i);

      if (track->caps_probe != 0)
        gst_pad_remove_probe (track->sinkpad, track->caps_probe);
      track->caps_probe = 0;
      g_object_set_data (G_OBJECT (track->sinkpad), "bc-lk-peer", NULL);
    }
  if (self->pipeline != NULL)
    gst_element_set_state (self->pipeline, GST_STATE_NULL);
  g_clear_handle_id (&self->bus_watch, g_source_remove);
  set_state (self, BC_LK_PEER_STATE_CLOSED);
}
