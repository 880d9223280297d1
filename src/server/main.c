/* bountycam-server: the bounty backend
 *
 * Prints exactly one line on stdout once it is ready to take requests:
 *   listening on http://HOST:PORT
 * Everything else goes to the log (stderr).
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-known-warnings.h"

#include "bc-server.h"
#include "bc-sfu.h"
#include "bc-sqlite-store.h"

#include <glib-unix.h>
#include <stdio.h>
#include <unistd.h>

static GMainLoop *loop;
static BcSfu *sfu;

/* Once requests are answered and the data is committed, tearing down media
 * pipelines of peers that vanished can block inside GStreamer; the process
 * must still go away when asked to. */
#define TEARDOWN_LIMIT_S 10

static gpointer
teardown_watchdog (gpointer user_data)
{
  g_usleep (TEARDOWN_LIMIT_S * G_USEC_PER_SEC);
  g_printerr ("bountycam-server: teardown took more than %d s; exiting now\n", TEARDOWN_LIMIT_S);
  _exit (0);
  return NULL;
}

static void
on_shutdown_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  bc_server_shutdown_finish (BC_SERVER (source), result, NULL);
  g_main_loop_quit (loop);
}

static gboolean
on_signal (gpointer user_data)
{
  BcServer *server = user_data;

  g_message ("Stopping: finishing requests in flight");
  /* Clients in the built-in SFU's rooms are told the server is going away
   * (a leave), so they do not keep trying to reconnect. */
  if (sfu != NULL)
    bc_sfu_close (sfu);
  bc_server_shutdown_async (server, NULL, on_shutdown_done, NULL);
  return G_SOURCE_CONTINUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcConfig) config = NULL;
  g_autoptr (BcSqliteStore) store = NULL;
  g_autoptr (BcServer) server = NULL;
  guint sigint_id, sigterm_id;

  config = bc_config_load (&argc, &argv, &error);
  bc_known_warnings_install ();
  if (config == NULL)
    {
      g_printerr ("bountycam-server: %s\n", error->message);
      return 2;
    }
  /* All storage goes through BcStore; SQLite is the one built in. */
  if (g_str_has_prefix (config->database_path, "postgres://") ||
      g_str_has_prefix (config->database_path, "postgresql://"))
    {
      g_printerr ("bountycam-server: BOUNTYCAM_DATABASE: this build stores data in SQLite only; "
                  "give a file path\n");
      return 2;
    }
  store = bc_sqlite_store_open (config->database_path, &error);
  if (store == NULL ||
      (config->durable_commits && !bc_sqlite_store_set_durable (store, TRUE, &error)))
    {
      g_printerr ("bountycam-server: %s\n", error->message);
      return 1;
    }

  server = bc_server_new (g_steal_pointer (&config), BC_STORE (store));
  if (!bc_server_listen (server, &error))
    {
      g_printerr ("bountycam-server: %s\n", error->message);
      return 1;
    }

  /* With no LiveKit configured the built-in SFU serves /rtc and the
   * RoomService on the same port. ICE stays on 127.0.0.1 unless
   * BOUNTYCAM_SFU_ICE_ADDRESSES lists other local addresses (comma
   * separated; "all" for every interface). */
  if (bc_server_uses_builtin_sfu (server))
    {
      const char *ice = g_getenv ("BOUNTYCAM_SFU_ICE_ADDRESSES");
      const char *departure = g_getenv ("BOUNTYCAM_SFU_DEPARTURE_TIMEOUT");

      sfu = bc_sfu_new (bc_server_get_livekit_api_key (server),
                        bc_server_get_livekit_api_secret (server),
                        bc_server_get_webhook_url (server));
      if (ice != NULL)
        {
          g_auto (GStrv) list = g_strsplit (ice, ",", -1);

          bc_sfu_set_ice_addresses (sfu,
                                    g_str_equal (ice, "all") ? NULL : (const char *const *) list);
        }
      if (departure != NULL)
        bc_sfu_set_departure_timeout (sfu, (guint) g_ascii_strtoull (departure, NULL, 10));
      bc_sfu_attach (sfu, bc_server_get_soup_server (server));
    }

  loop = g_main_loop_new (NULL, FALSE);
  sigint_id = g_unix_signal_add (SIGINT, on_signal, server);
  sigterm_id = g_unix_signal_add (SIGTERM, on_signal, server);

  g_message ("LiveKit for clients: %s%s", bc_server_get_livekit_url (server),
             bc_server_uses_builtin_sfu (server) ? " (built-in SFU)" : "");
  printf ("listening on %s\n", bc_server_get_base_url (server));
  fflush (stdout);

  g_main_loop_run (loop);

  g_thread_unref (g_thread_new ("bc-teardown-watchdog", teardown_watchdog, NULL));
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_clear_object (&sfu);
  g_clear_object (&server);
  g_clear_object (&store);
  g_clear_pointer (&loop, g_main_loop_unref);
  return 0;
}
