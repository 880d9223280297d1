/* fuzz-api: the API's JSON request bodies, through the real server.
 *
 * A BcServer on a temporary SQLite database takes each input as the body
 * of one request, over a socket pair handed to its SoupServer (no network):
 * the request-body parsing, the field validation and the routes behind
 * them all run as they do in bountycam-server. A 5xx answer or a hang is a
 * finding. Sign-up and login would spend most of the time hashing
 * passwords, so their validation functions are called directly instead.
 *
 * Input: one byte choosing the route, then the body. */
#include "config.h"

#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-password.h"
#include "bc-secure.h"
#include "bc-server.h"
#include "bc-sqlite-store.h"
#include "bc-tokens.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define SECRET  "fuzz-secret-0123456789-abcdefghijkl"
#define API_KEY "APIfuzz"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv);

static BcServer *server;
static char *token_a; /* the requester of the session */
static char *token_b; /* its streamer */
static char *session_id;
static char *bounty_id;

static char *
make_user (BcStore *store, const char *name, gint64 now)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *email = g_strdup_printf ("%s@example.org", name);
  g_autoptr (BcUser) user = bc_store_create_user (
      store, email, name, "$argon2id$v=19$m=1,t=1,p=1$AAAA$AAAA", 1000000000, now, &error);
  g_autofree char *login = NULL;

  g_assert_no_error (error);
  login = bc_store_create_login (store, user->id, name, now + 86400000, now, &error);
  g_assert_no_error (error);
  return bc_access_token_mint (SECRET, user->id, login, now / 1000, 7 * 86400);
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("bc-fuzz-api-XXXXXX", &error);
  BcConfig *config = bc_config_new_defaults ();
  g_autoptr (BcSqliteStore) store = NULL;
  g_autoptr (BcBounty) bounty = NULL;
  g_autoptr (BcSession) session = NULL;
  g_autofree char *a_id = NULL;
  g_autofree char *b_id = NULL;
  gint64 now = g_get_real_time () / 1000;

  g_assert_no_error (error);
  g_free (config->listen_host);
  config->listen_host = g_strdup ("127.0.0.1");
  config->listen_port = 0;
  config->database_path = g_build_filename (dir, "fuzz.db", NULL);
  config->jwt_secret = g_strdup (SECRET);
  config->livekit_api_key = g_strdup (API_KEY);
  config->livekit_api_secret = g_strdup (SECRET "-lk");
  config->cleanup_api_key = g_strdup (SECRET "-cleanup");
  config->cleanup_interval_s = 3600;
  store = bc_sqlite_store_open (config->database_path, &error);
  g_assert_no_error (error);

  token_a = make_user (BC_STORE (store), "fuzz-a", now);
  token_b = make_user (BC_STORE (store), "fuzz-b", now);
  {
    g_autoptr (JsonObject) ca = bc_jwt_peek_claims (token_a, NULL);
    g_autoptr (JsonObject) cb = bc_jwt_peek_claims (token_b, NULL);

    a_id = g_strdup (json_object_get_string_member (ca, "sub"));
    b_id = g_strdup (json_object_get_string_member (cb, "sub"));
  }
  bounty_id = bc_random_uuid ();
  bounty = bc_store_create_bounty (BC_STORE (store), bounty_id, a_id, "Fuzz", "", 10, now, &error);
  g_assert_no_error (error);
  session_id = bc_random_uuid ();
  session = bc_store_accept_bounty (BC_STORE (store), bounty_id, b_id, session_id, now, &error);
  g_assert_no_error (error);

  server = bc_server_new (config, BC_STORE (store));
  /* Listening starts the RoomService client and the timers; loopback only. */
  g_assert (bc_server_listen (server, &error));
  return 0;
}

