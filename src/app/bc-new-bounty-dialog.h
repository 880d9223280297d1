#pragma once

#include <adwaita.h>

#include "bc-client.h"

G_BEGIN_DECLS

#define BC_TYPE_NEW_BOUNTY_DIALOG (bc_new_bounty_dialog_get_type ())

G_DECLARE_FINAL_TYPE (BcNewBountyDialog, bc_new_bounty_dialog, BC, NEW_BOUNTY_DIALOG, AdwWindow)

BcNewBountyDialog *
bc_new_bounty_dialog_new (GtkWindow *parent, BcApiClient *client, gint64 balance);
const char *bc_new_bounty_dialog_validate (BcNewBountyDialog *self);

G_END_DECLS
