/* fuzz-sdp-sfu: the built-in SFU's SDP reading and rewriting
 * (src/server/sfu/bc-sfu-sdp.c), in the order a publisher offer meets it. */
#include "config.h"

#include "bc-sfu-sdp.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *sdp = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) media = NULL;
  g_autoptr (GHashTable) preferred = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GHashTable) msids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *filtered = NULL;
  g_autofree char *munged = NULL;
  g_auto (GStrv) mids = NULL;
  static const char *const codecs[] = { "vp8", "h264", "opus", "VP9", "" };

  if (!bc_sfu_sdp_validate (sdp, &error))
    {
      g_assert (error != NULL);
      return 0;
    }
  media = bc_sfu_sdp_list_media (sdp);
  for (guint i = 0; i < media->len; i++)
    {
      BcSfuSdpMedia *m = g_ptr_array_index (media, i);

      if (m->mid != NULL)
        g_hash_table_insert (preferred, m->mid, (gpointer) codecs[i % G_N_ELEMENTS (codecs)]);
    }
  filtered = bc_sfu_sdp_filter_offer (sdp, preferred);
  g_assert (filtered != NULL);
  mids = bc_sfu_sdp_get_mids (filtered);

  /* The subscriber side: msids put on SSRCs that look like the offer's. */
  g_hash_table_insert (msids, g_strdup ("1"), (gpointer) "PA_x|TR_y TR_y");
  g_hash_table_insert (msids, g_strdup (""), (gpointer) "PA_e|TR_e TR_e");
  for (const char *p = sdp; (p = strstr (p, "a=ssrc:")) != NULL; p += 7)
    {
      gsize n = strspn (p + 7, "0123456789");

      if (n > 0 && n < 12)
        g_hash_table_insert (msids, g_strndup (p + 7, n), (gpointer) "PA_f|TR_f TR_f");
    }
  munged = bc_sfu_sdp_set_msids (sdp, msids);
  g_assert (munged != NULL);
  return 0;
}
