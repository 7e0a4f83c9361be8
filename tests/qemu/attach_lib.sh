# Helpers of the attach tests (discond --pid), sourced after lib.sh.
# They run as root on the project's machines; only a kernel without
# uprobes or BPF ring buffers makes them skip.
[ -e /sys/bus/event_source/devices/uprobe/type ] || skip "this kernel has no uprobes"
[ "$(id -u)" = 0 ] || skip "attaching needs root (or CAP_BPF+CAP_PERFMON); the tests run as root"
command -v python3 >/dev/null || skip "python3 missing: run scripts/setup"

# monitor SOCKET COMMAND: one HMP command to a QEMU's unix monitor socket.
monitor() { python3 "$SRCDIR/tests/qemu/monitor.py" "$1" "$2"; }

# start_paused_qemu ARGS...: QEMU (scripts/qemu execs it: same pid) stopped
# before its first instruction, with a monitor at $tmp/mon; sets $qpid.
start_paused_qemu() {
  "$QEMU" "$@" -S -monitor "unix:$tmp/mon,server=on,wait=off" \
    >"$tmp/qemu.out" 2>"$tmp/qemu.err" </dev/null & qpid=$!
  wait_until 30 "QEMU's monitor socket" test -S "$tmp/mon"
}

# attach_discond DIR [OPTIONS...]: discond --pid $qpid in the background,
# stderr in $tmp/discond.err; returns once the probe is live. Sets $dpid.
attach_discond() {
  local dir=$1
  shift
  "$DISCOND" --pid "$qpid" -o "$dir" "$@" 2>"$tmp/discond.err" & dpid=$!
  wait_until 30 "discond to attach" grep -q 'probe live' "$tmp/discond.err" ||
    { cat "$tmp/discond.err" >&2; fail "discond did not attach"; }
}
