/* bc-lk-error.h: the error domain of the livekit layer */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BC_LK_ERROR (bc_lk_error_quark ())

typedef enum
{
  /* The server refused the access token (HTTP 401/403): expired, wrong key or no grant. */
  BC_LK_ERROR_TOKEN_REJECTED,
  /* The room does not exist and the server does not create rooms on join (HTTP 404). */
  BC_LK_ERROR_ROOM_NOT_FOUND,
  /* No answer from the server at all: wrong URL, server down, network. */
  BC_LK_ERROR_SERVER_UNREACHABLE,
  /* The server answered, but not the way a LiveKit server does. */
  BC_LK_ERROR_PROTOCOL,
  /* The token does not allow this (e.g. publishing with a viewer token). */
  BC_LK_ERROR_NOT_ALLOWED,
  /* The server did not answer in time. */
  BC_LK_ERROR_TIMEOUT,
  /* The server ended the session (room deleted, removed, duplicate identity, ...). */
  BC_LK_ERROR_DISCONNECTED,
  /* Media could not be set up or the connection could not be re-established. */
  BC_LK_ERROR_MEDIA,
  BC_LK_ERROR_INVALID_ARGUMENT,
} BcLkError;

GQuark bc_lk_error_quark (void);

G_END_DECLS
