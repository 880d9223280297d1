#pragma once

#include <adwaita.h>

#include "bc-application.h"

G_BEGIN_DECLS

#define BC_TYPE_WINDOW (bc_window_get_type ())

G_DECLARE_FINAL_TYPE (BcWindow, bc_window, BC, WINDOW, AdwApplicationWindow)

BcWindow *bc_window_new (BcApplication *application);
void bc_window_add_toast (BcWindow *self, const char *message);
guint bc_window_get_n_toasts (BcWindow *self);
void bc_window_show_error (BcWindow *self, const GError *error);
const char *bc_window_get_page_name (BcWindow *self);
GtkWidget *bc_window_get_sign_in_page (BcWindow *self);
GtkWidget *bc_window_get_dashboard_page (BcWindow *self);
GtkWidget *bc_window_get_session_page (BcWindow *self);
void bc_window_open_session (BcWindow *self, const char *session_id);
void bc_window_show_dashboard (BcWindow *self);

G_END_DECLS
