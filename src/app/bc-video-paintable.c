/* BcVideoPaintable: the latest decoded video frame, as a GdkPaintable.
 *
 * The media layer decodes on GStreamer's streaming threads. Those threads hand
 * each frame to bc_video_paintable_push_frame(), which only swaps a pointer
 * under a lock: the streaming thread never waits for the UI. At most one
 * wake-up of the main context is outstanding; when the UI is slower than the
 * stream, the frames in between are dropped and only the newest is shown.
 */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include "bc-context-post.h"

#include "bc-video-paintable.h"

struct _BcVideoPaintable
{
  GObject parent_instance;

  /* Main thread only. */
  GdkTexture *texture;
  int width;
  int height;
  guint64 frames_shown;

  /* Shared with the streaming threads, under @lock. */
  GMutex lock;
  GMainContext *context;
  GBytes *pending;
  int pending_width;
  int pending_height;
  gsize pending_stride;
  GdkMemoryFormat pending_format;
  gboolean wakeup_queued;
  guint64 frames_dropped;
};

enum
{
  PROP_0,
  PROP_FRAMES_SHOWN,
  PROP_FRAMES_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void paintable_iface_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BcVideoPaintable,
                               bc_video_paintable,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE, paintable_iface_init))

static void
bc_video_paintable_snapshot (GdkPaintable *paintable,
                             GdkSnapshot *snapshot,
                             double width,
                             double height)
{
  BcVideoPaintable *self = BC_VIDEO_PAINTABLE (paintable);

  if (self->texture != NULL)
    gdk_paintable_snapshot (GDK_PAINTABLE (self->texture), snapshot, width, height);
}

static GdkPaintable *
bc_video_paintable_get_current_image (GdkPaintable *paintable)
{
  BcVideoPaintable *self = BC_VIDEO_PAINTABLE (paintable);

  if (self->texture != NULL)
    return GDK_PAINTABLE (g_object_ref (self->texture));

  return gdk_paintable_new_empty (self->width, self->height);
}

static int
bc_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return BC_VIDEO_PAINTABLE (paintable)->width;
}

static int
bc_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return BC_VIDEO_PAINTABLE (paintable)->height;
}

static double
bc_video_paintable_get_intrinsic_aspect_ratio (GdkPaintable *paintable)
{
  BcVideoPaintable *self = BC_VIDEO_PAINTABLE (paintable);

  if (self->width <= 0 || self->height <= 0)
    return 0.0;

  return (double) self->width / (double) self->height;
}

static void
paintable_iface_init (GdkPaintableInterface *iface)
{
  iface->snapshot = bc_video_paintable_snapshot;
  iface->get_current_image = bc_video_paintable_get_current_image;
  iface->get_intrinsic_width = bc_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = bc_video_paintable_get_intrinsic_height;
  iface->get_intrinsic_aspect_ratio = bc_video_paintable_get_intrinsic_aspect_ratio;
}

static void
bc_video_paintable_set_texture (BcVideoPaintable *self, GdkTexture *texture)
{
  int width = texture ? gdk_texture_get_width (texture) : 0;
  int height = texture ? gdk_texture_get_height (texture) : 0;
  gboolean size_changed = width != self->width || height != self->height;

  g_set_object (&self->texture, texture);
  self->width = width;
  self->height = height;

  if (size_changed)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));
}

static gboolean
present_pending_frame (gpointer user_data)
{
  BcVideoPaintable *self = user_data;
  g_autoptr (GBytes) pixels = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int width, height;
  gsize stride;
  GdkMemoryFormat format;

  g_mutex_lock (&self->lock);
  pixels = g_steal_pointer (&self->pending);
  width = self->pending_width;
  height = self->pending_height;
  stride = self->pending_stride;
  format = self->pending_format;
  self->wakeup_queued = FALSE;
  g_mutex_unlock (&self->lock);

  /* bc_video_paintable_clear() may have taken the frame away meanwhile. */
  if (pixels == NULL)
    return G_SOURCE_REMOVE;

  texture = gdk_memory_texture_new (width, height, format, pixels, stride);
  bc_video_paintable_set_texture (self, texture);

  self->frames_shown++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAMES_SHOWN]);

  return G_SOURCE_REMOVE;
}

