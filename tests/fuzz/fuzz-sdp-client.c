/* fuzz-sdp-client: the client's SDP, msid and candidate helpers
 * (src/livekit bc-lk-util), on what a LiveKit server or webrtcbin hands them. */
#include "config.h"

#include "bc-lk-util.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autofree char *with_msid = bc_lk_sdp_add_media_msid (text);
  g_autofree char *participant = NULL;
  g_autofree char *track = NULL;
  g_autofree char *candidate = NULL;
  g_autofree char *mid = NULL;
  g_autoptr (GError) error = NULL;
  int mline = -2;
  gboolean is_turn = FALSE;

  g_free (bc_lk_sdp_drop_bundle_only (text));
  g_free (bc_lk_sdp_strip_red (text));

  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *m = bc_lk_sdp_get_mid (text, i);

      if (m != NULL)
        g_assert (bc_lk_sdp_find_mid (text, m) >= 0);
    }
  bc_lk_sdp_find_mid (text, "0");
  if (with_msid != NULL)
    {
      g_autofree char *again = bc_lk_sdp_add_media_msid (with_msid);

      /* Adding the media-level msid is idempotent. */
      g_assert (again != NULL && strcmp (again, with_msid) == 0);
    }

  /* The same bytes as the other inputs these helpers take. */
  if (bc_lk_stream_id_parse (text, &participant, &track))
    g_assert (participant != NULL && track != NULL);
  if (bc_lk_candidate_from_json (text, &candidate, &mid, &mline, &error))
    {
      g_assert (candidate != NULL);
      g_free (bc_lk_candidate_to_json (candidate, mid, mline < 0 ? 0 : mline));
    }
  {
    const char *nl = strchr (text, '\n');
    g_autofree char *url = g_strndup (text, nl ? (gsize) (nl - text) : strlen (text));
    g_free (bc_lk_ice_url_to_gst (url, "user", "pass:word@x", &is_turn));
  }
  return 0;
}
