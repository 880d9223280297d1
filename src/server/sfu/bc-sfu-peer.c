/* bc-sfu-peer.c
 *
 * A webrtcbin in the room's relay pipeline. As publisher it answers the
 * client's offers and turns every received stream into a BcSfuTrack; as
 * subscriber it offers the tracks it was given, with LiveKit's data channels,
 * and renegotiates one offer at a time.
 *
 * webrtcbin calls back from its own threads; everything is moved to the main
 * context before the peer's signals are emitted, so its users never see
 * another thread. Local candidates are held back until the description they
 * belong to has been handed out, because clients drop candidates that arrive
 * before the SDP (LiveKit's gst signaller does the same).
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-context-post.h"

#include "bc-sfu-peer.h"
#include "bc-sfu-sdp.h"

#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#include <nice/agent.h>
#include <string.h>

typedef struct
{
  BcSfuTrack *track;
  BcSfuBranch *branch;
  GstPad *sink_pad;
  GstWebRTCRTPTransceiver *transceiver;
  guint32 ssrc;
  guint pt;
  char *msid; /* "stream track" */
} SubTrack;

typedef struct
{
  guint mline;
  char *candidate;
} Candidate;

struct _BcSfuPeer
{
  GObject parent_instance;

  BcSfuRelay *relay;
  BcSfuPeerRole role;
  GstElement *webrtcbin;
  GMainContext *context;
  gboolean closed;
  GstWebRTCPeerConnectionState state;

  GPtrArray *data_channels;
  GPtrArray *tracks;     /* publisher: BcSfuTrack, owned */
  GPtrArray *sub_tracks; /* subscriber: SubTrack */
  GHashTable *used_pts;

  /* Negotiation state. */
  gboolean busy; /* publisher: answering; subscriber: offer out */
  gboolean renegotiate;
  char *pending_offer;
  guint pending_offer_id;
  GStrv pending_inactive_mids;
  GStrv inactive_mids; /* publisher: sections offered inactive, see handle_offer */
  gboolean remote_set;
  gboolean local_sent;
  GStrv local_mids;
  GPtrArray *remote_candidates; /* Candidate */
  GPtrArray *local_candidates;  /* Candidate */
};

G_DEFINE_FINAL_TYPE (BcSfuPeer, bc_sfu_peer, G_TYPE_OBJECT)

enum
{
  SIGNAL_LOCAL_DESCRIPTION,
  SIGNAL_ICE_CANDIDATE,
  SIGNAL_TRACK_ADDED,
  SIGNAL_STATE_CHANGED,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
candidate_free (Candidate *c)
{
  g_free (c->candidate);
  g_free (c);
}

static void
sub_track_free (SubTrack *st)
{
  g_clear_object (&st->track);
  gst_clear_object (&st->sink_pad);
  gst_clear_object (&st->transceiver);
  g_free (st->msid);
  g_free (st);
}

/* ---- marshalling to the main context ---------------------------------- */

typedef enum
{
  CALL_LOCAL_DESCRIPTION,
  CALL_REMOTE_ANSWER_SET,
  CALL_CANDIDATE,
  CALL_TRACK,
  CALL_STATE,
  CALL_FAILED,
} CallKind;

typedef struct
{
  BcSfuPeer *self;
  CallKind kind;
  guint number;
  char *text;
  char *text2;
  BcSfuTrack *track;
} Call;

static void
call_free (Call *call)
{
  g_object_unref (call->self);
  g_free (call->text);
  g_free (call->text2);
  g_clear_object (&call->track);
  g_free (call);
}

static void start_offer (BcSfuPeer *self, const char *sdp, guint id, GStrv inactive_mids);
static void flush_local_candidates (BcSfuPeer *self);

static void
fail (BcSfuPeer *self, const char *message)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, message);

  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static void
