/* bc-password.c
 *
 * libsodium's crypto_pwhash_str() with its "interactive" limits, which are
 * argon2id with 64 MiB: login is meant to cost something. The thread pool is
 * bounded by the number of processors so that a burst of logins cannot take
 * all memory (each hash holds its 64 MiB while it runs).
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-password.h"
#include "bc-core-error.h"

#include <sodium.h>
#include <string.h>

static GThreadPool *pool;

static void
ensure_init (void)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      if (sodium_init () < 0)
        g_error ("libsodium could not be initialised");
      g_once_init_leave (&once, 1);
    }
}

char *
bc_password_hash (const char *password, GError **error)
{
  char out[crypto_pwhash_STRBYTES];

  ensure_init ();
  if (crypto_pwhash_str (out, password, strlen (password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                         crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                           "Not enough memory to hash the password");
      return NULL;
    }
  return g_strdup (out);
}

static const char *
dummy_hash (void)
{
  static char *hash;
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      hash = bc_password_hash ("bountycam-no-such-account", NULL);
      g_once_init_leave (&once, 1);
    }
  return hash;
}

gboolean
bc_password_verify (const char *hash, const char *password)
{
  ensure_init ();
  if (hash == NULL)
    {
      const char *dummy = dummy_hash ();

      if (dummy != NULL)
        (void) !crypto_pwhash_str_verify (dummy, password, strlen (password));
      return FALSE;
    }
  return crypto_pwhash_str_verify (hash, password, strlen (password)) == 0;
}

typedef struct
{
  char *hash;
  char *password;
  gboolean verify;
} Job;

static void
job_free (Job *job)
{
  g_free (job->hash);
  if (job->password)
    sodium_memzero (job->password, strlen (job->password));
  g_free (job->password);
  g_free (job);
}

static void
run_job (gpointer data, gpointer user_data)
{
  g_autoptr (GTask) task = data;
  Job *job = g_task_get_task_data (task);

  if (job->verify)
    g_task_return_boolean (task, bc_password_verify (job->hash, job->password));
  else
    {
      GError *error = NULL;
      char *hash = bc_password_hash (job->password, &error);

      if (hash)
        g_task_return_pointer (task, hash, g_free);
      else
        g_task_return_error (task, error);
    }
}

static void
push (GTask *task)
{
  static gsize once = 0;

  if (g_once_init_enter (&once))
    {
      ensure_init ();
      pool = g_thread_pool_new (run_job, NULL, (int) MAX (2, g_get_num_processors ()), FALSE, NULL);
      g_once_init_leave (&once, 1);
    }
  g_thread_pool_push (pool, task, NULL);
}

void
bc_password_hash_async (const char *password,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  g_task_set_source_tag (task, bc_password_hash_async);
  job->password = g_strdup (password);
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  push (task);
}

char *
bc_password_hash_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
bc_password_verify_async (const char *hash,
                          const char *password,
                          GCancellable *cancellable,
                          GAsyncReadyCallback callback,
                          gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Job *job = g_new0 (Job, 1);

  g_task_set_source_tag (task, bc_password_verify_async);
  job->hash = g_strdup (hash);
  job->password = g_strdup (password);
  job->verify = TRUE;
  g_task_set_task_data (task, job, (GDestroyNotify) job_free);
  push (task);
}

gboolean
bc_password_verify_finish (GAsyncResult *result)
{
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

static gboolean
invalid (GError **error, const char *field, const char *message)
{
  g_set_error (error, BC_CORE_ERROR, BC_CORE_ERROR_INVALID_FIELD, "The field “%s” %s", field,
               message);
  return FALSE;
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; *p; p = g_utf8_next_char (p))
    if (g_unichar_iscntrl (g_utf8_get_char (p)))
      return TRUE;
  return FALSE;
}

gboolean
bc_validate_email (const char *email, GError **error)
{
  const char *at;
  gsize len;

  if (email == NULL)
    return invalid (error, "email", "is required");
  len = strlen (email);
  if (len < 3 || len > 254 || !g_utf8_validate (email, -1, NULL))
    return invalid (error, "email", "must be an email address of at most 254 characters");
  at = strchr (email, '@');
  if (at == NULL || at == email || strchr (at + 1, '@') != NULL || at[1] == '\0' ||
      strchr (at + 1, '.') == NULL || at[strlen (at) - 1] == '.' || at[1] == '.' ||
      strpbrk (email, " \t\r\n<>(),;:\"[]\\") != NULL || has_control_chars (email))
    return invalid (error, "email", "must be an email address like name@example.org");
  return TRUE;
}

gboolean
bc_validate_password (const char *password, GError **error)
{
  glong chars;

  if (password == NULL)
    return invalid (error, "password", "is required");
  if (!g_utf8_validate (password, -1, NULL))
    return invalid (error, "password", "must be valid UTF-8 text");
  chars = g_utf8_strlen (password, -1);
  if (chars < BC_PASSWORD_MIN_LEN)
    return invalid (error, "password", "must have at least 8 characters");
  if (strlen (password) > BC_PASSWORD_MAX_LEN)
    return invalid (error, "password", "must have at most 256 bytes");
  return TRUE;
}

gboolean
bc_validate_display_name (const char *name, GError **error)
{
  g_autofree char *trimmed = NULL;
  glong chars;

  if (name == NULL)
    return invalid (error, "display_name", "is required");
  if (!g_utf8_validate (name, -1, NULL) || has_control_chars (name))
    return invalid (error, "display_name", "must be plain text");
  trimmed = g_strstrip (g_strdup (name));
  chars = g_utf8_strlen (trimmed, -1);
  if (chars < 1 || chars > 64)
    return invalid (error, "display_name", "must have 1 to 64 characters");
  return TRUE;
}
