/* bc-sfu.h: the built-in LiveKit-compatible SFU of bountycam-server */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define BC_TYPE_SFU (bc_sfu_get_type ())
G_DECLARE_FINAL_TYPE (BcSfu, bc_sfu, BC, SFU, GObject)

BcSfu *bc_sfu_new (const char *api_key, const char *api_secret, const char *webhook_url);
void bc_sfu_set_ice_addresses (BcSfu *self, const char *const *addresses);
void bc_sfu_set_departure_timeout (BcSfu *self, guint seconds);
void bc_sfu_attach (BcSfu *self, SoupServer *server);
void bc_sfu_close (BcSfu *self);
guint bc_sfu_get_n_rooms (BcSfu *self);
guint bc_sfu_get_n_participants (BcSfu *self);

G_END_DECLS
