/* BcLiveStream: the app's side of one session's live video. It asks the
 * backend for a LiveKit token, joins the room through the livekit layer, and
 * publishes the camera (streamer) or shows the remote track (requester),
 * feeding a BcVideoPaintable either way. All protocol and media work is in
 * the lower layers; this object only strings them together for the UI. */
#define G_LOG_DOMAIN "bc-app"

#include "config.h"

#include "bc-context-post.h"

#include <glib/gi18n.h>

#include "bc-lk-error.h"
#include "bc-lk-room.h"
#include "bc-live-stream.h"
#include "bc-media.h"

/* LiveKit's DisconnectReason values we treat specially. */
#define LK_REASON_CLIENT_INITIATED 1
#define LK_REASON_ROOM_DELETED     5

G_DEFINE_QUARK (bc - live - stream - error - quark, bc_live_stream_error)

/* Lets a streaming thread reach the paintable without keeping it alive past
 * the stream: the weak reference is cleared when the paintable goes. */
typedef struct
{
  GWeakRef paintable;
  GMainContext *context;
  GWeakRef stream;
  gboolean first_frame_seen;
} FrameTarget;

struct _BcLiveStream
{
  GObject parent_instance;

  BcApiClient *client;
  char *session_id;
  char *camera_id;
  char *codec;
  gboolean publisher;
  gboolean preview_only;
  GstElement *preview_pipeline;
  gboolean microphone;
  gboolean low_latency;
  BcVideoPaintable *paintable;

  GCancellable *cancellable;
  BcLiveStreamState state;
  GError *error;
  BcLivekitToken *token;
  BcCameraMonitor *cameras;
  BcLkRoom *room;
  BcVideoSource *video;
  BcAudioSource *audio;
  char *audio_track_sid;
  BcMediaStats *stats;
  gboolean stats_polling;
  guint stats_source;

  /* Receivers made on streaming threads, under @lock. */
  GMutex lock;
  GPtrArray *receivers;
  GPtrArray *sinks;
  FrameTarget *target;
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

/* Errors of the lower layers, in words for the session page. */
static GError *
translate_error (const GError *error)
{
  if (error->domain == BC_MEDIA_ERROR)
    {
      if (error->code == BC_MEDIA_ERROR_NO_CAMERA)
        return g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_CAMERA_MISSING,
                                    error->message);
      if (error->code == BC_MEDIA_ERROR_CAMERA_DENIED)
        return g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_CAMERA_DENIED,
                                    error->message);
    }

  if (error->domain == BC_LK_ERROR)
    {
      switch (error->code)
        {
        case BC_LK_ERROR_SERVER_UNREACHABLE:
          return g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                                      _ ("Can’t reach the video server. Check your network "
                                         "connection and try again."));
        case BC_LK_ERROR_TOKEN_REJECTED:
          return g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                                      _ ("The video server did not accept this session’s pass. "
                                         "Try again."));
        case BC_LK_ERROR_NOT_ALLOWED:
          return g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                                      _ ("Only the streamer may send video in this session."));
        case BC_LK_ERROR_TIMEOUT:
          return g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                                      _ ("The video connection took too long. Try again."));
        default:
          break;
        }
    }

  return g_error_copy (error);
}

static void
frame_target_clear (gpointer data)
{
  FrameTarget *target = data;

  g_weak_ref_clear (&target->paintable);
  g_weak_ref_clear (&target->stream);
  g_main_context_unref (target->context);
}

static void
frame_target_release (gpointer data, GClosure *closure)
{
  g_atomic_rc_box_release_full (data, frame_target_clear);
}

static gboolean
first_frame_shown (gpointer data)
{
  g_autoptr (BcLiveStream) self = data;

  if (self->state == BC_LIVE_STREAM_WAITING || self->state == BC_LIVE_STREAM_CONNECTING)
    set_state (self, BC_LIVE_STREAM_LIVE);

  return G_SOURCE_REMOVE;
}

