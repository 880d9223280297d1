/* Unit tests of the server layer: passwords, validation, tokens, config, migrations. */
#include "config.h"

#include "bc-config.h"
#include "bc-core-error.h"
#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-password.h"
#include "bc-sqlite-store.h"
#include "bc-tokens.h"

#include <glib/gstdio.h>
#include <string.h>

#define SECRET "0123456789abcdef0123456789abcdef-secret"

static void
test_password_hash (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *hash = bc_password_hash ("correct horse battery", &error);
  g_autofree char *hash2 = bc_password_hash ("correct horse battery", &error);

  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (hash, "$argon2id$"));
  /* Salted: the same password never gives the same hash. */
  g_assert_cmpstr (hash, !=, hash2);
  g_assert_true (bc_password_verify (hash, "correct horse battery"));
  g_assert_false (bc_password_verify (hash, "correct horse batterz"));
  g_assert_false (bc_password_verify (hash, ""));
  g_assert_false (bc_password_verify (NULL, "correct horse battery"));
}

static void
on_hashed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  char **out = user_data;

  *out = bc_password_hash_finish (result, NULL);
}

static void
on_verified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  int *out = user_data;

  *out = bc_password_verify_finish (result) ? 1 : 0;
}

static void
test_password_async (void)
{
  g_autofree char *hash = NULL;
  int ok = -1, bad = -1;

  bc_password_hash_async ("a long enough password", NULL, on_hashed, &hash);
  while (hash == NULL)
    g_main_context_iteration (NULL, TRUE);
  bc_password_verify_async (hash, "a long enough password", NULL, on_verified, &ok);
  bc_password_verify_async (hash, "another password", NULL, on_verified, &bad);
  while (ok < 0 || bad < 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (ok, ==, 1);
  g_assert_cmpint (bad, ==, 0);
}

static void
assert_invalid (gboolean ok, GError *error, const char *field)
{
  g_autofree char *quoted = g_strdup_printf ("“%s”", field);

  g_assert_false (ok);
  g_assert_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_FIELD);
  g_assert_nonnull (strstr (error->message, quoted));
}

static void
test_validation (void)
{
  const char *bad_emails[] = { "",    "a",        "no-at-sign.org",  "@example.org", "a@",
                               "a@b", "a@@b.org", "a b@example.org", "a@example.",   "a@.org",
                               NULL };
  const char *good_emails[] = { "a@b.co", "first.last+tag@example.org", NULL };

  for (guint i = 0; bad_emails[i]; i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean ok = bc_validate_email (bad_emails[i], &error);
      assert_invalid (ok, error, "email");
    }
  for (guint i = 0; good_emails[i]; i++)
    g_assert_true (bc_validate_email (good_emails[i], NULL));

  {
    g_autoptr (GError) error = NULL;
    gboolean ok = bc_validate_password ("short", &error);
    assert_invalid (ok, error, "password");
  }
  {
    g_autoptr (GError) error = NULL;
    g_autofree char *huge = g_strnfill (300, 'x');
    gboolean ok = bc_validate_password (huge, &error);
    assert_invalid (ok, error, "password");
  }
  {
    g_autoptr (GError) error = NULL;
    gboolean ok = bc_validate_password ("\xff\xfe invalid utf8", &error);
    assert_invalid (ok, error, "password");
  }
  g_assert_true (bc_validate_password ("eight ch", NULL));
  g_assert_true (bc_validate_password ("pässwörd-ünïcode", NULL));
  {
    g_autoptr (GError) error = NULL;
    gboolean ok = bc_validate_display_name ("   ", &error);
    assert_invalid (ok, error, "display_name");
  }
  {
    g_autoptr (GError) error = NULL;
    gboolean ok = bc_validate_display_name ("bell\a", &error);
    assert_invalid (ok, error, "display_name");
  }
  {
    g_autoptr (GError) error = NULL;
    gboolean ok = bc_validate_display_name (NULL, &error);
    assert_invalid (ok, error, "display_name");
  }
  g_assert_true (bc_validate_display_name ("Zoë", NULL));
}

static void
test_access_token (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *token = bc_access_token_mint (SECRET, "user-1", "login-1", 1000, 900);
  g_autofree char *user_id = NULL;
  g_autofree char *login_id = NULL;
  g_autofree char *livekit = NULL;

  g_assert_true (bc_access_token_verify (SECRET, token, 1100, &user_id, &login_id, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (user_id, ==, "user-1");
  g_assert_cmpstr (login_id, ==, "login-1");

  /* Expired (past the leeway). */
  g_assert_false (
      bc_access_token_verify (SECRET, token, 1000 + 900 + 31, NULL, NULL, NULL, &error));
  g_assert_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_EXPIRED);
  g_clear_error (&error);

  /* Another secret. */
  g_assert_false (bc_access_token_verify (SECRET "x", token, 1100, NULL, NULL, NULL, &error));
  g_assert_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_SIGNATURE);
  g_clear_error (&error);

  /* A LiveKit token signed with the same secret is still not an access token. */
  livekit = bc_livekit_token_mint ("key", SECRET, "user-1", "Al", "room", "room", BC_ROLE_STREAMER,
                                   1000, 600);
  g_assert_false (bc_access_token_verify (SECRET, livekit, 1100, NULL, NULL, NULL, &error));
  g_assert_error (error, BC_CORE_ERROR, BC_CORE_ERROR_TOKEN_CLAIMS);
}

