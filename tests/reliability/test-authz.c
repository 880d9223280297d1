/* The authorization matrix: every API route against every kind of
 * credential (none, expired, forged, another user's, a token of the wrong
 * kind, the right one), on the real bountycam-server. Then the built-in
 * SFU: a requester's LiveKit token never publishes, and a session's token
 * only ever joins that session's room. */
#include "config.h"

#include "bc-test-server.h"

#include "bc-base64url.h"
#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-livekit.pb-c.h"
#include "bc-tokens.h"

#include <string.h>

typedef enum
{
  CRED_NONE,
  CRED_EXPIRED,
  CRED_FORGED,
  CRED_OTHER,
  CRED_REFRESH,
  CRED_LIVEKIT,
  CRED_RIGHT,
  N_CREDS
} Cred;

static const char *const cred_names[N_CREDS] = {
  "no token", "expired", "forged", "other user's", "refresh token", "LiveKit token", "right user",
};

/* Everything the matrix needs: three people, a session between A and B, and
 * every kind of credential. */
typedef struct
{
  BcTestServer *s;
  BcTestUser *a; /* requester */
  BcTestUser *b; /* streamer */
  BcTestUser *c; /* a third user, party to nothing */
  char *jwt_secret;
  char *lk_key;
  char *lk_secret;
  char *cleanup_key;
  char *bounty_accepted; /* A's, accepted by B: session */
  char *session;
  char *session2;     /* A's second bounty, accepted by B: to reject */
  char *bounty_open;  /* A's, open: to cancel */
  char *bounty_open2; /* A's, open: for C to accept */
  char *lk_token_a;   /* A's LiveKit token for @session */
  char *lk_token_b;
} World;

static char *
create_bounty (World *w, BcTestUser *who, const char *title, int reward)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body = g_strdup_printf (
      "{\"title\":\"%s\",\"description\":\"authz\",\"reward_points\":%d}", title, reward);

  g_assert_cmpuint (
      bc_test_request (w->s, "POST", "/api/bounties", who->access_token, body, &answer), ==, 201);
  return g_strdup (bc_test_str (answer, "id"));
}

static char *
accept_bounty (World *w, BcTestUser *who, const char *bounty)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *path = g_strdup_printf ("/api/bounties/%s/accept", bounty);

  g_assert_cmpuint (bc_test_request (w->s, "POST", path, who->access_token, NULL, &answer), ==,
                    201);
  return g_strdup (bc_test_str (answer, "id"));
}

static char *
livekit_token (World *w, BcTestUser *who, const char *session)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *body = g_strdup_printf ("{\"session_id\":\"%s\"}", session);

  g_assert_cmpuint (
      bc_test_request (w->s, "POST", "/api/livekit/token", who->access_token, body, &answer), ==,
      200);
  g_assert_cmpstr (bc_test_str (answer, "room"), ==, session);
  return g_strdup (bc_test_str (answer, "token"));
}

static World *
world_new (void)
{
  World *w = g_new0 (World, 1);

  w->s = bc_test_server_start (NULL, NULL);
  w->a = bc_test_signup (w->s, "authz-a");
  w->b = bc_test_signup (w->s, "authz-b");
  w->c = bc_test_signup (w->s, "authz-c");
  w->jwt_secret = bc_test_server_secret (w->s, "jwt_secret");
  w->lk_key = bc_test_server_secret (w->s, "livekit_api_key");
  w->lk_secret = bc_test_server_secret (w->s, "livekit_api_secret");
  w->cleanup_key = bc_test_server_secret (w->s, "cleanup_api_key");
  w->bounty_accepted = create_bounty (w, w->a, "accepted", 5);
  w->session = accept_bounty (w, w->b, w->bounty_accepted);
  {
    g_autofree char *second = create_bounty (w, w->a, "second", 5);
    w->session2 = accept_bounty (w, w->b, second);
  }
  w->bounty_open = create_bounty (w, w->a, "to cancel", 5);
  w->bounty_open2 = create_bounty (w, w->a, "for C", 5);
  w->lk_token_a = livekit_token (w, w->a, w->session);
  w->lk_token_b = livekit_token (w, w->b, w->session);
  return w;
}

