#!/usr/bin/env bash
# Real QEMU 11, the Debian kernels of aarch64 and riscv64 (-smp 2) with an
# initramfs whose only file is /init, a static program (getppid_ARCH.S)
# making exactly N getppid calls, then reboot(POWER_OFF). Nothing else runs
# in user space and the kernel makes no system calls of its own, so:
#   - the raw trace holds exactly N system-call traps with getppid's number
#     (from the cross Linux headers), every one of the class SVC64 (ESR
#     0x56000000: EC 0x15, IL, svc #0) or ecall from U (scause 8);
#   - trace2sqlite's `syscalls` view and discon-report's `syscalls` section
#     say getppid = N, and the report finds no fault loop (a system-call
#     loop at one PC is not one).
. "$(dirname "$0")/lib.sh"
. "$SRCDIR/tests/qemu/linux_program.sh"
calls=100000
command -v cpp >/dev/null || skip "no C preprocessor (cpp) to read the Linux headers"
command -v cpio >/dev/null || skip "cpio missing (Debian package cpio)"
command -v sqlite3 >/dev/null || skip "sqlite3 missing (Debian package sqlite3)"
"$QEMU" aarch64 --version >/dev/null 2>&1 || skip "no QEMU for aarch64: run scripts/setup"

# boot_getppid ARCH QEMU-ARGS...: build the guest, record its boot into
# $tmp/ARCH, check the console and the raw trace. Sets nr_ARCH.
boot_getppid() {
  local arch=$1 nr
  shift
  nr=$(linux_nr "$arch" getppid) || fail "$arch: getppid's number from the headers"
  printf -v "nr_$arch" %s "$nr"
  mkdir -p "$tmp/$arch-root"
  assemble_linux "$arch" "$SRCDIR/tests/qemu/getppid_$arch.S" "$tmp/$arch-root/init" \
    -DGETPPID_CALLS="$calls" || fail "$arch: the guest program did not build"
  (cd "$tmp/$arch-root" && echo init | cpio -o -H newc --quiet) >"$tmp/$arch.cpio"
  timeout 300 "$DISCON_RECORD" -o "$tmp/$arch" -- "$QEMU" "$@" -initrd "$tmp/$arch.cpio" \
    >"$tmp/$arch.console" 2>"$tmp/$arch.err" || { cat "$tmp/$arch.err" >&2; fail "$arch: discon-record failed"; }
  grep -q 'reboot: Power down' "$tmp/$arch.console" && ! grep -q 'Kernel panic' "$tmp/$arch.console" ||
    { tail -n 20 "$tmp/$arch.console" >&2; fail "$arch: /init did not power the machine off"; }
  grep -q '^discon: [0-9]* events (.*), 0 lost$' "$tmp/$arch.err" || fail "$arch: events lost: $(cat "$tmp/$arch.err")"

  # The raw trace: system-call traps by number, and by number and class.
  local class
  case $arch in
    aarch64) class=0x56000000 ;;
    riscv64) class=0x8 ;;
  esac
  "$DISCON_DUMP" --format csv "$tmp/$arch" >"$tmp/$arch.csv" || fail "$arch: discon-dump failed"
  local any ours
  any=$(awk -F, -v nr="$nr" '$1 == "event" && $11 == nr' "$tmp/$arch.csv" | wc -l)
  ours=$(awk -F, -v nr="$nr" -v c="$class" '$1 == "event" && $6 == "exception" && $9 == c && $11 == nr' \
    "$tmp/$arch.csv" | wc -l)
  expect_eq "$arch: events with system-call number $nr (getppid)" "$calls" "$any"
  expect_eq "$arch: of them, exceptions with cause $class" "$calls" "$ours"
  echo "ok: $arch: the raw trace holds exactly $calls getppid ($nr) calls, all cause $class"
}

# check_tables ARCH: the SQL view and the report's sections.
check_tables() {
  local arch=$1 nr_var=nr_$1 got
  "$T2S" -o "$tmp/$arch.db" "$tmp/$arch" >/dev/null 2>"$tmp/t2s.err" ||
    fail "$arch: trace2sqlite: $(cat "$tmp/t2s.err")"
  got=$(sqlite3 "$tmp/$arch.db" "SELECT count FROM syscalls WHERE name = 'getppid'" 2>&1) ||
    fail "$arch: the syscalls view: $got"
  expect_eq "$arch: getppid in the syscalls view" "$calls" "$got"
  "$REPORT" --format csv "$tmp/$arch" >"$tmp/$arch.report.csv" || fail "$arch: discon-report failed"
  grep -qx 'nr,name,count,share' <(sed -n '/^# syscalls$/{n;p;}' "$tmp/$arch.report.csv") ||
    fail "$arch: the report has no syscalls section with header nr,name,count,share"
  got=$(section "$tmp/$arch.report.csv" syscalls | awk -F, '$2 == "getppid" { print $1, $3 }')
  expect_eq "$arch: getppid row of the report's syscalls section (nr count)" "${!nr_var} $calls" "$got"
  grep -qx '# fault_loops' "$tmp/$arch.report.csv" || fail "$arch: the report has no fault_loops section"
  got=$(section "$tmp/$arch.report.csv" fault_loops)
  [ -z "$got" ] || fail "$arch: the report finds a fault loop in a system-call loop: $got"
  echo "ok: $arch: the syscalls view and the report say getppid = $calls, no fault loop"
}

boot_getppid aarch64 aarch64 -M virt -cpu cortex-a57 -smp 2 -m 512 -display none -nographic \
  -no-reboot -kernel "$GUEST/arm64/vmlinuz" -append "console=ttyAMA0 quiet panic=-1"
archs=(aarch64)
# require_riscv64 skips (exits): in a subshell, to keep the aarch64 result.
riscv_missing=$( (require_riscv64) 2>&1) && riscv_missing=
riscv_missing=${riscv_missing#SKIP: }
if command -v riscv64-linux-gnu-as >/dev/null && [ -z "$riscv_missing" ]; then
  boot_getppid riscv64 riscv64 -M virt -smp 2 -m 512 -display none -nographic -no-reboot \
    -bios "$GUEST/riscv64/fw_dynamic.bin" -kernel "$GUEST/riscv64/vmlinuz" \
    -append "console=ttyS0 quiet panic=-1"
  archs+=(riscv64)
fi
for arch in "${archs[@]}"; do check_tables "$arch"; done
[ "${#archs[@]}" = 2 ] ||
  skip "aarch64 passed; riscv64 not run: ${riscv_missing:-riscv64-linux-gnu-as missing (binutils-riscv64-linux-gnu)}"
