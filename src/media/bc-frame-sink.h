/* bc-frame-sink.h: a GTK-free video sink handing out RGBA frames */
#pragma once

#include <gst/gst.h>

#include "bc-frame.h"

G_BEGIN_DECLS

#define BC_TYPE_FRAME_SINK (bc_frame_sink_get_type ())

G_DECLARE_FINAL_TYPE (BcFrameSink, bc_frame_sink, BC, FRAME_SINK, GObject)

BcFrameSink *bc_frame_sink_new (void);

GstElement *bc_frame_sink_get_element (BcFrameSink *self);
BcFrame *bc_frame_sink_dup_last_frame (BcFrameSink *self);
guint64 bc_frame_sink_get_n_frames (BcFrameSink *self);
gint64 bc_frame_sink_get_first_frame_time (BcFrameSink *self);
gboolean bc_frame_sink_get_size (BcFrameSink *self, int *width, int *height);
void bc_frame_sink_reset_latency (BcFrameSink *self);
guint bc_frame_sink_get_latency (BcFrameSink *self, gint64 *p50_us, gint64 *p95_us);

G_END_DECLS
