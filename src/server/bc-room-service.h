/* bc-room-service.h: asks LiveKit to delete rooms of ended sessions */
#pragma once

#include "bc-store.h"

G_BEGIN_DECLS

#define BC_TYPE_ROOM_SERVICE (bc_room_service_get_type ())
G_DECLARE_FINAL_TYPE (BcRoomService, bc_room_service, BC, ROOM_SERVICE, GObject)

/* @livekit_url may be ws(s):// or http(s)://; RoomService is reached over
 * the matching http(s) scheme. */
BcRoomService *bc_room_service_new (BcStore *store,
                                    const char *livekit_url,
                                    const char *api_key,
                                    const char *api_secret);
/* Works through the queue of rooms to delete now (also runs on a timer). */
void bc_room_service_kick (BcRoomService *self);
/* Stops the timer and cancels requests in flight (the queue stays in the store). */
void bc_room_service_stop (BcRoomService *self);

G_END_DECLS
