/* bc-sqlite-store.c
 *
 * Why the store runs on the main loop and not on a worker thread: every
 * operation is a handful of indexed statements on one connection with cached
 * prepared statements, which SQLite finishes in microseconds in WAL mode; a
 * worker thread would add two context switches per request and a queue, and
 * would make the code that must be exactly-once harder to follow. The one
 * slow thing a request does, argon2id, runs in a thread pool (bc-password.c).
 * The busy timeout only matters when another process holds the write lock.
 *
 * Every read-then-write runs in BEGIN IMMEDIATE so that the write lock is
 * taken before the read: a deferred transaction that later upgrades fails
 * with SQLITE_BUSY at once and ignores busy_timeout (SQLite docs, "BEGIN
 * TRANSACTION" and sqlite3_busy_timeout). Exactly-once settlement does not
 * rely on that alone: the conditional UPDATE and UNIQUE (bounty_id, phase)
 * on the ledger refuse a second settlement whatever the interleaving.
 */
#define G_LOG_DOMAIN "bc-store"

#include "config.h"

#include "bc-sqlite-store.h"
#include "bc-migrations-resources.h"
#include "bc-secure.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#define BUSY_TIMEOUT_MS 5000

struct _BcSqliteStore
{
  GObject parent_instance;

  sqlite3 *db;
  /* SQL text → sqlite3_stmt, keyed by the address of the string literal: a
   * string hash of long SQL text would cost more than the lookup saves. */
  GHashTable *statements;
};

static void bc_sqlite_store_iface_init (BcStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (BcSqliteStore,
                               bc_sqlite_store,
                               G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (BC_TYPE_STORE, bc_sqlite_store_iface_init))

static gboolean
db_error (BcSqliteStore *self, GError **error)
{
  g_set_error (error, BC_STORE_ERROR, BC_STORE_ERROR_FAILED, "Database error: %s",
               sqlite3_errmsg (self->db));
  return FALSE;
}

/* Returns a cached, reset statement for @sql, or NULL with @error set. */
static sqlite3_stmt *
prepare (BcSqliteStore *self, const char *sql, GError **error)
{
  sqlite3_stmt *stmt = g_hash_table_lookup (self->statements, sql);

  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) != SQLITE_OK)
    {
      db_error (self, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, (gpointer) sql, stmt);
  return stmt;
}

static void
bind_text (sqlite3_stmt *stmt, int idx, const char *value)
{
  if (value == NULL)
    sqlite3_bind_null (stmt, idx);
  else
    sqlite3_bind_text (stmt, idx, value, -1, SQLITE_TRANSIENT);
}

static char *
column_text (sqlite3_stmt *stmt, int col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text ? g_strdup ((const char *) text) : NULL;
}

/* Runs a statement that returns no rows. Binds are varargs of (type, value):
 * 's' for a string, 'i' for gint64, ending with 0. */
static gboolean
run_v (BcSqliteStore *self, const char *sql, GError **error, va_list ap)
{
  sqlite3_stmt *stmt = prepare (self, sql, error);
  int idx = 1;
  int kind;
  int rc;

  if (stmt == NULL)
    return FALSE;
  while ((kind = va_arg (ap, int)) != 0)
    {
      if (kind == 's')
        bind_text (stmt, idx++, va_arg (ap, const char *));
      else
        sqlite3_bind_int64 (stmt, idx++, va_arg (ap, gint64));
    }
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW)
    {
      if ((rc & 0xff) == SQLITE_CONSTRAINT)
        {
          g_set_error (error, BC_STORE_ERROR, BC_STORE_ERROR_EXISTS, "Constraint failed: %s",
                       sqlite3_errmsg (self->db));
          return FALSE;
        }
      return db_error (self, error);
    }
  return TRUE;
}

static gboolean
run (BcSqliteStore *self, const char *sql, GError **error, ...)
{
  va_list ap;
  gboolean ok;

  va_start (ap, error);
  ok = run_v (self, sql, error, ap);
  va_end (ap);
  return ok;
}

static int
changes (BcSqliteStore *self)
{
  return sqlite3_changes (self->db);
}

