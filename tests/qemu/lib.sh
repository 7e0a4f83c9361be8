# Shared by the real-QEMU tests. meson passes, in the environment:
#   QEMU (scripts/qemu), DISCON_PLUGIN, COUNT_PLUGIN, DRAIN, SRCDIR
set -euo pipefail
CACHE=${DISCON_CACHE:-/var/cache/discon}
# Without what scripts/setup provides these tests cannot run at all: skip
# (exit 77, meson's SKIP) with one line saying what is missing.
skip() { echo "SKIP: $*" >&2; exit 77; }
[ -r "$CACHE/env" ] || skip "$CACHE/env missing: run scripts/setup"
. "$CACHE/env"
if [ "${QEMU_MODE:-}" = sysroot ]; then
  [ -e "${SYSROOT:-}/.complete" ] && [ -x "${QEMU_LOADER:-}" ] ||
    skip "the QEMU sysroot ${SYSROOT:-} is missing or incomplete: run scripts/setup"
fi
for arch in amd64 arm64; do
  [ -e "${GUEST:-}/$arch/.complete" ] && [ -s "$GUEST/$arch/kallsyms" ] ||
    skip "guest material ${GUEST:-}/$arch is missing or incomplete: run scripts/setup"
done
command -v aarch64-linux-gnu-as >/dev/null || skip "aarch64-linux-gnu-as missing: run scripts/setup"
# riscv64 is optional (scripts/setup warns and goes on when the mirror lacks
# it): its tests call require_riscv64, which skips saying why.
require_riscv64() {
  [ ! -s "$GUEST/riscv64.unavailable" ] ||
    skip "no riscv64 guest: $(head -n1 "$GUEST/riscv64.unavailable")"
  local f
  for f in .complete vmlinuz busybox fw_dynamic.bin kallsyms; do
    [ -e "$GUEST/riscv64/$f" ] ||
      skip "riscv64 guest material $GUEST/riscv64 is missing or incomplete: run scripts/setup"
  done
  "$QEMU" riscv64 --version >/dev/null 2>&1 || skip "no QEMU for riscv64: run scripts/setup"
}
tmp=$(mktemp -d /tmp/discon-test.XXXXXX)
shm_names=()
cleanup() {
  local n
  for n in "${shm_names[@]}"; do rm -f "/dev/shm/$n"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# new_shm TAG: sets $name to a fresh segment name, removed at exit.
new_shm() { name="discon-test-$$-$1"; shm_names+=("$name"); }
# section CSV NAME: the rows of discon-report --format csv's section NAME
# ("# NAME", a header line, rows, a blank line), without its header.
section() { sed -n "/^# $2\$/,/^\$/p" "$1" | sed '1,2d;/^$/d'; }
# expect_eq WHAT WANT GOT
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }

# assemble_guest NAME OUT [AS ARGS...]: tests/qemu/NAME.S, linked for
# `-M virt` into $tmp/OUT.elf.
assemble_guest() {
  local name=$1 out=$2
  shift 2
  aarch64-linux-gnu-as -I "$SRCDIR/tests/qemu" "$@" -o "$tmp/$out.o" "$SRCDIR/tests/qemu/$name.S"
  aarch64-linux-gnu-ld -Ttext=0x40080000 -e _start -o "$tmp/$out.elf" "$tmp/$out.o"
}

# assemble_riscv64_guest NAME OUT: tests/qemu/NAME.S, linked for riscv64
# `-M virt -bios none` (M-mode at the start of RAM) into $tmp/OUT.elf;
# skips the test without the riscv64 binutils.
assemble_riscv64_guest() {
  command -v riscv64-linux-gnu-as >/dev/null || skip "riscv64-linux-gnu-as missing (binutils-riscv64-linux-gnu)"
  riscv64-linux-gnu-as -march=rv64gc -I "$SRCDIR/tests/qemu" -o "$tmp/$2.o" "$SRCDIR/tests/qemu/$1.S"
  riscv64-linux-gnu-ld -Ttext=0x80000000 -e _start -o "$tmp/$2.elf" "$tmp/$2.o"
}

# elf_sym ELF SYMBOL: SYMBOL's address in ELF, in decimal; fails the test
# if ELF has no such symbol. (aarch64-linux-gnu-nm reads the symbols of any
# little-endian ELF64: riscv64 guests too.)
elf_sym() {
  local a
  a=$(aarch64-linux-gnu-nm "$1" | awk -v s="$2" '$3 == s { print $1 }')
  [ -n "$a" ] || fail "no symbol $2 in $1"
  printf '%d' "0x$a"
}