static void
test_livekit_token (void)
{
  g_autofree char *streamer = bc_livekit_token_mint ("APIkey", SECRET, "u-1", "Sam", "room-1",
                                                     "room-1", BC_ROLE_STREAMER, 1000, 3600);
  g_autofree char *requester = bc_livekit_token_mint ("APIkey", SECRET, "u-2", "Ria", "room-1",
                                                      "room-1", BC_ROLE_REQUESTER, 1000, 3600);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) s = NULL;
  g_autoptr (JsonObject) r = NULL;
  g_autoptr (JsonObject) metadata = NULL;
  JsonObject *video;
  JsonArray *sources;

  s = bc_jwt_verify_hs256 (streamer, (const guint8 *) SECRET, strlen (SECRET), 1000, 60,
                           BC_JWT_VERIFY_REQUIRE_EXP, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (s, "iss"), ==, "APIkey");
  g_assert_cmpstr (json_object_get_string_member (s, "sub"), ==, "u-1");
  g_assert_cmpstr (json_object_get_string_member (s, "name"), ==, "Sam");
  g_assert_cmpint (json_object_get_int_member (s, "nbf"), ==, 1000);
  g_assert_cmpint (json_object_get_int_member (s, "exp"), ==, 4600);
  video = json_object_get_object_member (s, "video");
  g_assert_true (json_object_get_boolean_member (video, "roomJoin"));
  g_assert_cmpstr (json_object_get_string_member (video, "room"), ==, "room-1");
  g_assert_true (json_object_get_boolean_member (video, "canPublish"));
  g_assert_false (json_object_get_boolean_member (video, "canSubscribe"));
  sources = json_object_get_array_member (video, "canPublishSources");
  g_assert_cmpuint (json_array_get_length (sources), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (sources, 0), ==, "camera");
  g_assert_cmpstr (json_array_get_string_element (sources, 1), ==, "microphone");
  metadata = bc_json_parse_object (json_object_get_string_member (s, "metadata"), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (metadata, "role"), ==, "streamer");

  r = bc_jwt_verify_hs256 (requester, (const guint8 *) SECRET, strlen (SECRET), 1000, 60,
                           BC_JWT_VERIFY_REQUIRE_EXP, &error);
  g_assert_no_error (error);
  video = json_object_get_object_member (r, "video");
  g_assert_false (json_object_get_boolean_member (video, "canPublish"));
  g_assert_true (json_object_get_boolean_member (video, "canSubscribe"));
  g_assert_false (json_object_has_member (video, "canPublishSources"));
}

/* Names and ids with characters JSON must escape survive the token. */
static void
test_livekit_token_escaping (void)
{
  const char *name = "Zoë \"the\" \\ streamer\n\t\x01 🎥";
  g_autofree char *token = bc_livekit_token_mint ("API\"key", SECRET, "id\\1", name, "room\"1",
                                                  "session\"1", BC_ROLE_REQUESTER, 1000, 60);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (JsonObject) metadata = NULL;

  claims = bc_jwt_verify_hs256 (token, (const guint8 *) SECRET, strlen (SECRET), 1000, 60,
                                BC_JWT_VERIFY_REQUIRE_EXP, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (claims, "name"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, "API\"key");
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, "id\\1");
  g_assert_cmpstr (
      json_object_get_string_member (json_object_get_object_member (claims, "video"), "room"), ==,
      "room\"1");
  metadata = bc_json_parse_object (json_object_get_string_member (claims, "metadata"), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (metadata, "session_id"), ==, "session\"1");
  g_assert_cmpstr (json_object_get_string_member (metadata, "role"), ==, "requester");
}

static void
test_webhook_signature (void)
{
  const char *body = "{\"event\":\"room_started\",\"id\":\"EV_1\"}";
  g_autofree char *auth = bc_livekit_webhook_sign ("APIkey", SECRET, body, strlen (body), 1000);
  g_autofree char *bearer = g_strconcat ("Bearer ", auth, NULL);
  g_autoptr (GError) error = NULL;

  g_assert_true (
      bc_livekit_webhook_verify ("APIkey", SECRET, auth, body, strlen (body), 1010, &error));
  g_assert_no_error (error);
  g_assert_true (
      bc_livekit_webhook_verify ("APIkey", SECRET, bearer, body, strlen (body), 1010, NULL));
  /* Changed body, other key, other secret, no header. */
  g_assert_false (
      bc_livekit_webhook_verify ("APIkey", SECRET, auth, "{\"event\":\"x\"}", 13, 1010, NULL));
  g_assert_false (
      bc_livekit_webhook_verify ("APIother", SECRET, auth, body, strlen (body), 1010, NULL));
  g_assert_false (
      bc_livekit_webhook_verify ("APIkey", SECRET "x", auth, body, strlen (body), 1010, NULL));
  g_assert_false (
      bc_livekit_webhook_verify ("APIkey", SECRET, NULL, body, strlen (body), 1010, NULL));
}

