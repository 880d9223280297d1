/* bc-sfu-room.c
 *
 * A room exists from its first participant until it has been empty for the
 * departure timeout (20 s in livekit-server) or is deleted through the
 * RoomService. It owns the relay pipeline all its media flows through, keeps
 * everyone's view of the participants current with ParticipantUpdates, and
 * reports to the backend through webhooks.
 */
#define G_LOG_DOMAIN "bc-sfu"

#include "config.h"

#include "bc-sfu-room.h"

#include <string.h>

/* livekit-server's default for rooms created by a join. */
#define EMPTY_TIMEOUT_SECONDS (5 * 60)

struct _BcSfuRoom
{
  GObject parent_instance;

  char *name;
  char *sid;
  gint64 created_at_ms;
  BcSfuWebhook *webhook;
  BcSfuRelay *relay;
  GPtrArray *participants; /* BcSfuParticipant, join order */
  guint departure_timeout;
  guint departure_source;
  gboolean finished;
};

G_DEFINE_FINAL_TYPE (BcSfuRoom, bc_sfu_room, G_TYPE_OBJECT)

enum
{
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
bc_sfu_room_dispose (GObject *object)
{
  BcSfuRoom *self = BC_SFU_ROOM (object);

  bc_sfu_room_close (self, LIVEKIT__DISCONNECT_REASON__SERVER_SHUTDOWN);
  g_clear_handle_id (&self->departure_source, g_source_remove);
  g_clear_object (&self->relay);
  g_clear_object (&self->webhook);

  G_OBJECT_CLASS (bc_sfu_room_parent_class)->dispose (object);
}

static void
bc_sfu_room_finalize (GObject *object)
{
  BcSfuRoom *self = BC_SFU_ROOM (object);

  g_free (self->name);
  g_free (self->sid);
  g_clear_pointer (&self->participants, g_ptr_array_unref);

  G_OBJECT_CLASS (bc_sfu_room_parent_class)->finalize (object);
}

static void
bc_sfu_room_class_init (BcSfuRoomClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = bc_sfu_room_dispose;
  object_class->finalize = bc_sfu_room_finalize;

  /* The room is over: empty past the departure timeout, or deleted. */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
bc_sfu_room_init (BcSfuRoom *self)
{
  self->participants = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
on_relay_error (BcSfuRelay *relay, GstObject *source, GError *error, gpointer data)
{
  BcSfuRoom *self = data;
  GstObject *top;
  g_autofree char *owner = NULL;
  char *sep;

  /* A data channel association that fails (the client closed it, or left)
   * says nothing about the media: not a reason to drop the participant. */
  if (GST_IS_ELEMENT (source) && gst_element_get_factory (GST_ELEMENT (source)) != NULL &&
      g_str_has_prefix (GST_OBJECT_NAME (gst_element_get_factory (GST_ELEMENT (source))), "sctp"))
    {
      g_debug ("Data channel error in %s: %s", GST_OBJECT_NAME (source), error->message);
      return;
    }
  top = gst_object_ref (source);

  /* Elements are named "<participant sid>~…"; climb to the pipeline's child. */
  while (GST_OBJECT_PARENT (top) != NULL &&
         GST_OBJECT_PARENT (top) != GST_OBJECT (bc_sfu_relay_get_bin (relay)))
    {
      GstObject *parent = gst_object_get_parent (top);

      gst_object_unref (top);
      top = parent;
    }
  owner = g_strdup (GST_OBJECT_NAME (top));
  gst_object_unref (top);
  sep = strchr (owner, '~');
  if (sep != NULL)
    *sep = '\0';

  for (guint i = 0; i < self->participants->len; i++)
    {
      BcSfuParticipant *p = g_ptr_array_index (self->participants, i);

      if (g_strcmp0 (bc_sfu_participant_get_sid (p), owner) == 0)
        {
          g_message ("Media of participant %s failed: %s", owner, error->message);
          bc_sfu_participant_disconnect (p, LIVEKIT__DISCONNECT_REASON__MEDIA_FAILURE,
                                         LIVEKIT__LEAVE_REQUEST__ACTION__RECONNECT);
          return;
        }
    }
}

BcSfuRoom *
bc_sfu_room_new (const char *name,
                 BcSfuWebhook *webhook,
                 const char *const *ice_addresses,
                 guint departure_timeout)
{
  BcSfuRoom *self = g_object_new (BC_TYPE_SFU_ROOM, NULL);
  g_autoptr (JsonObject) json = NULL;

  self->name = g_strdup (name);
  self->sid = bc_sfu_make_sid ("RM_");
  self->created_at_ms = g_get_real_time () / 1000;
  self->webhook = g_object_ref (webhook);
  self->departure_timeout = departure_timeout;
  self->relay = bc_sfu_relay_new (self->sid, ice_addresses);
  g_signal_connect (self->relay, "element-error", G_CALLBACK (on_relay_error), self);

  json = bc_sfu_room_to_json (self);
  bc_sfu_webhook_send (self->webhook, "room_started", json, NULL, NULL);
  return self;
}

const char *
bc_sfu_room_get_name (BcSfuRoom *self)
{
  return self->name;
}

const char *
bc_sfu_room_get_sid (BcSfuRoom *self)
{
  return self->sid;
}

BcSfuRelay *
bc_sfu_room_get_relay (BcSfuRoom *self)
{
  return self->relay;
}

gboolean
bc_sfu_room_is_finished (BcSfuRoom *self)
{
  return self->finished;
}

/**
 * bc_sfu_room_get_participants:
 *
 * Returns: (transfer container) (element-type BcSfuParticipant):
 */
GList *
bc_sfu_room_get_participants (BcSfuRoom *self)
{
  GList *list = NULL;

  for (guint i = self->participants->len; i > 0; i--)
    list = g_list_prepend (list, g_ptr_array_index (self->participants, i - 1));
  return list;
}

BcSfuParticipant *
bc_sfu_room_find_participant (BcSfuRoom *self, const char *identity)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      BcSfuParticipant *p = g_ptr_array_index (self->participants, i);

      if (g_strcmp0 (bc_sfu_participant_get_identity (p), identity) == 0)
        return p;
    }
  return NULL;
}

static guint
count_publishers (BcSfuRoom *self)
{
  guint n = 0;

  for (guint i = 0; i < self->participants->len; i++)
    {
      GPtrArray *pubs =
          bc_sfu_participant_get_publications (g_ptr_array_index (self->participants, i));

      for (guint j = 0; j < pubs->len; j++)
        if (((BcSfuPublication *) g_ptr_array_index (pubs, j))->announced)
          {
            n++;
            break;
          }
    }
  return n;
}

Livekit__Room *
bc_sfu_room_fill_info (BcSfuRoom *self, BcSfuArena *arena)
{
  Livekit__Room *room = bc_sfu_arena_new_msg (arena, Livekit__Room, LIVEKIT__ROOM__INIT);

  room->sid = bc_sfu_arena_strdup (arena, self->sid);
  room->name = bc_sfu_arena_strdup (arena, self->name);
  room->empty_timeout = EMPTY_TIMEOUT_SECONDS;
  room->departure_timeout = self->departure_timeout;
  room->creation_time = self->created_at_ms / 1000;
  room->creation_time_ms = self->created_at_ms;
  room->num_participants = self->participants->len;
  room->num_publishers = count_publishers (self);
  room->turn_password = bc_sfu_arena_strdup (arena, "");
  room->metadata = bc_sfu_arena_strdup (arena, "");
  return room;
}

/* protojson of Room, as in LiveKit's webhooks and RoomService. */
JsonObject *
bc_sfu_room_to_json (BcSfuRoom *self)
{
  JsonObject *obj = json_object_new ();
  g_autofree char *created = g_strdup_printf ("%" G_GINT64_FORMAT, self->created_at_ms / 1000);
  g_autofree char *created_ms = g_strdup_printf ("%" G_GINT64_FORMAT, self->created_at_ms);

  json_object_set_string_member (obj, "sid", self->sid);
  json_object_set_string_member (obj, "name", self->name);
  json_object_set_int_member (obj, "emptyTimeout", EMPTY_TIMEOUT_SECONDS);
  json_object_set_int_member (obj, "departureTimeout", self->departure_timeout);
  json_object_set_string_member (obj, "creationTime", created);
  json_object_set_string_member (obj, "creationTimeMs", created_ms);
  json_object_set_int_member (obj, "numParticipants", self->participants->len);
  json_object_set_int_member (obj, "numPublishers", count_publishers (self));
  return obj;
}

static void
webhook (BcSfuRoom *self, const char *event, BcSfuParticipant *p, BcSfuPublication *pub)
{
  g_autoptr (JsonObject) room = bc_sfu_room_to_json (self);
  g_autoptr (JsonObject) participant = p ? bc_sfu_participant_to_json (p) : NULL;
  g_autoptr (JsonObject) track = pub ? bc_sfu_publication_to_json (pub) : NULL;

  bc_sfu_webhook_send (self->webhook, event, room, participant, track);
}

/* Tells everyone but @about (and everyone, @about included, with @all). */
static void
broadcast_update (BcSfuRoom *self, BcSfuParticipant *about, gboolean all)
{
  g_autoptr (GPtrArray) list = g_ptr_array_new ();

  g_ptr_array_add (list, about);
  for (guint i = 0; i < self->participants->len; i++)
    {
      BcSfuParticipant *p = g_ptr_array_index (self->participants, i);

      /* Hidden participants (recorders, agents) are not shown to others. */
      if (p == about ? all : !bc_sfu_participant_is_hidden (about))
        bc_sfu_participant_send_update (p, list);
    }
}

static gboolean
on_departure_timeout (gpointer data)
{
  BcSfuRoom *self = data;

  self->departure_source = 0;
  if (self->participants->len == 0)
    bc_sfu_room_close (self, LIVEKIT__DISCONNECT_REASON__ROOM_CLOSED);
  return G_SOURCE_REMOVE;
}

void
bc_sfu_room_join (BcSfuRoom *self, BcSfuParticipant *participant)
{
  BcSfuParticipant *existing;

  g_return_if_fail (!self->finished);

  /* One identity, one participant: the newer connection wins, as in
   * livekit-server. */
  existing = bc_sfu_room_find_participant (self, bc_sfu_participant_get_identity (participant));
  if (existing != NULL)
    bc_sfu_participant_disconnect (existing, LIVEKIT__DISCONNECT_REASON__DUPLICATE_IDENTITY,
                                   LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);

  g_clear_handle_id (&self->departure_source, g_source_remove);
  g_ptr_array_add (self->participants, g_object_ref (participant));
  bc_sfu_participant_start (participant);
  broadcast_update (self, participant, FALSE);
  webhook (self, "participant_joined", participant, NULL);
}

void
bc_sfu_room_subscribe_existing (BcSfuRoom *self, BcSfuParticipant *participant)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      BcSfuParticipant *owner = g_ptr_array_index (self->participants, i);
      GPtrArray *pubs;

