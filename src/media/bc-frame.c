#include "config.h"

#include "bc-frame-private.h"

struct _BcFrame
{
  int width;
  int height;
  gsize stride;
  GBytes *data;
  gint64 capture_time_us;
  gint64 receive_time_us;
  guint64 sequence;
};

G_DEFINE_BOXED_TYPE (BcFrame, bc_frame, bc_frame_ref, bc_frame_unref)

/**
 * bc_frame_new:
 * @width: width in pixels
 * @height: height in pixels
 * @stride: bytes per row
 * @data: the RGBA pixels (R, G, B, A bytes; GDK_MEMORY_R8G8B8A8)
 * @capture_time_us: the capture time carried in the frame, or -1
 * @receive_time_us: when the frame reached the sink, g_get_real_time()
 *
 * Returns: (transfer full): a new frame
 */
BcFrame *
bc_frame_new (int width,
              int height,
              gsize stride,
              GBytes *data,
              gint64 capture_time_us,
              gint64 receive_time_us)
{
  BcFrame *self = g_atomic_rc_box_new0 (BcFrame);

  self->width = width;
  self->height = height;
  self->stride = stride;
  self->data = g_bytes_ref (data);
  self->capture_time_us = capture_time_us;
  self->receive_time_us = receive_time_us;
  return self;
}

void
_bc_frame_set_sequence (BcFrame *self, guint64 sequence)
{
  self->sequence = sequence;
}

BcFrame *
bc_frame_ref (BcFrame *self)
{
  return g_atomic_rc_box_acquire (self);
}

static void
bc_frame_clear (gpointer data)
{
  BcFrame *self = data;

  g_bytes_unref (self->data);
}

void
bc_frame_unref (BcFrame *self)
{
  g_atomic_rc_box_release_full (self, bc_frame_clear);
}

int
bc_frame_get_width (const BcFrame *self)
{
  return self->width;
}

int
bc_frame_get_height (const BcFrame *self)
{
  return self->height;
}

gsize
bc_frame_get_stride (const BcFrame *self)
{
  return self->stride;
}

/**
 * bc_frame_get_data:
 *
 * Returns: (transfer none): the pixels
 */
GBytes *
bc_frame_get_data (const BcFrame *self)
{
  return self->data;
}

/**
 * bc_frame_get_capture_time:
 *
 * Returns: the capture time in µs of g_get_real_time() carried in the
 *   picture (see bc-capture-stamp.h), or -1 if it carries none
 */
gint64
bc_frame_get_capture_time (const BcFrame *self)
{
  return self->capture_time_us;
}

gint64
bc_frame_get_receive_time (const BcFrame *self)
{
  return self->receive_time_us;
}

/**
 * bc_frame_get_sequence:
 *
 * Returns: the frame's number in its sink, from 1
 */
guint64
bc_frame_get_sequence (const BcFrame *self)
{
  return self->sequence;
}
