#!/usr/bin/env bash
# Power loss costs at most the flush interval (issue 15, point 1). discon-
# record writes onto ext4 on a loop device; mid-recording the device's
# backing file is copied (the copy is the power cut: what the device held
# at that moment); the copy is checked by fsck and mounted read-only, and
# every event older than the flush interval plus a margin (the drain's
# longest poll, 100 ms, and the sync itself) must be on it. In a private
# mount namespace, so nothing outside sees the mounts.
. "$(dirname "$0")/lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root for loop devices and mounts"
unshare --mount --propagation private true 2>/dev/null ||
  skip "the kernel forbids private mount namespaces here (unshare --mount failed)"
command -v mkfs.ext4 >/dev/null && command -v e2fsck >/dev/null || skip "e2fsprogs missing"
losetup -f >/dev/null 2>&1 || skip "no free loop device (losetup -f failed)"
build_svc_guest 1000000000000 # runs until stopped
flush_ms=500 margin_ms=500
monotonic_ns() { perl -MTime::HiRes=clock_gettime,CLOCK_MONOTONIC -e 'printf "%.0f\n", clock_gettime(CLOCK_MONOTONIC) * 1e9'; }
export -f monotonic_ns
export DISCON_RECORD tmp flush_ms
truncate -s 128M "$tmp/disk.img"
mkfs.ext4 -q -F "$tmp/disk.img"
mkdir "$tmp/mnt" "$tmp/copy"
unshare --mount --propagation private bash -c '
  set -euo pipefail
  dev=$(losetup -f --show "$tmp/disk.img") || exit 98
  trap "umount -q \"$tmp/mnt\" 2>/dev/null; umount -q \"$tmp/copy\" 2>/dev/null; losetup -d \"$dev\"" EXIT
  mount "$dev" "$tmp/mnt"
  "$DISCON_RECORD" -o "$tmp/mnt/trace" --flush-ms "$flush_ms" -- "$@" >/dev/null 2>"$tmp/rec.err" & rec=$!
  until find "$tmp/mnt/trace" -name "*.discon" -size +0 2>/dev/null | grep -q .; do sleep 0.05; done
  sleep 3
  monotonic_ns >"$tmp/cut_ns"
  cp --sparse=always "$tmp/disk.img" "$tmp/cut.img" # the power cut
  sleep 0.3
  kill -TERM "$rec"
  wait "$rec" || true
  cp -r "$tmp/mnt/trace" "$tmp/full"
  e2fsck -fy "$tmp/cut.img" >"$tmp/fsck.out" 2>&1 || [ $? -le 1 ] || { cat "$tmp/fsck.out"; exit 97; }
  mount -o ro,loop "$tmp/cut.img" "$tmp/copy"
  cp -r "$tmp/copy/trace" "$tmp/cut" 2>/dev/null || mkdir -p "$tmp/cut"' \
  bash "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" || {
  rc=$?
  [ "$rc" = 98 ] && skip "cannot attach a loop device in a private mount namespace"
  fail "the namespace part failed (exit $rc): $(cat "$tmp/rec.err" 2>/dev/null)"
}
cutoff=$(($(cat "$tmp/cut_ns") - (flush_ms + margin_ms) * 1000000))
# Events of the finished trace older than the cutoff, and those on the copy.
older() { "$DISCON_DUMP" --format csv "$1" 2>/dev/null | awk -F, -v c="$cutoff" '$1 == "event" && $4 <= c { n++ } END { print n + 0 }' || true; }
want=$(older "$tmp/full")
got=$(older "$tmp/cut")
all=$("$DISCON_DUMP" --format csv "$tmp/cut" 2>/dev/null | grep -c '^event,' || true)
[ "$want" -gt 100000 ] || fail "too few events before the cut to tell anything: $want"
expect_eq "events older than $((flush_ms + margin_ms)) ms at the cut, on the copy (of $want; the copy holds $all)" "$want" "$got"
echo "ok: power cut after 3 s: all $want events older than $((flush_ms + margin_ms)) ms are on the copy ($all events in all)"
