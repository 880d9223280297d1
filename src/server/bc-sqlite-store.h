/* bc-sqlite-store.h: the SQLite implementation of BcStore */
#pragma once

#include "bc-store.h"

G_BEGIN_DECLS

#define BC_TYPE_SQLITE_STORE (bc_sqlite_store_get_type ())
G_DECLARE_FINAL_TYPE (BcSqliteStore, bc_sqlite_store, BC, SQLITE_STORE, GObject)

/* Opens (creating it if needed) the database at @path and applies every
 * pending migration in one transaction. */
BcSqliteStore *bc_sqlite_store_open (const char *path, GError **error);

/* With @durable, every commit waits for the disk (synchronous = FULL), so
 * that not even a power cut loses a committed transaction. */
gboolean bc_sqlite_store_set_durable (BcSqliteStore *self, gboolean durable, GError **error);

/* The migration versions applied so far, newest last (for tests). */
GArray *bc_sqlite_store_applied_migrations (BcSqliteStore *self, GError **error);

G_END_DECLS
