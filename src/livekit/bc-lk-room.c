/* bc-lk-room.c: a LiveKit room as seen by one participant
 *
 * The room drives one signal connection and up to two peer connections
 * (publisher and subscriber, LiveKit's "v0" dual-PC protocol). It keeps the
 * remote participants and their tracks, the local tracks (so a full rejoin
 * can publish them again) and the refresh token.
 *
 * Reconnecting follows LiveKit's SDKs: a resume first (reconnect=1 on the
 * same participant, ICE restart, SyncState), a full rejoin when the server
 * asks for it or the resume cannot work, with delays of 0, 0.3, 1.2, 2.7, 4.8
 * then 7 s, giving up after a minute.
 */
#define G_LOG_DOMAIN "bc-livekit"

#include "config.h"

#include "bc-lk-room.h"

#include <gst/webrtc/webrtc.h>
#include <string.h>

#include "bc-lk-error.h"
#include "bc-lk-peer.h"
#include "bc-lk-proto.h"
#include "bc-lk-signal.h"
#include "bc-lk-util.h"

/* Time for the primary peer connection to come up (LiveKit JS: 15 s). */
#define MEDIA_TIMEOUT_S 15
/* Time for the server to answer AddTrack (LiveKit JS: 10 s). */
#define PUBLISH_TIMEOUT_S 20
/* Reconnecting stops after this long by default. */
#define RECONNECT_TIMEOUT_S 60

static const guint reconnect_delays_ms[] = {
  0, 300, 1200, 2700, 4800, 7000, 7000, 7000, 7000, 7000
};

typedef enum
{
  ATTEMPT_INITIAL,
  ATTEMPT_RESUME,
  ATTEMPT_REJOIN,
} AttemptKind;

typedef struct
{
  char *sid;
  BcLkTrackKind kind;
  BcLkTrackSource source;
  char *name;
  gboolean muted;
} RemoteTrack;

typedef struct
{
  char *sid;
  char *identity;
  guint32 version;
  GHashTable *tracks; /* sid -> RemoteTrack */
} Participant;

typedef struct
{
  BcLkTrackKind kind;
  BcLkTrackSource source;
  char *name;
  guint width;
  guint height;
  GstElement *element;
  char *cid;
  char *sid;
  gboolean muted;
  GTask *task;
  guint timeout_id;
  BcLkRoom *room;
  guint offer_before; /* the publisher's latest offer id when it was added */
  gboolean negotiated;
} LocalTrack;

struct _BcLkRoom
{
  GObject parent_instance;

  BcLkRoomState state;
  gboolean loopback_only;
  gboolean relay_only;
  guint reconnect_timeout_s;
  guint latency_ms;

  char *url;
  char *token;
  char *refresh_token;

  BcLkSignal *signal;
  BcLkPeer *publisher;
  BcLkPeer *subscriber;
  Livekit__SignalResponse *join; /* the last JoinResponse */

  char *room_name;
  char *local_sid;
  char *local_identity;
  gboolean can_publish;
  gboolean can_subscribe;
  gboolean subscriber_primary;
  int ping_interval;
  int ping_timeout;

  GMutex lock;              /* participants and subscribed, read from streaming threads */
  GHashTable *participants; /* sid -> Participant */
  GHashTable *subscribed;   /* track sids with a pad */

  GPtrArray *local_tracks; /* LocalTrack */

  /* The connect or reconnect attempt in progress. */
  GTask *connect_task;
  GCancellable *user_cancellable;
  gulong user_cancel_id;
  GCancellable *attempt_cancellable;
  AttemptKind attempt_kind;
  gboolean waiting_media;
  guint media_timeout_id;

  guint reconnect_attempt;
  guint reconnect_timer_id;
  guint reconnect_deadline_id;
  gboolean full_reconnect_next;
  Livekit__ReconnectReason reconnect_reason;
  int give_up_reason;

  int disconnect_reason;
  char *disconnect_message;
};

G_DEFINE_FINAL_TYPE (BcLkRoom, bc_lk_room, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_STATE,
  PROP_LOOPBACK_ONLY,
  PROP_RELAY_ONLY,
  PROP_RECONNECT_TIMEOUT,
  PROP_LATENCY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_PARTICIPANT_CONNECTED,
  SIGNAL_PARTICIPANT_DISCONNECTED,
  SIGNAL_TRACK_PUBLISHED,
  SIGNAL_TRACK_UNPUBLISHED,
  SIGNAL_TRACK_SUBSCRIBED,
  SIGNAL_TRACK_MUTED,
  SIGNAL_DISCONNECTED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

GType
bc_lk_room_state_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { BC_LK_ROOM_STATE_DISCONNECTED, "BC_LK_ROOM_STATE_DISCONNECTED", "disconnected" },
        { BC_LK_ROOM_STATE_CONNECTING, "BC_LK_ROOM_STATE_CONNECTING", "connecting" },
        { BC_LK_ROOM_STATE_CONNECTED, "BC_LK_ROOM_STATE_CONNECTED", "connected" },
        { BC_LK_ROOM_STATE_RECONNECTING, "BC_LK_ROOM_STATE_RECONNECTING", "reconnecting" },
        { BC_LK_ROOM_STATE_FAILED, "BC_LK_ROOM_STATE_FAILED", "failed" },
        { 0, NULL, NULL },
      };
      GType type = g_enum_register_static (g_intern_static_string ("BcLkRoomState"), values);

      g_once_init_leave (&type_id, type);
    }
  return type_id;
}

static void start_attempt (BcLkRoom *self);
static void attempt_failed (BcLkRoom *self, GError *error);
static void start_reconnect (BcLkRoom *self, Livekit__ReconnectReason reason, gboolean full);
static void publish_local (BcLkRoom *self, LocalTrack *track);
static void check_media (BcLkRoom *self);
static void drop_user_cancellable (BcLkRoom *self);

/* ------------------------------------------------------------------------ */
/* Small types */

static void
remote_track_free (RemoteTrack *track)
{
  g_free (track->sid);
  g_free (track->name);
  g_free (track);
}

static void
participant_free (Participant *p)
{
  g_free (p->sid);
  g_free (p->identity);
  g_hash_table_unref (p->tracks);
  g_free (p);
}

static void
local_track_free (LocalTrack *track)
{
  g_clear_handle_id (&track->timeout_id, g_source_remove);
  if (track->task != NULL)
    {
      g_task_return_new_error (track->task, BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED,
                               "Left the room before the track was published");
      g_clear_object (&track->task);
    }
  g_clear_object (&track->element);
  g_free (track->name);
  g_free (track->cid);
  g_free (track->sid);
  g_free (track);
}

/* Room events are collected while the state is updated and emitted after,
 * so handlers may call back into the room. */
typedef enum
{
  EVENT_PARTICIPANT_CONNECTED,
  EVENT_PARTICIPANT_DISCONNECTED,
  EVENT_TRACK_PUBLISHED,
  EVENT_TRACK_UNPUBLISHED,
  EVENT_TRACK_MUTED,
} EventType;

typedef struct
{
  EventType type;
  char *participant_sid;
  char *identity;
  char *track_sid;
  char *name;
  BcLkTrackKind kind;
  BcLkTrackSource source;
  gboolean muted;
} Event;

static void
event_free (Event *event)
{
  g_free (event->participant_sid);
  g_free (event->identity);
  g_free (event->track_sid);
  g_free (event->name);
  g_free (event);
}

static void
add_event (GPtrArray *events, EventType type, Participant *p, RemoteTrack *t)
{
  Event *event = g_new0 (Event, 1);

  event->type = type;
  event->participant_sid = g_strdup (p->sid);
  event->identity = g_strdup (p->identity);
  if (t != NULL)
    {
      event->track_sid = g_strdup (t->sid);
      event->name = g_strdup (t->name);
      event->kind = t->kind;
      event->source = t->source;
      event->muted = t->muted;
    }
  g_ptr_array_add (events, event);
}

static void
emit_events (BcLkRoom *self, GPtrArray *events)
{
  g_object_ref (self);
  for (guint i = 0; i < events->len; i++)
    {
      Event *e = g_ptr_array_index (events, i);

      switch (e->type)
        {
        case EVENT_PARTICIPANT_CONNECTED:
          g_signal_emit (self, signals[SIGNAL_PARTICIPANT_CONNECTED], 0, e->participant_sid,
                         e->identity);
          break;
        case EVENT_PARTICIPANT_DISCONNECTED:
          g_signal_emit (self, signals[SIGNAL_PARTICIPANT_DISCONNECTED], 0, e->participant_sid,
                         e->identity);
          break;
        case EVENT_TRACK_PUBLISHED:
          g_signal_emit (self, signals[SIGNAL_TRACK_PUBLISHED], 0, e->participant_sid, e->identity,
                         e->track_sid, (int) e->kind, (int) e->source, e->name);
          break;
        case EVENT_TRACK_UNPUBLISHED:
          g_signal_emit (self, signals[SIGNAL_TRACK_UNPUBLISHED], 0, e->participant_sid,
                         e->identity, e->track_sid);
          break;
        case EVENT_TRACK_MUTED:
          g_signal_emit (self, signals[SIGNAL_TRACK_MUTED], 0, e->participant_sid, e->track_sid,
                         e->muted);
          break;
        }
    }
  g_object_unref (self);
}

