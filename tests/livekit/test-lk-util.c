/* Unit tests of LiveKit wire details: ICE URLs, candidate JSON, stream ids,
 * SDP edits and the signal URL. */
#include "config.h"

#include "bc-lk-error.h"
#include "bc-lk-signal.h"
#include "bc-lk-util.h"

#include <string.h>

static void
test_ice_urls (void)
{
  struct
  {
    const char *url;
    const char *expected;
    gboolean turn;
  } cases[] = {
    { "stun:stun.l.example.com:19302", "stun://stun.l.example.com:19302", FALSE },
    { "turn:turn.example.com:3478?transport=udp",
      "turn://u%40x:p%3Aw@turn.example.com:3478?transport=udp", TRUE },
    { "turns:turn.example.com:443?transport=tcp",
      "turns://u%40x:p%3Aw@turn.example.com:443?transport=tcp", TRUE },
    { "turn:10.0.0.1:3478?transport=tcp", "turn://u%40x:p%3Aw@10.0.0.1:3478?transport=tcp", TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean turn = !cases[i].turn;
      g_autofree char *out = bc_lk_ice_url_to_gst (cases[i].url, "u@x", "p:w", &turn);

      g_assert_cmpstr (out, ==, cases[i].expected);
      g_assert_cmpint (turn, ==, cases[i].turn);
    }
  g_assert_null (bc_lk_ice_url_to_gst ("http://example.com", NULL, NULL, NULL));
  g_assert_null (bc_lk_ice_url_to_gst ("stun:", NULL, NULL, NULL));
}

static void
test_candidate_json (void)
{
  g_autofree char *json =
      bc_lk_candidate_to_json ("candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host", "0", 0);
  g_autofree char *candidate = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GError) error = NULL;
  int index = -2;

  g_assert_nonnull (strstr (json, "\"sdpMid\":\"0\""));
  g_assert_nonnull (strstr (json, "\"sdpMLineIndex\":0"));
  g_assert_true (bc_lk_candidate_from_json (json, &candidate, &mid, &index, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (candidate, ==, "candidate:1 1 UDP 2015363327 127.0.0.1 40000 typ host");
  g_assert_cmpstr (mid, ==, "0");
  g_assert_cmpint (index, ==, 0);

  /* webrtcbin's "a=" prefix is dropped; a missing mid still gives "sdpMid":"" */
  {
    g_autofree char *j = bc_lk_candidate_to_json ("a=candidate:2 1 TCP 1 ::1 9 typ host", NULL, 1);

    g_assert_nonnull (strstr (j, "\"candidate\":\"candidate:2"));
    g_assert_nonnull (strstr (j, "\"sdpMid\":\"\""));
    g_assert_nonnull (strstr (j, "\"sdpMLineIndex\":1"));
  }

  /* What LiveKit's JS SDK sends, with usernameFragment and a null index. */
  {
    g_autofree char *c = NULL;
    g_autofree char *m = NULL;
    int idx = 5;

    g_assert_true (bc_lk_candidate_from_json (
        "{\"candidate\":\"candidate:3 1 udp 1 127.0.0.1 5 typ host\",\"sdpMid\":\"1\","
        "\"sdpMLineIndex\":null,\"usernameFragment\":\"abcd\"}",
        &c, &m, &idx, NULL));
    g_assert_cmpstr (m, ==, "1");
    g_assert_cmpint (idx, ==, -1);
  }

  {
    g_autofree char *c = NULL;
    g_autofree char *m = NULL;
    g_autoptr (GError) e = NULL;
    int idx;

    g_assert_false (bc_lk_candidate_from_json ("not json", &c, &m, &idx, &e));
    g_assert_error (e, BC_LK_ERROR, BC_LK_ERROR_PROTOCOL);
  }
}

static void
test_stream_id (void)
{
  g_autofree char *pa = NULL;
  g_autofree char *tr = NULL;

  g_assert_true (bc_lk_stream_id_parse ("PA_abc|TR_VCxyz", &pa, &tr));
  g_assert_cmpstr (pa, ==, "PA_abc");
  g_assert_cmpstr (tr, ==, "TR_VCxyz");
  g_clear_pointer (&pa, g_free);
  g_clear_pointer (&tr, g_free);

  g_assert_true (bc_lk_stream_id_parse ("PA_abc|TR_1 TR_1", &pa, &tr));
  g_assert_cmpstr (tr, ==, "TR_1");

  g_assert_false (bc_lk_stream_id_parse ("gst-stream", NULL, NULL));
  g_assert_false (bc_lk_stream_id_parse ("|TR_1", NULL, NULL));
  g_assert_false (bc_lk_stream_id_parse ("PA_1|", NULL, NULL));
  g_assert_false (bc_lk_stream_id_parse (NULL, NULL, NULL));
}

/* What webrtcbin 1.22 writes: ssrc-level msid only. */
static const char offer_sdp[] = "v=0\r\n"
                                "o=- 1 0 IN IP4 0.0.0.0\r\n"
                                "s=-\r\n"
                                "t=0 0\r\n"
                                "a=group:BUNDLE video0 application1\r\n"
                                "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                                "c=IN IP4 0.0.0.0\r\n"
                                "a=sendonly\r\n"
                                "a=rtpmap:96 VP8/90000\r\n"
                                "a=ssrc:42 msid:alice-video webrtctransceiver0\r\n"
                                "a=ssrc:42 cname:x\r\n"
                                "a=mid:video0\r\n"
                                "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                                "c=IN IP4 0.0.0.0\r\n"
                                "a=mid:application1\r\n";

static void
test_sdp_msid (void)
{
  g_autofree char *out = bc_lk_sdp_add_media_msid (offer_sdp);
  g_autofree char *again = bc_lk_sdp_add_media_msid (out);
  const char *video = strstr (out, "m=video");
  const char *app = strstr (out, "m=application");
  const char *msid = strstr (out, "a=msid:alice-video webrtctransceiver0\r\n");

  g_assert_nonnull (msid);
  /* in the video section after its other lines, not elsewhere */
  g_assert_true (msid > video && msid < app);
  g_assert_true (msid > strstr (out, "a=mid:video0"));
  g_assert_null (strstr (msid + 1, "a=msid:"));
  /* idempotent */
  g_assert_cmpstr (again, ==, out);

  g_assert_cmpint (bc_lk_sdp_find_mid (out, "application1"), ==, 1);
  g_assert_cmpint (bc_lk_sdp_find_mid (out, "nope"), ==, -1);
  {
    g_autofree char *mid = bc_lk_sdp_get_mid (out, 0);

    g_assert_cmpstr (mid, ==, "video0");
  }
}

static void
test_sdp_stream_id_for_mid (void)
{
  const char *sdp = "v=0\r\n"
                    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                    "a=mid:0\r\n"
                    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                    "a=mid:1\r\n"
                    "a=msid:PA_a|TR_v TR_v\r\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                    "a=mid:2\r\n"
                    "a=ssrc:5 msid:PA_a|TR_m TR_m\r\n";
  g_autofree char *video = bc_lk_sdp_get_stream_id_for_mid (sdp, "1");
  g_autofree char *audio = bc_lk_sdp_get_stream_id_for_mid (sdp, "2");
  g_autofree char *data = bc_lk_sdp_get_stream_id_for_mid (sdp, "0");
  g_autofree char *none = bc_lk_sdp_get_stream_id_for_mid (sdp, "7");

  g_assert_cmpstr (video, ==, "PA_a|TR_v");
  g_assert_cmpstr (audio, ==, "PA_a|TR_m");
  g_assert_null (data);
  g_assert_null (none);
}

static void
test_sdp_bundle_only (void)
{
  const char *sdp = "v=0\r\n"
                    "a=group:BUNDLE application0 video1\r\n"
                    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                    "a=mid:application0\r\n"
                    "m=video 0 UDP/TLS/RTP/SAVPF 102\r\n"
                    "a=bundle-only\r\n"
                    "a=sendonly\r\n"
                    "a=mid:video1\r\n"
                    "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
                    "a=inactive\r\n";
  g_autofree char *out = bc_lk_sdp_drop_bundle_only (sdp);

  g_assert_nonnull (strstr (out, "m=video 9 UDP/TLS/RTP/SAVPF 102\r\na=sendonly\r\n"));
  g_assert_null (strstr (out, "bundle-only"));
  /* a rejected section (no bundle-only) keeps port 0 */
  g_assert_nonnull (strstr (out, "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"));
  g_assert_nonnull (strstr (out, "m=application 9 "));
}

static void
test_sdp_strip_red (void)
{
  const char *sdp = "v=0\r\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\n"
                    "a=rtpmap:63 red/48000/2\r\n"
                    "a=fmtp:63 111/111\r\n"
                    "a=rtpmap:111 opus/48000/2\r\n"
                    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
                    "a=rtcp-fb:111 transport-cc\r\n"
                    "a=mid:0\r\n"
                    "m=video 9 UDP/TLS/RTP/SAVPF 96 63\r\n"
                    "a=rtpmap:96 VP8/90000\r\n"
                    "a=rtpmap:63 H264/90000\r\n";
  g_autofree char *out = bc_lk_sdp_strip_red (sdp);

  g_assert_nonnull (strstr (out, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"));
  g_assert_null (strstr (out, "red/48000"));
  g_assert_null (strstr (out, "a=fmtp:63"));
  g_assert_nonnull (strstr (out, "a=rtpmap:111 opus/48000/2"));
  g_assert_nonnull (strstr (out, "a=rtcp-fb:111 transport-cc"));
  /* video sections keep payload 63 */
  g_assert_nonnull (strstr (out, "m=video 9 UDP/TLS/RTP/SAVPF 96 63\r\n"));
  g_assert_nonnull (strstr (out, "a=rtpmap:63 H264/90000"));
}

static void
test_signal_url (void)
{
  BcLkSignalResume resume = { "PA_abc", 1 };
  g_autoptr (GError) error = NULL;
  g_autofree char *url =
      bc_lk_signal_build_url ("wss://example.livekit.cloud/", "tok.en+/=", NULL, &error);
  g_autofree char *re = NULL;
  g_autofree char *http = NULL;
  g_autofree char *prefix = NULL;

  g_assert_no_error (error);
  g_assert_true (
      g_str_has_prefix (url, "wss://example.livekit.cloud/rtc?access_token=tok.en%2B%2F%3D&"));
  g_assert_nonnull (strstr (url, "&auto_subscribe=1"));
  g_assert_nonnull (strstr (url, "&sdk=cpp"));
  g_assert_nonnull (strstr (url, "&protocol=17"));
  g_assert_nonnull (strstr (url, "&version=" PACKAGE_VERSION));
  g_assert_null (strstr (url, "reconnect"));

  re = bc_lk_signal_build_url ("ws://127.0.0.1:7880", "t", &resume, NULL);
  g_assert_true (g_str_has_prefix (re, "ws://127.0.0.1:7880/rtc?"));
  g_assert_nonnull (strstr (re, "&reconnect=1&sid=PA_abc&reconnect_reason=1"));

  http = bc_lk_signal_build_url ("http://localhost:8080", "t", NULL, NULL);
  g_assert_true (g_str_has_prefix (http, "ws://localhost:8080/rtc?"));
  prefix = bc_lk_signal_build_url ("https://host/livekit/", "t", NULL, NULL);
  g_assert_true (g_str_has_prefix (prefix, "wss://host/livekit/rtc?"));

  g_assert_null (bc_lk_signal_build_url ("ftp://x", "t", NULL, &error));
  g_assert_error (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (bc_lk_signal_build_url ("wss://x", "", NULL, &error));
  g_assert_error (error, BC_LK_ERROR, BC_LK_ERROR_INVALID_ARGUMENT);
  g_assert_null (strstr (error->message, "wss://x"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/livekit/util/ice-urls", test_ice_urls);
  g_test_add_func ("/livekit/util/candidate-json", test_candidate_json);
  g_test_add_func ("/livekit/util/stream-id", test_stream_id);
  g_test_add_func ("/livekit/util/sdp-msid", test_sdp_msid);
  g_test_add_func ("/livekit/util/sdp-strip-red", test_sdp_strip_red);
  g_test_add_func ("/livekit/util/sdp-bundle-only", test_sdp_bundle_only);
  g_test_add_func ("/livekit/util/sdp-stream-id-for-mid", test_sdp_stream_id_for_mid);
  g_test_add_func ("/livekit/util/signal-url", test_signal_url);
  return g_test_run ();
}
