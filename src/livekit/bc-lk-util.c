#include "config.h"

#include "bc-lk-util.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "bc-lk-error.h"

char *
bc_lk_ice_url_to_gst (const char *url,
                      const char *username,
                      const char *credential,
                      gboolean *is_turn)
{
  const char *rest;
  const char *scheme;
  gboolean turn;

  g_return_val_if_fail (url != NULL, NULL);

  if (g_str_has_prefix (url, "stun:"))
    scheme = "stun", turn = FALSE, rest = url + 5;
  else if (g_str_has_prefix (url, "stuns:"))
    return NULL; /* libnice has no STUN over TLS */
  else if (g_str_has_prefix (url, "turns:"))
    scheme = "turns", turn = TRUE, rest = url + 6;
  else if (g_str_has_prefix (url, "turn:"))
    scheme = "turn", turn = TRUE, rest = url + 5;
  else
    return NULL;

  while (*rest == '/')
    rest++;
  if (*rest == '\0')
    return NULL;
  if (is_turn != NULL)
    *is_turn = turn;

  if (!turn)
    {
      /* webrtcbin's stun-server takes host:port only. */
      g_autofree char *hostport = g_strndup (rest, strcspn (rest, "?"));

      return g_strdup_printf ("stun://%s", hostport);
    }
  else
    {
      g_autofree char *user = g_uri_escape_string (username != NULL ? username : "", NULL, FALSE);
      g_autofree char *pass =
          g_uri_escape_string (credential != NULL ? credential : "", NULL, FALSE);

      return g_strdup_printf ("%s://%s:%s@%s", scheme, user, pass, rest);
    }
}

char *
bc_lk_candidate_to_json (const char *candidate, const char *mid, guint mline_index)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  const char *text = candidate;

  if (g_str_has_prefix (text, "a="))
    text += 2;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "candidate");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "sdpMid");
  json_builder_add_string_value (builder, mid != NULL ? mid : "");
  json_builder_set_member_name (builder, "sdpMLineIndex");
  json_builder_add_int_value (builder, mline_index);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

gboolean
bc_lk_candidate_from_json (
    const char *json, char **candidate, char **mid, int *mline_index, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *object;
  JsonNode *node;

  *candidate = NULL;
  *mid = NULL;
  *mline_index = -1;

  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                           "The LiveKit server sent an ICE candidate that is not JSON");
      return FALSE;
    }
  object = json_node_get_object (json_parser_get_root (parser));

  node = json_object_get_member (object, "candidate");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    {
      g_set_error_literal (error, BC_LK_ERROR, BC_LK_ERROR_PROTOCOL,
                           "The LiveKit server sent an ICE candidate without a candidate line");
      return FALSE;
    }
  *candidate = g_strdup (json_node_get_string (node));

  node = json_object_get_member (object, "sdpMid");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    *mid = g_strdup (json_node_get_string (node));

  node = json_object_get_member (object, "sdpMLineIndex");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_INT64)
    *mline_index = (int) CLAMP (json_node_get_int (node), -1, G_MAXINT);

  return TRUE;
}

gboolean
bc_lk_stream_id_parse (const char *msid, char **participant_sid, char **track_sid)
{
  g_autofree char *stream = NULL;
  const char *bar;

  if (participant_sid != NULL)
    *participant_sid = NULL;
  if (track_sid != NULL)
    *track_sid = NULL;
  if (msid == NULL)
    return FALSE;

  stream = g_strndup (msid, strcspn (msid, " \t"));
  bar = strchr (stream, '|');
  if (bar == NULL || bar == stream || bar[1] == '\0')
    return FALSE;
  if (participant_sid != NULL)
    *participant_sid = g_strndup (stream, bar - stream);
  if (track_sid != NULL)
    *track_sid = g_strdup (bar + 1);
  return TRUE;
}

/* SDP is edited as lines; media section i holds the lines after the i-th "m=". */
static GPtrArray *
sdp_split (const char *sdp)
{
  g_auto (GStrv) parts = g_strsplit (sdp, "\n", -1);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *line = parts[i];
      gsize len = strlen (line);

      if (len > 0 && line[len - 1] == '\r')
        line[len - 1] = '\0';
      if (*line == '\0' && parts[i + 1] == NULL)
        break;
      g_ptr_array_add (lines, g_strdup (line));
    }
  return lines;
}

static char *
sdp_join (GPtrArray *lines)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (out, g_ptr_array_index (lines, i));
      g_string_append (out, "\r\n");
    }
  return g_string_free (out, FALSE);
}