/* ------------------------------------------------------------------------ */
/* State */

static void
set_state (BcLkRoom *self, BcLkRoomState state)
{
  if (self->state == state)
    return;
  g_debug ("Room state %d -> %d", self->state, state);
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
drop_signal (BcLkRoom *self, gboolean leave, Livekit__DisconnectReason reason)
{
  g_autoptr (BcLkSignal) signal = g_steal_pointer (&self->signal);

  if (signal == NULL)
    return;
  g_signal_handlers_disconnect_by_data (signal, self);
  if (leave)
    bc_lk_signal_leave (signal, reason, LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
  else
    bc_lk_signal_close (signal);
}

static void
drop_peer (BcLkRoom *self, BcLkPeer **peer)
{
  g_autoptr (BcLkPeer) p = g_steal_pointer (peer);

  if (p == NULL)
    return;
  g_signal_handlers_disconnect_by_data (p, self);
  bc_lk_peer_close (p);
}

/* Takes the local tracks' sources out of the publisher so that a new one can
 * carry them. */
static void
detach_local_tracks (BcLkRoom *self)
{
  for (guint i = 0; i < self->local_tracks->len; i++)
    {
      LocalTrack *t = g_ptr_array_index (self->local_tracks, i);

      if (self->publisher != NULL && t->cid != NULL)
        {
          GstElement *element = bc_lk_peer_remove_track (self->publisher, t->cid);

          g_clear_object (&element);
        }
      g_clear_pointer (&t->cid, g_free);
      g_clear_handle_id (&t->timeout_id, g_source_remove);
    }
}

static void
teardown_media (BcLkRoom *self)
{
  detach_local_tracks (self);
  drop_peer (self, &self->publisher);
  drop_peer (self, &self->subscriber);
  g_mutex_lock (&self->lock);
  g_hash_table_remove_all (self->subscribed);
  g_mutex_unlock (&self->lock);
  self->waiting_media = FALSE;
  g_clear_handle_id (&self->media_timeout_id, g_source_remove);
}

static void
stop_reconnecting (BcLkRoom *self)
{
  g_clear_handle_id (&self->reconnect_timer_id, g_source_remove);
  g_clear_handle_id (&self->reconnect_deadline_id, g_source_remove);
  self->reconnect_attempt = 0;
  self->full_reconnect_next = FALSE;
  self->give_up_reason = 0;
}

static void
cancel_attempt (BcLkRoom *self)
{
  if (self->attempt_cancellable != NULL)
    g_cancellable_cancel (self->attempt_cancellable);
  g_clear_object (&self->attempt_cancellable);
}

/* Ends everything; @reason is LiveKit's DisconnectReason. */
static void
finish_disconnected (
    BcLkRoom *self, BcLkRoomState state, int reason, const char *message, gboolean send_leave)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  GHashTableIter iter;
  Participant *p;

  stop_reconnecting (self);
  cancel_attempt (self);
  drop_user_cancellable (self);
  drop_signal (self, send_leave, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED);
  teardown_media (self);

  for (guint i = 0; i < self->local_tracks->len; i++)
    {
      LocalTrack *t = g_ptr_array_index (self->local_tracks, i);

      if (t->task != NULL)
        {
          g_task_return_new_error (t->task, BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED, "%s", message);
          g_clear_object (&t->task);
        }
    }

  g_mutex_lock (&self->lock);
  g_hash_table_iter_init (&iter, self->participants);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
    add_event (events, EVENT_PARTICIPANT_DISCONNECTED, p, NULL);
  g_hash_table_remove_all (self->participants);
  g_mutex_unlock (&self->lock);

  self->disconnect_reason = reason;
  g_free (self->disconnect_message);
  self->disconnect_message = g_strdup (message);

  g_object_ref (self);
  set_state (self, state);
  emit_events (self, events);
  g_signal_emit (self, signals[SIGNAL_DISCONNECTED], 0, reason, message);
  g_object_unref (self);
}

/* ------------------------------------------------------------------------ */
/* Participants */

static BcLkTrackKind
kind_from_type (Livekit__TrackType type)
{
  return type == LIVEKIT__TRACK_TYPE__AUDIO ? BC_LK_TRACK_KIND_AUDIO : BC_LK_TRACK_KIND_VIDEO;
}

static void
remove_participant_locked (BcLkRoom *self, Participant *p, GPtrArray *events)
{
  GHashTableIter iter;
  RemoteTrack *t;

  g_hash_table_iter_init (&iter, p->tracks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    add_event (events, EVENT_TRACK_UNPUBLISHED, p, t);
  add_event (events, EVENT_PARTICIPANT_DISCONNECTED, p, NULL);
  g_hash_table_remove (self->participants, p->sid);
}

static void
apply_participant_locked (BcLkRoom *self, Livekit__ParticipantInfo *info, GPtrArray *events)
{
  Participant *p;
  g_autoptr (GHashTable) seen = NULL;
  GHashTableIter iter;
  RemoteTrack *t;

  if (info->sid == NULL || *info->sid == '\0')
    return;
  if (g_strcmp0 (info->sid, self->local_sid) == 0)
    {
      if (info->permission != NULL)
        {
          self->can_publish = info->permission->can_publish;
          self->can_subscribe = info->permission->can_subscribe;
        }
      return;
    }

  p = g_hash_table_lookup (self->participants, info->sid);
  /* LiveKit's SDKs ignore infos older than the one they have. */
  if (p != NULL && info->version != 0 && info->version < p->version)
    return;

  if (info->state == LIVEKIT__PARTICIPANT_INFO__STATE__DISCONNECTED)
    {
      if (p != NULL)
        remove_participant_locked (self, p, events);
      return;
    }

  if (p == NULL)
    {
      p = g_new0 (Participant, 1);
      p->sid = g_strdup (info->sid);
      p->identity = g_strdup (info->identity);
      p->tracks =
          g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) remote_track_free);
      g_hash_table_insert (self->participants, p->sid, p);
      add_event (events, EVENT_PARTICIPANT_CONNECTED, p, NULL);
    }
  p->version = info->version;

  seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (gsize i = 0; i < info->n_tracks; i++)
    {
      Livekit__TrackInfo *ti = info->tracks[i];

      if (ti->sid == NULL || *ti->sid == '\0')
        continue;
      g_hash_table_add (seen, ti->sid);
      t = g_hash_table_lookup (p->tracks, ti->sid);
      if (t == NULL)
        {
          t = g_new0 (RemoteTrack, 1);
          t->sid = g_strdup (ti->sid);
          t->kind = kind_from_type (ti->type);
          t->source = (BcLkTrackSource) ti->source;
          t->name = g_strdup (ti->name);
          t->muted = ti->muted;
          g_hash_table_insert (p->tracks, t->sid, t);
          add_event (events, EVENT_TRACK_PUBLISHED, p, t);
          if (t->muted)
            add_event (events, EVENT_TRACK_MUTED, p, t);
        }
      else if (t->muted != ti->muted)
        {
          t->muted = ti->muted;
          add_event (events, EVENT_TRACK_MUTED, p, t);
        }
    }
  g_hash_table_iter_init (&iter, p->tracks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    if (!g_hash_table_contains (seen, t->sid))
      {
        add_event (events, EVENT_TRACK_UNPUBLISHED, p, t);
        g_hash_table_iter_remove (&iter);
      }
}

static void
apply_participants (BcLkRoom *self,
                    Livekit__ParticipantInfo **infos,
                    gsize n_infos,
                    gboolean complete)
{
  g_autoptr (GPtrArray) events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);

  g_mutex_lock (&self->lock);
  if (complete)
    {
      /* A JoinResponse lists everyone: whoever is missing has left. */
      g_autoptr (GPtrArray) gone = g_ptr_array_new ();
      GHashTableIter iter;
      Participant *p;

      g_hash_table_iter_init (&iter, self->participants);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &p))
        {
          gboolean found = FALSE;

          for (gsize i = 0; i < n_infos && !found; i++)
            found = g_strcmp0 (infos[i]->sid, p->sid) == 0;
          if (!found)
            g_ptr_array_add (gone, p);
        }
      for (guint i = 0; i < gone->len; i++)
        remove_participant_locked (self, g_ptr_array_index (gone, i), events);
    }
  for (gsize i = 0; i < n_infos; i++)
    apply_participant_locked (self, infos[i], events);
  g_mutex_unlock (&self->lock);

  emit_events (self, events);
}

