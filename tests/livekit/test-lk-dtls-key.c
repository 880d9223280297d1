/* The per-user cache of the DTLS certificate's key (bc-lk-dtls-key.c): each
 * case runs this program again as a fresh process (GStreamer makes one
 * certificate per process) with its own XDG_CACHE_HOME, and compares the
 * digests of the certificate and key that GStreamer's DTLS elements use. */
#include "config.h"

#include "bc-lk-peer.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>
#include <sys/stat.h>
#include <utime.h>

typedef struct
{
  char *key;  /* SHA-256 of the public key */
  char *cert; /* SHA-256 of the certificate PEM */
} Digests;

static void
digests_clear (Digests *d)
{
  g_clear_pointer (&d->key, g_free);
  g_clear_pointer (&d->cert, g_free);
}

/* Child: prints the digests of this process's DTLS certificate and of its
 * public key (the certificate says which key signed it). */
static int
run_child (void)
{
  GstElement *dec;
  g_autofree char *pem = NULL;
  g_autofree char *key_digest = NULL;
  BIO *bio;
  X509 *cert;
  unsigned char *der = NULL;
  int der_len;

  bc_lk_peer_warm_up ();
  dec = gst_element_factory_make ("dtlsdec", NULL);
  g_assert_nonnull (dec);
  g_object_get (dec, "pem", &pem, NULL);
  gst_object_unref (dec);
  g_assert_nonnull (pem);
  bio = BIO_new_mem_buf (pem, -1);
  cert = PEM_read_bio_X509 (bio, NULL, NULL, NULL);
  BIO_free (bio);
  g_assert_nonnull (cert);
  der_len = i2d_PUBKEY (X509_get0_pubkey (cert), &der);
  g_assert_cmpint (der_len, >, 0);
  key_digest = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der, der_len);
  OPENSSL_free (der);
  X509_free (cert);
  g_print ("key %s\n", key_digest);
  g_print ("cert %s\n", g_compute_checksum_for_string (G_CHECKSUM_SHA256, pem, -1));
  bc_lk_peer_warm_up_finish ();
  return 0;
}

static char *self_exe;

static Digests
run (const char *cache_home, gboolean cache_off)
{
  g_autoptr (GSubprocessLauncher) launcher =
      g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) proc = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  Digests d = { 0 };

  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache_home, TRUE);
  if (cache_off)
    g_subprocess_launcher_setenv (launcher, "BC_DTLS_KEY_CACHE", "0", TRUE);
  else
    g_subprocess_launcher_unsetenv (launcher, "BC_DTLS_KEY_CACHE");
  proc = g_subprocess_launcher_spawn (launcher, &error, self_exe, "--child", NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "key "))
        d.key = g_strdup (lines[i] + 4);
      else if (g_str_has_prefix (lines[i], "cert "))
        d.cert = g_strdup (lines[i] + 5);
    }
  g_assert_nonnull (d.key);
  g_assert_nonnull (d.cert);
  return d;
}

static mode_t
mode_of (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 0777;
}

static void
test_dtls_key_cache (void)
{
  g_autofree char *home = g_dir_make_tmp ("bc-dtls-key-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (home, "bountycam", NULL);
  g_autofree char *path = g_build_filename (dir, "dtls-key.pem", NULL);
  g_autofree char *saved = NULL;
  g_autofree char *again = NULL;
  Digests first, second, old, lax, off, broken;
  GStatBuf st;
  struct utimbuf times;

  /* The first process makes the key and caches it for this user only. */
  first = run (home, FALSE);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (mode_of (path), ==, 0600);
  g_assert_cmpint (mode_of (dir), ==, 0700);

  /* The next uses the same key in a certificate of its own. */
  second = run (home, FALSE);
  g_assert_cmpstr (second.key, ==, first.key);
  g_assert_cmpstr (second.cert, !=, first.cert);

  /* A key older than 30 days is replaced. */
  times.actime = times.modtime = time (NULL) - 31 * 24 * 3600;
  g_assert_cmpint (g_utime (path, &times), ==, 0);
  old = run (home, FALSE);
  g_assert_cmpstr (old.key, !=, first.key);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mtime, >, time (NULL) - 3600);

  /* One others can read is not used, and replaced by a private one. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  lax = run (home, FALSE);
  g_assert_cmpstr (lax.key, !=, old.key);
  g_assert_cmpint (mode_of (path), ==, 0600);

  /* BC_DTLS_KEY_CACHE=0: a new key, and the cache is left alone. */
  g_assert_true (g_file_get_contents (path, &saved, NULL, NULL));
  off = run (home, TRUE);
  g_assert_cmpstr (off.key, !=, lax.key);
  g_assert_true (g_file_get_contents (path, &again, NULL, NULL));
  g_assert_cmpstr (again, ==, saved);

  /* A damaged file is replaced by a working key. */
  g_assert_true (
      g_file_set_contents_full (path, "not a key\n", -1, G_FILE_SET_CONTENTS_NONE, 0600, NULL));
  broken = run (home, FALSE);
  g_assert_cmpstr (broken.key, !=, lax.key);
  g_clear_pointer (&again, g_free);
  g_assert_true (g_file_get_contents (path, &again, NULL, NULL));
  g_assert_true (strstr (again, "PRIVATE KEY") != NULL);

  digests_clear (&first);
  digests_clear (&second);
  digests_clear (&old);
  digests_clear (&lax);
  digests_clear (&off);
  digests_clear (&broken);
  g_remove (path);
  g_rmdir (dir);
  g_rmdir (home);
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  if (argc == 2 && g_str_equal (argv[1], "--child"))
    return run_child ();
  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/livekit/dtls-key/cache", test_dtls_key_cache);
  return g_test_run ();
}
