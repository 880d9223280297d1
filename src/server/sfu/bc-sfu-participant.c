/* bc-sfu-participant.c
 *
 * The signalling side of one client: binary SignalRequest/SignalResponse
 * protobufs on a WebSocket (LiveKit protocol, livekit_rtc.proto), a
 * publisher peer that answers the client's offers and a subscriber peer that
 * offers what the room forwards to it. Anything malformed, unexpected or
 * arriving too fast ends this participant's session with a leave; the room
 * and everyone else go on.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-participant.h"
#include "bc-sfu-error.h"
#include "bc-sfu-peer.h"
#include "bc-sfu-room.h"
#include "bc-sfu-sdp.h"

#include "bc-json.h"

#include <gst/webrtc/webrtc.h>
#include <string.h>

/* livekit-server sends 5 / 15 (pkg/rtc/participant.go). */
#define PING_INTERVAL_SECONDS 5
#define PING_TIMEOUT_SECONDS  15
/* livekit-server refreshes tokens every 5 minutes (roommanager.go). */
#define REFRESH_INTERVAL_SECONDS (5 * 60)
#define REFRESH_TTL_SECONDS      (10 * 60)
/* More requests than this in one second is a flood. */
#define MAX_REQUESTS_PER_SECOND 200
#define MAX_PUBLICATIONS        16
#define SERVER_VERSION          "1.9.0"
#define SERVER_PROTOCOL         16
/* After a leave the client closes the socket itself; the server only closes
 * one that is still open this much later. Both sides closing at the same
 * moment trips an assertion in libsoup 3.2. */
#define CLOSE_DELAY_MS 2000

struct _BcSfuParticipant
{
  GObject parent_instance;

  BcSfuRoom *room; /* unowned; the room outlives its participants */
  SoupWebsocketConnection *connection;
  BcSfuGrants *grants;
  BcSfuJoinParams params;
  char *api_key;
  char *api_secret;

  char *sid;
  Livekit__ParticipantInfo__State state;
  guint version;
  gint64 joined_at_ms;
  Livekit__DisconnectReason disconnect_reason;

  BcSfuPeer *publisher;
  BcSfuPeer *subscriber;
  guint subscriber_offer_id;
  guint publisher_answers; /* answers sent on the publisher connection */
  GPtrArray *publications;

  guint refresh_source;
  guint close_source;
  guint liveness_source;
  gint64 last_activity;
  gint64 window_start;
  guint window_count;
  gboolean closed;
};

G_DEFINE_FINAL_TYPE (BcSfuParticipant, bc_sfu_participant, G_TYPE_OBJECT)

static void
publication_free (BcSfuPublication *pub)
{
  g_free (pub->sid);
  g_free (pub->cid);
  g_free (pub->name);
  g_free (pub->mid);
  g_free (pub->stream);
  g_free (pub->codec);
  g_clear_object (&pub->media);
  g_free (pub);
}

static void
bc_sfu_participant_dispose (GObject *object)
{
  BcSfuParticipant *self = BC_SFU_PARTICIPANT (object);

  bc_sfu_participant_close (self, LIVEKIT__DISCONNECT_REASON__UNKNOWN_REASON);
  g_clear_handle_id (&self->close_source, g_source_remove);
  g_clear_handle_id (&self->liveness_source, g_source_remove);
  if (self->connection != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->connection, self);
      if (soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    }
  g_clear_object (&self->connection);

  G_OBJECT_CLASS (bc_sfu_participant_parent_class)->dispose (object);
}

static void
bc_sfu_participant_finalize (GObject *object)
{
  BcSfuParticipant *self = BC_SFU_PARTICIPANT (object);

  g_clear_pointer (&self->grants, bc_sfu_grants_free);
  g_clear_pointer (&self->publications, g_ptr_array_unref);
  g_free (self->params.sdk);
  g_free (self->api_key);
  g_free (self->api_secret);
  g_free (self->sid);

  G_OBJECT_CLASS (bc_sfu_participant_parent_class)->finalize (object);
}

static void
bc_sfu_participant_class_init (BcSfuParticipantClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_participant_dispose;
  object_class->finalize = bc_sfu_participant_finalize;
}

static void
bc_sfu_participant_init (BcSfuParticipant *self)
{
  self->publications = g_ptr_array_new_with_free_func ((GDestroyNotify) publication_free);
  self->state = LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
  self->version = 1;
}

/* ---- sending ---------------------------------------------------------- */

void
bc_sfu_participant_send (BcSfuParticipant *self, Livekit__SignalResponse *response)
{
  g_autoptr (GBytes) bytes = NULL;

  g_return_if_fail (BC_IS_SFU_PARTICIPANT (self));

  if (self->connection == NULL ||
      soup_websocket_connection_get_state (self->connection) != SOUP_WEBSOCKET_STATE_OPEN)
    return;
  bytes = bc_sfu_pack (&response->base);
  soup_websocket_connection_send_message (self->connection, SOUP_WEBSOCKET_DATA_BINARY, bytes);
}

static void
send_leave (BcSfuParticipant *self,
            Livekit__DisconnectReason reason,
            Livekit__LeaveRequest__Action action)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__LeaveRequest leave = LIVEKIT__LEAVE_REQUEST__INIT;

  leave.reason = reason;
  leave.action = action;
  leave.can_reconnect = action != LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE;
  response.leave = &leave;
  bc_sfu_participant_send (self, &response);
}

static void
send_refresh_token (BcSfuParticipant *self)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  g_autofree char *token =
      bc_sfu_grants_refresh_token (self->grants, self->api_key, self->api_secret,
                                   g_get_real_time () / G_USEC_PER_SEC, REFRESH_TTL_SECONDS);

  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN;
  response.refresh_token = token;
  bc_sfu_participant_send (self, &response);
}

