/* Unit tests of the LiveKit protobuf subset: round trips and exact bytes. */
#include "config.h"

#include "bc-lk-error.h"
#include "bc-lk-proto.h"

static void
test_join_round_trip (void)
{
  Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
  Livekit__JoinResponse join = LIVEKIT__JOIN_RESPONSE__INIT;
  Livekit__Room room = LIVEKIT__ROOM__INIT;
  Livekit__ParticipantInfo me = LIVEKIT__PARTICIPANT_INFO__INIT;
  Livekit__ParticipantPermission perm = LIVEKIT__PARTICIPANT_PERMISSION__INIT;
  Livekit__ServerInfo info = LIVEKIT__SERVER_INFO__INIT;
  Livekit__ICEServer ice = LIVEKIT__ICESERVER__INIT;
  Livekit__ICEServer *ices[] = { &ice };
  char *urls[] = { "stun:stun.example.org:3478", "turns:turn.example.org:443?transport=tcp" };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (Livekit__SignalResponse) back = NULL;
  g_autoptr (GError) error = NULL;

  room.sid = "RM_test";
  room.name = "3f0b6a52-room";
  me.sid = "PA_abc";
  me.identity = "streamer";
  me.state = LIVEKIT__PARTICIPANT_INFO__STATE__JOINED;
  perm.can_publish = TRUE;
  perm.can_subscribe = FALSE;
  me.permission = &perm;
  info.version = "1.9.0";
  info.protocol = 17;
  ice.n_urls = G_N_ELEMENTS (urls);
  ice.urls = urls;
  ice.username = "user";
  ice.credential = "pass";
  join.room = &room;
  join.participant = &me;
  join.server_info = &info;
  join.n_ice_servers = 1;
  join.ice_servers = ices;
  join.ping_interval = 5;
  join.ping_timeout = 15;
  join.subscriber_primary = TRUE;
  response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN;
  response.join = &join;

  bytes = bc_lk_signal_response_pack (&response);
  back = bc_lk_signal_response_unpack (bytes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);
  g_assert_cmpint (back->message_case, ==, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN);
  g_assert_cmpstr (back->join->room->name, ==, "3f0b6a52-room");
  g_assert_cmpstr (back->join->participant->sid, ==, "PA_abc");
  g_assert_true (back->join->participant->permission->can_publish);
  g_assert_false (back->join->participant->permission->can_subscribe);
  g_assert_cmpstr (back->join->server_info->version, ==, "1.9.0");
  g_assert_cmpint (back->join->ping_interval, ==, 5);
  g_assert_cmpint (back->join->ping_timeout, ==, 15);
  g_assert_true (back->join->subscriber_primary);
  g_assert_cmpuint (back->join->n_ice_servers, ==, 1);
  g_assert_cmpuint (back->join->ice_servers[0]->n_urls, ==, 2);
  g_assert_cmpstr (back->join->ice_servers[0]->urls[1], ==, urls[1]);
  g_assert_cmpstr (bc_lk_signal_response_kind_name (back->message_case), ==, "join");
}

/* Exact encodings, worked out by hand from LiveKit's field numbers, so a
 * renumbered field cannot slip through a round trip. */