/* On a streaming thread: hand the frame over, never wait. */
static void
on_frame (BcFrameSink *sink, BcFrame *frame, FrameTarget *target)
{
  g_autoptr (BcVideoPaintable) paintable = g_weak_ref_get (&target->paintable);

  if (paintable == NULL)
    return;

  bc_video_paintable_push_frame (paintable, bc_frame_get_data (frame), bc_frame_get_width (frame),
                                 bc_frame_get_height (frame), bc_frame_get_stride (frame),
                                 GDK_MEMORY_R8G8B8A8);

  if (!g_atomic_int_get (&target->first_frame_seen))
    {
      BcLiveStream *stream = g_weak_ref_get (&target->stream);

      g_atomic_int_set (&target->first_frame_seen, TRUE);
      if (stream != NULL)
        bc_context_post (target->context, first_frame_shown, stream, NULL,
                         "[bountycam] first frame shown");
    }
}

static void
attach_sink (BcLiveStream *self, BcFrameSink *sink)
{
  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->sinks, g_object_ref (sink));
  /* Each handler holds the target: a frame still being handed over on a
   * streaming thread when the stream stops finds it intact. */
  g_signal_connect_data (sink, "frame", G_CALLBACK (on_frame),
                         g_atomic_rc_box_acquire (self->target), frame_target_release, 0);
  g_mutex_unlock (&self->lock);
}

static void
detach_media (BcLiveStream *self)
{
  g_autoptr (GPtrArray) sinks = NULL;
  g_autoptr (GPtrArray) receivers = NULL;

  g_mutex_lock (&self->lock);
  sinks = g_steal_pointer (&self->sinks);
  receivers = g_steal_pointer (&self->receivers);
  self->sinks = g_ptr_array_new_with_free_func (g_object_unref);
  self->receivers = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_unlock (&self->lock);

  for (guint i = 0; i < sinks->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (sinks, i), on_frame, self->target);
}

static void
stats_poll_done (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLiveStream) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!bc_media_stats_poll_finish (BC_MEDIA_STATS (object), result, &error))
    g_debug ("No connection statistics: %s", error->message);
  self->stats_polling = FALSE;
}

static gboolean
stats_tick (gpointer user_data)
{
  BcLiveStream *self = user_data;
  GstElement *webrtcbin;

  if (self->room == NULL || self->stats_polling)
    return G_SOURCE_CONTINUE;

  webrtcbin = bc_lk_room_get_webrtcbin (self->room, self->publisher);
  if (webrtcbin == NULL)
    return G_SOURCE_CONTINUE;

  self->stats_polling = TRUE;
  bc_media_stats_poll_async (self->stats, webrtcbin, self->cancellable, stats_poll_done,
                             g_object_ref (self));
  return G_SOURCE_CONTINUE;
}

static void
on_room_state (BcLiveStream *self, GParamSpec *pspec, BcLkRoom *room)
{
  switch (bc_lk_room_get_state (room))
    {
    case BC_LK_ROOM_STATE_RECONNECTING:
      set_state (self, BC_LIVE_STREAM_RECONNECTING);
      break;

    case BC_LK_ROOM_STATE_CONNECTED:
      if (self->state == BC_LIVE_STREAM_RECONNECTING)
        {
          gboolean seen = self->target && g_atomic_int_get (&self->target->first_frame_seen);

          set_state (self, self->publisher || seen ? BC_LIVE_STREAM_LIVE : BC_LIVE_STREAM_WAITING);
        }
      break;

    case BC_LK_ROOM_STATE_FAILED:
      fail (self, g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                                       bc_lk_room_get_disconnect_message (room)
                                           ? bc_lk_room_get_disconnect_message (room)
                                           : _ ("The video connection was lost.")));
      break;

    case BC_LK_ROOM_STATE_DISCONNECTED:
    case BC_LK_ROOM_STATE_CONNECTING:
    default:
      break;
    }
}

static void
on_room_disconnected (BcLiveStream *self, int reason, const char *message, BcLkRoom *room)
{
  if (reason == LK_REASON_CLIENT_INITIATED)
    return;

  /* Approving or rejecting deletes the room: the session page learns the
   * outcome from the backend, so this is no failure. */
  if (reason == LK_REASON_ROOM_DELETED)
    {
      set_state (self, BC_LIVE_STREAM_IDLE);
      return;
    }

  fail (self,
        g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                             message && *message ? message : _ ("The video connection was lost.")));
}

