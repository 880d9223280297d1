/* The bounty flow over HTTP: the spec's test plan, permissions, concurrency,
 * webhooks, cleanup and realtime, against the real server. */
#include "config.h"

#include "bc-test-server.h"
#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-tokens.h"

#include <sqlite3.h>
#include <string.h>

static const char *
error_code (JsonNode *answer)
{
  return bc_test_str (answer, "error.code");
}

static char *
create_bounty (BcTestServer *s, BcTestUser *user, gint64 reward)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body =
      g_strdup_printf ("{\"title\":\"Sunset at Pier 39\",\"description\":\"Show me the sea lions\","
                       "\"reward_points\":%" G_GINT64_FORMAT "}",
                       reward);

  g_assert_cmpuint (bc_test_request (s, "POST", "/api/bounties", user->access_token, body, &answer),
                    ==, 201);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "open");
  g_assert_cmpint (bc_test_int (answer, "reward_points"), ==, reward);
  g_assert_cmpstr (bc_test_str (answer, "requester.id"), ==, user->id);
  return g_strdup (bc_test_str (answer, "id"));
}

static char *
accept_bounty (BcTestServer *s, BcTestUser *user, const char *bounty_id)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *path = g_strdup_printf ("/api/bounties/%s/accept", bounty_id);

  g_assert_cmpuint (bc_test_request (s, "POST", path, user->access_token, NULL, &answer), ==, 201);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "pending");
  g_assert_cmpstr (bc_test_str (answer, "room"), ==, bc_test_str (answer, "id"));
  g_assert_cmpstr (bc_test_str (answer, "streamer.id"), ==, user->id);
  return g_strdup (bc_test_str (answer, "id"));
}

/* Asks for a LiveKit token and checks it with the LiveKit secret. */
static JsonObject *
livekit_token (BcTestServer *s, BcTestUser *user, const char *session_id, const char *role)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body = g_strdup_printf ("{\"session_id\":\"%s\"}", session_id);
  g_autofree char *secret = bc_test_server_secret (s, "livekit_api_secret");
  g_autofree char *key = bc_test_server_secret (s, "livekit_api_key");
  g_autoptr (GError) error = NULL;
  JsonObject *claims;

  g_assert_cmpuint (
      bc_test_request (s, "POST", "/api/livekit/token", user->access_token, body, &answer), ==,
      200);
  g_assert_cmpstr (bc_test_str (answer, "room"), ==, session_id);
  g_assert_cmpstr (bc_test_str (answer, "identity"), ==, user->id);
  g_assert_cmpstr (bc_test_str (answer, "role"), ==, role);
  g_assert_true (g_str_has_prefix (bc_test_str (answer, "url"), "ws://127.0.0.1:"));
  g_assert_cmpint (
      json_node_get_boolean (json_object_get_member (json_node_get_object (answer), "can_publish")),
      ==, g_str_equal (role, "streamer"));
  claims = bc_jwt_verify_hs256 (bc_test_str (answer, "token"), (const guint8 *) secret,
                                strlen (secret), g_get_real_time () / G_USEC_PER_SEC, 60,
                                BC_JWT_VERIFY_REQUIRE_EXP, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (claims, "iss"), ==, key);
  g_assert_cmpstr (json_object_get_string_member (claims, "sub"), ==, user->id);
  g_assert_true (json_object_has_member (claims, "nbf"));
  g_assert_true (json_object_has_member (claims, "name"));
  return claims;
}

static guint
post_webhook (
    BcTestServer *s, const char *body, const char *key, const char *secret, JsonNode **out)
{
  g_autofree char *auth = bc_livekit_webhook_sign (key, secret, body, strlen (body),
                                                   g_get_real_time () / G_USEC_PER_SEC);

  return bc_test_request_full (s, "POST", "/api/livekit/webhook", auth, body, out, NULL);
}

static char *
webhook_body (const char *event, const char *id, const char *room, const char *identity)
{
  return g_strdup_printf ("{\"event\":\"%s\",\"id\":\"%s\",\"createdAt\":\"%" G_GINT64_FORMAT
                          "\",\"room\":{\"sid\":\"RM_x\",\"name\":\"%s\"},"
                          "\"participant\":{\"sid\":\"PA_x\",\"identity\":\"%s\"},"
                          "\"track\":{\"sid\":\"TR_x\",\"type\":\"VIDEO\",\"source\":\"CAMERA\"}}",
                          event, id, g_get_real_time () / G_USEC_PER_SEC, room, identity);
}

