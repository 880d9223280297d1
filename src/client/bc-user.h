/* bc-user.h: an account as the backend describes it ({id, email, display_name, points}) */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_TYPE_USER (bc_user_get_type ())
G_DECLARE_FINAL_TYPE (BcUser, bc_user, BC, USER, GObject)

/* Tolerant of extra fields; only "id" is required (a bounty's requester
 * carries only id and display_name). */
BcUser *bc_user_new_from_json (JsonObject *object, GError **error);
/* Copies the fields present in @object, notifying those that changed. */
gboolean bc_user_update_from_json (BcUser *self, JsonObject *object, GError **error);

const char *bc_user_get_id (BcUser *self);
const char *bc_user_get_email (BcUser *self);
const char *bc_user_get_display_name (BcUser *self);
gint64 bc_user_get_points (BcUser *self);
void bc_user_set_points (BcUser *self, gint64 points);

G_END_DECLS
