/* bc-audio-source.h: microphone → Opus → RTP, ready for webrtcbin */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define BC_TYPE_AUDIO_SOURCE (bc_audio_source_get_type ())

G_DECLARE_FINAL_TYPE (BcAudioSource, bc_audio_source, BC, AUDIO_SOURCE, GObject)

BcAudioSource *bc_audio_source_new (gboolean test_tone, GError **error);

GstElement *bc_audio_source_get_element (BcAudioSource *self);
GstCaps *bc_audio_source_get_rtp_caps (BcAudioSource *self);
guint32 bc_audio_source_get_ssrc (BcAudioSource *self);
gboolean bc_audio_source_get_muted (BcAudioSource *self);
void bc_audio_source_set_muted (BcAudioSource *self, gboolean muted);

G_END_DECLS
