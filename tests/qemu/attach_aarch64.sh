#!/usr/bin/env bash
# discond --pid on a real QEMU 11 started without -plugin: the aarch64
# bare-metal guest (SVC_COUNT svc and one semihosting call), QEMU paused
# (-S) until the probe is live, then resumed over its monitor and left to
# finish. The trace holds exactly the guest's events (count, type, from,
# to), says it is an attach, and discond detaches by itself when QEMU
# exits. Then a tiny BPF ring buffer: events are lost, never waited for,
# and the trace counts every one of them exactly.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attach_lib.sh"

build_svc_guest
start_paused_qemu "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf"
attach_discond "$tmp/trace"
monitor "$tmp/mon" cont
wait "$qpid" || { cat "$tmp/qemu.err" >&2; fail "QEMU failed"; }
wait "$dpid" || { cat "$tmp/discond.err" >&2; fail "discond failed"; }
grep -q 'detached from QEMU pid .* (QEMU exited)' "$tmp/discond.err" ||
  { cat "$tmp/discond.err" >&2; fail "discond did not see QEMU exit"; }
dump_records "$tmp/trace" >"$tmp/got.txt" || fail "the trace does not read"
svc_guest_records >"$tmp/want.txt"
diff -u "$tmp/want.txt" "$tmp/got.txt" || fail "the attach trace does not hold exactly the guest's events"
"$TRACE_DUMP" "$tmp/trace" >"$tmp/dump" || fail "trace damaged: $(cat "$tmp/dump")"
grep -qx "end vcpu 0 produced $((count + 1)) dropped 0 written $((count + 1))" "$tmp/dump" ||
  { cat "$tmp/dump"; fail "end record disagrees"; }
"$DISCON_DUMP" --format csv "$tmp/trace" >/dev/null || fail "discon-dump cannot read it"
"$REPORT" "$tmp/trace" >"$tmp/report.txt" || fail "discon-report cannot read it"
grep -q "^  source      attach to pid $qpid\$" "$tmp/report.txt" &&
  grep -q "^  not recorded cause, fault_addr, syscall, to_level, from_level\$" "$tmp/report.txt" ||
  fail "the report does not say what an attach lacks: $(sed -n 3,8p "$tmp/report.txt")"
lz4 -dc "$tmp"/trace/*.discon | protoc --proto_path="$SRCDIR/schema" --decode=discon.Trace \
  "$SRCDIR/schema/discon.proto" >"$tmp/decoded" || fail "protoc cannot decode the trace"
grep -q 'source: "attach"' "$tmp/decoded" || fail "the header does not say attach"
grep -q "producer_pid: $qpid" "$tmp/decoded" || fail "the header lacks QEMU's pid"
grep -q 'lacks: "cause"' "$tmp/decoded" || fail "the header does not say causes are missing"
grep -q 'target: "aarch64"' "$tmp/decoded" || fail "the header lacks the target"
grep -q 'qemu_argv: "-semihosting"' "$tmp/decoded" || fail "the header lacks QEMU's command line"
echo "ok: attached to a paused QEMU: exactly $count svc exceptions and 1 hostcall, exact PCs"

# 2. A 4 KiB ring buffer (56 records) and 200000 events in a burst: the
#    guest never waits, and events kept + events counted lost = produced.
build_svc_guest 200000
rm -f "$tmp/mon"
start_paused_qemu "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf"
attach_discond "$tmp/small" --bpf-ring 4K
monitor "$tmp/mon" cont
wait "$qpid" || fail "QEMU failed with a small ring"
wait "$dpid" || { cat "$tmp/discond.err" >&2; fail "discond failed"; }
"$TRACE_DUMP" "$tmp/small" >"$tmp/dump" || fail "trace damaged: $(cat "$tmp/dump")"
read -r produced dropped written < <(awk '$1 == "end" && $2 == "vcpu" { print $5, $7, $9 }' "$tmp/dump")
expect_eq "produced" $((count + 1)) "$produced"
[ "$dropped" -gt 0 ] || fail "a 4 KiB ring lost nothing of 200000 events?"
expect_eq "written + dropped" "$produced" $((written + dropped))
losses=$(awk '$1 == "loss" { n += $4 } END { print n + 0 }' "$tmp/dump")
expect_eq "loss records" "$dropped" "$losses"
summary=$(tail -n1 "$tmp/dump")
[[ $summary == "total events $written lost $dropped "*" damaged 0 gaps 0 ends 1" ]] ||
  fail "incomplete: $summary"
dump_records "$tmp/small" | sort | uniq -c | awk '{ print $2, $3, $4, $5, $6 }' >"$tmp/kinds"
svc_guest_records | sort -u >"$tmp/want"
comm -23 "$tmp/kinds" "$tmp/want" | grep . && fail "records that are not the guest's events"
echo "ok: a 4 KiB ring kept $written events and counted $dropped lost, exactly ($produced produced)"
