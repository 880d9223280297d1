/* bc-routes-auth.c: signup, login, refresh, logout, me
 *
 * Hashing runs in bc-password's thread pool: the message is paused and
 * answered when the hash is ready. Failed logins are counted per email and
 * per client address; past the limit the answer is 429 with Retry-After.
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-server-private.h"
#include "bc-json.h"
#include "bc-password.h"

#include <string.h>

typedef struct
{
  guint count;
  gint64 window_start;
  gint64 locked_until;
} LoginFailures;

/* Answers with the tokens of a new login of @user. */
static void
reply_tokens (BcRequest *req, BcUser *user, const char *login_id, const char *refresh, guint status)
{
  BcServer *self = req->server;
  g_autoptr (JsonObject) root = json_object_new ();
  g_autofree char *access = NULL;

  access = bc_access_token_mint (self->config->jwt_secret, user->id, login_id, bc_now_ms () / 1000,
                                 self->config->access_token_ttl_s);
  json_object_set_object_member (root, "user", bc_json_me (user));
  json_object_set_string_member (root, "access_token", access);
  json_object_set_string_member (root, "refresh_token", refresh);
  json_object_set_string_member (root, "token_type", "Bearer");
  json_object_set_int_member (root, "expires_in", self->config->access_token_ttl_s);
  soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                "Cache-Control", "no-store");
  bc_reply_object (req, status, root);
}

static void
start_login (BcRequest *req, BcUser *user, guint status)
{
  BcServer *self = req->server;
  g_autofree char *refresh = bc_refresh_token_new ();
  g_autofree char *refresh_hash = bc_refresh_token_hash (refresh);
  g_autofree char *login_id = NULL;
  g_autoptr (GError) error = NULL;
  gint64 now = bc_now_ms ();

  login_id =
      bc_store_create_login (self->store, user->id, refresh_hash,
                             now + (gint64) self->config->refresh_token_ttl_s * 1000, now, &error);
  if (login_id == NULL)
    {
      bc_reply_gerror (req, error);
      return;
    }
  reply_tokens (req, user, login_id, refresh, status);
}

static char *
normalize_email (const char *email)
{
  g_autofree char *copy = g_strstrip (g_strdup (email));

  return g_ascii_strdown (copy, -1);
}

/* ---- signup ---- */

typedef struct
{
  BcRequest *req;
  char *email;
  char *display_name;
} Signup;

static void
signup_hashed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Signup *s = user_data;
  BcRequest *req = s->req;
  BcServer *self = req->server;
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = bc_password_hash_finish (result, &error);
  g_autoptr (BcUser) user = NULL;

  if (hash == NULL)
    bc_reply_gerror (req, error);
  else
    {
      user = bc_store_create_user (self->store, s->email, s->display_name, hash,
                                   self->config->starting_points, bc_now_ms (), &error);
      if (user == NULL)
        {
          if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_EXISTS))
            bc_reply_error (req, SOUP_STATUS_CONFLICT, "email_taken",
                            "An account with this email address exists already");
          else
            bc_reply_gerror (req, error);
        }
      else
        start_login (req, user, SOUP_STATUS_CREATED);
    }
  bc_request_resume (req);
  g_free (s->email);
  g_free (s->display_name);
  g_free (s);
}

void
bc_route_signup (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcUser) existing = NULL;
  const char *email, *password, *display_name;
  g_autofree char *normalized = NULL;
  Signup *s;

  if (!bc_request_parse_body (req))
    return;
  email = bc_json_get_string (req->body, "email", TRUE, &error);
  if (email == NULL || !bc_validate_email (email, &error))
    return bc_reply_gerror (req, error);
  password = bc_json_get_string (req->body, "password", TRUE, &error);
  if (password == NULL || !bc_validate_password (password, &error))
    return bc_reply_gerror (req, error);
  display_name = bc_json_get_string (req->body, "display_name", TRUE, &error);
  if (display_name == NULL || !bc_validate_display_name (display_name, &error))
    return bc_reply_gerror (req, error);

  normalized = normalize_email (email);
  existing = bc_store_get_user (req->server->store, NULL, normalized, NULL);
  if (existing != NULL)
    return bc_reply_error (req, SOUP_STATUS_CONFLICT, "email_taken",
                           "An account with this email address exists already");

  s = g_new0 (Signup, 1);
  s->req = g_steal_pointer (&owned);
  s->email = g_steal_pointer (&normalized);
  s->display_name = g_strstrip (g_strdup (display_name));
  bc_request_suspend (req);
  bc_password_hash_async (password, NULL, signup_hashed, s);
}

