/* bc-lk-dtls-key-private.h: the per-user cache of the DTLS certificate's key */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* From now on, GStreamer's DTLS certificate in this process is made with the
 * key cached for this user (made and cached the first time). Does nothing
 * when BC_DTLS_KEY_CACHE=0. */
void _bc_lk_dtls_key_cache_enable (void);

/* $XDG_CACHE_HOME/bountycam/dtls-key.pem */
char *_bc_lk_dtls_key_cache_path (void);

G_END_DECLS
