#include "config.h"

#include <string.h>

#include "bc-capture-stamp.h"

#define STAMP_BITS 60
#define VALUE_MASK ((G_GUINT64_CONSTANT (1) << 48) - 1)
#define LUMA_ONE   235
#define LUMA_ZERO  16

static guint8
check_byte (guint64 value)
{
  guint8 check = 0xA5;

  for (int i = 0; i < 6; i++)
    check ^= (value >> (8 * i)) & 0xff;
  return check;
}

static void
stamp_bits (guint64 time_us, gboolean *bits)
{
  guint64 value = time_us & VALUE_MASK;
  guint8 check = check_byte (value);
  static const gboolean marker[4] = { TRUE, FALSE, TRUE, FALSE };

  memcpy (bits, marker, sizeof marker);
  for (int i = 0; i < 48; i++)
    bits[4 + i] = (value >> (47 - i)) & 1;
  for (int i = 0; i < 8; i++)
    bits[52 + i] = (check >> (7 - i)) & 1;
  for (int i = STAMP_BITS; i < BC_CAPTURE_STAMP_BLOCKS; i++)
    bits[i] = FALSE;
}

/**
 * bc_capture_stamp_write:
 * @frame: a writable mapped frame in I420 or YV12
 * @time_us: the capture time, microseconds of g_get_real_time()
 *
 * Returns: %FALSE if the format is not supported or the frame is too small
 */
gboolean
bc_capture_stamp_write (GstVideoFrame *frame, gint64 time_us)
{
  GstVideoFormat format = GST_VIDEO_FRAME_FORMAT (frame);
  int width = GST_VIDEO_FRAME_WIDTH (frame);
  int height = GST_VIDEO_FRAME_HEIGHT (frame);
  gboolean bits[BC_CAPTURE_STAMP_BLOCKS];
  int block = width / BC_CAPTURE_STAMP_BLOCKS;

  if (format != GST_VIDEO_FORMAT_I420 && format != GST_VIDEO_FORMAT_YV12)
    return FALSE;
  if (width < BC_CAPTURE_STAMP_MIN_WIDTH || height < block)
    return FALSE;

  stamp_bits ((guint64) time_us, bits);

  for (int plane = 0; plane < 3; plane++)
    {
      guint8 *data = GST_VIDEO_FRAME_PLANE_DATA (frame, plane);
      int stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, plane);
      int scale = plane == 0 ? 1 : 2;
      int rows = block / scale;
      int cols = block / scale;

      for (int y = 0; y < rows; y++)
        for (int i = 0; i < BC_CAPTURE_STAMP_BLOCKS; i++)
          {
            guint8 v = plane == 0 ? (bits[i] ? LUMA_ONE : LUMA_ZERO) : 128;
            memset (data + (gsize) y * stride + (gsize) i * cols, v, cols);
          }
    }
  return TRUE;
}

/**
 * bc_capture_stamp_read_rgba:
 * @data: the pixels, four bytes each, R G B first (RGBA, RGBx)
 * @width: frame width
 * @height: frame height
 * @stride: bytes per row
 * @reference_us: a wall-clock time within 2^47 µs (about 4 years) of the stamp
 * @time_us: (out): the capture time, microseconds of g_get_real_time()
 *
 * Returns: %TRUE if the frame carries a valid stamp
 */
gboolean
bc_capture_stamp_read_rgba (
    const guint8 *data, int width, int height, gsize stride, gint64 reference_us, gint64 *time_us)
{
  int block = width / BC_CAPTURE_STAMP_BLOCKS;
  int lo, hi;
  gboolean bits[BC_CAPTURE_STAMP_BLOCKS];
  guint64 value = 0;
  guint8 check = 0;
  gint64 full;

  if (width < BC_CAPTURE_STAMP_MIN_WIDTH || height < block)
    return FALSE;

  lo = block / 4;
  hi = MAX (lo + 1, block - block / 4);
  for (int i = 0; i < STAMP_BITS; i++)
    {
      guint sum = 0, n = 0;

      for (int y = lo; y < hi; y++)
        for (int x = i * block + lo; x < i * block + hi; x++)
          {
            const guint8 *p = data + (gsize) y * stride + (gsize) x * 4;

            sum += (77 * p[0] + 150 * p[1] + 29 * p[2]) >> 8;
            n++;
          }
      bits[i] = sum / n >= 128;
    }

  if (!bits[0] || bits[1] || !bits[2] || bits[3])
    return FALSE;
  for (int i = 0; i < 48; i++)
    value = (value << 1) | bits[4 + i];
  for (int i = 0; i < 8; i++)
    check = (check << 1) | bits[52 + i];
  if (check != check_byte (value))
    return FALSE;

  full = (gint64) (((guint64) reference_us & ~VALUE_MASK) | value);
  if (full > reference_us + (G_GINT64_CONSTANT (1) << 47))
    full -= G_GINT64_CONSTANT (1) << 48;
  else if (full < reference_us - (G_GINT64_CONSTANT (1) << 47))
    full += G_GINT64_CONSTANT (1) << 48;
  *time_us = full;
  return TRUE;
}
