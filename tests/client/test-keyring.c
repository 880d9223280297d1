/* BcCredentialStore against a real Secret Service (a private gnome-keyring,
 * see run-with-keyring.sh). */
#include "config.h"

#include <libsecret/secret.h>

#include "bc-client.h"

static GAsyncResult *pending;

static void
store_result (GObject *source, GAsyncResult *result, gpointer user_data)
{
  pending = g_object_ref (result);
}

static GAsyncResult *
wait_result (void)
{
  while (pending == NULL)
    g_main_context_iteration (NULL, TRUE);
  return g_steal_pointer (&pending);
}

static gboolean
have_secret_service (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SecretService) service = NULL;

  if (g_getenv ("BC_NO_SECRET_SERVICE"))
    {
      g_test_skip (g_getenv ("BC_NO_SECRET_SERVICE"));
      return FALSE;
    }
  service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, NULL, &error);
  if (service == NULL)
    {
      g_autofree char *why = g_strdup_printf ("no Secret Service: %s", error->message);
      g_test_skip (why);
      return FALSE;
    }
  return TRUE;
}

static char *
lookup (BcCredentialStore *store, const char *server, char **out_server, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  bc_credential_store_lookup_async (store, server, NULL, store_result, NULL);
  res = wait_result ();
  return bc_credential_store_lookup_finish (store, res, out_server, error);
}

static void
store (BcCredentialStore *store, const char *server, const char *token)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  bc_credential_store_store_async (store, server, token, NULL, store_result, NULL);
  res = wait_result ();
  g_assert_true (bc_credential_store_store_finish (store, res, &error));
  g_assert_no_error (error);
}

static void
clear (BcCredentialStore *store, const char *server)
{
  g_autoptr (GAsyncResult) res = NULL;
  g_autoptr (GError) error = NULL;

  bc_credential_store_clear_async (store, server, NULL, store_result, NULL);
  res = wait_result ();
  g_assert_true (bc_credential_store_clear_finish (store, res, &error));
  g_assert_no_error (error);
}

static void
test_store_lookup_clear (void)
{
  g_autoptr (BcCredentialStore) def = bc_credential_store_new (NULL);
  g_autoptr (BcCredentialStore) other = bc_credential_store_new ("streamer");
  g_autoptr (GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *server = NULL;

  if (!have_secret_service ())
    return;

  g_assert_cmpstr (bc_credential_store_get_profile (def), ==, "default");

  token = lookup (def, NULL, &server, &error);
  g_assert_no_error (error);
  g_assert_null (token);

  store (def, "http://127.0.0.1:1111", "token-default");
  store (other, "http://127.0.0.1:1111", "token-streamer");

  token = lookup (def, "http://127.0.0.1:1111", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-default");
  g_clear_pointer (&token, g_free);

  /* Profiles do not see each other's login; no server means "any". */
  token = lookup (other, NULL, &server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (token, ==, "token-streamer");
  g_assert_cmpstr (server, ==, "http://127.0.0.1:1111");
  g_clear_pointer (&token, g_free);
  g_clear_pointer (&server, g_free);

  /* Storing again replaces (rotation), it does not add. */
  store (def, "http://127.0.0.1:1111", "token-rotated");
  token = lookup (def, NULL, NULL, &error);
  g_assert_cmpstr (token, ==, "token-rotated");
  g_clear_pointer (&token, g_free);

  token = lookup (def, "http://127.0.0.1:2222", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (token);

  clear (def, NULL);
  token = lookup (def, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (token);
  token = lookup (other, NULL, NULL, &error);
  g_assert_cmpstr (token, ==, "token-streamer");
  clear (other, "http://127.0.0.1:1111");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/client/keyring/store-lookup-clear", test_store_lookup_clear);
  return g_test_run ();
}