char *
bc_lk_room_dup_participant_identity (BcLkRoom *self, const char *participant_sid)
{
  Participant *p;
  char *identity = NULL;

  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);

  g_mutex_lock (&self->lock);
  p = participant_sid != NULL ? g_hash_table_lookup (self->participants, participant_sid) : NULL;
  if (p != NULL)
    identity = g_strdup (p->identity);
  g_mutex_unlock (&self->lock);
  return identity;
}

/* ------------------------------------------------------------------------ */
/* Sending */

static gboolean
send_request (BcLkRoom *self, const Livekit__SignalRequest *request)
{
  if (self->signal == NULL)
    return FALSE;
  return bc_lk_signal_send (self->signal, request);
}

static void
on_peer_local_description (
    BcLkPeer *peer, const char *type, const char *sdp, guint id, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__SessionDescription desc = LIVEKIT__SESSION_DESCRIPTION__INIT;

  desc.type = (char *) type;
  desc.sdp = (char *) sdp;
  desc.id = id;
  if (g_str_equal (type, "offer"))
    {
      request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER;
      request.offer = &desc;
    }
  else
    {
      request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ANSWER;
      request.answer = &desc;
    }
  send_request (self, &request);
}

static void
on_peer_local_candidate (BcLkPeer *peer, const char *candidate_init, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__TrickleRequest trickle = LIVEKIT__TRICKLE_REQUEST__INIT;

  trickle.candidateinit = (char *) candidate_init;
  trickle.target = (Livekit__SignalTarget) bc_lk_peer_get_role (peer);
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRICKLE;
  request.trickle = &trickle;
  send_request (self, &request);
}

/* ------------------------------------------------------------------------ */
/* Peers */

static BcLkPeer *
primary_peer (BcLkRoom *self)
{
  return self->subscriber_primary ? self->subscriber : self->publisher;
}

static void
on_peer_state_changed (BcLkPeer *peer, int state, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  g_debug ("%s peer state %d",
           bc_lk_peer_get_role (peer) == BC_LK_PEER_PUBLISHER ? "Publisher" : "Subscriber", state);
  if (self->waiting_media)
    {
      if (state == BC_LK_PEER_STATE_FAILED && peer == primary_peer (self))
        {
          self->full_reconnect_next = TRUE;
          attempt_failed (self, g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_MEDIA,
                                                     "The media connection failed"));
          return;
        }
      check_media (self);
      return;
    }
  if (state == BC_LK_PEER_STATE_FAILED && self->state == BC_LK_ROOM_STATE_CONNECTED)
    start_reconnect (self,
                     peer == self->publisher ? LIVEKIT__RECONNECT_REASON__RR_PUBLISHER_FAILED
                                             : LIVEKIT__RECONNECT_REASON__RR_SUBSCRIBER_FAILED,
                     FALSE);
}

static void
on_peer_error (BcLkPeer *peer, GError *error, gpointer user_data)
{
  /* Runtime trouble from the network or the server, not a bug here: the
   * state machine recovers through its media and reconnect timeouts. */
  g_message ("%s", error->message);
}

static void
on_subscriber_track (
    BcLkPeer *peer, GstPad *pad, const char *msid, const char *mid, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);
  g_autofree char *participant_sid = NULL;
  g_autofree char *track_sid = NULL;
  g_autofree char *identity = NULL;
  BcLkTrackKind kind = BC_LK_TRACK_KIND_VIDEO;
  gboolean known = FALSE;
  g_autoptr (GstCaps) caps = NULL;

  /* Streaming thread. */
  if (!bc_lk_stream_id_parse (msid, &participant_sid, &track_sid))
    {
      g_debug ("Remote track without a LiveKit stream id (msid %s)", msid);
    }

  g_mutex_lock (&self->lock);
  if (participant_sid != NULL)
    {
      Participant *p = g_hash_table_lookup (self->participants, participant_sid);
      RemoteTrack *t = p != NULL ? g_hash_table_lookup (p->tracks, track_sid) : NULL;

      if (p != NULL)
        identity = g_strdup (p->identity);
      if (t != NULL)
        {
          kind = t->kind;
          known = TRUE;
        }
      g_hash_table_add (self->subscribed, g_strdup (track_sid));
    }
  g_mutex_unlock (&self->lock);

  if (!known)
    {
      /* The participant update may still be on its way: webrtcbin knows the
       * kind from the offer. */
      g_autoptr (GstWebRTCRTPTransceiver) transceiver = NULL;
      GstWebRTCKind webrtc_kind = GST_WEBRTC_KIND_UNKNOWN;

      g_object_get (pad, "transceiver", &transceiver, NULL);
      if (transceiver != NULL)
        g_object_get (transceiver, "kind", &webrtc_kind, NULL);
      if (webrtc_kind == GST_WEBRTC_KIND_AUDIO)
        kind = BC_LK_TRACK_KIND_AUDIO;
      else if (webrtc_kind == GST_WEBRTC_KIND_UNKNOWN)
        {
          GstStructure *s;

          caps = gst_pad_get_current_caps (pad);
          if (caps == NULL)
            caps = gst_pad_query_caps (pad, NULL);
          s = caps != NULL && gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0)
                                                           : NULL;
          if (s != NULL && g_strcmp0 (gst_structure_get_string (s, "media"), "audio") == 0)
            kind = BC_LK_TRACK_KIND_AUDIO;
        }
    }

  g_signal_emit (self, signals[SIGNAL_TRACK_SUBSCRIBED], 0, participant_sid, identity, track_sid,
                 (int) kind, pad, bc_lk_peer_get_bin (peer));
}

/* A server on this host (bountycam-server's built-in SFU) offers only
 * 127.0.0.1, and libnice does not pair that with the host's other
 * addresses: gather loopback candidates too, and only those. */
static gboolean
url_is_loopback (const char *url)
{
  g_autoptr (GUri) uri = url ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;
  g_autoptr (GInetAddress) address = host ? g_inet_address_new_from_string (host) : NULL;

  if (host != NULL && g_ascii_strcasecmp (host, "localhost") == 0)
    return TRUE;
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* Any thread (rtpbin's). Three packets in a row: a keyframe alone is more. */
static void
on_new_jitterbuffer (
    GstElement *rtpbin, GstElement *jitterbuffer, guint session, guint ssrc, gpointer data)
{
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (jitterbuffer), "faststart-min-packets"))
    g_object_set (jitterbuffer, "faststart-min-packets", 3u, NULL);
}

static BcLkPeer *
create_peer (BcLkRoom *self, BcLkPeerRole role, GError **error)
{
  g_autoptr (BcLkPeer) peer =
      bc_lk_peer_new (role, self->loopback_only || url_is_loopback (self->url), self->relay_only);

  if (self->join != NULL && self->join->join != NULL)
    bc_lk_peer_set_ice_servers (peer, self->join->join->ice_servers,
                                self->join->join->n_ice_servers);
  g_signal_connect (peer, "local-description", G_CALLBACK (on_peer_local_description), self);
  g_signal_connect (peer, "local-candidate", G_CALLBACK (on_peer_local_candidate), self);
  g_signal_connect (peer, "state-changed", G_CALLBACK (on_peer_state_changed), self);
  g_signal_connect (peer, "error", G_CALLBACK (on_peer_error), self);
  if (role == BC_LK_PEER_SUBSCRIBER)
    {
      g_autoptr (GstElement) rtpbin = NULL;

      g_object_set (bc_lk_peer_get_webrtcbin (peer), "latency", self->latency_ms, NULL);
      /* A jitter buffer holds the first packet for its whole latency before
       * it lets anything through; with faststart it starts as soon as a few
       * packets in a row have come, which brings the first frame sooner. */
      rtpbin = gst_bin_get_by_name (GST_BIN (bc_lk_peer_get_webrtcbin (peer)), "rtpbin");
      if (rtpbin != NULL)
        g_signal_connect (rtpbin, "new-jitterbuffer", G_CALLBACK (on_new_jitterbuffer), NULL);
      g_signal_connect (peer, "track", G_CALLBACK (on_subscriber_track), self);
    }
  if (!bc_lk_peer_start (peer, error))
    {
      g_signal_handlers_disconnect_by_data (peer, self);
      bc_lk_peer_close (peer);
      return NULL;
    }
  return g_steal_pointer (&peer);
}