static void
test_refresh_token (void)
{
  g_autofree char *a = bc_refresh_token_new ();
  g_autofree char *b = bc_refresh_token_new ();
  g_autofree char *hash = bc_refresh_token_hash (a);

  g_assert_cmpuint (strlen (a), ==, 43); /* 256 bits in base64url */
  g_assert_cmpstr (a, !=, b);
  g_assert_cmpuint (strlen (hash), ==, 64);
  g_assert_null (strstr (hash, a));
}

static void
test_config_secrets (void)
{
  g_autoptr (BcConfig) config = bc_config_new_defaults ();
  g_autoptr (GError) error = NULL;

  config->database_path = g_strdup ("/tmp/x.db");
  config->livekit_api_key = g_strdup ("APIkey");
  config->livekit_api_secret = g_strdup (SECRET);
  config->cleanup_api_key = g_strdup ("weak");
  config->jwt_secret = g_strdup (SECRET);
  g_assert_false (bc_config_validate (config, &error));
  g_assert_nonnull (strstr (error->message, "CLEANUP_API_KEY"));
  g_clear_error (&error);

  g_free (config->cleanup_api_key);
  config->cleanup_api_key = g_strdup (SECRET);
  g_clear_pointer (&config->livekit_api_secret, g_free);
  g_assert_false (bc_config_validate (config, &error));
  g_assert_nonnull (strstr (error->message, "LIVEKIT_API_SECRET"));
  g_clear_error (&error);

  config->livekit_api_secret = g_strdup (SECRET);
  g_assert_true (bc_config_validate (config, &error));
  g_assert_no_error (error);

  config->dev = TRUE;
  g_free (config->listen_host);
  config->listen_host = g_strdup ("0.0.0.0");
  g_assert_false (bc_config_validate (config, &error));
  g_assert_nonnull (strstr (error->message, "loopback"));
}

static void
test_migrations (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bc-unit-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "db.sqlite", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);

  for (int round = 0; round < 2; round++)
    {
      /* The second open finds everything applied and changes nothing. */
      g_autoptr (BcSqliteStore) store = bc_sqlite_store_open (path, &error);
      g_autoptr (GArray) versions = NULL;

      g_assert_no_error (error);
      versions = bc_sqlite_store_applied_migrations (store, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (versions->len, ==, 2);
      g_assert_cmpint (g_array_index (versions, gint64, 0), ==, 1);
      g_assert_cmpint (g_array_index (versions, gint64, 1), ==, 2);
    }
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (dir);
}

/* Every data/migrations/NNNN_name.sql is built into the server, numbered
 * without gaps, so that a new migration cannot be forgotten in the resource
 * list. */
static void
test_migrations_embedded (void)
{
  g_autofree char *src = g_build_filename (g_getenv ("BC_SOURCE_ROOT"), "data", "migrations", NULL);
  g_autoptr (GDir) dir = g_dir_open (src, 0, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("bc-unit-XXXXXX", &error);
  g_autofree char *path = g_build_filename (tmp, "db.sqlite", NULL);
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (path, "-shm", NULL);
  g_autoptr (BcSqliteStore) store = NULL;
  g_autoptr (GArray) versions = NULL;
  const char *name;
  guint n_files = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".sql"))
      {
        g_assert_true (g_ascii_isdigit (name[0]) && name[4] == '_');
        n_files++;
      }
  store = bc_sqlite_store_open (path, &error);
  g_assert_no_error (error);
  versions = bc_sqlite_store_applied_migrations (store, &error);
  g_assert_cmpuint (versions->len, ==, n_files);
  for (guint i = 0; i < versions->len; i++)
    g_assert_cmpint (g_array_index (versions, gint64, i), ==, i + 1);
  g_clear_object (&store);
  g_unlink (path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (tmp);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/password/hash", test_password_hash);
  g_test_add_func ("/server/password/async", test_password_async);
  g_test_add_func ("/server/validation", test_validation);
  g_test_add_func ("/server/tokens/access", test_access_token);
  g_test_add_func ("/server/tokens/livekit", test_livekit_token);
  g_test_add_func ("/server/tokens/livekit-escaping", test_livekit_token_escaping);
  g_test_add_func ("/server/tokens/webhook", test_webhook_signature);
  g_test_add_func ("/server/tokens/refresh", test_refresh_token);
  g_test_add_func ("/server/config/secrets", test_config_secrets);
  g_test_add_func ("/server/migrations", test_migrations);
  g_test_add_func ("/server/migrations-embedded", test_migrations_embedded);
  return g_test_run ();
}
