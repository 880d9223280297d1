/* bc-capture-stamp.h: a capture time carried in the pixels of a frame
 *
 * The stamp survives encoding, any SFU and decoding, so a viewer on the same
 * host (same wall clock) can measure glass-to-glass latency. Layout, for a
 * frame W pixels wide: 64 square blocks of B = W / 64 pixels in the top row
 * of the picture, block i covering x in [i*B, (i+1)*B), y in [0, B). A block
 * is white (luma 235) for a 1 bit, black (luma 16) for 0; chroma is neutral.
 * Blocks 0-3 are the marker 1,0,1,0; blocks 4-51 the capture time in
 * microseconds of CLOCK_REALTIME modulo 2^48, most significant bit first;
 * blocks 52-59 a check byte, the XOR of those six bytes and 0xA5; blocks
 * 60-63 black. A reader takes the mean luma of the centre half of each block
 * and compares it with 128.
 */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

#define BC_CAPTURE_STAMP_BLOCKS    64
#define BC_CAPTURE_STAMP_MIN_WIDTH (BC_CAPTURE_STAMP_BLOCKS * 4)

gboolean bc_capture_stamp_write (GstVideoFrame *frame, gint64 time_us);
gboolean bc_capture_stamp_read_rgba (
    const guint8 *data, int width, int height, gsize stride, gint64 reference_us, gint64 *time_us);

G_END_DECLS
