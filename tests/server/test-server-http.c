/* HTTP tests against the real bountycam-server on an ephemeral loopback port. */
#include "config.h"

#include "bc-test-server.h"
#include "bc-jwt.h"
#include "bc-tokens.h"

#include <stdlib.h>
#include <string.h>

static const char *
error_code (JsonNode *answer)
{
  return bc_test_str (answer, "error.code");
}

static void
test_basics (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autofree char *huge = NULL;
  g_autofree char *huge_body = NULL;

  g_assert_cmpuint (bc_test_request (s, "GET", "/healthz", NULL, NULL, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "ok");
  g_clear_pointer (&answer, json_node_unref);

  /* 404 and 405 are JSON too. */
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/nope", NULL, NULL, &answer), ==, 404);
  g_assert_cmpstr (error_code (answer), ==, "not_found");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "GET", "/elsewhere", NULL, NULL, &answer), ==, 404);
  g_assert_cmpstr (error_code (answer), ==, "not_found");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request_full (s, "DELETE", "/api/auth/login", NULL, NULL, &answer, &headers), ==,
      405);
  g_assert_cmpstr (error_code (answer), ==, "method_not_allowed");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Allow"), ==, "POST");
  g_clear_pointer (&answer, json_node_unref);

  /* Bad bodies: not JSON, not an object, a field of the wrong type, too large. */
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/login", NULL, "{nope", &answer), ==,
                    400);
  g_assert_cmpstr (error_code (answer), ==, "invalid_json");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/login", NULL, "[1]", &answer), ==, 400);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/signup", NULL,
                                     "{\"email\":5,\"password\":\"x\",\"display_name\":\"x\"}",
                                     &answer),
                    ==, 400);
  g_assert_cmpstr (error_code (answer), ==, "invalid_field");
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "email"));
  g_clear_pointer (&answer, json_node_unref);
  huge = g_strnfill (200 * 1024, 'a');
  huge_body = g_strdup_printf ("{\"email\":\"%s\"}", huge);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/login", NULL, huge_body, &answer), ==,
                    413);
  g_assert_cmpstr (error_code (answer), ==, "body_too_large");
  g_clear_pointer (&answer, json_node_unref);

  /* Still serving after all that. */
  g_assert_cmpuint (bc_test_request (s, "GET", "/healthz", NULL, NULL, NULL), ==, 200);
  bc_test_server_free (s);
}

