/* fuzz-webhook: the server's LiveKit webhook check
 * (bc_livekit_webhook_verify) and the reading of the body it guards.
 *
 * Input: an Authorization header value, a newline, the body. With the first
 * byte odd, the body is signed properly instead (the header part is then
 * ignored), so the body is read as the webhook route reads it. */
#include "config.h"

#include "bc-json.h"
#include "bc-tokens.h"

#include <stdint.h>
#include <string.h>

#define API_KEY "APIfuzz"
#define SECRET  "fuzz-secret-0123456789-abcdefghijkl"
#define NOW     1700000000

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *text = (const char *) data + 1;
  const char *newline;
  g_autofree char *auth = NULL;
  const char *body;
  gsize body_len;
  GError *error = NULL;
  gboolean ok;

  if (size < 1)
    return 0;
  newline = memchr (text, '\n', size - 1);
  if (newline != NULL)
    {
      auth = g_strndup (text, newline - text);
      body = newline + 1;
    }
  else
    body = text;
  body_len = size - 1 - (body - text);
  if (data[0] & 1)
    {
      g_free (auth);
      auth = bc_livekit_webhook_sign (API_KEY, SECRET, body, body_len, NOW);
    }

  ok = bc_livekit_webhook_verify (API_KEY, SECRET, auth, body, body_len, NOW, &error);
  g_assert (ok == (error == NULL));
  if (data[0] & 1)
    g_assert (ok);
  g_clear_error (&error);
  if (ok)
    {
      /* As bc_route_livekit_webhook reads it. */
      g_autoptr (JsonObject) object = bc_json_parse_object (body, body_len, &error);

      if (object != NULL)
        {
          JsonObject *room = bc_json_get_object (object, "room", FALSE, NULL);
          JsonObject *participant = bc_json_get_object (object, "participant", FALSE, NULL);

          bc_json_get_string (object, "event", TRUE, NULL);
          bc_json_get_string (object, "id", FALSE, NULL);
          if (room != NULL)
            bc_json_get_string (room, "name", FALSE, NULL);
          if (participant != NULL)
            bc_json_get_string (participant, "identity", FALSE, NULL);
        }
      g_clear_error (&error);
    }
  return 0;
}
