/* bc-cli-stream.c: publish and watch, the LiveKit half of bountycam-cli */
#define G_LOG_DOMAIN "bc-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gst/gst.h>

#include "bc-cli.h"
#include "bc-lk-error.h"
#include "bc-lk-peer.h"
#include "bc-lk-proto.h"
#include "bc-lk-room.h"
#include "bc-media.h"

#define STATS_INTERVAL_MS 1000
#define CHECK_INTERVAL_MS 100
/* Time for the leave message to go out before we close. */
#define LEAVE_FLUSH_MS 200
/* A viewer counts a gap this long between two frames as a freeze. */
#define FREEZE_MS 500

/* LiveKit's DisconnectReason values we act on (livekit_models.proto). */
#define LK_REASON_CLIENT_INITIATED    1
#define LK_REASON_PARTICIPANT_REMOVED 4
#define LK_REASON_ROOM_DELETED        5

typedef struct
{
  BcCli *cli;
  gboolean publishing;

  /* options */
  char *session_id;
  char *livekit_url;
  char *token;
  char *camera_spec;
  char *codec_name;
  int duration_s;
  int frames_wanted;
  int latency_ms;
  int reconnect_timeout_s;
  gboolean stamp;

  GMainLoop *loop;
  int exit_code;
  gboolean finished;
  char *end_reason;

  BcLivekitToken *lk_token;
  BcRealtime *realtime;
  BcLkRoom *room;
  BcCameraMonitor *monitor;
  BcVideoSource *source;
  BcMediaStats *stats;
  char *track_sid;
  gint64 start_time;
  gint64 start_real_time;
  gboolean stats_polling;
  gboolean ending_session_lookup;
  BcLkRoomState last_state;

  GMutex lock;
  GPtrArray *receivers;    /* BcTrackReceiver*, added from streaming threads */
  BcFrameSink *sink;       /* the video receiver's, once known */
  BcFrameSink *stats_sink; /* the one the statistics read (not a reference) */
  char *codec_seen;
  guint64 last_frames;
  gint64 last_frame_time; /* when on_check last saw the count move */
  guint freezes;
  gint64 longest_freeze_us;

  guint stats_id;
  guint check_id;
  guint duration_id;
  guint leave_id;
  guint attach_id;
  gulong cancelled_id;
} Stream;

static void stream_finish (Stream *s, int code, const char *reason);

static const char *
state_name (BcLkRoomState state)
{
  switch (state)
    {
    case BC_LK_ROOM_STATE_DISCONNECTED:
      return "disconnected";
    case BC_LK_ROOM_STATE_CONNECTING:
      return "connecting";
    case BC_LK_ROOM_STATE_CONNECTED:
      return "connected";
    case BC_LK_ROOM_STATE_RECONNECTING:
      return "reconnecting";
    case BC_LK_ROOM_STATE_FAILED:
      return "failed";
    default:
      return "unknown";
    }
}

static void
emit (Stream *s, const char *type, JsonObject *obj)
{
  /* Milliseconds since the command started, to see where time goes. */
  if (obj && !json_object_has_member (obj, "t_ms"))
    json_object_set_double_member (obj, "t_ms", (g_get_monotonic_time () - s->start_time) / 1000.0);
  bc_cli_print_json (s->cli, type, obj);
}

static void
emit_state (Stream *s, const char *state, const char *detail)
{
  g_autoptr (JsonObject) obj = json_object_new ();

  json_object_set_string_member (obj, "state", state);
  if (detail)
    json_object_set_string_member (obj, "detail", detail);
  emit (s, "state", obj);
  if (detail)
    bc_cli_status (s->cli, "LiveKit room: %s (%s)", state, detail);
  else
    bc_cli_status (s->cli, "LiveKit room: %s", state);
}

/* g_get_real_time() of the first decoded video frame, or now. */
static gint64
first_frame_time (Stream *s)
{
  BcFrameSink *sink;
  gint64 t = 0;

  g_mutex_lock (&s->lock);
  sink = s->sink ? g_object_ref (s->sink) : NULL;
  g_mutex_unlock (&s->lock);
  if (sink)
    {
      t = bc_frame_sink_get_first_frame_time (sink);
      g_object_unref (sink);
    }
  return t > 0 ? t : g_get_real_time ();
}

static guint64
frames_now (Stream *s)
{
  BcFrameSink *sink;
  guint64 n = 0;

  if (s->publishing)
    return s->source ? bc_video_source_get_n_frames (s->source) : 0;
  g_mutex_lock (&s->lock);
  sink = s->sink ? g_object_ref (s->sink) : NULL;
  g_mutex_unlock (&s->lock);
  if (sink)
    {
      n = bc_frame_sink_get_n_frames (sink);
      g_object_unref (sink);
    }
  return n;
}

/* ---- statistics ---------------------------------------------------------- */

