#pragma once

#include <adwaita.h>

#include "bc-client.h"

G_BEGIN_DECLS

#define BC_TYPE_APPLICATION (bc_application_get_type ())

G_DECLARE_FINAL_TYPE (BcApplication, bc_application, BC, APPLICATION, AdwApplication)

BcApplication *bc_application_new (void);

const char *bc_application_get_profile (BcApplication *self);
GSettings *bc_application_get_settings (BcApplication *self);
BcApiClient *bc_application_get_client (BcApplication *self);
BcRealtime *bc_application_get_realtime (BcApplication *self);
BcCredentialStore *bc_application_get_credential_store (BcApplication *self);
BcApiClient *bc_application_use_server (BcApplication *self, const char *server_url);
void
bc_application_notify (BcApplication *self, const char *id, const char *title, const char *body);

char *bc_application_dup_profile_app_id (const char *profile);

G_END_DECLS