emit_local_description (BcSfuPeer *self, const char *type, const char *sdp, guint id)
{
  g_autofree char *munged = NULL;

  g_strfreev (self->local_mids);
  self->local_mids = bc_sfu_sdp_get_mids (sdp);

  if (self->role == BC_SFU_PEER_PUBLISHER && self->inactive_mids != NULL &&
      self->inactive_mids[0] != NULL)
    {
      munged = bc_sfu_sdp_swap_direction (sdp, (const char *const *) self->inactive_mids,
                                          "recvonly", "inactive", NULL);
      sdp = munged;
    }

  if (self->role == BC_SFU_PEER_SUBSCRIBER)
    {
      g_autoptr (GHashTable) msids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      for (guint i = 0; i < self->sub_tracks->len; i++)
        {
          SubTrack *st = g_ptr_array_index (self->sub_tracks, i);

          g_hash_table_insert (msids, g_strdup_printf ("%u", st->ssrc), st->msid);
        }
      munged = bc_sfu_sdp_set_msids (sdp, msids);
      sdp = munged;
    }

  self->local_sent = TRUE;
  g_signal_emit (self, signals[SIGNAL_LOCAL_DESCRIPTION], 0, type, sdp, id);
  flush_local_candidates (self);
}

static gboolean
dispatch_call (gpointer data)
{
  Call *call = data;
  BcSfuPeer *self = call->self;

  if (self->closed)
    return G_SOURCE_REMOVE;

  switch (call->kind)
    {
    case CALL_LOCAL_DESCRIPTION:
      emit_local_description (self, call->text2, call->text, call->number);
      if (self->role == BC_SFU_PEER_PUBLISHER)
        {
          self->busy = FALSE;
          if (self->pending_offer != NULL)
            {
              g_autofree char *sdp = g_steal_pointer (&self->pending_offer);

              start_offer (self, sdp, self->pending_offer_id,
                           g_steal_pointer (&self->pending_inactive_mids));
            }
        }
      break;
    case CALL_REMOTE_ANSWER_SET:
      self->busy = FALSE;
      /* A subscriber that just answered gets a keyframe as soon as its
       * connection is up instead of waiting for the publisher's next one. */
      for (guint i = 0; i < self->sub_tracks->len; i++)
        bc_sfu_track_request_keyframe (
            ((SubTrack *) g_ptr_array_index (self->sub_tracks, i))->track);
      if (self->renegotiate)
        bc_sfu_peer_negotiate (self);
      break;
    case CALL_CANDIDATE:
      {
        Candidate *c = g_new0 (Candidate, 1);

        c->mline = call->number;
        c->candidate = g_steal_pointer (&call->text);
        g_ptr_array_add (self->local_candidates, c);
        if (self->local_sent)
          flush_local_candidates (self);
        break;
      }
    case CALL_TRACK:
      g_ptr_array_add (self->tracks, g_object_ref (call->track));
      g_signal_emit (self, signals[SIGNAL_TRACK_ADDED], 0, call->track);
      break;
    case CALL_STATE:
      self->state = call->number;
      if (self->state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED)
        for (guint i = 0; i < self->sub_tracks->len; i++)
          bc_sfu_track_request_keyframe (
              ((SubTrack *) g_ptr_array_index (self->sub_tracks, i))->track);
      g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, (int) call->number);
      break;
    case CALL_FAILED:
      fail (self, call->text);
      break;
    default:
      g_assert_not_reached ();
    }
  return G_SOURCE_REMOVE;
}

/* Not g_main_context_invoke(): the call's signalling would then sometimes
 * run in the GStreamer thread, beside the main thread's, on one WebSocket. */
static void
post_call (BcSfuPeer *self, Call *call)
{
  call->self = g_object_ref (self);
  bc_context_post (self->context, dispatch_call, call, (GDestroyNotify) call_free,
                   "[bountycam] SFU peer call");
}

static void
post_failure (BcSfuPeer *self, const char *message)
{
  Call *call = g_new0 (Call, 1);

  call->kind = CALL_FAILED;
  call->text = g_strdup (message);
  post_call (self, call);
}

static gboolean
reply_has_error (GstPromise *promise)
{
  const GstStructure *reply;

  if (gst_promise_wait (promise) != GST_PROMISE_RESULT_REPLIED)
    return TRUE;
  reply = gst_promise_get_reply (promise);
  return reply != NULL && gst_structure_has_field (reply, "error");
}

