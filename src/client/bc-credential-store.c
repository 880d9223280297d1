#define G_LOG_DOMAIN "bc-client"

#include "config.h"

#include <string.h>

#include <libsecret/secret.h>

#include "bc-credential-store.h"
#include "bc-client-private.h"

struct _BcCredentialStore
{
  GObject parent_instance;

  char *profile;
};

G_DEFINE_FINAL_TYPE (BcCredentialStore, bc_credential_store, G_TYPE_OBJECT)

enum
{
  PROP_0,
  PROP_PROFILE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const SecretSchema *
get_schema (void)
{
  /* DONT_MATCH_NAME: items stay findable if the schema name is ever
   * written differently by another build (libsecret matches on xdg:schema
   * otherwise). */
  static const SecretSchema schema = {
    "app.bountycam.BountyCam.Login",
    SECRET_SCHEMA_DONT_MATCH_NAME,
    {
        { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { "profile", SECRET_SCHEMA_ATTRIBUTE_STRING },
        { NULL, 0 },
    },
  };
  return &schema;
}

static void
bc_credential_store_finalize (GObject *object)
{
  BcCredentialStore *self = BC_CREDENTIAL_STORE (object);

  g_free (self->profile);

  G_OBJECT_CLASS (bc_credential_store_parent_class)->finalize (object);
}

static void
bc_credential_store_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcCredentialStore *self = BC_CREDENTIAL_STORE (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      g_value_set_string (value, self->profile);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_credential_store_set_property (GObject *object,
                                  guint prop_id,
                                  const GValue *value,
                                  GParamSpec *pspec)
{
  BcCredentialStore *self = BC_CREDENTIAL_STORE (object);

  switch (prop_id)
    {
    case PROP_PROFILE:
      {
        const char *profile = g_value_get_string (value);
        self->profile = g_strdup (profile && *profile ? profile : BC_DEFAULT_PROFILE);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_credential_store_class_init (BcCredentialStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = bc_credential_store_finalize;
  object_class->get_property = bc_credential_store_get_property;
  object_class->set_property = bc_credential_store_set_property;

  properties[PROP_PROFILE] =
      g_param_spec_string ("profile", NULL, NULL, BC_DEFAULT_PROFILE,
                           G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_credential_store_init (BcCredentialStore *self)
{
}

BcCredentialStore *
bc_credential_store_new (const char *profile)
{
  return g_object_new (BC_TYPE_CREDENTIAL_STORE, "profile", profile, NULL);
}

const char *
bc_credential_store_get_profile (BcCredentialStore *self)
{
  g_return_val_if_fail (BC_IS_CREDENTIAL_STORE (self), NULL);
  return self->profile;
}

static GHashTable *
make_attributes (BcCredentialStore *self, const char *server)
{
  GHashTable *attrs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  g_hash_table_insert (attrs, (char *) "profile", g_strdup (self->profile));
  if (server)
    g_hash_table_insert (attrs, (char *) "server", g_strdup (server));
  return attrs;
}

static GError *
keyring_error (GError *cause)
{
  GError *error = g_error_copy (cause);
  g_prefix_error (&error, "Could not use the keyring: ");
  return error;
}

/* ---- store --------------------------------------------------------------- */

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
bc_credential_store_store_async (BcCredentialStore *self,
                                 const char *server,
                                 const char *refresh_token,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attrs = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (BC_IS_CREDENTIAL_STORE (self));
  g_return_if_fail (server != NULL);
  g_return_if_fail (refresh_token != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_credential_store_store_async);
  attrs = make_attributes (self, server);
  if (g_strcmp0 (self->profile, BC_DEFAULT_PROFILE) == 0)
    label = g_strdup_printf ("BountyCam login at %s", server);
  else
    label = g_strdup_printf ("BountyCam login at %s (profile %s)", server, self->profile);
  secret_password_storev (get_schema (), attrs, SECRET_COLLECTION_DEFAULT, label, refresh_token,
                          cancellable, on_stored, g_steal_pointer (&task));
}

gboolean
bc_credential_store_store_finish (BcCredentialStore *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- lookup -------------------------------------------------------------- */

typedef struct
{
  char *server;
  char *secret;
} LookupResult;

static void
lookup_result_free (LookupResult *r)
{
  g_free (r->server);
  if (r->secret)
    memset (r->secret, 0, strlen (r->secret));
  g_free (r->secret);
  g_free (r);
}

static void
on_retrieved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (SecretValue) value = NULL;
  g_autoptr (GHashTable) attrs = NULL;
  LookupResult *r;

  value = secret_retrievable_retrieve_secret_finish (SECRET_RETRIEVABLE (source), result, &error);
  if (value == NULL)
    {
      if (error)
        g_task_return_error (task, keyring_error (error));
      else
        g_task_return_pointer (task, NULL, NULL);
      return;
    }
  attrs = secret_retrievable_get_attributes (SECRET_RETRIEVABLE (source));
  r = g_new0 (LookupResult, 1);
  r->server = g_strdup (g_hash_table_lookup (attrs, "server"));
  r->secret = g_strdup (secret_value_get_text (value));
  g_task_return_pointer (task, r, (GDestroyNotify) lookup_result_free);
}

static void
on_searched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;
  GList *items;
  SecretRetrievable *newest = NULL;

  items = secret_password_search_finish (result, &error);
  if (error)
    {
      g_task_return_error (task, keyring_error (error));
      return;
    }
  for (GList *l = items; l; l = l->next)
    if (newest == NULL ||
        secret_retrievable_get_modified (l->data) > secret_retrievable_get_modified (newest))
      newest = l->data;

  if (newest == NULL)
    g_task_return_pointer (task, NULL, NULL);
  else
    {
      GCancellable *cancellable = g_task_get_cancellable (task);
      secret_retrievable_retrieve_secret (newest, cancellable, on_retrieved,
                                          g_steal_pointer (&task));
    }
  g_list_free_full (items, g_object_unref);
}

void
bc_credential_store_lookup_async (BcCredentialStore *self,
                                  const char *server,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attrs = NULL;

  g_return_if_fail (BC_IS_CREDENTIAL_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_credential_store_lookup_async);
  attrs = make_attributes (self, server);
  secret_password_searchv (get_schema (), attrs, SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK,
                           cancellable, on_searched, g_steal_pointer (&task));
}

char *
bc_credential_store_lookup_finish (BcCredentialStore *self,
                                   GAsyncResult *result,
                                   char **out_server,
                                   GError **error)
{
  LookupResult *r;
  char *secret;

  if (out_server)
    *out_server = NULL;
  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    return NULL;
  if (out_server)
    *out_server = g_steal_pointer (&r->server);
  secret = g_steal_pointer (&r->secret);
  lookup_result_free (r);
  return secret;
}

/* ---- clear --------------------------------------------------------------- */

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GError) error = NULL;

  /* FALSE without an error means there was nothing to clear. */
  if (!secret_password_clear_finish (result, &error) && error)
    g_task_return_error (task, keyring_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
bc_credential_store_clear_async (BcCredentialStore *self,
                                 const char *server,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autoptr (GHashTable) attrs = NULL;

  g_return_if_fail (BC_IS_CREDENTIAL_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, bc_credential_store_clear_async);
  attrs = make_attributes (self, server);
  secret_password_clearv (get_schema (), attrs, cancellable, on_cleared, g_steal_pointer (&task));
}

gboolean
bc_credential_store_clear_finish (BcCredentialStore *self, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- environment --------------------------------------------------------- */

static char *
dup_env (const char *name)
{
  const char *value = g_getenv (name);
  return value && *value ? g_strdup (value) : NULL;
}

BcEnvCredentials *
bc_env_credentials_get (void)
{
  BcEnvCredentials *creds = g_new0 (BcEnvCredentials, 1);

  creds->server = dup_env ("BOUNTYCAM_SERVER");
  creds->email = dup_env ("BOUNTYCAM_EMAIL");
  creds->password = dup_env ("BOUNTYCAM_PASSWORD");
  creds->refresh_token = dup_env ("BOUNTYCAM_REFRESH_TOKEN");
  if (!creds->server && !creds->email && !creds->password && !creds->refresh_token)
    {
      bc_env_credentials_free (creds);
      return NULL;
    }
  return creds;
}

gboolean
bc_env_credentials_can_sign_in (const BcEnvCredentials *creds)
{
  return creds != NULL && ((creds->email && creds->password) || creds->refresh_token);
}

static void
wipe (char *secret)
{
  if (secret)
    memset (secret, 0, strlen (secret));
  g_free (secret);
}

void
bc_env_credentials_free (BcEnvCredentials *creds)
{
  if (creds == NULL)
    return;
  g_free (creds->server);
  g_free (creds->email);
  wipe (creds->password);
  wipe (creds->refresh_token);
  g_free (creds);
}