/* Clients ping every ping_interval; one that has been silent for longer
 * than ping_timeout (plus some slack) is gone even if TCP has not noticed. */
static gboolean
on_liveness_timer (gpointer user_data)
{
  BcSfuParticipant *self = user_data;

  if (g_get_monotonic_time () - self->last_activity >
      (PING_TIMEOUT_SECONDS + PING_INTERVAL_SECONDS) * G_USEC_PER_SEC)
    {
      self->liveness_source = 0;
      g_message ("Participant %s stopped answering", self->sid);
      bc_sfu_participant_disconnect (self, LIVEKIT__DISCONNECT_REASON__CONNECTION_TIMEOUT,
                                     LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_refresh_timer (gpointer user_data)
{
  send_refresh_token (user_data);
  return G_SOURCE_CONTINUE;
}

/**
 * bc_sfu_participant_send_update:
 * @participants: (element-type BcSfuParticipant)
 */
void
bc_sfu_participant_send_update (BcSfuParticipant *self, GPtrArray *participants)
{
  g_autoptr (BcSfuArena) arena = bc_sfu_arena_new ();
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__ParticipantUpdate update = LIVEKIT__PARTICIPANT_UPDATE__INIT;

  update.n_participants = participants->len;
  update.participants = bc_sfu_arena_alloc (arena, sizeof (gpointer) * participants->len);
  for (guint i = 0; i < participants->len; i++)
    update.participants[i] =
        bc_sfu_participant_fill_info (g_ptr_array_index (participants, i), arena);
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE;
  response.update = &update;
  bc_sfu_participant_send (self, &response);
}

/* ---- info ------------------------------------------------------------- */

Livekit__TrackInfo *
bc_sfu_publication_fill_info (BcSfuPublication *pub, BcSfuArena *arena)
{
  Livekit__TrackInfo *info =
      bc_sfu_arena_new_msg (arena, Livekit__TrackInfo, LIVEKIT__TRACK_INFO__INIT);

  info->sid = bc_sfu_arena_strdup (arena, pub->sid);
  info->type = pub->type;
  info->name = bc_sfu_arena_strdup (arena, pub->name);
  info->muted = pub->muted;
  info->width = pub->width;
  info->height = pub->height;
  info->source = pub->source;
  info->disable_dtx = pub->disable_dtx;
  info->stereo = pub->stereo;
  info->mid = bc_sfu_arena_strdup (arena, pub->mid);
  info->stream = bc_sfu_arena_strdup (arena, pub->stream);
  info->mime_type =
      bc_sfu_arena_strdup (arena, pub->media ? bc_sfu_track_get_mime_type (pub->media) : "");
  if (pub->type == LIVEKIT__TRACK_TYPE__VIDEO && pub->width > 0)
    {
      Livekit__VideoLayer *layer =
          bc_sfu_arena_new_msg (arena, Livekit__VideoLayer, LIVEKIT__VIDEO_LAYER__INIT);

      layer->quality = LIVEKIT__VIDEO_QUALITY__HIGH;
      layer->width = pub->width;
      layer->height = pub->height;
      info->n_layers = 1;
      info->layers = bc_sfu_arena_alloc (arena, sizeof (gpointer));
      info->layers[0] = layer;
    }
  return info;
}

Livekit__ParticipantInfo *
bc_sfu_participant_fill_info (BcSfuParticipant *self, BcSfuArena *arena)
{
  Livekit__ParticipantInfo *info =
      bc_sfu_arena_new_msg (arena, Livekit__ParticipantInfo, LIVEKIT__PARTICIPANT_INFO__INIT);
  Livekit__ParticipantPermission *perm = bc_sfu_arena_new_msg (
      arena, Livekit__ParticipantPermission, LIVEKIT__PARTICIPANT_PERMISSION__INIT);
  guint n = 0;

  info->sid = bc_sfu_arena_strdup (arena, self->sid);
  info->identity = bc_sfu_arena_strdup (arena, self->grants->identity);
  info->name = bc_sfu_arena_strdup (arena, self->grants->name);
  info->metadata = bc_sfu_arena_strdup (arena, self->grants->metadata);
  info->state = self->state;
  info->version = self->version;
  info->joined_at = self->joined_at_ms / 1000;
  info->joined_at_ms = self->joined_at_ms;
  info->disconnect_reason = self->disconnect_reason;
  info->region = bc_sfu_arena_strdup (arena, "");

  perm->can_subscribe = self->grants->can_subscribe;
  perm->can_publish = self->grants->can_publish;
  perm->can_publish_data = self->grants->can_publish_data;
  perm->hidden = self->grants->hidden;
  if (self->grants->publish_sources != ~0u)
    {
      perm->can_publish_sources = bc_sfu_arena_alloc (arena, sizeof (Livekit__TrackSource) * 5);
      for (guint s = 1; s <= BC_SFU_SOURCE_SCREEN_SHARE_AUDIO; s++)
        if (self->grants->publish_sources & (1u << s))
          perm->can_publish_sources[perm->n_can_publish_sources++] = s;
    }
  info->permission = perm;

  info->tracks = bc_sfu_arena_alloc (arena, sizeof (gpointer) * MAX (self->publications->len, 1));
  for (guint i = 0; i < self->publications->len; i++)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i);

      if (pub->announced)
        info->tracks[n++] = bc_sfu_publication_fill_info (pub, arena);
    }
  info->n_tracks = n;
  info->is_publisher = n > 0;
  return info;
}

static const char *
track_type_name (Livekit__TrackType type)
{
  return type == LIVEKIT__TRACK_TYPE__VIDEO   ? "VIDEO"
         : type == LIVEKIT__TRACK_TYPE__AUDIO ? "AUDIO"
                                              : "DATA";
}

static const char *
track_source_name (Livekit__TrackSource source)
{
  static const char *const names[] = { "UNKNOWN", "CAMERA", "MICROPHONE", "SCREEN_SHARE",
                                       "SCREEN_SHARE_AUDIO" };

  return (guint) source < G_N_ELEMENTS (names) ? names[source] : "UNKNOWN";
}

/* protojson of TrackInfo, as in LiveKit's webhooks. */
JsonObject *
bc_sfu_publication_to_json (BcSfuPublication *pub)
{
  JsonObject *obj = json_object_new ();

  json_object_set_string_member (obj, "sid", pub->sid);
  json_object_set_string_member (obj, "type", track_type_name (pub->type));
  json_object_set_string_member (obj, "name", pub->name ? pub->name : "");
  json_object_set_string_member (obj, "source", track_source_name (pub->source));
  json_object_set_boolean_member (obj, "muted", pub->muted);
  if (pub->width > 0)
    {
      json_object_set_int_member (obj, "width", pub->width);
      json_object_set_int_member (obj, "height", pub->height);
    }
  if (pub->media != NULL)
    json_object_set_string_member (obj, "mimeType", bc_sfu_track_get_mime_type (pub->media));
  if (pub->mid != NULL)
    json_object_set_string_member (obj, "mid", pub->mid);
  if (pub->stream != NULL)
    json_object_set_string_member (obj, "stream", pub->stream);
  return obj;
}

/* protojson of ParticipantInfo, as in LiveKit's webhooks and RoomService. */
JsonObject *
bc_sfu_participant_to_json (BcSfuParticipant *self)
{
  static const char *const states[] = { "JOINING", "JOINED", "ACTIVE", "DISCONNECTED" };
  JsonObject *obj = json_object_new ();
  JsonObject *perm = json_object_new ();
  JsonArray *tracks = json_array_new ();
  g_autofree char *joined_at = g_strdup_printf ("%" G_GINT64_FORMAT, self->joined_at_ms / 1000);
  g_autofree char *joined_at_ms = g_strdup_printf ("%" G_GINT64_FORMAT, self->joined_at_ms);
  gboolean publisher = FALSE;

  json_object_set_string_member (obj, "sid", self->sid);
  json_object_set_string_member (obj, "identity", self->grants->identity);
  json_object_set_string_member (obj, "name", self->grants->name ? self->grants->name : "");
  json_object_set_string_member (obj, "metadata",
                                 self->grants->metadata ? self->grants->metadata : "");
  json_object_set_string_member (obj, "state", states[MIN ((guint) self->state, 3)]);
  json_object_set_string_member (obj, "joinedAt", joined_at);
  json_object_set_string_member (obj, "joinedAtMs", joined_at_ms);
  json_object_set_int_member (obj, "version", self->version);
  json_object_set_string_member (obj, "kind", "STANDARD");
  json_object_set_boolean_member (perm, "canSubscribe", self->grants->can_subscribe);
  json_object_set_boolean_member (perm, "canPublish", self->grants->can_publish);
  json_object_set_boolean_member (perm, "canPublishData", self->grants->can_publish_data);
  json_object_set_object_member (obj, "permission", perm);
  for (guint i = 0; i < self->publications->len; i++)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i);

      if (!pub->announced)
        continue;
      publisher = TRUE;
      json_array_add_object_element (tracks, bc_sfu_publication_to_json (pub));
    }
  json_object_set_array_member (obj, "tracks", tracks);
  json_object_set_boolean_member (obj, "isPublisher", publisher);
  return obj;
}

