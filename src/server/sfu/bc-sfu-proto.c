/* bc-sfu-proto.c */
#include "config.h"

#include "bc-sfu-proto.h"

struct _BcSfuArena
{
  GPtrArray *blocks;
};

BcSfuArena *
bc_sfu_arena_new (void)
{
  BcSfuArena *arena = g_new0 (BcSfuArena, 1);

  arena->blocks = g_ptr_array_new_with_free_func (g_free);
  return arena;
}

void
bc_sfu_arena_free (BcSfuArena *arena)
{
  if (arena == NULL)
    return;
  g_ptr_array_unref (arena->blocks);
  g_free (arena);
}

gpointer
bc_sfu_arena_alloc (BcSfuArena *arena, gsize size)
{
  gpointer block = g_malloc0 (MAX (size, 1));

  g_ptr_array_add (arena->blocks, block);
  return block;
}

/* protobuf-c wants a string for every string field, never NULL. */
char *
bc_sfu_arena_strdup (BcSfuArena *arena, const char *text)
{
  char *copy = g_strdup (text ? text : "");

  g_ptr_array_add (arena->blocks, copy);
  return copy;
}

GBytes *
bc_sfu_pack (const ProtobufCMessage *message)
{
  gsize size = protobuf_c_message_get_packed_size (message);
  guint8 *data = g_malloc (MAX (size, 1));

  protobuf_c_message_pack (message, data);
  return g_bytes_new_take (data, size);
}

/* LiveKit's sids are a prefix and twelve base-62 characters. */
char *
bc_sfu_make_sid (const char *prefix)
{
  static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  GString *sid = g_string_new (prefix);

  for (guint i = 0; i < 12; i++)
    g_string_append_c (sid, alphabet[g_random_int_range (0, sizeof alphabet - 1)]);
  return g_string_free (sid, FALSE);
}
