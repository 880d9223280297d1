/* bc-lk-test-wait.h: waiting in the default main context for a condition */
#pragma once

#include <glib.h>

/* A GSourceFunc that sets the gboolean at @data. */
static inline gboolean
bc_test_set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates until @cond holds; fails the test, naming the place and the
 * condition, after @seconds. */
#define WAIT_FOR(cond, seconds)                                                                    \
  G_STMT_START                                                                                     \
  {                                                                                                \
    gboolean _late = FALSE;                                                                        \
    guint _id = g_timeout_add_seconds (seconds, bc_test_set_flag, &_late);                         \
    while (!(cond) && !_late)                                                                      \
      g_main_context_iteration (NULL, TRUE);                                                       \
    if (!_late)                                                                                    \
      g_source_remove (_id);                                                                       \
    if (!(cond))                                                                                   \
      g_error ("%s:%d: timed out after %d s waiting for %s", __FILE__, __LINE__, seconds, #cond);  \
  }                                                                                                \
  G_STMT_END
