/* bc-realtime.c
 *
 * Messages are JSON text frames {"type": …, …}. The server pings every
 * KEEPALIVE_S seconds so that idle connections through NATs and proxies stay
 * open and dead peers are noticed.
 */
#define G_LOG_DOMAIN "bc-server"

#include "config.h"

#include "bc-realtime.h"
#include "bc-json.h"

#include <string.h>

#define KEEPALIVE_S 20

struct _BcRealtime
{
  GObject parent_instance;

  GHashTable *by_user; /* user id → GPtrArray of SoupWebsocketConnection */
};

G_DEFINE_FINAL_TYPE (BcRealtime, bc_realtime, G_TYPE_OBJECT)

static void
on_closed (SoupWebsocketConnection *conn, BcRealtime *self)
{
  const char *user_id = g_object_get_data (G_OBJECT (conn), "bc-user-id");
  GPtrArray *conns = g_hash_table_lookup (self->by_user, user_id);

  g_signal_handlers_disconnect_by_data (conn, self);
  if (conns == NULL)
    return;
  g_ptr_array_remove (conns, conn);
  if (conns->len == 0)
    g_hash_table_remove (self->by_user, user_id);
}

static void
on_message (SoupWebsocketConnection *conn, int type, GBytes *message, BcRealtime *self)
{
  /* Clients have nothing to say yet; a text "ping" gets a "pong" for
   * clients that cannot see WebSocket control frames. */
  gsize len;
  const char *data = g_bytes_get_data (message, &len);

  if (type == SOUP_WEBSOCKET_DATA_TEXT && len == 4 && memcmp (data, "ping", 4) == 0)
    soup_websocket_connection_send_text (conn, "{\"type\":\"pong\"}");
}

void
bc_realtime_add (BcRealtime *self,
                 const char *user_id,
                 const char *login_id,
                 SoupWebsocketConnection *conn)
{
  GPtrArray *conns = g_hash_table_lookup (self->by_user, user_id);
  g_autoptr (JsonObject) hello = json_object_new ();
  g_autofree char *text = NULL;

  if (conns == NULL)
    {
      conns = g_ptr_array_new_with_free_func (g_object_unref);
      g_hash_table_insert (self->by_user, g_strdup (user_id), conns);
    }
  g_object_set_data_full (G_OBJECT (conn), "bc-user-id", g_strdup (user_id), g_free);
  g_object_set_data_full (G_OBJECT (conn), "bc-login-id", g_strdup (login_id), g_free);
  g_ptr_array_add (conns, g_object_ref (conn));
  soup_websocket_connection_set_keepalive_interval (conn, KEEPALIVE_S);
  g_signal_connect (conn, "closed", G_CALLBACK (on_closed), self);
  g_signal_connect (conn, "message", G_CALLBACK (on_message), self);

  json_object_set_string_member (hello, "type", "hello");
  json_object_set_string_member (hello, "user_id", user_id);
  text = bc_json_object_to_string (hello);
  soup_websocket_connection_send_text (conn, text);
}

static void
send_all (GPtrArray *conns, const char *text)
{
  for (guint i = 0; i < conns->len; i++)
    {
      SoupWebsocketConnection *conn = g_ptr_array_index (conns, i);

      if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_send_text (conn, text);
    }
}

void
bc_realtime_send (BcRealtime *self, const char *user_id, JsonObject *message)
{
  GPtrArray *conns = g_hash_table_lookup (self->by_user, user_id);
  g_autofree char *text = NULL;

  if (conns == NULL)
    return;
  text = bc_json_object_to_string (message);
  send_all (conns, text);
}

void
bc_realtime_broadcast (BcRealtime *self, JsonObject *message)
{
  g_autofree char *text = NULL;
  GHashTableIter iter;
  gpointer value;

  if (g_hash_table_size (self->by_user) == 0)
    return;
  text = bc_json_object_to_string (message);
  g_hash_table_iter_init (&iter, self->by_user);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    send_all (value, text);
}

guint
bc_realtime_count (BcRealtime *self)
{
  GHashTableIter iter;
  gpointer value;
  guint n = 0;

  g_hash_table_iter_init (&iter, self->by_user);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    n += ((GPtrArray *) value)->len;
  return n;
}

static void
close_matching (BcRealtime *self, const char *login_id, gushort code, const char *reason)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->by_user);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *conns = value;

      for (guint i = 0; i < conns->len; i++)
        {
          GObject *conn = g_ptr_array_index (conns, i);

          if (login_id == NULL ||
              g_strcmp0 (g_object_get_data (conn, "bc-login-id"), login_id) == 0)
            g_ptr_array_add (all, g_object_ref (conn));
        }
    }
  /* Closing emits "closed", which edits the table: close outside the walk. */
  for (guint i = 0; i < all->len; i++)
    {
      SoupWebsocketConnection *conn = g_ptr_array_index (all, i);

      if (soup_websocket_connection_get_state (conn) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close (conn, code, reason);
    }
}

void
bc_realtime_close_login (BcRealtime *self, const char *login_id)
{
  close_matching (self, login_id, SOUP_WEBSOCKET_CLOSE_POLICY_VIOLATION, "Signed out");
}

void
bc_realtime_close_all (BcRealtime *self)
{
  close_matching (self, NULL, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "The server is shutting down");
}

static void
bc_realtime_dispose (GObject *object)
{
  BcRealtime *self = BC_REALTIME (object);
  GHashTableIter iter;
  gpointer value;

  if (self->by_user != NULL)
    {
      g_hash_table_iter_init (&iter, self->by_user);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          GPtrArray *conns = value;

          for (guint i = 0; i < conns->len; i++)
            g_signal_handlers_disconnect_by_data (g_ptr_array_index (conns, i), self);
        }
      g_clear_pointer (&self->by_user, g_hash_table_unref);
    }
  G_OBJECT_CLASS (bc_realtime_parent_class)->dispose (object);
}

static void
bc_realtime_class_init (BcRealtimeClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = bc_realtime_dispose;
}

static void
bc_realtime_init (BcRealtime *self)
{
  self->by_user =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_ptr_array_unref);
}

BcRealtime *
bc_realtime_new (void)
{
  return g_object_new (BC_TYPE_REALTIME, NULL);
}