char *
bc_lk_sdp_add_media_msid (const char *sdp)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  guint i = 0;

  while (i < lines->len)
    {
      const char *line = g_ptr_array_index (lines, i);
      guint end;
      gboolean has_msid = FALSE;
      g_autofree char *ssrc_msid = NULL;

      if (!g_str_has_prefix (line, "m="))
        {
          g_ptr_array_add (out, g_strdup (line));
          i++;
          continue;
        }
      for (end = i + 1; end < lines->len; end++)
        {
          const char *l = g_ptr_array_index (lines, end);
          const char *m;

          if (g_str_has_prefix (l, "m="))
            break;
          if (g_str_has_prefix (l, "a=msid:"))
            has_msid = TRUE;
          else if (ssrc_msid == NULL && g_str_has_prefix (l, "a=ssrc:") &&
                   (m = strstr (l, " msid:")) != NULL)
            ssrc_msid = g_strdup (m + strlen (" msid:"));
        }
      for (guint j = i; j < end; j++)
        g_ptr_array_add (out, g_strdup (g_ptr_array_index (lines, j)));
      /* Attributes come after the c= and b= lines: append at the end. */
      if (!has_msid && ssrc_msid != NULL && strchr (ssrc_msid, ' ') != NULL)
        g_ptr_array_add (out, g_strconcat ("a=msid:", ssrc_msid, NULL));
      i = end;
    }
  return sdp_join (out);
}

char *
bc_lk_sdp_replace_track_id (const char *sdp, const char *old_id, const char *new_id)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);

  for (guint i = 0; i < lines->len; i++)
    {
      char *line = g_ptr_array_index (lines, i);
      const char *space;

      if (!g_str_has_prefix (line, "a=msid:") &&
          !(g_str_has_prefix (line, "a=ssrc:") && strstr (line, " msid:") != NULL))
        continue;
      space = strrchr (line, ' ');
      if (space == NULL || g_strcmp0 (space + 1, old_id) != 0)
        continue;
      g_ptr_array_index (lines, i) =
          g_strdup_printf ("%.*s %s", (int) (space - line), line, new_id);
      g_free (line);
    }
  return sdp_join (lines);
}

char *
bc_lk_sdp_get_mid_for_track_id (const char *sdp, const char *track_id)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  const char *mid = NULL;
  gboolean found = FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      const char *space;

      if (g_str_has_prefix (line, "m="))
        {
          if (found)
            break;
          mid = NULL;
        }
      else if (g_str_has_prefix (line, "a=mid:"))
        mid = line + strlen ("a=mid:");
      else if (g_str_has_prefix (line, "a=msid:") ||
               (g_str_has_prefix (line, "a=ssrc:") && strstr (line, " msid:") != NULL))
        {
          space = strrchr (line, ' ');
          if (space != NULL && g_strcmp0 (space + 1, track_id) == 0)
            found = TRUE;
        }
    }
  return found && mid != NULL ? g_strdup (mid) : NULL;
}

char *
bc_lk_sdp_swap_direction (
    const char *sdp, const char *const *mids, const char *from, const char *to, GPtrArray *changed)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  g_autofree char *from_line = g_strconcat ("a=", from, NULL);
  guint start = 0;

  /* Sections are [start, end); the mid may come after the direction. */
  while (start < lines->len)
    {
      guint end = start + 1;
      const char *mid = NULL;

      if (!g_str_has_prefix (g_ptr_array_index (lines, start), "m="))
        {
          start++;
          continue;
        }
      while (end < lines->len && !g_str_has_prefix (g_ptr_array_index (lines, end), "m="))
        {
          const char *line = g_ptr_array_index (lines, end);

          if (g_str_has_prefix (line, "a=mid:"))
            mid = line + strlen ("a=mid:");
          end++;
        }
      if (mids == NULL || (mid != NULL && g_strv_contains (mids, mid)))
        for (guint i = start + 1; i < end; i++)
          if (g_str_equal (g_ptr_array_index (lines, i), from_line))
            {
              if (changed != NULL && mid != NULL)
                g_ptr_array_add (changed, g_strdup (mid));
              g_free (g_ptr_array_index (lines, i));
              g_ptr_array_index (lines, i) = g_strconcat ("a=", to, NULL);
            }
      start = end;
    }
  return sdp_join (lines);
}

char *
bc_lk_sdp_drop_bundle_only (const char *sdp)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  guint i = 0;

  while (i < lines->len)
    {
      const char *line = g_ptr_array_index (lines, i);
      gboolean bundle_only = FALSE;
      guint end;

      if (!g_str_has_prefix (line, "m="))
        {
          g_ptr_array_add (out, g_strdup (line));
          i++;
          continue;
        }
      for (end = i + 1; end < lines->len; end++)
        {
          const char *l = g_ptr_array_index (lines, end);

          if (g_str_has_prefix (l, "m="))
            break;
          if (g_str_equal (l, "a=bundle-only"))
            bundle_only = TRUE;
        }
      for (guint j = i; j < end; j++)
        {
          const char *l = g_ptr_array_index (lines, j);

          if (j == i && bundle_only)
            {
              /* "m=<kind> 0 <proto> ..." -> "m=<kind> 9 <proto> ..." */
              const char *sp = strchr (l, ' ');

              if (sp != NULL && g_str_has_prefix (sp, " 0 "))
                {
                  g_ptr_array_add (out, g_strdup_printf ("%.*s 9 %s", (int) (sp - l), l, sp + 3));
                  continue;
                }
            }
          if (bundle_only && g_str_equal (l, "a=bundle-only"))
            continue;
          g_ptr_array_add (out, g_strdup (l));
        }
      i = end;
    }
  return sdp_join (out);
}