/* On a streaming thread. */
static void
on_track_subscribed (BcLkRoom *room,
                     const char *participant_sid,
                     const char *identity,
                     const char *track_sid,
                     int kind,
                     GstPad *pad,
                     GstBin *bin,
                     BcLiveStream *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (BcTrackReceiver) receiver = NULL;
  BcFrameSink *sink;

  receiver = bc_track_receiver_new_for_pad (pad, &error);
  if (receiver == NULL)
    {
      g_message ("Cannot show a received track: %s", error->message);
      return;
    }

  sink = bc_track_receiver_get_frame_sink (receiver);
  if (sink != NULL)
    {
      attach_sink (self, sink);
      bc_media_stats_set_frame_sink (self->stats, sink);
    }

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->receivers, g_steal_pointer (&receiver));
  g_mutex_unlock (&self->lock);
}

static void
on_audio_published (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLiveStream) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *sid = NULL;

  sid = bc_lk_room_publish_track_finish (BC_LK_ROOM (object), result, &error);
  if (sid == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("The microphone could not be published: %s", error->message);
      return;
    }

  g_free (self->audio_track_sid);
  self->audio_track_sid = g_steal_pointer (&sid);
  bc_lk_room_set_track_muted (self->room, self->audio_track_sid, !self->microphone);
}

static void
publish_microphone (BcLiveStream *self)
{
  g_autoptr (GError) error = NULL;

  if (self->audio != NULL || self->room == NULL)
    return;

  self->audio = bc_audio_source_new (FALSE, &error);
  if (self->audio == NULL)
    {
      g_message ("No microphone: %s", error->message);
      return;
    }

  bc_lk_room_publish_track_async (self->room, BC_LK_TRACK_KIND_AUDIO, BC_LK_TRACK_SOURCE_MICROPHONE,
                                  "microphone", 0, 0, bc_audio_source_get_element (self->audio),
                                  self->cancellable, on_audio_published, g_object_ref (self));
}

static void
on_video_published (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLiveStream) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *sid = NULL;

  sid = bc_lk_room_publish_track_finish (BC_LK_ROOM (object), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  if (sid == NULL)
    {
      fail (self, translate_error (error));
      return;
    }

  set_state (self, BC_LIVE_STREAM_LIVE);
  if (self->microphone)
    publish_microphone (self);
}

static void
on_room_connected (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLiveStream) self = user_data;
  g_autoptr (GError) error = NULL;
  int width = 0, height = 0, framerate = 0;

  if (!bc_lk_room_connect_finish (BC_LK_ROOM (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, translate_error (error));
      return;
    }

  if (!self->publisher)
    {
      if (self->state == BC_LIVE_STREAM_CONNECTING)
        set_state (self, BC_LIVE_STREAM_WAITING);
      return;
    }

  bc_video_source_get_size (self->video, &width, &height, &framerate);
  bc_lk_room_publish_track_async (self->room, BC_LK_TRACK_KIND_VIDEO, BC_LK_TRACK_SOURCE_CAMERA,
                                  "camera", width, height,
                                  bc_video_source_get_element (self->video), self->cancellable,
                                  on_video_published, g_object_ref (self));
}

static void
join_room (BcLiveStream *self)
{
  self->room = bc_lk_room_new ();
  /* A media server on this machine is reached over loopback only; libnice
   * leaves loopback out otherwise (see platform notes on libnice). */
  if (bc_url_is_loopback (bc_livekit_token_get_url (self->token)))
    g_object_set (self->room, "loopback-only", TRUE, NULL);
  g_signal_connect_object (self->room, "notify::state", G_CALLBACK (on_room_state), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->room, "disconnected", G_CALLBACK (on_room_disconnected), self,
                           G_CONNECT_SWAPPED);
  if (!self->publisher)
    g_signal_connect (self->room, "track-subscribed", G_CALLBACK (on_track_subscribed), self);

  bc_lk_room_connect_async (self->room, bc_livekit_token_get_url (self->token),
                            bc_livekit_token_get_token (self->token), self->cancellable,
                            on_room_connected, g_object_ref (self));
  self->stats_source = g_timeout_add_seconds (1, stats_tick, self);
}

