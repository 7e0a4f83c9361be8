/* Inside the db module: writing the schema (schema.c) for open.c. */
#ifndef DISCON_DB_SCHEMA_H
#define DISCON_DB_SCHEMA_H

#include "discon_db.h"

/* Tables, views, application_id and user_version, into an empty database,
 * inside the caller's transaction. 0 or DISCON_DB_E_SQLITE. */
int discon_db_write_schema(struct discon_db *db);

/* The rows of the lookup tables (types, kinds, classes, levels,
 * syscall_names) from libdiscon-trace, missing ones only, in a transaction
 * of its own (call it outside any). 0 or DISCON_DB_E_SQLITE. */
int discon_db_write_lookup_tables(struct discon_db *db);

#endif
