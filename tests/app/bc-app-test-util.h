/* Helpers for the app's UI tests: a real server, waiting, screenshots. */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

typedef gboolean (*BcTestCondition) (gpointer data);

gboolean bc_test_wait (BcTestCondition condition, gpointer data, guint timeout_seconds);
void bc_test_wait_ms (guint milliseconds);
void bc_test_screenshot (GtkWidget *widget, const char *name);

/* bountycam-server --dev on 127.0.0.1:0 with a temporary database; NULL
 * (and the test skipped) when the server is not built. */
typedef struct _BcTestServer BcTestServer;
BcTestServer *bc_test_server_start (void);
const char *bc_test_server_get_url (BcTestServer *server);
void bc_test_server_stop (BcTestServer *server);
void bc_test_server_pause (BcTestServer *server);
void bc_test_server_restart (BcTestServer *server);

GtkWidget *bc_test_find_child (GtkWidget *root, GType type);

G_END_DECLS

G_BEGIN_DECLS

/* A stand-in for the desktop's notification daemon on the session bus; it
 * records the summary of every notification shown. */
void bc_test_notifications_start (void);
GPtrArray *bc_test_notifications_get (void);

G_END_DECLS
