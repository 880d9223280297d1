/* Helpers for the app's UI tests. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <string.h>

#include "bc-app-test-util.h"
#include "bc-window.h"

static gboolean
timed_out_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @condition holds or @timeout_seconds pass. */
gboolean
bc_test_wait (BcTestCondition condition, gpointer data, guint timeout_seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (timeout_seconds, timed_out_cb, &timed_out);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);

  return condition (data);
}

void
bc_test_wait_ms (guint milliseconds)
{
  gboolean done = FALSE;

  g_timeout_add (milliseconds, timed_out_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
widget_drawn (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

static gboolean
no_toasts (gpointer data)
{
  return bc_window_get_n_toasts (data) == 0;
}

/* Renders @widget as GTK draws it and saves it as <build>/screenshots/NAME.png. */
void
bc_test_screenshot (GtkWidget *widget, const char *name)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *file = NULL;
  g_autofree char *png = NULL;
  const char *build_root = g_getenv ("BC_BUILD_ROOT");
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  int width, height;
  graphene_rect_t bounds;

  /* No toast in the picture, and pending layout, styles and images settled. */
  if (BC_IS_WINDOW (widget))
    bc_test_wait (no_toasts, widget, 6);
  g_assert_true (bc_test_wait (widget_drawn, widget, 10));
  bc_test_wait_ms (300);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  graphene_rect_init (&bounds, 0, 0, width, height);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);

  dir = g_build_filename (build_root ? build_root : ".", "screenshots", NULL);
  g_mkdir_with_parents (dir, 0755);
  png = g_strconcat (name, ".png", NULL);
  file = g_build_filename (dir, png, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, file));
  g_test_message ("screenshot: %s (%dx%d)", file, width, height);
}

GtkWidget *
bc_test_find_child (GtkWidget *root, GType type)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        return child;
      if ((found = bc_test_find_child (child, type)) != NULL)
        return found;
    }

  return NULL;
}

struct _BcTestServer
{
  GSubprocess *process;
  char *dir;
  char *url;
};

typedef struct
{
  GDataInputStream *stdout_stream;
  char *url;
  gboolean eof;
} ReadState;

static void
on_line (GObject *object, GAsyncResult *result, gpointer user_data)
{
  ReadState *state = user_data;
  g_autofree char *line = NULL;
  g_autoptr (GRegex) regex = NULL;
  g_autoptr (GMatchInfo) match = NULL;

  line =
      g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (object), result, NULL, NULL);
  if (line == NULL)
    {
      state->eof = TRUE;
      return;
    }

  /* The server prints the address it listens on, e.g. http://127.0.0.1:38211 */
  regex = g_regex_new ("https?://(127\\.0\\.0\\.1|\\[::1\\]|localhost):[0-9]+", 0, 0, NULL);
  if (g_regex_match (regex, line, 0, &match))
    {
      state->url = g_match_info_fetch (match, 0);
      return;
    }

  g_data_input_stream_read_line_async (state->stdout_stream, G_PRIORITY_DEFAULT, NULL, on_line,
                                       state);
}

static gboolean
server_ready (gpointer data)
{
  ReadState *state = data;

  return state->url != NULL || state->eof;
}

/* The server goes when the test goes, even when the test crashes. */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static char *
server_binary (void)
{
  const char *build_root = g_getenv ("BC_BUILD_ROOT");

  return g_build_filename (build_root ? build_root : ".", "src", "server", "bountycam-server",
                           NULL);
}

/* Starts the server on @listen with the database in @server->dir. */
static void
spawn_server (BcTestServer *server, const char *listen)
{
  g_autofree char *binary = server_binary ();
  g_autofree char *database = g_build_filename (server->dir, "bountycam.db", NULL);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GOutputStream) sink = NULL;
  ReadState state = { 0 };

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_cwd (launcher, server->dir);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  /* The server's own secrets go to its data directory: keep it in the temp dir. */
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", server->dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", server->dir, TRUE);
  server->process = g_subprocess_launcher_spawn (launcher, &error, binary, "--dev", "--listen",
                                                 listen, "--database", database, NULL);
  g_assert_no_error (error);

  state.stdout_stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_data_input_stream_read_line_async (state.stdout_stream, G_PRIORITY_DEFAULT, NULL, on_line,
                                       &state);
  bc_test_wait (server_ready, &state, 30);
  g_assert_nonnull (state.url);
  g_free (server->url);
  server->url = state.url;
  /* Keep draining its output so the server never blocks on a full pipe. */
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (state.stdout_stream),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, G_PRIORITY_DEFAULT, NULL, NULL,
                                NULL);
  g_object_unref (state.stdout_stream);
}

