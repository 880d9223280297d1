/* bc-sfu-participant.h: one client connected to the built-in SFU */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "bc-sfu-auth.h"
#include "bc-sfu-proto.h"
#include "bc-sfu-track.h"

G_BEGIN_DECLS

typedef struct _BcSfuRoom BcSfuRoom;

/* A track the participant announced with AddTrack. It is published to the
 * room once its media arrives. */
typedef struct
{
  char *sid;
  char *cid;
  char *name;
  char *mid;
  char *stream;
  char *codec; /* the codec the client asked for, nullable */
  Livekit__TrackType type;
  Livekit__TrackSource source;
  guint width;
  guint height;
  gboolean muted;
  gboolean disable_dtx;
  gboolean stereo;
  BcSfuTrack *media;    /* nullable */
  gboolean announced;   /* visible to the room */
  guint answers_before; /* publisher answers sent before its TrackPublished */
} BcSfuPublication;

typedef struct
{
  int protocol;
  gboolean auto_subscribe;
  char *sdk;
} BcSfuJoinParams;

#define BC_TYPE_SFU_PARTICIPANT (bc_sfu_participant_get_type ())
G_DECLARE_FINAL_TYPE (BcSfuParticipant, bc_sfu_participant, BC, SFU_PARTICIPANT, GObject)

BcSfuParticipant *bc_sfu_participant_new (BcSfuRoom *room,
                                          SoupWebsocketConnection *connection,
                                          BcSfuGrants *grants,
                                          const BcSfuJoinParams *params,
                                          const char *api_key,
                                          const char *api_secret);
const char *bc_sfu_participant_get_sid (BcSfuParticipant *self);
const char *bc_sfu_participant_get_identity (BcSfuParticipant *self);
gboolean bc_sfu_participant_can_subscribe (BcSfuParticipant *self);
gboolean bc_sfu_participant_is_hidden (BcSfuParticipant *self);
gboolean bc_sfu_participant_is_subscriber_primary (BcSfuParticipant *self);
GPtrArray *bc_sfu_participant_get_publications (BcSfuParticipant *self);
Livekit__ParticipantInfo *bc_sfu_participant_fill_info (BcSfuParticipant *self, BcSfuArena *arena);
Livekit__TrackInfo *bc_sfu_publication_fill_info (BcSfuPublication *pub, BcSfuArena *arena);
JsonObject *bc_sfu_participant_to_json (BcSfuParticipant *self);
JsonObject *bc_sfu_publication_to_json (BcSfuPublication *pub);

void bc_sfu_participant_send (BcSfuParticipant *self, Livekit__SignalResponse *response);
void bc_sfu_participant_send_update (BcSfuParticipant *self, GPtrArray *participants);
void bc_sfu_participant_start (BcSfuParticipant *self);
void bc_sfu_participant_subscribe (BcSfuParticipant *self,
                                   BcSfuParticipant *owner,
                                   BcSfuPublication *pub);
void bc_sfu_participant_unsubscribe (BcSfuParticipant *self, BcSfuPublication *pub);
void bc_sfu_participant_disconnect (BcSfuParticipant *self,
                                    Livekit__DisconnectReason reason,
                                    Livekit__LeaveRequest__Action action);
void bc_sfu_participant_close (BcSfuParticipant *self, Livekit__DisconnectReason reason);

G_END_DECLS
