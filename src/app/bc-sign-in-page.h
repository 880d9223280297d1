#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define BC_TYPE_SIGN_IN_PAGE (bc_sign_in_page_get_type ())

G_DECLARE_FINAL_TYPE (BcSignInPage, bc_sign_in_page, BC, SIGN_IN_PAGE, GtkWidget)

GtkWidget *bc_sign_in_page_new (void);
void bc_sign_in_page_reset (BcSignInPage *self, const char *server_url);
void bc_sign_in_page_show_error (BcSignInPage *self, const char *message);
gboolean bc_sign_in_page_get_busy (BcSignInPage *self);
gboolean bc_sign_in_page_get_signing_up (BcSignInPage *self);
void bc_sign_in_page_set_signing_up (BcSignInPage *self, gboolean signing_up);

G_END_DECLS
