/* bc-known-warnings.h: warnings our libraries print for their own races, told apart from ours */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean bc_known_warning_matches (const char *log_domain, const char *message);
void bc_known_warnings_install (void);

G_END_DECLS