      if (owner == participant)
        continue;
      pubs = bc_sfu_participant_get_publications (owner);
      for (guint j = 0; j < pubs->len; j++)
        {
          BcSfuPublication *pub = g_ptr_array_index (pubs, j);

          if (pub->announced)
            bc_sfu_participant_subscribe (participant, owner, pub);
        }
    }
}

void
bc_sfu_room_publication_ready (BcSfuRoom *self,
                               BcSfuParticipant *participant,
                               BcSfuPublication *pub)
{
  /* The update goes out before any subscriber offer, so that clients know
   * the publication when its media section arrives. */
  broadcast_update (self, participant, TRUE);
  for (guint i = 0; i < self->participants->len; i++)
    {
      BcSfuParticipant *p = g_ptr_array_index (self->participants, i);

      if (p != participant)
        bc_sfu_participant_subscribe (p, participant, pub);
    }
  webhook (self, "track_published", participant, pub);
}

void
bc_sfu_room_publication_removed (BcSfuRoom *self,
                                 BcSfuParticipant *participant,
                                 BcSfuPublication *pub)
{
  for (guint i = 0; i < self->participants->len; i++)
    {
      BcSfuParticipant *p = g_ptr_array_index (self->participants, i);

      if (p != participant)
        bc_sfu_participant_unsubscribe (p, pub);
    }
  broadcast_update (self, participant, TRUE);
  webhook (self, "track_unpublished", participant, pub);
}

