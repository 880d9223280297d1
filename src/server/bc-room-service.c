/* bc-room-service.c
 *
 * LiveKit's RoomService is Twirp: POST <host>/twirp/livekit.RoomService/
 * DeleteRoom with a JSON body {"room": name} and a bearer token whose video
 * grant allows creating (administering) rooms. A Twirp "not_found" answer
 * (HTTP 404) means the room is gone already, which is what we wanted.
 *
 * The queue lives in the store (room_deletions), written in the same
 * transaction as the settlement, so a deletion is never lost to a crash and
 * a failed one never touches the points. Failures are retried with
 * exponential back-off.
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-room-service.h"
#include "bc-tokens.h"

#include <libsoup/soup.h>
#include <string.h>

#define POLL_INTERVAL_S 5
#define MAX_BACKOFF_S   300
#define BATCH           16

struct _BcRoomService
{
  GObject parent_instance;

  BcStore *store;
  SoupSession *session;
  GCancellable *cancellable;
  char *endpoint;
  char *api_key;
  char *api_secret;
  GHashTable *in_flight; /* room names */
  guint timer_id;
  guint kick_id;
};

G_DEFINE_FINAL_TYPE (BcRoomService, bc_room_service, G_TYPE_OBJECT)

typedef struct
{
  BcRoomService *self;
  char *room;
  gint attempts;
} Attempt;

static void
attempt_free (Attempt *a)
{
  g_object_unref (a->self);
  g_free (a->room);
  g_free (a);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

static void
finish (Attempt *a, gboolean done, const char *error_text)
{
  BcRoomService *self = a->self;
  g_autoptr (GError) error = NULL;
  gint64 backoff_s = MIN ((gint64) 1 << MIN (a->attempts, 16), MAX_BACKOFF_S);

  g_hash_table_remove (self->in_flight, a->room);
  if (self->store == NULL)
    return;
  if (done)
    g_debug ("Room %s deleted", a->room);
  else
    g_message ("Deleting room %s failed (%s); retrying in %" G_GINT64_FORMAT " s", a->room,
               error_text, backoff_s);
  if (!bc_store_finish_room_deletion (self->store, a->room, done, now_ms () + backoff_s * 1000,
                                      error_text, &error))
    g_message ("Cannot update the room deletion queue: %s", error->message);
}

static void
on_response (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Attempt *a = user_data;
  SoupMessage *msg = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body =
      soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status;

  if (body == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        finish (a, FALSE, error->message);
      else
        g_hash_table_remove (a->self->in_flight, a->room);
      attempt_free (a);
      return;
    }
  status = soup_message_get_status (msg);
  if (SOUP_STATUS_IS_SUCCESSFUL (status) || status == SOUP_STATUS_NOT_FOUND)
    finish (a, TRUE, NULL);
  else
    {
      g_autofree char *text = g_strdup_printf ("HTTP %u", status);
      finish (a, FALSE, text);
    }
  attempt_free (a);
}

static void
start (BcRoomService *self, BcRoomDeletion *deletion)
{
  g_autoptr (SoupMessage) msg = NULL;
  g_autofree char *token = NULL;
  g_autofree char *auth = NULL;
  g_autofree char *body = NULL;
  g_autofree char *escaped = NULL;
  g_autoptr (GBytes) bytes = NULL;
  Attempt *a;

  if (g_hash_table_contains (self->in_flight, deletion->room_name))
    return;
  msg = soup_message_new (SOUP_METHOD_POST, self->endpoint);
  if (msg == NULL)
    return;
  token = bc_livekit_admin_token_mint (self->api_key, self->api_secret, deletion->room_name,
                                       g_get_real_time () / G_USEC_PER_SEC);
  auth = g_strconcat ("Bearer ", token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", auth);
  escaped = g_strescape (deletion->room_name, NULL);
  body = g_strdup_printf ("{\"room\":\"%s\"}", escaped);
  bytes = g_bytes_new_take (g_steal_pointer (&body), strlen (escaped) + 11);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);

  a = g_new0 (Attempt, 1);
  a->self = g_object_ref (self);
  a->room = g_strdup (deletion->room_name);
  a->attempts = deletion->attempts;
  g_hash_table_add (self->in_flight, g_strdup (deletion->room_name));
  soup_session_send_and_read_async (self->session, msg, G_PRIORITY_DEFAULT, self->cancellable,
                                    on_response, a);
}

static gboolean
process (gpointer user_data)
{
  BcRoomService *self = user_data;
  g_autoptr (GPtrArray) due = NULL;
  g_autoptr (GError) error = NULL;

  self->kick_id = 0;
  if (self->store == NULL)
    return G_SOURCE_REMOVE;
  due = bc_store_due_room_deletions (self->store, now_ms (), BATCH, &error);
  if (due == NULL)
    {
      g_message ("Cannot read the room deletion queue: %s", error->message);
      return G_SOURCE_REMOVE;
    }
  for (guint i = 0; i < due->len; i++)
    start (self, g_ptr_array_index (due, i));
  return G_SOURCE_REMOVE;
}

static gboolean
on_timer (gpointer user_data)
{
  process (user_data);
  return G_SOURCE_CONTINUE;
}

void
bc_room_service_kick (BcRoomService *self)
{
  if (self->kick_id == 0 && self->store != NULL)
    self->kick_id = g_idle_add (process, self);
}

void
bc_room_service_stop (BcRoomService *self)
{
  g_clear_handle_id (&self->timer_id, g_source_remove);
  g_clear_handle_id (&self->kick_id, g_source_remove);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->store);
}