static JsonObject *
stats_to_json (Stream *s)
{
  JsonObject *obj = json_object_new ();
  guint64 frames = frames_now (s);

  json_object_set_string_member (obj, "role", s->publishing ? "publisher" : "viewer");
  json_object_set_int_member (obj, "frames", (gint64) frames);
  json_object_set_int_member (obj, s->publishing ? "frames_sent" : "frames_decoded",
                              (gint64) frames);
  json_object_set_double_member (obj, "elapsed_s", (g_get_monotonic_time () - s->start_time) / 1e6);
  if (s->stats)
    {
      json_object_set_int_member (obj, "width", bc_media_stats_get_width (s->stats));
      json_object_set_int_member (obj, "height", bc_media_stats_get_height (s->stats));
      json_object_set_double_member (obj, "fps", bc_media_stats_get_fps (s->stats));
      json_object_set_double_member (obj, "bitrate_kbps",
                                     bc_media_stats_get_bitrate_kbps (s->stats));
      json_object_set_int_member (obj, "packets", bc_media_stats_get_packets (s->stats));
      json_object_set_int_member (obj, "packets_lost", bc_media_stats_get_packets_lost (s->stats));
      json_object_set_double_member (obj, "packet_loss_percent",
                                     bc_media_stats_get_packet_loss_percent (s->stats));
      json_object_set_double_member (obj, "rtt_ms", bc_media_stats_get_rtt_ms (s->stats));
      json_object_set_double_member (obj, "jitter_ms", bc_media_stats_get_jitter_ms (s->stats));
      if (!s->publishing)
        {
          json_object_set_double_member (obj, "jitter_buffer_ms",
                                         bc_media_stats_get_jitter_buffer_ms (s->stats));
          json_object_set_double_member (obj, "time_to_first_frame_ms",
                                         bc_media_stats_get_time_to_first_frame_ms (s->stats));
          json_object_set_double_member (obj, "latency_p50_ms",
                                         bc_media_stats_get_latency_p50_ms (s->stats));
          json_object_set_double_member (obj, "latency_p95_ms",
                                         bc_media_stats_get_latency_p95_ms (s->stats));
          json_object_set_int_member (obj, "freezes", s->freezes);
          json_object_set_double_member (obj, "longest_freeze_ms", s->longest_freeze_us / 1000.0);
        }
      json_object_set_int_member (obj, "pli_count", bc_media_stats_get_pli_count (s->stats));
      json_object_set_int_member (obj, "nack_count", bc_media_stats_get_nack_count (s->stats));
    }
  if (s->publishing && s->source)
    {
      json_object_set_string_member (
          obj, "codec", bc_video_codec_to_string (bc_video_source_get_codec (s->source)));
      json_object_set_string_member (obj, "encoder", bc_video_source_get_encoder_name (s->source));
      json_object_set_int_member (obj, "keyframes",
                                  (gint64) bc_video_source_get_n_keyframes (s->source));
    }
  else if (s->codec_seen)
    json_object_set_string_member (obj, "codec", s->codec_seen);
  return obj;
}

static void
print_stats (Stream *s)
{
  if (s->cli->json)
    {
      g_autoptr (JsonObject) obj = stats_to_json (s);
      emit (s, "stats", obj);
    }
  else
    {
      g_autofree char *line = s->stats ? bc_media_stats_format (s->stats) : g_strdup ("");
      gboolean tty = isatty (STDERR_FILENO);

      fprintf (stderr, "%s%s %" G_GUINT64_FORMAT " frames  %s%s", tty ? "\r\033[K" : "",
               s->publishing ? "sent" : "decoded", frames_now (s), line, tty ? "" : "\n");
      fflush (stderr);
    }
}

static void
on_stats_polled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Stream *s = user_data;

  /* A failed poll (no stats yet) still prints the frame count. */
  bc_media_stats_poll_finish (BC_MEDIA_STATS (source), result, NULL);
  s->stats_polling = FALSE;
  if (!s->finished)
    print_stats (s);
}

static gboolean
on_stats_tick (gpointer user_data)
{
  Stream *s = user_data;
  GstElement *webrtc;

  if (s->finished || s->stats_polling)
    return G_SOURCE_CONTINUE;
  webrtc = s->room ? bc_lk_room_get_webrtcbin (s->room, s->publishing) : NULL;
  if (webrtc == NULL || s->stats == NULL)
    {
      print_stats (s);
      return G_SOURCE_CONTINUE;
    }
  s->stats_polling = TRUE;
  bc_media_stats_poll_async (s->stats, webrtc, NULL, on_stats_polled, s);
  return G_SOURCE_CONTINUE;
}

/* ---- ending -------------------------------------------------------------- */

static gboolean
on_leave_timeout (gpointer user_data)
{
  Stream *s = user_data;

  s->leave_id = 0;
  g_main_loop_quit (s->loop);
  return G_SOURCE_REMOVE;
}

static void
stream_finish (Stream *s, int code, const char *reason)
{
  if (s->finished)
    return;
  s->finished = TRUE;
  s->exit_code = code;
  s->end_reason = g_strdup (reason);
  g_main_loop_quit (s->loop);
}

