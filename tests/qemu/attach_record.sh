#!/usr/bin/env bash
# discon-record -p and discond --pid beyond the probe itself, on a real
# QEMU 11 started without -plugin:
#   1. -p PID --version / --help answer as discon-record does without -p;
#   2. attach traces rotate as plugin traces do: --rotate-size (discond
#      --pid, frames every 20 ms) keeps exactly the guest's events across
#      several files; --rotate-seconds through discon-record -p starts a
#      new file each second;
#      --max-files through discon-record -p keeps the newest files and says
#      what went, as without -p (and --flush-ms reaches discond);
#   3. one trace per place: discon-record -p into a directory holding a
#      trace moves it into DIR.old (as without -p), but not when the attach
#      is refused (no such process), and refuses in one line when DIR.old
#      holds one too, before attaching.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attach_lib.sh"
qpid=
trap '[ -n "$qpid" ] && kill "$qpid" 2>/dev/null; cleanup' EXIT

# 1. --version and --help.
"$DISCON_RECORD" --version >"$tmp/v.want" || fail "discon-record --version failed"
"$DISCON_RECORD" -p 1 --version >"$tmp/v.got" 2>&1 || fail "discon-record -p 1 --version: exit $?"
diff "$tmp/v.want" "$tmp/v.got" || fail "-p PID --version differs from --version"
"$DISCON_RECORD" --help >"$tmp/h.want" || fail "discon-record --help failed"
"$DISCON_RECORD" -p 1 --help >"$tmp/h.got" 2>&1 || fail "discon-record -p 1 --help: exit $?"
diff "$tmp/h.want" "$tmp/h.got" || fail "-p PID --help differs from --help"
for o in --rotate-size --max-files --max-size --flush-ms --no-sync; do
  grep -q -- "-p PID.*$o\|^ *\[.*$o" "$tmp/h.got" || fail "the help does not say -p takes $o"
done
"$DISCOND" --pid 1 --version | grep -q '^discond ' || fail "discond --pid 1 --version"
echo "ok: -p PID --version and --help answer as without -p"

# 2a. Rotation by size: 20000 svc, a file every 4 KiB, a frame every 20 ms.
build_svc_guest 20000
start_paused_qemu "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf"
attach_discond "$tmp/size" --rotate-size 4K --flush-ms 20
monitor "$tmp/mon" cont
wait "$qpid" || fail "QEMU failed"
qpid=
wait "$dpid" || { cat "$tmp/discond.err" >&2; fail "discond failed"; }
files=$(find "$tmp/size" -name '*.discon' | wc -l)
[ "$files" -ge 2 ] || fail "--rotate-size 4K on $count events made $files file(s)"
i=0
for f in $(find "$tmp/size" -name '*.discon' | sort); do
  [[ $f == *-$(printf %06d $i).discon ]] || fail "file $i is named $f"
  i=$((i + 1))
done
dump_records "$tmp/size" >"$tmp/got.txt" || fail "the rotated trace does not read"
svc_guest_records >"$tmp/want.txt"
diff -q "$tmp/want.txt" "$tmp/got.txt" >/dev/null ||
  fail "the rotated attach trace does not hold exactly the guest's events"
"$TRACE_DUMP" "$tmp/size" >"$tmp/dump" || fail "rotated trace damaged: $(tail -n3 "$tmp/dump")"
[[ $(tail -n1 "$tmp/dump") == "total events $((count + 1)) lost 0 "*" damaged 0 gaps 0 ends 1" ]] ||
  fail "rotated trace incomplete: $(tail -n1 "$tmp/dump")"
echo "ok: --rotate-size 4K: $files files, exactly the guest's $((count + 1)) events"

# 2c. The bounded disk through discon-record -p, as without -p: --max-files 2
#     keeps the newest 2 files of many (--flush-ms 20 must reach discond:
#     at its default of 1 s this short run writes too few frames to rotate
#     more than twice), the newest says what went, and the report calls
#     the trace "complete since T" (exit 0), not incomplete.
#     400,000 svc: their batches alone fill many frames, so the files do
#     not depend on how fast the guest runs (20,000 made 2 files once, on a
#     loaded host).
assemble_guest svc_semihost guest_big --defsym SVC_COUNT=400000
rm -f "$tmp/mon"
start_paused_qemu "${svc_guest_qemu[@]}" -kernel "$tmp/guest_big.elf"
"$DISCON_RECORD" -p "$qpid" -o "$tmp/bound" --rotate-size 4K --flush-ms 20 --max-files 2 \
  2>"$tmp/bound.err" & rpid=$!
wait_until 30 "discon-record -p to attach" grep -q 'probe live' "$tmp/bound.err" ||
  { cat "$tmp/bound.err" >&2; fail "discon-record -p --max-files did not attach"; }