/* The camera on screen before going live: the same source as when
 * streaming, its packets dropped, so what the streamer sees is what will be
 * sent. */
static void
start_preview_pipeline (BcLiveStream *self)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);
  GstElement *source = bc_video_source_get_element (self->video);

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  self->preview_pipeline = gst_pipeline_new ("bountycam-preview");
  gst_bin_add_many (GST_BIN (self->preview_pipeline), source, sink, NULL);
  if (!gst_element_link (source, sink) ||
      gst_element_set_state (self->preview_pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      fail (self, g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_FAILED,
                                       _ ("The camera could not be started.")));
      return;
    }
}

static void
start_video (BcLiveStream *self, BcCamera *camera)
{
  g_autoptr (GError) error = NULL;
  BcVideoCodec codec = BC_VIDEO_CODEC_H264;

  if (self->codec != NULL)
    bc_video_codec_from_string (self->codec, &codec);
  self->video = g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, &error, "camera", camera, "codec",
                                codec, "preview", TRUE, NULL);
  if (self->video == NULL)
    {
      fail (self, translate_error (error));
      return;
    }

  bc_media_stats_set_video_source (self->stats, self->video);
  if (bc_video_source_get_preview (self->video) != NULL)
    attach_sink (self, bc_video_source_get_preview (self->video));

  if (self->preview_only)
    start_preview_pipeline (self);
  else
    join_room (self);
}

static void
on_cameras_found (GObject *object, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (BcLiveStream) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcCamera) camera = NULL;
  const char *spec;

  if (!bc_camera_monitor_start_finish (BC_CAMERA_MONITOR (object), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, translate_error (error));
      return;
    }

  spec = self->camera_id && *self->camera_id ? self->camera_id : "auto";
  camera = bc_camera_monitor_lookup (self->cameras, spec, &error);
  if (camera == NULL)
    {
      if (bc_camera_monitor_get_portal_denied (self->cameras))
        fail (self, g_error_new_literal (BC_LIVE_STREAM_ERROR, BC_LIVE_STREAM_ERROR_CAMERA_DENIED,
                                         error->message));
      else
        fail (self, translate_error (error));
      return;
    }

  start_video (self, camera);
}

static void
find_camera (BcLiveStream *self)
{
  /* The test pattern needs no looking for. */
  if (g_strcmp0 (self->camera_id, "test") == 0)
    {
      g_autoptr (BcCamera) pattern = bc_camera_new_test_pattern ();

      start_video (self, pattern);
      return;
    }

  self->cameras = bc_camera_monitor_new ();
  bc_camera_monitor_start_async (self->cameras, self->cancellable, on_cameras_found,
                                 g_object_ref (self));
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

  if (!self->publisher)
    {
      join_room (self);
      return;
    }

  /* The camera first: a missing or forbidden camera is reported before
   * anything is sent. */
  find_camera (self);
}

void
bc_live_stream_start (BcLiveStream *self)
{
  g_return_if_fail (BC_IS_LIVE_STREAM (self));

  bc_live_stream_stop (self);
  g_clear_error (&self->error);
  self->cancellable = g_cancellable_new ();
  self->stats = bc_media_stats_new ();
  bc_media_stats_set_start_time (self->stats, g_get_monotonic_time ());
  if (!self->publisher)
    bc_media_stats_set_jitter_buffer_latency (
        self->stats, self->low_latency ? bc_media_get_jitter_latency_ms () : 200);

  self->target = g_atomic_rc_box_new0 (FrameTarget);
  g_weak_ref_init (&self->target->paintable, self->paintable);
  g_weak_ref_init (&self->target->stream, self);
  self->target->context = g_main_context_ref_thread_default ();
  set_state (self, BC_LIVE_STREAM_CONNECTING);

  if (self->preview_only)
    {
      find_camera (self);
      return;
    }

  bc_api_client_livekit_token_async (self->client, self->session_id, self->cancellable, on_token,
                                     g_object_ref (self));
}

