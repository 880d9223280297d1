/* bc-client-private.h: helpers shared inside the client layer */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-client-error.h"

G_BEGIN_DECLS

GError *_bc_client_error_new (BcClientError code,
                              guint http_status,
                              const char *server_code,
                              guint retry_after,
                              const char *message);

/* Parses RFC 3339 / ISO 8601 text, or Unix seconds as a number; NULL if absent. */
GDateTime *_bc_json_get_datetime (JsonObject *object, const char *member);
/* A string member, or a number member as text; NULL if absent. */
char *_bc_json_dup_string (JsonObject *object, const char *member);
gint64 _bc_json_get_int (JsonObject *object, const char *member, gint64 fallback);
gboolean _bc_json_get_bool (JsonObject *object, const char *member, gboolean fallback);

/* Replaces *@field with a copy of @value; TRUE if it changed. */
gboolean _bc_set_string (char **field, const char *value);
gboolean _bc_set_datetime (GDateTime **field, GDateTime *value);

G_END_DECLS

#include <libsoup/soup.h>

#include "bc-api-client.h"

G_BEGIN_DECLS

SoupSession *_bc_api_client_get_soup_session (BcApiClient *self);
/* Yields a usable access token, refreshing it first when it is missing or
 * about to expire. The result is the token (char*, free it). */
void _bc_api_client_ensure_access_token_async (BcApiClient *self,
                                               GCancellable *cancellable,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
char *
_bc_api_client_ensure_access_token_finish (BcApiClient *self, GAsyncResult *result, GError **error);
/* The server refused @token: drop it so the next request refreshes. */
void _bc_api_client_invalidate_access_token (BcApiClient *self, const char *token);
GError *_bc_api_client_unreachable_error (BcApiClient *self, const GError *cause);

G_END_DECLS