static void
test_accounts (void)
{
  const char *args[] = { "--starting-points", "250", NULL };
  BcTestServer *s = bc_test_server_start (NULL, args);
  g_autoptr (BcTestUser) al = bc_test_signup (s, "al");
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (SoupMessageHeaders) headers = NULL;
  g_autofree char *body = NULL;
  g_autofree char *refresh2 = NULL;
  g_autofree char *access2 = NULL;
  g_autofree char *wrong = NULL;
  g_autofree char *upper = NULL;

  /* The configured starting balance. */
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", al->access_token, NULL, &answer), ==,
                    200);
  g_assert_cmpstr (bc_test_str (answer, "id"), ==, al->id);
  g_assert_cmpstr (bc_test_str (answer, "email"), ==, al->email);
  g_assert_cmpstr (bc_test_str (answer, "display_name"), ==, "al");
  g_assert_cmpint (bc_test_int (answer, "points"), ==, 250);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", NULL, NULL, &answer), ==, 401);
  g_clear_pointer (&answer, json_node_unref);

  /* The same email again, in other case: taken. Invalid fields are named. */
  upper = g_ascii_strup (al->email, -1);
  body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"another password\","
                          "\"display_name\":\"Al 2\"}",
                          upper);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/signup", NULL, body, &answer), ==, 409);
  g_assert_cmpstr (error_code (answer), ==, "email_taken");
  g_clear_pointer (&answer, json_node_unref);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/signup", NULL,
                                     "{\"email\":\"x@example.org\",\"password\":\"short\","
                                     "\"display_name\":\"X\"}",
                                     &answer),
                    ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "password"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/signup", NULL,
                                     "{\"email\":\"x@example.org\",\"password\":\"long enough\"}",
                                     &answer),
                    ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "display_name"));
  g_clear_pointer (&answer, json_node_unref);

  /* Login. */
  body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse al\"}", upper);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/login", NULL, body, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "user.id"), ==, al->id);
  g_assert_cmpint (bc_test_int (answer, "expires_in"), ==, 900);
  g_clear_pointer (&answer, json_node_unref);
  g_clear_pointer (&body, g_free);

  /* Refresh rotates: the new pair works, the old refresh token is spent. */
  body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", al->refresh_token);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/refresh", NULL, body, &answer), ==, 200);
  refresh2 = g_strdup (bc_test_str (answer, "refresh_token"));
  access2 = g_strdup (bc_test_str (answer, "access_token"));
  g_assert_cmpstr (refresh2, !=, al->refresh_token);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", access2, NULL, NULL), ==, 200);

  /* Reusing the rotated token revokes the whole login: the new tokens die too. */
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/refresh", NULL, body, &answer), ==, 401);
  g_assert_cmpstr (error_code (answer), ==, "refresh_token_reused");
  g_clear_pointer (&answer, json_node_unref);
  g_clear_pointer (&body, g_free);
  body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", refresh2);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/refresh", NULL, body, NULL), ==, 401);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", access2, NULL, NULL), ==, 401);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", al->access_token, NULL, NULL), ==, 401);
  g_clear_pointer (&body, g_free);

  /* A fresh login, then logout ends it. */
  body = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse al\"}", al->email);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/login", NULL, body, &answer), ==, 200);
  g_clear_pointer (&access2, g_free);
  access2 = g_strdup (bc_test_str (answer, "access_token"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/logout", access2, NULL, NULL), ==, 204);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", access2, NULL, NULL), ==, 401);

  /* Wrong passwords: 401 until the limit, then 429 with Retry-After, even for
   * the right password. */
  wrong = g_strdup_printf ("{\"email\":\"%s\",\"password\":\"wrong password\"}", al->email);
  for (int i = 0; i < 5; i++)
    {
      g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/login", NULL, wrong, &answer), ==,
                        401);
      g_assert_cmpstr (error_code (answer), ==, "invalid_credentials");
      g_clear_pointer (&answer, json_node_unref);
    }
  g_assert_cmpuint (
      bc_test_request_full (s, "POST", "/api/auth/login", NULL, body, &answer, &headers), ==, 429);
  g_assert_cmpstr (error_code (answer), ==, "too_many_attempts");
  g_assert_cmpint (atoi (soup_message_headers_get_one (headers, "Retry-After")), >, 0);
  g_clear_pointer (&answer, json_node_unref);

  /* Unknown accounts answer like wrong passwords. */
  g_assert_cmpuint (
      bc_test_request (s, "POST", "/api/auth/login", NULL,
                       "{\"email\":\"nobody@example.org\",\"password\":\"whatever1\"}", &answer),
      ==, 401);
  g_assert_cmpstr (error_code (answer), ==, "invalid_credentials");
  g_clear_pointer (&answer, json_node_unref);

  bc_test_server_free (s);
}

static char *
replace_part (const char *token, int part, const char *replacement)
{
  g_auto (GStrv) parts = g_strsplit (token, ".", 3);

  g_free (parts[part]);
  parts[part] = g_strdup (replacement);
  return g_strjoinv (".", parts);
}

