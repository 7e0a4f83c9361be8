#!/usr/bin/env bash
# Real QEMU 11 refuses the plugin, naming the option, for every bad option.
. "$(dirname "$0")/lib.sh"
refused() { # OPTIONS MESSAGE
  if timeout 30 "$QEMU" aarch64 -M virt -display none -nographic \
       -plugin "$DISCON_PLUGIN,$1" >/dev/null 2>"$tmp/err"; then
    fail "QEMU accepted -plugin ...,$1"
  fi
  grep -qF "discon: $2" "$tmp/err" || fail "$1: expected 'discon: $2' in: $(cat "$tmp/err")"
  echo "ok: $1 -> $(grep -m1 discon: "$tmp/err")"
}
refused "colour=blue" "unknown option 'colour'"
refused "mode=fast" "mode=fast: expected block or drop"
refused "ring=1000" "ring=1000: records per vCPU, a power of two"
refused "types=trap" "types=trap"
refused "returns=maybe" "returns=maybe: expected on or off"
refused "types=return,returns=off" "nothing to record"
refused "block_timeout=0" "block_timeout=0"
refused "shm=../etc" "shm=../etc"

# The same plugin twice (another spelling of its path): refused, and the
# first instance's segment is not left behind.
new_shm twice
twice=$(dirname "$DISCON_PLUGIN")/./$(basename "$DISCON_PLUGIN")
if timeout 30 "$QEMU" aarch64 -M virt -display none -nographic \
     -plugin "$DISCON_PLUGIN,shm=/$name" -plugin "$twice" >/dev/null 2>"$tmp/err"; then
  fail "QEMU accepted the plugin twice"
fi
grep -qF "discon: the plugin is already loaded in this QEMU (recording into /$name)" "$tmp/err" ||
  fail "no refusal of a second install: $(cat "$tmp/err")"
[ ! -e "/dev/shm/$name" ] || fail "the first install's segment /dev/shm/$name was left behind"
echo "ok: a second -plugin of the same file -> $(grep -m1 'already loaded' "$tmp/err")"

# A copy of the plugin under another file (an installed libdiscon.so beside
# a build's) is another object with globals of its own: without the check
# it records into a second segment nobody drains (the guest waits out the
# block timeout, the segment is left). Refused the same way, first or
# second on the command line, and neither segment is left behind.
mkdir "$tmp/copy"
cp "$DISCON_PLUGIN" "$tmp/copy/libdiscon.so"
for order in build-first copy-first; do
  new_shm "copy-$order-a"; first=$name
  new_shm "copy-$order-b"; second=$name
  a=$DISCON_PLUGIN b=$tmp/copy/libdiscon.so
  [ "$order" = build-first ] || { a=$tmp/copy/libdiscon.so b=$DISCON_PLUGIN; }
  if timeout 30 "$QEMU" aarch64 -M virt -display none -nographic \
       -plugin "$a,shm=/$first" -plugin "$b,shm=/$second" >/dev/null 2>"$tmp/err"; then
    fail "$order: QEMU accepted a copy of the plugin beside it"
  fi
  grep -qF "discon: the plugin is already loaded in this QEMU (recording into /$first)" "$tmp/err" ||
    fail "$order: no refusal of a copy: $(cat "$tmp/err")"
  [ ! -e "/dev/shm/$first" ] && [ ! -e "/dev/shm/$second" ] ||
    fail "$order: a segment was left behind: $(ls /dev/shm | grep -F "discon-test-$$-copy")"
  echo "ok: a copy of the plugin ($order) -> $(grep -m1 'already loaded' "$tmp/err")"
done
