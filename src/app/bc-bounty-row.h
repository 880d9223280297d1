#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BC_TYPE_BOUNTY_ROW (bc_bounty_row_get_type ())

G_DECLARE_FINAL_TYPE (BcBountyRow, bc_bounty_row, BC, BOUNTY_ROW, AdwActionRow)

GtkWidget *bc_bounty_row_new (void);
void bc_bounty_row_set_content (BcBountyRow *self,
                                const char *title,
                                const char *person,
                                const char *detail,
                                gint64 reward_points);
void bc_bounty_row_set_status (BcBountyRow *self, const char *text, const char *style_class);
void bc_bounty_row_set_action (BcBountyRow *self,
                               const char *label,
                               const char *action_name,
                               const char *target,
                               gboolean suggested);
GtkButton *bc_bounty_row_get_action_button (BcBountyRow *self);

G_END_DECLS