/* ---- failures --------------------------------------------------------- */

static void
protocol_error (BcSfuParticipant *self, const char *what)
{
  if (self->closed)
    return;
  g_message ("Disconnecting participant %s: %s", self->sid, what);
  bc_sfu_participant_disconnect (self, LIVEKIT__DISCONNECT_REASON__UNKNOWN_REASON,
                                 LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
}

/* ---- peers ------------------------------------------------------------ */

static void
send_description (BcSfuParticipant *self, gboolean answer, const char *sdp, guint id)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__SessionDescription desc = LIVEKIT__SESSION_DESCRIPTION__INIT;

  desc.type = (char *) (answer ? "answer" : "offer");
  desc.sdp = (char *) sdp;
  desc.id = id;
  if (answer)
    {
      response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER;
      response.answer = &desc;
    }
  else
    {
      response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_OFFER;
      response.offer = &desc;
    }
  bc_sfu_participant_send (self, &response);
}

static void
on_local_description (BcSfuPeer *peer, const char *type, const char *sdp, guint id, gpointer data)
{
  BcSfuParticipant *self = data;

  g_debug ("%s: sending %s %s", self->sid, peer == self->publisher ? "publisher" : "subscriber",
           type);
  if (peer == self->publisher)
    {
      send_description (self, TRUE, sdp, id);
      self->publisher_answers++;
    }
  else
    send_description (self, FALSE, sdp, ++self->subscriber_offer_id);
}

