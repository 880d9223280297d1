/* bc-sfu-webhook.c
 *
 * Events are LiveKit's WebhookEvent in protojson form (lowerCamelCase names,
 * enums by name, int64 as strings), POSTed with
 * `Content-Type: application/webhook+json` and an `Authorization` header
 * holding a JWT signed with the API secret whose `sha256` claim is the
 * base64 SHA-256 of the body, exactly as livekit-server does
 * (livekit/protocol webhook/notifier.go), so the backend receives the built-in
 * SFU's events with the code it uses for LiveKit Cloud.
 *
 * Events go out one at a time in order: the backend reads stream_active and
 * stream_inactive from their sequence.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-webhook.h"
#include "bc-sfu-proto.h"

#include "bc-json.h"
#include "bc-jwt.h"
#include "bc-secure.h"

#include <libsoup/soup.h>
#include <string.h>

#define TOKEN_TTL_SECONDS (5 * 60)
#define MAX_QUEUE         1000

struct _BcSfuWebhook
{
  GObject parent_instance;

  char *url;
  char *api_key;
  char *api_secret;
  SoupSession *session;
  GQueue queue; /* char* bodies */
  GCancellable *cancellable;
  gboolean in_flight;
};

G_DEFINE_FINAL_TYPE (BcSfuWebhook, bc_sfu_webhook, G_TYPE_OBJECT)

static void send_next (BcSfuWebhook *self);

static void
bc_sfu_webhook_dispose (GObject *object)
{
  BcSfuWebhook *self = BC_SFU_WEBHOOK (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->session);
  g_queue_clear_full (&self->queue, g_free);

  G_OBJECT_CLASS (bc_sfu_webhook_parent_class)->dispose (object);
}

static void
bc_sfu_webhook_finalize (GObject *object)
{
  BcSfuWebhook *self = BC_SFU_WEBHOOK (object);

  g_free (self->url);
  g_free (self->api_key);
  g_free (self->api_secret);

  G_OBJECT_CLASS (bc_sfu_webhook_parent_class)->finalize (object);
}

static void
bc_sfu_webhook_class_init (BcSfuWebhookClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_webhook_dispose;
  object_class->finalize = bc_sfu_webhook_finalize;
}

static void
bc_sfu_webhook_init (BcSfuWebhook *self)
{
  g_queue_init (&self->queue);
  self->cancellable = g_cancellable_new ();
}

/**
 * bc_sfu_webhook_new:
 * @url: (nullable): where to POST; %NULL sends nothing
 */
BcSfuWebhook *
bc_sfu_webhook_new (const char *url, const char *api_key, const char *api_secret)
{
  BcSfuWebhook *self = g_object_new (BC_TYPE_SFU_WEBHOOK, NULL);

  self->url = g_strdup (url && *url ? url : NULL);
  self->api_key = g_strdup (api_key);
  self->api_secret = g_strdup (api_secret);
  self->session =
      soup_session_new_with_options ("timeout", 10, "user-agent", "BountyCam-SFU", NULL);
  return self;
}

/**
 * bc_sfu_webhook_sign:
 *
 * Returns: (transfer full): the Authorization header value for @body
 */
char *
bc_sfu_webhook_sign (
    const char *body, gsize body_len, const char *api_key, const char *api_secret, gint64 now)
{
  g_autoptr (JsonObject) claims = json_object_new ();
  g_autofree char *digest = bc_sha256_base64 (body, body_len);

  json_object_set_string_member (claims, "iss", api_key);
  json_object_set_int_member (claims, "nbf", now);
  json_object_set_int_member (claims, "iat", now);
  json_object_set_int_member (claims, "exp", now + TOKEN_TTL_SECONDS);
  json_object_set_string_member (claims, "sha256", digest);
  return bc_jwt_sign_hs256 (claims, (const guint8 *) api_secret, strlen (api_secret));
}

static void
on_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcSfuWebhook) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply = NULL;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  reply = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* A receiver that is down or restarting (503 while bountycam-server
   * stops) is the network's state, not a bug here: a message, not a
   * warning, which tests and G_DEBUG=fatal-warnings turn into an abort. */
  if (error != NULL)
    g_message ("Webhook delivery to %s failed: %s", self->url, error->message);
  else if (msg != NULL && !SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (msg)))
    g_message ("Webhook delivery to %s was refused with HTTP %u", self->url,
               soup_message_get_status (msg));
  self->in_flight = FALSE;
  send_next (self);
}

static void
send_next (BcSfuWebhook *self)
{
  g_autofree char *body = NULL;
  g_autofree char *auth = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GBytes) bytes = NULL;
  gsize len;

  if (self->in_flight || g_queue_is_empty (&self->queue) || self->session == NULL)
    return;
  body = g_queue_pop_head (&self->queue);
  len = strlen (body);
  msg = soup_message_new ("POST", self->url);
  if (msg == NULL)
    {
      g_warning ("Webhook URL %s is not valid", self->url);
      g_queue_clear_full (&self->queue, g_free);
      return;
    }
  auth = bc_sfu_webhook_sign (body, len, self->api_key, self->api_secret,
                              g_get_real_time () / G_USEC_PER_SEC);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  bytes = g_bytes_new_take (g_steal_pointer (&body), len);
  soup_message_set_request_body_from_bytes (msg, "application/webhook+json", bytes);
  self->in_flight = TRUE;
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_sent, g_object_ref (self));
}

/**
 * bc_sfu_webhook_send:
 * @room: (nullable): the room, protojson
 * @participant: (nullable):
 * @track: (nullable):
 *
 * Queues one event.
 */
void
bc_sfu_webhook_send (BcSfuWebhook *self,
                     const char *event,
                     JsonObject *room,
                     JsonObject *participant,
                     JsonObject *track)
{
  g_autoptr (JsonObject) body = json_object_new ();
  g_autofree char *id = NULL;
  g_autofree char *created_at = NULL;

  g_return_if_fail (BC_IS_SFU_WEBHOOK (self));

  if (self->url == NULL)
    return;
  if (g_queue_get_length (&self->queue) >= MAX_QUEUE)
    {
      g_message ("Webhook receiver %s is not keeping up; dropping %s", self->url, event);
      return;
    }
  id = bc_sfu_make_sid ("EV_");
  json_object_set_string_member (body, "event", event);
  if (room != NULL)
    json_object_set_object_member (body, "room", json_object_ref (room));
  if (participant != NULL)
    json_object_set_object_member (body, "participant", json_object_ref (participant));
  if (track != NULL)
    json_object_set_object_member (body, "track", json_object_ref (track));
  json_object_set_string_member (body, "id", id);
  created_at = g_strdup_printf ("%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC);
  json_object_set_string_member (body, "createdAt", created_at);
  g_queue_push_tail (&self->queue, bc_json_object_to_string (body));
  send_next (self);
}

guint
bc_sfu_webhook_get_pending (BcSfuWebhook *self)
{
  g_return_val_if_fail (BC_IS_SFU_WEBHOOK (self), 0);
  return g_queue_get_length (&self->queue) + (self->in_flight ? 1 : 0);
}

/**
 * bc_sfu_webhook_close:
 *
 * Drops queued events and cancels the one in flight; nothing is sent after.
 */
void
bc_sfu_webhook_close (BcSfuWebhook *self)
{
  g_return_if_fail (BC_IS_SFU_WEBHOOK (self));

  g_cancellable_cancel (self->cancellable);
  g_queue_clear_full (&self->queue, g_free);
  g_clear_pointer (&self->url, g_free);
}
