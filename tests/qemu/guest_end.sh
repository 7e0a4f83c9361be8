#!/usr/bin/env bash
# How the guest ended, where a plugin can see it (issue 13, point 3): an
# aarch64 guest that asks QEMU's PSCI to power off, then one that asks it
# to reset (-no-reboot: QEMU exits), each recorded by discon-record. The
# end record says "power-off" and "reset" (End.guest_ended), which the
# report's summary and post-mortem show, on the files and on a
# trace2sqlite database of them (traces.guest_ended). The svc guest's last trap is a
# semihosting call of another kind (its SYS_EXIT ends QEMU before any
# callback): its end record says nothing of the guest.
. "$(dirname "$0")/lib.sh"
for how in power-off reset; do
  defsym=()
  [ "$how" = reset ] && defsym=(--defsym RESET=1)
  assemble_guest psci_end "$how" "${defsym[@]}"
  "$DISCON_RECORD" -o "$tmp/$how" -- "$QEMU" aarch64 -M virt -cpu cortex-a57 -display none \
    -nographic -no-reboot -kernel "$tmp/$how.elf" >/dev/null 2>"$tmp/$how.err" ||
    fail "discon-record exit $?: $(cat "$tmp/$how.err")"
  "$REPORT" "$tmp/$how" >"$tmp/$how.txt" 2>&1 || fail "discon-report exit $?: $(cat "$tmp/$how.txt")"
  grep -qx "  guest       asked QEMU for $how as its last trap" "$tmp/$how.txt" ||
    fail "$how: the report says: $(grep -A1 complete "$tmp/$how.txt")"
  "$REPORT" --last 1ms "$tmp/$how" >"$tmp/$how.pm" 2>&1 || fail "discon-report --last exit $?"
  grep -qx "  the guest:     asked for $how (its last trap)" "$tmp/$how.pm" ||
    fail "$how: the post-mortem says: $(tail -n3 "$tmp/$how.pm")"
  # The same from a database: trace2sqlite stores it (traces.guest_ended)
  # and discon-report on the database says what it says on the files.
  "$T2S" -o "$tmp/$how.db" "$tmp/$how" 2>"$tmp/$how.t2s" || fail "trace2sqlite exit $?: $(cat "$tmp/$how.t2s")"
  expect_eq "$how: traces.guest_ended" "$how" "$(sqlite3 "$tmp/$how.db" "SELECT guest_ended FROM traces")"
  for opt in "" "--last 1ms"; do
    # shellcheck disable=SC2086 # opt: no option or two words
    "$REPORT" $opt "$tmp/$how" 2>&1 | grep -v "$tmp" >"$tmp/$how.files" || true
    # shellcheck disable=SC2086
    "$REPORT" $opt "$tmp/$how.db" 2>&1 | grep -v "$tmp" >"$tmp/$how.dbrep" || true
    grep -q "$how" "$tmp/$how.dbrep" || fail "$how: the report on the database does not say it"
    diff "$tmp/$how.files" "$tmp/$how.dbrep" >"$tmp/$how.diff" ||
      fail "$how: the report on the database differs (${opt:-summary}): $(head -n 20 "$tmp/$how.diff")"
  done
  echo "ok: $how recorded as how the guest ended, in the database too"
done
build_svc_guest 10
"$DISCON_RECORD" -o "$tmp/semi" -- "$QEMU" "${svc_guest_qemu[@]}" -kernel "$tmp/guest.elf" \
  >/dev/null 2>"$tmp/semi.err" || fail "discon-record exit $?: $(cat "$tmp/semi.err")"
"$REPORT" --format json "$tmp/semi" >"$tmp/semi.json" || fail "discon-report exit $?"
expect_eq "the svc guest's end" "None" \
  "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"].get("guest_ended"))' "$tmp/semi.json")"
"$T2S" -o "$tmp/semi.db" "$tmp/semi" 2>/dev/null || fail "trace2sqlite exit $?"
expect_eq "the svc guest's traces.guest_ended" "1" \
  "$(sqlite3 "$tmp/semi.db" "SELECT guest_ended IS NULL AND snapshot IS NULL FROM traces")"
echo "ok: a semihosting call as the last trap is no end of the guest"
