#!/usr/bin/env bash
# Flight recorder (issue 13, point 2), triggered by SIGUSR1: discon-record
# --snapshot 1M on the fault-loop guest (2 M faults, timer interrupts
# among them), count_plugin logging every event of the same QEMU run.
# SIGUSR1 to discon-record mid-run: exactly one snapshot file, named by
# the one rule, which discon-record's output names; its events are a
# contiguous run of the logged ones (type, from, to), ending where its end
# record's totals end, and nothing logged before the signal is missing
# from it; its start is missing (the window dropped frames), which
# discon-report calls "complete since T" (exit 0), as trace2sqlite does.
# Then the RSS bound: see the second part.
. "$(dirname "$0")/lib.sh"
now_ns() { python3 -c 'import time; print(time.monotonic_ns())'; }
assemble_guest fault_loop_timer guest --defsym LOOPS=2000000
qemu_args=("${svc_guest_qemu[@]}" -icount shift=0 -kernel "$tmp/guest.elf")

"$DISCON_RECORD" -o "$tmp/snap" --snapshot 1M --snapshot-on usr1 --returns off -- "$QEMU" \
  "${qemu_args[@]}" -plugin "$COUNT_PLUGIN,out=$tmp/count.txt,log=$tmp/log" \
  >/dev/null 2>"$tmp/rec.err" &
rec=$!
# 1.25 M events logged (about 48 bytes a line): more than 1M holds (1.07
# bytes an event).
logged() { [ "$(stat -c %s "$tmp/log.0" 2>/dev/null || echo 0)" -gt 60000000 ]; }
wait_until 60 "1.25 M events logged" logged
t0=$(now_ns)
kill -USR1 "$rec"
t1=$(now_ns)
wait "$rec" || fail "discon-record exit $?: $(cat "$tmp/rec.err")"
mapfile -t files < <(ls "$tmp"/snap/)
expect_eq "files written" 1 "${#files[@]}"
[[ ${files[0]} == trace-*-snap000001.discon ]] || fail "snapshot named ${files[0]}"
snap=$tmp/snap/${files[0]}
grep -q "^discond: snapshot 1 (usr1): $snap, " "$tmp/rec.err" ||
  fail "discon-record did not say where the snapshot went: $(cat "$tmp/rec.err")"
[ "$(stat -c %s "$snap")" -le $((1024 * 1024 + 4096)) ] || fail "snapshot of $(stat -c %s "$snap") bytes"

snapshot_suffix "$snap" "$tmp/log"
read -r v first last next <"$tmp/suffix"
[ "$first" -gt 0 ] || fail "the window kept the run's start: nothing was dropped"
# The window ends at the signal: the event logged after it was logged
# after (or within 2 ms, the two plugins' callbacks of one event, before)
# the signal was sent; its last event came before the signal was served.
[ "$next" != - ] && [ "$next" -ge $((t0 - 2000000)) ] ||
  fail "event $((last + 1)), logged at $next ns, is missing (signal at $t0 ns)"
last_ns=$(awk -F, '$1 == "event" { t = $4 } END { print t }' "$tmp/snap.csv")
[ "$last_ns" -le $((t1 + 1000000000)) ] || fail "the window ends at $last_ns ns, the signal came at $t1"
"$REPORT" "$snap" >"$tmp/report.txt" 2>&1 || fail "discon-report exit $?: $(cat "$tmp/report.txt")"
grep -q "^  complete    since [0-9.]* s: files 0..0 removed: vCPU 0 sequence 0..$((first - 1)) " "$tmp/report.txt" ||
  fail "the report says: $(grep complete "$tmp/report.txt")"
"$REPORT" --last 1ms "$snap" >"$tmp/pm.txt" 2>&1 || fail "discon-report --last exit $?"
grep -qx '  the recording: a flight-recorder snapshot (usr1), QEMU still running' "$tmp/pm.txt" ||
  fail "the post-mortem says: $(grep -A1 'the recording' "$tmp/pm.txt")"
"$T2S" -o "$tmp/snap.db" "$snap" 2>"$tmp/t2s.err" || fail "trace2sqlite exit $?: $(cat "$tmp/t2s.err")"
expect_eq "traces.complete" 2 "$(sqlite3 "$tmp/snap.db" 'SELECT complete FROM traces')"
echo "ok: SIGUSR1: events $first..$last of $(wc -l <"$tmp/log.0") logged, exactly; next logged $(( (next - t0) / 1000 )) us after the signal"

# RSS bounded by the window: 2.5 M faults (2.7 MB of frames) through a
# 512K window with 4096-record rings (256 KiB). discond's peak RSS
# (VmHWM, in --stats-json) must stay under window + rings + 5 MiB: about
# 3 MiB is the process itself (binary, libc, lz4, protobuf-c, json-c), 2
# MiB building one frame (a batch of 8192 events per vCPU, the
# 8192-record read buffer, the serialized packets of a quarter window,
# LZ4's output). Measured: 5.0 MiB under meson, whose MALLOC_PERTURB_
# makes every malloc'ed byte resident (the worst case); with a 64M window
# (nothing dropped) a 4 M-fault run peaks at 8 MiB, so the bound can fail.
assemble_guest fault_loop_timer guest --defsym LOOPS=2500000
"$DISCON_RECORD" -o "$tmp/rss" --snapshot 512K --snapshot-on exit --returns off --ring 4096 \
  --stats-json "$tmp/stats.json" -- "$QEMU" "${qemu_args[@]}" >/dev/null 2>"$tmp/rss.err" ||
  fail "discon-record exit $?: $(cat "$tmp/rss.err")"
hwm=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["vm_hwm_kib"])' "$tmp/stats.json")
bytes=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bytes"])' "$tmp/stats.json")
# Twice the window at least, so it was outgrown (the frames' compressed
# size depends on discond's batch sizes, i.e. on host load: 2.0-2.4 MiB).
[ "$bytes" -gt $((2 * 512 * 1024)) ] || fail "only $bytes bytes of frames: the window was not outgrown"
bound=$((512 + 256 + 5 * 1024))
[ "$hwm" -gt 0 ] && [ "$hwm" -le "$bound" ] || fail "discond's VmHWM $hwm KiB > $bound KiB"
mapfile -t files < <(ls "$tmp"/rss/)
expect_eq "exit snapshots" 1 "${#files[@]}"
"$REPORT" "$tmp/rss/${files[0]}" >/dev/null 2>&1 || fail "discon-report on the exit snapshot exit $?"
echo "ok: RSS: VmHWM $hwm KiB <= $bound KiB with $bytes bytes of frames through a 512 KiB window"