void
bc_live_stream_stop (BcLiveStream *self)
{
  g_return_if_fail (BC_IS_LIVE_STREAM (self));

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->stats_source, g_source_remove);
  detach_media (self);

  if (self->room != NULL)
    {
      g_signal_handlers_disconnect_by_data (self->room, self);
      bc_lk_room_disconnect (self->room);
      g_clear_object (&self->room);
    }

  if (self->preview_pipeline != NULL)
    {
      gst_element_set_state (self->preview_pipeline, GST_STATE_NULL);
      g_clear_object (&self->preview_pipeline);
    }
  if (self->cameras != NULL)
    bc_camera_monitor_stop (self->cameras);
  g_clear_object (&self->cameras);
  g_clear_object (&self->video);
  g_clear_object (&self->audio);
  g_clear_pointer (&self->audio_track_sid, g_free);
  g_clear_object (&self->token);
  g_clear_object (&self->stats);
  self->stats_polling = FALSE;
  if (self->target != NULL)
    g_atomic_rc_box_release_full (g_steal_pointer (&self->target), frame_target_clear);

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
  if (!self->publisher)
    return;

  if (self->audio != NULL)
    {
      bc_audio_source_set_muted (self->audio, !enabled);
      if (self->audio_track_sid != NULL && self->room != NULL)
        bc_lk_room_set_track_muted (self->room, self->audio_track_sid, !enabled);
    }
  else if (enabled && self->state == BC_LIVE_STREAM_LIVE)
    publish_microphone (self);
}

gboolean
bc_live_stream_get_stats (BcLiveStream *self, BcLiveStats *stats)
{
  g_return_val_if_fail (BC_IS_LIVE_STREAM (self), FALSE);
  g_return_val_if_fail (stats != NULL, FALSE);

  *stats = (BcLiveStats){ 0 };
  if (self->stats == NULL)
    return FALSE;

  stats->width = bc_media_stats_get_width (self->stats);
  stats->height = bc_media_stats_get_height (self->stats);
  stats->fps = bc_media_stats_get_fps (self->stats);
  stats->bitrate_kbps = bc_media_stats_get_bitrate_kbps (self->stats);
  stats->packet_loss_percent = bc_media_stats_get_packet_loss_percent (self->stats);
  stats->rtt_ms = bc_media_stats_get_rtt_ms (self->stats);
  if (stats->rtt_ms <= 0 && self->room != NULL)
    stats->rtt_ms = bc_lk_room_get_signal_rtt (self->room);
  stats->valid = stats->width > 0 && stats->height > 0;

  return stats->valid;
}

guint64
bc_live_stream_get_frames (BcLiveStream *self)
{
  g_return_val_if_fail (BC_IS_LIVE_STREAM (self), 0);

  return self->stats ? bc_media_stats_get_frames (self->stats) : 0;
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

  bc_live_stream_stop (self);
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
  g_clear_pointer (&self->sinks, g_ptr_array_unref);
  g_clear_pointer (&self->receivers, g_ptr_array_unref);
  g_mutex_clear (&self->lock);

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
  g_mutex_init (&self->lock);
  self->sinks = g_ptr_array_new_with_free_func (g_object_unref);
  self->receivers = g_ptr_array_new_with_free_func (g_object_unref);
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

/**
 * bc_live_stream_new_preview:
 *
 * Shows @camera_id in @paintable without joining any room: the streamer's
 * preview before going live. It is "live" once frames arrive.
 */
BcLiveStream *
bc_live_stream_new_preview (const char *camera_id, BcVideoPaintable *paintable)
{
  BcLiveStream *self = g_object_new (BC_TYPE_LIVE_STREAM, NULL);

  self->preview_only = TRUE;
  self->publisher = TRUE;
  self->camera_id = g_strdup (camera_id);
  self->paintable = g_object_ref (paintable);

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