/* The session ended on the server: say how, then end with exit code 7. */
static void
on_ended_session (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr (BcSession) session = NULL;
  g_autofree char *reason = NULL;
  const char *outcome;

  session = bc_api_client_get_session_finish (BC_API_CLIENT (source), result, NULL);
  outcome = session ? bc_session_get_outcome (session) : NULL;
  if (g_strcmp0 (outcome, "approved") == 0)
    reason = g_strdup ("The requester approved the session; it has ended");
  else if (g_strcmp0 (outcome, "rejected") == 0)
    reason = g_strdup ("The requester rejected the session; it has ended");
  else if (g_strcmp0 (outcome, "timed_out") == 0)
    reason = g_strdup ("The session timed out after a long time without activity");
  else
    reason = g_strdup ("The session has ended");
  stream_finish (s, BC_EXIT_ENDED, reason);
}

static void
session_ended (Stream *s)
{
  if (s->finished || s->ending_session_lookup)
    return;
  if (s->cli->client == NULL || s->session_id == NULL)
    {
      stream_finish (s, BC_EXIT_ENDED, "The room was closed by the server");
      return;
    }
  s->ending_session_lookup = TRUE;
  bc_api_client_get_session_async (s->cli->client, s->session_id, NULL, on_ended_session, s);
}

static void
on_room_disconnected (BcLkRoom *room, int reason, const char *message, gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr (JsonObject) obj = json_object_new ();

  json_object_set_int_member (obj, "reason_code", reason);
  json_object_set_string_member (obj, "reason",
                                 bc_lk_disconnect_reason_name ((Livekit__DisconnectReason) reason));
  json_object_set_string_member (obj, "message", message ? message : "");
  emit (s, "disconnected", obj);

  if (s->finished || reason == LK_REASON_CLIENT_INITIATED)
    return;
  if (reason == LK_REASON_ROOM_DELETED || reason == LK_REASON_PARTICIPANT_REMOVED)
    session_ended (s);
  else
    {
      g_autofree char *why =
          g_strdup_printf ("Left the LiveKit room: %s", message ? message : "connection lost");
      stream_finish (s, BC_EXIT_MEDIA, why);
    }
}

static void
on_room_state (GObject *object, GParamSpec *pspec, gpointer user_data)
{
  Stream *s = user_data;
  BcLkRoomState state = bc_lk_room_get_state (s->room);

  if (state == s->last_state)
    return;
  s->last_state = state;
  if (!s->cli->json && isatty (STDERR_FILENO))
    fputc ('\n', stderr);
  emit_state (s, state_name (state), NULL);
}

static void
on_realtime_message (BcRealtime *rt, const char *type, JsonObject *message, gpointer user_data)
{
  Stream *s = user_data;
  const char *session_id = NULL;
  const char *status = NULL;

  if (g_strcmp0 (type, "session.updated") == 0)
    {
      JsonObject *session = json_object_get_object_member (message, "session");
      if (session)
        {
          session_id = json_object_get_string_member_with_default (session, "id", NULL);
          status = json_object_get_string_member_with_default (session, "status", NULL);
        }
    }
  else if (g_strcmp0 (type, "session.event") == 0)
    {
      session_id = json_object_get_string_member_with_default (message, "session_id", NULL);
      status = json_object_get_string_member_with_default (message, "status", NULL);
    }
  if (g_strcmp0 (session_id, s->session_id) == 0 && g_strcmp0 (status, "ended") == 0)
    session_ended (s);
}

static void
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  Stream *s = user_data;
  stream_finish (s, BC_EXIT_INTERRUPTED, "Interrupted");
}

