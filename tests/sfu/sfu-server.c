/* bc-sfu-server: the built-in SFU alone on a loopback port, for tests that
 * need a LiveKit server but no backend. Prints "listening on http://…" and
 * serves until SIGTERM/SIGINT. Credentials come from LIVEKIT_API_KEY and
 * LIVEKIT_API_SECRET; BC_SFU_WEBHOOK_URL and BC_SFU_DEPARTURE_TIMEOUT are
 * optional. */
#include "config.h"

#include "bc-known-warnings.h"

#include "bc-sfu.h"

#include <glib-unix.h>
#include <gst/gst.h>

static gboolean
on_signal (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupServer) server = NULL;
  g_autoptr (BcSfu) sfu = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GInetAddress) address = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) socket_address = g_inet_socket_address_new (address, 0);
  const char *key = g_getenv ("LIVEKIT_API_KEY");
  const char *secret = g_getenv ("LIVEKIT_API_SECRET");
  const char *timeout = g_getenv ("BC_SFU_DEPARTURE_TIMEOUT");
  GSList *uris;

  gst_init (&argc, &argv);
  bc_known_warnings_install ();
  if (key == NULL || secret == NULL)
    {
      g_printerr ("Set LIVEKIT_API_KEY and LIVEKIT_API_SECRET\n");
      return 2;
    }
  loop = g_main_loop_new (NULL, FALSE);
  sfu = bc_sfu_new (key, secret, g_getenv ("BC_SFU_WEBHOOK_URL"));
  if (timeout != NULL)
    bc_sfu_set_departure_timeout (sfu, (guint) g_ascii_strtoull (timeout, NULL, 10));
  server = soup_server_new ("server-header", "bc-sfu-server", NULL);
  bc_sfu_attach (sfu, server);
  if (!soup_server_listen (server, socket_address, 0, &error))
    {
      g_printerr ("Cannot listen: %s\n", error->message);
      return 1;
    }
  uris = soup_server_get_uris (server);
  for (GSList *l = uris; l != NULL; l = l->next)
    {
      g_autofree char *text = g_uri_to_string (l->data);

      g_print ("listening on %s\n", text);
    }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  g_unix_signal_add (SIGTERM, on_signal, loop);
  g_unix_signal_add (SIGINT, on_signal, loop);
  g_main_loop_run (loop);
  soup_server_disconnect (server);
  g_clear_object (&sfu);
  return 0;
}
