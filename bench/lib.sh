# shellcheck shell=bash
# Sourced (bash) by bench/run and bench/attach_overhead: the helpers their
# sections share. Only functions and one array builder.

# median FILE: the median of the numbers in FILE, one a line.
median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# json_field STATS.JSON FIELD: a number from discond's --stats-json.
json_field() { sed -n 's/.*"'"$2"'": \([0-9.]*\).*/\1/p' "$1"; }
# pct A B: A over B, percent.
pct() { echo "($1 / $2 - 1) * 100" | bc -l; }
# paired_pct A B COL: line i of files A and B are one round's runs of two
# configurations; the median over the rounds of A's column COL over B's,
# percent. Pairing within a round cancels the host's slow and fast spells,
# which move whole rounds by more than the effects measured here.
paired_pct() {
  paste -d' ' "$1" "$2" | awk -v k="$3" '{ n = NF / 2; print ($k / $(k + n) - 1) * 100 }' |
    sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}
# sysloop_qemu_args INITRD: sets qemu_args to the aarch64 Debian kernel
# running the getppid loop of INITRD on both vCPUs (scripts/qemu's args).
sysloop_qemu_args() {
  # shellcheck disable=SC2034 # for the caller
  qemu_args=(aarch64 -M virt -cpu cortex-a57 -smp 2 -m 512 -display none -nographic -no-reboot
    -kernel "$GUEST/arm64/vmlinuz" -initrd "$1"
    -append "console=ttyAMA0 quiet panic=-1 discon.workload=syscalls")
}
