/* bc-sfu-relay.c
 *
 * One pipeline per room holds every webrtcbin of that room, so that a
 * publisher's tracks can be teed to its subscribers without copies between
 * pipelines. Errors are routed to the element's owner: each peer's elements
 * carry the peer's name as a prefix, and the peer that owns an erroring
 * element is told through the "element-error" signal; the room decides what
 * happens to that participant while everyone else goes on.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-relay.h"

struct _BcSfuRelay
{
  GObject parent_instance;

  GstPipeline *pipeline;
  guint bus_watch;
  GStrv ice_addresses;
};

G_DEFINE_FINAL_TYPE (BcSfuRelay, bc_sfu_relay, G_TYPE_OBJECT)

enum
{
  SIGNAL_ELEMENT_ERROR,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
on_bus_message (GstBus *bus, GstMessage *message, gpointer user_data)
{
  BcSfuRelay *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr (GError) error = NULL;
        g_autofree char *debug = NULL;
        g_autofree char *path = NULL;

        gst_message_parse_error (message, &error, &debug);
        path = gst_object_get_path_string (GST_MESSAGE_SRC (message));
        g_debug ("Media error in %s: %s (%s)", path, error->message, debug ? debug : "");
        g_signal_emit (self, signals[SIGNAL_ELEMENT_ERROR], 0, GST_MESSAGE_SRC (message), error);
        break;
      }
    case GST_MESSAGE_WARNING:
      {
        g_autoptr (GError) error = NULL;

        gst_message_parse_warning (message, &error, NULL);
        g_debug ("Media warning from %s: %s", GST_MESSAGE_SRC_NAME (message), error->message);
        break;
      }
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static void
bc_sfu_relay_dispose (GObject *object)
{
  BcSfuRelay *self = BC_SFU_RELAY (object);

  g_clear_handle_id (&self->bus_watch, g_source_remove);
  if (self->pipeline != NULL)
    gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_NULL);
  g_clear_object (&self->pipeline);

  G_OBJECT_CLASS (bc_sfu_relay_parent_class)->dispose (object);
}

static void
bc_sfu_relay_finalize (GObject *object)
{
  BcSfuRelay *self = BC_SFU_RELAY (object);

  g_strfreev (self->ice_addresses);

  G_OBJECT_CLASS (bc_sfu_relay_parent_class)->finalize (object);
}

static void
bc_sfu_relay_class_init (BcSfuRelayClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_relay_dispose;
  object_class->finalize = bc_sfu_relay_finalize;

  /* Emitted on the main context for an error posted by any element. */
  signals[SIGNAL_ELEMENT_ERROR] =
      g_signal_new ("element-error", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                    NULL, G_TYPE_NONE, 2, GST_TYPE_OBJECT, G_TYPE_ERROR);
}

static void
bc_sfu_relay_init (BcSfuRelay *self)
{
}

BcSfuRelay *
bc_sfu_relay_new (const char *name, const char *const *ice_addresses)
{
  BcSfuRelay *self = g_object_new (BC_TYPE_SFU_RELAY, NULL);
  g_autoptr (GstBus) bus = NULL;

  self->ice_addresses = g_strdupv ((char **) ice_addresses);
  self->pipeline = GST_PIPELINE (gst_pipeline_new (name));
  gst_object_ref_sink (self->pipeline);
  bus = gst_pipeline_get_bus (self->pipeline);
  self->bus_watch = gst_bus_add_watch (bus, on_bus_message, self);
  gst_element_set_state (GST_ELEMENT (self->pipeline), GST_STATE_PLAYING);
  return self;
}

GstBin *
bc_sfu_relay_get_bin (BcSfuRelay *self)
{
  g_return_val_if_fail (BC_IS_SFU_RELAY (self), NULL);
  return GST_BIN (self->pipeline);
}

const char *const *
bc_sfu_relay_get_ice_addresses (BcSfuRelay *self)
{
  g_return_val_if_fail (BC_IS_SFU_RELAY (self), NULL);
  return (const char *const *) self->ice_addresses;
}
