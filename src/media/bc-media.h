/* bc-media.h: the media layer of BountyCam (GStreamer, no GTK) */
#pragma once

#include "bc-audio-source.h"
#include "bc-camera-monitor.h"
#include "bc-camera.h"
#include "bc-capture-stamp.h"
#include "bc-frame-sink.h"
#include "bc-frame.h"
#include "bc-media-enums.h"
#include "bc-media-error.h"
#include "bc-media-stats.h"
#include "bc-media-types.h"
#include "bc-track-receiver.h"
#include "bc-video-encoder.h"
#include "bc-video-source.h"
