/* bc-test-loopback.h: two webrtcbins in one pipeline over 127.0.0.1, with
 * a BountyCam video source publishing and track receivers on the far side */
#pragma once

#include <gst/gst.h>

#include "bc-media.h"

#define LOOPBACK_TIMEOUT_S 90

typedef struct
{
  GMainLoop *loop;
  GstElement *pipeline;
  GstElement *send;
  GstElement *recv;
  BcVideoSource *video;
  BcAudioSource *audio;
  GPtrArray *receivers;
  GPtrArray *pending_candidates[2];
  gboolean have_remote[2];
  guint wanted_frames;
  gint64 start_time;
  GError *error;
} Loopback;

void loopback_run (
    Loopback *t, BcVideoCodec codec, gboolean with_audio, int width, int height, guint bitrate);
void loopback_clear (Loopback *t);
BcFrameSink *video_sink (Loopback *t);