static void
test_wire_bytes (void)
{
  {
    Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
    Livekit__JoinResponse join = LIVEKIT__JOIN_RESPONSE__INIT;
    Livekit__Room room = LIVEKIT__ROOM__INIT;
    const guint8 expected[] = { 0x0a, 0x05, 0x0a, 0x03, 0x12, 0x01, 'r' };
    g_autoptr (GBytes) bytes = NULL;

    room.name = "r";
    join.room = &room;
    response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN;
    response.join = &join;
    bytes = bc_lk_signal_response_pack (&response);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected,
                     sizeof expected);
  }
  {
    /* ping_req = 16 (tag 0x82 0x01), Ping.timestamp = 1 */
    Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
    Livekit__Ping ping = LIVEKIT__PING__INIT;
    const guint8 expected[] = { 0x82, 0x01, 0x02, 0x08, 0x01 };
    g_autoptr (GBytes) bytes = NULL;

    ping.timestamp = 1;
    request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_PING_REQ;
    request.ping_req = &ping;
    bytes = bc_lk_signal_request_pack (&request);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected,
                     sizeof expected);
  }
  {
    /* leave = 8: reason ROOM_DELETED(5) = field 2, action RECONNECT(2) = field 3 */
    Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
    Livekit__LeaveRequest leave = LIVEKIT__LEAVE_REQUEST__INIT;
    const guint8 expected[] = { 0x42, 0x04, 0x10, 0x05, 0x18, 0x02 };
    g_autoptr (GBytes) bytes = NULL;

    leave.reason = LIVEKIT__DISCONNECT_REASON__ROOM_DELETED;
    leave.action = LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT;
    response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE;
    response.leave = &leave;
    bytes = bc_lk_signal_response_pack (&response);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected,
                     sizeof expected);
  }
  {
    /* refresh_token = 16, a string: tag (16 << 3 | 2) = 0x82 0x01 */
    Livekit__SignalResponse response = LIVEKIT__SIGNAL_RESPONSE__INIT;
    const guint8 expected[] = { 0x82, 0x01, 0x01, 't' };
    g_autoptr (GBytes) bytes = NULL;

    response.message_case = LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REFRESH_TOKEN;
    response.refresh_token = "t";
    bytes = bc_lk_signal_response_pack (&response);
    g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected,
                     sizeof expected);
  }
}

static void
test_session_description_map (void)
{
  Livekit__SignalRequest request = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__SessionDescription sd = LIVEKIT__SESSION_DESCRIPTION__INIT;
  Livekit__SessionDescription__MidToTrackIdEntry entry =
      LIVEKIT__SESSION_DESCRIPTION__MID_TO_TRACK_ID_ENTRY__INIT;
  Livekit__SessionDescription__MidToTrackIdEntry *entries[] = { &entry };
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (Livekit__SignalRequest) back = NULL;
  g_autoptr (GError) error = NULL;

  entry.key = "0";
  entry.value = "TR_VCabc";
  sd.type = "offer";
  sd.sdp = "v=0\r\n";
  sd.id = 7;
  sd.n_mid_to_track_id = 1;
  sd.mid_to_track_id = entries;
  request.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER;
  request.offer = &sd;

  bytes = bc_lk_signal_request_pack (&request);
  back = bc_lk_signal_request_unpack (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpint (back->message_case, ==, LIVEKIT__SIGNAL_REQUEST__MESSAGE_OFFER);
  g_assert_cmpuint (back->offer->id, ==, 7);
  g_assert_cmpuint (back->offer->n_mid_to_track_id, ==, 1);
  g_assert_cmpstr (back->offer->mid_to_track_id[0]->value, ==, "TR_VCabc");
  g_assert_cmpstr (bc_lk_signal_request_kind_name (back->message_case), ==, "offer");
}

static void
test_garbage_rejected (void)
{
  const guint8 junk[] = { 0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01 };
  g_autoptr (GBytes) bytes = g_bytes_new_static (junk, sizeof junk);
  g_autoptr (GError) error = NULL;
  g_autoptr (Livekit__SignalResponse) response = bc_lk_signal_response_unpack (bytes, &error);

  g_assert_null (response);
  g_assert_error (error, BC_LK_ERROR, BC_LK_ERROR_PROTOCOL);
}

static void
test_disconnect_reason (void)
{
  g_assert_cmpstr (bc_lk_disconnect_reason_name (LIVEKIT__DISCONNECT_REASON__ROOM_DELETED), ==,
                   "ROOM_DELETED");
  g_assert_cmpstr (bc_lk_disconnect_reason_name (LIVEKIT__DISCONNECT_REASON__AGENT_ERROR), ==,
                   "AGENT_ERROR");
  g_assert_nonnull (bc_lk_disconnect_reason_describe (LIVEKIT__DISCONNECT_REASON__ROOM_DELETED));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/livekit/proto/join-round-trip", test_join_round_trip);
  g_test_add_func ("/livekit/proto/wire-bytes", test_wire_bytes);
  g_test_add_func ("/livekit/proto/session-description-map", test_session_description_map);
  g_test_add_func ("/livekit/proto/garbage-rejected", test_garbage_rejected);
  g_test_add_func ("/livekit/proto/disconnect-reason", test_disconnect_reason);
  return g_test_run ();
}
