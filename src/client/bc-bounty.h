/* bc-bounty.h: a bounty ({id, title, description, reward_points, status, requester, created_at}) */
#pragma once

#include <json-glib/json-glib.h>

#include "bc-user.h"

G_BEGIN_DECLS

#define BC_TYPE_BOUNTY (bc_bounty_get_type ())
G_DECLARE_FINAL_TYPE (BcBounty, bc_bounty, BC, BOUNTY, GObject)

/* Properties: "id", "title", "description", "reward-points" (int64), "status"
 * ("open", "accepted", "completed", "cancelled", … as the server says),
 * "requester" (BcUser with id and display_name), "requester-name" (string,
 * for binding), "created-at" (GDateTime), "session-id" (string or NULL, when
 * the server tells which session an accepted bounty has). */
BcBounty *bc_bounty_new_from_json (JsonObject *object, GError **error);
gboolean bc_bounty_update_from_json (BcBounty *self, JsonObject *object, GError **error);

const char *bc_bounty_get_id (BcBounty *self);
const char *bc_bounty_get_title (BcBounty *self);
const char *bc_bounty_get_description (BcBounty *self);
gint64 bc_bounty_get_reward_points (BcBounty *self);
const char *bc_bounty_get_status (BcBounty *self);
BcUser *bc_bounty_get_requester (BcBounty *self);
const char *bc_bounty_get_requester_name (BcBounty *self);
GDateTime *bc_bounty_get_created_at (BcBounty *self);
const char *bc_bounty_get_session_id (BcBounty *self);

G_END_DECLS
