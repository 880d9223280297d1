/* bc-sfu-sdp.h: the little SDP reading and rewriting the SFU needs */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *mid;
  char *kind;       /* "audio", "video" or "application" */
  char *track_id;   /* msid appdata, nullable */
  gboolean sending; /* the offerer sends on it (sendonly/sendrecv, port != 0) */
} BcSfuSdpMedia;

void bc_sfu_sdp_media_free (BcSfuSdpMedia *media);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSfuSdpMedia, bc_sfu_sdp_media_free)

gboolean bc_sfu_sdp_validate (const char *sdp, GError **error);
GPtrArray *bc_sfu_sdp_list_media (const char *sdp);
char *bc_sfu_sdp_filter_offer (const char *sdp, GHashTable *preferred);
char **bc_sfu_sdp_get_mids (const char *sdp);
char *bc_sfu_sdp_set_msids (const char *sdp, GHashTable *ssrc_to_msid);
char *bc_sfu_sdp_swap_direction (
    const char *sdp, const char *const *mids, const char *from, const char *to, GPtrArray *changed);

G_END_DECLS