void
bc_sfu_room_participant_changed (BcSfuRoom *self, BcSfuParticipant *participant)
{
  broadcast_update (self, participant, TRUE);
}

void
bc_sfu_room_remove_participant (BcSfuRoom *self,
                                BcSfuParticipant *participant,
                                Livekit__DisconnectReason reason)
{
  g_autoptr (BcSfuParticipant) hold = g_object_ref (participant);
  GPtrArray *pubs = bc_sfu_participant_get_publications (participant);

  if (!g_ptr_array_remove (self->participants, participant))
    return;

  /* Subscribers let go of the tracks before the publisher's connection,
   * which carries them, goes down. */
  for (guint j = 0; j < pubs->len; j++)
    {
      BcSfuPublication *pub = g_ptr_array_index (pubs, j);

      if (!pub->announced)
        continue;
      for (guint i = 0; i < self->participants->len; i++)
        bc_sfu_participant_unsubscribe (g_ptr_array_index (self->participants, i), pub);
      webhook (self, "track_unpublished", participant, pub);
    }
  bc_sfu_participant_close (participant, reason);
  broadcast_update (self, participant, FALSE);
  webhook (self, "participant_left", participant, NULL);

  if (self->participants->len == 0 && !self->finished && self->departure_source == 0)
    self->departure_source =
        g_timeout_add_seconds (self->departure_timeout, on_departure_timeout, self);
}

/**
 * bc_sfu_room_close:
 *
 * Disconnects everyone with @reason and finishes the room.
 */
void
bc_sfu_room_close (BcSfuRoom *self, Livekit__DisconnectReason reason)
{
  g_autoptr (BcSfuRoom) hold = g_object_ref (self);

  if (self->finished)
    return;
  while (self->participants->len > 0)
    {
      BcSfuParticipant *p = g_ptr_array_index (self->participants, 0);

      bc_sfu_participant_disconnect (p, reason, LIVEKIT__LEAVE_REQUEST__ACTION__DISCONNECT);
      if (self->participants->len > 0 && g_ptr_array_index (self->participants, 0) == p)
        bc_sfu_room_remove_participant (self, p, reason);
    }
  self->finished = TRUE;
  g_clear_handle_id (&self->departure_source, g_source_remove);
  webhook (self, "room_finished", NULL, NULL);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}
