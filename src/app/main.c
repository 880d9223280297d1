/* bountycam: the BountyCam desktop app. */
#include "config.h"

#include "bc-known-warnings.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <locale.h>

#include "bc-application.h"

int
main (int argc, char *argv[])
{
  g_autoptr (BcApplication) app = NULL;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  gst_init (&argc, &argv);
  bc_known_warnings_install ();
  app = bc_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
