/* bc-lk-proto.h: helpers around the generated LiveKit protobuf code */
#pragma once

#include <glib.h>

#include "bc-livekit.pb-c.h"

G_BEGIN_DECLS

/* The LiveKit signalling protocol version BountyCam speaks. */
#define BC_LK_PROTOCOL_VERSION 17

GBytes *bc_lk_signal_request_pack (const Livekit__SignalRequest *request);
GBytes *bc_lk_signal_response_pack (const Livekit__SignalResponse *response);

Livekit__SignalRequest *bc_lk_signal_request_unpack (GBytes *bytes, GError **error);
Livekit__SignalResponse *bc_lk_signal_response_unpack (GBytes *bytes, GError **error);

void bc_lk_signal_request_free (Livekit__SignalRequest *request);
void bc_lk_signal_response_free (Livekit__SignalResponse *response);

const char *bc_lk_signal_response_kind_name (Livekit__SignalResponse__MessageCase kind);
const char *bc_lk_signal_request_kind_name (Livekit__SignalRequest__MessageCase kind);

/* A sentence a person understands, for a LiveKit DisconnectReason. */
const char *bc_lk_disconnect_reason_describe (Livekit__DisconnectReason reason);
/* The enum value name, e.g. "ROOM_DELETED". */
const char *bc_lk_disconnect_reason_name (Livekit__DisconnectReason reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Livekit__SignalRequest, bc_lk_signal_request_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Livekit__SignalResponse, bc_lk_signal_response_free)

G_END_DECLS
