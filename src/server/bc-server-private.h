/* bc-server-private.h: what the route files share inside the server layer */
#pragma once

#include "bc-server.h"
#include "bc-realtime.h"
#include "bc-room-service.h"
#include "bc-tokens.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

struct _BcServer
{
  GObject parent_instance;

  BcConfig *config;
  BcStore *store;
  SoupServer *soup;
  BcRealtime *realtime;
  BcRoomService *room_service;

  char *base_url;
  char *livekit_url;
  char *webhook_url;

  GHashTable *login_failures;  /* throttle key → LoginFailures */
  GHashTable *verified_tokens; /* access token → VerifiedToken */
  GHashTable *active_logins; /* login id → gint64* monotonic time until which it is known active */
  guint cleanup_id;
  guint in_flight;
  gint64 last_read_us; /* monotonic time the last request was read */
  guint quiet_id;
  gboolean shutting_down;
  GTask *shutdown_task;
  guint shutdown_timeout_id;
};

typedef struct
{
  BcServer *server;
  SoupServerMessage *msg;
  JsonObject *body;
  char *user_id;  /* after authentication */
  char *login_id; /* after authentication */
  char *param;    /* the {id} of the path, if any */
  gboolean finished;
  gulong finished_handler;
} BcRequest;

BcRequest *bc_request_new (BcServer *server, SoupServerMessage *msg);
void bc_request_free (BcRequest *req);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcRequest, bc_request_free)

/* For handlers that answer later: pauses the message; bc_request_resume
 * unpauses it (if the client is still there) and frees @req. */
void bc_request_suspend (BcRequest *req);
void bc_request_resume (BcRequest *req);

void bc_reply_json (BcRequest *req, guint status, JsonNode *node);
void bc_reply_object (BcRequest *req, guint status, JsonObject *object);
void bc_reply_error (BcRequest *req, guint status, const char *code, const char *message);
/* Maps store, validation and token errors to their HTTP answers. */
void bc_reply_gerror (BcRequest *req, const GError *error);

/* Parses the JSON body (400 when it is not a JSON object). */
gboolean bc_request_parse_body (BcRequest *req);
/* Checks the access token (401 otherwise). */
gboolean bc_request_authenticate (BcRequest *req);
/* The bearer token of the Authorization header (or NULL). */
const char *bc_request_bearer (BcRequest *req);

gint64 bc_now_ms (void);
char *bc_format_time (gint64 ms);

JsonObject *bc_json_me (BcUser *user);
JsonObject *bc_json_bounty (BcBounty *bounty);
JsonObject *bc_json_session (BcSession *session);
JsonObject *bc_json_event (BcStreamEvent *event);

/* Routes, one function per endpoint. */
void bc_route_signup (BcRequest *req);
void bc_route_login (BcRequest *req);
void bc_route_refresh (BcRequest *req);
void bc_route_logout (BcRequest *req);
void bc_route_me (BcRequest *req);
void bc_route_list_bounties (BcRequest *req);
void bc_route_create_bounty (BcRequest *req);
void bc_route_get_bounty (BcRequest *req);
void bc_route_cancel_bounty (BcRequest *req);
void bc_route_accept_bounty (BcRequest *req);
void bc_route_list_sessions (BcRequest *req);
void bc_route_get_session (BcRequest *req);
void bc_route_session_event (BcRequest *req);
void bc_route_approve (BcRequest *req);
void bc_route_reject (BcRequest *req);
void bc_route_livekit_token (BcRequest *req);
void bc_route_livekit_webhook (BcRequest *req);
void bc_route_cleanup (BcRequest *req);

/* Realtime notifications after a change. */
void bc_server_notify_bounty (BcServer *self, const char *type, BcBounty *bounty);
void bc_server_notify_session (BcServer *self, BcSession *session);
void bc_server_notify_event (BcServer *self, BcSession *session, BcStreamEvent *event);
void bc_server_notify_balance (BcServer *self, const char *user_id);

/* Forget cached login state after a revocation (NULL: all). */
void bc_server_forget_login (BcServer *self, const char *login_id);

/* Ends a session (approve, reject or timeout) and tells everyone. */
BcSession *
bc_server_settle (BcServer *self, const char *session_id, BcSettleOutcome outcome, GError **error);

G_END_DECLS