/* ---- webrtcbin callbacks (any thread) --------------------------------- */

static void
on_ice_candidate (GstElement *webrtcbin, guint mline, const char *candidate, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  Call *call = g_new0 (Call, 1);

  call->kind = CALL_CANDIDATE;
  call->number = mline;
  call->text = g_strdup (candidate);
  post_call (self, call);
}

static void
on_connection_state (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  GstWebRTCPeerConnectionState state;
  Call *call = g_new0 (Call, 1);

  g_object_get (object, "connection-state", &state, NULL);
  call->kind = CALL_STATE;
  call->number = state;
  post_call (self, call);
}

static void
link_to_fakesink (BcSfuPeer *self, GstPad *pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  g_autoptr (GstPad) sink_pad = NULL;

  g_object_set (sink, "async", FALSE, "sync", FALSE, NULL);
  gst_bin_add (bc_sfu_relay_get_bin (self->relay), sink);
  gst_element_sync_state_with_parent (sink);
  sink_pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_link (pad, sink_pad);
}

static void
on_pad_added (GstElement *webrtcbin, GstPad *pad, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *mid = NULL;
  BcSfuTrack *track;
  Call *call;

  if (GST_PAD_DIRECTION (pad) != GST_PAD_SRC)
    return;

  g_object_get (pad, "transceiver", &transceiver, NULL);
  if (transceiver != NULL)
    g_object_get (transceiver, "mid", &mid, NULL);

  /* Linked right here, in the streaming thread, so the first packets find
   * somewhere to go. */
  track = bc_sfu_track_new (bc_sfu_relay_get_bin (self->relay), pad, mid, &error);
  if (track == NULL)
    {
      g_debug ("Not forwarding %s: %s", GST_OBJECT_NAME (pad), error->message);
      link_to_fakesink (self, pad);
      return;
    }
  call = g_new0 (Call, 1);
  call->kind = CALL_TRACK;
  call->track = track;
  post_call (self, call);
}

static void
on_new_transceiver (GstElement *webrtcbin, GstWebRTCRTPTransceiver *transceiver, gpointer user_data)
{
  BcSfuPeer *self = user_data;

  /* Receivers ask the publisher to resend lost packets. */
  if (self->role == BC_SFU_PEER_PUBLISHER)
    g_object_set (transceiver, "do-nack", TRUE, NULL);
}

/* Always with a promise: when webrtcbin is already closed (a server stopping
 * with peers still negotiating) it replies with an error, and GStreamer 1.22's
 * gst_promise_reply() drops a reply to a NULL promise without freeing it.
 * Interrupted, as nobody waits for it: a reply after that is freed at once,
 * and one webrtcbin never sends is no pending promise at its last unref. */
static void
set_local_description (BcSfuPeer *self, GstWebRTCSessionDescription *desc)
{
  GstPromise *promise = gst_promise_new ();

  g_signal_emit_by_name (self->webrtcbin, "set-local-description", desc, promise);
  gst_promise_interrupt (promise);
  gst_promise_unref (promise);
}

static void
on_answer_created (GstPromise *promise, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  GstWebRTCSessionDescription *answer = NULL;
  const GstStructure *reply;
  Call *call;

  if (reply_has_error (promise))
    {
      post_failure (self, "Could not answer the publisher's offer");
      gst_promise_unref (promise);
      return;
    }
  reply = gst_promise_get_reply (promise);
  gst_structure_get (reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
  gst_promise_unref (promise);
  if (answer == NULL)
    {
      post_failure (self, "Could not answer the publisher's offer");
      return;
    }

  set_local_description (self, answer);
  call = g_new0 (Call, 1);
  call->kind = CALL_LOCAL_DESCRIPTION;
  call->text = gst_sdp_message_as_text (answer->sdp);
  call->text2 = g_strdup ("answer");
  call->number = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (self), "bc-offer-id"));
  gst_webrtc_session_description_free (answer);
  post_call (self, call);
}

