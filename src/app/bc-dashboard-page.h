#pragma once

#include <gtk/gtk.h>

#include "bc-client.h"

G_BEGIN_DECLS

#define BC_TYPE_DASHBOARD_PAGE (bc_dashboard_page_get_type ())

G_DECLARE_FINAL_TYPE (BcDashboardPage, bc_dashboard_page, BC, DASHBOARD_PAGE, GtkWidget)

GtkWidget *bc_dashboard_page_new (void);
void bc_dashboard_page_start (BcDashboardPage *self);
void bc_dashboard_page_stop (BcDashboardPage *self);
void bc_dashboard_page_reload (BcDashboardPage *self);
const char *bc_dashboard_page_get_state (BcDashboardPage *self);
guint bc_dashboard_page_get_generation (BcDashboardPage *self);
gint64 bc_dashboard_page_get_balance (BcDashboardPage *self);
BcBounty *bc_dashboard_page_find_bounty (BcDashboardPage *self, const char *bounty_id);
BcSession *bc_dashboard_page_find_session (BcDashboardPage *self, const char *session_id);
BcSession *bc_dashboard_page_find_session_for_bounty (BcDashboardPage *self, const char *bounty_id);

G_END_DECLS