static gboolean
on_duration (gpointer user_data)
{
  Stream *s = user_data;
  g_autofree char *reason = NULL;

  s->duration_id = 0;
  if (!s->publishing && s->frames_wanted > 0)
    {
      reason = g_strdup_printf ("Only %" G_GUINT64_FORMAT " of %d frames arrived in %d s",
                                frames_now (s), s->frames_wanted, s->duration_s);
      stream_finish (s, BC_EXIT_MEDIA, reason);
    }
  else if (!s->publishing && frames_now (s) == 0)
    {
      reason = g_strdup_printf ("No video arrived in %d s", s->duration_s);
      stream_finish (s, BC_EXIT_MEDIA, reason);
    }
  else
    {
      reason = g_strdup_printf ("Stopped after %d s as asked", s->duration_s);
      stream_finish (s, BC_EXIT_OK, reason);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_check (gpointer user_data)
{
  Stream *s = user_data;
  guint64 n = frames_now (s);
  gint64 now = g_get_monotonic_time ();

  /* The count starts again when the track comes on a new pad after a
   * rejoin: any change to a non-zero count is a new frame. */
  if (!s->publishing && n > 0 && n != s->last_frames && s->last_frame_time != 0 &&
      now - s->last_frame_time > FREEZE_MS * 1000)
    {
      /* Frames flow again after a freeze: say how long it was, with the
       * wall clock, so a test can tell when video came back after a fault. */
      g_autoptr (JsonObject) obj = json_object_new ();

      s->freezes++;
      s->longest_freeze_us = MAX (s->longest_freeze_us, now - s->last_frame_time);
      json_object_set_double_member (obj, "gap_ms", (now - s->last_frame_time) / 1000.0);
      json_object_set_int_member (obj, "unix_ms", g_get_real_time () / 1000);
      emit (s, "frames_resumed", obj);
    }
  if (n > 0 && n != s->last_frames)
    s->last_frame_time = now;
  if (!s->publishing && n > 0 && s->last_frames == 0)
    {
      g_autoptr (JsonObject) obj = json_object_new ();
      gint64 decoded = first_frame_time (s);
      double after_ms = (decoded - s->start_real_time) / 1000.0;

      /* When it was decoded, not when this poll noticed. after_ms counts
       * from the start of the join, since_start_ms from the start of the
       * process. */
      json_object_set_double_member (obj, "after_ms", after_ms);
      json_object_set_double_member (obj, "since_start_ms",
                                     (decoded - s->cli->process_start) / 1000.0);
      emit (s, "first_frame", obj);
      bc_cli_status (s->cli, "first frame after %.0f ms", after_ms);
    }
  s->last_frames = n;
  if (!s->publishing && s->frames_wanted > 0 && n >= (guint64) s->frames_wanted)
    {
      g_autofree char *reason =
          g_strdup_printf ("Decoded %" G_GUINT64_FORMAT " frames as asked", n);
      stream_finish (s, BC_EXIT_OK, reason);
    }
  return G_SOURCE_CONTINUE;
}

/* ---- viewer -------------------------------------------------------------- */

/* Streaming thread: build the decoder for the new track right here, as
 * BcLkRoom asks. */
static void
on_track_subscribed (BcLkRoom *room,
                     const char *participant_sid,
                     const char *identity,
                     const char *track_sid,
                     int kind,
                     GstPad *pad,
                     GstBin *bin,
                     gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (BcTrackReceiver) receiver = NULL;

  receiver = bc_track_receiver_new_for_pad (pad, &error);
  if (receiver == NULL)
    {
      g_message ("Cannot play track %s: %s", track_sid ? track_sid : "?", error->message);
      return;
    }
  g_mutex_lock (&s->lock);
  if (bc_track_receiver_get_kind (receiver) == BC_TRACK_KIND_VIDEO)
    {
      /* After a rejoin the track comes again on a new pad: follow it. */
      g_set_object (&s->sink, bc_track_receiver_get_frame_sink (receiver));
      g_free (s->codec_seen);
      s->codec_seen = g_ascii_strdown (bc_track_receiver_get_codec_name (receiver), -1);
    }
  g_ptr_array_add (s->receivers, g_steal_pointer (&receiver));
  g_mutex_unlock (&s->lock);
}

/* Main thread: the statistics follow the newest video sink. */
static gboolean
attach_sink_to_stats (gpointer user_data)
{
  Stream *s = user_data;

  g_mutex_lock (&s->lock);
  if (s->sink && s->sink != s->stats_sink && s->stats)
    {
      bc_media_stats_set_frame_sink (s->stats, s->sink);
      s->stats_sink = s->sink;
    }
  g_mutex_unlock (&s->lock);
  return G_SOURCE_CONTINUE;
}

static void
on_track_published (BcLkRoom *room,
                    const char *participant_sid,
                    const char *identity,
                    const char *track_sid,
                    int kind,
                    int source,
                    const char *name,
                    gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr (JsonObject) obj = json_object_new ();

  json_object_set_string_member (obj, "identity", identity ? identity : "");
  json_object_set_string_member (obj, "track_sid", track_sid ? track_sid : "");
  json_object_set_string_member (obj, "kind", kind == BC_LK_TRACK_KIND_VIDEO ? "video" : "audio");
  json_object_set_string_member (obj, "source",
                                 source == BC_LK_TRACK_SOURCE_CAMERA       ? "camera"
                                 : source == BC_LK_TRACK_SOURCE_MICROPHONE ? "microphone"
                                                                           : "other");
  emit (s, "track", obj);
  bc_cli_status (s->cli, "%s track from %s", kind == BC_LK_TRACK_KIND_VIDEO ? "video" : "audio",
                 identity ? identity : "?");
}

static void
on_participant_disconnected (BcLkRoom *room,
                             const char *participant_sid,
                             const char *identity,
                             gpointer user_data)
{
  Stream *s = user_data;
  g_autoptr (JsonObject) obj = json_object_new ();

  json_object_set_string_member (obj, "identity", identity ? identity : "");
  emit (s, "participant_left", obj);
  bc_cli_status (s->cli, "%s left the room; waiting for them to come back",
                 identity ? identity : "The streamer");
}

/* ---- setup --------------------------------------------------------------- */

static BcCamera *
find_camera (Stream *s, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  if (g_strcmp0 (s->camera_spec, "test") == 0)
    return bc_camera_new_test_pattern ();
  s->monitor = bc_camera_monitor_new ();
  bc_camera_monitor_start_async (s->monitor, s->cli->cancellable, bc_cli_store_result, s->cli);
  res = bc_cli_wait (s->cli);
  if (!bc_camera_monitor_start_finish (s->monitor, res, error))
    return NULL;
  return bc_camera_monitor_lookup (s->monitor, s->camera_spec, error);
}

static gboolean
make_source (Stream *s, GError **error)
{
  g_autoptr (BcCamera) camera = find_camera (s, error);
  BcVideoCodec codec = BC_VIDEO_CODEC_H264;

  if (camera == NULL)
    return FALSE;
  if (s->codec_name && !bc_video_codec_from_string (s->codec_name, &codec))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "Unknown codec “%s”; use h264 or vp8", s->codec_name);
      return FALSE;
    }
  s->source = g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, error, "camera", camera, "codec", codec,
                              "stamp-capture-time", s->stamp, NULL);
  if (s->source == NULL && s->codec_name == NULL && codec == BC_VIDEO_CODEC_H264)
    {
      /* No H.264 encoder installed: VP8 works everywhere LiveKit does. */
      g_clear_error (error);
      s->source = g_initable_new (BC_TYPE_VIDEO_SOURCE, NULL, error, "camera", camera, "codec",
                                  BC_VIDEO_CODEC_VP8, "stamp-capture-time", s->stamp, NULL);
    }
  if (s->source == NULL)
    return FALSE;
  {
    int w = 0, h = 0, fps = 0;
    g_autoptr (JsonObject) obj = json_object_new ();

    bc_video_source_get_size (s->source, &w, &h, &fps);
    json_object_set_string_member (obj, "camera", bc_camera_get_name (camera));
    json_object_set_string_member (
        obj, "codec", bc_video_codec_to_string (bc_video_source_get_codec (s->source)));
    json_object_set_string_member (obj, "encoder", bc_video_source_get_encoder_name (s->source));
    json_object_set_int_member (obj, "width", w);
    json_object_set_int_member (obj, "height", h);
    json_object_set_int_member (obj, "framerate", fps);
    emit (s, "source", obj);
    bc_cli_status (s->cli, "camera %s, %dx%d@%d, %s (%s)", bc_camera_get_name (camera), w, h, fps,
                   bc_video_codec_to_string (bc_video_source_get_codec (s->source)),
                   bc_video_source_get_encoder_name (s->source));
  }
  return TRUE;
}

