/* GStreamer calls back on its own threads; what the callbacks start must run
 * in the thread that runs the main context. g_main_context_invoke() does not
 * guarantee that: from a thread whose thread-default context is the global
 * default, it runs the function at once whenever it can acquire the context,
 * which it can between two iterations of the main loop, while the main
 * thread runs code of its own. A source always waits for the context's
 * owner. */
#include "config.h"

#include "bc-context-post.h"

void
bc_context_post (GMainContext *context,
                 GSourceFunc function,
                 gpointer data,
                 GDestroyNotify notify,
                 const char *name)
{
  g_autoptr (GSource) source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, function, data, notify);
  if (name != NULL)
    g_source_set_static_name (source, name);
  g_source_attach (source, context);
}
