/* bc-sfu-sdp.c
 *
 * Line-based SDP handling. Offers are read for their msid track ids (LiveKit
 * matches SDP tracks to AddTrack cids by the a=msid or a=ssrc msid appdata),
 * trimmed to the one codec per section the relay forwards, and the SFU's own
 * offers get LiveKit's "PA_x|TR_y TR_y" msids, which webrtcbin 1.22 only
 * writes at ssrc level.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-sdp.h"

#include <gio/gio.h>
#include <gst/sdp/sdp.h>
#include <string.h>

void
bc_sfu_sdp_media_free (BcSfuSdpMedia *media)
{
  if (media == NULL)
    return;
  g_free (media->mid);
  g_free (media->kind);
  g_free (media->track_id);
  g_free (media);
}

/* Splits into lines without their CR/LF. */
static char **
split_lines (const char *sdp)
{
  char **lines = g_strsplit (sdp, "\n", -1);

  for (char **l = lines; *l != NULL; l++)
    g_strchomp (*l);
  return lines;
}

gboolean
bc_sfu_sdp_validate (const char *sdp, GError **error)
{
  g_auto (GStrv) lines = NULL;
  gboolean has_media = FALSE;

  if (sdp == NULL || !g_str_has_prefix (sdp, "v=0") || strlen (sdp) > 256 * 1024)
    goto bad;
  lines = split_lines (sdp);
  for (char **l = lines; *l != NULL; l++)
    {
      if (**l == '\0')
        continue;
      if (strlen (*l) < 2 || (*l)[1] != '=')
        goto bad;
      if (g_str_has_prefix (*l, "m="))
        {
          g_auto (GStrv) parts = g_strsplit (*l + 2, " ", 4);

          if (g_strv_length (parts) < 4)
            goto bad;
          has_media = TRUE;
        }
    }
  if (!has_media)
    goto bad;
  return TRUE;

bad:
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "The session description could not be parsed");
  return FALSE;
}

/**
 * bc_sfu_sdp_list_media:
 *
 * Returns: (transfer full) (element-type BcSfuSdpMedia): the sections in order
 */
GPtrArray *
bc_sfu_sdp_list_media (const char *sdp)
{
  GPtrArray *result = g_ptr_array_new_with_free_func ((GDestroyNotify) bc_sfu_sdp_media_free);
  g_auto (GStrv) lines = split_lines (sdp);
  BcSfuSdpMedia *current = NULL;
  gboolean port_zero = FALSE;

  for (char **l = lines; *l != NULL; l++)
    {
      const char *line = *l;

      if (g_str_has_prefix (line, "m="))
        {
          g_auto (GStrv) parts = g_strsplit (line + 2, " ", 3);

          current = g_new0 (BcSfuSdpMedia, 1);
          current->kind = g_strdup (parts[0] ? parts[0] : "");
          port_zero = !(parts[0] && parts[1] && g_strcmp0 (parts[1], "0") != 0);
          current->sending = !port_zero;
          g_ptr_array_add (result, current);
          continue;
        }
      if (current == NULL)
        continue;
      if (g_str_has_prefix (line, "a=mid:"))
        {
          g_free (current->mid);
          current->mid = g_strdup (line + 6);
        }
      else if (g_str_equal (line, "a=bundle-only") && port_zero)
        {
          /* Port 0 with bundle-only is a live section of the bundle (RFC 8843
           * §7.2.1), as webrtcbin offers every m-line after the first. */
          port_zero = FALSE;
          current->sending = TRUE;
        }
      else if (g_str_equal (line, "a=recvonly") || g_str_equal (line, "a=inactive"))
        {
          current->sending = FALSE;
          port_zero = FALSE;
        }
      else if (g_str_has_prefix (line, "a=msid:"))
        {
          g_auto (GStrv) parts = g_strsplit (line + 7, " ", 3);

          if (parts[0] && parts[1])
            {
              g_free (current->track_id);
              current->track_id = g_strdup (parts[1]);
            }
        }
      else if (g_str_has_prefix (line, "a=ssrc:") && current->track_id == NULL)
        {
          const char *msid = strstr (line, " msid:");

          if (msid != NULL)
            {
              g_auto (GStrv) parts = g_strsplit (msid + 6, " ", 3);

              if (parts[0] && parts[1])
                current->track_id = g_strdup (parts[1]);
            }
        }
    }
  return result;
}

