#include "config.h"

#include "bc-lk-proto.h"

#include "bc-lk-error.h"

static GBytes *
pack_message (const ProtobufCMessage *message)
{
  gsize len = protobuf_c_message_get_packed_size (message);
  guint8 *buf = g_malloc (len > 0 ? len : 1);

  protobuf_c_message_pack (message, buf);
  return g_bytes_new_take (buf, len);
}

GBytes *
bc_lk_signal_request_pack (const Livekit__SignalRequest *request)
{
  g_return_val_if_fail (request != NULL, NULL);
  return pack_message (&request->base);
}

GBytes *
bc_lk_signal_response_pack (const Livekit__SignalResponse *response)
{
  g_return_val_if_fail (response != NULL, NULL);
  return pack_message (&response->base);
}

Livekit__SignalRequest *
bc_lk_signal_request_unpack (GBytes *bytes, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Livekit__SignalRequest *request = livekit__signal_request__unpack (NULL, len, data);

  if (request == NULL)
    g_set_error (error, BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                 "Received a signalling request that is not valid protobuf (%" G_GSIZE_FORMAT
                 " bytes)",
                 len);
  return request;
}

Livekit__SignalResponse *
bc_lk_signal_response_unpack (GBytes *bytes, GError **error)
{
  gsize len = 0;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  Livekit__SignalResponse *response = livekit__signal_response__unpack (NULL, len, data);

  if (response == NULL)
    g_set_error (error, BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                 "The LiveKit server sent a message that is not valid protobuf (%" G_GSIZE_FORMAT
                 " bytes)",
                 len);
  return response;
}

void
bc_lk_signal_request_free (Livekit__SignalRequest *request)
{
  if (request != NULL)
    livekit__signal_request__free_unpacked (request, NULL);
}

void
bc_lk_signal_response_free (Livekit__SignalResponse *response)
{
  if (response != NULL)
    livekit__signal_response__free_unpacked (response, NULL);
}

static const char *
oneof_field_name (const ProtobufCMessageDescriptor *desc, guint number)
{
  const ProtobufCFieldDescriptor *field = protobuf_c_message_descriptor_get_field (desc, number);

  return field != NULL ? field->name : "unknown";
}

const char *
bc_lk_signal_response_kind_name (Livekit__SignalResponse__MessageCase kind)
{
  if (kind == LIVEKIT__SIGNAL_RESPONSE__MESSAGE__NOT_SET)
    return "none";
  return oneof_field_name (&livekit__signal_response__descriptor, kind);
}

const char *
bc_lk_signal_request_kind_name (Livekit__SignalRequest__MessageCase kind)
{
  if (kind == LIVEKIT__SIGNAL_REQUEST__MESSAGE__NOT_SET)
    return "none";
  return oneof_field_name (&livekit__signal_request__descriptor, kind);
}

const char *
bc_lk_disconnect_reason_name (Livekit__DisconnectReason reason)
{
  const ProtobufCEnumValue *value =
      protobuf_c_enum_descriptor_get_value (&livekit__disconnect_reason__descriptor, reason);

  return value != NULL ? value->name : "UNKNOWN_REASON";
}

const char *
bc_lk_disconnect_reason_describe (Livekit__DisconnectReason reason)
{
  switch (reason)
    {
    case LIVEKIT__DISCONNECT_REASON__CLIENT_INITIATED:
      return "You left the room";
    case LIVEKIT__DISCONNECT_REASON__DUPLICATE_IDENTITY:
      return "The same account joined the room from somewhere else";
    case LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN:
      return "The video server shut down";
    case LIVEKIT__DISCONNECT_REASON__PARTICIPANT_REMOVED:
      return "You were removed from the room";
    case LIVEKIT__DISCONNECT_REASON__ROOM_DELETED:
      return "The session ended and its room was closed";
    case LIVEKIT__DISCONNECT_REASON__STATE_MISMATCH:
      return "The video server lost track of this connection";
    case LIVEKIT__DISCONNECT_REASON__JOIN_FAILURE:
      return "Joining the room failed";
    case LIVEKIT__DISCONNECT_REASON__MIGRATION:
      return "The room moved to another server";
    case LIVEKIT__DISCONNECT_REASON__SIGNAL_CLOSE:
      return "The connection to the video server was lost";
    case LIVEKIT__DISCONNECT_REASON__ROOM_CLOSED:
      return "The room was closed";
    case LIVEKIT__DISCONNECT_REASON__CONNECTION_TIMEOUT:
      return "The video connection could not be re-established in time";
    case LIVEKIT__DISCONNECT_REASON__MEDIA_FAILURE:
      return "The media connection failed";
    default:
      return "Disconnected from the room";
    }
}