/* Gets the LiveKit URL and token: from the options (raw mode) or the server. */
static gboolean
get_token (Stream *s, GError **error)
{
  g_autoptr (GAsyncResult) res = NULL;

  if (s->livekit_url)
    {
      /* The token travels in the URL's query string: the same rule as for
       * the server's tokens (bc_api_client_livekit_token_async). */
      if (!g_str_has_prefix (s->livekit_url, "wss://") &&
          !g_str_has_prefix (s->livekit_url, "https://") && !s->cli->allow_insecure &&
          !bc_url_is_loopback (s->livekit_url))
        {
          g_set_error (error, BC_CLIENT_ERROR, BC_CLIENT_ERROR_INSECURE,
                       "Refusing to send the LiveKit token unencrypted to %s; use wss://",
                       s->livekit_url);
          return FALSE;
        }
      return TRUE;
    }
  if (!bc_cli_connect (s->cli, TRUE, error))
    return FALSE;
  bc_api_client_livekit_token_async (s->cli->client, s->session_id, s->cli->cancellable,
                                     bc_cli_store_result, s->cli);
  res = bc_cli_wait (s->cli);
  s->lk_token = bc_api_client_livekit_token_finish (s->cli->client, res, error);
  bc_cli_save_login (s->cli);
  if (s->lk_token == NULL)
    return FALSE;
  if (!s->publishing && g_strcmp0 (bc_livekit_token_get_role (s->lk_token), "streamer") == 0)
    {
      /* The streamer's token may not subscribe: nothing would ever arrive. */
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_NOT_ALLOWED,
                           "You are this session's streamer; only its requester can watch it");
      return FALSE;
    }
  s->livekit_url = g_strdup (bc_livekit_token_get_url (s->lk_token));
  s->token = g_strdup (bc_livekit_token_get_token (s->lk_token));
  {
    g_autoptr (JsonObject) obj = json_object_new ();
    json_object_set_string_member (obj, "session_id", s->session_id);
    json_object_set_string_member (obj, "url", s->livekit_url);
    json_object_set_string_member (obj, "room", bc_livekit_token_get_room (s->lk_token));
    json_object_set_string_member (obj, "identity", bc_livekit_token_get_identity (s->lk_token));
    json_object_set_string_member (obj, "role", bc_livekit_token_get_role (s->lk_token));
    json_object_set_boolean_member (obj, "can_publish",
                                    bc_livekit_token_get_can_publish (s->lk_token));
    emit (s, "grant", obj);
  }
  return TRUE;
}

static int
map_stream_error (Stream *s, GError *error)
{
  /* A refused publish says plainly who may publish. */
  if (s->publishing && g_error_matches (error, BC_LK_ERROR, BC_LK_ERROR_NOT_ALLOWED))
    {
      g_autofree char *msg = NULL;
      const char *role = s->lk_token ? bc_livekit_token_get_role (s->lk_token) : NULL;

      if (role && g_strcmp0 (role, "streamer") != 0)
        msg = g_strdup_printf ("Your LiveKit token may not publish: you are this session's %s, "
                               "and only the streamer streams (%s)",
                               role, error->message);
      else
        msg = g_strdup_printf ("Your LiveKit token may not publish (%s)", error->message);
      g_free (error->message);
      error->message = g_steal_pointer (&msg);
    }
  /* Errors of the livekit and media layers map to BC_EXIT_MEDIA. */
  return bc_cli_fail (s->cli, error);
}