static char *
twirp_endpoint (const char *livekit_url)
{
  g_autofree char *base = NULL;
  gsize len;

  if (g_str_has_prefix (livekit_url, "wss://"))
    base = g_strconcat ("https://", livekit_url + 6, NULL);
  else if (g_str_has_prefix (livekit_url, "ws://"))
    base = g_strconcat ("http://", livekit_url + 5, NULL);
  else
    base = g_strdup (livekit_url);
  len = strlen (base);
  while (len > 0 && base[len - 1] == '/')
    base[--len] = '\0';
  return g_strconcat (base, "/twirp/livekit.RoomService/DeleteRoom", NULL);
}

BcRoomService *
bc_room_service_new (BcStore *store,
                     const char *livekit_url,
                     const char *api_key,
                     const char *api_secret)
{
  BcRoomService *self = g_object_new (BC_TYPE_ROOM_SERVICE, NULL);

  self->store = g_object_ref (store);
  self->endpoint = twirp_endpoint (livekit_url);
  self->api_key = g_strdup (api_key);
  self->api_secret = g_strdup (api_secret);
  self->timer_id = g_timeout_add_seconds (POLL_INTERVAL_S, on_timer, self);
  return self;
}

static void
bc_room_service_dispose (GObject *object)
{
  BcRoomService *self = BC_ROOM_SERVICE (object);

  bc_room_service_stop (self);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (bc_room_service_parent_class)->dispose (object);
}

static void
bc_room_service_finalize (GObject *object)
{
  BcRoomService *self = BC_ROOM_SERVICE (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->in_flight, g_hash_table_unref);
  g_free (self->endpoint);
  g_free (self->api_key);
  g_free (self->api_secret);
  G_OBJECT_CLASS (bc_room_service_parent_class)->finalize (object);
}

static void
bc_room_service_class_init (BcRoomServiceClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_room_service_dispose;
  object_class->finalize = bc_room_service_finalize;
}

static void
bc_room_service_init (BcRoomService *self)
{
  self->session =
      soup_session_new_with_options ("timeout", 10, "user-agent", "bountycam-server", NULL);
  self->cancellable = g_cancellable_new ();
  self->in_flight = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}
