/* BcLiveStream: the app's side of one session's live video. It asks the
 * backend for a LiveKit token, joins the room through the livekit layer, and
 * publishes the camera (streamer) or shows the remote track (requester),
 * feeding a BcVideoPaintable either way. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include <glib/gi18n.h>

#include "bc-live-stream.h"

G_DEFINE_QUARK (bc - live - stream - error - quark, bc_live_stream_error)

struct _BcLiveStream
{
  GObject parent_instance;

  BcApiClient *client;
  char *session_id;
  char *camera_id;
  char *codec;
  gboolean publisher;
  gboolean microphone;
  gboolean low_latency;
  BcVideoPaintable *paintable;

  GCancellable *cancellable;
  BcLiveStreamState state;
  GError *error;
  BcLivekitToken *token;
};

enum
{
  PROP_0,
  PROP_STATE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (BcLiveStream, bc_live_stream, G_TYPE_OBJECT)

static void
set_state (BcLiveStream *self, BcLiveStreamState state)
{
  if (self->state == state)
    return;

  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
}

static void
fail (BcLiveStream *self, GError *error)
{
  g_clear_error (&self->error);
  self->error = error;
  set_state (self, BC_LIVE_STREAM_FAILED);
}

static void
join_room (BcLiveStream *self)
{
  fail (self, g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_UNAVAILABLE,
                                   _ ("Live video is not available in this build of BountyCam.")));
}

static void
on_token (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLiveStream) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcLivekitToken) token = NULL;

  token = bc_api_client_livekit_token_finish (BC_API_CLIENT (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (token == NULL)
    {
      fail (self, g_steal_pointer (&error));
      return;
    }

  g_set_object (&self->token, token);
  join_room (self);
}

void
bc_live_stream_start (BcLiveStream *self)
{
  g_return_if_fail (BC_IS_LIVE_STREAM (self));

  bc_live_stream_stop (self);
  g_clear_error (&self->error);
  self->cancellable = g_cancellable_new ();
  set_state (self, BC_LIVE_STREAM_CONNECTING);

  bc_api_client_livekit_token_async (self->client, self->session_id, self->cancellable, on_token,
                                     g_object_ref (self));
}

void
bc_live_stream_stop (BcLiveStream *self)
{
  g_return_if_fail (BC_IS_LIVE_STREAM (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->token);
  if (self->state != BC_LIVE_STREAM_FAILED)
    set_state (self, BC_LIVE_STREAM_IDLE);
}

BcLiveStreamState
bc_live_stream_get_state (BcLiveStream *self)
{
  g_return_val_if_fail (BC_IS_LIVE_STREAM (self), BC_LIVE_STREAM_IDLE);

  return self->state;
}

const GError *
bc_live_stream_get_error (BcLiveStream *self)
{
  g_return_val_if_fail (BC_IS_LIVE_STREAM (self), NULL);

  return self->error;
}

gboolean
bc_live_stream_get_is_publisher (BcLiveStream *self)
{
  g_return_val_if_fail (BC_IS_LIVE_STREAM (self), FALSE);

  return self->publisher;
}

void
bc_live_stream_set_microphone (BcLiveStream *self, gboolean enabled)
{
  g_return_if_fail (BC_IS_LIVE_STREAM (self));

  self->microphone = enabled;
}

gboolean
bc_live_stream_get_stats (BcLiveStream *self, BcLiveStats *stats)
{
  g_return_val_if_fail (BC_IS_LIVE_STREAM (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  *stats = (BcLiveStats){ 0 };
  return FALSE;
}

static void
bc_live_stream_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  BcLiveStream *self = BC_LIVE_STREAM (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_int (value, self->state);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
bc_live_stream_dispose (GObject *object)
{
  BcLiveStream *self = BC_LIVE_STREAM (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->token);
  g_clear_object (&self->paintable);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (bc_live_stream_parent_class)->dispose (object);
}

static void
bc_live_stream_finalize (GObject *object)
{
  BcLiveStream *self = BC_LIVE_STREAM (object);

  g_free (self->session_id);
  g_free (self->camera_id);
  g_free (self->codec);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (bc_live_stream_parent_class)->finalize (object);
}

static void
bc_live_stream_class_init (BcLiveStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = bc_live_stream_get_property;
  object_class->dispose = bc_live_stream_dispose;
  object_class->finalize = bc_live_stream_finalize;

  /* A BcLiveStreamState. */
  properties[PROP_STATE] =
      g_param_spec_int ("state", NULL, NULL, 0, BC_LIVE_STREAM_FAILED, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
bc_live_stream_init (BcLiveStream *self)
{
}

static BcLiveStream *
bc_live_stream_new (BcApiClient *client, const char *session_id, BcVideoPaintable *paintable)
{
  BcLiveStream *self = g_object_new (BC_TYPE_LIVE_STREAM, NULL);

  self->client = g_object_ref (client);
  self->session_id = g_strdup (session_id);
  self->paintable = g_object_ref (paintable);

  return self;
}

BcLiveStream *
bc_live_stream_new_publisher (BcApiClient *client,
                              const char *session_id,
                              const char *camera_id,
                              const char *codec,
                              gboolean microphone,
                              BcVideoPaintable *preview)
{
  BcLiveStream *self = bc_live_stream_new (client, session_id, preview);

  self->publisher = TRUE;
  self->camera_id = g_strdup (camera_id);
  self->codec = g_strdup (codec);
  self->microphone = microphone;

  return self;
}

BcLiveStream *
bc_live_stream_new_viewer (BcApiClient *client,
                           const char *session_id,
                           gboolean low_latency,
                           BcVideoPaintable *video)
{
  BcLiveStream *self = bc_live_stream_new (client, session_id, video);

  self->low_latency = low_latency;

  return self;
}
