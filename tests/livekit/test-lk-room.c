/* BcLkRoom against a minimal LiveKit-like server in the test: it answers the
 * publisher connection with a BcLkPeer (webrtcbin) of its own, and can close
 * the signal connection, ask for a full rejoin or delete the room. Covers
 * join, publish (AddTrack before offer), media flowing, resume, full rejoin
 * with republish, leave reasons and the viewer-token refusal. */
#include "config.h"

#include "bc-lk-test-wait.h"

#include "bc-known-warnings.h"

#include "bc-lk-error.h"
#include "bc-lk-peer.h"
#include "bc-lk-proto.h"
#include "bc-lk-room.h"

#include <libsoup/soup.h>
#include <string.h>

typedef struct
{
  SoupServer *server;
  char *url;
  SoupWebsocketConnection *ws;
  BcLkPeer *peer; /* answers the client's publisher connection */
  gboolean can_publish;
  gboolean allow_resume;
  guint stopping_joins; /* joins answered, then left as a stopping server does */
  guint joins;
  guint resumes;
  guint add_tracks;
  guint sync_states;
  guint sync_published;
  guint client_leaves;
  guint track_seq;
  gint frames;
  char *last_sid;
  char *last_offer;
  guint offers;
  char *last_token;
  guint mutes;
  gboolean last_mute;
  GString *events;

  /* client side */
  BcLkRoom *room;
  GPtrArray *states;
  int disconnect_reason;
  gboolean disconnected;
} Fixture;

static void
server_send (Fixture *f, Livekit__SignalResponse *response)
{
  g_autoptr (GBytes) bytes = bc_lk_signal_response_pack (response);

  if (f->ws != NULL && soup_websocket_connection_get_state (f->ws) == SOUP_WEBSOCKET_STATE_OPEN)
    soup_websocket_connection_send_binary (f->ws, g_bytes_get_data (bytes, NULL),
                                           g_bytes_get_size (bytes));
}

static void
server_send_leave (Fixture *f,
                   Livekit__DisconnectReason reason,
                   Livekit__LeaveRequest__Action action)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__LeaveRequest leave = LIVEKIT__LEAVE_REQUEST__INIT;

  leave.reason = reason;
  leave.action = action;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE;
  response.leave = &leave;
  server_send (f, &response);
}

static void
on_peer_description (BcLkPeer *peer, const char *type, const char *sdp, guint id, gpointer data)
{
  Fixture *f = data;
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__SessionDescription desc = LIVEKIT__SESSION_DESCRIPTION__INIT;

  desc.type = (char *) type;
  desc.sdp = (char *) sdp;
  desc.id = id;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER;
  response.answer = &desc;
  server_send (f, &response);
}

static void
on_peer_candidate (BcLkPeer *peer, const char *json, gpointer data)
{
  Fixture *f = data;
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__TrickleRequest trickle = LIVEKIT__TRICKLE_REQUEST__INIT;

  trickle.candidateinit = (char *) json;
  trickle.target = LIVEKIT__SIGNAL_TARGET__PUBLISHER;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRICKLE;
  response.trickle = &trickle;
  server_send (f, &response);
}

static GstPadProbeReturn
count_frame (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  Fixture *f = data;

  g_atomic_int_inc (&f->frames);
  return GST_PAD_PROBE_OK;
}

static void
on_peer_track (BcLkPeer *peer, GstPad *pad, const char *msid, const char *mid, gpointer data)
{
  Fixture *f = data;
  GstElement *chain = gst_parse_bin_from_description (
      "queue ! rtpvp8depay ! vp8dec name=dec ! fakesink sync=false async=false", TRUE, NULL);
  g_autoptr (GstElement) dec = gst_bin_get_by_name (GST_BIN (chain), "dec");
  g_autoptr (GstPad) decsrc = gst_element_get_static_pad (dec, "src");
  g_autoptr (GstPad) sinkpad = gst_element_get_static_pad (chain, "sink");

  gst_bin_add (bc_lk_peer_get_bin (peer), chain);
  gst_pad_add_probe (decsrc, GST_PAD_PROBE_TYPE_BUFFER, count_frame, f, NULL);
  g_assert_cmpint (gst_pad_link (pad, sinkpad), ==, GST_PAD_LINK_OK);
  gst_element_sync_state_with_parent (chain);
}

