#!/usr/bin/env bash
# discon-record end to end on the aarch64 bare-metal guest: the trace files
# hold exactly the guest's events, the end record proves them complete, the
# stock lz4 + protoc tools decode the same count, the summary counts the
# traps by kind as discon-report does, and bad input fails cleanly.
. "$(dirname "$0")/lib.sh"
build_svc_guest

"$DISCON_RECORD" -o "$tmp/rec" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >"$tmp/out" 2>"$tmp/err" & record=$!
wait "$record" || { cat "$tmp/err" >&2; fail "discon-record failed"; }
# returns=on (the default): each svc's exception, then its eret's RETURN.
total=$((2 * count + 1))
grep -qx "discon: $total events (interrupt 0, exception $count, hostcall 1, return $count, syscall 0), 0 lost" \
  "$tmp/err" || fail "summary: $(cat "$tmp/err")"
# The summary's traps by kind are the report's: returns are no traps.
check_summary_kinds "$tmp/rec" "$tmp/err"
expect_eq "traps in the summary (svc + the host call)" $((count + 1)) "$summary_traps"
dump_trace "$tmp/rec" >"$tmp/dump" || fail "trace_dump: $(cat "$tmp/dump")"
{
  svc_guest_records RETURNS
  echo "end vcpu 0 produced $total dropped 0 written $total"
  echo "end finished 1 unrecorded 0"
  echo "vcpu 0 interrupt 0 exception $count hostcall 1 return $count syscall 0"
  echo "total events $total lost 0 files 1 damaged 0 gaps 0 ends 1"
} >"$tmp/want"
diff -u "$tmp/want" <(grep -v '^pause ' "$tmp/dump") || fail "the trace does not hold exactly the guest's events"
ls /dev/shm | grep "^discon-rec-$record-" >/dev/null && fail "discon-record left its segment behind"
echo "ok: discon-record wrote exactly $total events and a complete end record"

# Stock tools: lz4 -dc | protoc --decode; one time_delta per event.
file=$(ls "$tmp"/rec/*.discon)
n=$(lz4 -dc "$file" | protoc --proto_path="$SRCDIR/schema" --decode=discon.Trace \
      "$SRCDIR/schema/discon.proto" | grep -c '^ *time_delta:')
expect_eq "events decoded by lz4 | protoc" "$total" "$n"
echo "ok: lz4 -dc | protoc --decode=discon.Trace decodes $n events"

# The installed tree works on its own: discon-record finds the installed
# plugin and discond relative to itself (DISCON_PLUGIN, which meson sets to
# the build tree's plugin, would take precedence).
meson install -C "$BUILD_ROOT" --destdir "$tmp/inst" --no-rebuild --quiet >/dev/null
inst_record=$(find "$tmp/inst" -path '*/bin/discon-record')
[ -n "$(find "$tmp/inst" -path '*/share/discon/discon.proto')" ] || fail "the proto was not installed"
env -u DISCON_PLUGIN "$inst_record" -o "$tmp/rec-inst" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/err" || fail "installed discon-record failed: $(cat "$tmp/err")"
"$TRACE_DUMP" "$tmp/rec-inst" | tail -n1 | grep -x "total events $total lost 0 files 1 damaged 0 gaps 0 ends 1" >/dev/null ||
  fail "the installed tree recorded something else"
echo "ok: meson install gives a working discon-record, plugin and proto"

# Exit status is QEMU's (3 here, distinct from discon-record's own 1); a
# QEMU that never starts the plugin fails cleanly.
set +e
"$DISCON_RECORD" -o "$tmp/rec2" -- sh -c 'exit 3' 2>"$tmp/err"
rc=$?
set -e
expect_eq "exit status of the command" 3 "$rc"
grep -q "ended before creating the segment" "$tmp/err" || fail "no clear error: $(cat "$tmp/err")"
grep -q "recording failed" "$tmp/err" || fail "the failed recording was not reported"
echo "ok: a failing QEMU gives its exit status and a one-line error"

# Bad flags: one line, non-zero exit, nothing started.
for args in "--mode fast" "--ring 1000" "--types trap" "--returns maybe" "--rotate-size 12X" "--bogus"; do
  set +e
  # shellcheck disable=SC2086
  "$DISCON_RECORD" $args -- true 2>"$tmp/err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "discon-record $args: exit $rc, expected 2"
  [ "$(grep -c . "$tmp/err")" = 1 ] || fail "discon-record $args: not one line: $(head -n3 "$tmp/err")"
done
"$DISCON_RECORD" --help | grep 'usage: discon-record' >/dev/null || fail "discon-record --help"
"$DISCOND" --help | grep 'usage: discond' >/dev/null || fail "discond --help"
for args in "--flush-ms 0" "--rotate-size x" "--wait -1" "-o"; do
  set +e
  # shellcheck disable=SC2086
  "$DISCOND" --shm x $args 2>"$tmp/err"
  rc=$?
  set -e
  [ "$rc" = 2 ] || fail "discond $args: exit $rc, expected 2"
done
echo "ok: bad flags of discon-record and discond fail with exit 2 and a message"