static void on_publisher_answer_applied (BcLkPeer *peer, guint id, gpointer user_data);

static gboolean
ensure_publisher (BcLkRoom *self, GError **error)
{
  if (self->publisher != NULL)
    return TRUE;
  self->publisher = create_peer (self, BC_LK_PEER_PUBLISHER, error);
  if (self->publisher != NULL)
    g_signal_connect (self->publisher, "answer-applied", G_CALLBACK (on_publisher_answer_applied),
                      self);
  return self->publisher != NULL;
}

static gboolean
ensure_subscriber (BcLkRoom *self, GError **error)
{
  if (self->subscriber != NULL)
    return TRUE;
  self->subscriber = create_peer (self, BC_LK_PEER_SUBSCRIBER, error);
  return self->subscriber != NULL;
}

/* ------------------------------------------------------------------------ */
/* Attempts: connect, resume, rejoin */

static void
attempt_succeeded (BcLkRoom *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

  self->waiting_media = FALSE;
  g_clear_handle_id (&self->media_timeout_id, g_source_remove);
  stop_reconnecting (self);
  drop_user_cancellable (self);
  set_state (self, BC_LK_ROOM_STATE_CONNECTED);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

static void
check_media (BcLkRoom *self)
{
  BcLkPeer *primary = primary_peer (self);

  if (!self->waiting_media)
    return;
  if (primary != NULL && bc_lk_peer_get_state (primary) == BC_LK_PEER_STATE_CONNECTED)
    attempt_succeeded (self);
}

static gboolean
on_media_timeout (gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  self->media_timeout_id = 0;
  self->full_reconnect_next = TRUE;
  attempt_failed (self, g_error_new (BC_LK_ERROR, BC_LK_ERROR_TIMEOUT,
                                     "The media connection to the LiveKit server did not come "
                                     "up within %d s (blocked UDP? try a TURN relay)",
                                     MEDIA_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

static void
wait_for_media (BcLkRoom *self)
{
  self->waiting_media = TRUE;
  g_clear_handle_id (&self->media_timeout_id, g_source_remove);
  self->media_timeout_id = g_timeout_add_seconds (MEDIA_TIMEOUT_S, on_media_timeout, self);
  check_media (self);
}

static gboolean
give_up (gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);
  g_autofree char *message = NULL;

  self->reconnect_deadline_id = 0;
  /* Say how long we tried: the timeout is a property. */
  if (self->give_up_reason == LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN)
    {
      message = g_strdup_printf ("The video server shut down and did not come back within %u s",
                                 self->reconnect_timeout_s);
      finish_disconnected (self, BC_LK_ROOM_STATE_FAILED, self->give_up_reason, message, FALSE);
    }
  else
    {
      message = g_strdup_printf ("Lost the connection to the video server and could not get it "
                                 "back within %u s",
                                 self->reconnect_timeout_s);
      finish_disconnected (self, BC_LK_ROOM_STATE_FAILED,
                           LIVEKIT__DISCONNECT_REASON__CONNECTION_TIMEOUT, message, FALSE);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
run_attempt (gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  self->reconnect_timer_id = 0;
  self->reconnect_attempt++;
  start_attempt (self);
  return G_SOURCE_REMOVE;
}

static void
schedule_attempt (BcLkRoom *self)
{
  if (self->reconnect_attempt >= G_N_ELEMENTS (reconnect_delays_ms))
    {
      give_up (self);
      return;
    }
  g_clear_handle_id (&self->reconnect_timer_id, g_source_remove);
  self->reconnect_timer_id =
      g_timeout_add (reconnect_delays_ms[self->reconnect_attempt], run_attempt, self);
}

static void
attempt_failed (BcLkRoom *self, GError *error)
{
  g_autoptr (GError) owned = error;

  self->waiting_media = FALSE;
  g_clear_handle_id (&self->media_timeout_id, g_source_remove);
  cancel_attempt (self);

  if (self->attempt_kind == ATTEMPT_INITIAL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

      drop_user_cancellable (self);
      drop_signal (self, TRUE, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED);
      teardown_media (self);
      set_state (self, BC_LK_ROOM_STATE_FAILED);
      if (task != NULL)
        g_task_return_error (task, g_steal_pointer (&owned));
      return;
    }

  g_debug ("Reconnect attempt %u failed: %s", self->reconnect_attempt, owned->message);
  if (g_error_matches (owned, BC_LK_ERROR, BC_LK_ERROR_TOKEN_REJECTED) ||
      g_error_matches (owned, BC_LK_ERROR, BC_LK_ERROR_ROOM_NOT_FOUND))
    {
      finish_disconnected (self, BC_LK_ROOM_STATE_FAILED, LIVEKIT__DISCONNECT_REASON__JOIN_FAILURE,
                           owned->message, FALSE);
      return;
    }
  drop_signal (self, FALSE, 0);
  /* A server that asked for a full rejoin is up: no reason to wait. */
  if (g_error_matches (owned, BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED) && self->full_reconnect_next &&
      self->reconnect_attempt < G_N_ELEMENTS (reconnect_delays_ms))
    {
      g_clear_handle_id (&self->reconnect_timer_id, g_source_remove);
      self->reconnect_timer_id = g_idle_add (run_attempt, self);
      return;
    }
  schedule_attempt (self);
}

static void
send_sync_state (BcLkRoom *self)
{
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__SyncState sync = LIVEKIT__SYNC_STATE__INIT;
  Livekit__SessionDescription answer = LIVEKIT__SESSION_DESCRIPTION__INIT;
  Livekit__SessionDescription offer = LIVEKIT__SESSION_DESCRIPTION__INIT;
  Livekit__UpdateSubscription subscription = LIVEKIT__UPDATE_SUBSCRIPTION__INIT;
  g_autoptr (GPtrArray) published = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) infos = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) channels = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) subscribed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) gst_channels = NULL;
  const char *type = NULL;
  const char *sdp;
  guint id = 0;

  if (self->subscriber != NULL &&
      (sdp = bc_lk_peer_get_local_sdp (self->subscriber, &type, &id)) != NULL)
    {
      answer.type = (char *) type;
      answer.sdp = (char *) sdp;
      answer.id = id;
      sync.answer = &answer;
    }
  if (self->publisher != NULL &&
      (sdp = bc_lk_peer_get_local_sdp (self->publisher, &type, &id)) != NULL)
    {
      offer.type = (char *) type;
      offer.sdp = (char *) sdp;
      offer.id = id;
      sync.offer = &offer;
    }

  g_mutex_lock (&self->lock);
  {
    GHashTableIter iter;
    const char *sid;

    g_hash_table_iter_init (&iter, self->subscribed);
    while (g_hash_table_iter_next (&iter, (gpointer *) &sid, NULL))
      g_ptr_array_add (subscribed, g_strdup (sid));
  }
  g_mutex_unlock (&self->lock);
  subscription.subscribe = TRUE;
  subscription.n_track_sids = subscribed->len;
  subscription.track_sids = (char **) subscribed->pdata;
  sync.subscription = &subscription;

  for (guint i = 0; i < self->local_tracks->len; i++)
    {
      LocalTrack *t = g_ptr_array_index (self->local_tracks, i);
      Livekit__TrackPublishedResponse *tp;
      Livekit__TrackInfo *info;

      if (t->sid == NULL)
        continue;
      tp = g_new0 (Livekit__TrackPublishedResponse, 1);
      info = g_new0 (Livekit__TrackInfo, 1);
      livekit__track_published_response__init (tp);
      livekit__track_info__init (info);
      info->sid = t->sid;
      info->type = (Livekit__TrackType) t->kind;
      info->name = t->name;
      info->source = (Livekit__TrackSource) t->source;
      info->muted = t->muted;
      info->width = t->width;
      info->height = t->height;
      tp->cid = t->cid;
      tp->track = info;
      g_ptr_array_add (published, tp);
      g_ptr_array_add (infos, info);
    }
  sync.n_publish_tracks = published->len;
  sync.publish_tracks = (Livekit__TrackPublishedResponse **) published->pdata;

  for (int role = 0; role < 2; role++)
    {
      BcLkPeer *peer = role == 0 ? self->publisher : self->subscriber;

      if (peer == NULL)
        continue;
      gst_channels = bc_lk_peer_list_data_channels (peer);
      for (guint i = 0; i < gst_channels->len; i++)
        {
          GstWebRTCDataChannel *channel = g_ptr_array_index (gst_channels, i);
          Livekit__DataChannelInfo *dc = g_new0 (Livekit__DataChannelInfo, 1);
          int channel_id = -1;
          g_autofree char *label = NULL;

          livekit__data_channel_info__init (dc);
          g_object_get (channel, "label", &label, "id", &channel_id, NULL);
          /* Only the fixed labels are kept, so static strings do. */
          dc->label = g_strcmp0 (label, "_reliable") == 0 ? "_reliable"
                      : g_strcmp0 (label, "_lossy") == 0  ? "_lossy"
                                                          : "";
          dc->id = channel_id >= 0 ? (guint) channel_id : 0;
          dc->target = (Livekit__SignalTarget) role;
          g_ptr_array_add (channels, dc);
        }
      g_clear_pointer (&gst_channels, g_ptr_array_unref);
    }
  sync.n_data_channels = channels->len;
  sync.data_channels = (Livekit__DataChannelInfo **) channels->pdata;

  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_SYNC_STATE;
  request.sync_state = &sync;
  send_request (self, &request);
}

static void
apply_join (BcLkRoom *self, Livekit__SignalResponse *first)
{
  Livekit__JoinResponse *join = first->join;

  g_clear_pointer (&self->join, bc_lk_signal_response_free);
  self->join = first;

  g_free (self->room_name);
  self->room_name = g_strdup (join->room != NULL ? join->room->name : NULL);
  g_free (self->local_sid);
  self->local_sid = g_strdup (join->participant != NULL ? join->participant->sid : NULL);
  g_free (self->local_identity);
  self->local_identity = g_strdup (join->participant != NULL ? join->participant->identity : NULL);
  /* No permission block means no restriction (old servers). */
  self->can_publish = TRUE;
  self->can_subscribe = TRUE;
  if (join->participant != NULL && join->participant->permission != NULL)
    {
      self->can_publish = join->participant->permission->can_publish;
      self->can_subscribe = join->participant->permission->can_subscribe;
    }
  self->subscriber_primary = join->subscriber_primary;
  self->ping_interval = join->ping_interval;
  self->ping_timeout = join->ping_timeout;
}

static gboolean
setup_after_join (BcLkRoom *self, GError **error)
{
  Livekit__JoinResponse *join = self->join->join;

  apply_participants (self, join->other_participants, join->n_other_participants, TRUE);

  if ((self->can_subscribe || self->subscriber_primary) && !ensure_subscriber (self, error))
    return FALSE;
  /* A publisher-primary participant must bring its publisher connection up
   * at once, or the server drops it (LiveKit JS negotiates right after join). */
  if (!self->subscriber_primary || self->local_tracks->len > 0)
    {
      if (!ensure_publisher (self, error))
        return FALSE;
      if (self->local_tracks->len == 0)
        bc_lk_peer_negotiate (self->publisher, FALSE);
    }
  for (guint i = 0; i < self->local_tracks->len; i++)
    publish_local (self, g_ptr_array_index (self->local_tracks, i));
  return TRUE;
}

static void
on_signal_message (BcLkSignal *signal, Livekit__SignalResponse *response, gpointer user_data);
static void on_signal_lost (BcLkSignal *signal, GError *error, gpointer user_data);

static void
on_attempt_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLkRoom) self = BC_LK_ROOM (user_data);
  BcLkSignal *signal = BC_LK_SIGNAL (source);
  g_autoptr (GError) error = NULL;
  Livekit__SignalResponse *first;

  first = bc_lk_signal_connect_finish (signal, result, &error);
  if (signal != self->signal)
    {
      /* A stale attempt (cancelled or replaced). */
      g_clear_pointer (&first, bc_lk_signal_response_free);
      return;
    }
  if (first == NULL)
    {
      if (self->attempt_kind == ATTEMPT_RESUME &&
          !g_error_matches (error, BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE) &&
          !g_error_matches (error, BC_LK_ERROR, BC_LK_ERROR_TIMEOUT))
        self->full_reconnect_next = TRUE;
      attempt_failed (self, g_steal_pointer (&error));
      return;
    }

  if (first->message_case == LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE)
    {
      Livekit__LeaveRequest *leave = first->leave;
      int reason = leave != NULL ? leave->reason : 0;

      if (self->attempt_kind != ATTEMPT_INITIAL && leave != NULL &&
          (leave->action != LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT || leave->can_reconnect ||
           self->attempt_kind == ATTEMPT_RESUME))
        {
          /* The server does not know us any more: join from scratch. */
          bc_lk_signal_response_free (first);
          self->full_reconnect_next = TRUE;
          attempt_failed (self, g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED,
                                                     "The server asked for a full rejoin"));
          return;
        }
      bc_lk_signal_response_free (first);
      if (self->attempt_kind == ATTEMPT_INITIAL)
        {
          attempt_failed (self, g_error_new (BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED, "%s",
                                             bc_lk_disconnect_reason_describe (reason)));
          return;
        }
      finish_disconnected (self, BC_LK_ROOM_STATE_DISCONNECTED, reason,
                           bc_lk_disconnect_reason_describe (reason), FALSE);
      return;
    }

  if (self->attempt_kind == ATTEMPT_RESUME)
    {
      Livekit__ReconnectResponse *rr =
          first->message_case == LIVEKIT__SIGNAL_RESPONSE__MESSAGE_RECONNECT ? first->reconnect
                                                                             : NULL;

      bc_lk_signal_set_keepalive (self->signal, self->ping_interval, self->ping_timeout);
      if (rr != NULL && self->publisher != NULL && rr->n_ice_servers > 0)
        bc_lk_peer_set_ice_servers (self->publisher, rr->ice_servers, rr->n_ice_servers);
      if (first->message_case != LIVEKIT__SIGNAL_RESPONSE__MESSAGE_RECONNECT)
        {
          /* Any other first message also means "resumed"; handle it too. */
          on_signal_message (self->signal, first, self);
        }
      bc_lk_signal_response_free (first);
      if (self->publisher != NULL)
        bc_lk_peer_negotiate (self->publisher, TRUE);
      send_sync_state (self);
      wait_for_media (self);
      return;
    }

  if (first->message_case != LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN || first->join == NULL)
    {
      const char *kind = bc_lk_signal_response_kind_name (first->message_case);

      error = g_error_new (BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                           "The LiveKit server answered the join with “%s” instead of a join "
                           "response",
                           kind);
      bc_lk_signal_response_free (first);
      attempt_failed (self, g_steal_pointer (&error));
      return;
    }

  apply_join (self, first);
  if (!setup_after_join (self, &error))
    {
      attempt_failed (self, g_steal_pointer (&error));
      return;
    }
  wait_for_media (self);
}

