/* test-ui-german: the app starts in German.
 *
 * Runs the real BcApplication with LANGUAGE=de (under Xvfb, see
 * run-under-xvfb.sh), waits for its window to show the sign-in page, and
 * checks the texts on that page come from po/de.po: the translated strings
 * are shown and their English originals are not. Saves the page as
 * sign-in-de.png in the build directory. */
#include "config.h"

#include "bc-known-warnings.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "bc-application.h"
#include "bc-sign-in-page.h"
#include "bc-window.h"

typedef struct
{
  BcApplication *app;
  BcWindow *window;
  GPtrArray *texts;
  guint timeout_id;
  gboolean timed_out;
} Fixture;

static void
collect_texts (GtkWidget *widget, GPtrArray *texts)
{
  const char *text = NULL;

  /* Only what is on screen: hidden rows and other stack pages do not count. */
  if (!gtk_widget_get_mapped (widget))
    return;

  if (GTK_IS_LABEL (widget))
    text = gtk_label_get_text (GTK_LABEL (widget));
  else if (ADW_IS_PREFERENCES_ROW (widget))
    text = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget));
  if (text != NULL && *text != '\0')
    g_ptr_array_add (texts, g_strdup (text));

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_texts (child, texts);
}

static gboolean
shows (GPtrArray *texts, const char *text)
{
  for (guint i = 0; i < texts->len; i++)
    if (g_str_equal (g_ptr_array_index (texts, i), text))
      return TRUE;
  return FALSE;
}

static void
save_screenshot (GtkWidget *widget, const char *path)
{
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr (GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  if (node == NULL)
    return;
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (gtk_widget_get_native (widget)),
                                         node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (texture != NULL && gdk_texture_save_to_png (texture, path))
    g_test_message ("saved %s", path);
}

/* Polls until the window is mapped on the sign-in page with a laid-out
 * page, then reads its texts. Polling, not a fixed delay, keeps the test
 * independent of how loaded the machine is. */
static gboolean
on_poll (gpointer user_data)
{
  Fixture *f = user_data;
  GList *windows = gtk_application_get_windows (GTK_APPLICATION (f->app));
  GtkWidget *page;

  for (GList *l = windows; l != NULL && f->window == NULL; l = l->next)
    if (BC_IS_WINDOW (l->data))
      f->window = l->data;
  if (f->window == NULL || !gtk_widget_get_mapped (GTK_WIDGET (f->window)) ||
      g_strcmp0 (bc_window_get_page_name (f->window), "sign-in") != 0)
    return G_SOURCE_CONTINUE;

  page = bc_window_get_sign_in_page (f->window);
  if (gtk_widget_get_width (page) <= 0 || bc_sign_in_page_get_busy (BC_SIGN_IN_PAGE (page)))
    return G_SOURCE_CONTINUE;
  /* Let the page finish fading in, so the screenshot shows it as a user would. */
  for (GtkWidget *w = gtk_widget_get_ancestor (page, GTK_TYPE_STACK); w != NULL;
       w = gtk_widget_get_ancestor (gtk_widget_get_parent (w), GTK_TYPE_STACK))
    if (gtk_stack_get_transition_running (GTK_STACK (w)))
      return G_SOURCE_CONTINUE;

  collect_texts (page, f->texts);
  save_screenshot (GTK_WIDGET (f->window),
                   g_test_build_filename (G_TEST_BUILT, "sign-in-de.png", NULL));
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static gboolean
on_timeout (gpointer user_data)
{
  Fixture *f = user_data;

  f->timed_out = TRUE;
  f->timeout_id = 0;
  g_application_quit (G_APPLICATION (f->app));
  return G_SOURCE_REMOVE;
}

static void
test_sign_in_page_in_german (void)
{
  Fixture f = { 0 };
  char *argv[] = { (char *) "bountycam", NULL };
  int status;
  /* English originals from ui/bc-sign-in-page.ui and their German versions;
   * msgfmt --check in the 'translations' test keeps de.po complete. */
  const char *shown[][2] = {
    { "Welcome to BountyCam", "Willkommen bei BountyCam" },
    { "Server Address", "Serveradresse" },
    { "Email", "E-Mail" },
    { "Password", "Passwort" },
    { "Sign In", "Anmelden" },
  };

  f.app = bc_application_new ();
  f.texts = g_ptr_array_new_with_free_func (g_free);
  /* Generous: the first GL frame under Xvfb/llvmpipe on a loaded machine. */
  f.timeout_id = g_timeout_add_seconds (60, on_timeout, &f);
  g_timeout_add (100, on_poll, &f);

  status = g_application_run (G_APPLICATION (f.app), 1, argv);

  g_assert_false (f.timed_out);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (f.window);
  g_assert_cmpuint (f.texts->len, >, 0);
  for (guint i = 0; i < f.texts->len; i++)
    g_test_message ("shown: %s", (char *) g_ptr_array_index (f.texts, i));

  for (gsize i = 0; i < G_N_ELEMENTS (shown); i++)
    {
      /* The catalogue itself must translate it... */
      g_assert_cmpstr (g_dgettext (GETTEXT_PACKAGE, shown[i][0]), ==, shown[i][1]);
      /* ...and the page must show the translation, not the original. */
      if (!shows (f.texts, shown[i][1]))
        g_error ("the sign-in page does not show “%s”", shown[i][1]);
      g_assert_false (shows (f.texts, shown[i][0]));
    }

  g_clear_handle_id (&f.timeout_id, g_source_remove);
  g_ptr_array_unref (f.texts);
  g_object_unref (f.app);
}

/* Without a window manager, Xvfb never gives a window the focus, and GTK
 * warns when a field told to take the focus never loses it; every other
 * warning stays fatal. */
int
main (int argc, char *argv[])
{
  const char *build_root = g_getenv ("BC_BUILD_ROOT");
  g_autofree char *localedir = NULL;

  /* The uninstalled catalogue (build/po/de/LC_MESSAGES/bountycam.mo) and
   * schema (build/data/gschemas.compiled). */
  if (build_root != NULL)
    {
      g_autofree char *schema_dir = g_build_filename (build_root, "data", NULL);

      localedir = g_build_filename (build_root, "po", NULL);
      g_setenv ("GSETTINGS_SCHEMA_DIR", schema_dir, TRUE);
    }
  /* LANGUAGE=de works with the C.UTF-8 locale the tests run in. */
  g_setenv ("LANGUAGE", "de", TRUE);
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, localedir ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_init (&argc, &argv, NULL);
  bc_known_warnings_install ();
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_test_add_func ("/data/ui/sign-in-page-in-german", test_sign_in_page_in_german);
  return g_test_run ();
}
