#!/usr/bin/env bash
# The conventions of the installed tools, after `meson install --destdir`:
# every program in bin/ answers --version (exit 0, one line "NAME VERSION")
# and --help (exit 0, its usage on stdout); each has a man page that
# `man` finds and renders from the install tree's MANPATH, and a bash
# completion that completes its options.   BUILD_ROOT, VERSION, MAN.
set -euo pipefail
for v in $(env | sed -n 's/^\(DISCON_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
[ "$MAN" = true ] || { echo "SKIP: man pages not built (-Dman=disabled or no scdoc)"; exit 77; }
command -v man >/dev/null || { echo "SKIP: no man (Debian man-db; scripts/setup installs it)"; exit 77; }

meson install -C "$BUILD_ROOT" --destdir "$tmp/dest" --no-rebuild --quiet >/dev/null
bindir=$(dirname "$(find "$tmp/dest" -path '*/bin/discon-report')")
lib=$(find "$tmp/dest" -name 'libdiscon-trace.so.2')
export LD_LIBRARY_PATH=$(dirname "$lib")
mandir=$(dirname "$(dirname "$(find "$tmp/dest" -name 'discon-record.1')")")
[ -d "$mandir" ] || fail "no man page installed"
compdir=$(dirname "$(find "$tmp/dest" -path '*/bash-completion/completions/discon-record')")
[ -d "$compdir" ] || fail "no bash completion installed"

tools=0
for exe in "$bindir"/*; do
  name=$(basename "$exe")
  tools=$((tools + 1))
  out=$("$exe" --version) || fail "$name --version: exit $?"
  [ "$out" = "$name $VERSION" ] || fail "$name --version said '$out', not '$name $VERSION'"
  "$exe" --help >"$tmp/help" || fail "$name --help: exit $?"
  grep -q "usage: $name" "$tmp/help" || fail "$name --help prints no usage"
  grep -q -- '--version' "$tmp/help" || fail "$name --help does not name --version"
  # man on the installed page by name, as a user runs it (no -l).
  MANPATH=$mandir MANWIDTH=80 man "$name" >"$tmp/man" 2>"$tmp/man.err" ||
    fail "man $name: $(cat "$tmp/man.err")"
  grep -q "^NAME" "$tmp/man" && grep -q "^SYNOPSIS" "$tmp/man" && grep -q -- "--version" "$tmp/man" ||
    fail "man $name lacks NAME, SYNOPSIS or --version"
  grep -q "$name - " "$tmp/man" || fail "man $name does not name $name"
  # Every long option the tool's --help names is in its man page.
  for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$tmp/help" | sort -u); do
    grep -q -- "$opt" "$tmp/man" || fail "man $name does not document $opt"
  done
  # A mistyped option or one missing its value: exit 2 and one line that
  # names it under the tool's own name, not getopt's message and the usage.
  for bad in --no-such-option --output; do
    set +e; "$exe" $bad >"$tmp/bad.out" 2>"$tmp/bad.err"; rc=$?; set -e
    [ "$rc" = 2 ] || fail "$name $bad: exit $rc, expected 2"
    [ ! -s "$tmp/bad.out" ] || fail "$name $bad wrote to stdout"
    [ "$(wc -l <"$tmp/bad.err")" = 1 ] ||
      fail "$name $bad: $(wc -l <"$tmp/bad.err") lines on stderr, not one: $(head -n3 "$tmp/bad.err")"
    grep -q "^$name: .*$bad ($name --help)\$" "$tmp/bad.err" ||
      fail "$name $bad: the line does not name the option and the help: $(cat "$tmp/bad.err")"
  done
  # The completion, loaded as bash-completion loads it, offers its options.
  comp=$(bash -c 'source "$1"; COMP_WORDS=("$2" --ver); COMP_CWORD=1; PATH=$3:$PATH; _discon;
                  printf "%s\n" "${COMPREPLY[@]}"' _ "$compdir/$name" "$name" "$bindir")
  [ "$comp" = "--version" ] || fail "completing '$name --ver' gave '$comp'"
done
[ "$tools" -ge 5 ] || fail "only $tools programs installed"
# A value from a fixed set.
comp=$(bash -c 'source "$1"; COMP_WORDS=(discon-report --format j); COMP_CWORD=2; _discon;
                printf "%s\n" "${COMPREPLY[@]}"' _ "$compdir/discon-report")
[ "$comp" = json ] || fail "completing '--format j' gave '$comp'"
# Every value a tool accepts is offered: discon-report's every format, the
# event types of --types/--type (discon-dump --type takes each; its help,
# error and man page name each), a file (not only a directory) for the
# report's -o.
complete_one() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _discon;
           printf "%s\n" "${COMPREPLY[@]}"' _ "$compdir/$1" "$@"
}
for f in html perfetto; do
  comp=$(complete_one discon-report --format "${f:0:2}")
  [ "$comp" = "$f" ] || fail "completing 'discon-report --format ${f:0:2}' gave '$comp', not $f"
done
"$bindir/discon-dump" --type bogus x 2>"$tmp/type.err" && fail "discon-dump --type bogus accepted"
MANPATH=$mandir MANWIDTH=80 man discon-dump >"$tmp/man.dump" 2>/dev/null
"$bindir/discon-dump" --help >"$tmp/help.dump"
for t in interrupt exception hostcall return syscall; do
  "$bindir/discon-dump" --type "$t" /nonexistent 2>"$tmp/err" ||
    ! grep -q -- "--type" "$tmp/err" || fail "discon-dump --type $t refused: $(cat "$tmp/err")"
  grep -q "\b$t\b" "$tmp/type.err" || fail "discon-dump's --type error does not name $t"
  grep -A2 -- '--type LIST' "$tmp/help.dump" | grep -q "\b$t\b" ||
    fail "discon-dump --help: --type does not name $t"
  grep -A3 -- '--type LIST' "$tmp/man.dump" | grep -q "\b$t\b" ||
    fail "man discon-dump: --type does not name $t"
  for tool in discon-dump:--type discon-record:--types; do
    comp=$(complete_one "${tool%%:*}" "${tool#*:}" "${t:0:3}")
    [ "$comp" = "$t" ] || fail "completing '${tool%%:*} ${tool#*:} ${t:0:3}' gave '$comp', not $t"
  done
done
touch "$tmp/report-out.txt"
comp=$(cd "$tmp" && complete_one discon-report -o report-o)
[ "$comp" = report-out.txt ] || fail "completing 'discon-report -o report-o' gave '$comp', not the file"
echo "ok: $tools installed programs answer --version and --help; man and completion for each (values included)"
