/* The SFU's SDP handling: matching offers to tracks, trimming an offer to
 * the forwarded codec, LiveKit's msids in the SFU's offers, and survival of
 * garbage (mutated descriptions run through every function). */
#include "config.h"

#include "bc-sfu-sdp.h"

#include <string.h>

/* Shaped like livekit-client's publisher offer in Chromium: data channel
 * first, VP8 listed before H.264, RTX, an audio section with RED first. */
static const char chrome_offer[] =
    "v=0\r\n"
    "o=- 123 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:0\r\n"
    "a=sctp-port:5000\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97 102 103 104\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:1\r\n"
    "a=sendonly\r\n"
    "a=msid:stream-a 3f2a-video-track\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rtpmap:102 H264/90000\r\n"
    "a=fmtp:102 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f\r\n"
    "a=rtpmap:103 rtx/90000\r\n"
    "a=fmtp:103 apt=102\r\n"
    "a=rtpmap:104 H264/90000\r\n"
    "a=fmtp:104 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
    "a=rtcp-fb:104 nack pli\r\n"
    "a=ssrc:1111 msid:stream-a 3f2a-video-track\r\n"
    "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
    "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
    "a=rid:q send\r\n"
    "a=rid:h send\r\n"
    "a=simulcast:send q;h\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=mid:2\r\n"
    "a=sendonly\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=ssrc:2222 msid:stream-a 9e1c-audio-track\r\n";

static void
test_list_media (void)
{
  g_autoptr (GPtrArray) media = bc_sfu_sdp_list_media (chrome_offer);
  BcSfuSdpMedia *m;

  g_assert_cmpuint (media->len, ==, 3);
  m = g_ptr_array_index (media, 0);
  g_assert_cmpstr (m->kind, ==, "application");
  m = g_ptr_array_index (media, 1);
  g_assert_cmpstr (m->kind, ==, "video");
  g_assert_cmpstr (m->mid, ==, "1");
  g_assert_cmpstr (m->track_id, ==, "3f2a-video-track"); /* a=msid */
  g_assert_true (m->sending);
  m = g_ptr_array_index (media, 2);
  g_assert_cmpstr (m->track_id, ==, "9e1c-audio-track"); /* a=ssrc … msid: */
  g_assert_true (m->sending);
}

static void
test_list_media_directions (void)
{
  const char *sdp = "v=0\r\n"
                    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
                    "a=mid:a\r\n"
                    "a=bundle-only\r\n"
                    "a=sendonly\r\n"
                    "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"
                    "a=mid:b\r\n"
                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                    "a=mid:c\r\n"
                    "a=inactive\r\n";
  g_autoptr (GPtrArray) media = bc_sfu_sdp_list_media (sdp);

  g_assert_cmpuint (media->len, ==, 3);
  /* Port 0 + bundle-only is live (RFC 8843); port 0 alone is rejected. */
  g_assert_true (((BcSfuSdpMedia *) g_ptr_array_index (media, 0))->sending);
  g_assert_false (((BcSfuSdpMedia *) g_ptr_array_index (media, 1))->sending);
  g_assert_false (((BcSfuSdpMedia *) g_ptr_array_index (media, 2))->sending);
}

