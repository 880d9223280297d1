#pragma once

#include <gtk/gtk.h>

#include "bc-client.h"
#include "bc-video-paintable.h"

G_BEGIN_DECLS

/**
 * BcSessionState:
 * @BC_SESSION_STATE_IDLE: streamer, not streaming yet
 * @BC_SESSION_STATE_WAITING: requester, waiting for the streamer's video
 * @BC_SESSION_STATE_CONNECTING: joining the room
 * @BC_SESSION_STATE_LIVE: video flowing
 * @BC_SESSION_STATE_RECONNECTING: the connection dropped, trying again
 * @BC_SESSION_STATE_FAILED: the connection failed; Retry is offered
 * @BC_SESSION_STATE_CAMERA_MISSING: no camera to stream from
 * @BC_SESSION_STATE_CAMERA_DENIED: the camera may not be used
 * @BC_SESSION_STATE_ENDED: approved, rejected or timed out
 */
typedef enum
{
  BC_SESSION_STATE_IDLE,
  BC_SESSION_STATE_WAITING,
  BC_SESSION_STATE_CONNECTING,
  BC_SESSION_STATE_LIVE,
  BC_SESSION_STATE_RECONNECTING,
  BC_SESSION_STATE_FAILED,
  BC_SESSION_STATE_CAMERA_MISSING,
  BC_SESSION_STATE_CAMERA_DENIED,
  BC_SESSION_STATE_ENDED,
} BcSessionState;

#define BC_TYPE_SESSION_PAGE (bc_session_page_get_type ())

G_DECLARE_FINAL_TYPE (BcSessionPage, bc_session_page, BC, SESSION_PAGE, GtkWidget)

GtkWidget *bc_session_page_new (void);
void bc_session_page_set_session (BcSessionPage *self, BcSession *session);
BcSession *bc_session_page_get_session (BcSessionPage *self);
void bc_session_page_reload (BcSessionPage *self);
void bc_session_page_leave (BcSessionPage *self);
gboolean bc_session_page_get_is_streamer (BcSessionPage *self);
BcSessionState bc_session_page_get_state (BcSessionPage *self);
BcVideoPaintable *bc_session_page_get_paintable (BcSessionPage *self);

G_END_DECLS
