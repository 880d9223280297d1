/* replay-main.c: runs a fuzz target over stored inputs, without libFuzzer
 *
 * Every argument is a file or a directory of files; each file is handed to
 * LLVMFuzzerTestOneInput once. The crashers and seeds kept under corpus/
 * thus stay regression tests in every build, sanitizers or not. */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);
int LLVMFuzzerInitialize (int *argc, char ***argv) __attribute__ ((weak));

static guint
replay_file (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len;

  if (!g_file_get_contents (path, &data, &len, &error))
    g_error ("%s", error->message);
  LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
  return 1;
}

static gint
compare (gconstpointer a, gconstpointer b)
{
  return g_strcmp0 (*(char **) a, *(char **) b);
}

int
main (int argc, char **argv)
{
  guint n = 0;

  if (LLVMFuzzerInitialize != NULL)
    LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr (GError) error = NULL;
          g_autoptr (GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;

          if (dir == NULL)
            g_error ("%s", error->message);
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          /* The same order every time, so a failure names the same file. */
          g_ptr_array_sort (names, compare);
          for (guint k = 0; k < names->len; k++)
            {
              printf ("# %s\n", (char *) g_ptr_array_index (names, k));
              fflush (stdout);
              n += replay_file (g_ptr_array_index (names, k));
            }
        }
      else
        n += replay_file (argv[i]);
    }
  if (n == 0)
    g_error ("No inputs to replay");
  printf ("replayed %u inputs\n", n);
  return 0;
}