static void
test_filter_default (void)
{
  g_autofree char *out = bc_sfu_sdp_filter_offer (chrome_offer, NULL);

  /* The offerer's first forwardable codec, and no RED for audio. */
  g_assert_nonnull (strstr (out, "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"));
  g_assert_null (strstr (out, "H264"));
  g_assert_nonnull (strstr (out, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"));
  g_assert_null (strstr (out, "red/48000"));
  g_assert_nonnull (strstr (out, "a=rtcp-fb:96 nack pli"));
  g_assert_nonnull (strstr (out, "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"));
  /* Simulcast declined: one stream per track. */
  g_assert_null (strstr (out, "a=rid:"));
  g_assert_null (strstr (out, "a=simulcast:"));
  g_assert_null (strstr (out, "rtp-stream-id"));
  g_assert_true (bc_sfu_sdp_validate (out, NULL));
}

static void
test_filter_preferred (void)
{
  g_autoptr (GHashTable) prefs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *out = NULL;

  /* AddTrack asked for H.264: the constrained baseline entry wins. */
  g_hash_table_insert (prefs, (gpointer) "1", (gpointer) "h264");
  out = bc_sfu_sdp_filter_offer (chrome_offer, prefs);
  g_assert_nonnull (strstr (out, "m=video 9 UDP/TLS/RTP/SAVPF 104\r\n"));
  g_assert_nonnull (strstr (out, "profile-level-id=42e01f"));
  g_assert_null (strstr (out, "VP8"));
  g_assert_null (strstr (out, "42001f"));
}

static void
test_filter_simulcast (void)
{
  const char *sdp = "v=0\r\n"
                    "a=group:BUNDLE 0\r\n"
                    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
                    "c=IN IP4 0.0.0.0\r\n"
                    "a=mid:0\r\n"
                    "a=sendonly\r\n"
                    "a=rtpmap:96 VP8/90000\r\n"
                    "a=rtpmap:97 rtx/90000\r\n"
                    "a=rid:q send\r\n"
                    "a=rid:h send\r\n"
                    "a=simulcast:send q;h\r\n";
  g_autofree char *out = bc_sfu_sdp_filter_offer (sdp, NULL);

  /* RID-only simulcast is declined as a whole (webrtcbin 1.22 cannot map
   * its streams), never passed on. */
  g_assert_nonnull (strstr (out, "m=video 0 UDP/TLS/RTP/SAVPF 96\r\n"));
  g_assert_nonnull (strstr (out, "a=mid:0\r\n"));
  g_assert_nonnull (strstr (out, "a=inactive\r\n"));
  g_assert_nonnull (strstr (out, "a=rtpmap:96 VP8/90000\r\n"));
  g_assert_null (strstr (out, "a=rid:"));
  g_assert_null (strstr (out, "a=simulcast"));
}

static void
test_set_msids (void)
{
  const char *sdp = "v=0\r\n"
                    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
                    "a=mid:application0\r\n"
                    "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
                    "a=mid:video1\r\n"
                    "a=sendonly\r\n"
                    "a=ssrc:777 msid:gst-stream webrtctransceiver1\r\n"
                    "a=ssrc:777 cname:x\r\n"
                    "m=video 9 UDP/TLS/RTP/SAVPF 97\r\n"
                    "a=mid:video2\r\n"
                    "a=inactive\r\n";
  g_autoptr (GHashTable) msids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *out = NULL;
  g_auto (GStrv) mids = bc_sfu_sdp_get_mids (sdp);

  g_hash_table_insert (msids, (gpointer) "777", (gpointer) "PA_a|TR_b TR_b");
  out = bc_sfu_sdp_set_msids (sdp, msids);
  g_assert_nonnull (strstr (out, "a=ssrc:777 msid:PA_a|TR_b TR_b\r\n"));
  g_assert_nonnull (strstr (out, "a=msid:PA_a|TR_b TR_b\r\n"));
  g_assert_null (strstr (out, "webrtctransceiver1"));
  /* Exactly one media-level msid, in the video1 section. */
  g_assert_true (strstr (out, "a=msid:") == g_strrstr (out, "a=msid:"));
  g_assert_true (strstr (out, "a=msid:") > strstr (out, "a=mid:video1"));
  g_assert_true (strstr (out, "a=msid:") < strstr (out, "a=mid:video2"));

  g_assert_cmpuint (g_strv_length (mids), ==, 3);
  g_assert_cmpstr (mids[1], ==, "video1");
}

static void
test_validate (void)
{
  g_assert_false (bc_sfu_sdp_validate (NULL, NULL));
  g_assert_false (bc_sfu_sdp_validate ("", NULL));
  g_assert_false (bc_sfu_sdp_validate ("this is not SDP", NULL));
  g_assert_false (bc_sfu_sdp_validate ("v=0\r\ns=-\r\n", NULL)); /* no media */
  g_assert_false (bc_sfu_sdp_validate ("v=0\r\nm=video\r\n", NULL));
  g_assert_true (bc_sfu_sdp_validate (chrome_offer, NULL));
}

/* Random damage to a real offer must never crash or read out of bounds
 * (run under ASan in CI). */
static void
test_garbage (void)
{
  GRand *rand = g_rand_new_with_seed (20261124);
  g_autoptr (GHashTable) prefs = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) msids = g_hash_table_new (g_str_hash, g_str_equal);
  const char *alphabet = "v=m a:0123456789/\r\n;-|";

  g_hash_table_insert (prefs, (gpointer) "1", (gpointer) "h264");
  g_hash_table_insert (msids, (gpointer) "1111", (gpointer) "PA_x|TR_y TR_y");
  for (guint i = 0; i < 3000; i++)
    {
      GString *s = g_string_new (chrome_offer);
      guint n = g_rand_int_range (rand, 1, 20);
      g_autoptr (GPtrArray) media = NULL;
      g_autofree char *filtered = NULL;
      g_autofree char *munged = NULL;
      g_auto (GStrv) mids = NULL;

      for (guint k = 0; k < n; k++)
        {
          guint pos;

          if (s->len < 2)
            break;
          pos = g_rand_int_range (rand, 0, s->len);

          switch (g_rand_int_range (rand, 0, 3))
            {
            case 0:
              {
                guint len = g_rand_int_range (rand, 1, 40);

                g_string_erase (s, pos, MIN (len, s->len - pos));
                break;
              }
            case 1:
              g_string_insert_c (s, pos, alphabet[g_rand_int_range (rand, 0, strlen (alphabet))]);
              break;
            default:
              s->str[pos] = (char) g_rand_int_range (rand, 1, 256);
              break;
            }
        }
      bc_sfu_sdp_validate (s->str, NULL);
      media = bc_sfu_sdp_list_media (s->str);
      filtered = bc_sfu_sdp_filter_offer (s->str, g_rand_boolean (rand) ? prefs : NULL);
      munged = bc_sfu_sdp_set_msids (s->str, msids);
      mids = bc_sfu_sdp_get_mids (s->str);
      g_assert_nonnull (filtered);
      g_assert_nonnull (munged);
      g_string_free (s, TRUE);
    }
  g_rand_free (rand);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sfu/sdp/list-media", test_list_media);
  g_test_add_func ("/sfu/sdp/list-media-directions", test_list_media_directions);
  g_test_add_func ("/sfu/sdp/filter-default", test_filter_default);
  g_test_add_func ("/sfu/sdp/filter-preferred", test_filter_preferred);
  g_test_add_func ("/sfu/sdp/filter-simulcast", test_filter_simulcast);
  g_test_add_func ("/sfu/sdp/set-msids", test_set_msids);
  g_test_add_func ("/sfu/sdp/validate", test_validate);
  g_test_add_func ("/sfu/sdp/garbage", test_garbage);
  return g_test_run ();
}
