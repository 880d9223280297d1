/* Points conservation: a randomized concurrent workload (signups,
 * bounties, accepts, approvals, rejections, cancellations, cleanups with a
 * short session timeout) against the real bountycam-server, killed with
 * SIGKILL at random moments and restarted on the same database. After each
 * restart, read straight from the SQLite file:
 *   - the sum of balances and escrow equals the sum of grants;
 *   - every balance equals its grant plus its ledger rows;
 *   - every bounty has one escrow row, and one settle row exactly when it
 *     is settled, of the right kind and to the right person;
 *   - sessions and bounties agree;
 *   - everything the server answered 2xx for is there.
 *
 * Usage: test-reliability-points [--rounds N] [--ops N] (GTest options too).
 * The seed is GTest's (--seed), so a failing run can be repeated. */
#include "config.h"

#include "bc-test-server.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#define START       200
#define MAX_REWARD  25
#define IN_FLIGHT   12
#define FIRST_USERS 6

static guint n_rounds = 3;
static guint ops_per_round = 60;

typedef enum
{
  OP_SIGNUP,
  OP_CREATE,
  OP_ACCEPT,
  OP_APPROVE,
  OP_REJECT,
  OP_CANCEL,
  OP_CLEANUP,
  OP_READ,
  N_OPS
} OpKind;

static const char *const op_names[N_OPS] = {
  "signup", "create", "accept", "approve", "reject", "cancel", "cleanup", "read",
};

typedef struct
{
  char *id;
  char *token;
} User;

typedef enum
{
  B_OPEN,
  B_ACCEPTED,
  B_DONE,
} BountyState;

typedef struct
{
  char *id;
  guint requester;
  guint streamer;
  char *session;
  BountyState state;
} Bounty;

typedef struct
{
  GRand *rand;
  BcTestServer *s;
  char *dir;
  char *cleanup_key;
  GPtrArray *users;    /* User */
  GPtrArray *bounties; /* Bounty */
  GMainLoop *loop;
  guint in_flight;
  guint issued;
  guint answered;
  guint kill_after;
  gboolean killed;
  guint counts[N_OPS][6]; /* by status class: 0 lost, 2xx, 4xx, 409, 5xx, other */
  /* What the server confirmed, checked after every restart. */
  GHashTable *confirmed_users;    /* id → "" */
  GHashTable *confirmed_bounties; /* id → final status expected or "" */
  GHashTable *confirmed_sessions; /* id → outcome expected or "" */
  guint email_counter;
} Work;

typedef struct
{
  Work *w;
  OpKind kind;
  guint user;
  Bounty *bounty;
} Op;

static void
user_free (gpointer data)
{
  User *u = data;

  g_free (u->id);
  g_free (u->token);
  g_free (u);
}

static void
bounty_free (gpointer data)
{
  Bounty *b = data;

  g_free (b->id);
  g_free (b->session);
  g_free (b);
}

static JsonNode *
parse (GBytes *bytes)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  gsize len;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  if (data == NULL || len == 0 || !json_parser_load_from_data (parser, data, len, NULL))
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static void issue (Work *w);

static Bounty *
pick_bounty (Work *w, BountyState state)
{
  guint n = w->bounties->len;

  if (n == 0)
    return NULL;
  /* Look at a few random ones, then give up: the workload moves on. */
  for (guint tries = 0; tries < 8; tries++)
    {
      Bounty *b = g_ptr_array_index (w->bounties, g_rand_int_range (w->rand, 0, n));

      if (b->state == state)
        return b;
    }
  return NULL;
}

static guint
status_class (guint status)
{
  if (status == 0)
    return 0;
  if (status == 409)
    return 3;
  if (status >= 200 && status < 300)
    return 1;
  if (status >= 400 && status < 500)
    return 2;
  if (status >= 500)
    return 4;
  return 5;
}