static gboolean
is_pt_line (const char *line, const char *prefix, const char *pt)
{
  gsize plen = strlen (prefix);
  gsize tlen = strlen (pt);

  return g_str_has_prefix (line, prefix) && strncmp (line + plen, pt, tlen) == 0 &&
         (line[plen + tlen] == ' ' || line[plen + tlen] == '\0');
}

char *
bc_lk_sdp_strip_red (const char *sdp)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func (g_free);
  guint i = 0;

  while (i < lines->len)
    {
      const char *line = g_ptr_array_index (lines, i);
      g_autoptr (GPtrArray) red = g_ptr_array_new_with_free_func (g_free);
      guint end;

      if (!g_str_has_prefix (line, "m=audio "))
        {
          g_ptr_array_add (out, g_strdup (line));
          i++;
          continue;
        }
      for (end = i + 1; end < lines->len; end++)
        {
          const char *l = g_ptr_array_index (lines, end);

          if (g_str_has_prefix (l, "m="))
            break;
          if (g_str_has_prefix (l, "a=rtpmap:"))
            {
              const char *sp = strchr (l, ' ');

              if (sp != NULL && g_ascii_strncasecmp (sp + 1, "red/", 4) == 0)
                g_ptr_array_add (red, g_strndup (l + 9, sp - (l + 9)));
            }
        }
      for (guint j = i; j < end; j++)
        {
          const char *l = g_ptr_array_index (lines, j);
          gboolean drop = FALSE;

          if (j == i && red->len > 0)
            {
              /* m=audio <port> <proto> <fmt> <fmt> ... */
              g_auto (GStrv) tok = g_strsplit (l, " ", -1);
              GString *m = g_string_new (NULL);

              for (guint k = 0; tok[k] != NULL; k++)
                {
                  gboolean is_red = FALSE;

                  for (guint r = 0; k >= 3 && r < red->len; r++)
                    is_red |= g_str_equal (tok[k], g_ptr_array_index (red, r));
                  if (is_red)
                    continue;
                  if (m->len > 0)
                    g_string_append_c (m, ' ');
                  g_string_append (m, tok[k]);
                }
              g_ptr_array_add (out, g_string_free (m, FALSE));
              continue;
            }
          for (guint r = 0; r < red->len; r++)
            {
              const char *pt = g_ptr_array_index (red, r);

              drop |= is_pt_line (l, "a=rtpmap:", pt) || is_pt_line (l, "a=fmtp:", pt) ||
                      is_pt_line (l, "a=rtcp-fb:", pt);
            }
          if (!drop)
            g_ptr_array_add (out, g_strdup (l));
        }
      i = end;
    }
  return sdp_join (out);
}

char *
bc_lk_sdp_get_mid (const char *sdp, guint index)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  int media = -1;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *l = g_ptr_array_index (lines, i);

      if (g_str_has_prefix (l, "m="))
        media++;
      else if (media == (int) index && g_str_has_prefix (l, "a=mid:"))
        return g_strdup (l + 6);
    }
  return NULL;
}

int
bc_lk_sdp_find_mid (const char *sdp, const char *mid)
{
  g_autoptr (GPtrArray) lines = sdp_split (sdp);
  int media = -1;

  for (guint i = 0; i < lines->len; i++)
    {
      const char *l = g_ptr_array_index (lines, i);

      if (g_str_has_prefix (l, "m="))
        media++;
      else if (media >= 0 && g_str_has_prefix (l, "a=mid:") && g_str_equal (l + 6, mid))
        return media;
    }
  return -1;
}

char *
bc_lk_sdp_get_stream_id_for_mid (const char *sdp, const char *mid)
{
  g_autoptr (GPtrArray) lines = NULL;
  int target;
  int media = -1;
  g_autofree char *from_ssrc = NULL;

  if (sdp == NULL || mid == NULL)
    return NULL;
  target = bc_lk_sdp_find_mid (sdp, mid);
  if (target < 0)
    return NULL;
  lines = sdp_split (sdp);
  for (guint i = 0; i < lines->len; i++)
    {
      const char *l = g_ptr_array_index (lines, i);
      const char *m;

      if (g_str_has_prefix (l, "m="))
        {
          if (++media > target)
            break;
          continue;
        }
      if (media != target)
        continue;
      if (g_str_has_prefix (l, "a=msid:"))
        return g_strndup (l + 7, strcspn (l + 7, " "));
      if (from_ssrc == NULL && g_str_has_prefix (l, "a=ssrc:") &&
          (m = strstr (l, " msid:")) != NULL)
        from_ssrc = g_strndup (m + 6, strcspn (m + 6, " "));
    }
  return g_steal_pointer (&from_ssrc);
}