static void
server_new_peer (Fixture *f)
{
  if (f->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->peer, f);
      bc_lk_peer_close (f->peer);
      g_clear_object (&f->peer);
    }
  f->peer = bc_lk_peer_new (BC_LK_PEER_SUBSCRIBER, TRUE, FALSE);
  g_signal_connect (f->peer, "local-description", G_CALLBACK (on_peer_description), f);
  g_signal_connect (f->peer, "local-candidate", G_CALLBACK (on_peer_candidate), f);
  g_signal_connect (f->peer, "track", G_CALLBACK (on_peer_track), f);
  g_assert_true (bc_lk_peer_start (f->peer, NULL));
}

static void
on_server_message (SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer data)
{
  Fixture *f = data;
  g_autoptr (Livekit__SignalRequest) request = bc_lk_signal_request_unpack (bytes, NULL);
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;

  g_assert_nonnull (request);
  if (ws != f->ws)
    return;
  switch (request->message_case)
    {
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER:
      g_free (f->last_offer);
      f->last_offer = g_strdup (request->offer->sdp);
      f->offers++;
      bc_lk_peer_set_remote_description (f->peer, "offer", request->offer->sdp, request->offer->id);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_TRICKLE:
      g_assert_cmpint (request->trickle->target, ==, LIVEKIT__SIGNAL_TARGET__PUBLISHER);
      bc_lk_peer_add_ice_candidate (f->peer, request->trickle->candidateinit);
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK:
      {
        Livekit__TrackPublishedResponse published = LIVEKIT__TRACK_PUBLISHED_RESPONSE__INIT;
        Livekit__TrackInfo info = LIVEKIT__TRACK_INFO__INIT;
        g_autofree char *sid = g_strdup_printf ("TR_VC%u", ++f->track_seq);

        f->add_tracks++;
        g_assert_cmpint (request->add_track->type, ==, LIVEKIT__TRACK_TYPE__VIDEO);
        g_assert_cmpint (request->add_track->source, ==, LIVEKIT__TRACK_SOURCE__CAMERA);
        g_assert_cmpuint (request->add_track->n_layers, ==, 1);
        g_assert_cmpuint (request->add_track->layers[0]->width, ==, 320);
        info.sid = sid;
        info.type = request->add_track->type;
        info.name = request->add_track->name;
        published.cid = request->add_track->cid;
        published.track = &info;
        response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED;
        response.track_published = &published;
        server_send (f, &response);
        break;
      }
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_SYNC_STATE:
      f->sync_states++;
      f->sync_published = request->sync_state->n_publish_tracks;
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ:
      {
        Livekit__Pong pong = LIVEKIT__PONG__INIT;

        pong.last_ping_timestamp = request->ping_req->timestamp;
        pong.timestamp = g_get_real_time () / 1000;
        response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_PONG_RESP;
        response.pong_resp = &pong;
        server_send (f, &response);
        break;
      }
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_LEAVE:
      f->client_leaves++;
      break;
    case LIVEKIT__SIGNAL_REQUEST__MESSAGE_MUTE:
      f->mutes++;
      f->last_mute = request->mute->muted;
      break;
    default:
      break;
    }
}