static void
start_attempt (BcLkRoom *self)
{
  BcLkSignalResume resume = { 0 };
  const char *token = self->token;

  cancel_attempt (self);
  drop_signal (self, FALSE, 0);
  self->attempt_cancellable = g_cancellable_new ();

  if (self->state == BC_LK_ROOM_STATE_RECONNECTING)
    {
      self->attempt_kind =
          self->full_reconnect_next || self->local_sid == NULL ? ATTEMPT_REJOIN : ATTEMPT_RESUME;
      /* The refresh token is newer than the one we were given. */
      if (self->refresh_token != NULL)
        token = self->refresh_token;
      if (self->attempt_kind == ATTEMPT_REJOIN)
        teardown_media (self);
      resume.participant_sid = self->local_sid;
      resume.reason = self->reconnect_reason;
      g_debug ("Reconnect attempt %u: %s", self->reconnect_attempt,
               self->attempt_kind == ATTEMPT_REJOIN ? "full rejoin" : "resume");
    }
  else
    self->attempt_kind = ATTEMPT_INITIAL;

  self->signal = bc_lk_signal_new ();
  g_signal_connect (self->signal, "message", G_CALLBACK (on_signal_message), self);
  g_signal_connect (self->signal, "lost", G_CALLBACK (on_signal_lost), self);
  bc_lk_signal_connect_async (self->signal, self->url, token,
                              self->attempt_kind == ATTEMPT_RESUME ? &resume : NULL,
                              self->attempt_cancellable, on_attempt_connected, g_object_ref (self));
}

static void
start_reconnect (BcLkRoom *self, Livekit__ReconnectReason reason, gboolean full)
{
  /* A failed peer connection needs an ICE restart, which webrtcbin 1.22
   * does not do (its offers keep the ICE credentials even with the
   * "ice-restart" option): only new peer connections recover. */
  if (reason == LIVEKIT__RECONNECT_REASON__RR_PUBLISHER_FAILED ||
      reason == LIVEKIT__RECONNECT_REASON__RR_SUBSCRIBER_FAILED)
    full = TRUE;
  if (full)
    self->full_reconnect_next = TRUE;
  if (self->state == BC_LK_ROOM_STATE_RECONNECTING)
    return;
  if (self->state != BC_LK_ROOM_STATE_CONNECTED)
    return;

  g_debug ("Connection lost (reason %d); reconnecting", reason);
  self->reconnect_reason = reason;
  self->reconnect_attempt = 0;
  set_state (self, BC_LK_ROOM_STATE_RECONNECTING);
  g_clear_handle_id (&self->reconnect_deadline_id, g_source_remove);
  self->reconnect_deadline_id = g_timeout_add_seconds (self->reconnect_timeout_s, give_up, self);
  drop_signal (self, FALSE, 0);
  schedule_attempt (self);
}

