#!/usr/bin/env bash
# trace2sqlite on a trace still being written (issue 13, point 6): loads
# made while discon-record writes, each slowed by an LD_PRELOAD shim
# between opening a file and statting it (tests/delay_io.c), so the file
# grows under them. Every load marks a file loaded only up to what it
# read, none prints a false sequence gap, and a final load after the
# recording ends holds every event of the trace, complete.
. "$(dirname "$0")/lib.sh"
build_svc_guest 6000000
"$DISCON_RECORD" -o "$tmp/rec" --flush-ms 20 --rotate-size 2M -- "$QEMU" "${svc_guest_qemu[@]}" \
  -kernel "$tmp/guest.elf" >/dev/null 2>"$tmp/rec.err" & rec=$!
wait_until 60 "the first trace file" has_trace_file "$tmp/rec"
loads=0
while kill -0 "$rec" 2>/dev/null; do
  set +e
  LD_PRELOAD=$DELAY_IO DELAY_IO_MS=150 "$T2S" -o "$tmp/live.db" "$tmp/rec" 2>>"$tmp/live.err"
  rc=$?
  set -e
  [ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "a live load failed ($rc): $(tail -3 "$tmp/live.err")"
  loads=$((loads + 1))
  # What the first load saw: the last may have run after the last frame.
  [ "$loads" -gt 1 ] || during=$(sqlite3 "$tmp/live.db" 'SELECT COUNT(*) FROM events')
done
wait "$rec" || fail "discon-record failed: $(cat "$tmp/rec.err")"
"$TRACE_DUMP" "$tmp/rec" >"$tmp/dump" || fail "the trace is damaged"
written=$(awk '$1 == "end" && $2 == "vcpu" { s += $9 } END { print s }' "$tmp/dump")
[ "${during:-$written}" -lt "$written" ] ||
  skip "the live loads ($loads) ran after the recording had ended: nothing was growing"
LD_PRELOAD=$DELAY_IO "$T2S" -o "$tmp/live.db" "$tmp/rec" 2>>"$tmp/live.err" ||
  fail "the final load: $(tail -3 "$tmp/live.err")"
! grep -q 'sequence jumps' "$tmp/live.err" || fail "a false gap: $(grep -m3 'sequence jumps' "$tmp/live.err")"
! grep -q 'damaged' "$tmp/live.err" || fail "damage: $(grep -m3 damaged "$tmp/live.err")"
expect_eq "events in the database after $loads live loads" "$written" \
  "$(sqlite3 "$tmp/live.db" 'SELECT COUNT(*) FROM events')"
expect_eq "traps" "$((count + 1))" "$(sqlite3 "$tmp/live.db" 'SELECT COUNT(*) FROM traps')"
expect_eq "complete" 1 "$(sqlite3 "$tmp/live.db" 'SELECT complete FROM traces')"
expect_eq "bytes loaded = file sizes" "$(cat "$tmp"/rec/*.discon | wc -c)" \
  "$(sqlite3 "$tmp/live.db" 'SELECT SUM(bytes) FROM files')"
echo "ok: $loads load(s) while recording (the first saw $during events; each slowed between open and stat), then one more: all $written events, complete, no false gap"