static void
on_websocket (SoupServer *server,
              SoupServerMessage *msg,
              const char *path,
              SoupWebsocketConnection *ws,
              gpointer data)
{
  Fixture *f = data;
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr (GHashTable) params =
      g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  gboolean resume = g_strcmp0 (g_hash_table_lookup (params, "reconnect"), "1") == 0;

  g_free (f->last_token);
  f->last_token = g_strdup (g_hash_table_lookup (params, "access_token"));

  g_clear_object (&f->ws);
  f->ws = g_object_ref (ws);
  g_signal_connect (ws, "message", G_CALLBACK (on_server_message), f);

  if (resume)
    {
      g_assert_cmpstr (g_hash_table_lookup (params, "sid"), ==, f->last_sid);
      if (!f->allow_resume)
        {
          server_send_leave (f, LIVEKIT__DISCONNECT_REASON__STATE_MISMATCH,
                             LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT);
          return;
        }
      f->resumes++;
      {
        Livekit__ReconnectResponse rr = LIVEKIT__RECONNECT_RESPONSE__INIT;

        response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_RECONNECT;
        response.reconnect = &rr;
        server_send (f, &response);
      }
      return;
    }

  {
    Livekit__JoinResponse join = LIVEKIT__JOIN_RESPONSE__INIT;
    Livekit__Room room = LIVEKIT__ROOM__INIT;
    Livekit__ParticipantInfo me = LIVEKIT__PARTICIPANT_INFO__INIT;
    Livekit__ParticipantPermission perm = LIVEKIT__PARTICIPANT_PERMISSION__INIT;
    Livekit__ServerInfo info = LIVEKIT__SERVER_INFO__INIT;

    f->joins++;
    g_free (f->last_sid);
    f->last_sid = g_strdup_printf ("PA_%u", f->joins);
    room.sid = "RM_1";
    room.name = "test-room";
    me.sid = f->last_sid;
    me.identity = "streamer";
    perm.can_publish = f->can_publish;
    perm.can_subscribe = FALSE;
    me.permission = &perm;
    info.version = "1.9.0";
    info.protocol = 17;
    join.room = &room;
    join.participant = &me;
    join.server_info = &info;
    /* Short enough that pings flow during the test; long enough that a
     * loaded machine under ASan does not miss one and start a resume. */
    join.ping_interval = 1;
    join.ping_timeout = 15;
    join.subscriber_primary = FALSE;
    response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN;
    response.join = &join;
    server_new_peer (f);
    server_send (f, &response);

    /* As LiveKit does: a fresh token for reconnecting. */
    response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN;
    response.refresh_token = (char *) "refreshed-token";
    server_send (f, &response);

    if (f->stopping_joins > 0)
      {
        f->stopping_joins--;
        server_send_leave (f, LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN,
                           LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
      }
  }
}

static void
on_state (GObject *room, GParamSpec *pspec, gpointer data)
{
  Fixture *f = data;

  g_ptr_array_add (f->states, GINT_TO_POINTER (bc_lk_room_get_state (BC_LK_ROOM (room))));
}

static void
on_disconnected (BcLkRoom *room, int reason, const char *message, gpointer data)
{
  Fixture *f = data;

  g_assert_nonnull (message);
  f->disconnect_reason = reason;
  f->disconnected = TRUE;
}

static void
fixture_setup (Fixture *f, gboolean can_publish)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;

  f->can_publish = can_publish;
  f->allow_resume = TRUE;
  f->server = soup_server_new (NULL, NULL);
  soup_server_add_websocket_handler (f->server, "/rtc", NULL, NULL, on_websocket, f, NULL);
  soup_server_listen_local (f->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->server);
  f->url = g_strdup_printf ("ws://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  f->states = g_ptr_array_new ();
  f->room = bc_lk_room_new ();
  g_object_set (f->room, "loopback-only", TRUE, NULL);
  g_signal_connect (f->room, "notify::state", G_CALLBACK (on_state), f);
  g_signal_connect (f->room, "disconnected", G_CALLBACK (on_disconnected), f);
}

static void
fixture_teardown (Fixture *f)
{
  g_clear_object (&f->room);
  if (f->peer != NULL)
    {
      g_signal_handlers_disconnect_by_data (f->peer, f);
      bc_lk_peer_close (f->peer);
    }
  g_clear_object (&f->peer);
  g_clear_object (&f->ws);
  soup_server_disconnect (f->server);
  g_clear_object (&f->server);
  g_ptr_array_unref (f->states);
  g_free (f->url);
  g_free (f->last_sid);
  g_free (f->last_offer);
  g_free (f->last_token);
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

static GstElement *
make_source (void)
{
  return gst_parse_bin_from_description (
      "videotestsrc is-live=true ! video/x-raw,width=320,height=240,framerate=30/1 ! "
      "vp8enc deadline=1 keyframe-max-dist=15 ! rtpvp8pay picture-id-mode=15-bit mtu=1200",
      TRUE, NULL);
}

/* Publishes a 320×240 VP8 camera track and waits for the outcome in @pub. */
static void
publish_camera (Fixture *f, Result *pub)
{
  bc_lk_room_publish_track_async (f->room, BC_LK_TRACK_KIND_VIDEO, BC_LK_TRACK_SOURCE_CAMERA,
                                  "camera", 320, 240, make_source (), NULL, on_published, pub);
  WAIT_FOR (pub->done, 30);
}

static void
connect_room (Fixture *f)
{
  Result r = { 0 };

  bc_lk_room_connect_async (f->room, f->url, "token", NULL, on_connected, &r);
  WAIT_FOR (r.done, 30);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (bc_lk_room_get_state (f->room), ==, BC_LK_ROOM_STATE_CONNECTED);
  g_assert_cmpstr (bc_lk_room_get_name (f->room), ==, "test-room");
  g_assert_cmpstr (bc_lk_room_get_local_identity (f->room), ==, "streamer");
}

static void
test_room_publish_resume_rejoin_leave (void)
{
  Fixture f = { 0 };
  Result pub = { 0 };
  int frames;

  fixture_setup (&f, TRUE);
  connect_room (&f);

  publish_camera (&f, &pub);
  g_assert_no_error (pub.error);
  g_assert_cmpstr (pub.sid, ==, "TR_VC1");
  WAIT_FOR (g_atomic_int_get (&f.frames) >= 10, 30);

  /* The server drops the signal connection: resume, same participant. */
  g_ptr_array_set_size (f.states, 0);
  soup_websocket_connection_close (f.ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  WAIT_FOR (f.resumes == 1 && bc_lk_room_get_state (f.room) == BC_LK_ROOM_STATE_CONNECTED &&
                f.sync_states == 1,
            30);
  g_assert_cmpuint (f.joins, ==, 1);
  g_assert_cmpuint (f.sync_published, ==, 1);
  g_assert_cmpuint (f.states->len, >=, 2);
  g_assert_cmpint (GPOINTER_TO_INT (f.states->pdata[0]), ==, BC_LK_ROOM_STATE_RECONNECTING);
  g_assert_cmpint (GPOINTER_TO_INT (f.states->pdata[f.states->len - 1]), ==,
                   BC_LK_ROOM_STATE_CONNECTED);
  frames = g_atomic_int_get (&f.frames);
  WAIT_FOR (g_atomic_int_get (&f.frames) >= frames + 10, 30);

  /* The server asks for a full rejoin: new participant, the track again. */
  g_ptr_array_set_size (f.states, 0);
  server_send_leave (&f, LIVEKIT__DISCONNECT_REASON__STATE_MISMATCH,
                     LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT);
  g_atomic_int_set (&f.frames, 0);
  WAIT_FOR (f.joins == 2 && f.add_tracks == 2 &&
                bc_lk_room_get_state (f.room) == BC_LK_ROOM_STATE_CONNECTED,
            30);
  g_assert_cmpstr (bc_lk_room_get_local_sid (f.room), ==, "PA_2");
  /* the rejoin used the refresh token */
  g_assert_cmpstr (f.last_token, ==, "refreshed-token");
  WAIT_FOR (g_atomic_int_get (&f.frames) >= 10, 30);
  g_assert_cmpint (GPOINTER_TO_INT (f.states->pdata[0]), ==, BC_LK_ROOM_STATE_RECONNECTING);

  /* A resume the server no longer knows about ends in a full rejoin too. */
  f.allow_resume = FALSE;
  soup_websocket_connection_close (f.ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  WAIT_FOR (f.joins == 3 && f.add_tracks == 3 &&
                bc_lk_room_get_state (f.room) == BC_LK_ROOM_STATE_CONNECTED,
            30);

  /* The room is deleted (the session was approved). */
  server_send_leave (&f, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED,
                     LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
  WAIT_FOR (f.disconnected, 30);
  g_assert_cmpint (f.disconnect_reason, ==, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);
  g_assert_cmpint (bc_lk_room_get_state (f.room), ==, BC_LK_ROOM_STATE_DISCONNECTED);
  g_assert_cmpint (bc_lk_room_get_disconnect_reason (f.room), ==,
                   LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);

  g_free (pub.sid);
  fixture_teardown (&f);
}

/* The server stops, and the first rejoin reaches it while it still
 * accepts joins before it goes: that attempt fails and the next one,
 * to the server that is back, rejoins and republishes. */
static void
test_room_rejoin_while_server_stops (void)
{
  Fixture f = { 0 };
  Result pub = { 0 };

  fixture_setup (&f, TRUE);
  connect_room (&f);
  publish_camera (&f, &pub);
  g_assert_no_error (pub.error);
  WAIT_FOR (g_atomic_int_get (&f.frames) >= 10, 30);

  g_ptr_array_set_size (f.states, 0);
  f.stopping_joins = 1;
  server_send_leave (&f, LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN,
                     LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
  g_atomic_int_set (&f.frames, 0);
  WAIT_FOR (f.joins == 3 && f.add_tracks == 3 &&
                bc_lk_room_get_state (f.room) == BC_LK_ROOM_STATE_CONNECTED,
            60);
  g_assert_false (f.disconnected);
  for (guint i = 0; i < f.states->len; i++)
    g_assert_cmpint (GPOINTER_TO_INT (f.states->pdata[i]), !=, BC_LK_ROOM_STATE_DISCONNECTED);
  g_assert_cmpint (GPOINTER_TO_INT (f.states->pdata[0]), ==, BC_LK_ROOM_STATE_RECONNECTING);
  WAIT_FOR (g_atomic_int_get (&f.frames) >= 10, 30);

  bc_lk_room_disconnect (f.room);
  g_free (pub.sid);
  fixture_teardown (&f);
}

static void
test_room_viewer_cannot_publish (void)
{
  Fixture f = { 0 };
  Result pub = { 0 };

  fixture_setup (&f, FALSE);
  connect_room (&f);
  g_assert_false (bc_lk_room_get_can_publish (f.room));

  publish_camera (&f, &pub);
  g_assert_error (pub.error, BC_LK_ERROR, BC_LK_ERROR_NOT_ALLOWED);
  g_assert_cmpuint (f.add_tracks, ==, 0);
  g_clear_error (&pub.error);

  /* leave goes out on disconnect */
  bc_lk_room_disconnect (f.room);
  WAIT_FOR (f.client_leaves == 1, 30);
  g_assert_true (f.disconnected);
  g_assert_cmpint (f.disconnect_reason, ==, LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED);
  fixture_teardown (&f);
}

static void
test_room_server_gone (void)
{
  Fixture f = { 0 };
  Result r = { 0 };

  fixture_setup (&f, TRUE);
  soup_server_disconnect (f.server);
  bc_lk_room_connect_async (f.room, f.url, "token", NULL, on_connected, &r);
  WAIT_FOR (r.done, 30);
  g_assert_error (r.error, BC_LK_ERROR, BC_LK_ERROR_SERVER_UNREACHABLE);
  g_assert_cmpint (bc_lk_room_get_state (f.room), ==, BC_LK_ROOM_STATE_FAILED);
  g_clear_error (&r.error);
  fixture_teardown (&f);
}

/* Unpublishing marks the section inactive; publishing again works, several
 * times over, and media flows each time. */
static void
test_room_unpublish_republish (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, TRUE);
  connect_room (&f);

  for (guint round = 1; round <= 3; round++)
    {
      Result pub = { 0 };
      g_autoptr (GstElement) back = NULL;
      guint offers;

      g_atomic_int_set (&f.frames, 0);
      publish_camera (&f, &pub);
      g_assert_no_error (pub.error);
      g_assert_cmpuint (f.add_tracks, ==, round);
      WAIT_FOR (g_atomic_int_get (&f.frames) >= 5, 30);

      offers = f.offers;
      back = bc_lk_room_unpublish_track (f.room, pub.sid);
      g_assert_nonnull (back);
      g_assert_null (GST_OBJECT_PARENT (back));
      WAIT_FOR (f.offers > offers, 30);
      /* every video section is inactive now */
      {
        g_auto (GStrv) sections = g_strsplit (f.last_offer, "m=video", -1);

        g_assert_cmpuint (g_strv_length (sections), ==, round + 1);
        for (guint i = 1; sections[i] != NULL; i++)
          g_assert_nonnull (strstr (sections[i], "a=inactive"));
      }
      g_free (pub.sid);
    }
  bc_lk_room_disconnect (f.room);
  fixture_teardown (&f);
}

/* The server goes away for good: reconnecting stops at the timeout with a
 * reason, never stuck in "reconnecting". */
static void
test_room_gives_up (void)
{
  Fixture f = { 0 };

  fixture_setup (&f, TRUE);
  g_object_set (f.room, "reconnect-timeout", 3, NULL);
  connect_room (&f);
  g_ptr_array_set_size (f.states, 0);
  soup_server_disconnect (f.server);
  soup_websocket_connection_close (f.ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, NULL);
  WAIT_FOR (f.disconnected, 30);
  g_assert_cmpint (f.disconnect_reason, ==, LIVEKIT__DISCONNECT_REASON__CONNECTION_TIMEOUT);
  g_assert_cmpint (bc_lk_room_get_state (f.room), ==, BC_LK_ROOM_STATE_FAILED);
  g_assert_cmpint (GPOINTER_TO_INT (f.states->pdata[0]), ==, BC_LK_ROOM_STATE_RECONNECTING);
  g_assert_nonnull (bc_lk_room_get_disconnect_message (f.room));
  fixture_teardown (&f);
}

static void
on_event_participant (BcLkRoom *room, const char *sid, const char *identity, gpointer data)
{
  Fixture *f = data;

  g_string_append_printf (f->events, "participant %s %s;", sid, identity);
}

static void
on_event_track_published (BcLkRoom *room,
                          const char *psid,
                          const char *identity,
                          const char *tsid,
                          int kind,
                          int source,
                          const char *name,
                          gpointer data)
{
  Fixture *f = data;

  g_string_append_printf (f->events, "published %s %s %d %d %s;", identity, tsid, kind, source,
                          name);
}

static void
on_event_track_unpublished (
    BcLkRoom *room, const char *psid, const char *identity, const char *tsid, gpointer data)
{
  Fixture *f = data;

  g_string_append_printf (f->events, "unpublished %s;", tsid);
}

static void
on_event_track_muted (
    BcLkRoom *room, const char *psid, const char *tsid, gboolean muted, gpointer data)
{
  Fixture *f = data;

  g_string_append_printf (f->events, "muted %s %d;", tsid, muted);
}

static void
on_event_gone (BcLkRoom *room, const char *sid, const char *identity, gpointer data)
{
  Fixture *f = data;

  g_string_append_printf (f->events, "gone %s;", sid);
}

static void
send_update (Fixture *f, guint version, gboolean muted, gboolean with_track, gboolean left)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__ParticipantUpdate update = LIVEKIT__PARTICIPANT_UPDATE__INIT;
  Livekit__ParticipantInfo other = LIVEKIT__PARTICIPANT_INFO__INIT;
  Livekit__ParticipantInfo *others[] = { &other };
  Livekit__TrackInfo track = LIVEKIT__TRACK_INFO__INIT;
  Livekit__TrackInfo *tracks[] = { &track };

  other.sid = "PA_other";
  other.identity = "requester";
  other.version = version;
  other.state = left ? LIVEKIT__PARTICIPANT_INFO__STATE__DISCONNECTED
                     : LIVEKIT__PARTICIPANT_INFO__STATE__ACTIVE;
  track.sid = "TR_VCx";
  track.type = LIVEKIT__TRACK_TYPE__VIDEO;
  track.source = LIVEKIT__TRACK_SOURCE__CAMERA;
  track.name = "camera";
  track.muted = muted;
  if (with_track)
    {
      other.n_tracks = 1;
      other.tracks = tracks;
    }
  update.n_participants = 1;
  update.participants = others;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE;
  response.update = &update;
  server_send (f, &response);
}

/* Participant updates become signals, in order, older versions ignored; a
 * local mute goes to the server. */
static void
test_room_participants (void)
{
  Fixture f = { 0 };
  Result pub = { 0 };

  fixture_setup (&f, TRUE);
  f.events = g_string_new (NULL);
  g_signal_connect (f.room, "participant-connected", G_CALLBACK (on_event_participant), &f);
  g_signal_connect (f.room, "participant-disconnected", G_CALLBACK (on_event_gone), &f);
  g_signal_connect (f.room, "track-published", G_CALLBACK (on_event_track_published), &f);
  g_signal_connect (f.room, "track-unpublished", G_CALLBACK (on_event_track_unpublished), &f);
  g_signal_connect (f.room, "track-muted", G_CALLBACK (on_event_track_muted), &f);
  connect_room (&f);

  send_update (&f, 1, FALSE, FALSE, FALSE);
  send_update (&f, 2, FALSE, TRUE, FALSE);
  send_update (&f, 3, TRUE, TRUE, FALSE);
  send_update (&f, 2, FALSE, TRUE, FALSE); /* stale: ignored */
  send_update (&f, 4, TRUE, FALSE, FALSE);
  send_update (&f, 5, FALSE, FALSE, TRUE);
  WAIT_FOR (strstr (f.events->str, "gone") != NULL, 30);
  g_assert_cmpstr (f.events->str, ==,
                   "participant PA_other requester;"
                   "published requester TR_VCx 1 1 camera;"
                   "muted TR_VCx 1;"
                   "unpublished TR_VCx;"
                   "gone PA_other;");
  g_assert_null (bc_lk_room_dup_participant_identity (f.room, "PA_other"));

  publish_camera (&f, &pub);
  g_assert_no_error (pub.error);
  bc_lk_room_set_track_muted (f.room, pub.sid, TRUE);
  WAIT_FOR (f.mutes == 1, 30);
  g_assert_true (f.last_mute);
  g_free (pub.sid);

  bc_lk_room_disconnect (f.room);
  g_string_free (f.events, TRUE);
  fixture_teardown (&f);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_test_add_func ("/livekit/room/publish-resume-rejoin-leave",
                   test_room_publish_resume_rejoin_leave);
  g_test_add_func ("/livekit/room/rejoin-while-server-stops", test_room_rejoin_while_server_stops);
  g_test_add_func ("/livekit/room/viewer-cannot-publish", test_room_viewer_cannot_publish);
  g_test_add_func ("/livekit/room/server-gone", test_room_server_gone);
  g_test_add_func ("/livekit/room/unpublish-republish", test_room_unpublish_republish);
  g_test_add_func ("/livekit/room/gives-up", test_room_gives_up);
  g_test_add_func ("/livekit/room/participants", test_room_participants);
  return g_test_run ();
}
