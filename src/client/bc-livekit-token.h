/* bc-livekit-token.h: the answer of POST /api/livekit/token
 * ({token, url, room, identity, role, can_publish}) */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_TYPE_LIVEKIT_TOKEN (bc_livekit_token_get_type ())
G_DECLARE_FINAL_TYPE (BcLivekitToken, bc_livekit_token, BC, LIVEKIT_TOKEN, GObject)

BcLivekitToken *bc_livekit_token_new_from_json (JsonObject *object, GError **error);

/* The JWT to hand to BcLkRoom; never log it. */
const char *bc_livekit_token_get_token (BcLivekitToken *self);
/* The LiveKit URL (ws:// or wss://) as the server hands it out. */
const char *bc_livekit_token_get_url (BcLivekitToken *self);
const char *bc_livekit_token_get_room (BcLivekitToken *self);
const char *bc_livekit_token_get_identity (BcLivekitToken *self);
/* "streamer" or "requester" */
const char *bc_livekit_token_get_role (BcLivekitToken *self);
gboolean bc_livekit_token_get_can_publish (BcLivekitToken *self);

G_END_DECLS