monitor "$tmp/mon" cont
wait "$qpid" || fail "QEMU failed"
qpid=
wait "$rpid" || { cat "$tmp/bound.err" >&2; fail "discon-record -p --max-files 2 failed"; }
mapfile -t kept < <(ls "$tmp"/bound/*.discon)
expect_eq "files kept by --max-files 2" 2 "${#kept[@]}"
last=$(basename "${kept[1]}" .discon); last=$((10#${last##*-}))
[ "$last" -ge 2 ] || fail "--max-files 2: only files 0..$last were made, nothing to remove"
"$REPORT" "$tmp/bound" >"$tmp/bound.txt" 2>"$tmp/bound.rep" ||
  fail "discon-report on the bounded attach trace: exit $?: $(cat "$tmp/bound.rep")"
line=$(grep '^  complete ' "$tmp/bound.txt")
[[ $line == "  complete    since "*" s: files 0..$((last - 2)) removed: vCPU 0 sequence 0.."* ]] ||
  fail "the bounded attach trace: '$line'"
"$TRACE_DUMP" "$tmp/bound" >"$tmp/dump" || fail "bounded trace damaged: $(tail -n3 "$tmp/dump")"
[[ $(tail -n1 "$tmp/dump") == *" damaged 0 gaps 0 ends 1" ]] ||
  fail "bounded trace: $(tail -n1 "$tmp/dump")"
echo "ok: discon-record -p --max-files 2: files $((last - 1))..$last kept; '${line#  complete    }'"

# 2b. Rotation by age through discon-record -p: 3.5 s of a paused QEMU.
rm -f "$tmp/mon"
start_paused_qemu "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf"
"$DISCON_RECORD" -p "$qpid" -o "$tmp/age" --rotate-seconds 1 --duration 3.5 2>"$tmp/rec.err" ||
  { cat "$tmp/rec.err" >&2; fail "discon-record -p --rotate-seconds 1 failed"; }
files=$(find "$tmp/age" -name '*.discon' | wc -l)
[ "$files" -ge 2 ] || fail "--rotate-seconds 1 over 3.5 s made $files file(s)"
"$TRACE_DUMP" "$tmp/age" >"$tmp/dump" || fail "age-rotated trace damaged: $(tail -n3 "$tmp/dump")"
echo "ok: discon-record -p --rotate-seconds 1: $files files in 3.5 s"

# 3. One trace per place: $tmp/age holds a trace.
old_id=$("$REPORT" --format csv "$tmp/age" | awk -F, '$1 == "trace_id" { print $2; exit }')
sleep 0 & gone=$!
wait "$gone"
if "$DISCON_RECORD" -p "$gone" -o "$tmp/age" 2>"$tmp/rec.err"; then fail "attached to a gone pid"; fi
grep -q "no such process" "$tmp/rec.err" || fail "no refusal for a gone pid: $(cat "$tmp/rec.err")"
[ ! -e "$tmp/age.old" ] || fail "a refused attach moved the earlier trace"
"$DISCON_RECORD" -p "$qpid" -o "$tmp/age" --duration 0.5 2>"$tmp/rec.err" ||
  { cat "$tmp/rec.err" >&2; fail "discon-record -p into a directory with a trace failed"; }
grep -q "discon-record: $tmp/age held trace .* moved to $tmp/age.old" "$tmp/rec.err" ||
  fail "no line saying the old trace moved: $(cat "$tmp/rec.err")"
[ "$(find "$tmp/age.old" -name '*.discon' | wc -l)" = "$files" ] || fail "$tmp/age.old lacks the old files"
[ "$(find "$tmp/age" -name '*.discon' | wc -l)" -ge 1 ] || fail "no new trace in $tmp/age"
new_id=$("$REPORT" --format csv "$tmp/age" | awk -F, '$1 == "trace_id" { print $2; exit }')
[ -n "$old_id" ] && [ "$old_id" != "$new_id" ] || fail "trace ids: old '$old_id', new '$new_id'"
before=$(ls "$tmp/age" "$tmp/age.old")
if "$DISCON_RECORD" -p "$qpid" -o "$tmp/age" --duration 0.5 2>"$tmp/rec.err"; then
  fail "discon-record -p overwrote: both $tmp/age and $tmp/age.old held traces"
fi
[ "$(wc -l <"$tmp/rec.err")" = 1 ] && grep -q "holds one too" "$tmp/rec.err" ||
  fail "not one line of refusal: $(cat "$tmp/rec.err")"
grep -q 'attached' "$tmp/rec.err" && fail "attached before refusing"
[ "$before" = "$(ls "$tmp/age" "$tmp/age.old")" ] || fail "a refused recording changed the files"
kill -0 "$qpid" || fail "QEMU did not survive the attaches"
echo "ok: -p moves an earlier trace into DIR.old (not when refused) and refuses when DIR.old holds one"
