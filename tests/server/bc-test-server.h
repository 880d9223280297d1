/* bc-test-server.h: runs the real bountycam-server for HTTP tests */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  GSubprocess *proc;
  char *dir;
  char *base_url;
  SoupSession *session;
  GKeyFile *secrets;
  gboolean owns_dir;
  guint port;
  GStrv extra_args;
} BcTestServer;

/* The server binary (BC_SERVER, else the build tree's), or NULL when it is
 * not built; a test may then skip. */
const char *bc_test_server_binary (void);
/* Environment for the server and for clients a test runs beside it: private
 * XDG directories under the server's directory, and nothing from the
 * developer's own LiveKit or BountyCam settings. */
char **bc_test_server_child_environ (BcTestServer *s);
/* Turns LeakSanitizer on in @env's ASAN_OPTIONS (an ASan build's programs
 * then fail at exit on any leak tests/lsan.supp does not list), with stacks
 * deep enough to match those suppressions. BC_TEST_SERVER_LEAK_CHECK=1 in a
 * test's environment does this for every server it starts. */
char **bc_test_leak_check_environ (char **env);
/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test dies. */
void bc_test_child_die_with_parent (gpointer user_data);

/* Starts `bountycam-server --dev --listen 127.0.0.1:0` on a database in @dir
 * (a fresh temporary directory when NULL), with @extra_args, and waits for
 * its "listening on" line. */
BcTestServer *bc_test_server_start (const char *dir, const char *const *extra_args);
/* SIGTERM, then waits; asserts a clean exit. */
void bc_test_server_stop (BcTestServer *s);
/* Stops it (SIGTERM) and starts it again on the same port and database. */
gboolean bc_test_server_restart (BcTestServer *s, GError **error);
/* SIGKILL, then waits. */
void bc_test_server_kill (BcTestServer *s);
void bc_test_server_free (BcTestServer *s);
char *bc_test_server_secret (BcTestServer *s, const char *key);
char *bc_test_server_db_path (BcTestServer *s);

/* A blocking request; @body is JSON text or NULL. Returns the status and,
 * in @out (if not NULL), the JSON answer (NULL when there is none). */
guint bc_test_request (BcTestServer *s,
                       const char *method,
                       const char *path,
                       const char *token,
                       const char *body,
                       JsonNode **out);
/* The same with an arbitrary Authorization header value and response headers. */
guint bc_test_request_full (BcTestServer *s,
                            const char *method,
                            const char *path,
                            const char *authorization,
                            const char *body,
                            JsonNode **out,
                            SoupMessageHeaders **out_headers);

typedef struct
{
  const char *method;
  char *path;
  char *token;
  char *body;
  guint status;         /* filled in */
  BcTestServer *target; /* another server to send this one to, or NULL */
} BcTestCall;

/* Sends all @calls at once over parallel connections; fills in each status. */
void bc_test_request_parallel (BcTestServer *s, BcTestCall *calls, guint n);

typedef struct
{
  char *id;
  char *email;
  char *access_token;
  char *refresh_token;
} BcTestUser;

BcTestUser *bc_test_signup (BcTestServer *s, const char *name);
void bc_test_user_free (BcTestUser *user);
gint64 bc_test_points (BcTestServer *s, BcTestUser *user);
/* A bounty of @requester's for @reward points, accepted by @streamer;
 * returns the new session's id. */
char *
bc_test_session_new (BcTestServer *s, BcTestUser *requester, BcTestUser *streamer, gint64 reward);

/* Member access on a JSON answer, asserting the member exists. */
const char *bc_test_str (JsonNode *node, const char *path);
gint64 bc_test_int (JsonNode *node, const char *path);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcTestUser, bc_test_user_free)

G_END_DECLS