/* Sends one request over a socket pair and returns the status. */
static guint
roundtrip (const char *method, const char *path, const char *auth, const uint8_t *body, size_t len)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GSocketConnection) conn = NULL;
  g_autoptr (GString) request = g_string_new (NULL);
  g_autoptr (GString) response = g_string_new (NULL);
  g_autoptr (GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) addr = g_inet_socket_address_new (lo, 7880);
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;
  int fds[2];
  gsize written = 0;
  guint status = 0;

  g_assert (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  fcntl (fds[1], F_SETFL, O_NONBLOCK);
  socket = g_socket_new_from_fd (fds[0], NULL);
  conn = g_socket_connection_factory_create_connection (socket);
  g_assert (soup_server_accept_iostream (bc_server_get_soup_server (server), G_IO_STREAM (conn),
                                         addr, addr, &error));

  g_string_append_printf (request, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n",
                          method, path);
  if (auth != NULL)
    g_string_append_printf (request, "Authorization: %s\r\n", auth);
  g_string_append_printf (request, "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                          len);
  g_string_append_len (request, (const char *) body, len);

  for (;;)
    {
      char buf[4096];
      gssize n;

      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (written < request->len)
        {
          n = write (fds[1], request->str + written, request->len - written);
          if (n > 0)
            written += n;
        }
      n = read (fds[1], buf, sizeof buf);
      if (n > 0)
        g_string_append_len (response, buf, n);
      else if (n == 0)
        break;
      else
        g_usleep (100);
      if (g_get_monotonic_time () > deadline)
        g_error ("%s %s: no answer within 20 s", method, path);
    }
  close (fds[1]);
  if (sscanf (response->str, "HTTP/1.1 %u", &status) != 1)
    g_error ("%s %s: no HTTP answer", method, path);
  if (status >= 500)
    g_error ("%s %s answered %u: %s", method, path, status, response->str);
  return status;
}

static void
validate_account_fields (const uint8_t *data, size_t size)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) body = bc_json_parse_object ((const char *) data, size, &error);
  const char *value;

  if (body == NULL)
    return;
  /* As bc_route_signup and bc_route_login check them before hashing. */
  if ((value = bc_json_get_string (body, "email", TRUE, NULL)) != NULL)
    bc_validate_email (value, NULL);
  if ((value = bc_json_get_string (body, "password", TRUE, NULL)) != NULL)
    bc_validate_password (value, NULL);
  if ((value = bc_json_get_string (body, "display_name", TRUE, NULL)) != NULL)
    bc_validate_display_name (value, NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *bearer_a = g_strconcat ("Bearer ", token_a, NULL);
  g_autofree char *bearer_b = g_strconcat ("Bearer ", token_b, NULL);
  g_autofree char *path = NULL;
  const uint8_t *body = data + 1;
  size_t len = size - 1;

  if (size < 1)
    return 0;
  switch (data[0] % 8)
    {
    case 0:
      validate_account_fields (body, len);
      break;
    case 1:
      roundtrip ("POST", "/api/bounties", bearer_a, body, len);
      break;
    case 2:
      path = g_strdup_printf ("/api/sessions/%s/events", session_id);
      roundtrip ("POST", path, bearer_b, body, len);
      break;
    case 3:
      roundtrip ("POST", "/api/livekit/token", bearer_a, body, len);
      break;
    case 4:
      {
        g_autofree char *auth = bc_livekit_webhook_sign (API_KEY, SECRET "-lk", body, len,
                                                         g_get_real_time () / G_USEC_PER_SEC);

        roundtrip ("POST", "/api/livekit/webhook", auth, body, len);
        break;
      }
    case 5:
      roundtrip ("POST", "/api/auth/refresh", NULL, body, len);
      break;
    case 6:
      roundtrip ("POST", "/api/auth/logout", NULL, body, len);
      break;
    case 7:
    default:
      /* The body as a path below /api, with the token of the session's requester. */
      {
        g_autofree char *escaped = g_uri_escape_bytes (body, MIN (len, 512), "/?=&");

        path = g_strconcat ("/api/", escaped, NULL);
        roundtrip ((len & 1) ? "POST" : "GET", path, bearer_a, NULL, 0);
      }
      break;
    }
  return 0;
}
