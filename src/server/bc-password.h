/* bc-password.h: argon2id password hashing and account field validation */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BC_PASSWORD_MIN_LEN 8
#define BC_PASSWORD_MAX_LEN 256

/* Blocking: each call takes tens of milliseconds and 64 MiB on purpose. */
char *bc_password_hash (const char *password, GError **error);
gboolean bc_password_verify (const char *hash, const char *password);

/* The same work in a bounded thread pool, so the main loop never waits.
 * bc_password_verify_async with a NULL @hash spends the same time and fails,
 * so that unknown accounts answer as slowly as known ones. */
void bc_password_hash_async (const char *password,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
char *bc_password_hash_finish (GAsyncResult *result, GError **error);
void bc_password_verify_async (const char *hash,
                               const char *password,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data);
gboolean bc_password_verify_finish (GAsyncResult *result);

/* Each fails with BC_CORE_ERROR_INVALID_FIELD naming the field. */
gboolean bc_validate_email (const char *email, GError **error);
gboolean bc_validate_password (const char *password, GError **error);
gboolean bc_validate_display_name (const char *name, GError **error);

G_END_DECLS
