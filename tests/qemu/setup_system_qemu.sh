#!/usr/bin/env bash
# scripts/setup on a machine whose system QEMU is already 11.1: it must use
# that QEMU, and still fetch the guest material (kernels, busybox) and read
# the kernels' symbols, into a fresh cache.
#
# The "system QEMU" here is the real QEMU 11.1 of the existing cache, put on
# PATH under its system names. The fresh cache is seeded with the existing
# Debian tree that apt runs in (building another one only repeats the
# sysroot build that every run of setup already exercises), so what this
# test exercises is the part that used to fail: fetching guests without a
# QEMU sysroot.
. "$(dirname "$0")/lib.sh"
[ -e "$SYSROOT/.complete" ] || skip "no Debian trixie tree in $CACHE to seed apt with"
wrap=$tmp/bin
mkdir -p "$wrap"
# riscv64 too when the cache has it (it is optional: setup warns without it).
targets=(aarch64 x86_64)
"$QEMU" riscv64 --version >/dev/null 2>&1 && targets+=(riscv64)
for target in "${targets[@]}"; do
  printf '#!/bin/sh\nDISCON_CACHE=%q exec %q %s "$@"\n' "$CACHE" "$QEMU" "$target" \
    >"$wrap/qemu-system-$target"
  chmod 755 "$wrap/qemu-system-$target"
done
fresh=$tmp/cache
mkdir -p "$fresh"
ln -s "$SYSROOT" "$fresh/aptroot-trixie"
PATH=$wrap:$PATH DISCON_CACHE=$fresh timeout 900 "$SRCDIR/scripts/setup" 2>"$tmp/log" ||
  fail "setup failed with a system QEMU 11: $(tail -n 3 "$tmp/log")"
grep -q "using the system's QEMU 11" "$tmp/log" || fail "setup did not take the system QEMU: $(cat "$tmp/log")"
. "$fresh/env"
expect_eq "QEMU_MODE" system "$QEMU_MODE"
for arch in amd64 arm64; do
  [ -e "$GUEST/$arch/.complete" ] || fail "$arch guest not marked complete in the fresh cache"
  for f in vmlinuz busybox kernel-version; do
    [ -s "$GUEST/$arch/$f" ] || fail "$arch guest: $f missing in the fresh cache"
  done
  grep -q ' T _text$' "$GUEST/$arch/kallsyms" || fail "$arch: no kernel symbols read"
done
echo "ok: setup with a system QEMU 11 fetched both guests and read their symbols"
if [[ " ${targets[*]} " == *" riscv64 "* ]]; then
  for f in .complete vmlinuz busybox fw_dynamic.bin kernel-version; do
    [ -e "$GUEST/riscv64/$f" ] || fail "riscv64 guest: $f missing in the fresh cache"
  done
  grep -q ' T _text$' "$GUEST/riscv64/kallsyms" || fail "riscv64: no kernel symbols read"
  echo "ok: and the riscv64 guest, with a system qemu-system-riscv64"
fi
# The fresh cache works for the tools: scripts/qemu runs the system QEMU.
DISCON_CACHE=$fresh PATH=$wrap:$PATH "$SRCDIR/scripts/qemu" aarch64 --version | grep -q "version 11" ||
  fail "scripts/qemu with the fresh cache does not run QEMU 11"
echo "ok: scripts/qemu runs the system QEMU"

# A system QEMU older than 11.1 (11.0 has plugin API 6, which the plugin
# refuses) is not used: setup keeps its own sysroot. Seeded with the cache's
# sysroot and guests, this run builds and fetches nothing.
old=$tmp/old-bin
mkdir -p "$old"
for target in aarch64 x86_64; do
  printf '#!/bin/sh\necho "QEMU emulator version 11.0.2 (Debian 1:11.0.2)"\n' >"$old/qemu-system-$target"
  chmod 755 "$old/qemu-system-$target"
done
second=$tmp/cache-old
mkdir -p "$second"
ln -s "$SYSROOT" "$second/sysroot-trixie"
ln -s "$CACHE/guest" "$second/guest"
PATH=$old:$PATH DISCON_CACHE=$second timeout 300 "$SRCDIR/scripts/setup" 2>"$tmp/log-old" ||
  fail "setup failed beside a system QEMU 11.0: $(tail -n 3 "$tmp/log-old")"
expect_eq "QEMU_MODE beside QEMU 11.0" sysroot "$(. "$second/env" && echo "$QEMU_MODE")"
echo "ok: a system QEMU 11.0 (plugin API 6) is not used"
