#!/usr/bin/env bash
# trace2sqlite and discon-report on databases they did not make: another
# program's, another schema version's, files that are not SQLite. Both
# refuse with exit 1 and one line on stderr, and the file is left byte for
# byte as it was. A new or empty database is accepted and stamped.
#   Environment: T2S, REPORT, SRCDIR.
set -euo pipefail
tmp=$(mktemp -d /tmp/discon-dbref.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
trace=$SRCDIR/tests/data/aarch64-boot.discon

# tool, then its arguments: exit 1, one line, the database ($db) untouched.
refused() { local tool=$1; shift
  cp "$db" "$tmp/copy"
  set +e; "$tool" "$@" >/dev/null 2>"$tmp/err"; local rc=$?; set -e
  [ "$rc" = 1 ] || fail "$(basename "$tool") $*: exit $rc, expected 1"
  [ "$(wc -l <"$tmp/err")" = 1 ] || fail "$(basename "$tool") $*: not one line: $(cat "$tmp/err")"
  cmp -s "$db" "$tmp/copy" || fail "$(basename "$tool") $*: changed $db"
  # No file beside it either, not even an empty -wal or -shm.
  for f in "$db-journal" "$db-wal" "$db-shm"; do
    [ ! -e "$f" ] || fail "$(basename "$tool") $*: left $f"; done
}
both_refuse() {
  refused "$T2S" -o "$db" "$trace"
  refused "$REPORT" "$db"
}

# Another program's database, plain and in WAL mode, and one stamped with
# another application id.
db=$tmp/foreign.db; sqlite3 "$db" "CREATE TABLE notes(x); INSERT INTO notes VALUES ('mine')"
both_refuse
db=$tmp/wal.db; sqlite3 "$db" "PRAGMA journal_mode = WAL; CREATE TABLE notes(x)" >/dev/null
both_refuse
db=$tmp/app.db; sqlite3 "$db" "PRAGMA application_id = 1234; CREATE TABLE traces(x)"
both_refuse
echo "ok: another program's databases are refused and left as they were"

# A discon database of another schema version, and one made before
# databases carried a version (no application id, discon's tables).
"$T2S" -o "$tmp/mine.db" "$trace" 2>/dev/null || fail "load"
version=$(sqlite3 "$tmp/mine.db" "PRAGMA user_version")
[ "$version" -ge 1 ] || fail "no schema version stamped: $version"
[ "$(sqlite3 "$tmp/mine.db" "PRAGMA application_id")" != 0 ] || fail "no application id stamped"
"$REPORT" "$tmp/mine.db" >/dev/null || fail "the report refuses its own version"
db=$tmp/next.db; cp "$tmp/mine.db" "$db"; sqlite3 "$db" "PRAGMA user_version = $((version + 1))"
both_refuse
db=$tmp/old.db; cp "$tmp/mine.db" "$db"; sqlite3 "$db" "PRAGMA application_id = 0; PRAGMA user_version = 0"
both_refuse
db=$tmp/next-wal.db; cp "$tmp/mine.db" "$db"
sqlite3 "$db" "PRAGMA journal_mode = WAL; PRAGMA user_version = $((version + 1))" >/dev/null
both_refuse
# A version-3 database (traps stored whole): refused like any other.
db=$tmp/v3.db; cp "$tmp/mine.db" "$db"; sqlite3 "$db" "PRAGMA user_version = 3"
both_refuse
# A version-4 database (either line of work before they merged into 5).
db=$tmp/v4.db; cp "$tmp/mine.db" "$db"; sqlite3 "$db" "PRAGMA user_version = 4"
both_refuse
# A version-1 database (before the cause columns): the one line names both.
db=$tmp/v1.db; cp "$tmp/mine.db" "$db"; sqlite3 "$db" "PRAGMA user_version = 1"
both_refuse
for run in "$T2S -o $db $trace" "$REPORT $db"; do
  set +e; $run >/dev/null 2>"$tmp/err"; set -e
  grep -q "version 1, this program's is $version" "$tmp/err" ||
    fail "$run: the refusal does not name both versions: $(cat "$tmp/err")"
done
echo "ok: discon databases of other schema versions (1 included) are refused and left as they were"

# Not SQLite: text given as the database; SQLite's magic over garbage.
db=$tmp/notes.txt; printf 'my notes\n' >"$db"
refused "$T2S" -o "$db" "$trace"
db=$tmp/fake.db; { printf 'SQLite format 3\0'; head -c 8192 /dev/zero | tr '\0' 'Z'; } >"$db"
both_refuse
echo "ok: files that are not SQLite databases are refused and left as they were"

# Accepted: an empty file becomes a database; the same version appends.
: >"$tmp/empty.db"
"$T2S" -o "$tmp/empty.db" "$trace" 2>/dev/null || fail "an empty file was refused"
[ "$(sqlite3 "$tmp/empty.db" "PRAGMA user_version")" = "$version" ] || fail "empty file not stamped"
"$T2S" -o "$tmp/mine.db" "$trace" 2>/dev/null || fail "appending to its own version was refused"
echo "ok: an empty file is made a database, a database of this version is appended to"