static gboolean
exec_sql (BcSqliteStore *self, const char *sql, GError **error)
{
  char *msg = NULL;

  if (sqlite3_exec (self->db, sql, NULL, NULL, &msg) != SQLITE_OK)
    {
      g_set_error (error, BC_STORE_ERROR, BC_STORE_ERROR_FAILED, "Database error: %s",
                   msg ? msg : sqlite3_errmsg (self->db));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

static gboolean
begin (BcSqliteStore *self, GError **error)
{
  return run (self, "BEGIN IMMEDIATE", error, 0);
}

static gboolean
commit (BcSqliteStore *self, GError **error)
{
  return run (self, "COMMIT", error, 0);
}

/* Rolls back and returns FALSE, so that failure paths read `return rollback (self);`. */
static gboolean
rollback (BcSqliteStore *self)
{
  if (!sqlite3_get_autocommit (self->db))
    exec_sql (self, "ROLLBACK", NULL);
  return FALSE;
}

static gboolean
fail (BcSqliteStore *self, GError **error, BcStoreError code, const char *message)
{
  rollback (self);
  g_set_error_literal (error, BC_STORE_ERROR, code, message);
  return FALSE;
}

/* ---- migrations ---- */

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

#define MIGRATIONS_PATH "/app/bountycam/server/migrations/"

static gboolean
migrate (BcSqliteStore *self, GError **error)
{
  GResource *resource = bc_migrations_get_resource ();
  g_auto (GStrv) names = NULL;
  gint64 current = 0;
  sqlite3_stmt *stmt;
  guint n;

  if (!exec_sql (self,
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                 error))
    return FALSE;

  names = g_resource_enumerate_children (resource, MIGRATIONS_PATH, 0, error);
  if (names == NULL)
    return FALSE;
  n = g_strv_length (names);
  qsort (names, n, sizeof (char *), compare_names);

  if (!begin (self, error))
    return FALSE;
  stmt = prepare (self, "SELECT COALESCE (MAX (version), 0) FROM schema_migrations", error);
  if (stmt == NULL)
    return rollback (self);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    current = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strconcat (MIGRATIONS_PATH, names[i], NULL);
      g_autoptr (GBytes) sql = NULL;
      g_autofree char *text = NULL;
      gint64 version = g_ascii_strtoll (names[i], NULL, 10);

      if (version <= 0 || !g_str_has_suffix (names[i], ".sql"))
        continue;
      if (version <= current)
        continue;
      sql = g_resource_lookup_data (resource, path, 0, error);
      if (sql == NULL)
        return rollback (self);
      text = g_strndup (g_bytes_get_data (sql, NULL), g_bytes_get_size (sql));
      if (!exec_sql (self, text, error))
        {
          g_prefix_error (error, "Migration %s failed: ", names[i]);
          return rollback (self);
        }
      if (!run (self, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                error, 'i', version, 's', names[i], 'i', g_get_real_time () / 1000, 0))
        return rollback (self);
      g_info ("Applied database migration %s", names[i]);
    }
  return commit (self, error);
}

gboolean
bc_sqlite_store_set_durable (BcSqliteStore *self, gboolean durable, GError **error)
{
  return exec_sql (self, durable ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                   error);
}

GArray *
bc_sqlite_store_applied_migrations (BcSqliteStore *self, GError **error)
{
  sqlite3_stmt *stmt =
      prepare (self, "SELECT version FROM schema_migrations ORDER BY version", error);
  GArray *versions;

  if (stmt == NULL)
    return NULL;
  versions = g_array_new (FALSE, FALSE, sizeof (gint64));
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 v = sqlite3_column_int64 (stmt, 0);
      g_array_append_val (versions, v);
    }
  sqlite3_reset (stmt);
  return versions;
}

