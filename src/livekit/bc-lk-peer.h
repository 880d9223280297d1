/* bc-lk-peer.h: one LiveKit peer connection (publisher or subscriber) on webrtcbin */
#pragma once

#include <gst/gst.h>

#include "bc-lk-proto.h"

G_BEGIN_DECLS

#define BC_TYPE_LK_PEER (bc_lk_peer_get_type ())
G_DECLARE_FINAL_TYPE (BcLkPeer, bc_lk_peer, BC, LK_PEER, GObject)

/* Same values as LiveKit's SignalTarget. */
typedef enum
{
  BC_LK_PEER_PUBLISHER = 0,
  BC_LK_PEER_SUBSCRIBER = 1,
} BcLkPeerRole;

typedef enum
{
  BC_LK_PEER_STATE_NEW,
  BC_LK_PEER_STATE_CONNECTING,
  BC_LK_PEER_STATE_CONNECTED,
  BC_LK_PEER_STATE_DISCONNECTED,
  BC_LK_PEER_STATE_FAILED,
  BC_LK_PEER_STATE_CLOSED,
} BcLkPeerState;

/* @loopback_only: gather only 127.0.0.1 candidates (tests; also turned on
 * by the environment variable BC_ICE_LOOPBACK=1). @relay_only: use TURN
 * relays only (ice-transport-policy relay). */
BcLkPeer *bc_lk_peer_new (BcLkPeerRole role, gboolean loopback_only, gboolean relay_only);

/* Starts generating the process-wide DTLS certificate in a thread, so that the
 * first offer or answer does not wait for it (a few hundred ms). */
void bc_lk_peer_warm_up (void);

/* Fixes glibc's mmap threshold for the process (once; not when the
 * MALLOC_MMAP_THRESHOLD_ tunable is set). A publisher peer does this itself.
 * Encoders allocate large frame buffers when they start and free them when
 * they stop; glibc then raises its dynamic mmap threshold (up to 32 MB), so
 * the next encoder's buffers come from the heap and stay there when freed:
 * RSS grows with every publish/unpublish although nothing leaks. */
void bc_lk_peer_limit_heap_growth (void);

/* The same, and then loads the plugins of @factory_names (NULL-terminated)
 * and initialises their element classes in the same thread, after what a
 * peer connection needs: a caller's depayloaders and decoders are then ready
 * when the first track arrives. GStreamer loads one plugin at a time, so
 * loading them from another thread at once would hold up the connection.
 * Only the first call of either function in a process does anything. */
void bc_lk_peer_warm_up_with (const char *const *factory_names);

/* Skips what the warm-up has not done yet and waits for its thread (at most
 * the plugin it is loading): call before the process exits, which must not
 * unload libraries under a thread still initialising them. */
void bc_lk_peer_warm_up_finish (void);

BcLkPeerRole bc_lk_peer_get_role (BcLkPeer *self);
BcLkPeerState bc_lk_peer_get_state (BcLkPeer *self);

/* The pipeline this peer owns (it holds the bus watch). Subscribers add their
 * depayloaders and decoders to it from ::track. */
GstBin *bc_lk_peer_get_bin (BcLkPeer *self);
GstElement *bc_lk_peer_get_webrtcbin (BcLkPeer *self);

/* ICE servers as LiveKit hands them out in the JoinResponse. Call before start. */
void bc_lk_peer_set_ice_servers (BcLkPeer *self, Livekit__ICEServer **servers, gsize n_servers);

/* Sets the pipeline playing; a publisher also opens LiveKit's _reliable and
 * _lossy data channels. */
gboolean bc_lk_peer_start (BcLkPeer *self, GError **error);

/* Publisher: adds @rtp_source (an element or bin with an always "src" pad that
 * produces application/x-rtp with media, encoding-name, payload and
 * clock-rate) as a send-only track. Returns the cid to put in AddTrack: the
 * track id the SDP carries for it. @stream_id becomes the msid stream id. */
char *bc_lk_peer_add_track (BcLkPeer *self,
                            GstElement *rtp_source,
                            const char *stream_id,
                            GError **error);

/* Publisher: stops and removes the track with @cid; returns the source
 * element (removed from the pipeline, state NULL) so it can be re-used.
 * The track's transceiver turns inactive and is kept for a later track of
 * the same kind and codec, once the server has answered an offer without
 * it: webrtcbin cannot drop a transceiver, so this keeps the SDP and the
 * pipeline from growing with every publish. */
GstElement *bc_lk_peer_remove_track (BcLkPeer *self, const char *cid);

/* Publisher: makes an offer as soon as every track has caps, then emits
 * ::local-description. Calls while an offer is outstanding make one more
 * offer after the answer. */
void bc_lk_peer_negotiate (BcLkPeer *self, gboolean ice_restart);

/* Applies the server's SDP. A subscriber answers an offer (::local-description). */
void
bc_lk_peer_set_remote_description (BcLkPeer *self, const char *type, const char *sdp, guint id);

/* Adds a trickled candidate (RTCIceCandidateInit JSON); queued until the
 * remote description is set. */
void bc_lk_peer_add_ice_candidate (BcLkPeer *self, const char *candidate_init);

/* Publisher: the id of the latest offer made (0 before the first). An
 * answer-applied id above the value read after adding a track means that
 * track has been negotiated. */
guint bc_lk_peer_get_offer_id (BcLkPeer *self);

/* The last local description sent, for SyncState on resume (or NULL). */
const char *bc_lk_peer_get_local_sdp (BcLkPeer *self, const char **type, guint *id);

/* Labels and ids of the data channels this peer opened or accepted. */
GPtrArray *bc_lk_peer_list_data_channels (BcLkPeer *self);

void bc_lk_peer_close (BcLkPeer *self);

G_END_DECLS