static void
on_done (GObject *source, GAsyncResult *result, gpointer data)
{
  Op *op = data;
  Work *w = op->w;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) bytes =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);
  g_autoptr (JsonNode) answer = NULL;
  guint status = bytes ? soup_message_get_status (msg) : 0;

  w->in_flight--;
  w->counts[op->kind][status_class (status)]++;
  if (status == 0 && !w->killed)
    g_error ("%s got no answer from a server that was not killed", op_names[op->kind]);
  if (status >= 500)
    g_error ("%s answered %u", op_names[op->kind], status);
  if (status != 0)
    w->answered++;
  answer = parse (bytes);

  switch (op->kind)
    {
    case OP_SIGNUP:
      if (status == 201)
        {
          User *u = g_new0 (User, 1);

          u->id = g_strdup (bc_test_str (answer, "user.id"));
          u->token = g_strdup (bc_test_str (answer, "access_token"));
          g_ptr_array_add (w->users, u);
          g_hash_table_replace (w->confirmed_users, g_strdup (u->id), g_strdup (""));
        }
      else
        g_assert_true (status == 0);
      break;
    case OP_CREATE:
      if (status == 201)
        {
          Bounty *b = g_new0 (Bounty, 1);

          b->id = g_strdup (bc_test_str (answer, "id"));
          b->requester = op->user;
          g_ptr_array_add (w->bounties, b);
          g_hash_table_replace (w->confirmed_bounties, g_strdup (b->id), g_strdup (""));
        }
      else
        g_assert_true (status == 0 || status == 400); /* 400: over the balance */
      break;
    case OP_ACCEPT:
      if (status == 201)
        {
          op->bounty->state = B_ACCEPTED;
          op->bounty->streamer = op->user;
          g_free (op->bounty->session);
          op->bounty->session = g_strdup (bc_test_str (answer, "id"));
          g_hash_table_replace (w->confirmed_sessions, g_strdup (op->bounty->session),
                                g_strdup (""));
        }
      else if (status == 409)
        op->bounty->state = B_DONE; /* taken or cancelled meanwhile: forget it */
      else
        g_assert_true (status == 0 || status == 403);
      break;
    case OP_APPROVE:
    case OP_REJECT:
      if (status == 200)
        {
          const char *outcome = op->kind == OP_APPROVE ? "approved" : "rejected";

          g_assert_cmpstr (bc_test_str (answer, "outcome"), ==, outcome);
          g_hash_table_replace (w->confirmed_sessions, g_strdup (op->bounty->session),
                                g_strdup (outcome));
          g_hash_table_replace (w->confirmed_bounties, g_strdup (op->bounty->id),
                                g_strdup (op->kind == OP_APPROVE ? "completed" : "rejected"));
          op->bounty->state = B_DONE;
        }
      else if (status == 409)
        op->bounty->state = B_DONE; /* timed out, or settled by a duplicate */
      else
        g_assert_true (status == 0);
      break;
    case OP_CANCEL:
      if (status == 200)
        {
          g_hash_table_replace (w->confirmed_bounties, g_strdup (op->bounty->id),
                                g_strdup ("cancelled"));
          op->bounty->state = B_DONE;
        }
      else if (status == 409)
        ; /* accepted meanwhile */
      else
        g_assert_true (status == 0);
      break;
    case OP_CLEANUP:
    case OP_READ:
    case N_OPS:
    default:
      g_assert_true (status == 0 || status == 200);
      break;
    }

  if (!w->killed && w->answered >= w->kill_after && w->s->proc != NULL)
    {
      g_subprocess_send_signal (w->s->proc, SIGKILL);
      w->killed = TRUE;
    }
  g_free (op);
  if (!w->killed)
    issue (w);
  if (w->in_flight == 0)
    g_main_loop_quit (w->loop);
}

