# shellcheck shell=bash
# Sourced (bash) by bench/run and bench/attach_overhead: the helpers their
# sections share. Only functions and one array builder.

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# json_field STATS.JSON FIELD: a number from discond's --stats-json.
json_field() { sed -n 's/.*"'"$2"'": \([0-9.]*\).*/\1/p' "$1"; }
# pct A B: A over B, percent.
pct() { echo "($1 / $2 - 1) * 100" | bc -l; }
# sysloop_qemu_args INITRD: sets qemu_args to the aarch64 Debian kernel
# running the getppid loop of INITRD on both vCPUs (scripts/qemu's args).
sysloop_qemu_args() {
  # shellcheck disable=SC2034 # for the caller
  qemu_args=(aarch64 -M virt -cpu cortex-a57 -smp 2 -m 512 -display none -nographic -no-reboot
    -kernel "$GUEST/arm64/vmlinuz" -initrd "$1"
    -append "console=ttyAMA0 quiet panic=-1 discon.workload=syscalls")
}
