#!/usr/bin/env bash
# A segment larger than the free space of /dev/shm is refused when the
# plugin loads, with one line naming what it needs, what is free and the
# option that shrinks it; nothing is left behind and the guest is never
# killed mid-run by SIGBUS (tmpfs backs pages only when first touched).
# Runs in a private mount namespace with a small tmpfs on /dev/shm, so the
# machine's /dev/shm is not touched.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root for a private mount namespace with its own /dev/shm"
unshare --mount --propagation private true 2>/dev/null ||
  skip "the kernel forbids private mount namespaces here (unshare --mount failed)"
build_svc_guest 3000000

# 8 MiB of /dev/shm; one vCPU at ring=1048576 records of 64 bytes needs 64 MiB.
unshare --mount --propagation private bash -c '
  mount -t tmpfs -o size=8m tmpfs /dev/shm || exit 99
  "$0" -o "$1" --ring 1048576 -- "$2" "${@:4}" -kernel "$3" >"$1.out" 2>"$1.err"
  echo $? >"$1.rc"
  ls -A /dev/shm >"$1.left"' \
  "$DISCON_RECORD" "$tmp/out" "$QEMU" "$tmp/guest.elf" "${svc_guest_qemu[@]}" ||
  skip "cannot mount a tmpfs on /dev/shm in a private namespace"
rc=$(cat "$tmp/out.rc")
[ "$rc" != 0 ] || fail "a segment larger than /dev/shm was accepted: exit 0"
[ "$rc" != 135 ] && [ "$rc" != 99 ] || fail "QEMU was killed by SIGBUS (exit $rc): $(cat "$tmp/out.err")"
grep -q "needs 64 MiB but /dev/shm has [0-9]* MiB free: make the rings smaller (ring=, discon-record --ring)" \
  "$tmp/out.err" || fail "no clear refusal: $(cat "$tmp/out.err")"
[ ! -s "$tmp/out.left" ] || fail "left behind in /dev/shm: $(cat "$tmp/out.left")"
echo "ok: refused at load (exit $rc): $(grep -m1 needs "$tmp/out.err")"