BcSqliteStore *
bc_sqlite_store_open (const char *path, GError **error)
{
  g_autoptr (BcSqliteStore) self = g_object_new (BC_TYPE_SQLITE_STORE, NULL);
  int fd;
  int rc;

  /* The database holds password and token hashes: owner only. SQLite gives
   * its -wal and -shm files the database file's mode. */
  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd >= 0)
    close (fd);

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, BC_STORE_ERROR, BC_STORE_ERROR_FAILED, "Cannot open the database %s: %s",
                   path, self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);
  /* WAL lets readers (other server processes) run during a write. With
   * synchronous = NORMAL a commit does not wait for the disk (an fsync costs
   * milliseconds here, on the main loop): every commit survives a crash of
   * the process or SIGKILL, and a power cut can only lose the last commits
   * whole, never half a transfer. bc_sqlite_store_set_durable() trades that
   * for an fsync per commit. */
  if (!exec_sql (self,
                 "PRAGMA journal_mode = WAL;"
                 "PRAGMA synchronous = NORMAL;"
                 "PRAGMA foreign_keys = ON;",
                 error))
    return NULL;
  if (!migrate (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

/* ---- rows ---- */

#define USER_COLUMNS "id, email, display_name, password_hash, points, created_at"

static BcUser *
read_user (sqlite3_stmt *stmt)
{
  BcUser *user = g_new0 (BcUser, 1);

  user->id = column_text (stmt, 0);
  user->email = column_text (stmt, 1);
  user->display_name = column_text (stmt, 2);
  user->password_hash = column_text (stmt, 3);
  user->points = sqlite3_column_int64 (stmt, 4);
  user->created_at = sqlite3_column_int64 (stmt, 5);
  return user;
}

#define BOUNTY_SELECT                                                                              \
  "SELECT b.id, b.requester_id, u.display_name, b.title, b.description, b.status, s.id,"           \
  " b.reward_points, b.created_at, b.updated_at"                                                   \
  " FROM bounties b JOIN users u ON u.id = b.requester_id"                                         \
  " LEFT JOIN sessions s ON s.bounty_id = b.id "

static BcBounty *
read_bounty (sqlite3_stmt *stmt)
{
  BcBounty *bounty = g_new0 (BcBounty, 1);

  bounty->id = column_text (stmt, 0);
  bounty->requester_id = column_text (stmt, 1);
  bounty->requester_name = column_text (stmt, 2);
  bounty->title = column_text (stmt, 3);
  bounty->description = column_text (stmt, 4);
  bounty->status = column_text (stmt, 5);
  bounty->session_id = column_text (stmt, 6);
  bounty->reward_points = sqlite3_column_int64 (stmt, 7);
  bounty->created_at = sqlite3_column_int64 (stmt, 8);
  bounty->updated_at = sqlite3_column_int64 (stmt, 9);
  return bounty;
}

#define SESSION_SELECT                                                                             \
  "SELECT s.id, s.bounty_id, b.title, s.room_name, s.status, s.outcome, s.stream_status,"          \
  " s.streamer_id, su.display_name, s.requester_id, ru.display_name, b.reward_points,"             \
  " s.created_at, s.last_activity_at, s.ended_at"                                                  \
  " FROM sessions s JOIN bounties b ON b.id = s.bounty_id"                                         \
  " JOIN users su ON su.id = s.streamer_id JOIN users ru ON ru.id = s.requester_id "

static BcSession *
read_session (sqlite3_stmt *stmt)
{
  BcSession *session = g_new0 (BcSession, 1);

  session->id = column_text (stmt, 0);
  session->bounty_id = column_text (stmt, 1);
  session->title = column_text (stmt, 2);
  session->room_name = column_text (stmt, 3);
  session->status = column_text (stmt, 4);
  session->outcome = column_text (stmt, 5);
  session->stream_status = column_text (stmt, 6);
  session->streamer_id = column_text (stmt, 7);
  session->streamer_name = column_text (stmt, 8);
  session->requester_id = column_text (stmt, 9);
  session->requester_name = column_text (stmt, 10);
  session->reward_points = sqlite3_column_int64 (stmt, 11);
  session->created_at = sqlite3_column_int64 (stmt, 12);
  session->last_activity_at = sqlite3_column_int64 (stmt, 13);
  session->ended_at = sqlite3_column_int64 (stmt, 14);
  return session;
}

static BcStreamEvent *
read_event (sqlite3_stmt *stmt)
{
  BcStreamEvent *event = g_new0 (BcStreamEvent, 1);

  event->id = sqlite3_column_int64 (stmt, 0);
  event->session_id = column_text (stmt, 1);
  event->event_type = column_text (stmt, 2);
  event->source = column_text (stmt, 3);
  event->participant = column_text (stmt, 4);
  event->created_at = sqlite3_column_int64 (stmt, 5);
  return event;
}

static gboolean
load_events (BcSqliteStore *self, BcSession *session, GError **error)
{
  sqlite3_stmt *stmt = prepare (self,
                                "SELECT id, session_id, event_type, source, participant, created_at"
                                " FROM stream_events WHERE session_id = ? ORDER BY id",
                                error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, session->id);
  session->events = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_stream_event_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (session->events, read_event (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error);
  return TRUE;
}

/* Steps a one-row query; NULL with NOT_FOUND (or FAILED) when there is no row. */
static gboolean
step_one (BcSqliteStore *self, sqlite3_stmt *stmt, const char *what, GError **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_ROW)
    return TRUE;
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, BC_STORE_ERROR, BC_STORE_ERROR_NOT_FOUND, "No such %s", what);
  else
    db_error (self, error);
  return FALSE;
}

/* ---- users and logins ---- */

static BcUser *
sqlite_get_user (BcStore *store, const char *id, const char *email, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  sqlite3_stmt *stmt;
  BcUser *user;

  if (id != NULL)
    stmt = prepare (self, "SELECT " USER_COLUMNS " FROM users WHERE id = ?", error);
  else
    stmt = prepare (self, "SELECT " USER_COLUMNS " FROM users WHERE email = ?", error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id ? id : email);
  if (!step_one (self, stmt, "user", error))
    return NULL;
  user = read_user (stmt);
  sqlite3_reset (stmt);
  return user;
}

static BcUser *
sqlite_create_user (BcStore *store,
                    const char *email,
                    const char *display_name,
                    const char *password_hash,
                    gint64 points,
                    gint64 now,
                    GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *id = bc_random_uuid ();
  g_autoptr (GError) local_error = NULL;

  if (!run (self,
            "INSERT INTO users (id, email, display_name, password_hash, points, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            &local_error, 's', id, 's', email, 's', display_name, 's', password_hash, 'i', points,
            'i', now, 0))
    {
      if (g_error_matches (local_error, BC_STORE_ERROR, BC_STORE_ERROR_EXISTS))
        g_set_error_literal (error, BC_STORE_ERROR, BC_STORE_ERROR_EXISTS,
                             "An account with this email address exists already");
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }
  return sqlite_get_user (store, id, NULL, error);
}

static char *
sqlite_create_login (BcStore *store,
                     const char *user_id,
                     const char *refresh_hash,
                     gint64 expires_at,
                     gint64 now,
                     GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *login_id = bc_random_uuid ();

  if (!begin (self, error))
    return NULL;
  if (!run (self, "INSERT INTO logins (id, user_id, created_at) VALUES (?, ?, ?)", error, 's',
            login_id, 's', user_id, 'i', now, 0) ||
      !run (self,
            "INSERT INTO refresh_tokens (token_hash, login_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            error, 's', refresh_hash, 's', login_id, 'i', now, 'i', expires_at, 0) ||
      !commit (self, error))
    {
      rollback (self);
      return NULL;
    }
  return g_steal_pointer (&login_id);
}

static gboolean
sqlite_rotate_refresh (BcStore *store,
                       const char *old_hash,
                       const char *new_hash,
                       gint64 new_expires_at,
                       gint64 now,
                       char **out_login_id,
                       char **out_user_id,
                       GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *login_id = NULL;
  g_autofree char *user_id = NULL;
  gboolean revoked, rotated;
  gint64 expires_at;
  sqlite3_stmt *stmt;

  if (!begin (self, error))
    return FALSE;
  stmt = prepare (self,
                  "SELECT r.login_id, l.user_id, r.expires_at, r.rotated_at IS NOT NULL,"
                  " l.revoked_at IS NOT NULL"
                  " FROM refresh_tokens r JOIN logins l ON l.id = r.login_id"
                  " WHERE r.token_hash = ?",
                  error);
  if (stmt == NULL)
    return rollback (self);
  bind_text (stmt, 1, old_hash);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return fail (self, error, BC_STORE_ERROR_TOKEN_INVALID, "The refresh token is not valid");
    }
  login_id = column_text (stmt, 0);
  user_id = column_text (stmt, 1);
  expires_at = sqlite3_column_int64 (stmt, 2);
  rotated = sqlite3_column_int (stmt, 3);
  revoked = sqlite3_column_int (stmt, 4);
  sqlite3_reset (stmt);

  if (revoked)
    return fail (self, error, BC_STORE_ERROR_TOKEN_INVALID, "This login has been signed out");
  if (rotated)
    {
      /* A used token came back: someone holds a copy. End the login everywhere. */
      if (!run (self, "UPDATE logins SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", error,
                'i', now, 's', login_id, 0) ||
          !commit (self, error))
        return rollback (self);
      g_set_error_literal (error, BC_STORE_ERROR, BC_STORE_ERROR_TOKEN_REUSED,
                           "The refresh token was used before; this login has been signed out");
      return FALSE;
    }
  if (expires_at <= now)
    return fail (self, error, BC_STORE_ERROR_TOKEN_INVALID, "The refresh token has expired");

  if (!run (self, "UPDATE refresh_tokens SET rotated_at = ? WHERE token_hash = ?", error, 'i', now,
            's', old_hash, 0) ||
      !run (self,
            "INSERT INTO refresh_tokens (token_hash, login_id, created_at, expires_at)"
            " VALUES (?, ?, ?, ?)",
            error, 's', new_hash, 's', login_id, 'i', now, 'i', new_expires_at, 0) ||
      !commit (self, error))
    return rollback (self);

  if (out_login_id)
    *out_login_id = g_steal_pointer (&login_id);
  if (out_user_id)
    *out_user_id = g_steal_pointer (&user_id);
  return TRUE;
}

static char *
sqlite_find_login (BcStore *store, const char *refresh_hash, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  sqlite3_stmt *stmt =
      prepare (self, "SELECT login_id FROM refresh_tokens WHERE token_hash = ?", error);
  char *login_id;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, refresh_hash);
  if (!step_one (self, stmt, "login", error))
    return NULL;
  login_id = column_text (stmt, 0);
  sqlite3_reset (stmt);
  return login_id;
}