/* The livekit layer makes the process's DTLS certificate on a thread of its
 * own while joining. Exiting while OpenSSL is at it crashes in OpenSSL's exit
 * handlers, so wait for it: GStreamer makes the certificate once, under a
 * lock, when the first DTLS element is made. */
static void
wait_for_dtls_certificate (void)
{
  GstElement *dec;

  if (!gst_is_initialized ())
    return;
  dec = gst_element_factory_make ("dtlsdec", NULL);
  g_clear_pointer (&dec, gst_object_unref);
}

static void
stream_free (Stream *s)
{
  /* The process exits next: not while the warm-up loads a plugin. */
  bc_lk_peer_warm_up_finish ();
  wait_for_dtls_certificate ();
  if (s->stats_polling)
    return; /* still referenced by the poll; the process is about to exit */
  g_clear_handle_id (&s->stats_id, g_source_remove);
  g_clear_handle_id (&s->check_id, g_source_remove);
  g_clear_handle_id (&s->duration_id, g_source_remove);
  g_clear_handle_id (&s->leave_id, g_source_remove);
  g_clear_handle_id (&s->attach_id, g_source_remove);
  if (s->cancelled_id)
    g_cancellable_disconnect (s->cli->cancellable, s->cancelled_id);
  if (s->realtime)
    {
      g_signal_handlers_disconnect_by_data (s->realtime, s);
      bc_realtime_stop (s->realtime);
    }
  g_clear_object (&s->realtime);
  if (s->room)
    {
      g_signal_handlers_disconnect_by_data (s->room, s);
      bc_lk_room_disconnect (s->room);
    }
  g_clear_object (&s->room);
  g_mutex_lock (&s->lock);
  g_clear_object (&s->sink);
  g_clear_pointer (&s->receivers, g_ptr_array_unref);
  g_mutex_unlock (&s->lock);
  g_mutex_clear (&s->lock);
  g_clear_object (&s->source);
  if (s->monitor)
    bc_camera_monitor_stop (s->monitor);
  g_clear_object (&s->monitor);
  g_clear_object (&s->stats);
  g_clear_object (&s->lk_token);
  g_clear_pointer (&s->loop, g_main_loop_unref);
  g_free (s->session_id);
  g_free (s->livekit_url);
  if (s->token)
    memset (s->token, 0, strlen (s->token));
  g_free (s->token);
  g_free (s->camera_spec);
  g_free (s->codec_name);
  g_free (s->track_sid);
  g_free (s->end_reason);
  g_free (s->codec_seen);
  g_free (s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Stream, stream_free)

static void
on_stream_started_posted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;

  if (!bc_api_client_post_event_finish (BC_API_CLIENT (source), result, &error))
    g_message ("Could not log stream_started: %s", error->message);
}

/* The DTLS certificate, webrtcbin's plugins and a viewer's decoders, in a
 * thread (bc_lk_peer_warm_up_with()). */
static void
warm_up (gboolean publishing)
{
  g_auto (GStrv) names = publishing ? NULL : bc_track_receiver_dup_factory_names ();

  bc_lk_peer_warm_up_with ((const char *const *) names);
}

static gpointer
init_thread_run (gpointer data)
{
  gst_init (NULL, NULL);
  warm_up (GPOINTER_TO_INT (data));
  return NULL;
}

