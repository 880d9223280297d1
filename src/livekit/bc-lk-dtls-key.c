/* bc-lk-dtls-key.c: a per-user cache for the key of GStreamer's DTLS certificate
 *
 * GStreamer 1.22's DTLS elements make one certificate per process, with a new
 * RSA 2048 key, as soon as the first dtlsdec is created
 * (gst-plugins-bad/ext/dtls: gst_dtls_dec_init() → get_agent_by_pem (NULL) →
 * gstdtlscertificate.c init_generated() → RSA_generate_key_ex()). That takes
 * 0.1–1.5 s of CPU on a busy machine and holds up the first connection of
 * every new process. A "pem" given to dtlsdec or to webrtcbin's
 * GstWebRTCDTLSTransport "certificate" does not help: the element makes the
 * generated certificate in its init function anyway, before any property
 * can be set.
 *
 * So this file supplies RSA_generate_key_ex() itself; the executable exports
 * it (see meson.build), which makes the DTLS plugin call it instead of
 * libcrypto's. While the cache is enabled, a 2048-bit key with exponent
 * 65537 comes from $XDG_CACHE_HOME/bountycam/dtls-key.pem (mode 0600, in a
 * 0700 directory, made again when older than 30 days or readable by others),
 * the way a browser may keep one RTCCertificate for an origin. The
 * certificate itself is still made fresh by the plugin in every process
 * (new serial number and validity, signed with that key); only the key
 * generation is saved. Every other call goes to libcrypto.
 * BC_DTLS_KEY_CACHE=0 turns the cache off. */
#define G_LOG_DOMAIN "bc-livekit"

/* The signature we interpose is RSA's, which OpenSSL 3 marks deprecated. */
#define OPENSSL_SUPPRESS_DEPRECATED

#include "config.h"

#include "bc-lk-dtls-key-private.h"

#include <dlfcn.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_AGE_S (30 * 24 * 3600)

typedef int (*GenerateFunc) (RSA *rsa, int bits, BIGNUM *e, BN_GENCB *cb);

static gint enabled;
static GMutex lock;

void
_bc_lk_dtls_key_cache_enable (void)
{
  const char *env = g_getenv ("BC_DTLS_KEY_CACHE");

  if (env != NULL && g_str_equal (env, "0"))
    return;
  g_atomic_int_set (&enabled, 1);
}

char *
_bc_lk_dtls_key_cache_path (void)
{
  return g_build_filename (g_get_user_cache_dir (), "bountycam", "dtls-key.pem", NULL);
}

static GenerateFunc
real_generate (void)
{
  static gsize func;

  if (g_once_init_enter (&func))
    {
      /* libcrypto's own, the next definition after this executable's. */
      gsize found = (gsize) dlsym (RTLD_NEXT, "RSA_generate_key_ex");

      g_once_init_leave (&func, found != 0 ? found : 1);
    }
  return func > 1 ? (GenerateFunc) func : NULL;
}

/* The cached key if it is ours alone, young enough and of the asked size. */
static RSA *
load_cached (const char *path, int bits, const BIGNUM *e)
{
  GStatBuf st;
  g_autofree char *pem = NULL;
  gsize len = 0;
  BIO *bio;
  RSA *key;
  const BIGNUM *key_e = NULL;

  if (g_stat (path, &st) != 0)
    return NULL;
  if (!S_ISREG (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 077) != 0)
    {
      g_debug ("Ignoring the cached DTLS key: not a private file");
      return NULL;
    }
  if (g_get_real_time () / G_USEC_PER_SEC - st.st_mtime > MAX_AGE_S)
    return NULL;
  if (!g_file_get_contents (path, &pem, &len, NULL))
    return NULL;
  bio = BIO_new_mem_buf (pem, (int) len);
  key = bio != NULL ? PEM_read_bio_RSAPrivateKey (bio, NULL, NULL, NULL) : NULL;
  BIO_free (bio);
  OPENSSL_cleanse (pem, len);
  if (key == NULL)
    return NULL;
  RSA_get0_key (key, NULL, &key_e, NULL);
  if (RSA_bits (key) != bits || key_e == NULL || BN_cmp (key_e, e) != 0)
    {
      RSA_free (key);
      return NULL;
    }
  return key;
}

/* Moves a copy of @from's numbers into @to. */
static gboolean
copy_key (RSA *to, const RSA *from)
{
  const BIGNUM *n, *e, *d, *p, *q, *dmp1, *dmq1, *iqmp;

  RSA_get0_key (from, &n, &e, &d);
  RSA_get0_factors (from, &p, &q);
  RSA_get0_crt_params (from, &dmp1, &dmq1, &iqmp);
  if (n == NULL || e == NULL || d == NULL || p == NULL || q == NULL || dmp1 == NULL ||
      dmq1 == NULL || iqmp == NULL)
    return FALSE;
  return RSA_set0_key (to, BN_dup (n), BN_dup (e), BN_dup (d)) &&
         RSA_set0_factors (to, BN_dup (p), BN_dup (q)) &&
         RSA_set0_crt_params (to, BN_dup (dmp1), BN_dup (dmq1), BN_dup (iqmp));
}

static void
store (const char *path, RSA *key)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autoptr (GError) error = NULL;
  BIO *bio = BIO_new (BIO_s_mem ());
  char *data = NULL;
  long len;

  if (bio == NULL)
    return;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      g_debug ("Cannot make %s: %s", dir, g_strerror (errno));
      BIO_free (bio);
      return;
    }
  if (PEM_write_bio_RSAPrivateKey (bio, key, NULL, NULL, 0, NULL, NULL) &&
      (len = BIO_get_mem_data (bio, &data)) > 0)
    {
      /* Written whole under a temporary name, mode 0600 from the start. */
      if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &error))
        g_debug ("Cannot cache the DTLS key: %s", error->message);
      OPENSSL_cleanse (data, len);
    }
  BIO_free (bio);
}

/* Exported from the executable, so it replaces libcrypto's for the DTLS
 * plugin (see above). */
__attribute__ ((visibility ("default"))) int
RSA_generate_key_ex (RSA *rsa, int bits, BIGNUM *e, BN_GENCB *cb)
{
  GenerateFunc generate = real_generate ();
  g_autofree char *path = NULL;
  RSA *cached;
  int ret;

  if (generate == NULL)
    return 0;
  if (!g_atomic_int_get (&enabled) || bits != 2048 || e == NULL || !BN_is_word (e, RSA_F4))
    return generate (rsa, bits, e, cb);

  path = _bc_lk_dtls_key_cache_path ();
  g_mutex_lock (&lock);
  cached = load_cached (path, bits, e);
  if (cached != NULL)
    {
      gboolean ok = copy_key (rsa, cached);

      RSA_free (cached);
      if (ok)
        {
          g_mutex_unlock (&lock);
          return 1;
        }
    }
  ret = generate (rsa, bits, e, cb);
  if (ret == 1)
    store (path, rsa);
  g_mutex_unlock (&lock);
  return ret;
}