static void
on_local_candidate (
    BcSfuPeer *peer, guint mline, const char *mid, const char *candidate, gpointer data)
{
  BcSfuParticipant *self = data;
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__TrickleRequest trickle = LIVEKIT__TRICKLE_REQUEST__INIT;
  g_autoptr (JsonObject) init = json_object_new ();
  g_autofree char *json = NULL;

  /* Clients parse this as RTCIceCandidateInit; the Rust SDK requires both
   * sdpMid and sdpMLineIndex. */
  json_object_set_string_member (init, "candidate", candidate);
  json_object_set_string_member (init, "sdpMid", mid ? mid : "");
  json_object_set_int_member (init, "sdpMLineIndex", mline);
  json = bc_json_object_to_string (init);
  g_debug ("%s: local candidate %s", self->sid, json);
  trickle.candidateinit = json;
  trickle.target = peer == self->publisher ? LIVEKIT__SIGNAL_TARGET__PUBLISHER
                                           : LIVEKIT__SIGNAL_TARGET__SUBSCRIBER;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRICKLE;
  response.trickle = &trickle;
  bc_sfu_participant_send (self, &response);
}

static BcSfuPublication *
find_publication_by_mid (BcSfuParticipant *self, const char *mid)
{
  for (guint i = 0; mid != NULL && i < self->publications->len; i++)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i);

      if (g_strcmp0 (pub->mid, mid) == 0)
        return pub;
    }
  return NULL;
}

static void
on_track_added (BcSfuPeer *peer, BcSfuTrack *track, gpointer data)
{
  BcSfuParticipant *self = data;
  BcSfuPublication *pub = find_publication_by_mid (self, bc_sfu_track_get_mid (track));

  /* Media nobody announced, or that the token does not allow, stays here. */
  if (pub == NULL || pub->media != NULL)
    {
      g_debug ("Participant %s sends media on mid %s without a track for it", self->sid,
               bc_sfu_track_get_mid (track));
      return;
    }
  if (!bc_sfu_grants_can_publish_source (self->grants, (BcSfuSource) pub->source))
    return;
  pub->media = g_object_ref (track);
  pub->announced = TRUE;
  self->version++;
  bc_sfu_room_publication_ready (self->room, self, pub);
}

static void
on_peer_state (BcSfuPeer *peer, int state, gpointer data)
{
  BcSfuParticipant *self = data;

  g_debug ("%s: %s connection state %d", self->sid,
           peer == self->publisher ? "publisher" : "subscriber", state);
  if (state == GST_WEBRTC_PEER_CONNECTION_STATE_FAILED)
    g_message ("Participant %s: %s connection failed", self->sid,
               peer == self->publisher ? "publisher" : "subscriber");
}

static void
on_peer_failed (BcSfuPeer *peer, GError *error, gpointer data)
{
  BcSfuParticipant *self = data;

  protocol_error (self, error->message);
}

static BcSfuPeer *
make_peer (BcSfuParticipant *self, BcSfuPeerRole role)
{
  BcSfuPeer *peer = bc_sfu_peer_new (bc_sfu_room_get_relay (self->room), role, self->sid);

  g_signal_connect (peer, "local-description", G_CALLBACK (on_local_description), self);
  g_signal_connect (peer, "ice-candidate", G_CALLBACK (on_local_candidate), self);
  g_signal_connect (peer, "track-added", G_CALLBACK (on_track_added), self);
  g_signal_connect (peer, "state-changed", G_CALLBACK (on_peer_state), self);
  g_signal_connect (peer, "failed", G_CALLBACK (on_peer_failed), self);
  return peer;
}

/* ---- requests --------------------------------------------------------- */

static Livekit__TrackSource
default_source (Livekit__TrackType type)
{
  return type == LIVEKIT__TRACK_TYPE__AUDIO ? LIVEKIT__TRACK_SOURCE__MICROPHONE
                                            : LIVEKIT__TRACK_SOURCE__CAMERA;
}

static void
send_request_response (BcSfuParticipant *self,
                       Livekit__RequestResponse__Reason reason,
                       const char *message)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__RequestResponse rr = LIVEKIT__REQUEST_RESPONSE__INIT;

  rr.reason = reason;
  rr.message = (char *) message;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE;
  response.request_response = &rr;
  bc_sfu_participant_send (self, &response);
}