static int
run_stream (BcCli *cli, Stream *s)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) res = NULL;
  int code;

  GThread *init_thread;
  gboolean have_token = FALSE;

  /* A new process spends most of its first join loading GStreamer and
   * making the DTLS certificate: a viewer does that while it reads the login
   * and fetches its token (a publisher needs GStreamer for its camera at
   * once). */
  init_thread = g_thread_new ("bc-cli-init", init_thread_run, GINT_TO_POINTER (s->publishing));
  s->loop = g_main_loop_new (NULL, FALSE);
  s->receivers = g_ptr_array_new_with_free_func (g_object_unref);
  g_mutex_init (&s->lock);
  s->stats = bc_media_stats_new ();
  s->start_time = g_get_monotonic_time ();
  s->start_real_time = g_get_real_time ();

  if (!s->publishing)
    have_token = get_token (s, &error);
  g_thread_join (init_thread);
  if (!s->publishing && !have_token)
    return map_stream_error (s, error);
  if (s->publishing && !make_source (s, &error))
    return map_stream_error (s, error);
  if (s->publishing && !get_token (s, &error))
    return map_stream_error (s, error);

  if (s->session_id && cli->client)
    {
      s->realtime = bc_realtime_new (cli->client);
      g_signal_connect (s->realtime, "message", G_CALLBACK (on_realtime_message), s);
      bc_realtime_start (s->realtime);
    }

  s->room = bc_lk_room_new ();
  /* webrtcbin's jitter buffers wait 200 ms by default. */
  g_object_set (s->room, "latency", (guint) s->latency_ms, NULL);
  if (s->reconnect_timeout_s > 0)
    g_object_set (s->room, "reconnect-timeout", (guint) s->reconnect_timeout_s, NULL);
  s->last_state = BC_LK_ROOM_STATE_DISCONNECTED;
  g_signal_connect (s->room, "notify::state", G_CALLBACK (on_room_state), s);
  g_signal_connect (s->room, "disconnected", G_CALLBACK (on_room_disconnected), s);
  if (!s->publishing)
    {
      g_signal_connect (s->room, "track-subscribed", G_CALLBACK (on_track_subscribed), s);
      g_signal_connect (s->room, "track-published", G_CALLBACK (on_track_published), s);
      g_signal_connect (s->room, "participant-disconnected",
                        G_CALLBACK (on_participant_disconnected), s);
      bc_media_stats_set_start_time (s->stats, g_get_real_time ());
      bc_media_stats_set_jitter_buffer_latency (s->stats, (guint) s->latency_ms);
    }

  bc_lk_room_connect_async (s->room, s->livekit_url, s->token, cli->cancellable,
                            bc_cli_store_result, cli);
  res = bc_cli_wait (cli);
  if (!bc_lk_room_connect_finish (s->room, res, &error))
    return map_stream_error (s, error);
  g_clear_object (&res);
  {
    g_autoptr (JsonObject) obj = json_object_new ();
    json_object_set_string_member (obj, "room", bc_lk_room_get_name (s->room));
    json_object_set_string_member (obj, "identity", bc_lk_room_get_local_identity (s->room));
    json_object_set_boolean_member (obj, "can_publish", bc_lk_room_get_can_publish (s->room));
    emit (s, "joined", obj);
    bc_cli_status (cli, "joined room %s as %s", bc_lk_room_get_name (s->room),
                   bc_lk_room_get_local_identity (s->room));
  }

  if (s->publishing)
    {
      int w = 0, h = 0, fps = 0;

      bc_video_source_get_size (s->source, &w, &h, &fps);
      bc_lk_room_publish_track_async (s->room, BC_LK_TRACK_KIND_VIDEO, BC_LK_TRACK_SOURCE_CAMERA,
                                      "camera", w, h, bc_video_source_get_element (s->source),
                                      cli->cancellable, bc_cli_store_result, cli);
      res = bc_cli_wait (cli);
      s->track_sid = bc_lk_room_publish_track_finish (s->room, res, &error);
      if (s->track_sid == NULL)
        {
          code = map_stream_error (s, error);
          bc_lk_room_disconnect (s->room);
          return code;
        }
      bc_media_stats_set_video_source (s->stats, s->source);
      {
        g_autoptr (JsonObject) obj = json_object_new ();
        json_object_set_string_member (obj, "track_sid", s->track_sid);
        emit (s, "publishing", obj);
        bc_cli_status (cli, "publishing track %s", s->track_sid);
      }
      if (s->session_id && cli->client)
        bc_api_client_post_event_async (cli->client, s->session_id, "stream_started", NULL, NULL,
                                        on_stream_started_posted, NULL);
    }

  if (g_cancellable_is_cancelled (cli->cancellable))
    stream_finish (s, BC_EXIT_INTERRUPTED, "Interrupted");
  s->cancelled_id = g_cancellable_connect (cli->cancellable, G_CALLBACK (on_cancelled), s, NULL);
  s->stats_id = g_timeout_add (STATS_INTERVAL_MS, on_stats_tick, s);
  s->check_id = g_timeout_add (CHECK_INTERVAL_MS, on_check, s);
  if (!s->publishing)
    s->attach_id = g_timeout_add (CHECK_INTERVAL_MS, attach_sink_to_stats, s);
  if (s->duration_s > 0)
    s->duration_id = g_timeout_add_seconds (s->duration_s, on_duration, s);

  if (!s->finished)
    g_main_loop_run (s->loop);
  g_clear_handle_id (&s->stats_id, g_source_remove);
  g_clear_handle_id (&s->check_id, g_source_remove);
  g_clear_handle_id (&s->duration_id, g_source_remove);
  g_clear_handle_id (&s->attach_id, g_source_remove);
  /* A statistics poll in flight calls back into @s: give it a moment. */
  {
    gint64 deadline = g_get_monotonic_time () + 2 * G_USEC_PER_SEC;

    while (s->stats_polling && g_get_monotonic_time () < deadline)
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (5000);
  }

  /* Leave cleanly (LiveKit tells the others at once), and give the leave a
   * moment to go out. */
  if (bc_lk_room_get_state (s->room) != BC_LK_ROOM_STATE_DISCONNECTED)
    {
      bc_lk_room_disconnect (s->room);
      s->leave_id = g_timeout_add (LEAVE_FLUSH_MS, on_leave_timeout, s);
      g_main_loop_run (s->loop);
    }

  if (!cli->json && isatty (STDERR_FILENO))
    fputc ('\n', stderr);
  {
    g_autoptr (JsonObject) obj = stats_to_json (s);
    json_object_set_string_member (obj, "reason", s->end_reason ? s->end_reason : "");
    json_object_set_int_member (obj, "exit_code", s->exit_code);
    emit (s, "summary", obj);
  }
  if (s->exit_code == BC_EXIT_INTERRUPTED)
    fprintf (stderr, "bountycam-cli: interrupted; left the room\n");
  else if (s->exit_code != BC_EXIT_OK)
    fprintf (stderr, "bountycam-cli: %s\n", s->end_reason);
  else
    bc_cli_status (cli, "%s", s->end_reason);
  return s->exit_code;
}