static JsonArray *
session_events (BcTestServer *s, BcTestUser *user, const char *session_id, JsonNode **keep)
{
  g_autofree char *path = g_strdup_printf ("/api/sessions/%s", session_id);

  g_assert_cmpuint (bc_test_request (s, "GET", path, user->access_token, NULL, keep), ==, 200);
  return json_object_get_array_member (json_node_get_object (*keep), "events");
}

static const char *
event_type (JsonArray *events, guint i)
{
  return json_object_get_string_member (json_array_get_object_element (events, i), "type");
}

/* The spec's test plan: two accounts, a bounty, accept, one token per role,
 * streaming events, approve, balances. */
static void
test_spec_flow (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autofree char *key = bc_test_server_secret (s, "livekit_api_key");
  g_autofree char *secret = bc_test_server_secret (s, "livekit_api_secret");
  g_autoptr (JsonNode) answer = NULL;
  g_autoptr (JsonObject) sc = NULL;
  g_autoptr (JsonObject) rc = NULL;
  g_autofree char *bounty_id = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *path = NULL;
  g_autofree char *hook = NULL;
  g_autofree char *token_body = NULL;
  JsonObject *video;
  JsonArray *events, *list;

  bounty_id = create_bounty (s, a, 50);
  g_assert_cmpint (bc_test_points (s, a), ==, 50); /* escrowed */

  /* B sees it among the open bounties; A does not (it is A's own) but sees it as "mine". */
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/bounties", b->access_token, NULL, &answer), ==,
                    200);
  list = json_object_get_array_member (json_node_get_object (answer), "bounties");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request (s, "GET", "/api/bounties?filter=open", a->access_token, NULL, &answer), ==,
      200);
  list = json_object_get_array_member (json_node_get_object (answer), "bounties");
  g_assert_cmpuint (json_array_get_length (list), ==, 0);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request (s, "GET", "/api/bounties?filter=mine", a->access_token, NULL, &answer), ==,
      200);
  list = json_object_get_array_member (json_node_get_object (answer), "bounties");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request (s, "GET", "/api/bounties?mine=1", a->access_token, NULL, &answer), ==, 200);
  list = json_object_get_array_member (json_node_get_object (answer), "bounties");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_clear_pointer (&answer, json_node_unref);

  /* A cannot accept their own bounty; B accepts; it is gone from the open list. */
  path = g_strdup_printf ("/api/bounties/%s/accept", bounty_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 403);
  session_id = accept_bounty (s, b, bounty_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, b->access_token, NULL, NULL), ==, 409);
  g_clear_pointer (&path, g_free);

  /* One token per role, with the right grants. */
  sc = livekit_token (s, b, session_id, "streamer");
  video = json_object_get_object_member (sc, "video");
  g_assert_true (json_object_get_boolean_member (video, "roomJoin"));
  g_assert_cmpstr (json_object_get_string_member (video, "room"), ==, session_id);
  g_assert_true (json_object_get_boolean_member (video, "canPublish"));
  g_assert_false (json_object_get_boolean_member (video, "canSubscribe"));
  g_assert_cmpuint (
      json_array_get_length (json_object_get_array_member (video, "canPublishSources")), ==, 2);
  g_assert_nonnull (strstr (json_object_get_string_member (sc, "metadata"), "streamer"));
  rc = livekit_token (s, a, session_id, "requester");
  video = json_object_get_object_member (rc, "video");
  g_assert_false (json_object_get_boolean_member (video, "canPublish"));
  g_assert_true (json_object_get_boolean_member (video, "canSubscribe"));
  g_assert_nonnull (strstr (json_object_get_string_member (rc, "metadata"), "requester"));

  /* Start Streaming: the client says so, LiveKit confirms the track. */
  path = g_strdup_printf ("/api/sessions/%s/events", session_id);
  g_assert_cmpuint (
      bc_test_request (s, "POST", path, a->access_token, "{\"type\":\"stream_started\"}", NULL), ==,
      403);
  g_assert_cmpuint (
      bc_test_request (s, "POST", path, b->access_token, "{\"type\":\"session_timeout\"}", &answer),
      ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "type"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request (s, "POST", path, b->access_token, "{\"type\":\"stream_started\"}", &answer),
      ==, 201);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "pending");
  g_clear_pointer (&answer, json_node_unref);
  hook = webhook_body ("track_published", "EV_flow_1", session_id, b->id);
  g_assert_cmpuint (post_webhook (s, hook, key, secret, NULL), ==, 200);
  events = session_events (s, a, session_id, &answer);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "live");
  g_assert_cmpstr (bc_test_str (answer, "stream_status"), ==, "active");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  g_assert_cmpstr (event_type (events, 0), ==, "stream_started");
  g_assert_cmpstr (event_type (events, 1), ==, "stream_active");
  g_clear_pointer (&answer, json_node_unref);

  /* Only the requester approves; then the points move once. */
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/sessions/%s/approve", session_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, b->access_token, NULL, NULL), ==, 403);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "ended");
  g_assert_cmpstr (bc_test_str (answer, "outcome"), ==, "approved");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, &answer), ==, 409);
  g_assert_cmpstr (error_code (answer), ==, "session_ended");
  g_clear_pointer (&answer, json_node_unref);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/sessions/%s/reject", session_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 409);

  g_assert_cmpint (bc_test_points (s, a), ==, 50);
  g_assert_cmpint (bc_test_points (s, b), ==, 150);
  events = session_events (s, b, session_id, &answer);
  g_assert_cmpuint (json_array_get_length (events), ==, 3);
  g_assert_cmpstr (event_type (events, 2), ==, "stream_ended");
  g_clear_pointer (&answer, json_node_unref);

  /* No tokens for an ended session; the bounty is completed. */
  token_body = g_strdup_printf ("{\"session_id\":\"%s\"}", session_id);
  g_assert_cmpuint (
      bc_test_request (s, "POST", "/api/livekit/token", b->access_token, token_body, &answer), ==,
      409);
  g_clear_pointer (&answer, json_node_unref);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/bounties/%s", bounty_id);
  g_assert_cmpuint (bc_test_request (s, "GET", path, b->access_token, NULL, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "completed");
  g_clear_pointer (&answer, json_node_unref);

  /* Both see the session in their list. */
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/sessions", a->access_token, NULL, &answer), ==,
                    200);
  list = json_object_get_array_member (json_node_get_object (answer), "sessions");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_clear_pointer (&answer, json_node_unref);

  bc_test_server_free (s);
}

