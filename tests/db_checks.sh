# Checks of a trace2sqlite database against the trace it was loaded from,
# shared by tests/tools/db_read.sh and the real-QEMU tests (sourced; the
# caller defines fail and $tmp, and sets DUMP to discon-dump).

# view_is_dump NAME DB TRACE...: the events view gives back every raw
# event exactly, as discon-dump reads the files (folded rows included:
# x86 pairs, RETURNs; tools/db/schema.c), every value an integer (a sum
# past 2^63 in SQL would be a float, whose printf looks almost right);
# seqs as unsigned, sorted as the dump is.
view_is_dump() {
  local name=$1 db=$2; shift 2
  "$DUMP" --format csv "$@" | awk -F, -v OFS=, '$1 == "event" { print $2, $3, $4, $6, $7, $8, $9, $10, $11, $12, $13 }' |
    sort -t, -k1,1n -k2,2n >"$tmp/dump.csv"
  sqlite3 "$db" "SELECT vcpu || ',' || printf('%llu', seq) || ',' || time_ns || ',' || type_name || ',' ||
             printf('0x%x', from_pc) || ',' || printf('0x%x', to_pc) || ',' ||
             iif(cause IS NULL, '', printf('0x%x', cause)) || ',' ||
             iif(fault_addr IS NULL, '', printf('0x%x', fault_addr)) || ',' ||
             iif(syscall IS NULL, '', printf('%llu', syscall)) || ',' || ifnull(to_level, '') || ',' || ifnull(from_level, '')
           FROM events" | sort -t, -k1,1n -k2,2n >"$tmp/view.csv"
  [ -s "$tmp/dump.csv" ] || fail "$name: no events dumped"
  local floats
  floats=$(sqlite3 "$db" "SELECT COUNT(*) FROM events WHERE typeof(seq) != 'integer' OR
             typeof(time_ns) != 'integer' OR typeof(from_pc) != 'integer' OR typeof(to_pc) != 'integer'")
  [ "$floats" = 0 ] || fail "$name: $floats events view rows with a value that is no integer"
  diff "$tmp/dump.csv" "$tmp/view.csv" >"$tmp/diff" ||
    fail "$name: the events view differs from the trace: $(head -n 10 "$tmp/diff")"
}

# bytes_per_event_at_most NAME DB LIMIT: DB's file size over its events
# (tenths of a byte, lookup tables included) is at most LIMIT.
bytes_per_event_at_most() {
  local bytes events tenths
  bytes=$(stat -c %s "$2") events=$(sqlite3 "$2" "SELECT COUNT(*) FROM events")
  [ "$events" -gt 0 ] || fail "$1: no events in the database"
  tenths=$((bytes * 10 / events))
  [ "$tenths" -le $(($3 * 10)) ] ||
    fail "$1: the default database costs $((tenths / 10)).$((tenths % 10)) bytes per event, more than $3"
  echo "ok: $((tenths / 10)).$((tenths % 10)) bytes per event ($1, $events events, at most $3)"
}
