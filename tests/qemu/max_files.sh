#!/usr/bin/env bash
# Bounded disk (issue 13, point 1). discon-record --max-files 3 on a run
# of many rotations: exactly the newest 3 files remain, their newest
# header says what was removed, and discon-report calls the trace
# "complete since T" (exit 0), T the latest of the vCPUs' first event
# times in the kept files, counted here from discon-dump's events; the
# removed sequence ranges end where the kept ones begin, and trace2sqlite
# stores the same verdict. Then --max-size: the files stay under the bound.
# The directory first holds another trace: it is moved into DIR.old,
# whose file is neither counted against the bound nor removed.
. "$(dirname "$0")/lib.sh"
build_svc_guest 3000000
mkdir -p "$tmp/rec"
cp "$SRCDIR/tests/data/aarch64-boot.discon" "$tmp/rec/"
"$DISCON_RECORD" -o "$tmp/rec" --rotate-size 256K --max-files 3 -- "$QEMU" "${svc_guest_qemu[@]}" \
  -kernel "$tmp/guest.elf" >/dev/null 2>"$tmp/rec.err" || fail "discon-record: $(cat "$tmp/rec.err")"
mapfile -t files < <(ls "$tmp"/rec/*.discon)
expect_eq "files kept" 3 "${#files[@]}"
cmp -s "$SRCDIR/tests/data/aarch64-boot.discon" "$tmp/rec.old/aarch64-boot.discon" ||
  fail "the trace moved aside into rec.old was not kept whole"
expect_eq "files in rec.old" 1 "$(ls "$tmp"/rec.old | wc -l)"
last=$(basename "${files[2]}" .discon); last=$((10#${last##*-}))
[ "$last" -ge 5 ] || fail "too few rotations to remove anything: last file $last"
for i in 0 1 2; do
  expect_eq "kept file $i" "$(printf '%06d' $((last - 2 + i)))" "$(basename "${files[$i]}" .discon | sed 's/.*-//')"
done

"$REPORT" "$tmp/rec" >"$tmp/report.txt" 2>"$tmp/report.err" ||
  fail "discon-report exit $?: $(cat "$tmp/report.err")"
line=$(grep '^  complete ' "$tmp/report.txt")
t=$("$DISCON_DUMP" --format csv "$tmp/rec" | awk -F, '$1 == "event" && !($2 in first) { first[$2] = $5 }
  END { for (v in first) if (first[v] > m) m = first[v]; printf "%.6f", m }')
first_seq=$("$DISCON_DUMP" --format csv "$tmp/rec" | awk -F, '$1 == "event" && !n++ { print $3 }')
[[ $line == "  complete    since $t s: files 0..$((last - 3)) removed: vCPU 0 sequence 0..$((first_seq - 1)) "* ]] ||
  fail "the report says '$line'; want since $t s, files 0..$((last - 3)), vCPU 0 sequence 0..$((first_seq - 1))"
"$T2S" -o "$tmp/rec.db" "$tmp/rec" 2>"$tmp/t2s.err" || fail "trace2sqlite exit $?: $(cat "$tmp/t2s.err")"
expect_eq "traces.complete" 2 "$(sqlite3 "$tmp/rec.db" 'SELECT complete FROM traces')"
"$REPORT" "$tmp/rec.db" >"$tmp/db.txt" || fail "discon-report on the database"
expect_eq "the database's report" "$line" "$(grep '^  complete ' "$tmp/db.txt")"
echo "ok: --max-files 3: files $((last - 2))..$last remain; '${line#  complete    }'"

"$DISCON_RECORD" -o "$tmp/size" --max-size 1M -- "$QEMU" "${svc_guest_qemu[@]}" \
  -kernel "$tmp/guest.elf" >/dev/null 2>"$tmp/rec.err" || fail "discon-record --max-size: $(cat "$tmp/rec.err")"
bytes=$(cat "$tmp"/size/*.discon | wc -c)
[ "$bytes" -le $((1024 * 1024 + 64 * 1024)) ] || fail "--max-size 1M left $bytes bytes"
ls "$tmp"/size/*-000000.discon >/dev/null 2>&1 && fail "--max-size 1M removed nothing ($bytes bytes)"
"$REPORT" "$tmp/size" >"$tmp/size.txt" 2>&1 || fail "discon-report --max-size trace: $(cat "$tmp/size.txt")"
grep -q '^  complete    since ' "$tmp/size.txt" || fail "--max-size: $(grep complete "$tmp/size.txt")"
echo "ok: --max-size 1M: $bytes bytes in $(ls "$tmp"/size/*.discon | wc -l) files, complete since the oldest kept"
