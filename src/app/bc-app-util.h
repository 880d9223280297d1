#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *bc_describe_error (const GError *error);
char *bc_format_relative_time (GDateTime *time);
char *bc_format_points (gint64 points);

G_END_DECLS