static void
on_remote_offer_set (GstPromise *promise, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  GstPromise *next;

  if (reply_has_error (promise))
    {
      gst_promise_unref (promise);
      post_failure (self, "The publisher's offer was refused");
      return;
    }
  gst_promise_unref (promise);
  next = gst_promise_new_with_change_func (on_answer_created, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "create-answer", NULL, next);
}

static void
on_offer_created (GstPromise *promise, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  GstWebRTCSessionDescription *offer = NULL;
  const GstStructure *reply;
  Call *call;

  if (reply_has_error (promise))
    {
      gst_promise_unref (promise);
      post_failure (self, "Could not create an offer for the subscriber");
      return;
    }
  reply = gst_promise_get_reply (promise);
  gst_structure_get (reply, "offer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &offer, NULL);
  gst_promise_unref (promise);
  if (offer == NULL)
    {
      post_failure (self, "Could not create an offer for the subscriber");
      return;
    }
  set_local_description (self, offer);
  call = g_new0 (Call, 1);
  call->kind = CALL_LOCAL_DESCRIPTION;
  call->text = gst_sdp_message_as_text (offer->sdp);
  call->text2 = g_strdup ("offer");
  gst_webrtc_session_description_free (offer);
  post_call (self, call);
}

static void
on_remote_answer_set (GstPromise *promise, gpointer user_data)
{
  BcSfuPeer *self = user_data;
  Call *call;

  if (reply_has_error (promise))
    {
      gst_promise_unref (promise);
      post_failure (self, "The subscriber's answer was refused");
      return;
    }
  gst_promise_unref (promise);
  call = g_new0 (Call, 1);
  call->kind = CALL_REMOTE_ANSWER_SET;
  post_call (self, call);
}

/* ---- object ----------------------------------------------------------- */

static void
bc_sfu_peer_dispose (GObject *object)
{
  BcSfuPeer *self = BC_SFU_PEER (object);

  bc_sfu_peer_close (self);
  g_clear_object (&self->relay);

  G_OBJECT_CLASS (bc_sfu_peer_parent_class)->dispose (object);
}

static void
bc_sfu_peer_finalize (GObject *object)
{
  BcSfuPeer *self = BC_SFU_PEER (object);

  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->data_channels, g_ptr_array_unref);
  g_clear_pointer (&self->tracks, g_ptr_array_unref);
  g_clear_pointer (&self->sub_tracks, g_ptr_array_unref);
  g_clear_pointer (&self->used_pts, g_hash_table_unref);
  g_clear_pointer (&self->remote_candidates, g_ptr_array_unref);
  g_clear_pointer (&self->local_candidates, g_ptr_array_unref);
  g_free (self->pending_offer);
  g_strfreev (self->pending_inactive_mids);
  g_strfreev (self->inactive_mids);
  g_strfreev (self->local_mids);

  G_OBJECT_CLASS (bc_sfu_peer_parent_class)->finalize (object);
}

static void
bc_sfu_peer_class_init (BcSfuPeerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_peer_dispose;
  object_class->finalize = bc_sfu_peer_finalize;

  /* (type "offer"|"answer", sdp, id of the offer answered or 0) */
  signals[SIGNAL_LOCAL_DESCRIPTION] =
      g_signal_new ("local-description", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_UINT);
  /* (m-line index, mid, candidate line) */
  signals[SIGNAL_ICE_CANDIDATE] =
      g_signal_new ("ice-candidate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_UINT, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_TRACK_ADDED] =
      g_signal_new ("track-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, BC_TYPE_SFU_TRACK);
  /* (GstWebRTCPeerConnectionState) */
  signals[SIGNAL_STATE_CHANGED] =
      g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 1, G_TYPE_INT);
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
bc_sfu_peer_init (BcSfuPeer *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->data_channels = g_ptr_array_new_with_free_func (g_object_unref);
  self->tracks = g_ptr_array_new_with_free_func (g_object_unref);
  self->sub_tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) sub_track_free);
  self->used_pts = g_hash_table_new (NULL, NULL);
  self->remote_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
  self->local_candidates = g_ptr_array_new_with_free_func ((GDestroyNotify) candidate_free);
}