static int
stream_command (BcCli *cli, int argc, char **argv, gboolean publishing)
{
  g_autoptr (Stream) s = g_new0 (Stream, 1);
  const GOptionEntry publish_entries[] = {
    { "session", 'S', 0, G_OPTION_ARG_STRING, &s->session_id, "The session to stream into", "ID" },
    { "camera", 'c', 0, G_OPTION_ARG_STRING, &s->camera_spec,
      "auto (default), test (a test pattern) or a camera id or name", "CAMERA" },
    { "codec", 0, 0, G_OPTION_ARG_STRING, &s->codec_name, "h264 (default) or vp8", "CODEC" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &s->duration_s, "Stop after this many seconds", "S" },
    { "stamp-capture-time", 0, 0, G_OPTION_ARG_NONE, &s->stamp,
      "Draw the capture time into each frame, so a viewer on this host measures glass-to-glass "
      "latency",
      NULL },
    { "livekit-url", 0, 0, G_OPTION_ARG_STRING, &s->livekit_url,
      "Raw mode: any LiveKit server, with --token", "URL" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &s->token, "Raw mode: a LiveKit access token", "JWT" },
    { "reconnect-timeout", 0, 0, G_OPTION_ARG_INT, &s->reconnect_timeout_s,
      "Give up reconnecting after this many seconds (default 60)", "S" },
    G_OPTION_ENTRY_NULL
  };
  const GOptionEntry watch_entries[] = {
    { "session", 'S', 0, G_OPTION_ARG_STRING, &s->session_id, "The session to watch", "ID" },
    { "frames", 'n', 0, G_OPTION_ARG_INT, &s->frames_wanted, "Stop after decoding N frames", "N" },
    { "duration", 'd', 0, G_OPTION_ARG_INT, &s->duration_s, "Stop after this many seconds", "S" },
    { "latency", 0, 0, G_OPTION_ARG_INT, &s->latency_ms,
      "Jitter buffer in ms (default: the media layer's low-latency value)", "MS" },
    { "livekit-url", 0, 0, G_OPTION_ARG_STRING, &s->livekit_url,
      "Raw mode: any LiveKit server, with --token", "URL" },
    { "token", 0, 0, G_OPTION_ARG_STRING, &s->token, "Raw mode: a LiveKit access token", "JWT" },
    { "reconnect-timeout", 0, 0, G_OPTION_ARG_INT, &s->reconnect_timeout_s,
      "Give up reconnecting after this many seconds (default 60)", "S" },
    G_OPTION_ENTRY_NULL
  };
  int rc;

  s->cli = cli;
  s->publishing = publishing;
  s->latency_ms = -1;
  rc = bc_cli_parse (cli, NULL,
                     publishing ? "Stream a camera into a session's LiveKit room"
                                : "Watch a session's stream and print what arrives",
                     publishing ? publish_entries : watch_entries, &argc, &argv);
  if (rc >= 0)
    return rc;
  if (s->session_id == NULL && argc >= 2)
    s->session_id = g_strdup (argv[1]);
  if ((s->livekit_url == NULL) != (s->token == NULL))
    return bc_cli_usage_error (cli, "Raw mode needs both --livekit-url and --token");
  if (s->livekit_url == NULL && s->session_id == NULL)
    return bc_cli_usage_error (cli, "Which session? (--session ID, or --livekit-url with --token)");
  if (s->livekit_url && s->session_id)
    return bc_cli_usage_error (cli, "Use either --session or --livekit-url with --token");
  if (s->duration_s < 0 || s->frames_wanted < 0)
    return bc_cli_usage_error (cli, "--duration and --frames must not be negative");
  if (s->reconnect_timeout_s < 0 || s->reconnect_timeout_s > 3600)
    return bc_cli_usage_error (cli, "--reconnect-timeout must be between 1 and 3600 seconds");
  if (s->latency_ms < 0)
    s->latency_ms = (int) bc_media_get_jitter_latency_ms ();
  if (s->camera_spec == NULL)
    s->camera_spec = g_strdup ("auto");

  return run_stream (cli, s);
}

int
bc_cli_cmd_publish (BcCli *cli, int argc, char **argv)
{
  return stream_command (cli, argc, argv, TRUE);
}

int
bc_cli_cmd_watch (BcCli *cli, int argc, char **argv)
{
  return stream_command (cli, argc, argv, FALSE);
}
