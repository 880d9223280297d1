#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BC_TYPE_VIDEO_PAINTABLE (bc_video_paintable_get_type ())

G_DECLARE_FINAL_TYPE (BcVideoPaintable, bc_video_paintable, BC, VIDEO_PAINTABLE, GObject)

BcVideoPaintable *bc_video_paintable_new (void);

void bc_video_paintable_push_frame (BcVideoPaintable *self,
                                    GBytes *pixels,
                                    int width,
                                    int height,
                                    gsize stride,
                                    GdkMemoryFormat format);
void bc_video_paintable_clear (BcVideoPaintable *self);
guint64 bc_video_paintable_get_frames_shown (BcVideoPaintable *self);
guint64 bc_video_paintable_get_frames_dropped (BcVideoPaintable *self);

G_END_DECLS
