#!/usr/bin/env bash
# make-initramfs.sh ARCH OUT: a gzip'd cpio with the cached busybox-static
# for ARCH (amd64 or arm64) and guest-init.sh as /init.
set -euo pipefail
arch=$1 out=$2
CACHE=${DISCON_CACHE:-/var/cache/discon}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev}
cp "$CACHE/guest/$arch/busybox" "$root/bin/busybox"
cp "$(dirname "$0")/guest-init.sh" "$root/init"
chmod 755 "$root/init" "$root/bin/busybox"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
