/* bc-context-post.h: run a function in a main context's own thread, later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void bc_context_post (GMainContext *context,
                      GSourceFunc function,
                      gpointer data,
                      GDestroyNotify notify,
                      const char *name);

G_END_DECLS
