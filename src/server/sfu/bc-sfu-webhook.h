/* bc-sfu-webhook.h: LiveKit webhooks, sent by the built-in SFU */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define BC_TYPE_SFU_WEBHOOK (bc_sfu_webhook_get_type ())
G_DECLARE_FINAL_TYPE (BcSfuWebhook, bc_sfu_webhook, BC, SFU_WEBHOOK, GObject)

BcSfuWebhook *bc_sfu_webhook_new (const char *url, const char *api_key, const char *api_secret);
void bc_sfu_webhook_send (BcSfuWebhook *self,
                          const char *event,
                          JsonObject *room,
                          JsonObject *participant,
                          JsonObject *track);
char *bc_sfu_webhook_sign (
    const char *body, gsize body_len, const char *api_key, const char *api_secret, gint64 now);
guint bc_sfu_webhook_get_pending (BcSfuWebhook *self);
void bc_sfu_webhook_close (BcSfuWebhook *self);

G_END_DECLS