static void
world_free (World *w)
{
  bc_test_user_free (w->a);
  bc_test_user_free (w->b);
  bc_test_user_free (w->c);
  g_free (w->jwt_secret);
  g_free (w->lk_key);
  g_free (w->lk_secret);
  g_free (w->cleanup_key);
  g_free (w->bounty_accepted);
  g_free (w->session);
  g_free (w->session2);
  g_free (w->bounty_open);
  g_free (w->bounty_open2);
  g_free (w->lk_token_a);
  g_free (w->lk_token_b);
  bc_test_server_free (w->s);
  g_free (w);
}

static char *
login_id_of (const char *access_token)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) claims = bc_jwt_peek_claims (access_token, &error);

  g_assert_no_error (error);
  return g_strdup (json_object_get_string_member (claims, "sid"));
}

/* Forgeries of @user's access token, each of which must be refused:
 * claims changed under the old signature, "alg": "none", a wrong key, and
 * the right claims signed with the LiveKit secret the server also holds. */
static GPtrArray *
forgeries (World *w, BcTestUser *user, BcTestUser *impersonated)
{
  GPtrArray *list = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *login = login_id_of (user->access_token);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_auto (GStrv) parts = g_strsplit (user->access_token, ".", -1);
  g_autoptr (JsonObject) claims = bc_jwt_peek_claims (user->access_token, NULL);
  g_autofree char *claims_text = NULL;
  g_autofree char *claims_b64 = NULL;
  g_autofree char *none_header = NULL;

  g_assert_cmpuint (g_strv_length (parts), ==, 3);
  json_object_set_string_member (claims, "sub", impersonated->id);
  claims_text = bc_json_object_to_string (claims);
  claims_b64 = bc_base64url_encode ((const guint8 *) claims_text, strlen (claims_text));
  g_ptr_array_add (list, g_strdup_printf ("%s.%s.%s", parts[0], claims_b64, parts[2]));

  none_header = bc_base64url_encode ((const guint8 *) "{\"alg\":\"none\",\"typ\":\"JWT\"}",
                                     strlen ("{\"alg\":\"none\",\"typ\":\"JWT\"}"));
  g_ptr_array_add (list, g_strdup_printf ("%s.%s.", none_header, claims_b64));
  g_ptr_array_add (list, bc_access_token_mint ("not-the-server-secret-0123456789abcdef",
                                               impersonated->id, login, now, 600));
  g_ptr_array_add (list, bc_access_token_mint (w->lk_secret, impersonated->id, login, now, 600));
  /* Signature bytes flipped. */
  {
    char *flipped = g_strdup (user->access_token);
    gsize len = strlen (flipped);

    flipped[len - 2] = flipped[len - 2] == 'A' ? 'B' : 'A';
    g_ptr_array_add (list, flipped);
  }
  return list;
}

static char *
expired_token (World *w, BcTestUser *user)
{
  g_autofree char *login = login_id_of (user->access_token);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  return bc_access_token_mint (w->jwt_secret, user->id, login, now - 3600, 900);
}

typedef struct
{
  const char *method;
  char *path;
  char *body;
  BcTestUser *right;
  BcTestUser *other;
  guint expect[N_CREDS];
} Case;

/* Sends @c with every credential, the right one last (it may change state),
 * and checks each status. Returns the number of requests made. */
static guint
run_case (World *w, Case *c)
{
  guint n = 0;

  for (int cred = 0; cred < N_CREDS; cred++)
    {
      g_autoptr (GPtrArray) tokens = g_ptr_array_new_with_free_func (g_free);

      switch ((Cred) cred)
        {
        case CRED_NONE:
          g_ptr_array_add (tokens, NULL);
          break;
        case CRED_EXPIRED:
          g_ptr_array_add (tokens, expired_token (w, c->right));
          break;
        case CRED_FORGED:
          g_ptr_array_extend_and_steal (tokens, forgeries (w, c->other, c->right));
          break;
        case CRED_OTHER:
          g_ptr_array_add (tokens, g_strdup (c->other->access_token));
          break;
        case CRED_REFRESH:
          g_ptr_array_add (tokens, g_strdup (c->right->refresh_token));
          break;
        case CRED_LIVEKIT:
          g_ptr_array_add (tokens, g_strdup (c->right == w->b ? w->lk_token_b : w->lk_token_a));
          break;
        case CRED_RIGHT:
        case N_CREDS:
        default:
          g_ptr_array_add (tokens, g_strdup (c->right->access_token));
          break;
        }
      for (guint i = 0; i < tokens->len; i++)
        {
          g_autoptr (JsonNode) answer = NULL;
          guint status = bc_test_request (w->s, c->method, c->path, g_ptr_array_index (tokens, i),
                                          c->body, &answer);

          n++;
          if (status != c->expect[cred])
            g_error ("%s %s with %s (#%u): %u, expected %u", c->method, c->path, cred_names[cred],
                     i, status, c->expect[cred]);
          /* Every refusal is a JSON error with a code. */
          if (status >= 400)
            g_assert_nonnull (bc_test_str (answer, "error.code"));
        }
    }
  g_free (c->path);
  g_free (c->body);
  return n;
}