static gboolean
sqlite_revoke_login (BcStore *store, const char *login_id, gint64 now, GError **error)
{
  return run (BC_SQLITE_STORE (store),
              "UPDATE logins SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", error, 'i',
              now, 's', login_id, 0);
}

static gboolean
sqlite_login_is_active (BcStore *store, const char *login_id, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  sqlite3_stmt *stmt = prepare (self, "SELECT revoked_at IS NULL FROM logins WHERE id = ?", error);
  gboolean active;

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, login_id);
  if (!step_one (self, stmt, "login", error))
    return FALSE;
  active = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  return active;
}

/* ---- bounties ---- */

static BcBounty *
sqlite_get_bounty (BcStore *store, const char *id, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  sqlite3_stmt *stmt = prepare (self, BOUNTY_SELECT "WHERE b.id = ?", error);
  BcBounty *bounty;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  if (!step_one (self, stmt, "bounty", error))
    return NULL;
  bounty = read_bounty (stmt);
  sqlite3_reset (stmt);
  return bounty;
}

static BcBounty *
sqlite_create_bounty (BcStore *store,
                      const char *id,
                      const char *requester_id,
                      const char *title,
                      const char *description,
                      gint64 reward_points,
                      gint64 now,
                      GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);

  if (!begin (self, error))
    return NULL;
  if (!run (self, "UPDATE users SET points = points - ?1 WHERE id = ?2 AND points >= ?1", error,
            'i', reward_points, 's', requester_id, 0))
    return rollback (self), NULL;
  if (changes (self) == 0)
    {
      fail (self, error, BC_STORE_ERROR_INSUFFICIENT_POINTS,
            "The reward is more than your points balance");
      return NULL;
    }
  if (!run (self,
            "INSERT INTO bounties (id, requester_id, title, description, reward_points, status,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)",
            error, 's', id, 's', requester_id, 's', title, 's', description, 'i', reward_points,
            'i', now, 'i', now, 0) ||
      !run (self,
            "INSERT INTO ledger (bounty_id, phase, kind, user_id, points, created_at)"
            " VALUES (?, 'escrow', 'escrow', ?, ?, ?)",
            error, 's', id, 's', requester_id, 'i', reward_points, 'i', now, 0) ||
      !commit (self, error))
    return rollback (self), NULL;
  return sqlite_get_bounty (store, id, error);
}