static void
handle_add_track (BcSfuParticipant *self, Livekit__AddTrackRequest *req)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__TrackPublishedResponse published = LIVEKIT__TRACK_PUBLISHED_RESPONSE__INIT;
  g_autoptr (BcSfuArena) arena = bc_sfu_arena_new ();
  Livekit__TrackSource source = req->source;
  BcSfuPublication *pub;
  g_autofree char *prefix = NULL;

  if (req->type != LIVEKIT__TRACK_TYPE__AUDIO && req->type != LIVEKIT__TRACK_TYPE__VIDEO)
    {
      send_request_response (self, LIVEKIT__REQUEST_RESPONSE__REASON__UNSUPPORTED_TYPE,
                             "only audio and video tracks can be published");
      return;
    }
  if (source == LIVEKIT__TRACK_SOURCE__UNKNOWN)
    source = default_source (req->type);
  /* As livekit-server: a track the token does not allow is not published;
   * the client's publish times out or fails on its own permission check. */
  if (!bc_sfu_grants_can_publish_source (self->grants, (BcSfuSource) source))
    {
      g_message ("Participant %s may not publish a %s track", self->sid,
                 track_source_name (source));
      send_request_response (self, LIVEKIT__REQUEST_RESPONSE__REASON__NOT_ALLOWED,
                             "this token does not allow publishing that track");
      return;
    }
  if (self->publications->len >= MAX_PUBLICATIONS)
    {
      send_request_response (self, LIVEKIT__REQUEST_RESPONSE__REASON__LIMIT_EXCEEDED,
                             "too many tracks");
      return;
    }
  for (guint i = 0; i < self->publications->len; i++)
    {
      BcSfuPublication *p = g_ptr_array_index (self->publications, i);

      if (g_strcmp0 (p->cid, req->cid) == 0)
        {
          g_message ("Participant %s published cid %s twice", self->sid, req->cid);
          return;
        }
    }

  /* LiveKit's sid shape: TR_ + V/A + C(amera)/M(ic)/S(creen)/s(creen audio). */
  prefix = g_strdup_printf ("TR_%c%c", req->type == LIVEKIT__TRACK_TYPE__VIDEO ? 'V' : 'A',
                            "UCMSs"[MIN ((guint) source, 4)]);
  pub = g_new0 (BcSfuPublication, 1);
  pub->sid = bc_sfu_make_sid (prefix);
  pub->cid = g_strdup (req->cid);
  pub->name = g_strdup (req->name);
  pub->type = req->type;
  pub->source = source;
  pub->width = req->width;
  pub->height = req->height;
  pub->muted = req->muted;
  pub->disable_dtx = req->disable_dtx;
  pub->stereo = req->stereo;
  pub->stream = g_strdup (source == LIVEKIT__TRACK_SOURCE__SCREEN_SHARE ||
                                  source == LIVEKIT__TRACK_SOURCE__SCREEN_SHARE_AUDIO
                              ? "screen"
                              : "camera");
  if (req->n_simulcast_codecs > 0 && req->simulcast_codecs[0]->codec[0] != '\0')
    pub->codec = g_strdup (req->simulcast_codecs[0]->codec);
  pub->answers_before = self->publisher_answers;
  g_ptr_array_add (self->publications, pub);

  published.cid = req->cid;
  published.track = bc_sfu_publication_fill_info (pub, arena);
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED;
  response.track_published = &published;
  bc_sfu_participant_send (self, &response);
}

static void
unpublish (BcSfuParticipant *self, BcSfuPublication *pub)
{
  gboolean was_announced = pub->announced;

  pub->announced = FALSE;
  if (was_announced)
    {
      self->version++;
      bc_sfu_room_publication_removed (self->room, self, pub);
    }
  g_ptr_array_remove (self->publications, pub);
}

static BcSfuPublication *
find_pending_publication (BcSfuParticipant *self, const char *cid)
{
  for (guint i = 0; i < self->publications->len; i++)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i);

      if (pub->mid == NULL && g_strcmp0 (pub->cid, cid) == 0)
        return pub;
    }
  return NULL;
}

/* Called after an offer was matched. A client sends one publisher offer at a
 * time and, having received TrackPublished, offers every track it still
 * publishes. So once an answer went out after a track's TrackPublished (the
 * client got TrackPublished first: one socket, in order), the client's next
 * offer carries that track unless the client unpublished it before any offer
 * did. Such a track would otherwise wait for media for ever and count
 * against MAX_PUBLICATIONS. */
static void
drop_abandoned_publications (BcSfuParticipant *self)
{
  for (guint i = self->publications->len; i > 0; i--)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i - 1);

      if (pub->mid != NULL || self->publisher_answers <= pub->answers_before)
        continue;
      g_debug ("%s: track %s (cid %s) was unpublished before any offer carried it", self->sid,
               pub->sid, pub->cid);
      unpublish (self, pub);
    }
}

static void
handle_offer (BcSfuParticipant *self, Livekit__SessionDescription *desc)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) media = NULL;
  g_autoptr (GHashTable) preferred = NULL;

  if (g_strcmp0 (desc->type, "offer") != 0 || !bc_sfu_sdp_validate (desc->sdp, &error))
    {
      protocol_error (self, "the publisher offer could not be parsed");
      return;
    }

  /* Match each sending section to an AddTrack as livekit-server does
   * (participant.go getPendingTrack): the msid track id is the cid, else the
   * first unmatched track of the same kind. */
  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
    {
      /* The ICE password is a credential: not in the log. */
      g_autoptr (GRegex) pwd = g_regex_new ("a=ice-pwd:[^\r\n]*", 0, 0, NULL);
      g_autofree char *shown =
          g_regex_replace_literal (pwd, desc->sdp, -1, 0, "a=ice-pwd:…", 0, NULL);

      g_debug ("%s: publisher offer %u:\n%s", self->sid, desc->id, shown);
    }
  media = bc_sfu_sdp_list_media (desc->sdp);
  for (guint i = 0; i < media->len; i++)
    {
      BcSfuSdpMedia *m = g_ptr_array_index (media, i);
      Livekit__TrackType type;
      BcSfuPublication *pub;

      if (g_strcmp0 (m->kind, "audio") == 0)
        type = LIVEKIT__TRACK_TYPE__AUDIO;
      else if (g_strcmp0 (m->kind, "video") == 0)
        type = LIVEKIT__TRACK_TYPE__VIDEO;
      else
        continue;

      pub = find_publication_by_mid (self, m->mid);
      if (pub != NULL && m->sending && m->track_id != NULL &&
          g_strcmp0 (pub->cid, m->track_id) != 0 &&
          find_pending_publication (self, m->track_id) != NULL)
        {
          /* The client reused the section for a new track (a new msid
           * track id, the cid of a later AddTrack): the old one is gone. */
          g_debug ("%s: mid %s now carries %s instead of %s", self->sid, m->mid, m->track_id,
                   pub->cid);
          unpublish (self, pub);
          pub = NULL;
        }
      if (pub != NULL)
        {
          if (!m->sending)
            unpublish (self, pub);
          continue;
        }
      if (!m->sending || m->mid == NULL)
        continue;
      for (guint j = 0; j < self->publications->len && pub == NULL; j++)
        {
          BcSfuPublication *p = g_ptr_array_index (self->publications, j);

          if (p->mid == NULL && m->track_id != NULL && g_strcmp0 (p->cid, m->track_id) == 0)
            pub = p;
        }
      for (guint j = 0; j < self->publications->len && pub == NULL; j++)
        {
          BcSfuPublication *p = g_ptr_array_index (self->publications, j);

          if (p->mid == NULL && p->type == type)
            pub = p;
        }
      if (pub != NULL)
        pub->mid = g_strdup (m->mid);
    }

  drop_abandoned_publications (self);

  /* The answer picks the codec each AddTrack asked for, as livekit-server
   * does; the offer lists the browser's default first. */
  preferred = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint j = 0; j < self->publications->len; j++)
    {
      BcSfuPublication *p = g_ptr_array_index (self->publications, j);

      if (p->mid != NULL && p->codec != NULL)
        g_hash_table_insert (preferred, p->mid, p->codec);
    }
  if (self->publisher == NULL)
    self->publisher = make_peer (self, BC_SFU_PEER_PUBLISHER);
  if (!bc_sfu_peer_handle_offer (self->publisher, desc->sdp, desc->id, preferred, &error))
    protocol_error (self, error->message);
}

