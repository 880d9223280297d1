/* bc-sfu-room.h: one room of the built-in SFU */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-sfu-participant.h"
#include "bc-sfu-relay.h"
#include "bc-sfu-webhook.h"

G_BEGIN_DECLS

#define BC_TYPE_SFU_ROOM (bc_sfu_room_get_type ())
G_DECLARE_FINAL_TYPE (BcSfuRoom, bc_sfu_room, BC, SFU_ROOM, GObject)

BcSfuRoom *bc_sfu_room_new (const char *name,
                            BcSfuWebhook *webhook,
                            const char *const *ice_addresses,
                            guint departure_timeout);
const char *bc_sfu_room_get_name (BcSfuRoom *self);
const char *bc_sfu_room_get_sid (BcSfuRoom *self);
BcSfuRelay *bc_sfu_room_get_relay (BcSfuRoom *self);
GList *bc_sfu_room_get_participants (BcSfuRoom *self);
BcSfuParticipant *bc_sfu_room_find_participant (BcSfuRoom *self, const char *identity);
gboolean bc_sfu_room_is_finished (BcSfuRoom *self);
Livekit__Room *bc_sfu_room_fill_info (BcSfuRoom *self, BcSfuArena *arena);
JsonObject *bc_sfu_room_to_json (BcSfuRoom *self);

void bc_sfu_room_join (BcSfuRoom *self, BcSfuParticipant *participant);
void bc_sfu_room_remove_participant (BcSfuRoom *self,
                                     BcSfuParticipant *participant,
                                     Livekit__DisconnectReason reason);
void bc_sfu_room_participant_changed (BcSfuRoom *self, BcSfuParticipant *participant);
void bc_sfu_room_publication_ready (BcSfuRoom *self,
                                    BcSfuParticipant *participant,
                                    BcSfuPublication *pub);
void bc_sfu_room_publication_removed (BcSfuRoom *self,
                                      BcSfuParticipant *participant,
                                      BcSfuPublication *pub);
void bc_sfu_room_subscribe_existing (BcSfuRoom *self, BcSfuParticipant *participant);
void bc_sfu_room_close (BcSfuRoom *self, Livekit__DisconnectReason reason);

G_END_DECLS