static void
test_token_kinds (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) al = bc_test_signup (s, "al");
  g_autofree char *jwt_secret = bc_test_server_secret (s, "jwt_secret");
  g_autofree char *lk_key = bc_test_server_secret (s, "livekit_api_key");
  g_autofree char *lk_secret = bc_test_server_secret (s, "livekit_api_secret");
  g_autoptr (JsonObject) claims = NULL;
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *forged = NULL;
  g_autofree char *expired = NULL;
  g_autofree char *other_key = NULL;
  g_autofree char *livekit = NULL;
  g_autofree char *body = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  claims = bc_jwt_peek_claims (al->access_token, NULL);
  g_assert_cmpstr (json_object_get_string_member (claims, "typ"), ==, "access");

  /* Forged: a payload for someone else with the original signature. */
  forged = replace_part (al->access_token, 1, "eyJzdWIiOiJzb21lb25lLWVsc2UifQ");
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", forged, NULL, &answer), ==, 401);
  g_assert_cmpstr (error_code (answer), ==, "invalid_token");
  g_clear_pointer (&answer, json_node_unref);

  /* Expired: minted with the real secret, an hour ago. */
  expired = bc_access_token_mint (jwt_secret, al->id, json_object_get_string_member (claims, "sid"),
                                  now - 3600, 900);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", expired, NULL, &answer), ==, 401);
  g_assert_cmpstr (error_code (answer), ==, "token_expired");
  g_clear_pointer (&answer, json_node_unref);

  /* Signed with another key. */
  other_key = bc_access_token_mint ("another secret that is long enough to use", al->id,
                                    json_object_get_string_member (claims, "sid"), now, 900);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", other_key, NULL, NULL), ==, 401);

  /* Tokens of the other kinds. */
  livekit = bc_livekit_token_mint (lk_key, lk_secret, al->id, "al", "room", "room",
                                   BC_ROLE_STREAMER, now, 600);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", livekit, NULL, NULL), ==, 401);
  g_clear_pointer (&livekit, g_free);
  /* Even a LiveKit-shaped token signed with the API's own secret. */
  livekit = bc_livekit_token_mint (lk_key, jwt_secret, al->id, "al", "room", "room",
                                   BC_ROLE_STREAMER, now, 600);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", livekit, NULL, NULL), ==, 401);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", al->refresh_token, NULL, NULL), ==, 401);
  body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", al->access_token);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/refresh", NULL, body, NULL), ==, 401);

  /* The real one still works. */
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/me", al->access_token, NULL, NULL), ==, 200);
  bc_test_server_free (s);
}

/* Without --dev, a missing or weak secret stops start-up naming the setting. */
static void
test_weak_secrets (void)
{
  struct
  {
    const char *secret;
    const char *cleanup;
    const char *jwt;
    const char *named;
  } cases[] = {
    { NULL, NULL, NULL, "LIVEKIT_API_SECRET" },
    { "short", NULL, NULL, "LIVEKIT_API_SECRET" },
    { "a-livekit-secret-that-is-long-enough-1", "short", NULL, "CLEANUP_API_KEY" },
    { "a-livekit-secret-that-is-long-enough-1", "a-cleanup-key-that-is-long-enough-12", NULL,
      "BOUNTYCAM_JWT_SECRET" },
  };
  g_autofree char *binary =
      g_build_filename (g_getenv ("BC_BUILD_ROOT"), "src", "server", "bountycam-server", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (
          G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
      g_autoptr (GSubprocess) proc = NULL;
      g_autoptr (GError) error = NULL;
      g_autofree char *out = NULL;
      g_autofree char *err = NULL;

      g_subprocess_launcher_unsetenv (launcher, "LIVEKIT_URL");
      g_subprocess_launcher_setenv (launcher, "LIVEKIT_API_KEY", "APIkey", TRUE);
      g_subprocess_launcher_setenv (launcher, "BOUNTYCAM_DATABASE", "/nonexistent/never.db", TRUE);
      if (cases[i].secret)
        g_subprocess_launcher_setenv (launcher, "LIVEKIT_API_SECRET", cases[i].secret, TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, "LIVEKIT_API_SECRET");
      if (cases[i].cleanup)
        g_subprocess_launcher_setenv (launcher, "CLEANUP_API_KEY", cases[i].cleanup, TRUE);
      else
        g_subprocess_launcher_unsetenv (launcher, "CLEANUP_API_KEY");
      g_subprocess_launcher_unsetenv (launcher, "BOUNTYCAM_JWT_SECRET");
      proc =
          g_subprocess_launcher_spawn (launcher, &error, binary, "--listen", "127.0.0.1:0", NULL);
      g_assert_no_error (error);
      g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, &err, &error);
      g_assert_no_error (error);
      g_assert_true (g_subprocess_get_if_exited (proc));
      g_assert_cmpint (g_subprocess_get_exit_status (proc), !=, 0);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, cases[i].named));
      /* The message never repeats a secret. */
      if (cases[i].secret)
        g_assert_null (strstr (err, cases[i].secret));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/http/basics", test_basics);
  g_test_add_func ("/server/http/accounts", test_accounts);
  g_test_add_func ("/server/http/token-kinds", test_token_kinds);
  g_test_add_func ("/server/http/weak-secrets", test_weak_secrets);
  return g_test_run ();
}