/**
 * bc_video_paintable_push_frame:
 * @pixels: the frame's pixels, @height rows of @stride bytes
 *
 * Hands a decoded frame to the paintable. Safe to call from any thread; never
 * blocks on the main loop. A frame that has not been shown yet is replaced.
 */
void
bc_video_paintable_push_frame (BcVideoPaintable *self,
                               GBytes *pixels,
                               int width,
                               int height,
                               gsize stride,
                               GdkMemoryFormat format)
{
  gboolean queue_wakeup;

  g_return_if_fail (BC_IS_VIDEO_PAINTABLE (self));
  g_return_if_fail (pixels != NULL);
  g_return_if_fail (width > 0 && height > 0);
  g_return_if_fail (g_bytes_get_size (pixels) >= stride * (gsize) (height - 1));

  g_mutex_lock (&self->lock);
  if (self->pending != NULL)
    self->frames_dropped++;
  g_clear_pointer (&self->pending, g_bytes_unref);
  self->pending = g_bytes_ref (pixels);
  self->pending_width = width;
  self->pending_height = height;
  self->pending_stride = stride;
  self->pending_format = format;
  queue_wakeup = !self->wakeup_queued;
  self->wakeup_queued = TRUE;
  g_mutex_unlock (&self->lock);

  if (queue_wakeup)
    {
      bc_context_post (self->context, present_pending_frame, g_object_ref (self), g_object_unref,
                       "[bountycam] present video frame");
    }
}

/**
 * bc_video_paintable_clear:
 *
 * Forgets the current and any pending frame; the paintable becomes empty.
 * Main thread only.
 */
void
bc_video_paintable_clear (BcVideoPaintable *self)
{
  g_return_if_fail (BC_IS_VIDEO_PAINTABLE (self));

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_mutex_unlock (&self->lock);

  if (self->texture != NULL)
    bc_video_paintable_set_texture (self, NULL);
}

guint64
bc_video_paintable_get_frames_shown (BcVideoPaintable *self)
{
  g_return_val_if_fail (BC_IS_VIDEO_PAINTABLE (self), 0);

  return self->frames_shown;
}

guint64
bc_video_paintable_get_frames_dropped (BcVideoPaintable *self)
{
  guint64 dropped;

  g_return_val_if_fail (BC_IS_VIDEO_PAINTABLE (self), 0);

  g_mutex_lock (&self->lock);
  dropped = self->frames_dropped;
  g_mutex_unlock (&self->lock);

  return dropped;
}

static void
bc_video_paintable_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcVideoPaintable *self = BC_VIDEO_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_FRAMES_SHOWN:
      g_value_set_uint64 (value, self->frames_shown);
      break;

    case PROP_FRAMES_DROPPED:
      g_value_set_uint64 (value, bc_video_paintable_get_frames_dropped (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_video_paintable_finalize (GObject *object)
{
  BcVideoPaintable *self = BC_VIDEO_PAINTABLE (object);

  g_clear_object (&self->texture);
  g_clear_pointer (&self->pending, g_bytes_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (bc_video_paintable_parent_class)->finalize (object);
}

static void
bc_video_paintable_class_init (BcVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = bc_video_paintable_get_property;
  object_class->finalize = bc_video_paintable_finalize;

  /* How many frames reached the screen (tests watch this one). */
  properties[PROP_FRAMES_SHOWN] =
      g_param_spec_uint64 ("frames-shown", NULL, NULL, 0, G_MAXUINT64, 0,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* Frames replaced by a newer one before the UI got to them. Not notified. */
  properties[PROP_FRAMES_DROPPED] =
      g_param_spec_uint64 ("frames-dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                           G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_video_paintable_init (BcVideoPaintable *self)
{
  g_mutex_init (&self->lock);
  /* Frames are shown on the context of the thread that made the paintable. */
  self->context = g_main_context_ref_thread_default ();
}

BcVideoPaintable *
bc_video_paintable_new (void)
{
  return g_object_new (BC_TYPE_VIDEO_PAINTABLE, NULL);
}