/* ------------------------------------------------------------------------ */
/* Signal messages */

static LocalTrack *
find_local_track (BcLkRoom *self, const char *cid, const char *sid)
{
  for (guint i = 0; i < self->local_tracks->len; i++)
    {
      LocalTrack *t = g_ptr_array_index (self->local_tracks, i);

      if ((cid != NULL && g_strcmp0 (t->cid, cid) == 0) ||
          (sid != NULL && g_strcmp0 (t->sid, sid) == 0))
        return t;
    }
  return NULL;
}

/* A publish is done once the server accepted the track and answered an offer
 * that carries it, as in LiveKit's JS SDK (publishTrack awaits the
 * negotiation). Unpublishing earlier would leave the server a track whose
 * media never comes. */
static void
finish_publish (BcLkRoom *self, LocalTrack *t)
{
  g_autoptr (GTask) task = NULL;

  if (t->sid == NULL || !t->negotiated)
    return;
  g_clear_handle_id (&t->timeout_id, g_source_remove);
  task = g_steal_pointer (&t->task);
  if (task != NULL)
    g_task_return_pointer (task, g_strdup (t->sid), g_free);
}

static void
on_publisher_answer_applied (BcLkPeer *peer, guint id, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  for (guint i = 0; i < self->local_tracks->len; i++)
    {
      LocalTrack *t = g_ptr_array_index (self->local_tracks, i);

      /* Every offer made after the track was added carries it. */
      if (t->cid == NULL || t->negotiated || id <= t->offer_before)
        continue;
      t->negotiated = TRUE;
      finish_publish (self, t);
    }
}

static void
handle_track_published (BcLkRoom *self, Livekit__TrackPublishedResponse *tp)
{
  LocalTrack *t = find_local_track (self, tp->cid, NULL);

  if (t == NULL || tp->track == NULL)
    return;
  g_free (t->sid);
  t->sid = g_strdup (tp->track->sid);
  /* LiveKit wants AddTrack answered before the offer that carries the track. */
  if (self->publisher != NULL)
    bc_lk_peer_negotiate (self->publisher, FALSE);
  finish_publish (self, t);
}

static void
handle_leave (BcLkRoom *self, Livekit__LeaveRequest *leave)
{
  int reason = leave->reason;

  g_debug ("Server leave: action %d reason %s", leave->action,
           bc_lk_disconnect_reason_name (leave->reason));
  if (leave->action == LIVEKIT__LEAVE_REQUEST__ACTION__RESUME)
    {
      start_reconnect (self, LIVEKIT__RECONNECT_REASON__RR_SIGNAL_DISCONNECTED, FALSE);
      return;
    }
  if (leave->action == LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT || leave->can_reconnect)
    {
      if (self->state == BC_LK_ROOM_STATE_CONNECTED)
        start_reconnect (self, LIVEKIT__RECONNECT_REASON__RR_SIGNAL_DISCONNECTED, TRUE);
      else
        {
          self->full_reconnect_next = TRUE;
          attempt_failed (self, g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED,
                                                     "The server asked for a full rejoin"));
        }
      return;
    }
  if (self->connect_task != NULL)
    {
      attempt_failed (self, g_error_new (BC_LK_ERROR, BC_LK_ERROR_DISCONNECTED, "%s",
                                         bc_lk_disconnect_reason_describe (reason)));
      return;
    }
  if (reason == LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN &&
      (self->state == BC_LK_ROOM_STATE_CONNECTED || self->state == BC_LK_ROOM_STATE_RECONNECTING))
    {
      /* LiveKit sends DISCONNECT when a server stops, but a restart or a
       * deploy brings it back: try to rejoin for as long as any reconnect.
       * A rejoin can reach a server that is still stopping: that attempt
       * fails, and the next one waits its turn. */
      self->give_up_reason = reason;
      if (self->state == BC_LK_ROOM_STATE_CONNECTED)
        start_reconnect (self, LIVEKIT__RECONNECT_REASON__RR_SIGNAL_DISCONNECTED, TRUE);
      else
        {
          self->full_reconnect_next = TRUE;
          attempt_failed (self, g_error_new_literal (BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE,
                                                     "The video server is shutting down"));
        }
      return;
    }
  finish_disconnected (self, BC_LK_ROOM_STATE_DISCONNECTED, reason,
                       bc_lk_disconnect_reason_describe (reason), FALSE);
}

static void
handle_mute (BcLkRoom *self, Livekit__MuteTrackRequest *mute)
{
  LocalTrack *t = find_local_track (self, NULL, mute->sid);

  /* The server muted one of our tracks (an admin action). */
  if (t == NULL || t->muted == mute->muted)
    return;
  t->muted = mute->muted;
  g_signal_emit (self, signals[SIGNAL_TRACK_MUTED], 0, self->local_sid, t->sid, t->muted);
}

static void
on_signal_message (BcLkSignal *signal, Livekit__SignalResponse *response, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  switch (response->message_case)
    {
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_OFFER:
      if (response->offer == NULL)
        break;
      if (ensure_subscriber (self, NULL))
        bc_lk_peer_set_remote_description (self->subscriber, "offer", response->offer->sdp,
                                           response->offer->id);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER:
      if (response->answer != NULL && self->publisher != NULL)
        bc_lk_peer_set_remote_description (self->publisher, "answer", response->answer->sdp,
                                           response->answer->id);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRICKLE:
      {
        Livekit__TrickleRequest *trickle = response->trickle;
        BcLkPeer *peer;

        if (trickle == NULL)
          break;
        peer = trickle->target == LIVEKIT__SIGNAL_TARGET__SUBSCRIBER ? self->subscriber
                                                                     : self->publisher;
        if (peer != NULL)
          bc_lk_peer_add_ice_candidate (peer, trickle->candidateinit);
        break;
      }
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE:
      if (response->update != NULL)
        apply_participants (self, response->update->participants, response->update->n_participants,
                            FALSE);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED:
      if (response->track_published != NULL)
        handle_track_published (self, response->track_published);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_UNPUBLISHED:
      if (response->track_unpublished != NULL)
        {
          LocalTrack *t = find_local_track (self, NULL, response->track_unpublished->track_sid);

          if (t != NULL)
            g_debug ("The server unpublished local track %s", t->sid);
        }
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE:
      if (response->leave != NULL)
        handle_leave (self, response->leave);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_MUTE:
      if (response->mute != NULL)
        handle_mute (self, response->mute);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN:
      if (response->refresh_token != NULL && *response->refresh_token != '\0')
        {
          g_free (self->refresh_token);
          self->refresh_token = g_strdup (response->refresh_token);
        }
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE:
      {
        Livekit__RequestResponse *rr = response->request_response;

        if (rr != NULL && rr->reason != LIVEKIT__REQUEST_RESPONSE__REASON__OK &&
            rr->request_case == LIVEKIT__REQUEST_RESPONSE__REQUEST_ADD_TRACK &&
            rr->add_track != NULL)
          {
            LocalTrack *t = find_local_track (self, rr->add_track->cid, NULL);

            if (t != NULL && t->task != NULL)
              {
                GTask *task = g_steal_pointer (&t->task);

                g_clear_handle_id (&t->timeout_id, g_source_remove);
                if (self->publisher != NULL && t->cid != NULL)
                  {
                    GstElement *element = bc_lk_peer_remove_track (self->publisher, t->cid);

                    g_clear_object (&element);
                  }
                g_ptr_array_remove (self->local_tracks, t);
                g_task_return_new_error (
                    task, BC_LK_ERROR,
                    rr->reason == LIVEKIT__REQUEST_RESPONSE__REASON__NOT_ALLOWED
                        ? BC_LK_ERROR_NOT_ALLOWED
                        : BC_LK_ERROR_PROTOCOL,
                    "The LiveKit server refused the track: %s",
                    rr->message != NULL && *rr->message != '\0' ? rr->message : "not allowed");
                g_object_unref (task);
              }
          }
        break;
      }
    default:
      break;
    }
}