# record_events OUT DISCON-RECORD-ARGS...: discon-record -o $tmp/OUT with
# the arguments (options, then -- and the QEMU command line), its output in
# $tmp/OUT.out and .err; prints each recorded event's type, from_pc, to_pc,
# cause, fault_addr, syscall, to_level and from_level as discon-dump --format
# csv gives them (a field the event lacks is empty), one line each.
record_events() {
  local out=$1
  shift
  "$DISCON_RECORD" -o "$tmp/$out" "$@" >"$tmp/$out.out" 2>"$tmp/$out.err" ||
    { cat "$tmp/$out.err" >&2; fail "discon-record failed ($out)"; }
  "$DISCON_DUMP" --format csv "$tmp/$out" >"$tmp/$out.csv" || fail "discon-dump failed ($out)"
  awk -F, '$1 == "event" { print $6, $7, $8, $9, $10, $11, $12, $13 }' "$tmp/$out.csv"
}

# build_svc_guest [SVC_COUNT]: assemble the aarch64 bare-metal guest into
# $tmp/guest.elf and set $svc, $semi, $vectors (addresses) and $count.
build_svc_guest() {
  local defsym=()
  [ $# -ge 1 ] && defsym=(--defsym "SVC_COUNT=$1")
  assemble_guest svc_semihost guest "${defsym[@]}"
  svc=$(elf_sym "$tmp/guest.elf" svc_insn); semi=$(elf_sym "$tmp/guest.elf" semihost_call)
  vectors=$(elf_sym "$tmp/guest.elf" vectors)
  count=${1:-$(sed -n 's/^ *\.equ SVC_COUNT, *\([0-9]*\).*/\1/p' "$SRCDIR/tests/qemu/svc_semihost.S")}
}
# The QEMU command line of that guest.
svc_guest_qemu=(aarch64 -M virt -cpu cortex-a57 -semihosting -display none -nographic -no-reboot)

# The events of a trace (file or directory) in svc_guest_records' format,
# read by discon-dump; its exit status if the trace is damaged or unreadable.
dump_records() {
  "$DISCON_DUMP" --format csv "$1" >"$tmp/records.csv" || return
  awk -F, '$1 == "event" { print "record", $2, $6, $7, $8 }' "$tmp/records.csv"
}

# A trace's record lines, then trace_dump's totals and checks; fails if
# either finds the trace damaged or unreadable.
dump_trace() {
  dump_records "$1" && "$TRACE_DUMP" "$1"
}

# Lines dump_records/drain_segment print for the guest's exact events; with
# RETURNS (returns=on, the plugin's default), each svc's exception is
# followed by the RETURN of the handler's eret (at vectors + 0x200) to the
# instruction after the svc.
svc_guest_records() {
  local ret=
  [ "${1:-}" = RETURNS ] && ret=$(printf 'record 0 return 0x%x 0x%x' $((vectors + 0x200)) $((svc + 4)))
  awk -v n="$count" -v line="$(printf 'record 0 exception 0x%x 0x%x' $((svc + 4)) $((vectors + 0x200)))" \
    -v ret="$ret" 'BEGIN { for (i = 0; i < n; i++) { print line; if (ret != "") print ret } }'
  printf 'record 0 hostcall 0x%x 0x%x\n' "$semi" $((semi + 4))
}

# wait_until SECONDS WHAT COMMAND...: poll until COMMAND succeeds, or fail
# saying what never happened. For a background process's progress, instead
# of a sleep that a slow machine can outlast.
wait_until() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "timed out waiting for $what"
    sleep 0.02
  done
}
# A trace file with its header written: discond is attached and draining.
has_trace_file() { find "$1" -name '*.discon' -size +0 2>/dev/null | grep -q .; }
has_ended() { ! kill -0 "$1" 2>/dev/null; }