char **
bc_sfu_sdp_get_mids (const char *sdp)
{
  g_autoptr (GPtrArray) media = bc_sfu_sdp_list_media (sdp);
  GStrvBuilder *builder = g_strv_builder_new ();
  char **mids;

  for (guint i = 0; i < media->len; i++)
    {
      BcSfuSdpMedia *m = g_ptr_array_index (media, i);

      g_strv_builder_add (builder, m->mid ? m->mid : "");
    }
  mids = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return mids;
}

typedef struct
{
  char *pt;
  char *encoding; /* upper case */
  char *fmtp;
} Format;

static void
format_clear (Format *f)
{
  g_free (f->pt);
  g_free (f->encoding);
  g_free (f->fmtp);
}

static int
format_score (const Format *f)
{
  if (g_str_equal (f->encoding, "VP8") || g_str_equal (f->encoding, "OPUS"))
    return 100;
  if (g_str_equal (f->encoding, "H264") && f->fmtp != NULL &&
      strstr (f->fmtp, "packetization-mode=1") != NULL)
    {
      if (strstr (f->fmtp, "profile-level-id=42e01f") != NULL)
        return 90;
      if (strstr (f->fmtp, "profile-level-id=42001f") != NULL)
        return 80;
      if (strstr (f->fmtp, "profile-level-id=42") != NULL)
        return 70;
    }
  return 0;
}

/* Picks the codec the client asked for in its AddTrack, else the first
 * forwardable one of the offered order; among H.264 entries the safest
 * profile. */
static char *
choose_pt (GArray *formats, const char *preferred)
{
  int best_rank = -1;
  const char *best = NULL;

  for (guint i = 0; i < formats->len; i++)
    {
      Format *f = &g_array_index (formats, Format, i);
      int score = f->encoding ? format_score (f) : 0;

      if (score == 0)
        continue;
      if (preferred != NULL && g_ascii_strcasecmp (f->encoding, preferred) != 0)
        continue;
      if (best == NULL)
        {
          best = f->pt;
          best_rank = score;
          continue;
        }
      /* Only a better H.264 variant may override the offerer's first choice. */
      if (g_str_equal (f->encoding, "H264") && best_rank < 100 && score > best_rank)
        {
          best = f->pt;
          best_rank = score;
        }
    }
  if (best == NULL && preferred != NULL)
    return choose_pt (formats, NULL);
  return g_strdup (best);
}