static void
restrict_ice (BcSfuPeer *self)
{
  const char *const *addresses = bc_sfu_relay_get_ice_addresses (self->relay);
  g_autoptr (GstObject) ice = NULL;
  NiceAgent *agent = NULL;

  g_object_get (self->webrtcbin, "ice-agent", &ice, NULL);
  if (ice == NULL)
    return;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (ice), "ice-tcp") != NULL)
    g_object_set (ice, "ice-tcp", FALSE, NULL);
  g_object_get (ice, "agent", &agent, NULL);
  if (agent == NULL)
    return;
  g_object_set (agent, "upnp", FALSE, NULL);
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    {
      NiceAddress addr;

      nice_address_init (&addr);
      if (nice_address_set_from_string (&addr, addresses[i]))
        nice_agent_add_local_address (agent, &addr);
      else
        g_warning ("Ignoring ICE address “%s”: not an IP address", addresses[i]);
    }
  g_object_unref (agent);
}

BcSfuPeer *
bc_sfu_peer_new (BcSfuRelay *relay, BcSfuPeerRole role, const char *name)
{
  BcSfuPeer *self = g_object_new (BC_TYPE_SFU_PEER, NULL);
  g_autofree char *element_name =
      g_strdup_printf ("%s~%s", name, role == BC_SFU_PEER_PUBLISHER ? "pub" : "sub");

  self->relay = g_object_ref (relay);
  self->role = role;
  self->webrtcbin = gst_element_factory_make ("webrtcbin", element_name);
  g_assert (self->webrtcbin != NULL);
  gst_object_ref_sink (self->webrtcbin);
  gst_util_set_object_arg (G_OBJECT (self->webrtcbin), "bundle-policy", "max-bundle");

  g_signal_connect (self->webrtcbin, "on-ice-candidate", G_CALLBACK (on_ice_candidate), self);
  g_signal_connect (self->webrtcbin, "notify::connection-state", G_CALLBACK (on_connection_state),
                    self);
  g_signal_connect (self->webrtcbin, "on-new-transceiver", G_CALLBACK (on_new_transceiver), self);
  if (role == BC_SFU_PEER_PUBLISHER)
    g_signal_connect (self->webrtcbin, "pad-added", G_CALLBACK (on_pad_added), self);

  restrict_ice (self);
  gst_bin_add (bc_sfu_relay_get_bin (relay), self->webrtcbin);
  gst_element_sync_state_with_parent (self->webrtcbin);

  if (role == BC_SFU_PEER_SUBSCRIBER)
    {
      /* LiveKit's subscriber data channels; clients adopt them by label. */
      GstWebRTCDataChannel *channel = NULL;
      g_autoptr (GstStructure) lossy = gst_structure_new (
          "options", "ordered", G_TYPE_BOOLEAN, FALSE, "max-retransmits", G_TYPE_INT, 0, NULL);

      g_signal_emit_by_name (self->webrtcbin, "create-data-channel", "_reliable", NULL, &channel);
      if (channel != NULL)
        g_ptr_array_add (self->data_channels, channel);
      channel = NULL;
      g_signal_emit_by_name (self->webrtcbin, "create-data-channel", "_lossy", lossy, &channel);
      if (channel != NULL)
        g_ptr_array_add (self->data_channels, channel);
    }
  return self;
}

BcSfuPeerRole
bc_sfu_peer_get_role (BcSfuPeer *self)
{
  g_return_val_if_fail (BC_IS_SFU_PEER (self), BC_SFU_PEER_PUBLISHER);
  return self->role;
}

gboolean
bc_sfu_peer_is_connected (BcSfuPeer *self)
{
  g_return_val_if_fail (BC_IS_SFU_PEER (self), FALSE);
  return self->state == GST_WEBRTC_PEER_CONNECTION_STATE_CONNECTED;
}

static GstWebRTCSessionDescription *
make_description (GstWebRTCSDPType type, const char *sdp)
{
  GstSDPMessage *message = NULL;

  if (gst_sdp_message_new_from_text (sdp, &message) != GST_SDP_OK)
    return NULL;
  return gst_webrtc_session_description_new (type, message);
}