#define UNAUTH_BUT(other, right)                                                                   \
  {                                                                                                \
    401, 401, 401, (other), 401, 401, (right)                                                      \
  }

static void
test_api_matrix (void)
{
  World *w = world_new ();
  guint n = 0;
  Case cases[] = {
    { "GET", g_strdup ("/api/me"), NULL, w->a, w->c, UNAUTH_BUT (200, 200) },
    { "GET", g_strdup ("/api/bounties"), NULL, w->a, w->c, UNAUTH_BUT (200, 200) },
    { "GET", g_strdup ("/api/bounties?filter=mine"), NULL, w->a, w->c, UNAUTH_BUT (200, 200) },
    { "POST", g_strdup ("/api/bounties"),
      g_strdup ("{\"title\":\"new\",\"description\":\"\",\"reward_points\":1}"), w->a, w->c,
      UNAUTH_BUT (201, 201) },
    { "GET", g_strdup_printf ("/api/bounties/%s", w->bounty_accepted), NULL, w->a, w->c,
      UNAUTH_BUT (403, 200) },
    { "GET", g_strdup_printf ("/api/bounties/%s", w->bounty_accepted), NULL, w->b, w->c,
      UNAUTH_BUT (403, 200) },
    { "GET", g_strdup ("/api/sessions"), NULL, w->a, w->c, UNAUTH_BUT (200, 200) },
    { "GET", g_strdup_printf ("/api/sessions/%s", w->session), NULL, w->a, w->c,
      UNAUTH_BUT (403, 200) },
    { "GET", g_strdup_printf ("/api/sessions/%s", w->session), NULL, w->b, w->c,
      UNAUTH_BUT (403, 200) },
    /* Only the streamer reports the stream: the requester is "other" here. */
    { "POST", g_strdup_printf ("/api/sessions/%s/events", w->session),
      g_strdup ("{\"type\":\"stream_started\"}"), w->b, w->a, UNAUTH_BUT (403, 201) },
    { "POST", g_strdup_printf ("/api/sessions/%s/events", w->session),
      g_strdup ("{\"type\":\"stream_started\"}"), w->b, w->c, UNAUTH_BUT (403, 201) },
    { "POST", g_strdup ("/api/livekit/token"),
      g_strdup_printf ("{\"session_id\":\"%s\"}", w->session), w->a, w->c, UNAUTH_BUT (403, 200) },
    { "POST", g_strdup ("/api/livekit/token"),
      g_strdup_printf ("{\"session_id\":\"%s\"}", w->session), w->b, w->c, UNAUTH_BUT (403, 200) },
    { "POST", g_strdup_printf ("/api/bounties/%s/cancel", w->bounty_open), NULL, w->a, w->c,
      UNAUTH_BUT (403, 200) },
    /* Accepting one's own bounty is refused; another user may. */
    { "POST", g_strdup_printf ("/api/bounties/%s/accept", w->bounty_open2), NULL, w->c, w->a,
      UNAUTH_BUT (403, 201) },
    /* Only the requester settles; the streamer is "other" here. */
    { "POST", g_strdup_printf ("/api/sessions/%s/reject", w->session2), NULL, w->a, w->b,
      UNAUTH_BUT (403, 200) },
    { "POST", g_strdup_printf ("/api/sessions/%s/approve", w->session), NULL, w->a, w->c,
      UNAUTH_BUT (403, 200) },
    { "POST", g_strdup_printf ("/api/sessions/%s/approve", w->session), NULL, w->a, w->b,
      UNAUTH_BUT (403, 409) },
    /* Ended: no more tokens, not even for its own people. */
    { "POST", g_strdup ("/api/livekit/token"),
      g_strdup_printf ("{\"session_id\":\"%s\"}", w->session), w->b, w->c, UNAUTH_BUT (403, 409) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    n += run_case (w, &cases[i]);

  /* The ended session still belongs to its two people only. */
  {
    g_autoptr (JsonNode) answer = NULL;
    g_autofree char *path = g_strdup_printf ("/api/sessions/%s", w->session);

    g_assert_cmpuint (bc_test_request (w->s, "GET", path, w->c->access_token, NULL, NULL), ==, 403);
    g_assert_cmpuint (bc_test_request (w->s, "GET", path, w->b->access_token, NULL, &answer), ==,
                      200);
    g_assert_cmpstr (bc_test_str (answer, "outcome"), ==, "approved");
  }
  /* C's session list never shows the others' sessions. */
  {
    g_autoptr (JsonNode) answer = NULL;
    JsonArray *list;

    g_assert_cmpuint (
        bc_test_request (w->s, "GET", "/api/sessions", w->c->access_token, NULL, &answer), ==, 200);
    list = json_object_get_array_member (json_node_get_object (answer), "sessions");
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *session = json_array_get_object_element (list, i);

        g_assert_cmpstr (json_object_get_string_member (session, "id"), !=, w->session);
        g_assert_cmpstr (json_object_get_string_member (session, "id"), !=, w->session2);
      }
  }
  /* Nonexistent ids are 404 for anyone signed in, never a leak of 403/200. */
  g_assert_cmpuint (
      bc_test_request (w->s, "GET", "/api/sessions/nope", w->c->access_token, NULL, NULL), ==, 404);
  g_assert_cmpuint (bc_test_request (w->s, "GET", "/api/sessions/nope", NULL, NULL, NULL), ==, 401);
  g_test_message ("%u API requests checked", n);
  world_free (w);
}

/* POST /api/cleanup takes only CLEANUP_API_KEY, and the webhook only a
 * LiveKit signature over the body. */
static void
test_service_routes (void)
{
  World *w = world_new ();
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *body = g_strdup_printf (
      "{\"event\":\"room_started\",\"id\":\"EV_authz\",\"room\":{\"name\":\"%s\"}}", w->session);
  g_autofree char *other_body = g_strdup ("{\"event\":\"room_started\",\"id\":\"EV_other\"}");
  const char *bad_cleanup[] = {
    NULL, w->a->access_token, w->a->refresh_token, w->lk_token_a, w->lk_secret, w->jwt_secret, "",
    "x",
  };
  struct
  {
    const char *what;
    char *auth; /* whole Authorization header */
    guint expect;
  } hooks[] = {
    { "none", NULL, 401 },
    { "expired", NULL, 401 },
    { "wrong secret", NULL, 401 },
    { "wrong key", NULL, 401 },
    { "another body's signature", NULL, 401 },
    { "an access token", g_strconcat ("Bearer ", w->a->access_token, NULL), 401 },
    { "a LiveKit join token", g_strconcat ("Bearer ", w->lk_token_a, NULL), 401 },
    { "a refresh token", g_strconcat ("Bearer ", w->a->refresh_token, NULL), 401 },
    { "the right signature", NULL, 200 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (bad_cleanup); i++)
    {
      g_autofree char *auth = bad_cleanup[i] ? g_strconcat ("Bearer ", bad_cleanup[i], NULL) : NULL;

      g_assert_cmpuint (bc_test_request_full (w->s, "POST", "/api/cleanup", auth, NULL, NULL, NULL),
                        ==, 401);
    }
  g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/cleanup", w->cleanup_key, NULL, NULL), ==,
                    200);

  hooks[1].auth =
      bc_livekit_webhook_sign (w->lk_key, w->lk_secret, body, strlen (body), now - 3600);
  hooks[2].auth = bc_livekit_webhook_sign (w->lk_key, "wrong-secret-0123456789-0123456789", body,
                                           strlen (body), now);
  hooks[3].auth = bc_livekit_webhook_sign ("APIwrong", w->lk_secret, body, strlen (body), now);
  hooks[4].auth =
      bc_livekit_webhook_sign (w->lk_key, w->lk_secret, other_body, strlen (other_body), now);
  hooks[8].auth = bc_livekit_webhook_sign (w->lk_key, w->lk_secret, body, strlen (body), now);
  for (gsize i = 0; i < G_N_ELEMENTS (hooks); i++)
    {
      guint status = bc_test_request_full (w->s, "POST", "/api/livekit/webhook", hooks[i].auth,
                                           body, NULL, NULL);

      if (status != hooks[i].expect)
        g_error ("webhook with %s: %u, expected %u", hooks[i].what, status, hooks[i].expect);
      g_free (hooks[i].auth);
    }
  world_free (w);
}

/* Sign-up, login and refresh ignore any Authorization header; logout and
 * refresh take only the right kind of token. */
static void
test_account_routes (void)
{
  World *w = world_new ();
  g_autoptr (GPtrArray) forged = forgeries (w, w->c, w->a);
  g_autofree char *expired = expired_token (w, w->a);
  g_autofree char *login_body =
      g_strdup_printf ("{\"email\":\"%s\",\"password\":\"correct horse authz-a\"}", w->a->email);
  g_autofree char *taken_body = g_strdup_printf (
      "{\"email\":\"%s\",\"password\":\"another good password\",\"display_name\":\"x\"}",
      w->a->email);
  const char *headers[] = { NULL,
                            expired,
                            g_ptr_array_index (forged, 0),
                            w->c->access_token,
                            w->a->refresh_token,
                            w->lk_token_a,
                            w->a->access_token };
  g_autofree char *old_refresh = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_autoptr (JsonNode) answer = NULL;
      g_autofree char *body = NULL;

      g_assert_cmpuint (
          bc_test_request (w->s, "POST", "/api/auth/login", headers[i], login_body, &answer), ==,
          200);
      g_assert_cmpstr (bc_test_str (answer, "user.id"), ==, w->a->id);
      g_assert_cmpuint (
          bc_test_request (w->s, "POST", "/api/auth/signup", headers[i], taken_body, NULL), ==,
          409);
      /* The refresh token goes in the body; a header changes nothing. */
      body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", bc_test_str (answer, "refresh_token"));
      g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/auth/refresh", headers[i], body, NULL),
                        ==, 200);
    }

  /* Refresh takes a refresh token, not an access or LiveKit token. */
  {
    const char *not_refresh[] = { w->a->access_token, w->lk_token_a, expired, "", "x" };

    for (gsize i = 0; i < G_N_ELEMENTS (not_refresh); i++)
      {
        g_autofree char *body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", not_refresh[i]);

        g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/auth/refresh", NULL, body, NULL), ==,
                          401);
      }
    g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/auth/refresh", NULL, "{}", NULL), ==,
                      400);
  }

  /* Logout with a bearer needs a valid access token of the login to end. */
  {
    const char *bad[] = { expired,
                          g_ptr_array_index (forged, 1),
                          g_ptr_array_index (forged, 2),
                          g_ptr_array_index (forged, 3),
                          w->a->refresh_token,
                          w->lk_token_a };

    for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
      g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/auth/logout", bad[i], NULL, NULL), ==,
                        401);
    g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/auth/logout", NULL, NULL, NULL), ==,
                      400);
    g_assert_cmpuint (
        bc_test_request (w->s, "POST", "/api/auth/logout", w->c->access_token, NULL, NULL), ==,
        204);
    /* C signed out C only. */
    g_assert_cmpuint (bc_test_request (w->s, "GET", "/api/me", w->c->access_token, NULL, NULL), ==,
                      401);
    g_assert_cmpuint (bc_test_request (w->s, "GET", "/api/me", w->a->access_token, NULL, NULL), ==,
                      200);
    old_refresh = g_strdup (w->a->refresh_token);
    g_assert_cmpuint (
        bc_test_request (w->s, "POST", "/api/auth/logout", w->a->access_token, NULL, NULL), ==,
        204);
    g_assert_cmpuint (bc_test_request (w->s, "GET", "/api/me", w->a->access_token, NULL, NULL), ==,
                      401);
    {
      g_autofree char *body = g_strdup_printf ("{\"refresh_token\":\"%s\"}", old_refresh);

      g_assert_cmpuint (bc_test_request (w->s, "POST", "/api/auth/refresh", NULL, body, NULL), ==,
                        401);
    }
  }
  world_free (w);
}