static void
handle_answer (BcSfuParticipant *self, Livekit__SessionDescription *desc)
{
  g_autoptr (GError) error = NULL;

  if (self->subscriber == NULL || g_strcmp0 (desc->type, "answer") != 0)
    {
      protocol_error (self, "an answer arrived for no offer");
      return;
    }
  g_debug ("%s: subscriber answer received", self->sid);
  if (!bc_sfu_peer_handle_answer (self->subscriber, desc->sdp, &error))
    protocol_error (self, error->message);
}

static void
handle_trickle (BcSfuParticipant *self, Livekit__TrickleRequest *trickle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) init = NULL;
  BcSfuPeer *peer;
  const char *candidate;
  gint64 mline = 0;

  init = bc_json_parse_object (trickle->candidateinit, -1, &error);
  if (init == NULL)
    {
      protocol_error (self, "a trickle candidate was not JSON");
      return;
    }
  candidate = bc_json_get_string (init, "candidate", FALSE, NULL);
  if (json_object_has_member (init, "sdpMLineIndex") &&
      !JSON_NODE_HOLDS_NULL (json_object_get_member (init, "sdpMLineIndex")))
    bc_json_get_int (init, "sdpMLineIndex", FALSE, &mline, NULL);
  peer = trickle->target == LIVEKIT__SIGNAL_TARGET__SUBSCRIBER ? self->subscriber : self->publisher;
  g_debug ("%s: remote %s candidate %s", self->sid,
           trickle->target == LIVEKIT__SIGNAL_TARGET__SUBSCRIBER ? "subscriber" : "publisher",
           candidate ? candidate : "(none)");
  if (peer == NULL || candidate == NULL || mline < 0 || mline > 1024)
    return;
  bc_sfu_peer_add_ice_candidate (peer, mline, candidate);
}

static void
handle_mute (BcSfuParticipant *self, Livekit__MuteTrackRequest *mute)
{
  for (guint i = 0; i < self->publications->len; i++)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i);

      if (g_strcmp0 (pub->sid, mute->sid) != 0 || pub->muted == mute->muted)
        continue;
      pub->muted = mute->muted;
      if (pub->announced)
        {
          self->version++;
          bc_sfu_room_participant_changed (self->room, self);
        }
      if (!mute->muted && pub->media != NULL)
        bc_sfu_track_request_keyframe (pub->media);
    }
}

static void
handle_subscription (BcSfuParticipant *self, Livekit__UpdateSubscription *sub)
{
  GList *participants;

  if (self->subscriber == NULL)
    return;
  participants = bc_sfu_room_get_participants (self->room);
  for (GList *l = participants; l != NULL; l = l->next)
    {
      BcSfuParticipant *owner = l->data;

      if (owner == self)
        continue;
      for (guint i = 0; i < owner->publications->len; i++)
        {
          BcSfuPublication *pub = g_ptr_array_index (owner->publications, i);

          for (guint k = 0; k < sub->n_track_sids; k++)
            {
              if (g_strcmp0 (sub->track_sids[k], pub->sid) != 0 || !pub->announced)
                continue;
              if (sub->subscribe)
                bc_sfu_participant_subscribe (self, owner, pub);
              else
                bc_sfu_participant_unsubscribe (self, pub);
            }
        }
    }
  g_list_free (participants);
}

static void
send_pong (BcSfuParticipant *self, Livekit__SignalRequest *req)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  gint64 now_ms = g_get_real_time () / 1000;

  if (req->message_case == LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING)
    {
      response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG;
      response.pong = now_ms;
    }
  else
    {
      Livekit__Pong pong = LIVEKIT__PONG__INIT;

      pong.last_ping_timestamp = req->ping_req ? req->ping_req->timestamp : 0;
      pong.timestamp = now_ms;
      response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG_RESP;
      response.pong_resp = &pong;
      bc_sfu_participant_send (self, &response);
      return;
    }
  bc_sfu_participant_send (self, &response);
}