static void
test_reject_and_cancel (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *bounty1 = create_bounty (s, a, 30);
  g_autofree char *bounty2 = create_bounty (s, a, 20);
  g_autofree char *session_id = NULL;
  g_autofree char *path = NULL;

  g_assert_cmpint (bc_test_points (s, a), ==, 50);
  /* Reward over the balance: a validation error naming the field. */
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/bounties", a->access_token,
                                     "{\"title\":\"t\",\"description\":\"d\",\"reward_points\":51}",
                                     &answer),
                    ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "reward_points"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/bounties", a->access_token,
                                     "{\"title\":\"\",\"description\":\"d\",\"reward_points\":5}",
                                     &answer),
                    ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "title"));
  g_clear_pointer (&answer, json_node_unref);

  /* Cancel returns the escrow; only the requester, only while open. */
  path = g_strdup_printf ("/api/bounties/%s/cancel", bounty2);
  g_assert_cmpuint (bc_test_request (s, "POST", path, b->access_token, NULL, NULL), ==, 403);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "cancelled");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 409);
  g_assert_cmpint (bc_test_points (s, a), ==, 70);
  g_clear_pointer (&path, g_free);

  /* Reject returns the points to the requester. */
  session_id = accept_bounty (s, b, bounty1);
  path = g_strdup_printf ("/api/bounties/%s/cancel", bounty1);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 409);
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/sessions/%s/reject", session_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "outcome"), ==, "rejected");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpint (bc_test_points (s, a), ==, 100);
  g_assert_cmpint (bc_test_points (s, b), ==, 100);
  bc_test_server_free (s);
}

