#pragma once

#include <gio/gio.h>

#include "bc-client.h"
#include "bc-video-paintable.h"

G_BEGIN_DECLS

typedef enum
{
  BC_LIVE_STREAM_IDLE,
  BC_LIVE_STREAM_CONNECTING,
  BC_LIVE_STREAM_WAITING,
  BC_LIVE_STREAM_LIVE,
  BC_LIVE_STREAM_RECONNECTING,
  BC_LIVE_STREAM_FAILED,
} BcLiveStreamState;

typedef enum
{
  BC_LIVE_STREAM_ERROR_FAILED,
  BC_LIVE_STREAM_ERROR_CAMERA_MISSING,
  BC_LIVE_STREAM_ERROR_CAMERA_DENIED,
  BC_LIVE_STREAM_ERROR_UNAVAILABLE,
} BcLiveStreamError;

#define BC_LIVE_STREAM_ERROR (bc_live_stream_error_quark ())
GQuark bc_live_stream_error_quark (void);

typedef struct
{
  int width;
  int height;
  double fps;
  double bitrate_kbps;
  double packet_loss_percent;
  double rtt_ms;
  gboolean valid;
} BcLiveStats;

#define BC_TYPE_LIVE_STREAM (bc_live_stream_get_type ())

G_DECLARE_FINAL_TYPE (BcLiveStream, bc_live_stream, BC, LIVE_STREAM, GObject)

BcLiveStream *bc_live_stream_new_publisher (BcApiClient *client,
                                            const char *session_id,
                                            const char *camera_id,
                                            const char *codec,
                                            gboolean microphone,
                                            BcVideoPaintable *preview);
BcLiveStream *bc_live_stream_new_preview (const char *camera_id, BcVideoPaintable *paintable);
BcLiveStream *bc_live_stream_new_viewer (BcApiClient *client,
                                         const char *session_id,
                                         gboolean low_latency,
                                         BcVideoPaintable *video);

void bc_live_stream_start (BcLiveStream *self);
void bc_live_stream_stop (BcLiveStream *self);
BcLiveStreamState bc_live_stream_get_state (BcLiveStream *self);
const GError *bc_live_stream_get_error (BcLiveStream *self);
gboolean bc_live_stream_get_is_publisher (BcLiveStream *self);
void bc_live_stream_set_microphone (BcLiveStream *self, gboolean enabled);
gboolean bc_live_stream_get_stats (BcLiveStream *self, BcLiveStats *stats);
guint64 bc_live_stream_get_frames (BcLiveStream *self);

G_END_DECLS
