#include "config.h"

#include "bc-client-error.h"
#include "bc-client-private.h"

typedef struct
{
  guint retry_after;
  guint http_status;
  char *server_code;
} BcClientErrorPrivate;

static void
bc_client_error_private_init (BcClientErrorPrivate *priv)
{
  priv->retry_after = 0;
  priv->http_status = 0;
  priv->server_code = NULL;
}

static void
bc_client_error_private_copy (const BcClientErrorPrivate *src, BcClientErrorPrivate *dest)
{
  dest->retry_after = src->retry_after;
  dest->http_status = src->http_status;
  dest->server_code = g_strdup (src->server_code);
}

static void
bc_client_error_private_clear (BcClientErrorPrivate *priv)
{
  g_clear_pointer (&priv->server_code, g_free);
}

/* An extended error domain lets a GError carry the Retry-After delay and the
 * server's code without parsing them back out of the message. */
G_DEFINE_EXTENDED_ERROR (BcClientError, bc_client_error)

guint
bc_client_error_get_retry_after (const GError *error)
{
  BcClientErrorPrivate *priv;

  if (error == NULL || error->domain != BC_CLIENT_ERROR)
    return 0;
  priv = bc_client_error_get_private (error);
  return priv ? priv->retry_after : 0;
}

const char *
bc_client_error_get_server_code (const GError *error)
{
  BcClientErrorPrivate *priv;

  if (error == NULL || error->domain != BC_CLIENT_ERROR)
    return NULL;
  priv = bc_client_error_get_private (error);
  return priv ? priv->server_code : NULL;
}

guint
bc_client_error_get_http_status (const GError *error)
{
  BcClientErrorPrivate *priv;

  if (error == NULL || error->domain != BC_CLIENT_ERROR)
    return 0;
  priv = bc_client_error_get_private (error);
  return priv ? priv->http_status : 0;
}

GError *
_bc_client_error_new (BcClientError code,
                      guint http_status,
                      const char *server_code,
                      guint retry_after,
                      const char *message)
{
  GError *error = g_error_new_literal (BC_CLIENT_ERROR, code, message);
  BcClientErrorPrivate *priv = bc_client_error_get_private (error);

  priv->http_status = http_status;
  priv->retry_after = retry_after;
  priv->server_code = g_strdup (server_code);
  return error;
}

GError *
bc_client_error_new_literal (BcClientError code, const char *message)
{
  return _bc_client_error_new (code, 0, NULL, 0, message);
}