/* A third user is refused on everything of a session that is not theirs. */
static void
test_third_user (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autoptr (BcTestUser) c = bc_test_signup (s, "stranger");
  g_autofree char *bounty_id = create_bounty (s, a, 40);
  g_autofree char *session_id = accept_bounty (s, b, bounty_id);
  g_autofree char *token_body = g_strdup_printf ("{\"session_id\":\"%s\"}", session_id);
  g_autoptr (JsonNode) answer = NULL;
  struct
  {
    const char *method;
    const char *fmt;
    const char *body;
  } calls[] = {
    { "GET", "/api/sessions/%s", NULL },
    { "POST", "/api/sessions/%s/events", "{\"type\":\"stream_started\"}" },
    { "POST", "/api/sessions/%s/approve", NULL },
    { "POST", "/api/sessions/%s/reject", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      g_autofree char *path = g_strdup_printf (calls[i].fmt, session_id);

      g_assert_cmpuint (
          bc_test_request (s, calls[i].method, path, c->access_token, calls[i].body, &answer), ==,
          403);
      g_assert_cmpstr (error_code (answer), ==, "forbidden");
      g_clear_pointer (&answer, json_node_unref);
    }
  g_assert_cmpuint (
      bc_test_request (s, "POST", "/api/livekit/token", c->access_token, token_body, &answer), ==,
      403);
  g_clear_pointer (&answer, json_node_unref);
  {
    g_autofree char *path = g_strdup_printf ("/api/bounties/%s", bounty_id);
    g_autofree char *cancel = g_strdup_printf ("/api/bounties/%s/cancel", bounty_id);
    g_autofree char *accept = g_strdup_printf ("/api/bounties/%s/accept", bounty_id);

    g_assert_cmpuint (bc_test_request (s, "GET", path, c->access_token, NULL, NULL), ==, 403);
    g_assert_cmpuint (bc_test_request (s, "POST", cancel, c->access_token, NULL, NULL), ==, 403);
    g_assert_cmpuint (bc_test_request (s, "POST", accept, c->access_token, NULL, NULL), ==, 409);
  }
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/sessions", c->access_token, NULL, &answer), ==,
                    200);
  g_assert_cmpuint (json_array_get_length (
                        json_object_get_array_member (json_node_get_object (answer), "sessions")),
                    ==, 0);
  g_clear_pointer (&answer, json_node_unref);
  /* Validation names the field; unknown sessions are 404. */
  g_assert_cmpuint (
      bc_test_request (s, "POST", "/api/livekit/token", c->access_token, "{}", &answer), ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "session_id"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/livekit/token", c->access_token,
                                     "{\"session_id\":42}", &answer),
                    ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "session_id"));
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/livekit/token", c->access_token,
                                     "{\"session_id\":\"00000000-0000-4000-8000-000000000000\"}",
                                     &answer),
                    ==, 404);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/bounties", c->access_token,
                                     "{\"title\":\"t\",\"description\":\"d\","
                                     "\"reward_points\":\"5\"}",
                                     &answer),
                    ==, 400);
  g_assert_nonnull (strstr (bc_test_str (answer, "error.message"), "reward_points"));
  g_clear_pointer (&answer, json_node_unref);
  /* Unknown ids are 404, not 403. */
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/sessions/00000000-0000-4000-8000-000000000000",
                                     c->access_token, NULL, NULL),
                    ==, 404);
  /* Nothing moved. */
  g_assert_cmpint (bc_test_points (s, a), ==, 60);
  g_assert_cmpint (bc_test_points (s, b), ==, 100);
  g_assert_cmpint (bc_test_points (s, c), ==, 100);
  bc_test_server_free (s);
}

static void
test_concurrent_approves (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autofree char *bounty_id = create_bounty (s, a, 70);
  g_autofree char *session_id = accept_bounty (s, b, bounty_id);
  BcTestCall calls[50];
  guint ok = 0, conflict = 0;

  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      calls[i] = (BcTestCall){ "POST",
                               g_strdup_printf ("/api/sessions/%s/%s", session_id,
                                                i % 5 == 4 ? "reject" : "approve"),
                               g_strdup (a->access_token), NULL, 0 };
    }
  bc_test_request_parallel (s, calls, G_N_ELEMENTS (calls));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      if (calls[i].status == 200)
        ok++;
      else if (calls[i].status == 409)
        conflict++;
      g_free (calls[i].path);
      g_free (calls[i].token);
    }
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpuint (conflict, ==, 49);
  /* Exactly one transfer, whichever won. */
  g_assert_cmpint (bc_test_points (s, a) + bc_test_points (s, b), ==, 200);
  g_assert_true (bc_test_points (s, b) == 170 || bc_test_points (s, b) == 100);
  bc_test_server_free (s);
}

/* Two server processes on one database, as behind a load balancer: still
 * exactly one transfer and exactly one winner. */