/* ---- login ---- */

static char *
client_key (BcRequest *req)
{
  GSocketAddress *addr = soup_server_message_get_remote_address (req->msg);

  if (G_IS_INET_SOCKET_ADDRESS (addr))
    {
      g_autofree char *ip = g_inet_address_to_string (
          g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (addr)));
      return g_strconcat ("ip:", ip, NULL);
    }
  return g_strdup ("ip:unknown");
}

static gint64
locked_for_ms (BcServer *self, const char *key, gint64 now)
{
  LoginFailures *f = g_hash_table_lookup (self->login_failures, key);

  if (f == NULL || f->locked_until <= now)
    return 0;
  return f->locked_until - now;
}

static void
record_failure (BcServer *self, const char *key, guint limit, gint64 now)
{
  LoginFailures *f = g_hash_table_lookup (self->login_failures, key);
  gint64 window = (gint64) self->config->login_lockout_s * 1000;

  if (f == NULL)
    {
      f = g_new0 (LoginFailures, 1);
      g_hash_table_insert (self->login_failures, g_strdup (key), f);
    }
  if (now - f->window_start > window)
    {
      f->window_start = now;
      f->count = 0;
    }
  if (++f->count >= limit)
    f->locked_until = now + window;
}

static void
forget_old_failures (BcServer *self, gint64 now)
{
  GHashTableIter iter;
  gpointer value;
  gint64 window = (gint64) self->config->login_lockout_s * 1000;

  /* Bounded memory: entries older than the window mean nothing any more. */
  if (g_hash_table_size (self->login_failures) < 10000)
    return;
  g_hash_table_iter_init (&iter, self->login_failures);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      LoginFailures *f = value;

      if (now - f->window_start > window && f->locked_until <= now)
        g_hash_table_iter_remove (&iter);
    }
}

typedef struct
{
  BcRequest *req;
  BcUser *user;
  char *email_key;
  char *ip_key;
} Login;

static void
login_verified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Login *l = user_data;
  BcRequest *req = l->req;
  BcServer *self = req->server;
  gint64 now = bc_now_ms ();

  if (bc_password_verify_finish (result) && l->user != NULL)
    {
      g_hash_table_remove (self->login_failures, l->email_key);
      start_login (req, l->user, SOUP_STATUS_OK);
    }
  else
    {
      forget_old_failures (self, now);
      record_failure (self, l->email_key, self->config->login_max_failures, now);
      /* Per address too, but generously: behind a proxy many people share one. */
      record_failure (self, l->ip_key, self->config->login_max_failures * 20, now);
      bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_credentials",
                      "The email address or password is wrong");
    }
  bc_request_resume (req);
  g_clear_pointer (&l->user, bc_user_free);
  g_free (l->email_key);
  g_free (l->ip_key);
  g_free (l);
}

