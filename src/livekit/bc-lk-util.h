/* bc-lk-util.h: LiveKit wire details that need no connection (ICE URLs,
 * candidate JSON, stream ids, SDP edits) */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Turns one of LiveKit's ICEServer URLs ("stun:host:port",
 * "turn:host:port?transport=udp", "turns:host:443?transport=tcp") into the
 * form webrtcbin takes ("stun://host:port", "turns://user:pass@host:443?transport=tcp").
 * Returns NULL for a URL webrtcbin cannot use. @is_turn tells which property
 * the result is for. The result may hold a credential: never log it. */
char *bc_lk_ice_url_to_gst (const char *url,
                            const char *username,
                            const char *credential,
                            gboolean *is_turn);

/* JSON of an RTCIceCandidateInit; sdpMid and sdpMLineIndex are always present
 * (LiveKit's Rust SDK fails on a missing sdpMid). */
char *bc_lk_candidate_to_json (const char *candidate, const char *mid, guint mline_index);

/* Parses an RTCIceCandidateInit. @mid is NULL and @mline_index -1 when absent.
 * Returns FALSE with @error for JSON that is not a candidate; an empty
 * candidate (end of candidates) gives TRUE and *candidate = "". */
gboolean bc_lk_candidate_from_json (
    const char *json, char **candidate, char **mid, int *mline_index, GError **error);

/* Splits a LiveKit stream id "PA_xxx|TR_yyy" (optionally followed by " track-id",
 * as in an a=msid value). Returns FALSE when it is not of that form. */
gboolean bc_lk_stream_id_parse (const char *msid, char **participant_sid, char **track_sid);

/* For every media section that names its track only in a=ssrc ... msid: lines
 * (as webrtcbin 1.22 does), adds the media-level "a=msid:<stream> <track>" line
 * newer parsers look for. */
char *bc_lk_sdp_add_media_msid (const char *sdp);

/* Replaces the track id @old_id by @new_id in every msid (a=msid and
 * a=ssrc ... msid:) whose track id is @old_id. */
char *bc_lk_sdp_replace_track_id (const char *sdp, const char *old_id, const char *new_id);

/* The mid of the media section whose msid names @track_id, or NULL. */
char *bc_lk_sdp_get_mid_for_track_id (const char *sdp, const char *track_id);

/* In each media section whose mid is in @mids (all sections if NULL), turns
 * the direction attribute a=@from into a=@to; adds the mids changed to
 * @changed if not NULL. */
char *bc_lk_sdp_swap_direction (
    const char *sdp, const char *const *mids, const char *from, const char *to, GPtrArray *changed);

/* webrtcbin offers every bundled section but the first with port 0 and
 * a=bundle-only (RFC 8843). Parsers that take port 0 for "rejected" (some
 * SFUs) drop those tracks, so the copy sent uses port 9, as browsers do. */
char *bc_lk_sdp_drop_bundle_only (const char *sdp);

/* Removes RED (red/48000) from the audio sections of an offer, so the answer
 * asks for plain Opus. */
char *bc_lk_sdp_strip_red (const char *sdp);

/* The stream id ("PA_xxx|TR_yyy") of the section with a=mid:@mid, from its
 * a=msid line or else its a=ssrc ... msid: line; NULL if none. */
char *bc_lk_sdp_get_stream_id_for_mid (const char *sdp, const char *mid);

/* The a=mid value of media section @index, or NULL. */
char *bc_lk_sdp_get_mid (const char *sdp, guint index);

/* The index of the media section with a=mid:@mid, or -1. */
int bc_lk_sdp_find_mid (const char *sdp, const char *mid);

G_END_DECLS