static void
handle_request (BcSfuParticipant *self, Livekit__SignalRequest *req)
{
  switch (req->message_case)
    {
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER:
      handle_offer (self, req->offer);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_ANSWER:
      handle_answer (self, req->answer);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRICKLE:
      handle_trickle (self, req->trickle);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK:
      handle_add_track (self, req->add_track);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_MUTE:
      handle_mute (self, req->mute);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_SUBSCRIPTION:
      handle_subscription (self, req->subscription);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_LEAVE:
      bc_sfu_room_remove_participant (self->room, self,
                                      LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ:
      send_pong (self, req);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_UPDATE_METADATA:
      {
        Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
        Livekit__RequestResponse rr = LIVEKIT__REQUEST_RESPONSE__INIT;

        /* Metadata is the token's; changing it is not supported. */
        rr.request_id = req->update_metadata->request_id;
        rr.reason = LIVEKIT__REQUEST_RESPONSE__REASON__NOT_ALLOWED;
        rr.message = (char *) "metadata updates are not supported";
        response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE;
        response.request_response = &rr;
        bc_sfu_participant_send (self, &response);
        break;
      }
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRACK_SETTING:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_UPDATE_LAYERS:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_SUBSCRIPTION_PERMISSION:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_SYNC_STATE:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_SIMULATE:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_UPDATE_AUDIO_TRACK:
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_UPDATE_VIDEO_TRACK:
      /* Hints for adaptive streaming and simulcast, which a single-layer
       * relay has no use for. */
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE__NOT_SET:
    default:
      protocol_error (self, "an unknown signalling request arrived");
      break;
    }
}

static void
on_message (SoupWebsocketConnection *connection, int type, GBytes *message, gpointer data)
{
  BcSfuParticipant *self = data;
  g_autoptr (BcSfuParticipant) hold = g_object_ref (self);
  Livekit__SignalRequest *req;
  gint64 now = g_get_monotonic_time ();
  gsize len;
  const guint8 *bytes;

  if (self->closed)
    return;
  self->last_activity = now;
  if (now - self->window_start > G_USEC_PER_SEC)
    {
      self->window_start = now;
      self->window_count = 0;
    }
  if (++self->window_count > MAX_REQUESTS_PER_SECOND)
    {
      protocol_error (self, "too many requests");
      return;
    }
  if (type != SOUP_WEBSOCKET_DATA_BINARY)
    {
      protocol_error (self, "only binary protobuf signalling is supported");
      return;
    }
  bytes = g_bytes_get_data (message, &len);
  req = livekit__signal_request__unpack (NULL, len, bytes);
  if (req == NULL)
    {
      protocol_error (self, "a signalling message could not be decoded");
      return;
    }
  handle_request (self, req);
  livekit__signal_request__free_unpacked (req, NULL);
}

static void
on_closed (SoupWebsocketConnection *connection, gpointer data)
{
  BcSfuParticipant *self = data;

  if (!self->closed)
    bc_sfu_room_remove_participant (self->room, self, LIVEKIT__DISCONNECT_REASON__SIGNAL_CLOSE);
}

/* ---- public ----------------------------------------------------------- */

BcSfuParticipant *
bc_sfu_participant_new (BcSfuRoom *room,
                        SoupWebsocketConnection *connection,
                        BcSfuGrants *grants,
                        const BcSfuJoinParams *params,
                        const char *api_key,
                        const char *api_secret)
{
  BcSfuParticipant *self = g_object_new (BC_TYPE_SFU_PARTICIPANT, NULL);

  self->room = room;
  self->connection = g_object_ref (connection);
  self->grants = grants;
  self->params = *params;
  self->params.sdk = g_strdup (params->sdk);
  self->api_key = g_strdup (api_key);
  self->api_secret = g_strdup (api_secret);
  self->sid = bc_sfu_make_sid ("PA_");
  self->joined_at_ms = g_get_real_time () / 1000;

  soup_websocket_connection_set_max_incoming_payload_size (connection, 1024 * 1024);
  soup_websocket_connection_set_keepalive_interval (connection, 10);
  g_signal_connect (connection, "message", G_CALLBACK (on_message), self);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), self);
  return self;
}

const char *
bc_sfu_participant_get_sid (BcSfuParticipant *self)
{
  return self->sid;
}

const char *
bc_sfu_participant_get_identity (BcSfuParticipant *self)
{
  return self->grants->identity;
}

gboolean
bc_sfu_participant_is_hidden (BcSfuParticipant *self)
{
  return self->grants->hidden;
}

gboolean
bc_sfu_participant_can_subscribe (BcSfuParticipant *self)
{
  return self->grants->can_subscribe;
}

/* livekit-server: protocol > 2 and allowed to subscribe
 * (participant.go setupTransportManager). */
gboolean
bc_sfu_participant_is_subscriber_primary (BcSfuParticipant *self)
{
  return self->params.protocol > 2 && self->grants->can_subscribe;
}

/**
 * bc_sfu_participant_get_publications:
 *
 * Returns: (transfer none) (element-type BcSfuPublication):
 */
GPtrArray *
bc_sfu_participant_get_publications (BcSfuParticipant *self)
{
  return self->publications;
}

/**
 * bc_sfu_participant_start:
 *
 * Sends the JoinResponse and a refresh token, and the subscriber offer when
 * the subscriber connection is the primary one. Called by the room once the
 * participant is in it.
 */
