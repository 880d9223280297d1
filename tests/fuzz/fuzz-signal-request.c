/* fuzz-signal-request: SignalRequest as the built-in SFU decodes and
 * handles it, without a network. A room and one participant are made per
 * input, on a WebSocket over a socket pair; the input's messages are
 * delivered as if they had come from the client, then the room is closed.
 *
 * Input: one byte of flags (bit 0: the token may publish, bit 1: may
 * subscribe, bit 2: protocol 16 instead of 2), then messages, each a
 * little-endian 16-bit length and that many bytes (the last one takes the
 * rest). */
#include "config.h"

#include "bc-sfu-participant.h"
#include "bc-sfu-room.h"
#include "bc-sfu-webhook.h"

#include "bc-jwt.h"

#include <fcntl.h>
#include <gio/gunixsocketaddress.h>
#include <gst/gst.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_MESSAGES 8

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  gst_init (NULL, NULL);
  return 0;
}

#define API_KEY "APIfuzz"
#define SECRET  "fuzz-secret-0123456789-abcdefghijkl"

/* Grants as the SFU gets them: from a token it verified. */
static BcSfuGrants *
make_grants (gboolean publish, gboolean subscribe)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  JsonObject *video = json_object_new ();
  JsonArray *sources = json_array_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *token = NULL;
  g_autoptr (GError) error = NULL;
  BcSfuGrants *grants;

  json_object_set_string_member (claims, "iss", API_KEY);
  json_object_set_string_member (claims, "sub", "fuzzer");
  json_object_set_string_member (claims, "name", "Fuzzer");
  json_object_set_string_member (claims, "metadata", "{\"role\":\"streamer\"}");
  json_object_set_int_member (claims, "nbf", now - 10);
  json_object_set_int_member (claims, "exp", now + 3600);
  json_object_set_boolean_member (video, "roomJoin", TRUE);
  json_object_set_string_member (video, "room", "fuzz-room");
  json_object_set_boolean_member (video, "canPublish", publish);
  json_object_set_boolean_member (video, "canSubscribe", subscribe);
  json_array_add_string_element (sources, "camera");
  json_array_add_string_element (sources, "microphone");
  json_object_set_array_member (video, "canPublishSources", sources);
  json_object_set_object_member (claims, "video", video);
  token = bc_jwt_sign_hs256 (claims, (const guint8 *) SECRET, strlen (SECRET));
  grants = bc_sfu_grants_verify (token, API_KEY, SECRET, now, &error);
  g_assert_no_error (error);
  return grants;
}

static void
drain (int fd)
{
  char buf[4096];

  while (read (fd, buf, sizeof buf) > 0)
    ;
}

static void
iterate (int fd, guint n)
{
  for (guint i = 0; i < n; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      drain (fd);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static const char *const loopback[] = { "127.0.0.1", NULL };
  g_autoptr (BcSfuWebhook) webhook = NULL;
  g_autoptr (BcSfuRoom) room = NULL;
  g_autoptr (BcSfuParticipant) participant = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketConnection) stream = NULL;
  g_autoptr (SoupWebsocketConnection) ws = NULL;
  g_autoptr (GUri) uri = NULL;
  BcSfuGrants *grants;
  BcSfuJoinParams params = { 0 };
  int fds[2];
  size_t pos = 1;

  if (size < 1)
    return 0;
  g_assert (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  fcntl (fds[1], F_SETFL, O_NONBLOCK);
  socket = g_socket_new_from_fd (fds[0], NULL);
  g_assert (socket != NULL);
  stream = g_socket_connection_factory_create_connection (socket);
  uri = g_uri_parse ("ws://127.0.0.1/rtc", G_URI_FLAGS_NONE, NULL);
  ws = soup_websocket_connection_new (G_IO_STREAM (stream), uri, SOUP_WEBSOCKET_CONNECTION_SERVER,
                                      NULL, NULL, NULL);

  grants = make_grants ((data[0] & 1) != 0, (data[0] & 2) != 0);
  params.protocol = (data[0] & 4) ? 2 : 16;
  params.auto_subscribe = TRUE;
  params.sdk = (char *) "fuzz";

  webhook = bc_sfu_webhook_new (NULL, API_KEY, SECRET);
  room = bc_sfu_room_new ("fuzz-room", webhook, loopback, 0);
  participant = bc_sfu_participant_new (room, ws, grants, &params, API_KEY, SECRET);
  bc_sfu_room_join (room, participant);
  iterate (fds[1], 2);

  for (guint n = 0; n < MAX_MESSAGES && pos < size; n++)
    {
      size_t len = size - pos;
      g_autoptr (GBytes) message = NULL;

      if (len > 2 && n + 1 < MAX_MESSAGES)
        {
          size_t want = data[pos] | (data[pos + 1] << 8);

          pos += 2;
          len = MIN (want, size - pos);
        }
      message = g_bytes_new (data + pos, len);
      pos += len;
      g_signal_emit_by_name (ws, "message", SOUP_WEBSOCKET_DATA_BINARY, message);
      iterate (fds[1], 2);
    }

  bc_sfu_room_close (room, LIVEKIT__DISCONNECT_REASON__ROOM_DELETED);
  iterate (fds[1], 3);
  close (fds[1]);
  return 0;
}