static void
test_two_servers (void)
{
  BcTestServer *s1 = bc_test_server_start (NULL, NULL);
  BcTestServer *s2 = bc_test_server_start (s1->dir, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s1, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s2, "streamer");
  g_autoptr (BcTestUser) c = bc_test_signup (s2, "streamer");
  g_autofree char *bounty_id = create_bounty (s2, a, 40);
  g_autofree char *accept = g_strdup_printf ("/api/bounties/%s/accept", bounty_id);
  g_autofree char *session_id = NULL;
  BcTestCall accepts[10];
  BcTestCall approves[40];
  guint ok = 0;

  for (guint i = 0; i < G_N_ELEMENTS (accepts); i++)
    accepts[i] = (BcTestCall){
      "POST", g_strdup (accept), g_strdup (i % 2 ? b->access_token : c->access_token), NULL,
      0,      i % 3 ? s2 : NULL
    };
  bc_test_request_parallel (s1, accepts, G_N_ELEMENTS (accepts));
  for (guint i = 0; i < G_N_ELEMENTS (accepts); i++)
    {
      if (accepts[i].status == 201)
        ok++;
      else
        g_assert_cmpuint (accepts[i].status, ==, 409);
      g_free (accepts[i].path);
      g_free (accepts[i].token);
    }
  g_assert_cmpuint (ok, ==, 1);

  {
    g_autoptr (JsonNode) answer = NULL;
    JsonArray *list;

    g_assert_cmpuint (bc_test_request (s1, "GET", "/api/sessions", a->access_token, NULL, &answer),
                      ==, 200);
    list = json_object_get_array_member (json_node_get_object (answer), "sessions");
    g_assert_cmpuint (json_array_get_length (list), ==, 1);
    session_id =
        g_strdup (json_object_get_string_member (json_array_get_object_element (list, 0), "id"));
  }

  ok = 0;
  for (guint i = 0; i < G_N_ELEMENTS (approves); i++)
    approves[i] = (BcTestCall){ "POST",
                                g_strdup_printf ("/api/sessions/%s/approve", session_id),
                                g_strdup (a->access_token),
                                NULL,
                                0,
                                i % 2 ? s2 : NULL };
  bc_test_request_parallel (s1, approves, G_N_ELEMENTS (approves));
  for (guint i = 0; i < G_N_ELEMENTS (approves); i++)
    {
      if (approves[i].status == 200)
        ok++;
      else
        g_assert_cmpuint (approves[i].status, ==, 409);
      g_free (approves[i].path);
      g_free (approves[i].token);
    }
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpint (bc_test_points (s1, a), ==, 60);
  g_assert_cmpint (bc_test_points (s2, b) + bc_test_points (s1, c), ==, 240);
  bc_test_server_stop (s2);
  bc_test_server_free (s2);
  bc_test_server_free (s1);
}

static void
test_concurrent_accepts (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autofree char *bounty_id = create_bounty (s, a, 10);
  g_autofree char *path = g_strdup_printf ("/api/bounties/%s/accept", bounty_id);
  BcTestUser *streamers[20];
  BcTestCall calls[20];
  g_autoptr (JsonNode) answer = NULL;
  guint ok = 0, conflict = 0;

  for (guint i = 0; i < G_N_ELEMENTS (streamers); i++)
    streamers[i] = bc_test_signup (s, "streamer");
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    calls[i] =
        (BcTestCall){ "POST", g_strdup (path), g_strdup (streamers[i]->access_token), NULL, 0 };
  bc_test_request_parallel (s, calls, G_N_ELEMENTS (calls));
  for (guint i = 0; i < G_N_ELEMENTS (calls); i++)
    {
      if (calls[i].status == 201)
        ok++;
      else if (calls[i].status == 409)
        conflict++;
      g_free (calls[i].path);
      g_free (calls[i].token);
    }
  g_assert_cmpuint (ok, ==, 1);
  g_assert_cmpuint (conflict, ==, 19);
  g_assert_cmpuint (bc_test_request (s, "GET", "/api/sessions", a->access_token, NULL, &answer), ==,
                    200);
  g_assert_cmpuint (json_array_get_length (
                        json_object_get_array_member (json_node_get_object (answer), "sessions")),
                    ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (streamers); i++)
    bc_test_user_free (streamers[i]);
  bc_test_server_free (s);
}