/* ---- WebSockets: /api/realtime and the SFU's /rtc ---- */

typedef struct
{
  SoupWebsocketConnection *ws;
  GError *error;
  gboolean done;
  GQueue messages; /* Livekit__SignalResponse, for /rtc */
  gboolean closed;
} Ws;

static void
on_ws_message (SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer data)
{
  Ws *c = data;
  gsize len;
  const guint8 *raw = g_bytes_get_data (bytes, &len);

  if (type == SOUP_WEBSOCKET_DATA_BINARY)
    {
      Livekit__SignalResponse *resp = livekit__signal_response__unpack (NULL, len, raw);

      g_assert_nonnull (resp);
      g_queue_push_tail (&c->messages, resp);
    }
}

static void
on_ws_closed (SoupWebsocketConnection *ws, gpointer data)
{
  ((Ws *) data)->closed = TRUE;
}

static void
on_ws_connected (GObject *source, GAsyncResult *result, gpointer data)
{
  Ws *c = data;

  c->ws = soup_session_websocket_connect_finish (SOUP_SESSION (source), result, &c->error);
  if (c->ws != NULL)
    {
      g_signal_connect (c->ws, "message", G_CALLBACK (on_ws_message), c);
      g_signal_connect (c->ws, "closed", G_CALLBACK (on_ws_closed), c);
    }
  c->done = TRUE;
}

