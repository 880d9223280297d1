/* bc-credential-store.h: where a login is kept between runs.
 *
 * The keyring (libsecret, schema "app.bountycam.BountyCam.Login", attributes
 * "server" and "profile") holds the refresh token only, never the password.
 * For scripts, the environment: BOUNTYCAM_SERVER, BOUNTYCAM_EMAIL with
 * BOUNTYCAM_PASSWORD, or BOUNTYCAM_REFRESH_TOKEN. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define BC_DEFAULT_PROFILE "default"

#define BC_TYPE_CREDENTIAL_STORE (bc_credential_store_get_type ())
G_DECLARE_FINAL_TYPE (BcCredentialStore, bc_credential_store, BC, CREDENTIAL_STORE, GObject)

/* @profile: NULL for "default". */
BcCredentialStore *bc_credential_store_new (const char *profile);
const char *bc_credential_store_get_profile (BcCredentialStore *self);

void bc_credential_store_store_async (BcCredentialStore *self,
                                      const char *server,
                                      const char *refresh_token,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean
bc_credential_store_store_finish (BcCredentialStore *self, GAsyncResult *result, GError **error);

/* @server: NULL for the login of this profile on any server (the most
 * recently stored one). Returns the refresh token, or NULL with no error when
 * nothing is stored; @out_server gets the server it belongs to. */
void bc_credential_store_lookup_async (BcCredentialStore *self,
                                       const char *server,
                                       GCancellable *cancellable,
                                       GAsyncReadyCallback callback,
                                       gpointer user_data);
char *bc_credential_store_lookup_finish (BcCredentialStore *self,
                                         GAsyncResult *result,
                                         char **out_server,
                                         GError **error);

/* @server: NULL to forget this profile's logins on every server. */
void bc_credential_store_clear_async (BcCredentialStore *self,
                                      const char *server,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
gboolean
bc_credential_store_clear_finish (BcCredentialStore *self, GAsyncResult *result, GError **error);

/* Credentials from the environment, for scripts and tests. */
typedef struct
{
  char *server;        /* BOUNTYCAM_SERVER or NULL */
  char *email;         /* BOUNTYCAM_EMAIL or NULL */
  char *password;      /* BOUNTYCAM_PASSWORD or NULL (wiped on free) */
  char *refresh_token; /* BOUNTYCAM_REFRESH_TOKEN or NULL (wiped on free) */
} BcEnvCredentials;

/* NULL when none of the variables is set. */
BcEnvCredentials *bc_env_credentials_get (void);
/* TRUE if it holds a way to sign in (email + password, or a refresh token). */
gboolean bc_env_credentials_can_sign_in (const BcEnvCredentials *creds);
void bc_env_credentials_free (BcEnvCredentials *creds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcEnvCredentials, bc_env_credentials_free)

G_END_DECLS