# After a 2-vCPU Linux boot drained by $DRAIN into $tmp/drain.txt, with
# count_plugin's $tmp/count.txt and the console in $tmp/console.txt: the
# guest finished, both vCPUs recorded, nothing was lost in block mode, the
# rings equal the independent count. Sets $total.
check_drained_boot() {
  grep -q 'discon-guest: workload done' "$tmp/console.txt" ||
    { tail -n 20 "$tmp/console.txt" >&2; fail "the guest did not finish its workload"; }
  cat "$tmp/drain.txt"
  grep -q '^vcpu 0 ' "$tmp/drain.txt" || fail "vCPU 0 recorded nothing"
  grep -q '^vcpu 1 ' "$tmp/drain.txt" || fail "vCPU 1 recorded nothing"
  local summary
  summary=$(tail -n1 "$tmp/drain.txt")
  [[ $summary == *" lost_inband 0 dropped 0 unrecorded 0 finished 1" ]] ||
    fail "events were lost in block mode: $summary"
  diff -u "$tmp/count.txt" <(grep '^vcpu ' "$tmp/drain.txt") ||
    fail "the rings disagree with the independent count"
  total=$(awk '{ print $3 }' <<<"$summary")
  [ "$total" -gt 1000 ] || fail "implausibly few events for a Linux boot: $total"
}

# After discon-record of a 2-vCPU Linux boot into DIR, with count_plugin's
# $tmp/count.txt and the console in $tmp/console.txt: the trace reads
# complete (trace_dump's per-vCPU totals equal the end record and the
# independent count; nothing lost, damaged or missing). Sets $total.
check_recorded_boot() {
  grep -q 'discon-guest: workload done' "$tmp/console.txt" || fail "the guest did not finish"
  "$TRACE_DUMP" "$1" >"$tmp/dump" || fail "trace damaged: $(cat "$tmp/dump")"
  cat "$tmp/dump"
  diff -u "$tmp/count.txt" <(grep '^vcpu ' "$tmp/dump") || fail "the trace disagrees with the independent count"
  local v n summary
  for v in 0 1; do
    n=$(awk -v v="$v" '$1 == "vcpu" && $2 == v { print $4 + $6 + $8 + $10 + $12 }' "$tmp/dump")
    grep -qx "end vcpu $v produced $n dropped 0 written $n" "$tmp/dump" ||
      fail "vCPU $v: end record disagrees with its $n events"
  done
  summary=$(tail -n1 "$tmp/dump")
  [[ $summary == *" lost 0 "*" damaged 0 gaps 0 ends 1" ]] || fail "incomplete: $summary"
  total=$(awk '{ print $3 }' <<<"$summary")
}

# check_boot_report DIR GUEST_ARCH: discon-report at its defaults on a
# recorded Linux boot, with the guest kernel's symbols: a normal boot has
# no double trap (by either rule) and no fault loop (calls and interrupts
# are neither); recorded with returns, every trap returned except those the
# trace ended inside (at most one chain per vCPU), none ended by a loss.
check_boot_report() {
  "$REPORT" --format csv --symbols "$GUEST/$2/kallsyms" "$1" >"$tmp/report.csv" ||
    fail "discon-report failed on the boot"
  local s rows
  for s in double_traps fault_loops; do
    rows=$(section "$tmp/report.csv" "$s")
    [ -z "$rows" ] || fail "a normal boot shows $s: $rows"
  done
  rows=$(section "$tmp/report.csv" nesting_chains | grep '^double_trap,' || true)
  [ -z "$rows" ] || fail "a normal boot shows exact double traps: $rows"
  local rule returns unmatched depth nested nirq open lost deep doubles vcpus
  IFS=, read -r rule returns unmatched depth nested nirq open lost deep doubles \
    < <(section "$tmp/report.csv" nesting)
  if [ "$rule" = exact ]; then
    vcpus=$(section "$tmp/report.csv" vcpus | wc -l)
    [ "$lost" = 0 ] && [ "$deep" = 0 ] && [ "$depth" -ge 1 ] && [ "$returns" -gt 0 ] &&
      [ "$open" -le $((vcpus * depth)) ] ||
      fail "pairing on the boot: returns $returns, deepest $depth, open at the end $open" \
        "($vcpus vCPUs), ended by loss $lost, too deep $deep"
    echo "ok: $returns traps returned; $open open at the end ($vcpus vCPUs, deepest $depth);" \
      "$unmatched unmatched returns"
  fi
  echo "ok: discon-report finds no double trap and no fault loop in the boot"
}