static void
filter_section (GPtrArray *out, GPtrArray *section, GHashTable *preferred)
{
  const char *codec = NULL;
  gboolean simulcast = FALSE;
  gboolean has_ssrc = FALSE;

  g_autoptr (GArray) formats = g_array_new (FALSE, TRUE, sizeof (Format));
  g_autofree char *keep = NULL;
  const char *mline = g_ptr_array_index (section, 0);
  g_auto (GStrv) mparts = g_strsplit (mline + 2, " ", -1);

  g_array_set_clear_func (formats, (GDestroyNotify) format_clear);

  if (g_strv_length (mparts) < 4 ||
      (!g_str_equal (mparts[0], "audio") && !g_str_equal (mparts[0], "video")))
    {
      for (guint i = 0; i < section->len; i++)
        g_ptr_array_add (out, g_strdup (g_ptr_array_index (section, i)));
      return;
    }

  for (guint i = 3; mparts[i] != NULL; i++)
    {
      Format f = { g_strdup (mparts[i]), NULL, NULL };
      g_autofree char *rtpmap = g_strdup_printf ("a=rtpmap:%s ", mparts[i]);
      g_autofree char *fmtp = g_strdup_printf ("a=fmtp:%s ", mparts[i]);

      for (guint j = 1; j < section->len; j++)
        {
          const char *line = g_ptr_array_index (section, j);

          if (g_str_has_prefix (line, rtpmap))
            {
              g_auto (GStrv) enc = g_strsplit (line + strlen (rtpmap), "/", 2);

              f.encoding = g_ascii_strup (enc[0] ? enc[0] : "", -1);
            }
          else if (g_str_has_prefix (line, fmtp))
            f.fmtp = g_strdup (line + strlen (fmtp));
        }
      g_array_append_val (formats, f);
    }

  for (guint j = 1; j < section->len && preferred != NULL; j++)
    {
      const char *line = g_ptr_array_index (section, j);

      if (g_str_has_prefix (line, "a=mid:"))
        codec = g_hash_table_lookup (preferred, line + 6);
    }
  keep = choose_pt (formats, codec);
  if (keep == NULL)
    {
      /* Nothing we can forward: leave the section for webrtcbin to reject. */
      for (guint i = 0; i < section->len; i++)
        g_ptr_array_add (out, g_strdup (g_ptr_array_index (section, i)));
      return;
    }

  /* A simulcast section (RIDs, no a=ssrc) cannot be mapped to its
   * transceiver by webrtcbin 1.22, which then crashes on the first packet
   * (on_rtpbin_pad_added): such a section is rejected instead. */
  for (guint j = 1; j < section->len; j++)
    {
      const char *line = g_ptr_array_index (section, j);

      if (g_str_has_prefix (line, "a=rid:") || g_str_has_prefix (line, "a=simulcast:"))
        simulcast = TRUE;
      else if (g_str_has_prefix (line, "a=ssrc:"))
        has_ssrc = TRUE;
    }
  if (simulcast && !has_ssrc)
    {
      g_autofree char *rtpmap = g_strdup_printf ("a=rtpmap:%s ", keep);

      g_message ("Declining a simulcast %s section: publish with simulcast turned off", mparts[0]);
      g_ptr_array_add (out, g_strdup_printf ("m=%s 0 %s %s", mparts[0], mparts[2], keep));
      for (guint j = 1; j < section->len; j++)
        {
          const char *line = g_ptr_array_index (section, j);

          if (g_str_has_prefix (line, "a=mid:") || g_str_has_prefix (line, "c=") ||
              g_str_has_prefix (line, rtpmap))
            g_ptr_array_add (out, g_strdup (line));
        }
      g_ptr_array_add (out, g_strdup ("a=inactive"));
      return;
    }

  g_ptr_array_add (out, g_strdup_printf ("m=%s %s %s %s", mparts[0], mparts[1], mparts[2], keep));
  for (guint j = 1; j < section->len; j++)
    {
      const char *line = g_ptr_array_index (section, j);
      const char *prefixes[] = { "a=rtpmap:", "a=fmtp:", "a=rtcp-fb:" };
      gboolean drop = FALSE;

      for (guint p = 0; p < G_N_ELEMENTS (prefixes); p++)
        {
          if (g_str_has_prefix (line, prefixes[p]))
            {
              const char *pt = line + strlen (prefixes[p]);
              gsize n = strcspn (pt, " ");

              drop = !(strlen (keep) == n && strncmp (pt, keep, n) == 0);
            }
        }
      /* Simulcast is declined: webrtcbin 1.22 crashes on RID-tagged streams
       * (on_rtpbin_pad_added), and the relay forwards one layer anyway.
       * Without a=simulcast in the answer the browser sends one stream. */
      if (g_str_has_prefix (line, "a=rid:") || g_str_has_prefix (line, "a=simulcast:") ||
          (g_str_has_prefix (line, "a=extmap:") && strstr (line, "rtp-stream-id") != NULL))
        drop = TRUE;
      if (!drop)
        g_ptr_array_add (out, g_strdup (line));
    }
}

/**
 * bc_sfu_sdp_filter_offer:
 * @preferred: (nullable): mid → codec name ("vp8", "h264", "opus")
 *
 * Returns: (transfer full): @sdp with one codec per audio/video section, the
 * first one of the offerer's order that the relay can forward
 */
char *
bc_sfu_sdp_filter_offer (const char *sdp, GHashTable *preferred)
{
  g_auto (GStrv) lines = split_lines (sdp);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) section = NULL;

  for (char **l = lines; *l != NULL; l++)
    {
      if (**l == '\0')
        continue;
      if (g_str_has_prefix (*l, "m="))
        {
          if (section != NULL)
            filter_section (out, section, preferred);
          g_clear_pointer (&section, g_ptr_array_unref);
          section = g_ptr_array_new ();
        }
      if (section != NULL)
        g_ptr_array_add (section, *l);
      else
        g_ptr_array_add (out, g_strdup (*l));
    }
  if (section != NULL)
    filter_section (out, section, preferred);
  g_ptr_array_add (out, g_strdup (""));
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("\r\n", (char **) out->pdata);
}