static void
test_webhooks (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autofree char *key = bc_test_server_secret (s, "livekit_api_key");
  g_autofree char *secret = bc_test_server_secret (s, "livekit_api_secret");
  g_autofree char *bounty_id = create_bounty (s, a, 10);
  g_autofree char *session_id = accept_bounty (s, b, bounty_id);
  g_autofree char *published = webhook_body ("track_published", "EV_1", session_id, b->id);
  g_autofree char *unpublished = webhook_body ("track_unpublished", "EV_2", session_id, b->id);
  g_autofree char *viewer_left = webhook_body ("participant_left", "EV_3", session_id, a->id);
  g_autofree char *auth = NULL;
  g_autofree char *tampered = NULL;
  g_autoptr (JsonNode) answer = NULL;
  JsonArray *events;

  /* Bad signatures: none, another secret, another key, a body changed after signing. */
  g_assert_cmpuint (
      bc_test_request_full (s, "POST", "/api/livekit/webhook", NULL, published, &answer, NULL), ==,
      401);
  g_assert_cmpstr (error_code (answer), ==, "invalid_signature");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (post_webhook (s, published, key, "a different secret of enough length!", NULL),
                    ==, 401);
  g_assert_cmpuint (post_webhook (s, published, "APIother", secret, NULL), ==, 401);
  auth = bc_livekit_webhook_sign (key, secret, published, strlen (published),
                                  g_get_real_time () / G_USEC_PER_SEC);
  tampered = g_strdup (published);
  tampered[strlen (tampered) - 3] = 'X';
  g_assert_cmpuint (
      bc_test_request_full (s, "POST", "/api/livekit/webhook", auth, tampered, NULL, NULL), ==,
      401);
  events = session_events (s, a, session_id, &answer);
  g_assert_cmpuint (json_array_get_length (events), ==, 0);
  g_clear_pointer (&answer, json_node_unref);

  /* Good ones, each handled once even when delivered twice. */
  g_assert_cmpuint (post_webhook (s, published, key, secret, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "result"), ==, "logged");
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (post_webhook (s, published, key, secret, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "result"), ==, "duplicate");
  g_clear_pointer (&answer, json_node_unref);
  /* A viewer leaving changes nothing. */
  g_assert_cmpuint (post_webhook (s, viewer_left, key, secret, &answer), ==, 200);
  g_assert_cmpstr (bc_test_str (answer, "result"), ==, "ignored");
  g_clear_pointer (&answer, json_node_unref);
  events = session_events (s, a, session_id, &answer);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "live");
  g_assert_cmpuint (json_array_get_length (events), ==, 1);
  g_clear_pointer (&answer, json_node_unref);

  g_assert_cmpuint (post_webhook (s, unpublished, key, secret, NULL), ==, 200);
  g_assert_cmpuint (post_webhook (s, unpublished, key, secret, NULL), ==, 200);
  events = session_events (s, a, session_id, &answer);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "pending");
  g_assert_cmpstr (bc_test_str (answer, "stream_status"), ==, "inactive");
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  g_assert_cmpstr (event_type (events, 0), ==, "stream_active");
  g_assert_cmpstr (event_type (events, 1), ==, "stream_inactive");
  g_clear_pointer (&answer, json_node_unref);

  /* Unknown rooms are acknowledged, so LiveKit does not retry them forever. */
  {
    g_autofree char *other = webhook_body ("room_finished", "EV_4", "no-such-room", "x");
    g_assert_cmpuint (post_webhook (s, other, key, secret, NULL), ==, 200);
  }
  bc_test_server_free (s);
}

static void
test_cleanup (void)
{
  /* Long enough that the fresh session cannot go idle on a loaded machine
   * between its creation and the cleanup call. */
  const char *args[] = { "--session-timeout", "6", NULL };
  BcTestServer *s = bc_test_server_start (NULL, args);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autofree char *cleanup_key = bc_test_server_secret (s, "cleanup_api_key");
  g_autofree char *bearer = g_strconcat ("Bearer ", cleanup_key, NULL);
  g_autofree char *bounty1 = create_bounty (s, a, 30);
  g_autofree char *bounty2 = create_bounty (s, a, 20);
  g_autofree char *old_session = accept_bounty (s, b, bounty1);
  g_autofree char *new_session = NULL;
  g_autoptr (JsonNode) answer = NULL;
  JsonArray *events;

  g_assert_cmpuint (bc_test_request_full (s, "POST", "/api/cleanup", NULL, NULL, &answer, NULL), ==,
                    401);
  g_clear_pointer (&answer, json_node_unref);
  g_assert_cmpuint (
      bc_test_request_full (s, "POST", "/api/cleanup", "Bearer wrong-key", NULL, &answer, NULL), ==,
      401);
  g_clear_pointer (&answer, json_node_unref);
  /* A user's access token is not the cleanup key either. */
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/cleanup", a->access_token, NULL, NULL), ==,
                    401);

  /* Let the first session go idle past the timeout; the second is fresh. */
  g_usleep (6500 * 1000);
  new_session = accept_bounty (s, b, bounty2);
  g_assert_cmpuint (bc_test_request_full (s, "POST", "/api/cleanup", bearer, NULL, &answer, NULL),
                    ==, 200);
  g_assert_cmpint (bc_test_int (answer, "timed_out"), ==, 1);
  g_clear_pointer (&answer, json_node_unref);
  /* Idempotent. */
  g_assert_cmpuint (bc_test_request_full (s, "POST", "/api/cleanup", bearer, NULL, &answer, NULL),
                    ==, 200);
  g_assert_cmpint (bc_test_int (answer, "timed_out"), ==, 0);
  g_clear_pointer (&answer, json_node_unref);

  events = session_events (s, a, old_session, &answer);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "ended");
  g_assert_cmpstr (bc_test_str (answer, "outcome"), ==, "timed_out");
  g_assert_cmpuint (json_array_get_length (events), ==, 1);
  g_assert_cmpstr (event_type (events, 0), ==, "session_timeout");
  g_clear_pointer (&answer, json_node_unref);
  session_events (s, a, new_session, &answer);
  g_assert_cmpstr (bc_test_str (answer, "status"), ==, "pending");
  g_clear_pointer (&answer, json_node_unref);

  /* The timed-out reward went back to the requester; the other is still in escrow. */
  g_assert_cmpint (bc_test_points (s, a), ==, 80);
  g_assert_cmpint (bc_test_points (s, b), ==, 100);
  bc_test_server_free (s);
}

