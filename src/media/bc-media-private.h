/* bc-media-private.h: helpers shared inside the media layer */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

GstElement *_bc_media_make_element (const char *factory, const char *name, GError **error);
gboolean _bc_media_have_element (const char *factory);
void _bc_media_set_arg (gpointer object, const char *property, const char *value);
guint32 _bc_media_random_ssrc (void);
void _bc_media_hide_latency (GstPad *src_pad);

G_END_DECLS