void
bc_sfu_participant_start (BcSfuParticipant *self)
{
  g_autoptr (BcSfuArena) arena = bc_sfu_arena_new ();
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__JoinResponse join = LIVEKIT__JOIN_RESPONSE__INIT;
  Livekit__ServerInfo info = LIVEKIT__SERVER_INFO__INIT;
  Livekit__ClientConfiguration config = LIVEKIT__CLIENT_CONFIGURATION__INIT;
  GList *participants = bc_sfu_room_get_participants (self->room);
  guint n = 0;

  join.room = bc_sfu_room_fill_info (self->room, arena);
  join.participant = bc_sfu_participant_fill_info (self, arena);
  join.other_participants =
      bc_sfu_arena_alloc (arena, sizeof (gpointer) * (g_list_length (participants) + 1));
  for (GList *l = participants; l != NULL; l = l->next)
    {
      BcSfuParticipant *other = l->data;

      if (other != self && !other->grants->hidden)
        join.other_participants[n++] = bc_sfu_participant_fill_info (other, arena);
    }
  join.n_other_participants = n;
  g_list_free (participants);

  info.edition = LIVEKIT__SERVER_INFO__EDITION__Standard;
  info.version = (char *) SERVER_VERSION;
  info.protocol = SERVER_PROTOCOL;
  info.node_id = (char *) "bountycam";
  join.server_info = &info;
  join.server_version = (char *) SERVER_VERSION;
  join.ping_interval = PING_INTERVAL_SECONDS;
  join.ping_timeout = PING_TIMEOUT_SECONDS;
  join.subscriber_primary = bc_sfu_participant_is_subscriber_primary (self);
  join.fast_publish = FALSE;
  /* Sessions cannot be resumed here; clients then rejoin in full. */
  config.resume_connection = LIVEKIT__CLIENT_CONFIG_SETTING__DISABLED;
  join.client_configuration = &config;

  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN;
  response.join = &join;
  bc_sfu_participant_send (self, &response);
  g_debug ("%s: joined %s", self->sid, bc_sfu_room_get_name (self->room));
  send_refresh_token (self);
  self->refresh_source = g_timeout_add_seconds (REFRESH_INTERVAL_SECONDS, on_refresh_timer, self);
  self->last_activity = g_get_monotonic_time ();
  self->liveness_source = g_timeout_add_seconds (PING_INTERVAL_SECONDS, on_liveness_timer, self);

  if (self->grants->can_subscribe)
    {
      self->subscriber = make_peer (self, BC_SFU_PEER_SUBSCRIBER);
      if (self->params.auto_subscribe)
        bc_sfu_room_subscribe_existing (self->room, self);
      /* The primary connection must come up even with nothing to receive:
       * the data channels give the offer something to negotiate. */
      if (bc_sfu_participant_is_subscriber_primary (self))
        bc_sfu_peer_negotiate (self->subscriber);
    }
}

void
bc_sfu_participant_subscribe (BcSfuParticipant *self,
                              BcSfuParticipant *owner,
                              BcSfuPublication *pub)
{
  g_autofree char *stream_id = NULL;

  if (self->subscriber == NULL || pub->media == NULL || self->closed)
    return;
  if (bc_sfu_peer_has_track (self->subscriber, pub->media))
    return;
  /* LiveKit's packed stream id (pkg/rtc/utils.go PackStreamID): clients map
   * the track to its participant and publication by it. */
  stream_id = g_strdup_printf ("%s|%s", owner->sid, pub->sid);
  bc_sfu_peer_add_track (self->subscriber, pub->media, stream_id, pub->sid);
  bc_sfu_peer_negotiate (self->subscriber);
}

void
bc_sfu_participant_unsubscribe (BcSfuParticipant *self, BcSfuPublication *pub)
{
  if (self->subscriber == NULL || pub->media == NULL || self->closed)
    return;
  if (!bc_sfu_peer_has_track (self->subscriber, pub->media))
    return;
  bc_sfu_peer_remove_track (self->subscriber, pub->media);
  bc_sfu_peer_negotiate (self->subscriber);
}

static gboolean
on_close_timeout (gpointer data)
{
  BcSfuParticipant *self = data;

  self->close_source = 0;
  if (self->connection != NULL &&
      soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_close (self->connection, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
  return G_SOURCE_REMOVE;
}

/**
 * bc_sfu_participant_disconnect:
 *
 * Server-initiated end: a leave first, because clients treat a bare close
 * as a network failure and try to resume; then the participant leaves the
 * room and the socket is closed shortly after.
 */
void
bc_sfu_participant_disconnect (BcSfuParticipant *self,
                               Livekit__DisconnectReason reason,
                               Livekit__LeaveRequest__Action action)
{
  g_return_if_fail (BC_IS_SFU_PARTICIPANT (self));

  if (self->closed)
    return;
  send_leave (self, reason, action);
  bc_sfu_room_remove_participant (self->room, self, reason);
}

/**
 * bc_sfu_participant_close:
 *
 * Tears down both connections and the publications. Called by the room when
 * the participant leaves it.
 */
void
bc_sfu_participant_close (BcSfuParticipant *self, Livekit__DisconnectReason reason)
{
  g_return_if_fail (BC_IS_SFU_PARTICIPANT (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  self->state = LIVEKIT__PARTICIPANT_INFO__STATE__DISCONNECTED;
  self->disconnect_reason = reason;
  self->version++;
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  g_clear_handle_id (&self->liveness_source, g_source_remove);

  if (self->subscriber != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->subscriber, self);
      bc_sfu_peer_close (self->subscriber);
      g_clear_object (&self->subscriber);
    }
  if (self->publisher != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->publisher, self);
      bc_sfu_peer_close (self->publisher);
      g_clear_object (&self->publisher);
    }
  for (guint i = 0; i < self->publications->len; i++)
    {
      BcSfuPublication *pub = g_ptr_array_index (self->publications, i);

      pub->announced = FALSE;
      g_clear_object (&pub->media);
    }

  if (self->connection != NULL &&
      soup_websocket_connection_get_state (self->connection) == SOUP_WEBSOCKET_STATE_OPEN &&
      self->close_source == 0)
    self->close_source = g_timeout_add_full (G_PRIORITY_DEFAULT, CLOSE_DELAY_MS, on_close_timeout,
                                             g_object_ref (self), g_object_unref);
}