BcTestServer *
bc_test_server_start (void)
{
  g_autofree char *binary = server_binary ();
  g_autoptr (GError) error = NULL;
  BcTestServer *server;

  if (!g_file_test (binary, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("bountycam-server is not built");
      return NULL;
    }

  server = g_new0 (BcTestServer, 1);
  server->dir = g_dir_make_tmp ("bountycam-app-server-XXXXXX", &error);
  g_assert_no_error (error);
  spawn_server (server, "127.0.0.1:0");

  g_test_message ("server at %s", server->url);
  return server;
}

/* Stops the server (SIGTERM) and starts it again on the same address with
 * the same database. */
void
bc_test_server_restart (BcTestServer *server)
{
  g_autofree char *listen = g_strdup (server->url + strlen ("http://"));

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_clear_object (&server->process);
  spawn_server (server, listen);
}

/* Stops the server but keeps its database for bc_test_server_restart(). */
void
bc_test_server_pause (BcTestServer *server)
{
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
}

const char *
bc_test_server_get_url (BcTestServer *server)
{
  return server->url;
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

void
bc_test_server_stop (BcTestServer *server)
{
  if (server == NULL)
    return;

  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait (server->process, NULL, NULL);
  g_object_unref (server->process);
  remove_tree (server->dir);
  g_free (server->dir);
  g_free (server->url);
  g_free (server);
}

static const char notifications_xml[] =
    "<node>"
    "  <interface name='org.freedesktop.Notifications'>"
    "    <method name='Notify'>"
    "      <arg type='s' direction='in'/><arg type='u' direction='in'/>"
    "      <arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "      <arg type='s' direction='in'/><arg type='as' direction='in'/>"
    "      <arg type='a{sv}' direction='in'/><arg type='i' direction='in'/>"
    "      <arg type='u' direction='out'/>"
    "    </method>"
    "    <method name='CloseNotification'><arg type='u' direction='in'/></method>"
    "    <method name='GetCapabilities'><arg type='as' direction='out'/></method>"
    "    <method name='GetServerInformation'>"
    "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "      <arg type='s' direction='out'/><arg type='s' direction='out'/>"
    "    </method>"
    "    <signal name='NotificationClosed'><arg type='u'/><arg type='u'/></signal>"
    "    <signal name='ActionInvoked'><arg type='u'/><arg type='s'/></signal>"
    "  </interface>"
    "</node>";

static GPtrArray *notifications;

static void
on_notifications_call (GDBusConnection *connection,
                       const char *sender,
                       const char *object_path,
                       const char *interface_name,
                       const char *method_name,
                       GVariant *parameters,
                       GDBusMethodInvocation *invocation,
                       gpointer user_data)
{
  if (g_str_equal (method_name, "Notify"))
    {
      const char *summary = NULL;

      g_variant_get_child (parameters, 3, "&s", &summary);
      g_ptr_array_add (notifications, g_strdup (summary));
      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(u)", notifications->len));
    }
  else if (g_str_equal (method_name, "GetCapabilities"))
    {
      const char *caps[] = { "body", "actions", NULL };

      g_dbus_method_invocation_return_value (invocation, g_variant_new ("(^as)", caps));
    }
  else if (g_str_equal (method_name, "GetServerInformation"))
    g_dbus_method_invocation_return_value (
        invocation, g_variant_new ("(ssss)", "test", "BountyCam", "1", "1.2"));
  else
    g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable notifications_vtable = { on_notifications_call };

static gboolean
name_settled (gpointer data)
{
  return *(int *) data != 0;
}

static void
on_name_acquired (GDBusConnection *connection, const char *name, gpointer user_data)
{
  *(int *) user_data = 1;
}

static void
on_name_lost (GDBusConnection *connection, const char *name, gpointer user_data)
{
  *(int *) user_data = -1;
}

void
bc_test_notifications_start (void)
{
  g_autoptr (GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr (GDBusNodeInfo) info = g_dbus_node_info_new_for_xml (notifications_xml, NULL);
  g_autoptr (GError) error = NULL;
  static int owned;

  g_assert_nonnull (bus);
  notifications = g_ptr_array_new_with_free_func (g_free);
  g_dbus_connection_register_object (bus, "/org/freedesktop/Notifications", info->interfaces[0],
                                     &notifications_vtable, NULL, NULL, &error);
  g_assert_no_error (error);
  g_bus_own_name_on_connection (bus, "org.freedesktop.Notifications", G_BUS_NAME_OWNER_FLAGS_NONE,
                                on_name_acquired, on_name_lost, &owned, NULL);
  g_assert_true (bc_test_wait (name_settled, &owned, 10));
  g_assert_cmpint (owned, ==, 1);
}

GPtrArray *
bc_test_notifications_get (void)
{
  return notifications;
}
