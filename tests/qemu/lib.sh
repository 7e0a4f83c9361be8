# Shared by the real-QEMU tests. meson passes, in the environment:
#   QEMU (scripts/qemu), DISCON_PLUGIN, COUNT_PLUGIN, DRAIN, SRCDIR
set -euo pipefail
CACHE=${DISCON_CACHE:-/var/cache/discon}
[ -r "$CACHE/env" ] || { echo "FAIL: $CACHE/env missing: run scripts/setup" >&2; exit 1; }
. "$CACHE/env"
tmp=$(mktemp -d /tmp/discon-test.XXXXXX)
shm_names=()
cleanup() {
  local n
  for n in "${shm_names[@]}"; do rm -f "/dev/shm/$n"; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
# new_shm TAG: sets $name to a fresh segment name, removed at exit.
new_shm() { name="discon-test-$$-$1"; shm_names+=("$name"); }
# expect_eq WHAT WANT GOT
expect_eq() { [ "$2" = "$3" ] || fail "$1: expected '$2', got '$3'"; }
