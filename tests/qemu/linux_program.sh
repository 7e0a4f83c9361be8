# Sourced (bash) by getppid_linux.sh, getppid_x86_64.sh and bench/run:
# static Linux programs for aarch64, riscv64 and x86_64 guests, written in
# assembly, and the numbers they use, taken from the Linux UAPI headers
# Debian ships for each architecture (linux-libc-dev-arm64-cross,
# linux-libc-dev-riscv64-cross, and the host's own linux-libc-dev for
# x86_64), never typed by hand. Only functions; a failure is one line on stderr and status 1.

# linux_cpp ARCH [CPP-ARGS...]: the host's C preprocessor as for a .S file
# of ARCH (aarch64 or riscv64), with only ARCH's cross headers on the path
# (-nostdinc -undef keep the host's own headers and __x86_64__ out), so
# <asm/unistd.h> gives ARCH's system-call numbers. Input on stdin or a file
# among CPP-ARGS; output on stdout.
linux_cpp() {
  local arch=$1 define pkg inc=()
  shift
  case $arch in
    aarch64) define=-D__aarch64__ pkg=linux-libc-dev-arm64-cross inc=(-I/usr/$arch-linux-gnu/include) ;;
    riscv64) define=-D__riscv pkg=linux-libc-dev-riscv64-cross inc=(-I/usr/$arch-linux-gnu/include) ;;
    # The host is x86_64: its own UAPI headers, asm/ under the multiarch dir.
    x86_64) define=-D__x86_64__ pkg=linux-libc-dev inc=(-I/usr/include/x86_64-linux-gnu -I/usr/include) ;;
    *) echo "linux_cpp: unknown architecture '$arch' (aarch64, riscv64 or x86_64)" >&2; return 1 ;;
  esac
  local d found=
  for d in "${inc[@]}"; do [ -r "${d#-I}/asm/unistd.h" ] && found=1; done
  [ -n "$found" ] || { echo "linux_cpp: no asm/unistd.h for $arch (Debian package $pkg)" >&2; return 1; }
  cpp -undef -nostdinc -P -x assembler-with-cpp "${inc[@]}" "$define" -D__ASSEMBLY__ \
    -D__LP64__ -D__CHAR_BIT__=8 -D__SIZEOF_LONG__=8 "$@"
}

# linux_nr ARCH NAME: prints ARCH's number of system call NAME (getppid).
linux_nr() {
  local nr
  nr=$(printf '#include <asm/unistd.h>\ndiscon_nr __NR_%s\n' "$2" | linux_cpp "$1" - |
    awk '$1 == "discon_nr" { print $2 }') || return 1
  [[ $nr =~ ^[0-9]+$ ]] || { echo "linux_nr: $1 has no system call '$2'" >&2; return 1; }
  echo "$nr"
}

# assemble_linux ARCH SRC.S OUT [CPP-ARGS...]: SRC.S preprocessed by
# linux_cpp (CPP-ARGS such as -DGETPPID_CALLS=100000), assembled and linked
# with Debian's cross binutils into the static executable OUT (entry
# _start). Temporary files beside OUT.
assemble_linux() {
  local arch=$1 src=$2 out=$3
  shift 3
  linux_cpp "$arch" "$@" "$src" >"$out.s" || { echo "assemble_linux: cpp failed on $src" >&2; return 1; }
  "$arch-linux-gnu-as" -o "$out.o" "$out.s" &&
    "$arch-linux-gnu-ld" -static -e _start -o "$out" "$out.o" ||
    { echo "assemble_linux: $arch-linux-gnu-as/ld failed on $src" >&2; return 1; }
  rm -f "$out.s" "$out.o"
}
