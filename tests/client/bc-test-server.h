/* bc-test-server.h: the real bountycam-server --dev on a loopback port, for tests */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *process;
  char *dir;      /* temp dir: database, secrets, XDG dirs */
  char *base_url; /* http://127.0.0.1:PORT */
  guint port;
  gboolean own_dir;
  GDataInputStream *out;
  GCancellable *cancellable;
  GPtrArray *extra_args;
} BcTestServer;

/* The server binary from BC_SERVER, or NULL (then the test should skip). */
const char *bc_test_server_binary (void);

/* Starts a server with a fresh temp dir; @port 0 picks a free one. */
BcTestServer *bc_test_server_start (const char *const *extra_args, GError **error);
/* Stops it with SIGTERM and waits (the temp dir stays). */
void bc_test_server_stop (BcTestServer *server);
/* Starts it again on the same port with the same database. */
gboolean bc_test_server_restart (BcTestServer *server, GError **error);
/* Stops it and removes its temp dir. */
void bc_test_server_free (BcTestServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcTestServer, bc_test_server_free)

/* Environment for child processes: isolated XDG dirs under the server's. */
char **bc_test_server_child_environ (BcTestServer *server);

G_END_DECLS
