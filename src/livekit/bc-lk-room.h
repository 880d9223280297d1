/* bc-lk-room.h: a LiveKit room as seen by one participant */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

typedef enum
{
  BC_LK_ROOM_STATE_DISCONNECTED,
  BC_LK_ROOM_STATE_CONNECTING,
  BC_LK_ROOM_STATE_CONNECTED,
  BC_LK_ROOM_STATE_RECONNECTING,
  BC_LK_ROOM_STATE_FAILED,
} BcLkRoomState;

GType bc_lk_room_state_get_type (void);
#define BC_TYPE_LK_ROOM_STATE (bc_lk_room_state_get_type ())

/* Same values as LiveKit's TrackType. */
typedef enum
{
  BC_LK_TRACK_KIND_AUDIO = 0,
  BC_LK_TRACK_KIND_VIDEO = 1,
} BcLkTrackKind;

/* Same values as LiveKit's TrackSource. */
typedef enum
{
  BC_LK_TRACK_SOURCE_UNKNOWN = 0,
  BC_LK_TRACK_SOURCE_CAMERA = 1,
  BC_LK_TRACK_SOURCE_MICROPHONE = 2,
  BC_LK_TRACK_SOURCE_SCREEN_SHARE = 3,
} BcLkTrackSource;

/*
 * BcLkRoom
 *
 * Properties:
 *   "state"             BcLkRoomState, read-only, notified on every change
 *   "loopback-only"     gboolean: ICE on 127.0.0.1 only (tests; or BC_ICE_LOOPBACK=1)
 *   "relay-only"        gboolean: TURN relays only (ice-transport-policy relay)
 *   "reconnect-timeout" guint seconds, default 60: then state "failed" and
 *                       ::disconnected (CONNECTION_TIMEOUT or SERVER_SHUTDOWN)
 *   "latency"           guint ms, default 200: the subscriber's jitter buffer
 *                       (webrtcbin "latency"), applied to every subscriber
 *
 * Signals (main thread unless noted):
 *   participant-connected    (room, const char *participant_sid, const char *identity)
 *   participant-disconnected (room, const char *participant_sid, const char *identity)
 *   track-published   (room, participant_sid, identity, track_sid, int kind, int source,
 *                      const char *name)                       a remote publication
 *   track-unpublished (room, participant_sid, identity, track_sid)
 *   track-subscribed  (room, participant_sid, identity, track_sid, int kind,
 *                      GstPad *pad, GstBin *bin)      STREAMING THREAD, see below
 *   track-muted       (room, participant_sid, track_sid, gboolean muted)
 *   disconnected      (room, int reason, const char *message)  LiveKit DisconnectReason
 *
 * ::track-subscribed hands out webrtcbin's src pad for one remote track (RTP,
 * caps application/x-rtp) and the subscriber pipeline. The handler must add
 * its depayloader/decoder/sink to @bin, link @pad and sync the new elements'
 * states before returning; an unlinked pad goes to a fakesink. After a full
 * rejoin the same track arrives again on a new pad in a new pipeline.
 */
#define BC_TYPE_LK_ROOM (bc_lk_room_get_type ())
G_DECLARE_FINAL_TYPE (BcLkRoom, bc_lk_room, BC, LK_ROOM, GObject)

BcLkRoom *bc_lk_room_new (void);

/* Joins the room at @url (ws://, wss://, http(s)://) with a LiveKit access
 * token. Completes once the primary media connection is up (state
 * "connected"). Errors are BC_LK_ERROR: TOKEN_REJECTED, ROOM_NOT_FOUND,
 * SERVER_UNREACHABLE, DISCONNECTED (the server refused), TIMEOUT, ... */
void bc_lk_room_connect_async (BcLkRoom *self,
                               const char *url,
                               const char *token,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean bc_lk_room_connect_finish (BcLkRoom *self, GAsyncResult *result, GError **error);

/* Leaves the room (leave{CLIENT_INITIATED}, then close). Emits
 * ::disconnected with CLIENT_INITIATED. Safe to call in any state. */
void bc_lk_room_disconnect (BcLkRoom *self);

/* Publishes one track. @rtp_source is an element (usually a bin) with an
 * always "src" pad producing application/x-rtp with media, encoding-name,
 * payload and clock-rate (e.g. ... ! vp8enc ! rtpvp8pay, or x264enc !
 * rtph264pay with profile-level-id=42e01f, packetization-mode=1). The room
 * takes a reference (sinking a floating one), adds it to its publisher
 * pipeline and keeps it across reconnects (it may be moved to a new pipeline
 * on a full rejoin, so it must survive going to NULL and back). It should
 * honour GstForceKeyUnit events (PLI/FIR). @width/@height describe the one
 * video layer (0 for audio). Completes with the track sid ("TR_...") once the
 * server accepted the track; the media flows after the offer/answer.
 * Fails with BC_LK_ERROR_NOT_ALLOWED when the token may not publish. */
void bc_lk_room_publish_track_async (BcLkRoom *self,
                                     BcLkTrackKind kind,
                                     BcLkTrackSource source,
                                     const char *name,
                                     guint width,
                                     guint height,
                                     GstElement *rtp_source,
                                     GCancellable *cancellable,
                                     GAsyncReadyCallback callback,
                                     gpointer user_data);
char *bc_lk_room_publish_track_finish (BcLkRoom *self, GAsyncResult *result, GError **error);

/* Stops publishing the local track @track_sid; returns its rtp source
 * (state NULL, out of any pipeline; transfer full) or NULL. */
GstElement *bc_lk_room_unpublish_track (BcLkRoom *self, const char *track_sid);

/* Tells the others a local track is muted (the caller stops or blanks the
 * media itself). */
void bc_lk_room_set_track_muted (BcLkRoom *self, const char *track_sid, gboolean muted);

BcLkRoomState bc_lk_room_get_state (BcLkRoom *self);
const char *bc_lk_room_get_name (BcLkRoom *self);
const char *bc_lk_room_get_local_sid (BcLkRoom *self);
const char *bc_lk_room_get_local_identity (BcLkRoom *self);
gboolean bc_lk_room_get_can_publish (BcLkRoom *self);

/* The LiveKit DisconnectReason of the last disconnect, and a sentence for it. */
int bc_lk_room_get_disconnect_reason (BcLkRoom *self);
const char *bc_lk_room_get_disconnect_message (BcLkRoom *self);

/* Identity of a remote participant, or NULL. Thread-safe (use it from
 * ::track-subscribed). */
char *bc_lk_room_dup_participant_identity (BcLkRoom *self, const char *participant_sid);

/* The subscriber pipeline, where ::track-subscribed handlers add elements
 * (NULL before the first subscription). */
GstBin *bc_lk_room_get_subscriber_bin (BcLkRoom *self);

/* Round trip time of the signal connection in ms (keepalive), 0 if unknown. */
gint64 bc_lk_room_get_signal_rtt (BcLkRoom *self);

/* The publisher/subscriber webrtcbin, for statistics ("get-stats"); NULL if none. */
GstElement *bc_lk_room_get_webrtcbin (BcLkRoom *self, gboolean publisher);

G_END_DECLS
