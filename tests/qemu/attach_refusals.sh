#!/usr/bin/env bash
# discond --pid refuses, in one line and with exit status 1: a pid that
# does not exist; a process that is not a QEMU; a "QEMU" without plugin
# support (no dispatcher symbols); dispatchers of a shape the decoder does
# not know; a caller without root or CAP_BPF+CAP_PERFMON. discon-record -p
# says the same. (A kernel without uprobes or BPF ring buffers cannot be
# made here: that refusal is the check attach_lib.sh skips on.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/attach_lib.sh"

# refuses WHAT PATTERN COMMAND...: exit status 1 and exactly one line on
# stderr matching PATTERN.
refuses() {
  local what=$1 pattern=$2 rc=0
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
  expect_eq "$what: exit status" 1 "$rc"
  expect_eq "$what: lines on stderr" 1 "$(wc -l <"$tmp/err")"
  grep -q -- "$pattern" "$tmp/err" || fail "$what: '$(cat "$tmp/err")' does not say '$pattern'"
  echo "ok: $what: $(cat "$tmp/err")"
}

# Background processes die with the test, whatever ends it (else meson
# waits for their output pipe until its timeout).
bg=()
trap 'kill "${bg[@]}" 2>/dev/null || true; cleanup' EXIT

sleep 0 & gone=$!
wait "$gone"
refuses "no such pid" "no such process: $gone" "$DISCOND" --pid "$gone" -o "$tmp/t"
refuses "discon-record, no such pid" "no such process: $gone" "$DISCON_RECORD" -p "$gone" -o "$tmp/t"

sleep 60 & other=$!
bg+=("$other")
refuses "not a QEMU" "pid $other is not a QEMU" "$DISCOND" --pid "$other" -o "$tmp/t"

mkdir -p "$tmp/bin"
cp "$(command -v sleep)" "$tmp/bin/qemu-system-x86_64"
"$tmp/bin/qemu-system-x86_64" 60 & noplugins=$!
bg+=("$noplugins")
# Until the fork has exec'd, the pid maps the shell, which is "not a QEMU".
wait_until 10 "the copied sleep to start" grep -q qemu-system-x86_64 "/proc/$noplugins/maps"
refuses "without plugin support" "QEMU without plugin support: .* does not export qemu_plugin_vcpu_interrupt_cb" \
  "$DISCOND" --pid "$noplugins" -o "$tmp/t"

cp "$FAKE_QEMU" "$tmp/bin/qemu-system-aarch64"
"$tmp/bin/qemu-system-aarch64" & shape=$!
bg+=("$shape")
wait_until 10 "the fake QEMU to start" grep -q qemu-system-aarch64 "/proc/$shape/maps"
refuses "unexpected shape" "unexpected dispatcher shape: qemu_plugin_vcpu_interrupt_cb" \
  "$DISCOND" --pid "$shape" -o "$tmp/t"

command -v setpriv >/dev/null || skip "setpriv (util-linux) missing"
chmod 755 "$tmp"
refuses "no permission" "no permission: attaching needs root or CAP_BPF and CAP_PERFMON" \
  setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$DISCOND" --pid "$other" -o "$tmp/t"
kill "$other" "$noplugins" "$shape"
[ ! -e "$tmp/t" ] || [ -z "$(ls -A "$tmp/t")" ] || fail "a refused attach left a trace file"
