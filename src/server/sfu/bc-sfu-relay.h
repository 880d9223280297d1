/* bc-sfu-relay.h: the GStreamer pipeline that carries one room's media */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define BC_TYPE_SFU_RELAY (bc_sfu_relay_get_type ())
G_DECLARE_FINAL_TYPE (BcSfuRelay, bc_sfu_relay, BC, SFU_RELAY, GObject)

BcSfuRelay *bc_sfu_relay_new (const char *name, const char *const *ice_addresses);
GstBin *bc_sfu_relay_get_bin (BcSfuRelay *self);
const char *const *bc_sfu_relay_get_ice_addresses (BcSfuRelay *self);

G_END_DECLS