static GPtrArray *
sqlite_list_bounties (
    BcStore *store, BcBountyList which, const char *user_id, guint limit, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autoptr (GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (which == BC_BOUNTY_LIST_MINE)
    stmt = prepare (
        self, BOUNTY_SELECT "WHERE b.requester_id = ? ORDER BY b.created_at DESC LIMIT ?", error);
  else
    stmt = prepare (self,
                    BOUNTY_SELECT "WHERE b.status = 'open' AND b.requester_id != ?"
                                  " ORDER BY b.created_at DESC LIMIT ?",
                    error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_bounty_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, read_bounty (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  return g_steal_pointer (&list);
}

/* Reads requester, reward and status of a bounty inside a transaction. */
static gboolean
bounty_facts (BcSqliteStore *self,
              const char *id,
              char **requester_id,
              gint64 *reward,
              char **status,
              GError **error)
{
  sqlite3_stmt *stmt = prepare (
      self, "SELECT requester_id, reward_points, status FROM bounties WHERE id = ?", error);

  if (stmt == NULL)
    return FALSE;
  bind_text (stmt, 1, id);
  if (!step_one (self, stmt, "bounty", error))
    return FALSE;
  *requester_id = column_text (stmt, 0);
  *reward = sqlite3_column_int64 (stmt, 1);
  *status = column_text (stmt, 2);
  sqlite3_reset (stmt);
  return TRUE;
}

static BcBounty *
sqlite_cancel_bounty (BcStore *store, const char *id, gint64 now, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *requester_id = NULL;
  g_autofree char *status = NULL;
  gint64 reward = 0;

  if (!begin (self, error))
    return NULL;
  if (!bounty_facts (self, id, &requester_id, &reward, &status, error))
    return rollback (self), NULL;
  if (!run (self,
            "UPDATE bounties SET status = 'cancelled', updated_at = ? WHERE id = ? AND status = "
            "'open'",
            error, 'i', now, 's', id, 0))
    return rollback (self), NULL;
  if (changes (self) == 0)
    return fail (self, error, BC_STORE_ERROR_CONFLICT, "Only an open bounty can be cancelled"),
           NULL;
  if (!run (self,
            "INSERT INTO ledger (bounty_id, phase, kind, user_id, points, created_at)"
            " VALUES (?, 'settle', 'refund', ?, ?, ?)",
            error, 's', id, 's', requester_id, 'i', reward, 'i', now, 0) ||
      !run (self, "UPDATE users SET points = points + ? WHERE id = ?", error, 'i', reward, 's',
            requester_id, 0) ||
      !commit (self, error))
    return rollback (self), NULL;
  return sqlite_get_bounty (store, id, error);
}

static BcSession *
sqlite_get_session (BcStore *store, const char *id, gboolean with_events, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  sqlite3_stmt *stmt = prepare (self, SESSION_SELECT "WHERE s.id = ?", error);
  g_autoptr (BcSession) session = NULL;

  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, id);
  if (!step_one (self, stmt, "session", error))
    return NULL;
  session = read_session (stmt);
  sqlite3_reset (stmt);
  if (with_events && !load_events (self, session, error))
    return NULL;
  return g_steal_pointer (&session);
}

static BcSession *
sqlite_accept_bounty (BcStore *store,
                      const char *bounty_id,
                      const char *streamer_id,
                      const char *session_id,
                      gint64 now,
                      GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *requester_id = NULL;
  g_autofree char *status = NULL;
  gint64 reward = 0;

  if (!begin (self, error))
    return NULL;
  if (!bounty_facts (self, bounty_id, &requester_id, &reward, &status, error))
    return rollback (self), NULL;
  if (g_strcmp0 (requester_id, streamer_id) == 0)
    return fail (self, error, BC_STORE_ERROR_CONFLICT, "You cannot accept your own bounty"), NULL;
  if (!run (self,
            "UPDATE bounties SET status = 'accepted', updated_at = ? WHERE id = ? AND status = "
            "'open'",
            error, 'i', now, 's', bounty_id, 0))
    return rollback (self), NULL;
  if (changes (self) == 0)
    return fail (self, error, BC_STORE_ERROR_CONFLICT, "This bounty is no longer open"), NULL;
  if (!run (self,
            "INSERT INTO sessions (id, bounty_id, streamer_id, requester_id, status, created_at,"
            " last_activity_at, room_name) VALUES (?1, ?2, ?3, ?4, 'pending', ?5, ?5, ?1)",
            error, 's', session_id, 's', bounty_id, 's', streamer_id, 's', requester_id, 'i', now,
            0) ||
      !commit (self, error))
    return rollback (self), NULL;
  return sqlite_get_session (store, session_id, TRUE, error);
}

static GPtrArray *
sqlite_list_sessions (BcStore *store, const char *user_id, guint limit, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autoptr (GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self,
                  SESSION_SELECT "WHERE s.id IN (SELECT id FROM sessions WHERE streamer_id = ?1"
                                 " UNION SELECT id FROM sessions WHERE requester_id = ?1)"
                                 " ORDER BY s.created_at DESC LIMIT ?2",
                  error);
  if (stmt == NULL)
    return NULL;
  bind_text (stmt, 1, user_id);
  sqlite3_bind_int64 (stmt, 2, limit);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_session_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (list, read_session (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  for (guint i = 0; i < list->len; i++)
    if (!load_events (self, g_ptr_array_index (list, i), error))
      return NULL;
  return g_steal_pointer (&list);
}

static gboolean
insert_webhook (
    BcSqliteStore *self, const char *webhook_id, const char *event, gint64 now, GError **error)
{
  if (!run (self, "INSERT OR IGNORE INTO webhook_events (id, event, received_at) VALUES (?, ?, ?)",
            error, 's', webhook_id, 's', event, 'i', now, 0))
    return FALSE;
  if (changes (self) == 0)
    {
      g_set_error_literal (error, BC_STORE_ERROR, BC_STORE_ERROR_DUPLICATE,
                           "This webhook event was handled before");
      return FALSE;
    }
  return TRUE;
}

static gboolean
sqlite_record_webhook (
    BcStore *store, const char *webhook_id, const char *event, gint64 now, GError **error)
{
  return insert_webhook (BC_SQLITE_STORE (store), webhook_id, event, now, error);
}

static BcStreamEvent *
sqlite_add_stream_event (BcStore *store,
                         const char *session_id,
                         const char *event_type,
                         const char *source,
                         const char *participant,
                         const char *webhook_id,
                         gint64 now,
                         GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *status = NULL;
  g_autofree char *stream_status = NULL;
  const char *new_status, *new_stream_status;
  BcStreamEvent *event;
  sqlite3_stmt *stmt;

  if (!begin (self, error))
    return NULL;
  if (webhook_id != NULL && !insert_webhook (self, webhook_id, event_type, now, error))
    return rollback (self), NULL;
  stmt = prepare (self, "SELECT status, stream_status FROM sessions WHERE id = ?", error);
  if (stmt == NULL)
    return rollback (self), NULL;
  bind_text (stmt, 1, session_id);
  if (!step_one (self, stmt, "session", error))
    return rollback (self), NULL;
  status = column_text (stmt, 0);
  stream_status = column_text (stmt, 1);
  sqlite3_reset (stmt);
  if (g_strcmp0 (status, "ended") == 0)
    return fail (self, error, BC_STORE_ERROR_CONFLICT, "The session has ended"), NULL;

  new_status = status;
  new_stream_status = stream_status;
  if (g_str_equal (event_type, "stream_started"))
    {
      /* LiveKit's track_published may arrive before the client says it started. */
      if (g_strcmp0 (stream_status, "active") != 0)
        new_stream_status = "started";
    }
  else if (g_str_equal (event_type, "stream_active"))
    {
      new_status = "live";
      new_stream_status = "active";
    }
  else if (g_str_equal (event_type, "stream_inactive"))
    {
      new_status = "pending";
      new_stream_status = "inactive";
    }

  if (!run (self,
            "UPDATE sessions SET status = ?, stream_status = ?, last_activity_at = ? WHERE id = ?",
            error, 's', new_status, 's', new_stream_status, 'i', now, 's', session_id, 0) ||
      !run (self,
            "INSERT INTO stream_events (session_id, event_type, source, participant, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            error, 's', session_id, 's', event_type, 's', source, 's', participant, 'i', now, 0))
    return rollback (self), NULL;

  event = g_new0 (BcStreamEvent, 1);
  event->id = sqlite3_last_insert_rowid (self->db);
  event->session_id = g_strdup (session_id);
  event->event_type = g_strdup (event_type);
  event->source = g_strdup (source);
  event->participant = g_strdup (participant);
  event->created_at = now;
  if (!commit (self, error))
    {
      bc_stream_event_free (event);
      return rollback (self), NULL;
    }
  return event;
}

static BcSession *
sqlite_settle_session (
    BcStore *store, const char *session_id, BcSettleOutcome outcome, gint64 now, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autofree char *bounty_id = NULL;
  g_autofree char *streamer_id = NULL;
  g_autofree char *requester_id = NULL;
  g_autofree char *status = NULL;
  g_autofree char *room_name = NULL;
  const char *outcome_name, *kind, *payee, *bounty_status, *event_type;
  g_autoptr (GError) local_error = NULL;
  gint64 reward;
  sqlite3_stmt *stmt;

  if (!begin (self, error))
    return NULL;
  stmt = prepare (self,
                  "SELECT s.status, s.bounty_id, s.streamer_id, s.requester_id, b.reward_points,"
                  " s.room_name FROM sessions s JOIN bounties b ON b.id = s.bounty_id"
                  " WHERE s.id = ?",
                  error);
  if (stmt == NULL)
    return rollback (self), NULL;
  bind_text (stmt, 1, session_id);
  if (!step_one (self, stmt, "session", error))
    return rollback (self), NULL;
  status = column_text (stmt, 0);
  bounty_id = column_text (stmt, 1);
  streamer_id = column_text (stmt, 2);
  requester_id = column_text (stmt, 3);
  reward = sqlite3_column_int64 (stmt, 4);
  room_name = column_text (stmt, 5);
  sqlite3_reset (stmt);
  if (g_strcmp0 (status, "ended") == 0)
    return fail (self, error, BC_STORE_ERROR_CONFLICT, "The session has ended already"), NULL;

  switch (outcome)
    {
    case BC_SETTLE_APPROVED:
      outcome_name = "approved";
      kind = "payout";
      payee = streamer_id;
      bounty_status = "completed";
      event_type = "stream_ended";
      break;
    case BC_SETTLE_REJECTED:
      outcome_name = "rejected";
      kind = "refund";
      payee = requester_id;
      bounty_status = "rejected";
      event_type = "stream_ended";
      break;
    case BC_SETTLE_TIMED_OUT:
    default:
      outcome_name = "timed_out";
      kind = "refund";
      payee = requester_id;
      bounty_status = "expired";
      event_type = "session_timeout";
      break;
    }

  if (!run (self,
            "UPDATE sessions SET status = 'ended', stream_status = 'ended', outcome = ?,"
            " ended_at = ?2, last_activity_at = ?2 WHERE id = ?3 AND status != 'ended'",
            error, 's', outcome_name, 'i', now, 's', session_id, 0))
    return rollback (self), NULL;
  if (changes (self) != 1)
    return fail (self, error, BC_STORE_ERROR_CONFLICT, "The session has ended already"), NULL;
  if (!run (self,
            "INSERT INTO ledger (bounty_id, phase, kind, user_id, points, created_at)"
            " VALUES (?, 'settle', ?, ?, ?, ?)",
            &local_error, 's', bounty_id, 's', kind, 's', payee, 'i', reward, 'i', now, 0))
    {
      if (g_error_matches (local_error, BC_STORE_ERROR, BC_STORE_ERROR_EXISTS))
        return fail (self, error, BC_STORE_ERROR_CONFLICT, "The points were settled already"), NULL;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return rollback (self), NULL;
    }
  if (!run (self, "UPDATE users SET points = points + ? WHERE id = ?", error, 'i', reward, 's',
            payee, 0) ||
      !run (self, "UPDATE bounties SET status = ?, updated_at = ? WHERE id = ?", error, 's',
            bounty_status, 'i', now, 's', bounty_id, 0) ||
      !run (self,
            "INSERT INTO stream_events (session_id, event_type, source, created_at)"
            " VALUES (?, ?, 'server', ?)",
            error, 's', session_id, 's', event_type, 'i', now, 0) ||
      !run (self, "INSERT OR IGNORE INTO room_deletions (room_name, next_attempt_at) VALUES (?, ?)",
            error, 's', room_name, 'i', now, 0) ||
      !commit (self, error))
    return rollback (self), NULL;
  return sqlite_get_session (store, session_id, TRUE, error);
}

static GPtrArray *
sqlite_list_idle_sessions (BcStore *store, gint64 idle_before, guint limit, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self,
                  "SELECT id FROM sessions WHERE status IN ('pending', 'live')"
                  " AND last_activity_at < ? ORDER BY last_activity_at LIMIT ?",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, idle_before);
  sqlite3_bind_int64 (stmt, 2, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ids, column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  return g_steal_pointer (&ids);
}

static gboolean
sqlite_prune (BcStore *store, gint64 before, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);

  if (!begin (self, error))
    return FALSE;
  if (!run (self, "DELETE FROM webhook_events WHERE received_at < ?", error, 'i', before, 0) ||
      !run (self, "DELETE FROM refresh_tokens WHERE expires_at < ?", error, 'i', before, 0) ||
      !commit (self, error))
    return rollback (self);
  return TRUE;
}

static GPtrArray *
sqlite_due_room_deletions (BcStore *store, gint64 now, guint limit, GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);
  g_autoptr (GPtrArray) list = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = prepare (self,
                  "SELECT room_name, attempts FROM room_deletions WHERE next_attempt_at <= ?"
                  " ORDER BY next_attempt_at LIMIT ?",
                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, now);
  sqlite3_bind_int64 (stmt, 2, limit);
  list = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_room_deletion_free);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      BcRoomDeletion *d = g_new0 (BcRoomDeletion, 1);

      d->room_name = column_text (stmt, 0);
      d->attempts = sqlite3_column_int (stmt, 1);
      g_ptr_array_add (list, d);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return db_error (self, error), NULL;
  return g_steal_pointer (&list);
}

static gboolean
sqlite_finish_room_deletion (BcStore *store,
                             const char *room_name,
                             gboolean done,
                             gint64 next_attempt_at,
                             const char *last_error,
                             GError **error)
{
  BcSqliteStore *self = BC_SQLITE_STORE (store);

  if (done)
    return run (self, "DELETE FROM room_deletions WHERE room_name = ?", error, 's', room_name, 0);
  return run (self,
              "UPDATE room_deletions SET attempts = attempts + 1, next_attempt_at = ?,"
              " last_error = ? WHERE room_name = ?",
              error, 'i', next_attempt_at, 's', last_error, 's', room_name, 0);
}

/* ---- GObject ---- */

static void
bc_sqlite_store_finalize (GObject *object)
{
  BcSqliteStore *self = BC_SQLITE_STORE (object);

  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      /* Folds the WAL back into the database so that a clean stop leaves one file. */
      sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL);
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  G_OBJECT_CLASS (bc_sqlite_store_parent_class)->finalize (object);
}

static void
bc_sqlite_store_class_init (BcSqliteStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = bc_sqlite_store_finalize;
}

static void
finalize_statement (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
bc_sqlite_store_init (BcSqliteStore *self)
{
  self->statements = g_hash_table_new_full (NULL, NULL, NULL, finalize_statement);
}

static void
bc_sqlite_store_iface_init (BcStoreInterface *iface)
{
  iface->create_user = sqlite_create_user;
  iface->get_user = sqlite_get_user;
  iface->create_login = sqlite_create_login;
  iface->rotate_refresh = sqlite_rotate_refresh;
  iface->find_login = sqlite_find_login;
  iface->revoke_login = sqlite_revoke_login;
  iface->login_is_active = sqlite_login_is_active;
  iface->create_bounty = sqlite_create_bounty;
  iface->list_bounties = sqlite_list_bounties;
  iface->get_bounty = sqlite_get_bounty;
  iface->cancel_bounty = sqlite_cancel_bounty;
  iface->accept_bounty = sqlite_accept_bounty;
  iface->get_session = sqlite_get_session;
  iface->list_sessions = sqlite_list_sessions;
  iface->add_stream_event = sqlite_add_stream_event;
  iface->record_webhook = sqlite_record_webhook;
  iface->settle_session = sqlite_settle_session;
  iface->list_idle_sessions = sqlite_list_idle_sessions;
  iface->prune = sqlite_prune;
  iface->due_room_deletions = sqlite_due_room_deletions;
  iface->finish_room_deletion = sqlite_finish_room_deletion;
}
