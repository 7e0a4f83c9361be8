/* The trace2sqlite database: tables, then views and indexes (documented in
 * the README; PCs are unsigned 64-bit values stored as their signed
 * two's-complement twins; the *_hex views show them as unsigned hex). */
#ifndef DISCON_DB_SCHEMA_H
#define DISCON_DB_SCHEMA_H

extern const char discon_db_tables[];
extern const char discon_db_indexes[];
extern const char discon_db_row_indexes[];

#endif