static void
send_op (Work *w, Op *op, const char *method, const char *path, const char *auth, const char *body)
{
  g_autofree char *url = g_strconcat (w->s->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);

  if (auth != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", auth, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  w->in_flight++;
  w->issued++;
  soup_session_send_and_read_async (w->s->session, msg, G_PRIORITY_DEFAULT, NULL, on_done, op);
}

static OpKind
pick_kind (Work *w)
{
  /* Weights in percent. */
  static const guint weights[N_OPS] = { 4, 30, 24, 12, 8, 10, 6, 6 };
  guint r = g_rand_int_range (w->rand, 0, 100);

  for (guint k = 0; k < N_OPS; k++)
    {
      if (r < weights[k])
        return k;
      r -= weights[k];
    }
  return OP_READ;
}

static void
issue (Work *w)
{
  while (w->in_flight < IN_FLIGHT && w->issued < w->kill_after + IN_FLIGHT * 4)
    {
      Op *op = g_new0 (Op, 1);
      User *u;
      g_autofree char *path = NULL;
      g_autofree char *body = NULL;

      op->w = w;
      op->kind = pick_kind (w);
      op->user = g_rand_int_range (w->rand, 0, w->users->len);
      u = g_ptr_array_index (w->users, op->user);
      switch (op->kind)
        {
        case OP_SIGNUP:
          w->email_counter++;
          body = g_strdup_printf ("{\"email\":\"p%u-%d@example.org\",\"password\":\"correct horse "
                                  "battery\",\"display_name\":\"P %u\"}",
                                  w->email_counter, (int) getpid (), w->email_counter);
          send_op (w, op, "POST", "/api/auth/signup", NULL, body);
          break;
        case OP_CREATE:
          body = g_strdup_printf ("{\"title\":\"Bounty %u\",\"description\":\"load\","
                                  "\"reward_points\":%d}",
                                  w->issued, g_rand_int_range (w->rand, 1, MAX_REWARD + 1));
          send_op (w, op, "POST", "/api/bounties", u->token, body);
          break;
        case OP_ACCEPT:
          op->bounty = pick_bounty (w, B_OPEN);
          if (op->bounty == NULL || op->bounty->requester == op->user)
            {
              op->kind = OP_READ;
              send_op (w, op, "GET", "/api/bounties", u->token, NULL);
              break;
            }
          path = g_strdup_printf ("/api/bounties/%s/accept", op->bounty->id);
          send_op (w, op, "POST", path, u->token, NULL);
          break;
        case OP_APPROVE:
        case OP_REJECT:
          op->bounty = pick_bounty (w, B_ACCEPTED);
          if (op->bounty == NULL)
            {
              op->kind = OP_READ;
              send_op (w, op, "GET", "/api/sessions", u->token, NULL);
              break;
            }
          op->user = op->bounty->requester;
          u = g_ptr_array_index (w->users, op->user);
          path = g_strdup_printf ("/api/sessions/%s/%s", op->bounty->session,
                                  op->kind == OP_APPROVE ? "approve" : "reject");
          send_op (w, op, "POST", path, u->token, NULL);
          break;
        case OP_CANCEL:
          op->bounty = pick_bounty (w, B_OPEN);
          if (op->bounty == NULL)
            {
              op->kind = OP_READ;
              send_op (w, op, "GET", "/api/me", u->token, NULL);
              break;
            }
          op->user = op->bounty->requester;
          u = g_ptr_array_index (w->users, op->user);
          path = g_strdup_printf ("/api/bounties/%s/cancel", op->bounty->id);
          send_op (w, op, "POST", path, u->token, NULL);
          break;
        case OP_CLEANUP:
          send_op (w, op, "POST", "/api/cleanup", w->cleanup_key, NULL);
          break;
        case OP_READ:
        case N_OPS:
        default:
          send_op (w, op, "GET", "/api/me", u->token, NULL);
          break;
        }
    }
}

/* ---- the checks, on the database file ---- */

static gint64
q_int (sqlite3 *db, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
q_text (sqlite3 *db, const char *sql, const char *param)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("%s: %s", sql, sqlite3_errmsg (db));
  sqlite3_bind_text (stmt, 1, param, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static void
check_zero (sqlite3 *db, const char *what, const char *sql)
{
  gint64 n = q_int (db, sql);

  if (n != 0)
    g_error ("%" G_GINT64_FORMAT " rows break: %s", n, what);
}

typedef struct
{
  gint64 users, balances, escrow, ledger_escrow, settled, bounties, sessions;
} Totals;

static Totals
check_database (Work *w)
{
  g_autofree char *path = g_build_filename (w->dir, "bountycam.db", NULL);
  sqlite3 *db = NULL;
  Totals t;
  GHashTableIter iter;
  gpointer key, value;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  /* One snapshot: the server's cleanup timer may be settling meanwhile. */
  g_assert_cmpint (sqlite3_exec (db, "BEGIN", NULL, NULL, NULL), ==, SQLITE_OK);

  t.users = q_int (db, "SELECT count(*) FROM users");
  t.balances = q_int (db, "SELECT coalesce(sum(points), 0) FROM users");
  t.escrow = q_int (db, "SELECT coalesce(sum(reward_points), 0) FROM bounties"
                        " WHERE status IN ('open', 'accepted')");
  t.ledger_escrow =
      q_int (db, "SELECT coalesce(sum(CASE phase WHEN 'escrow' THEN points ELSE -points END), 0)"
                 " FROM ledger");
  t.settled = q_int (db, "SELECT count(*) FROM ledger WHERE phase = 'settle'");
  t.bounties = q_int (db, "SELECT count(*) FROM bounties");
  t.sessions = q_int (db, "SELECT count(*) FROM sessions");

  /* Conservation: every user was granted START, and nothing else creates points. */
  g_assert_cmpint (q_int (db, "SELECT count(*) FROM users WHERE points < 0"), ==, 0);
  if (t.balances + t.escrow != t.users * START)
    g_error ("balances %" G_GINT64_FORMAT " + escrow %" G_GINT64_FORMAT
             " != grants %" G_GINT64_FORMAT,
             t.balances, t.escrow, t.users * START);
  g_assert_cmpint (t.ledger_escrow, ==, t.escrow);

  /* The ledger explains every balance. */
  check_zero (db, "balance = grant - escrowed + settled to the user",
              "SELECT count(*) FROM users u WHERE u.points != " G_STRINGIFY (
                  START) " - coalesce((SELECT sum(points) FROM ledger l WHERE l.user_id = u.id"
                         "             AND l.phase = 'escrow'), 0)"
                         " + coalesce((SELECT sum(points) FROM ledger l WHERE l.user_id = u.id"
                         "             AND l.phase = 'settle'), 0)");
  check_zero (db, "one escrow row per bounty, from its requester, of its reward",
              "SELECT count(*) FROM bounties b WHERE (SELECT count(*) FROM ledger l"
              " WHERE l.bounty_id = b.id AND l.phase = 'escrow' AND l.kind = 'escrow'"
              " AND l.user_id = b.requester_id AND l.points = b.reward_points) != 1");
  check_zero (db, "a settle row exactly for settled bounties",
              "SELECT count(*) FROM bounties b WHERE (b.status IN ('open', 'accepted'))"
              " = EXISTS (SELECT 1 FROM ledger l WHERE l.bounty_id = b.id AND l.phase = 'settle')");
  check_zero (db, "completed bounties paid their reward to the streamer",
              "SELECT count(*) FROM bounties b JOIN ledger l ON l.bounty_id = b.id"
              " AND l.phase = 'settle' LEFT JOIN sessions s ON s.bounty_id = b.id"
              " WHERE b.status = 'completed' AND (l.kind != 'payout' OR s.streamer_id IS NULL"
              " OR l.user_id != s.streamer_id OR l.points != b.reward_points)");
  check_zero (db, "other settled bounties refunded their requester",
              "SELECT count(*) FROM bounties b JOIN ledger l ON l.bounty_id = b.id"
              " AND l.phase = 'settle' WHERE b.status IN ('rejected', 'expired', 'cancelled')"
              " AND (l.kind != 'refund' OR l.user_id != b.requester_id"
              " OR l.points != b.reward_points)");
  check_zero (db, "ledger rows of unknown bounties",
              "SELECT count(*) FROM ledger l WHERE NOT EXISTS"
              " (SELECT 1 FROM bounties b WHERE b.id = l.bounty_id)");

  /* Sessions and bounties agree. */
  check_zero (db, "a session per accepted or ended bounty, none for open or cancelled ones",
              "SELECT count(*) FROM bounties b WHERE (b.status IN ('open', 'cancelled'))"
              " = EXISTS (SELECT 1 FROM sessions s WHERE s.bounty_id = b.id)");
  check_zero (db, "session status and outcome follow the bounty",
              "SELECT count(*) FROM sessions s JOIN bounties b ON b.id = s.bounty_id WHERE NOT ("
              " (b.status = 'accepted' AND s.status != 'ended' AND s.outcome IS NULL) OR"
              " (b.status = 'completed' AND s.status = 'ended' AND s.outcome = 'approved') OR"
              " (b.status = 'rejected' AND s.status = 'ended' AND s.outcome = 'rejected') OR"
              " (b.status = 'expired' AND s.status = 'ended' AND s.outcome = 'timed_out'))");
  check_zero (db, "the requester never streams their own bounty",
              "SELECT count(*) FROM sessions s WHERE s.streamer_id = s.requester_id");
  check_zero (db, "one end event per ended session",
              "SELECT count(*) FROM sessions s WHERE s.status = 'ended' AND (SELECT count(*)"
              " FROM stream_events e WHERE e.session_id = s.id AND e.event_type IN"
              " ('stream_ended', 'session_timeout')) != 1");

  /* Nothing the server confirmed is lost. */
  g_hash_table_iter_init (&iter, w->confirmed_users);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      g_autofree char *found = q_text (db, "SELECT id FROM users WHERE id = ?", key);

      if (found == NULL)
        g_error ("user %s was confirmed and is gone", (char *) key);
    }
  g_hash_table_iter_init (&iter, w->confirmed_bounties);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *status = q_text (db, "SELECT status FROM bounties WHERE id = ?", key);

      if (status == NULL)
        g_error ("bounty %s was confirmed and is gone", (char *) key);
      if (*(char *) value != '\0' && g_strcmp0 (status, value) != 0)
        g_error ("bounty %s was confirmed %s and is %s", (char *) key, (char *) value, status);
    }
  g_hash_table_iter_init (&iter, w->confirmed_sessions);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autofree char *outcome =
          q_text (db, "SELECT coalesce(outcome, '') FROM sessions WHERE id = ?", key);

      if (outcome == NULL)
        g_error ("session %s was confirmed and is gone", (char *) key);
      if (*(char *) value != '\0' && g_strcmp0 (outcome, value) != 0)
        g_error ("session %s was confirmed %s and is '%s'", (char *) key, (char *) value, outcome);
    }

  g_assert_cmpint (sqlite3_exec (db, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  return t;
}

static void
start_server (Work *w)
{
  const char *args[] = { "--starting-points",
                         G_STRINGIFY (START),
                         "--session-timeout",
                         "2",
                         "--cleanup-interval",
                         "1",
                         NULL };

  w->s = bc_test_server_start (w->dir, args);
  /* Signal handlers of a restarted server need a moment; nothing to wait for. */
}

static void
test_points_conservation (void)
{
  Work *w = g_new0 (Work, 1);
  g_autoptr (GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  w->rand = g_rand_new_with_seed (g_test_rand_int ());
  w->dir = g_dir_make_tmp ("bc-points-XXXXXX", &error);
  g_assert_no_error (error);
  w->users = g_ptr_array_new_with_free_func (user_free);
  w->bounties = g_ptr_array_new_with_free_func (bounty_free);
  w->confirmed_users = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  w->confirmed_bounties = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  w->confirmed_sessions = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  w->loop = g_main_loop_new (NULL, FALSE);

  start_server (w);
  w->cleanup_key = bc_test_server_secret (w->s, "cleanup_api_key");
  for (guint i = 0; i < FIRST_USERS; i++)
    {
      g_autoptr (BcTestUser) t = bc_test_signup (w->s, "points");
      User *u = g_new0 (User, 1);

      u->id = g_strdup (t->id);
      u->token = g_strdup (t->access_token);
      g_ptr_array_add (w->users, u);
      g_hash_table_replace (w->confirmed_users, g_strdup (u->id), g_strdup (""));
    }

  for (guint round = 0; round < n_rounds; round++)
    {
      Totals t;

      /* Run until a random number of answers, then SIGKILL with requests in flight. */
      w->issued = w->answered = 0;
      w->killed = FALSE;
      w->kill_after = g_rand_int_range (w->rand, ops_per_round / 2, ops_per_round * 3 / 2);
      issue (w);
      g_main_loop_run (w->loop);
      g_assert_true (w->killed);
      bc_test_server_kill (w->s);
      w->s->owns_dir = FALSE;
      bc_test_server_free (w->s);

      start_server (w);
      t = check_database (w);
      g_test_message ("round %u: killed after %u answers; %" G_GINT64_FORMAT
                      " users, %" G_GINT64_FORMAT " bounties, %" G_GINT64_FORMAT
                      " sessions, %" G_GINT64_FORMAT " settled, balances %" G_GINT64_FORMAT
                      " + escrow %" G_GINT64_FORMAT " = %" G_GINT64_FORMAT " x %d",
                      round, w->answered, t.users, t.bounties, t.sessions, t.settled, t.balances,
                      t.escrow, t.users, START);
    }

  /* After everything times out, no points are left in escrow for sessions. */
  {
    g_autoptr (JsonNode) answer = NULL;
    Totals t;

    g_usleep (2500 * 1000);
    g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/cleanup", w->cleanup_key, NULL, &answer),
                      ==, 200);
    t = check_database (w);
    g_test_message ("final: escrow %" G_GINT64_FORMAT " (open bounties only)", t.escrow);
  }

  for (guint k = 0; k < N_OPS; k++)
    g_test_message ("%-8s lost %4u  2xx %4u  4xx %4u  409 %4u", op_names[k], w->counts[k][0],
                    w->counts[k][1], w->counts[k][2], w->counts[k][3]);
  g_test_message ("%u rounds in %.1f s", n_rounds,
                  (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC);

  w->s->owns_dir = TRUE;
  bc_test_server_free (w->s);
  g_free (w->dir);
  g_free (w->cleanup_key);
  g_ptr_array_unref (w->users);
  g_ptr_array_unref (w->bounties);
  g_hash_table_unref (w->confirmed_users);
  g_hash_table_unref (w->confirmed_bounties);
  g_hash_table_unref (w->confirmed_sessions);
  g_main_loop_unref (w->loop);
  g_rand_free (w->rand);
  g_free (w);
}

int
main (int argc, char **argv)
{
  int out = 1;

  /* Our own options first; the rest is GTest's. */
  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--rounds") && i + 1 < argc)
        n_rounds = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else if (g_str_equal (argv[i], "--ops") && i + 1 < argc)
        ops_per_round = (guint) g_ascii_strtoull (argv[++i], NULL, 10);
      else
        argv[out++] = argv[i];
    }
  argv[out] = NULL;
  argc = out;
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reliability/points/conservation", test_points_conservation);
  return g_test_run ();
}
