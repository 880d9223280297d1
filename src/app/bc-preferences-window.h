#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define BC_TYPE_PREFERENCES_WINDOW (bc_preferences_window_get_type ())

G_DECLARE_FINAL_TYPE (
    BcPreferencesWindow, bc_preferences_window, BC, PREFERENCES_WINDOW, AdwPreferencesWindow)

BcPreferencesWindow *bc_preferences_window_new (GSettings *settings);

G_END_DECLS