static void
flush_remote_candidates (BcSfuPeer *self)
{
  for (guint i = 0; i < self->remote_candidates->len; i++)
    {
      Candidate *c = g_ptr_array_index (self->remote_candidates, i);

      g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", c->mline, c->candidate);
    }
  g_ptr_array_set_size (self->remote_candidates, 0);
}

static void
flush_local_candidates (BcSfuPeer *self)
{
  for (guint i = 0; i < self->local_candidates->len; i++)
    {
      Candidate *c = g_ptr_array_index (self->local_candidates, i);
      const char *mid = "";

      if (self->local_mids != NULL && c->mline < g_strv_length (self->local_mids))
        mid = self->local_mids[c->mline];
      g_signal_emit (self, signals[SIGNAL_ICE_CANDIDATE], 0, c->mline, mid, c->candidate);
    }
  g_ptr_array_set_size (self->local_candidates, 0);
}

static void
start_offer (BcSfuPeer *self, const char *sdp, guint id, GStrv inactive_mids)
{
  GstWebRTCSessionDescription *desc = make_description (GST_WEBRTC_SDP_TYPE_OFFER, sdp);
  GstPromise *promise;

  g_strfreev (self->inactive_mids);
  self->inactive_mids = inactive_mids;

  if (desc == NULL)
    {
      fail (self, "The offer could not be parsed");
      return;
    }
  self->busy = TRUE;
  g_object_set_data (G_OBJECT (self), "bc-offer-id", GUINT_TO_POINTER (id));
  promise =
      gst_promise_new_with_change_func (on_remote_offer_set, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);
  self->remote_set = TRUE;
  flush_remote_candidates (self);
}

/**
 * bc_sfu_peer_handle_offer:
 * @id: the offer's id, echoed in the answer
 * @preferred_codecs: (nullable): mid → codec to receive on it
 *
 * Publisher only. The answer comes as ::local-description.
 */
gboolean
bc_sfu_peer_handle_offer (
    BcSfuPeer *self, const char *sdp, guint id, GHashTable *preferred_codecs, GError **error)
{
  g_autofree char *filtered = NULL;
  GStrv inactive_mids;

  g_return_val_if_fail (BC_IS_SFU_PEER (self), FALSE);

  if (self->role != BC_SFU_PEER_PUBLISHER)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "Offers are only accepted on the publisher connection");
      return FALSE;
    }
  if (!bc_sfu_sdp_validate (sdp, error))
    return FALSE;
  filtered = bc_sfu_sdp_filter_offer (sdp, preferred_codecs);
  {
    /* webrtcbin (1.22) cannot make a section active again once it was
     * negotiated inactive ("transceiver direction changes are not
     * implemented"), but a client may reuse a section it had made inactive
     * for a new track. So webrtcbin is shown such a section as send-only
     * (it then receives nothing on it) and the answer sent says inactive. */
    g_autoptr (GPtrArray) changed = g_ptr_array_new_with_free_func (g_free);
    char *swapped = bc_sfu_sdp_swap_direction (filtered, NULL, "inactive", "sendonly", changed);

    g_free (filtered);
    filtered = swapped;
    g_ptr_array_add (changed, NULL);
    inactive_mids = (GStrv) g_ptr_array_free (g_steal_pointer (&changed), FALSE);
  }
  if (self->busy)
    {
      /* Only the newest offer needs an answer: clients ignore answers to
       * offers they have superseded. */
      g_free (self->pending_offer);
      self->pending_offer = g_steal_pointer (&filtered);
      self->pending_offer_id = id;
      g_strfreev (self->pending_inactive_mids);
      self->pending_inactive_mids = inactive_mids;
      return TRUE;
    }
  start_offer (self, filtered, id, inactive_mids);
  return TRUE;
}

/**
 * bc_sfu_peer_handle_answer:
 *
 * Subscriber only: the client's answer to the last ::local-description.
 */