static void
on_signal_lost (BcLkSignal *signal, GError *error, gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  g_debug ("Signal connection lost: %s", error->message);
  if (self->waiting_media)
    {
      attempt_failed (self, g_error_copy (error));
      return;
    }
  start_reconnect (self, LIVEKIT__RECONNECT_REASON__RR_SIGNAL_DISCONNECTED, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Public API */

static gboolean
connect_cancelled_idle (gpointer user_data)
{
  BcLkRoom *self = BC_LK_ROOM (user_data);

  if (self->connect_task != NULL && self->attempt_kind == ATTEMPT_INITIAL)
    attempt_failed (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                               "Joining the room was cancelled"));
  return G_SOURCE_REMOVE;
}

static void
on_connect_cancelled (GCancellable *cancellable, gpointer user_data)
{
  /* May run in another thread, and inside g_cancellable_connect(). */
  g_idle_add_full (G_PRIORITY_DEFAULT, connect_cancelled_idle, g_object_ref (user_data),
                   g_object_unref);
}

static void
drop_user_cancellable (BcLkRoom *self)
{
  if (self->user_cancellable != NULL && self->user_cancel_id != 0)
    g_cancellable_disconnect (self->user_cancellable, self->user_cancel_id);
  self->user_cancel_id = 0;
  g_clear_object (&self->user_cancellable);
}

void
bc_lk_room_connect_async (BcLkRoom *self,
                          const char *url,
                          const char *token,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (BC_IS_LK_ROOM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_lk_room_connect_async);
  if (self->state == BC_LK_ROOM_STATE_CONNECTING || self->state == BC_LK_ROOM_STATE_CONNECTED ||
      self->state == BC_LK_ROOM_STATE_RECONNECTING)
    {
      g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                               "Already connected to a room");
      return;
    }
  if (url == NULL || token == NULL || *token == '\0')
    {
      g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                               "A LiveKit URL and an access token are needed to join a room");
      return;
    }

  g_free (self->url);
  self->url = g_strdup (url);
  g_free (self->token);
  self->token = g_strdup (token);
  g_clear_pointer (&self->refresh_token, g_free);
  self->disconnect_reason = 0;
  g_clear_pointer (&self->disconnect_message, g_free);

  self->connect_task = g_steal_pointer (&task);
  if (cancellable != NULL)
    {
      self->user_cancellable = g_object_ref (cancellable);
      self->user_cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (on_connect_cancelled),
                                                    g_object_ref (self), g_object_unref);
    }
  set_state (self, BC_LK_ROOM_STATE_CONNECTING);
  /* Overlaps the certificate with the signal connection and join. */
  bc_lk_peer_warm_up ();
  start_attempt (self);
}

gboolean
bc_lk_room_connect_finish (BcLkRoom *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
bc_lk_room_disconnect (BcLkRoom *self)
{
  g_return_if_fail (BC_IS_LK_ROOM (self));

  if (self->connect_task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&self->connect_task);

      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               "Left the room while joining");
    }
  /* Already over (left, refused or given up): nothing to leave. */
  if ((self->state == BC_LK_ROOM_STATE_DISCONNECTED || self->state == BC_LK_ROOM_STATE_FAILED) &&
      self->signal == NULL && self->publisher == NULL && self->subscriber == NULL)
    return;
  finish_disconnected (
      self, BC_LK_ROOM_STATE_DISCONNECTED, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED,
      bc_lk_disconnect_reason_describe (LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED), TRUE);
}

static gboolean
on_publish_timeout (gpointer user_data)
{
  LocalTrack *t = user_data;
  BcLkRoom *self = t->room;
  g_autoptr (GTask) task = g_steal_pointer (&t->task);

  t->timeout_id = 0;
  if (task == NULL)
    {
      g_message ("The LiveKit server did not accept track “%s” again", t->name);
      return G_SOURCE_REMOVE;
    }
  if (self->publisher != NULL && t->cid != NULL)
    {
      GstElement *element = bc_lk_peer_remove_track (self->publisher, t->cid);

      g_clear_object (&element);
    }
  g_ptr_array_remove (self->local_tracks, t);
  g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_TIMEOUT,
                           "The LiveKit server did not accept the track within %d s",
                           PUBLISH_TIMEOUT_S);
  return G_SOURCE_REMOVE;
}

static void
publish_local (BcLkRoom *self, LocalTrack *t)
{
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__AddTrackRequest add = LIVEKIT__ADD_TRACK_REQUEST__INIT;
  Livekit__VideoLayer layer = LIVEKIT__VIDEO_LAYER__INIT;
  Livekit__VideoLayer *layers[] = { &layer };
  g_autoptr (GError) error = NULL;
  g_autofree char *stream_id = NULL;

  if (!ensure_publisher (self, &error))
    goto failed;
  stream_id = g_strdup_printf ("%s-%s", self->local_identity != NULL ? self->local_identity : "bc",
                               t->kind == BC_LK_TRACK_KIND_AUDIO ? "audio" : "video");
  g_free (t->cid);
  t->cid = bc_lk_peer_add_track (self->publisher, t->element, stream_id, &error);
  if (t->cid == NULL)
    goto failed;
  t->negotiated = FALSE;
  t->offer_before = bc_lk_peer_get_offer_id (self->publisher);

  add.cid = t->cid;
  add.name = t->name;
  add.type = (Livekit__TrackType) t->kind;
  add.source = (Livekit__TrackSource) t->source;
  add.muted = t->muted;
  if (t->kind == BC_LK_TRACK_KIND_VIDEO)
    {
      add.width = t->width;
      add.height = t->height;
      /* One layer, described, so the server rates the connection by it. */
      layer.quality = LIVEKIT__VIDEO_QUALITY__HIGH;
      layer.width = t->width;
      layer.height = t->height;
      add.n_layers = 1;
      add.layers = layers;
    }
  else
    add.disable_red = TRUE;
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK;
  request.add_track = &add;
  send_request (self, &request);

  g_clear_handle_id (&t->timeout_id, g_source_remove);
  t->timeout_id = g_timeout_add_seconds (PUBLISH_TIMEOUT_S, on_publish_timeout, t);
  return;

failed:
  if (t->task != NULL)
    {
      g_autoptr (GTask) task = g_steal_pointer (&t->task);

      g_ptr_array_remove (self->local_tracks, t);
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    g_message ("Could not publish a track again: %s", error->message);
}

void
bc_lk_room_publish_track_async (BcLkRoom *self,
                                BcLkTrackKind kind,
                                BcLkTrackSource source,
                                const char *name,
                                guint width,
                                guint height,
                                GstElement *rtp_source,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  LocalTrack *t;

  g_return_if_fail (BC_IS_LK_ROOM (self));
  g_return_if_fail (GST_IS_ELEMENT (rtp_source));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_lk_room_publish_track_async);
  gst_object_ref_sink (rtp_source);

  if (self->state != BC_LK_ROOM_STATE_CONNECTED)
    {
      gst_object_unref (rtp_source);
      g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT,
                               "Not connected to a room");
      return;
    }
  if (!self->can_publish)
    {
      gst_object_unref (rtp_source);
      g_task_return_new_error (task, BC_LK_ERROR, BC_LK_ERROR_NOT_ALLOWED,
                               "This access token only allows watching; it cannot publish");
      return;
    }

  t = g_new0 (LocalTrack, 1);
  t->room = self;
  t->kind = kind;
  t->source = source;
  t->name = g_strdup (name != NULL ? name : (kind == BC_LK_TRACK_KIND_AUDIO ? "audio" : "camera"));
  t->width = width;
  t->height = height;
  t->element = rtp_source;
  t->task = g_steal_pointer (&task);
  g_ptr_array_add (self->local_tracks, t);
  publish_local (self, t);
}

char *
bc_lk_room_publish_track_finish (BcLkRoom *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

GstElement *
bc_lk_room_unpublish_track (BcLkRoom *self, const char *track_sid)
{
  LocalTrack *t;
  GstElement *element = NULL;

  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);

  t = find_local_track (self, NULL, track_sid);
  if (t == NULL)
    return NULL;
  if (self->publisher != NULL && t->cid != NULL)
    {
      GstElement *removed = bc_lk_peer_remove_track (self->publisher, t->cid);

      g_clear_object (&removed);
      bc_lk_peer_negotiate (self->publisher, FALSE);
    }
  element = g_object_ref (t->element);
  gst_element_set_state (element, GST_STATE_NULL);
  g_ptr_array_remove (self->local_tracks, t);
  return element;
}

void
bc_lk_room_set_track_muted (BcLkRoom *self, const char *track_sid, gboolean muted)
{
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__MuteTrackRequest mute = LIVEKIT__MUTE_TRACK_REQUEST__INIT;
  LocalTrack *t;

  g_return_if_fail (BC_IS_LK_ROOM (self));

  t = find_local_track (self, NULL, track_sid);
  if (t == NULL)
    return;
  t->muted = muted;
  mute.sid = t->sid;
  mute.muted = muted;
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_MUTE;
  request.mute = &mute;
  send_request (self, &request);
}