typedef struct
{
  GMainLoop *loop;
  SoupWebsocketConnection *conn;
  GPtrArray *messages;
  const char *wanted;
} Realtime;

static void
on_ws_message (SoupWebsocketConnection *conn, int type, GBytes *message, gpointer user_data)
{
  Realtime *rt = user_data;
  g_autoptr (JsonObject) object = NULL;
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  object = bc_json_parse_object (data, len, NULL);
  g_assert_nonnull (object);
  g_ptr_array_add (rt->messages, g_strdup (json_object_get_string_member (object, "type")));
  if (rt->wanted && g_str_equal (json_object_get_string_member (object, "type"), rt->wanted))
    g_main_loop_quit (rt->loop);
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Realtime *rt = user_data;
  g_autoptr (GError) error = NULL;

  rt->conn = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);
  g_assert_no_error (error);
  g_signal_connect (rt->conn, "message", G_CALLBACK (on_ws_message), rt);
}

static void
on_ws_refused (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean *refused = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupWebsocketConnection) conn =
      soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &error);

  g_assert_null (conn);
  g_assert_nonnull (error);
  *refused = TRUE;
}

static gboolean
on_timeout (gpointer user_data)
{
  g_error ("Timed out waiting for a realtime message");
  return G_SOURCE_REMOVE;
}

static void
wait_for (Realtime *rt, const char *type)
{
  guint timeout;

  for (guint i = 0; i < rt->messages->len; i++)
    if (g_str_equal (g_ptr_array_index (rt->messages, i), type))
      return;
  rt->wanted = type;
  timeout = g_timeout_add_seconds (30, on_timeout, NULL);
  g_main_loop_run (rt->loop);
  g_source_remove (timeout);
  rt->wanted = NULL;
}

static void
test_realtime (void)
{
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autofree char *url = NULL;
  g_autofree char *bad_url = NULL;
  g_autofree char *bounty_id = NULL;
  g_autofree char *session_id = NULL;
  g_autofree char *path = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (SoupMessage) bad = NULL;
  Realtime rt = { g_main_loop_new (NULL, FALSE), NULL, g_ptr_array_new_with_free_func (g_free),
                  NULL };
  gboolean refused = FALSE;

  /* A bad token is refused before the upgrade. */
  bad_url = g_strdup_printf ("%s/api/realtime?access_token=nope", s->base_url);
  bad = soup_message_new ("GET", bad_url);
  soup_session_websocket_connect_async (s->session, bad, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_refused, &refused);
  while (!refused)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_message_get_status (bad), ==, 401);

  /* Plain HTTP on the realtime path gets a JSON error, not an upgrade. */
  {
    g_autoptr (JsonNode) answer = NULL;

    g_assert_cmpuint (bc_test_request (s, "GET", "/api/realtime", a->access_token, NULL, &answer),
                      ==, 400);
    g_assert_cmpstr (bc_test_str (answer, "error.code"), ==, "websocket_required");
  }

  /* A listens (token in the query), B accepts A's bounty: A hears of it. */
  bounty_id = create_bounty (s, a, 25);
  url = g_strdup_printf ("%s/api/realtime?access_token=%s", s->base_url, a->access_token);
  msg = soup_message_new ("GET", url);
  soup_session_websocket_connect_async (s->session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected, &rt);
  wait_for (&rt, "hello");
  session_id = accept_bounty (s, b, bounty_id);
  wait_for (&rt, "session.updated");
  wait_for (&rt, "bounty.updated");

  /* Events and the balance after approval reach A too. */
  path = g_strdup_printf ("/api/sessions/%s/events", session_id);
  g_assert_cmpuint (
      bc_test_request (s, "POST", path, b->access_token, "{\"type\":\"stream_started\"}", NULL), ==,
      201);
  wait_for (&rt, "session.event");
  g_clear_pointer (&path, g_free);
  path = g_strdup_printf ("/api/sessions/%s/reject", session_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 200);
  wait_for (&rt, "balance.updated");

  /* The token may also come in the Authorization header. */
  {
    Realtime rb = { rt.loop, NULL, g_ptr_array_new_with_free_func (g_free), NULL };
    g_autofree char *plain = g_strdup_printf ("%s/api/realtime", s->base_url);
    g_autofree char *auth = g_strconcat ("Bearer ", b->access_token, NULL);
    g_autoptr (SoupMessage) bmsg = soup_message_new ("GET", plain);

    soup_message_headers_replace (soup_message_get_request_headers (bmsg), "Authorization", auth);
    soup_session_websocket_connect_async (s->session, bmsg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                          on_ws_connected, &rb);
    wait_for (&rb, "hello");
    soup_websocket_connection_close (rb.conn, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    while (soup_websocket_connection_get_state (rb.conn) != SOUP_WEBSOCKET_STATE_CLOSED)
      g_main_context_iteration (NULL, TRUE);
    g_clear_object (&rb.conn);
    g_ptr_array_unref (rb.messages);
  }

  /* Signing out closes that login's live updates. */
  g_assert_cmpuint (bc_test_request (s, "POST", "/api/auth/logout", a->access_token, NULL, NULL),
                    ==, 204);
  while (soup_websocket_connection_get_state (rt.conn) != SOUP_WEBSOCKET_STATE_CLOSED)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (soup_websocket_connection_get_close_code (rt.conn), ==,
                    SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION);
  g_clear_object (&rt.conn);
  g_main_loop_unref (rt.loop);
  g_ptr_array_unref (rt.messages);
  bc_test_server_free (s);
}

