/* bc-frame.h: one decoded video frame, RGBA, ready for GdkMemoryTexture */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define BC_TYPE_FRAME (bc_frame_get_type ())

typedef struct _BcFrame BcFrame;

GType bc_frame_get_type (void) G_GNUC_CONST;

BcFrame *bc_frame_new (int width,
                       int height,
                       gsize stride,
                       GBytes *data,
                       gint64 capture_time_us,
                       gint64 receive_time_us);
BcFrame *bc_frame_ref (BcFrame *frame);
void bc_frame_unref (BcFrame *frame);

int bc_frame_get_width (const BcFrame *frame);
int bc_frame_get_height (const BcFrame *frame);
gsize bc_frame_get_stride (const BcFrame *frame);
GBytes *bc_frame_get_data (const BcFrame *frame);
gint64 bc_frame_get_capture_time (const BcFrame *frame);
gint64 bc_frame_get_receive_time (const BcFrame *frame);
guint64 bc_frame_get_sequence (const BcFrame *frame);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcFrame, bc_frame_unref)

G_END_DECLS
