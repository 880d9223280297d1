#pragma once

#include "bc-frame.h"

G_BEGIN_DECLS

void _bc_frame_set_sequence (BcFrame *self, guint64 sequence);

G_END_DECLS
