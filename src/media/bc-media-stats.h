/* bc-media-stats.h: what a stream is doing, from webrtcbin's get-stats */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "bc-frame-sink.h"
#include "bc-video-source.h"

G_BEGIN_DECLS

#define BC_TYPE_MEDIA_STATS (bc_media_stats_get_type ())

G_DECLARE_FINAL_TYPE (BcMediaStats, bc_media_stats, BC, MEDIA_STATS, GObject)

BcMediaStats *bc_media_stats_new (void);

void bc_media_stats_set_frame_sink (BcMediaStats *self, BcFrameSink *sink);
void bc_media_stats_set_video_source (BcMediaStats *self, BcVideoSource *source);
void bc_media_stats_set_start_time (BcMediaStats *self, gint64 start_time_us);
void bc_media_stats_set_jitter_buffer_latency (BcMediaStats *self, guint latency_ms);

void bc_media_stats_update (BcMediaStats *self, const GstStructure *webrtc_stats, gint64 now_us);
void bc_media_stats_poll_async (BcMediaStats *self,
                                GstElement *webrtcbin,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean bc_media_stats_poll_finish (BcMediaStats *self, GAsyncResult *result, GError **error);

int bc_media_stats_get_width (BcMediaStats *self);
int bc_media_stats_get_height (BcMediaStats *self);
double bc_media_stats_get_fps (BcMediaStats *self);
double bc_media_stats_get_bitrate_kbps (BcMediaStats *self);
gint64 bc_media_stats_get_packets (BcMediaStats *self);
gint64 bc_media_stats_get_packets_lost (BcMediaStats *self);
double bc_media_stats_get_packet_loss_percent (BcMediaStats *self);
double bc_media_stats_get_rtt_ms (BcMediaStats *self);
double bc_media_stats_get_jitter_ms (BcMediaStats *self);
double bc_media_stats_get_jitter_buffer_ms (BcMediaStats *self);
double bc_media_stats_get_time_to_first_frame_ms (BcMediaStats *self);
guint64 bc_media_stats_get_frames (BcMediaStats *self);
double bc_media_stats_get_latency_p50_ms (BcMediaStats *self);
double bc_media_stats_get_latency_p95_ms (BcMediaStats *self);
guint bc_media_stats_get_pli_count (BcMediaStats *self);
guint bc_media_stats_get_nack_count (BcMediaStats *self);
char *bc_media_stats_format (BcMediaStats *self);
JsonObject *bc_media_stats_to_json (BcMediaStats *self);

G_END_DECLS
