/* fuzz-signal-response: SignalResponse as the client decodes it
 * (bc_lk_signal_response_unpack), then the helpers the room applies to
 * each kind: ICE server URLs of a join, track ids of participants, offers'
 * and answers' SDP, trickled candidates, leave reasons. */
#include "config.h"

#include "bc-lk-proto.h"
#include "bc-lk-util.h"

#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static void
walk_participants (Livekit__ParticipantInfo **list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      Livekit__ParticipantInfo *p = list[i];

      g_assert (p != NULL);
      for (size_t t = 0; t < p->n_tracks; t++)
        {
          g_autofree char *stream = g_strdup_printf ("%s|%s", p->sid, p->tracks[t]->sid);
          g_autofree char *participant = NULL;
          g_autofree char *track = NULL;

          bc_lk_stream_id_parse (stream, &participant, &track);
        }
    }
}

static void
walk_sdp (const char *sdp)
{
  g_free (bc_lk_sdp_add_media_msid (sdp));
  g_free (bc_lk_sdp_drop_bundle_only (sdp));
  g_free (bc_lk_sdp_strip_red (sdp));
  g_free (bc_lk_sdp_get_mid (sdp, 0));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (Livekit__SignalResponse) response = bc_lk_signal_response_unpack (bytes, &error);

  if (response == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  bc_lk_signal_response_kind_name (response->message_case);
  switch (response->message_case)
    {
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_JOIN:
      {
        Livekit__JoinResponse *join = response->join;

        g_assert (join != NULL);
        if (join->participant != NULL)
          walk_participants (&join->participant, 1);
        walk_participants (join->other_participants, join->n_other_participants);
        for (size_t i = 0; i < join->n_ice_servers; i++)
          for (size_t u = 0; u < join->ice_servers[i]->n_urls; u++)
            {
              gboolean is_turn = FALSE;
              g_free (bc_lk_ice_url_to_gst (join->ice_servers[i]->urls[u],
                                            join->ice_servers[i]->username,
                                            join->ice_servers[i]->credential, &is_turn));
            }
        break;
      }
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_OFFER:
      walk_sdp (response->offer->sdp);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_ANSWER:
      walk_sdp (response->answer->sdp);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_TRICKLE:
      {
        g_autofree char *candidate = NULL;
        g_autofree char *mid = NULL;
        g_autoptr (GError) json_error = NULL;
        int mline = -1;

        bc_lk_candidate_from_json (response->trickle->candidateinit, &candidate, &mid, &mline,
                                   &json_error);
        break;
      }
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_UPDATE:
      walk_participants (response->update->participants, response->update->n_participants);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_LEAVE:
      bc_lk_disconnect_reason_describe (response->leave->reason);
      bc_lk_disconnect_reason_name (response->leave->reason);
      break;
    case LIVEKIT__SIGNAL_RESPONSE__MESSAGE_RECONNECT:
      for (size_t i = 0; i < response->reconnect->n_ice_servers; i++)
        for (size_t u = 0; u < response->reconnect->ice_servers[i]->n_urls; u++)
          {
            gboolean is_turn = FALSE;
            g_free (bc_lk_ice_url_to_gst (response->reconnect->ice_servers[i]->urls[u], NULL, NULL,
                                          &is_turn));
          }
      break;
    default:
      break;
    }
  /* Re-encoding what was decoded works. (protobuf-c keeps unknown fields
   * as they came, some of which it then refuses to decode again: not
   * checked.) */
  {
    g_autoptr (GBytes) again = bc_lk_signal_response_pack (response);
    g_autoptr (Livekit__SignalResponse) twice = bc_lk_signal_response_unpack (again, NULL);

    g_assert (again != NULL);
    if (twice != NULL)
      g_assert (twice->message_case == response->message_case);
  }
  return 0;
}