BcLkRoomState
bc_lk_room_get_state (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), BC_LK_ROOM_STATE_DISCONNECTED);
  return self->state;
}

const char *
bc_lk_room_get_name (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);
  return self->room_name;
}

const char *
bc_lk_room_get_local_sid (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);
  return self->local_sid;
}

const char *
bc_lk_room_get_local_identity (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);
  return self->local_identity;
}

gboolean
bc_lk_room_get_can_publish (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), FALSE);
  return self->can_publish;
}

int
bc_lk_room_get_disconnect_reason (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), 0);
  return self->disconnect_reason;
}

const char *
bc_lk_room_get_disconnect_message (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);
  return self->disconnect_message;
}

GstBin *
bc_lk_room_get_subscriber_bin (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);
  return self->subscriber != NULL ? bc_lk_peer_get_bin (self->subscriber) : NULL;
}

gint64
bc_lk_room_get_signal_rtt (BcLkRoom *self)
{
  g_return_val_if_fail (BC_IS_LK_ROOM (self), 0);
  return self->signal != NULL ? bc_lk_signal_get_rtt (self->signal) : 0;
}

GstElement *
bc_lk_room_get_webrtcbin (BcLkRoom *self, gboolean publisher)
{
  BcLkPeer *peer;

  g_return_val_if_fail (BC_IS_LK_ROOM (self), NULL);
  peer = publisher ? self->publisher : self->subscriber;
  return peer != NULL ? bc_lk_peer_get_webrtcbin (peer) : NULL;
}

/* ------------------------------------------------------------------------ */
/* GObject */

static void
bc_lk_room_dispose (GObject *object)
{
  BcLkRoom *self = BC_LK_ROOM (object);

  if (self->signal != NULL || self->publisher != NULL || self->subscriber != NULL)
    {
      /* Leave properly even when the owner just drops the room. */
      stop_reconnecting (self);
      cancel_attempt (self);
      drop_signal (self, TRUE, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED);
      teardown_media (self);
    }
  stop_reconnecting (self);
  cancel_attempt (self);
  drop_user_cancellable (self);
  g_clear_pointer (&self->local_tracks, g_ptr_array_unref);
  g_clear_pointer (&self->join, bc_lk_signal_response_free);

  G_OBJECT_CLASS (bc_lk_room_parent_class)->dispose (object);
}

static void
bc_lk_room_finalize (GObject *object)
{
  BcLkRoom *self = BC_LK_ROOM (object);

  g_free (self->url);
  if (self->token != NULL)
    memset (self->token, 0, strlen (self->token));
  g_free (self->token);
  if (self->refresh_token != NULL)
    memset (self->refresh_token, 0, strlen (self->refresh_token));
  g_free (self->refresh_token);
  g_free (self->room_name);
  g_free (self->local_sid);
  g_free (self->local_identity);
  g_free (self->disconnect_message);
  g_hash_table_unref (self->participants);
  g_hash_table_unref (self->subscribed);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (bc_lk_room_parent_class)->finalize (object);
}

static void
bc_lk_room_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcLkRoom *self = BC_LK_ROOM (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_LOOPBACK_ONLY:
      g_value_set_boolean (value, self->loopback_only);
      break;
    case PROP_RELAY_ONLY:
      g_value_set_boolean (value, self->relay_only);
      break;
    case PROP_RECONNECT_TIMEOUT:
      g_value_set_uint (value, self->reconnect_timeout_s);
      break;
    case PROP_LATENCY:
      g_value_set_uint (value, self->latency_ms);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_lk_room_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  BcLkRoom *self = BC_LK_ROOM (object);

  switch (prop_id)
    {
    case PROP_LOOPBACK_ONLY:
      if (self->loopback_only != g_value_get_boolean (value))
        {
          self->loopback_only = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RELAY_ONLY:
      if (self->relay_only != g_value_get_boolean (value))
        {
          self->relay_only = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RECONNECT_TIMEOUT:
      if (self->reconnect_timeout_s != g_value_get_uint (value))
        {
          self->reconnect_timeout_s = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_LATENCY:
      if (self->latency_ms != g_value_get_uint (value))
        {
          self->latency_ms = g_value_get_uint (value);
          if (self->subscriber != NULL)
            g_object_set (bc_lk_peer_get_webrtcbin (self->subscriber), "latency", self->latency_ms,
                          NULL);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_lk_room_class_init (BcLkRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_lk_room_dispose;
  object_class->finalize = bc_lk_room_finalize;
  object_class->get_property = bc_lk_room_get_property;
  object_class->set_property = bc_lk_room_set_property;

  properties[PROP_STATE] =
      g_param_spec_enum ("state", NULL, NULL, BC_TYPE_LK_ROOM_STATE, BC_LK_ROOM_STATE_DISCONNECTED,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Gather only 127.0.0.1 candidates (tests); BC_ICE_LOOPBACK=1 does the same. */
  properties[PROP_LOOPBACK_ONLY] =
      g_param_spec_boolean ("loopback-only", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Use TURN relays only (to test a strict firewall). */
  properties[PROP_RELAY_ONLY] =
      g_param_spec_boolean ("relay-only", NULL, NULL, FALSE,
                            G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How long to keep trying to get a lost connection back, in seconds. */
  properties[PROP_RECONNECT_TIMEOUT] =
      g_param_spec_uint ("reconnect-timeout", NULL, NULL, 1, 3600, RECONNECT_TIMEOUT_S,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* The subscriber's jitter buffer, in ms (webrtcbin's "latency"); kept
   * across rejoins, which make a new webrtcbin. */
  properties[PROP_LATENCY] =
      g_param_spec_uint ("latency", NULL, NULL, 0, 10000, 200,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * BcLkRoom::participant-connected:
   * @participant_sid: "PA_..."
   * @identity: the token's identity
   */
  signals[SIGNAL_PARTICIPANT_CONNECTED] =
      g_signal_new ("participant-connected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_PARTICIPANT_DISCONNECTED] =
      g_signal_new ("participant-disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                    NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * BcLkRoom::track-published:
   * @participant_sid, @identity, @track_sid, @kind (BcLkTrackKind),
   * @source (BcLkTrackSource), @name
   *
   * A remote participant published a track (subscription is automatic).
   */
  signals[SIGNAL_TRACK_PUBLISHED] =
      g_signal_new ("track-published", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 6, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT,
                    G_TYPE_INT, G_TYPE_STRING);
  signals[SIGNAL_TRACK_UNPUBLISHED] =
      g_signal_new ("track-unpublished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                    NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);

  /**
   * BcLkRoom::track-subscribed:
   * @participant_sid: (nullable): from the stream id "PA_...|TR_..."
   * @identity: (nullable): the publisher's identity, if known yet
   * @track_sid: (nullable): "TR_..."
   * @kind: BcLkTrackKind
   * @pad: the webrtcbin src pad producing the track's RTP
   * @bin: the subscriber pipeline to add elements to
   *
   * Emitted from a GStreamer streaming thread: add depayloader, decoder and
   * sink to @bin, link @pad and sync their states before returning. After a
   * full rejoin the track comes again on a new pad in a new pipeline.
   */
  signals[SIGNAL_TRACK_SUBSCRIBED] =
      g_signal_new ("track-subscribed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 6, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_INT,
                    GST_TYPE_PAD, GST_TYPE_BIN);

  /**
   * BcLkRoom::track-muted:
   * @participant_sid, @track_sid, @muted
   */
  signals[SIGNAL_TRACK_MUTED] =
      g_signal_new ("track-muted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_STRING, G_TYPE_BOOLEAN);

  /**
   * BcLkRoom::disconnected:
   * @reason: LiveKit's DisconnectReason (e.g. 5 = ROOM_DELETED, 1 = CLIENT_INITIATED,
   *   14 = CONNECTION_TIMEOUT when reconnecting gave up)
   * @message: a sentence for people
   */
  signals[SIGNAL_DISCONNECTED] =
      g_signal_new ("disconnected", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, G_TYPE_INT, G_TYPE_STRING);
}

static void
bc_lk_room_init (BcLkRoom *self)
{
  self->reconnect_timeout_s = RECONNECT_TIMEOUT_S;
  self->latency_ms = 200;
  g_mutex_init (&self->lock);
  self->participants =
      g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) participant_free);
  self->subscribed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->local_tracks = g_ptr_array_new_with_free_func ((GDestroyNotify) local_track_free);
}

BcLkRoom *
bc_lk_room_new (void)
{
  return g_object_new (BC_TYPE_LK_ROOM, NULL);
}
