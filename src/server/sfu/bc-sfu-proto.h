/* bc-sfu-proto.h: building LiveKit signalling messages (protobuf-c) */
#pragma once

#include <glib.h>

#include "bc-livekit.pb-c.h"

G_BEGIN_DECLS

/* Everything a message being built points to lives in an arena that is freed
 * once the message has been packed. */
typedef struct _BcSfuArena BcSfuArena;

BcSfuArena *bc_sfu_arena_new (void);
void bc_sfu_arena_free (BcSfuArena *arena);
gpointer bc_sfu_arena_alloc (BcSfuArena *arena, gsize size);
char *bc_sfu_arena_strdup (BcSfuArena *arena, const char *text);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (BcSfuArena, bc_sfu_arena_free)

#define bc_sfu_arena_new_msg(arena, Type, init)                                                    \
  ({                                                                                               \
    Type *_m = bc_sfu_arena_alloc ((arena), sizeof (Type));                                        \
    Type _init = init;                                                                             \
    *_m = _init;                                                                                   \
    _m;                                                                                            \
  })

GBytes *bc_sfu_pack (const ProtobufCMessage *message);
char *bc_sfu_make_sid (const char *prefix);

G_END_DECLS
