/* bc-sfu-peer.h: one WebRTC peer connection of a participant, on webrtcbin */
#pragma once

#include <gst/gst.h>

#include "bc-sfu-relay.h"
#include "bc-sfu-track.h"

G_BEGIN_DECLS

typedef enum
{
  BC_SFU_PEER_PUBLISHER,  /* the client offers and sends media */
  BC_SFU_PEER_SUBSCRIBER, /* the SFU offers and sends media */
} BcSfuPeerRole;

#define BC_TYPE_SFU_PEER (bc_sfu_peer_get_type ())
G_DECLARE_FINAL_TYPE (BcSfuPeer, bc_sfu_peer, BC, SFU_PEER, GObject)

BcSfuPeer *bc_sfu_peer_new (BcSfuRelay *relay, BcSfuPeerRole role, const char *name);
BcSfuPeerRole bc_sfu_peer_get_role (BcSfuPeer *self);
gboolean bc_sfu_peer_is_connected (BcSfuPeer *self);
gboolean bc_sfu_peer_handle_offer (
    BcSfuPeer *self, const char *sdp, guint id, GHashTable *preferred_codecs, GError **error);
gboolean bc_sfu_peer_handle_answer (BcSfuPeer *self, const char *sdp, GError **error);
void bc_sfu_peer_add_ice_candidate (BcSfuPeer *self, guint mline, const char *candidate);
void bc_sfu_peer_add_track (BcSfuPeer *self,
                            BcSfuTrack *track,
                            const char *stream_id,
                            const char *track_id);
void bc_sfu_peer_remove_track (BcSfuPeer *self, BcSfuTrack *track);
gboolean bc_sfu_peer_has_track (BcSfuPeer *self, BcSfuTrack *track);
void bc_sfu_peer_negotiate (BcSfuPeer *self);
GPtrArray *bc_sfu_peer_get_tracks (BcSfuPeer *self);
void bc_sfu_peer_close (BcSfuPeer *self);

G_END_DECLS