static void
iterate_until (gboolean *flag, guint seconds)
{
  gint64 deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;

  while (!*flag)
    {
      g_main_context_iteration (NULL, FALSE);
      if (!*flag)
        g_usleep (1000);
      if (g_get_monotonic_time () > deadline)
        g_error ("Timed out after %u s", seconds);
    }
}

/* Connects to @url (http:// of the server + path) with @bearer in the
 * Authorization header if not NULL; returns the HTTP status of the
 * handshake (101 on success) and the connection in @out. */
static guint
ws_connect (SoupSession *session, const char *url, const char *bearer, Ws **out)
{
  g_autofree char *ws_url = g_strconcat ("ws", url + strlen ("http"), NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", ws_url);
  Ws *c = g_new0 (Ws, 1);
  guint status;

  g_queue_init (&c->messages);
  if (bearer != NULL)
    {
      g_autofree char *value = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", value);
    }
  soup_session_websocket_connect_async (session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                        on_ws_connected, c);
  iterate_until (&c->done, 30);
  status = soup_message_get_status (msg);
  *out = c;
  return status;
}

static void
response_free (gpointer resp)
{
  livekit__signal_response__free_unpacked (resp, NULL);
}

static void
ws_free (Ws *c)
{
  if (c->ws != NULL)
    {
      g_signal_handlers_disconnect_by_data (c->ws, c);
      if (soup_websocket_connection_get_state (c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
      g_object_unref (c->ws);
    }
  g_clear_error (&c->error);
  g_queue_clear_full (&c->messages, response_free);
  g_free (c);
}

static void
test_realtime_matrix (void)
{
  World *w = world_new ();
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (GPtrArray) forged = forgeries (w, w->c, w->a);
  g_autofree char *expired = expired_token (w, w->a);
  g_autofree char *url = g_strconcat (w->s->base_url, "/api/realtime", NULL);
  struct
  {
    const char *token;
    guint expect;
  } cases[] = {
    { NULL, 401 },
    { expired, 401 },
    { w->a->refresh_token, 401 },
    { w->lk_token_a, 401 },
    { w->c->access_token, 101 },
    { w->a->access_token, 101 },
  };

  for (guint i = 0; i < forged->len; i++)
    {
      Ws *c = NULL;

      g_assert_cmpuint (ws_connect (session, url, g_ptr_array_index (forged, i), &c), ==, 401);
      g_assert_null (c->ws);
      ws_free (c);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Ws *c = NULL;
      g_autofree char *query_url =
          cases[i].token ? g_strdup_printf ("%s?access_token=%s", url, cases[i].token) : NULL;

      /* In the header, and in the query as browsers must send it. */
      g_assert_cmpuint (ws_connect (session, url, cases[i].token, &c), ==, cases[i].expect);
      g_assert_true ((c->ws != NULL) == (cases[i].expect == 101));
      ws_free (c);
      if (query_url != NULL)
        {
          g_assert_cmpuint (ws_connect (session, query_url, NULL, &c), ==, cases[i].expect);
          ws_free (c);
        }
    }
  world_free (w);
}

static Livekit__SignalResponse *
rtc_expect (Ws *c, Livekit__SignalResponse__MessageCase kind)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  for (;;)
    {
      Livekit__SignalResponse *resp = g_queue_pop_head (&c->messages);

      if (resp != NULL && resp->message_case == kind)
        return resp;
      if (resp != NULL)
        {
          /* A publication the SFU accepted would show up here. */
          g_assert_cmpint (resp->message_case, !=,
                           LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED);
          livekit__signal_response__free_unpacked (resp, NULL);
          continue;
        }
      g_assert_false (c->closed);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
      if (g_get_monotonic_time () > deadline)
        g_error ("No signal response of kind %d", kind);
    }
}

static void
rtc_send_add_track (Ws *c, const char *cid, Livekit__TrackType type, Livekit__TrackSource source)
{
  Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
  Livekit__AddTrackRequest add = LIVEKIT__ADD_TRACK_REQUEST__INIT;
  gsize len;
  guint8 *buf;
  g_autoptr (GBytes) bytes = NULL;

  add.cid = (char *) cid;
  add.name = (char *) cid;
  add.type = type;
  add.source = source;
  add.width = 640;
  add.height = 480;
  req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK;
  req.add_track = &add;
  len = livekit__signal_request__get_packed_size (&req);
  buf = g_malloc (len + 1);
  livekit__signal_request__pack (&req, buf);
  bytes = g_bytes_new_take (buf, len);
  soup_websocket_connection_send_message (c->ws, SOUP_WEBSOCKET_DATA_BINARY, bytes);
}

static Ws *
rtc_join (World *w, SoupSession *session, const char *token, const char *extra, const char *room)
{
  g_autofree char *url = g_strdup_printf ("%s/rtc?access_token=%s&protocol=16&sdk=cpp%s",
                                          w->s->base_url, token, extra ? extra : "");
  Livekit__SignalResponse *resp;
  Ws *c = NULL;

  g_assert_cmpuint (ws_connect (session, url, NULL, &c), ==, 101);
  resp = rtc_expect (c, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN);
  g_assert_cmpstr (resp->join->room->name, ==, room);
  livekit__signal_response__free_unpacked (resp, NULL);
  return c;
}

static void
test_sfu_grants (void)
{
  World *w = world_new ();
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autofree char *other_bounty = create_bounty (w, w->a, "other room", 5);
  g_autofree char *other_session = accept_bounty (w, w->b, other_bounty);
  g_autofree char *other_token = livekit_token (w, w->a, other_session);
  g_autofree char *room_param = g_strdup_printf ("&room=%s", other_session);
  Livekit__SignalResponse *resp;
  Ws *requester, *streamer, *c = NULL;
  const struct
  {
    Livekit__TrackType type;
    Livekit__TrackSource source;
  } attempts[] = {
    { LIVEKIT__TRACK_TYPE__VIDEO, LIVEKIT__TRACK_SOURCE__CAMERA },
    { LIVEKIT__TRACK_TYPE__VIDEO, LIVEKIT__TRACK_SOURCE__UNKNOWN },
    { LIVEKIT__TRACK_TYPE__VIDEO, LIVEKIT__TRACK_SOURCE__SCREEN_SHARE },
    { LIVEKIT__TRACK_TYPE__AUDIO, LIVEKIT__TRACK_SOURCE__MICROPHONE },
    { LIVEKIT__TRACK_TYPE__AUDIO, LIVEKIT__TRACK_SOURCE__UNKNOWN },
  };

  /* The requester joins (room from the token, whatever the query says) and
   * every attempt to publish is refused. */
  requester = rtc_join (w, session, w->lk_token_a, room_param, w->session);
  for (gsize i = 0; i < G_N_ELEMENTS (attempts); i++)
    {
      g_autofree char *cid = g_strdup_printf ("req-%zu", i);

      rtc_send_add_track (requester, cid, attempts[i].type, attempts[i].source);
      resp = rtc_expect (requester, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE);
      g_assert_cmpint (resp->request_response->reason, ==,
                       LIVEKIT__REQUEST_RESPONSE__REASON__NOT_ALLOWED);
      livekit__signal_response__free_unpacked (resp, NULL);
    }

  /* The streamer of the same session may publish its camera (and only
   * camera and microphone). */
  streamer = rtc_join (w, session, w->lk_token_b, NULL, w->session);
  rtc_send_add_track (streamer, "screen", LIVEKIT__TRACK_TYPE__VIDEO,
                      LIVEKIT__TRACK_SOURCE__SCREEN_SHARE);
  resp = rtc_expect (streamer, LIVEKIT__SIGNAL_RESPONSE__MESSAGE_REQUEST_RESPONSE);
  g_assert_cmpint (resp->request_response->reason, ==,
                   LIVEKIT__REQUEST_RESPONSE__REASON__NOT_ALLOWED);
  livekit__signal_response__free_unpacked (resp, NULL);
  {
    Livekit__SignalRequest req = LIVEKIT__SIGNAL_REQUEST__INIT;
    Livekit__AddTrackRequest add = LIVEKIT__ADD_TRACK_REQUEST__INIT;
    gsize len;
    guint8 *buf;
    g_autoptr (GBytes) bytes = NULL;
    gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

    add.cid = (char *) "cam";
    add.type = LIVEKIT__TRACK_TYPE__VIDEO;
    add.source = LIVEKIT__TRACK_SOURCE__CAMERA;
    req.message_case = LIVEKIT__SIGNAL_REQUEST__MESSAGE_ADD_TRACK;
    req.add_track = &add;
    len = livekit__signal_request__get_packed_size (&req);
    buf = g_malloc (len + 1);
    livekit__signal_request__pack (&req, buf);
    bytes = g_bytes_new_take (buf, len);
    soup_websocket_connection_send_message (streamer->ws, SOUP_WEBSOCKET_DATA_BINARY, bytes);
    for (resp = NULL; resp == NULL;)
      {
        resp = g_queue_pop_head (&streamer->messages);
        if (resp != NULL && resp->message_case != LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRACK_PUBLISHED)
          {
            livekit__signal_response__free_unpacked (resp, NULL);
            resp = NULL;
          }
        g_main_context_iteration (NULL, FALSE);
        g_usleep (1000);
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      }
    g_assert_cmpstr (resp->track_published->cid, ==, "cam");
    livekit__signal_response__free_unpacked (resp, NULL);
  }

  /* A token of the other session joins the other room only. */
  {
    g_autofree char *param = g_strdup_printf ("&room=%s", w->session);

    c = rtc_join (w, session, other_token, param, other_session);
    ws_free (c);
  }

  /* A token whose room was edited, and tokens of the wrong kind, are refused. */
  {
    g_autoptr (JsonObject) claims = bc_jwt_peek_claims (w->lk_token_a, NULL);
    JsonObject *video = json_object_get_object_member (claims, "video");
    g_autofree char *edited = NULL;
    g_autofree char *resigned = NULL;
    const char *wrong[4];

    json_object_set_string_member (video, "room", other_session);
    resigned = bc_jwt_sign_hs256 (claims, (const guint8 *) w->jwt_secret, strlen (w->jwt_secret));
    {
      g_auto (GStrv) parts = g_strsplit (w->lk_token_a, ".", -1);
      g_autofree char *text = bc_json_object_to_string (claims);
      g_autofree char *b64 = bc_base64url_encode ((const guint8 *) text, strlen (text));

      edited = g_strdup_printf ("%s.%s.%s", parts[0], b64, parts[2]);
    }
    wrong[0] = edited;
    wrong[1] = resigned;
    wrong[2] = w->a->access_token;
    wrong[3] = w->a->refresh_token;
    for (gsize i = 0; i < G_N_ELEMENTS (wrong); i++)
      {
        g_autofree char *url =
            g_strdup_printf ("%s/rtc?access_token=%s&protocol=16", w->s->base_url, wrong[i]);

        g_assert_cmpuint (ws_connect (session, url, NULL, &c), ==, 401);
        g_assert_null (c->ws);
        ws_free (c);
      }
  }

  ws_free (streamer);
  ws_free (requester);
  world_free (w);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/reliability/authz/api-matrix", test_api_matrix);
  g_test_add_func ("/reliability/authz/service-routes", test_service_routes);
  g_test_add_func ("/reliability/authz/account-routes", test_account_routes);
  g_test_add_func ("/reliability/authz/realtime", test_realtime_matrix);
  g_test_add_func ("/reliability/authz/sfu-grants", test_sfu_grants);
  return g_test_run ();
}
