/* bc-cli.h: what the sub-commands of bountycam-cli share */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "bc-client.h"

G_BEGIN_DECLS

/* Exit codes; the man page lists them too. */
typedef enum
{
  BC_EXIT_OK = 0,
  BC_EXIT_USAGE = 1,         /* bad arguments or input */
  BC_EXIT_AUTH = 2,          /* not signed in, wrong password, login expired, throttled */
  BC_EXIT_NOT_FOUND = 3,     /* no such bounty/session, or not yours (403/404) */
  BC_EXIT_CONFLICT = 4,      /* no longer possible: taken, ended, not active (409) */
  BC_EXIT_UNREACHABLE = 5,   /* server unreachable or failing */
  BC_EXIT_MEDIA = 6,         /* camera, codec, LiveKit connection or permission failure */
  BC_EXIT_ENDED = 7,         /* the session was ended by the requester or the server */
  BC_EXIT_INTERRUPTED = 130, /* SIGINT/SIGTERM */
} BcExit;

typedef struct
{
  /* global options */
  char *server;
  char *profile;
  gboolean json;
  gboolean allow_insecure;
  gboolean verbose;

  const char *command;
  BcApiClient *client;
  BcCredentialStore *store;
  GCancellable *cancellable;
  gboolean interrupted;
  guint sigint_id;
  guint sigterm_id;
  gint64 process_start; /* g_get_real_time() when main() began */

  /* where the login came from, so a rotated refresh token goes back there */
  gboolean from_keyring;
  char *token_file;
  char *saved_token; /* the refresh token as last loaded or saved */

  GAsyncResult *result;
} BcCli;

/* Runs the main loop until the pending async call stored its result. */
GAsyncResult *bc_cli_wait (BcCli *cli);
/* A GAsyncReadyCallback for bc_cli_wait(); user_data is the BcCli. */
void bc_cli_store_result (GObject *source, GAsyncResult *result, gpointer user_data);

/* Creates the client for --server/BOUNTYCAM_SERVER/the stored login. With
 * @need_login, restores or performs a login (environment, then keyring). */
gboolean bc_cli_connect (BcCli *cli, gboolean need_login, GError **error);
/* Saves a rotated refresh token where it came from. */
void bc_cli_save_login (BcCli *cli);

/* Maps an error to an exit code and prints it (stderr; and a JSON line on
 * stdout with --json). Returns the exit code. */
int bc_cli_fail (BcCli *cli, const GError *error);
int bc_cli_usage_error (BcCli *cli, const char *format, ...) G_GNUC_PRINTF (2, 3);
int bc_cli_exit_code_for (const GError *error);

/* With --json: prints @object as one line (adding "type"); otherwise nothing. */
void bc_cli_print_json (BcCli *cli, const char *type, JsonObject *object);
/* Progress for humans: stderr, only without --json. */
void bc_cli_status (BcCli *cli, const char *format, ...) G_GNUC_PRINTF (2, 3);

JsonObject *bc_cli_user_to_json (BcUser *user);
JsonObject *bc_cli_bounty_to_json (BcBounty *bounty);
JsonObject *bc_cli_session_to_json (BcSession *session);

/* sub-commands; each returns an exit code */
int bc_cli_cmd_signup (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_login (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_logout (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_me (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_bounties (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_create (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_cancel (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_accept (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_sessions (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_approve (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_reject (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_token (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_publish (BcCli *cli, int argc, char **argv);
int bc_cli_cmd_watch (BcCli *cli, int argc, char **argv);

/* Parses the sub-command's options; prints help/usage errors itself.
 * Returns -1 to go on, or an exit code. */
int bc_cli_parse (BcCli *cli,
                  const char *parameter_string,
                  const char *summary,
                  const GOptionEntry *entries,
                  int *argc,
                  char ***argv);

G_END_DECLS
