#pragma once

#include <adwaita.h>

#include "bc-stream-event.h"

G_BEGIN_DECLS

#define BC_TYPE_EVENT_ROW (bc_event_row_get_type ())

G_DECLARE_FINAL_TYPE (BcEventRow, bc_event_row, BC, EVENT_ROW, AdwActionRow)

GtkWidget *bc_event_row_new (BcStreamEvent *event);

G_END_DECLS