void
bc_route_login (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  const char *email, *password;
  g_autofree char *normalized = NULL;
  g_autofree char *email_key = NULL;
  g_autofree char *ip_key = NULL;
  gint64 now = bc_now_ms ();
  gint64 wait_ms;
  Login *l;

  if (!bc_request_parse_body (req))
    return;
  email = bc_json_get_string (req->body, "email", TRUE, &error);
  if (email == NULL)
    return bc_reply_gerror (req, error);
  password = bc_json_get_string (req->body, "password", TRUE, &error);
  if (password == NULL)
    return bc_reply_gerror (req, error);
  if (strlen (password) > BC_PASSWORD_MAX_LEN)
    return bc_reply_error (req, SOUP_STATUS_BAD_REQUEST, "invalid_field",
                           "The field “password” must have at most 256 bytes");

  normalized = normalize_email (email);
  email_key = g_strconcat ("email:", normalized, NULL);
  ip_key = client_key (req);
  wait_ms = MAX (locked_for_ms (self, email_key, now), locked_for_ms (self, ip_key, now));
  if (wait_ms > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, (wait_ms + 999) / 1000);

      soup_message_headers_replace (soup_server_message_get_response_headers (req->msg),
                                    "Retry-After", seconds);
      return bc_reply_error (req, 429 /* Too Many Requests */, "too_many_attempts",
                             "Too many failed sign-ins; wait a few minutes and try again");
    }

  l = g_new0 (Login, 1);
  l->user = bc_store_get_user (self->store, NULL, normalized, NULL);
  l->email_key = g_steal_pointer (&email_key);
  l->ip_key = g_steal_pointer (&ip_key);
  l->req = g_steal_pointer (&owned);
  bc_request_suspend (req);
  bc_password_verify_async (l->user ? l->user->password_hash : NULL, password, NULL, login_verified,
                            l);
}

/* ---- refresh, logout, me ---- */

void
bc_route_refresh (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autofree char *old_hash = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *new_hash = NULL;
  g_autofree char *login_id = NULL;
  g_autofree char *user_id = NULL;
  g_autoptr (BcUser) user = NULL;
  const char *token;
  gint64 now = bc_now_ms ();

  if (!bc_request_parse_body (req))
    return;
  token = bc_json_get_string (req->body, "refresh_token", TRUE, &error);
  if (token == NULL)
    return bc_reply_gerror (req, error);
  old_hash = bc_refresh_token_hash (token);
  refresh = bc_refresh_token_new ();
  new_hash = bc_refresh_token_hash (refresh);
  if (!bc_store_rotate_refresh (self->store, old_hash, new_hash,
                                now + (gint64) self->config->refresh_token_ttl_s * 1000, now,
                                &login_id, &user_id, &error))
    {
      /* A reused token revoked some login we cannot name here. */
      if (g_error_matches (error, BC_STORE_ERROR, BC_STORE_ERROR_TOKEN_REUSED))
        bc_server_forget_login (self, NULL);
      return bc_reply_gerror (req, error);
    }
  user = bc_store_get_user (self->store, user_id, NULL, &error);
  if (user == NULL)
    return bc_reply_gerror (req, error);
  reply_tokens (req, user, login_id, refresh, SOUP_STATUS_OK);
}

void
bc_route_logout (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  BcServer *self = req->server;
  g_autofree char *login_id = NULL;

  if (bc_request_bearer (req) != NULL)
    {
      if (!bc_request_authenticate (req))
        return;
      login_id = g_strdup (req->login_id);
    }
  else
    {
      const char *token;
      g_autofree char *hash = NULL;

      if (!bc_request_parse_body (req))
        return;
      token = bc_json_get_string (req->body, "refresh_token", TRUE, &error);
      if (token == NULL)
        return bc_reply_gerror (req, error);
      hash = bc_refresh_token_hash (token);
      login_id = bc_store_find_login (self->store, hash, NULL);
      if (login_id == NULL)
        return bc_reply_error (req, SOUP_STATUS_UNAUTHORIZED, "invalid_refresh_token",
                               "The refresh token is not valid");
    }
  bc_server_forget_login (self, login_id);
  if (!bc_store_revoke_login (self->store, login_id, bc_now_ms (), &error))
    return bc_reply_gerror (req, error);
  bc_realtime_close_login (self->realtime, login_id);
  soup_server_message_set_status (req->msg, SOUP_STATUS_NO_CONTENT, NULL);
}

void
bc_route_me (BcRequest *req)
{
  g_autoptr (BcRequest) owned = req;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcUser) user = NULL;
  g_autoptr (JsonObject) me = NULL;

  if (!bc_request_authenticate (req))
    return;
  user = bc_store_get_user (req->server->store, req->user_id, NULL, &error);
  if (user == NULL)
    return bc_reply_gerror (req, error);
  me = bc_json_me (user);
  bc_reply_object (req, SOUP_STATUS_OK, me);
}