gboolean
bc_sfu_peer_handle_answer (BcSfuPeer *self, const char *sdp, GError **error)
{
  GstWebRTCSessionDescription *desc;
  GstPromise *promise;

  g_return_val_if_fail (BC_IS_SFU_PEER (self), FALSE);

  if (self->role != BC_SFU_PEER_SUBSCRIBER || !self->busy)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "An answer arrived but no offer was made");
      return FALSE;
    }
  if (!bc_sfu_sdp_validate (sdp, error))
    return FALSE;
  desc = make_description (GST_WEBRTC_SDP_TYPE_ANSWER, sdp);
  if (desc == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "The answer could not be parsed");
      return FALSE;
    }
  promise =
      gst_promise_new_with_change_func (on_remote_answer_set, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "set-remote-description", desc, promise);
  gst_webrtc_session_description_free (desc);
  self->remote_set = TRUE;
  flush_remote_candidates (self);
  return TRUE;
}

void
bc_sfu_peer_add_ice_candidate (BcSfuPeer *self, guint mline, const char *candidate)
{
  Candidate *c;

  g_return_if_fail (BC_IS_SFU_PEER (self));

  /* libnice cannot resolve mDNS names; peer-reflexive candidates cover it. */
  if (self->closed || candidate == NULL || *candidate == '\0' ||
      strstr (candidate, ".local ") != NULL)
    return;
  if (self->remote_set)
    {
      g_signal_emit_by_name (self->webrtcbin, "add-ice-candidate", mline, candidate);
      return;
    }
  c = g_new0 (Candidate, 1);
  c->mline = mline;
  c->candidate = g_strdup (candidate);
  g_ptr_array_add (self->remote_candidates, c);
}

static guint
pick_pt (BcSfuPeer *self, gboolean audio)
{
  guint pt;

  if (audio && !g_hash_table_contains (self->used_pts, GUINT_TO_POINTER (111)))
    pt = 111;
  else
    {
      for (pt = 96; pt < 128; pt++)
        if (pt != 111 && !g_hash_table_contains (self->used_pts, GUINT_TO_POINTER (pt)))
          break;
      if (pt >= 128)
        pt = 96 + g_random_int_range (0, 32); /* more than 31 tracks: share */
    }
  g_hash_table_add (self->used_pts, GUINT_TO_POINTER (pt));
  return pt;
}

/**
 * bc_sfu_peer_add_track:
 * @stream_id: LiveKit's packed stream id, "PA_x|TR_y"
 * @track_id: the track sid
 *
 * Subscriber only. Call bc_sfu_peer_negotiate() afterwards.
 */
void
bc_sfu_peer_add_track (BcSfuPeer *self,
                       BcSfuTrack *track,
                       const char *stream_id,
                       const char *track_id)
{
  g_autoptr (GstCaps) caps = NULL;
  GstPadTemplate *templ;
  SubTrack *st;

  g_return_if_fail (BC_IS_SFU_PEER (self));
  g_return_if_fail (self->role == BC_SFU_PEER_SUBSCRIBER);

  if (self->closed || bc_sfu_peer_has_track (self, track))
    return;

  st = g_new0 (SubTrack, 1);
  st->track = g_object_ref (track);
  st->pt = pick_pt (self, !bc_sfu_track_is_video (track));
  do
    st->ssrc = g_random_int ();
  while (st->ssrc == 0);
  st->msid = g_strdup_printf ("%s %s", stream_id, track_id);
  caps = bc_sfu_track_make_caps (track, st->pt, st->ssrc);

  templ = gst_element_get_pad_template (self->webrtcbin, "sink_%u");
  st->sink_pad = gst_element_request_pad (self->webrtcbin, templ, NULL, caps);
  g_object_get (st->sink_pad, "transceiver", &st->transceiver, NULL);
  g_object_set (st->transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_SENDONLY,
                "codec-preferences", caps, NULL);
  /* Video is retransmitted on NACK (webrtcbin adds RTX to the offer). */
  if (bc_sfu_track_is_video (track))
    g_object_set (st->transceiver, "do-nack", TRUE, NULL);
  g_object_set (st->sink_pad, "msid", stream_id, NULL);
  st->branch = bc_sfu_track_add_branch (track, st->sink_pad, st->pt, st->ssrc);
  g_ptr_array_add (self->sub_tracks, st);
}