# check_summary_kinds DIR ERRFILE [REPORT ARGS...]: discon-record's
# summary (in ERRFILE) counts the traps of DIR by kind exactly as
# discon-report's "trap_kinds" (JSON; without symbols x86_64 exceptions are
# "unknown" in both; a recording made with --symbols FILE is compared with
# the report given --symbols FILE in REPORT ARGS), its total is the
# report's traps, and its one raw line the report's raw events. Sets
# summary_traps and summary_events.
check_summary_kinds() {
  "$REPORT" --format json "${@:3}" "$1" >"$tmp/kinds.json" || fail "discon-report --format json failed"
  jq -r '.trap_kinds[] | "\(.count) \(.kind) (\(.class))"' "$tmp/kinds.json" | sort >"$tmp/kinds.want"
  sed -n '/^discon: [0-9]* traps by kind/,$ { /^discon: *[0-9][0-9]* .*)$/ s/^discon: *//p }' "$2" |
    sort >"$tmp/kinds.got"
  [ -s "$tmp/kinds.want" ] || fail "the report lists no trap kinds"
  diff -u "$tmp/kinds.want" "$tmp/kinds.got" >&2 ||
    fail "discon-record's kinds differ from discon-report's: $(cat "$2")"
  summary_traps=$(sed -n 's/^discon: \([0-9]*\) traps by kind .*/\1/p' "$2")
  summary_events=$(sed -n 's/^discon: \([0-9]*\) events (.*), [0-9]* lost.*/\1/p' "$2")
  expect_eq "summary traps = report traps" "$(jq '.summary.traps' "$tmp/kinds.json")" "$summary_traps"
  expect_eq "summary raw events = report events" "$(jq '.summary.events' "$tmp/kinds.json")" "$summary_events"
  echo "ok: the summary's $summary_traps traps by kind ($(wc -l <"$tmp/kinds.got") kinds) are the" \
    "report's; raw events $summary_events in one line"
}

# The flight recorder's snapshots (snapshot_*.sh). snapshot_suffix FILE
# LOG: per vCPU, the events of snapshot FILE are a contiguous run of
# sequence numbers whose every event is, in type, from_pc and to_pc, the
# line of count_plugin's LOG.VCPU with that index (recorded with
# returns=off, so discon's sequence numbers count exactly the events
# count_plugin logs), and the last is the last the snapshot's end record
# counts (the window ends where the totals do). Prints per vCPU "V FIRST
# LAST NEXT_TIME": the first and last sequence number and the log's time
# of the event after the window ("-" if none), into $tmp/suffix; fails
# the test otherwise.
snapshot_suffix() {
  local file=$1 log=$2 v
  : >"$tmp/suffix"
  "$DISCON_DUMP" --format csv "$file" >"$tmp/snap.csv" || fail "discon-dump $file exit $?"
  "$REPORT" --format json "$file" >"$tmp/snap.json" || fail "discon-report $file exit $?"
  for v in $(awk -F, '$1 == "event" { print $2 }' "$tmp/snap.csv" | sort -un); do
    local produced
    produced=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))
print([x["produced"] for x in d["summary"]["vcpus"] if x["vcpu"] == int(sys.argv[2])][0])' "$tmp/snap.json" "$v")
    awk -F, -v v="$v" '$1 == "event" && $2 == v { print $3, $6, $7, $8 }' "$tmp/snap.csv" >"$tmp/snap.$v"
    awk -v m=0 -v n=0 -v v="$v" -v produced="$produced" '
      FNR == NR { seq[m] = $1; key[m] = $2 " " $3 " " $4; m++; next }
      { lt[n] = $1; lk[n] = $2 " " $3 " " $4; n++ }
      END {
        if (!m) { print "vCPU " v ": no event" >"/dev/stderr"; exit 1 }
        for (j = 0; j < m; j++) {
          if (seq[j] != seq[0] + j) { printf "vCPU %d: sequence %d follows %d\n", v, seq[j], seq[j - 1] >"/dev/stderr"; exit 1 }
          if (seq[j] >= n || key[j] != lk[seq[j]]) {
            printf "vCPU %d: snapshot event %d (%s) is not logged event %d (%s)\n", v, seq[j], key[j], seq[j], lk[seq[j]] >"/dev/stderr"; exit 1 }
        }
        if (seq[m - 1] + 1 != produced) {
          printf "vCPU %d: the window ends at %d, its end record counts %d produced\n", v, seq[m - 1], produced >"/dev/stderr"; exit 1 }
        printf "%d %d %d %s\n", v, seq[0], seq[m - 1], seq[m - 1] + 1 < n ? lt[seq[m - 1] + 1] : "-"
      }' "$tmp/snap.$v" "$log.$v" >>"$tmp/suffix" || fail "$file is not a contiguous run of the logged events"
  done
}
