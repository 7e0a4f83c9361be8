#!/usr/bin/env bash
# libdiscon-trace as a program outside the tree sees it: after `meson
# install --destdir`, tests/external/count_events.c is compiled with only
# `cc $(pkg-config --cflags --libs discon-trace)` against the install tree,
# run against the installed library, and must count the events of each
# committed trace exactly as the installed discon-report does; and
# tests/external/name_traps.c names a trap and a system call through the
# installed discon_kinds.h.
# BUILD_ROOT, SRCDIR, SANITIZE (the build's b_sanitize).
set -euo pipefail
# Nothing of the build tree may leak in: no DISCON_* overrides.
for v in $(env | sed -n 's/^\(DISCON_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

meson install -C "$BUILD_ROOT" --destdir "$tmp/dest" --no-rebuild --quiet >/dev/null
pc=$(find "$tmp/dest" -name discon-trace.pc)
[ -n "$pc" ] || fail "discon-trace.pc was not installed"
lib=$(find "$tmp/dest" -name 'libdiscon-trace.so.2')
[ -n "$lib" ] || fail "libdiscon-trace.so.2 was not installed"
libdir=$(dirname "$lib")
[ -e "$libdir/libdiscon-trace.so" ] || fail "no libdiscon-trace.so link to build against"
[ -n "$(find "$tmp/dest" -path '*/include/discon/trace_reader.h')" ] || fail "headers not in include/discon/"
report=$(find "$tmp/dest" -path '*/bin/discon-report')

# The .pc's paths name the real prefix; the sysroot puts them into the tree.
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR="$tmp/dest" \
        pkg-config --cflags --libs discon-trace) || fail "pkg-config does not know discon-trace"
case "$flags" in *"$tmp/dest"*) ;; *) fail "pkg-config flags do not point into the install tree: $flags" ;; esac
case "$flags" in *"$BUILD_ROOT"*) fail "pkg-config flags point into the build tree: $flags" ;; esac
# A library built with sanitizers needs their runtime in the program too.
sanitize=()
[ "${SANITIZE:-none}" = none ] || sanitize=("-fsanitize=$SANITIZE")
# shellcheck disable=SC2086
cc "${sanitize[@]}" -std=c11 -Wall -Wextra -Werror -o "$tmp/count_events" "$SRCDIR/tests/external/count_events.c" $flags ||
  fail "count_events does not compile against the installed library"
export LD_LIBRARY_PATH="$libdir"
# (ldd's output whole: grep -q ending early would fail the pipe.)
loads() { local libs; libs=$(ldd "$1"); grep -q "libdiscon-trace.so.2 => $libdir/" <<<"$libs"; }
loads "$tmp/count_events" || fail "count_events does not load the installed library"
loads "$report" || fail "the installed discon-report does not load the installed library"

# Raw events by type from the report: its by_type counts traps. Under the
# x86 rule a trap of two events is an EXCEPTION and the INTERRUPT that
# delivered it, so raw interrupts = interrupt traps + (events - traps);
# under the other rule every event is a trap.
report_events() {
  "$report" --format json "$1" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
by = dict(s["by_type"])
by["interrupt"] += s["events"] - s["traps"]
print("events %d" % s["events"])
for name in by:
    print("%s %d" % (name, by[name]))'
}
for t in aarch64-boot.discon x86_64-boot; do
  "$tmp/count_events" "$SRCDIR/tests/data/$t" >"$tmp/got" || fail "count_events failed on $t"
  report_events "$SRCDIR/tests/data/$t" >"$tmp/want"
  sort "$tmp/want" >"$tmp/want.s"; sort "$tmp/got" >"$tmp/got.s"
  diff -u "$tmp/want.s" "$tmp/got.s" || fail "$t: count_events and discon-report disagree"
  [ "$(awk '$1 == "events" { print $2 }' "$tmp/got")" -gt 1000 ] || fail "$t: too few events"
  echo "ok: $t: $(tr '\n' ' ' <"$tmp/got")from the installed library, as discon-report counts"
done
# The trap kinds and system-call names of discon_kinds.h (version 1.1).
# shellcheck disable=SC2086
cc "${sanitize[@]}" -std=c11 -Wall -Wextra -Werror -o "$tmp/name_traps" "$SRCDIR/tests/external/name_traps.c" $flags ||
  fail "name_traps does not compile against the installed discon_kinds.h"
got=$("$tmp/name_traps" aarch64 0x56000000 172) || fail "name_traps failed"
[ "$got" = "SVC64|system call|getpid" ] || fail "name_traps: got '$got'"
echo "ok: an outside program names traps and system calls from the installed library"
# Pairing traps with their returns (discon_traps.h, version 2.1), on the
# hand-made trace of tests/edge_returns.c: its header comment's values.
# shellcheck disable=SC2086
cc "${sanitize[@]}" -std=c11 -Wall -Wextra -Werror -o "$tmp/pair_traps" "$SRCDIR/tests/external/pair_traps.c" $flags ||
  fail "pair_traps does not compile against the installed discon_traps.h"
mkdir "$tmp/edge" && "$EDGE" "$tmp/edge"
got=$("$tmp/pair_traps" "$tmp/edge/returns-a64.discon" | tr '\n' '|') || fail "pair_traps failed"
echo "$got" | grep -qx '0 1 2 500|0 3 2 400|0 0 1 4000|1 1 2 events lost|1 0 1 events lost|1 6 1 200|0 8 2 open at the end|0 7 1 open at the end|unmatched 2|' ||
  fail "pair_traps: got '$got'"
echo "ok: an outside program pairs traps with their returns through the installed library"
# An error is a code the program can name.
# (A directory without trace files; a 0-byte file in one is skipped as damage.)
mkdir "$tmp/empty"
set +e
"$tmp/count_events" "$tmp/empty" 2>"$tmp/err"; rc=$?
set -e
[ "$rc" = 1 ] && grep -q "(empty input)" "$tmp/err" || fail "empty directory: rc $rc, $(cat "$tmp/err")"
echo "ok: the installed library's error codes reach an outside program"
