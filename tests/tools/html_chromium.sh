#!/bin/bash
# discon-report --format html in headless Chromium (Debian's chromium,
# installed by scripts/setup): the page loads with no console message at
# all (a script, a network fetch or a style the page's
# Content-Security-Policy forbids would log one; a known-bad page proves
# the check sees them), its charts and table rows are there with the CSV
# report's counts, a hostile symbol file's names stay text, and a
# screenshot of each page is kept in $OUT (the meson build directory).
# Environment: REPORT, EDGE, SRCDIR, OUT.
set -euo pipefail
fail() { echo "FAIL: $*" >&2; exit 1; }
eq() { [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"; }
browser=$(command -v chromium || true)
[ -n "$browser" ] || { echo "SKIP: no chromium (scripts/setup installs Debian's chromium)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$EDGE" "$tmp"
mkdir -p "$OUT"

# PAGE -> its DOM in PAGE.dom, Chromium's log in PAGE.log, a screenshot in $OUT/NAME.png
load() {
    local page=$1 name=$2 flags=(--headless --disable-gpu --no-sandbox --hide-scrollbars
        --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0)
    timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" > "$page.dom" 2> "$page.log" ||
        fail "chromium could not load $page: $(tail -3 "$page.log")"
    timeout 120 "$browser" "${flags[@]}" --window-size=1100,2400 --screenshot="$OUT/$name.png" \
        "file://$page" > /dev/null 2>&1 || fail "chromium could not screenshot $page"
    [ -s "$OUT/$name.png" ] || fail "no screenshot of $page"
}
console() { grep ':CONSOLE' "$1.log" || true; }
count() { grep -o "$2" "$1.dom" | wc -l; }
section() { awk -v s="# $2" '$0 == s { on = 1; getline; next } on && /^$/ { exit } on' "$1"; }

# 0. The console check sees what the page's policy blocks.
printf '<!DOCTYPE html><meta http-equiv="Content-Security-Policy" content="default-src %s"><script>1</script>' \
    "'none'" > "$tmp/bad.html"
load "$tmp/bad.html" bad-control
[ -n "$(console "$tmp/bad.html")" ] || fail "a blocked script logged nothing: the console check is blind"
rm -f "$OUT/bad-control.png"

# 1. The x86_64 boot: charts and tables with the CSV's numbers.
boot=("$SRCDIR/tests/data/x86_64-boot" --symbols "$SRCDIR/tests/data/x86_64-boot.syms")
"$REPORT" --format csv "${boot[@]}" > "$tmp/x86.csv"
"$REPORT" --format html -o "$tmp/x86.html" "${boot[@]}"
load "$tmp/x86.html" html-x86_64-boot
eq "x86 console" "$(console "$tmp/x86.html")" ""
kinds=$(section "$tmp/x86.csv" trap_kinds | wc -l)
eq "rate chart" "$(count "$tmp/x86.html" '<svg id="rate-chart"')" 1
eq "rate lines" "$(count "$tmp/x86.html" 'class="rate-line"')" "$kinds"
eq "heat strip" "$(count "$tmp/x86.html" '<svg id="heat-strip"')" 1
eq "heat rows" "$(count "$tmp/x86.html" 'class="heat-row"')" \
   "$(section "$tmp/x86.csv" vcpus | awk -F, '$3 > 0' | wc -l)"
eq "kind rows" "$(grep -o 'class="kind-row" data-count="[0-9]*"' "$tmp/x86.html.dom" | grep -o '[0-9]*' | tr '\n' ' ')" \
   "$(section "$tmp/x86.csv" trap_kinds | cut -d, -f3 | tr '\n' ' ')"
eq "handler rows" "$(grep -o 'class="handler-row" data-count="[0-9]*"' "$tmp/x86.html.dom" | grep -o '[0-9]*' | tr '\n' ' ')" \
   "$(section "$tmp/x86.csv" handlers | cut -d, -f4 | tr '\n' ' ')"
eq "traps" "$(sed -n 's/.*id="traps">\([0-9]*\)<.*/\1/p' "$tmp/x86.html.dom")" \
   "$(awk -F, '$1 == "traps" { print $2 }' "$tmp/x86.csv")"
eq "tail rows" "$(count "$tmp/x86.html" 'class="tail-row"')" 20
eq "no script" "$(count "$tmp/x86.html" '<script')" 0
echo "ok: x86_64 boot page: $kinds kinds, charts and tables as the CSV ($(stat -c %s "$tmp/x86.html") bytes)"

# 2. Returns, and names that are markup: handler time, double traps, and
# symbols that would run a script or add an element if not escaped.
cat > "$tmp/hostile.syms" <<'SYMS'
ffff800010000000 T <script>document.title='pwned'</script>
ffff800010000200 T <img/src=x/onerror=document.title='pwned'>
ffff800010000400 T "><svg/onload=document.title='pwned'>
ffff800010001000 T &amp;not-an-entity
ffff800010002000 T end_of_vectors
SYMS
"$REPORT" --format csv --symbols "$tmp/hostile.syms" --kaslr-offset 0 "$tmp/returns-a64.discon" > "$tmp/r.csv"
"$REPORT" --format html -o "$tmp/r.html" --symbols "$tmp/hostile.syms" --kaslr-offset 0 \
    "$tmp/returns-a64.discon"
load "$tmp/r.html" html-returns-a64
eq "returns console" "$(console "$tmp/r.html")" ""
eq "handler-time chart" "$(count "$tmp/r.html" '<svg id="handler-time-chart"')" 1
eq "time rows" "$(count "$tmp/r.html" 'class="time-row"')" 3
eq "injected elements" "$(grep -c '<script\|<img\|<svg/' "$tmp/r.html.dom" || true)" 0
grep -q '<title>discon report' "$tmp/r.html.dom" || fail "the title changed"
grep -q '&lt;img/src=x/onerror=document.title=.pwned.&gt;' "$tmp/r.html.dom" ||
    fail "the hostile symbol is not shown as text"
grep -q '&amp;amp;not-an-entity' "$tmp/r.html" || fail "& not escaped"
eq "doubles" "$(sed -n 's/.*id="doubles-total" data-count="\([0-9]*\)".*/\1/p' "$tmp/r.html.dom")" \
   "$(grep -A1 '^rule,returns,' "$tmp/r.csv" | tail -1 | awk -F, '{ print $NF }')"

# 3. A trace whose target and host hold escape sequences: printable text.
"$REPORT" --format html -o "$tmp/h.html" "$tmp/hostile.discon" 2>/dev/null || true
[ -s "$tmp/h.html" ] || fail "no page for the hostile trace"
if LC_ALL=C grep -q $'\x1b' "$tmp/h.html"; then fail "an escape byte reached the page"; fi
load "$tmp/h.html" html-hostile
eq "hostile console" "$(console "$tmp/h.html")" ""
echo "ok: returns page (handler time, doubles), hostile names stay text; screenshots in $OUT"
