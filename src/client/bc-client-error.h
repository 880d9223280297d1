/* bc-client-error.h: the error domain of the client layer */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_CLIENT_ERROR (bc_client_error_quark ())

typedef enum
{
  BC_CLIENT_ERROR_UNREACHABLE,   /* no answer: DNS, refused, TLS, timeout */
  BC_CLIENT_ERROR_UNAUTHORIZED,  /* 401: wrong password, login expired, not signed in */
  BC_CLIENT_ERROR_FORBIDDEN,     /* 403 */
  BC_CLIENT_ERROR_NOT_FOUND,     /* 404 */
  BC_CLIENT_ERROR_CONFLICT,      /* 409: e.g. bounty already taken, session already ended */
  BC_CLIENT_ERROR_THROTTLED,     /* 429: see bc_client_error_get_retry_after() */
  BC_CLIENT_ERROR_INVALID_INPUT, /* 400/413/422: the message is the server's */
  BC_CLIENT_ERROR_SERVER,        /* 5xx or an answer we cannot understand */
  BC_CLIENT_ERROR_INSECURE,      /* refusing to send tokens over plain http */
  BC_CLIENT_ERROR_NO_CREDENTIALS /* nothing stored in the keyring or the environment */
} BcClientError;

GQuark bc_client_error_quark (void);

/* For callers that report a client-level failure themselves. */
GError *bc_client_error_new_literal (BcClientError code, const char *message);

/* Seconds the server asked us to wait (429 Retry-After), or 0. */
guint bc_client_error_get_retry_after (const GError *error);
/* The server's snake_case error code ("invalid_credentials", …), or NULL. */
const char *bc_client_error_get_server_code (const GError *error);
/* The HTTP status of the answer, or 0 when there was none. */
guint bc_client_error_get_http_status (const GError *error);

G_END_DECLS