/* Reads one integer from the server's database (read-only, beside the server). */
static gint64
db_int (BcTestServer *s, const char *sql)
{
  g_autofree char *path = bc_test_server_db_path (s);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return value;
}

/* Polls @sql until it gives @want (LiveKit calls run in the background). */
static void
wait_db (BcTestServer *s, const char *sql, gint64 want)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (db_int (s, sql) != want)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (50 * 1000);
    }
}

static void
test_room_deletion (void)
{
  const char *unreachable[] = { "--livekit-url", "http://127.0.0.1:9", NULL };
  BcTestServer *s = bc_test_server_start (NULL, NULL);
  g_autoptr (BcTestUser) a = bc_test_signup (s, "requester");
  g_autoptr (BcTestUser) b = bc_test_signup (s, "streamer");
  g_autofree char *bounty_id = create_bounty (s, a, 10);
  g_autofree char *session_id = accept_bounty (s, b, bounty_id);
  g_autofree char *path = g_strdup_printf ("/api/sessions/%s/approve", session_id);

  /* The built-in SFU answers DeleteRoom: the queue empties. */
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 200);
  wait_db (s, "SELECT COUNT (*) FROM room_deletions", 0);
  bc_test_server_free (s);
  g_clear_pointer (&bounty_id, g_free);
  g_clear_pointer (&session_id, g_free);
  g_clear_pointer (&path, g_free);
  g_clear_pointer (&a, bc_test_user_free);
  g_clear_pointer (&b, bc_test_user_free);

  /* LiveKit unreachable: the deletion stays queued and is retried; the
   * points moved all the same. */
  s = bc_test_server_start (NULL, unreachable);
  a = bc_test_signup (s, "requester");
  b = bc_test_signup (s, "streamer");
  bounty_id = create_bounty (s, a, 10);
  session_id = accept_bounty (s, b, bounty_id);
  path = g_strdup_printf ("/api/sessions/%s/reject", session_id);
  g_assert_cmpuint (bc_test_request (s, "POST", path, a->access_token, NULL, NULL), ==, 200);
  wait_db (s, "SELECT COUNT (*) FROM room_deletions WHERE attempts >= 1 AND last_error IS NOT NULL",
           1);
  g_assert_cmpint (bc_test_points (s, a), ==, 100);
  g_assert_cmpint (bc_test_points (s, b), ==, 100);
  bc_test_server_free (s);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/server/flow/spec", test_spec_flow);
  g_test_add_func ("/server/flow/reject-and-cancel", test_reject_and_cancel);
  g_test_add_func ("/server/flow/third-user", test_third_user);
  g_test_add_func ("/server/flow/concurrent-approves", test_concurrent_approves);
  g_test_add_func ("/server/flow/concurrent-accepts", test_concurrent_accepts);
  g_test_add_func ("/server/flow/two-servers", test_two_servers);
  g_test_add_func ("/server/flow/webhooks", test_webhooks);
  g_test_add_func ("/server/flow/cleanup", test_cleanup);
  g_test_add_func ("/server/flow/realtime", test_realtime);
  g_test_add_func ("/server/flow/room-deletion", test_room_deletion);
  return g_test_run ();
}