/**
 * bc_sfu_sdp_set_msids:
 * @ssrc_to_msid: SSRC as decimal string → "stream track"
 *
 * Returns: (transfer full): @sdp with each known SSRC's msid replaced and a
 * media-level a=msid added to its section
 */
char *
bc_sfu_sdp_set_msids (const char *sdp, GHashTable *ssrc_to_msid)
{
  g_auto (GStrv) lines = split_lines (sdp);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  const char *section_msid = NULL;
  gboolean in_media = FALSE;

#define FLUSH_SECTION()                                                                            \
  G_STMT_START                                                                                     \
  {                                                                                                \
    if (in_media && section_msid != NULL)                                                          \
      g_ptr_array_add (out, g_strdup_printf ("a=msid:%s", section_msid));                          \
    section_msid = NULL;                                                                           \
  }                                                                                                \
  G_STMT_END

  for (char **l = lines; *l != NULL; l++)
    {
      const char *line = *l;

      if (*line == '\0')
        continue;
      if (g_str_has_prefix (line, "m="))
        {
          FLUSH_SECTION ();
          in_media = TRUE;
          g_ptr_array_add (out, g_strdup (line));
          continue;
        }
      if (in_media && g_str_has_prefix (line, "a=msid:"))
        continue;
      if (in_media && g_str_has_prefix (line, "a=ssrc:"))
        {
          const char *rest = line + 7;
          gsize n = strspn (rest, "0123456789");
          g_autofree char *ssrc = g_strndup (rest, n);
          const char *msid = g_hash_table_lookup (ssrc_to_msid, ssrc);

          if (msid != NULL && g_str_has_prefix (rest + n, " msid:"))
            {
              section_msid = msid;
              g_ptr_array_add (out, g_strdup_printf ("a=ssrc:%s msid:%s", ssrc, msid));
              continue;
            }
          if (msid != NULL)
            section_msid = msid;
        }
      g_ptr_array_add (out, g_strdup (line));
    }
  FLUSH_SECTION ();
#undef FLUSH_SECTION
  g_ptr_array_add (out, g_strdup (""));
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("\r\n", (char **) out->pdata);
}

/**
 * bc_sfu_sdp_swap_direction:
 * @mids: (nullable): the sections to change, by mid; NULL for all
 * @changed: (nullable): gets the mids of the sections changed
 *
 * Returns: (transfer full): @sdp with the direction attribute a=@from turned
 * into a=@to in those sections
 */
char *
bc_sfu_sdp_swap_direction (
    const char *sdp, const char *const *mids, const char *from, const char *to, GPtrArray *changed)
{
  g_auto (GStrv) lines = split_lines (sdp);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *from_line = g_strconcat ("a=", from, NULL);
  guint n = g_strv_length (lines);
  guint start = 0;

  while (start < n)
    {
      guint end = start + 1;
      const char *mid = NULL;
      gboolean in_media = g_str_has_prefix (lines[start], "m=");

      while (in_media && end < n && !g_str_has_prefix (lines[end], "m="))
        {
          if (g_str_has_prefix (lines[end], "a=mid:"))
            mid = lines[end] + strlen ("a=mid:");
          end++;
        }
      for (guint i = start; i < end; i++)
        {
          if (**(lines + i) == '\0')
            continue;
          if (in_media && i > start && g_str_equal (lines[i], from_line) &&
              (mids == NULL || (mid != NULL && g_strv_contains (mids, mid))))
            {
              if (changed != NULL && mid != NULL)
                g_ptr_array_add (changed, g_strdup (mid));
              g_ptr_array_add (out, g_strconcat ("a=", to, NULL));
            }
          else
            g_ptr_array_add (out, g_strdup (lines[i]));
        }
      start = end;
    }
  g_ptr_array_add (out, g_strdup (""));
  g_ptr_array_add (out, NULL);
  return g_strjoinv ("\r\n", (char **) out->pdata);
}