static SubTrack *
find_sub_track (BcSfuPeer *self, BcSfuTrack *track, guint *out_index)
{
  for (guint i = 0; i < self->sub_tracks->len; i++)
    {
      SubTrack *st = g_ptr_array_index (self->sub_tracks, i);

      if (st->track == track)
        {
          if (out_index)
            *out_index = i;
          return st;
        }
    }
  return NULL;
}

gboolean
bc_sfu_peer_has_track (BcSfuPeer *self, BcSfuTrack *track)
{
  g_return_val_if_fail (BC_IS_SFU_PEER (self), FALSE);
  return find_sub_track (self, track, NULL) != NULL;
}

/**
 * bc_sfu_peer_remove_track:
 *
 * Subscriber only: stops forwarding @track; its section turns inactive at
 * the next negotiation.
 */
void
bc_sfu_peer_remove_track (BcSfuPeer *self, BcSfuTrack *track)
{
  SubTrack *st;
  guint index;

  g_return_if_fail (BC_IS_SFU_PEER (self));

  st = find_sub_track (self, track, &index);
  if (st == NULL)
    return;
  bc_sfu_track_remove_branch (st->track, st->branch);
  if (!self->closed)
    g_object_set (st->transceiver, "direction", GST_WEBRTC_RTP_TRANSCEIVER_DIRECTION_INACTIVE,
                  NULL);
  g_ptr_array_remove_index (self->sub_tracks, index);
}

/**
 * bc_sfu_peer_get_tracks:
 *
 * Returns: (transfer none) (element-type BcSfuTrack): a publisher's tracks
 */
GPtrArray *
bc_sfu_peer_get_tracks (BcSfuPeer *self)
{
  g_return_val_if_fail (BC_IS_SFU_PEER (self), NULL);
  return self->tracks;
}

/**
 * bc_sfu_peer_negotiate:
 *
 * Subscriber only: sends a new offer now, or after the outstanding one is
 * answered.
 */
void
bc_sfu_peer_negotiate (BcSfuPeer *self)
{
  GstPromise *promise;

  g_return_if_fail (BC_IS_SFU_PEER (self));
  g_return_if_fail (self->role == BC_SFU_PEER_SUBSCRIBER);

  if (self->closed)
    return;
  if (self->busy)
    {
      self->renegotiate = TRUE;
      return;
    }
  self->busy = TRUE;
  self->renegotiate = FALSE;
  promise =
      gst_promise_new_with_change_func (on_offer_created, g_object_ref (self), g_object_unref);
  g_signal_emit_by_name (self->webrtcbin, "create-offer", NULL, promise);
}

/**
 * bc_sfu_peer_close:
 *
 * Takes the connection and everything it forwards out of the pipeline.
 * Subscribers of a publisher's tracks must have been detached first.
 */
void
bc_sfu_peer_close (BcSfuPeer *self)
{
  g_return_if_fail (BC_IS_SFU_PEER (self));

  if (self->closed)
    return;
  self->closed = TRUE;

  g_signal_handlers_disconnect_by_data (self->webrtcbin, self);
  while (self->sub_tracks->len > 0)
    {
      SubTrack *st = g_ptr_array_index (self->sub_tracks, self->sub_tracks->len - 1);

      bc_sfu_track_remove_branch (st->track, st->branch);
      g_ptr_array_remove_index (self->sub_tracks, self->sub_tracks->len - 1);
    }
  g_ptr_array_set_size (self->data_channels, 0);

  gst_element_set_locked_state (self->webrtcbin, TRUE);
  gst_element_set_state (self->webrtcbin, GST_STATE_NULL);
  for (guint i = 0; i < self->tracks->len; i++)
    bc_sfu_track_detach (g_ptr_array_index (self->tracks, i));
  g_ptr_array_set_size (self->tracks, 0);
  if (GST_OBJECT_PARENT (self->webrtcbin) != NULL)
    gst_bin_remove (bc_sfu_relay_get_bin (self->relay), self->webrtcbin);
  gst_clear_object (&self->webrtcbin);
}
