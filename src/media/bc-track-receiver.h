/* bc-track-receiver.h: RTP from webrtcbin → decoder → frame sink or speakers */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "bc-frame-sink.h"
#include "bc-media-types.h"

G_BEGIN_DECLS

#define BC_TYPE_TRACK_RECEIVER (bc_track_receiver_get_type ())

G_DECLARE_FINAL_TYPE (BcTrackReceiver, bc_track_receiver, BC, TRACK_RECEIVER, GObject)

BcTrackReceiver *bc_track_receiver_new (GstCaps *rtp_caps, GError **error);
BcTrackReceiver *bc_track_receiver_new_for_pad (GstPad *pad, GError **error);

/* The element factories a receiver builds from, the likeliest first (H.264
 * video, then audio, then VP8), for loading them before the first track
 * comes (bc_lk_peer_warm_up_with()): the decoder plugins take 0.1-0.3 s to
 * load. Free with g_strfreev(). */
char **bc_track_receiver_dup_factory_names (void);

gboolean bc_track_receiver_link (BcTrackReceiver *self, GstPad *src_pad, GError **error);
void bc_track_receiver_remove (BcTrackReceiver *self);

GstElement *bc_track_receiver_get_element (BcTrackReceiver *self);
BcTrackKind bc_track_receiver_get_kind (BcTrackReceiver *self);
const char *bc_track_receiver_get_codec_name (BcTrackReceiver *self);
const char *bc_track_receiver_get_decoder_name (BcTrackReceiver *self);
BcFrameSink *bc_track_receiver_get_frame_sink (BcTrackReceiver *self);

G_END_DECLS
