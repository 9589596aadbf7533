# tests/compat/wine.sh - sourced, not run: how the Windows legs start Wine,
# and whether this machine runs 32-bit x86 programs at all. Used by
# tests/compat/matrix.sh, tests/compat/libfacet_wine.sh,
# tests/compat/no32bit.sh and scripts/deps-compat.
#
#   wine_loader64                  the Wine loader for 64-bit programs
#   wineserver_of LOADER           the wineserver that goes with LOADER
#   wine_starts LOADER             whether LOADER starts (its error if not)
#   wine_prefix_ready LOADER LOG   creates $WINEPREFIX once, under the lock
#   i686_runs [CACHE]              whether 32-bit x86 programs run here

# Every Wine run of the tests: no debug channels, no Mono or Gecko install,
# and no winedbg on a crash. A program that crashes then ends at once, as on
# Windows with no debugger registered, instead of after the seconds winedbg
# takes to start, which on a busy machine outlasted the probe's 2-second
# timeout and turned "crashed" into "hung".
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=;winedbg.exe=d"

# Prints the Wine loader that starts 64-bit Windows programs directly.
# Debian's `wine` is a script that starts the 32-bit loader whenever
# wine32 is installed, for 64-bit programs too (that loader hands them on
# to wine64), so on a kernel that refuses 32-bit programs it starts
# nothing. Hence `wine64` on PATH (Fedora, Arch, WineHQ's packages), else
# Debian's /usr/lib/wine/wine64, and `wine` only for a Wine whose one
# loader runs both. Fails when there is no Wine at all.
wine_loader64() {
  local w
  for w in "$(command -v wine64)" /usr/lib/wine/wine64 "$(command -v wine)"; do
    if [ -n "$w" ] && [ -x "$w" ]; then
      echo "$w"
      return 0
    fi
  done
  return 1
}

# Prints the wineserver next to LOADER, else the one on PATH.
wineserver_of() {
  local dir
  dir=$(dirname "$1")
  if [ -x "$dir/wineserver" ]; then echo "$dir/wineserver"; else echo wineserver; fi
}

# Succeeds when `LOADER --version` runs; otherwise prints what it said.
wine_starts() {
  local said rc
  said=$("$1" --version 2>&1) && return 0
  rc=$?
  echo "\`$1 --version\` failed (exit status $rc): $(echo "$said" | tail -1 | sed "s|^.*$1: ||")"
  return 1
}

# Makes sure $WINEPREFIX (default ~/.wine) exists for LOADER: `wineboot
# --init`, quick when the prefix is ready, under the lock scripts/deps-compat
# holds while it creates the prefixes in the background, so that no prefix
# is created twice at once. Fails, with wineboot's output in LOG, when
# wineboot fails.
#
# The wineserver, and the services the first Wine program starts with it
# (services.exe, winedevice.exe, explorer.exe, ...), keep that program's
# stdout and stderr open for as long as the server lives. Were a test
# program the one to start them, ctest would wait on its output pipe until
# the server ended, which it never does while other tests keep it busy:
# the test "times out" after it passed. So the server is started here,
# before anything else, with its output going nowhere, and stays for
# FACET_WINESERVER_LINGER seconds (600) after its last program, longer
# than any gap in a run; the services are wineboot's children, whose output
# is LOG. When a server is already running (a leg beside this one started
# it the same way), `wineserver -p` ends at once and that one serves. Wine
# itself never gets the lock's descriptor: the services live as long as the
# server and would hold the lock with them.
wine_prefix_ready() {
  local wine=$1 log=$2
  (
    flock 9
    "$(wineserver_of "$wine")" -p"${FACET_WINESERVER_LINGER:-600}" </dev/null >/dev/null 2>&1 9>&-
    timeout 300 "$wine" wineboot --init 9>&-
  ) 9>"${TMPDIR:-/tmp}/facet-wineboot.lock" >"$log" 2>&1 || return 1
}

# Whether this machine runs 32-bit x86 programs, found by running one (a
# kernel may lack IA-32 emulation, or have it turned off, whatever /proc
# says): a static i686 program of a few instructions, assembled and linked
# by binutils with no C library, that writes "i686" and exits 0. Exit status
# 0 when it ran; otherwise 1, with the reason on stdout. With CACHE, the
# first answer is kept in that file and given again for the rest of the run.
# FACET_TEST_NO_32BIT=1 answers no without trying, to test the skip path on
# a machine that can run them (docs/testing.md).
i686_runs() {
  local cache=${1:-} answer
  if [ "${FACET_TEST_NO_32BIT:-}" = 1 ]; then
    echo "FACET_TEST_NO_32BIT=1 is set, so 32-bit x86 programs are treated as unable to run"
    return 1
  fi
  if [ -n "$cache" ] && [ -s "$cache" ]; then
    answer=$(cat "$cache")
  else
    answer=$(i686_try) && answer=yes
    if [ -n "$cache" ]; then
      printf '%s\n' "$answer" >"$cache.$$" && mv "$cache.$$" "$cache"
    fi
  fi
  [ "$answer" = yes ] && return 0
  echo "$answer"
  return 1
}

# The attempt itself, for i686_runs.
i686_try() {
  local dir said rc
  case $(uname -m) in
  x86_64 | i?86) ;;
  *)
    echo "this is not an x86 machine ($(uname -m))"
    return 1
    ;;
  esac
  dir=$(mktemp -d "${TMPDIR:-/tmp}/facet-i686.XXXXXX") || return 1
  cat >"$dir/i686.s" <<'ASM'
        .globl _start
_start: movl $4, %eax           # write(1, text, 5)
        movl $1, %ebx
        movl $text, %ecx
        movl $5, %edx
        int $0x80
        movl $1, %eax           # exit(0)
        xorl %ebx, %ebx
        int $0x80
        .data
text:   .ascii "i686\n"
ASM
  if ! { as --32 -o "$dir/i686.o" "$dir/i686.s" && ld -m elf_i386 -static -o "$dir/i686" "$dir/i686.o"; } \
    >"$dir/build.log" 2>&1; then
    echo "a static i686 test program could not be built to find out: $(head -1 "$dir/build.log")"
    rm -rf "$dir"
    return 1
  fi
  said=$("$dir/i686" 2>"$dir/err")
  rc=$?
  if [ $rc -eq 0 ] && [ "$said" = i686 ]; then
    rm -rf "$dir"
    return 0
  fi
  said=$(sed "s|^.*$dir/i686: ||" "$dir/err" | head -1)
  echo "this kernel does not run 32-bit x86 programs: a static i686 program gave" \
    "\"${said:-no output}\" (exit status $rc)"
  rm -rf "$dir"
  return 1
}
