#!/usr/bin/env bash
# tests/compat/matrix.sh - builds the probe host and component with every
# compiler of one platform leg and runs every host against every component.
#
#   matrix.sh linux|win64|win32 SOURCE_DIR PROBE_HEADER_DIR OUT_DIR
#   matrix.sh judge SOURCE_DIR - OUT_DIR   (checks how cells are judged)
#
# Components built elsewhere join where the build has them: on Linux the Go
# and Rust ones that tests/go builds (FACET_COMPAT_GO_COMPONENT,
# FACET_COMPAT_RUST_COMPONENT: their paths), on win64 the Go one,
# cross-built here by go with MinGW's cgo (FACET_COMPAT_GO: the go command;
# FACET_COMPAT_GO_DIR: the build's Go module, with probe_component_go and
# the probe package in it).
#
# Writes OUT_DIR/<leg>/results.tsv (platform, host, component, status,
# detail) and a log per build and per cell, and exits 0 when every cell
# passes (for win32, when every negative build is caught too), 1 when one
# fails or the leg cannot start its programs, and 77 (ctest's skip) when
# the leg's toolchain is missing or, for win32, when this machine does not
# run 32-bit x86 programs, with the reason on stdout.
# tests/compat/report.sh turns the results into docs/compatibility.md.
set -uo pipefail

leg=$1 src=$2 gen=$3 root=$4 out=$4/$1
compat=$src/tests/compat
. "$compat/wine.sh"
rm -rf "$out"
mkdir -p "$out"
results=$out/results.tsv
: >"$results"
failures=0
cell_timeout=60

inc=(-I"$src/include" -I"$gen" -I"$compat")
warn=(-Wall -Wextra -Werror)
cflags=(-std=c99 -O2 "${inc[@]}")
cxxflags=(-std=c++11 -O2 -fno-exceptions -fno-rtti "${inc[@]}")

skip() {
  echo "SKIPPED: $*"
  printf '%s\t-\t-\tskipped\t%s\n' "$leg" "$*" >>"$results"
  exit 77
}

# broken REASON: the leg cannot run its programs on a machine that should.
broken() {
  echo "FAILED: $*"
  printf '%s\t-\t-\tFAIL\t%s\n' "$leg" "$*" >>"$results"
  exit 1
}

need() {
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/deps-compat installs it)"
  done
}

# build NAME COMMAND...: runs a compile or link, logging it.
built=()
build() {
  local name=$1
  shift
  if "$@" >"$out/build-$name.log" 2>&1; then
    built+=("$name")
    return 0
  fi
  echo "build of $name failed:"
  sed 's/^/    /' "$out/build-$name.log"
  failures=$((failures + 1))
  return 1
}

is_built() {
  local b
  for b in "${built[@]}"; do [ "$b" = "$1" ] && return 0; done
  return 1
}

# A freestanding Windows import library for kernel32, from kernel32.def.
kernel32_lib() { # machine file
  if [ "$1" = i386 ]; then
    llvm-dlltool -m i386 -k -d "$compat/kernel32.def" -l "$2"
  else
    sed 's/@[0-9]*$//' "$compat/kernel32.def" >"$out/kernel32-64.def"
    llvm-dlltool -m i386:x86-64 -d "$out/kernel32-64.def" -l "$2"
  fi
}

# msvc_cc TARGET OUT.obj SOURCE [FLAGS...]: clang for the MSVC ABI, no SDK.
msvc_cc() {
  local target=$1 obj=$2 file=$3
  shift 3
  local driver=clang std=(-std=c99)
  case $file in *.cpp) driver=clang++ std=(-std=c++11 -fno-exceptions -fno-rtti) ;; esac
  $driver --target="$target" -ffreestanding -fno-stack-protector -mno-stack-arg-probe \
    "${std[@]}" -O2 "${inc[@]}" "${warn[@]}" "$@" -c "$file" -o "$obj"
}

msvc_host() { # target machine out
  local target=$1 machine=$2 exe=$3 o=$out/obj-host-$1
  mkdir -p "$o"
  kernel32_lib "$machine" "$o/kernel32.lib" &&
    msvc_cc "$target" "$o/host.obj" "$compat/probe_host.c" &&
    msvc_cc "$target" "$o/os.obj" "$compat/probe_os_win32.c" -DPROBE_FREESTANDING &&
    msvc_cc "$target" "$o/crt.obj" "$compat/probe_freestanding.c" &&
    lld-link /nologo /nodefaultlib /subsystem:console /entry:mainCRTStartup \
      "/out:$exe" "$o/host.obj" "$o/os.obj" "$o/crt.obj" "$o/kernel32.lib"
}

msvc_component() { # target source out [flags...]
  local target=$1 file=$2 dll=$3
  shift 3
  local o=$out/obj-$(basename "$dll" .dll)
  mkdir -p "$o"
  msvc_cc "$target" "$o/component.obj" "$file" "$@" &&
    msvc_cc "$target" "$o/crt.obj" "$compat/probe_freestanding.c" &&
    lld-link /nologo /nodefaultlib /dll /noentry "/out:$dll" "$o/component.obj" "$o/crt.obj"
}

# run_cell HOST COMPONENT EXPECT: runs one pair and records it. EXPECT is
# "pass", or, for a negative build, the conforming component it was made
# from: its positive control. A negative cell is "caught" only when the
# host started (it printed its compiler), and then reported the stack drift
# (RESULT line, exit status 3) or crashed without a result; a timeout, a
# program that could not be started or a load failure is not a catch. And
# it counts only when its positive control, the same host with the
# conforming component, passed earlier in this run: a host that cannot run
# at all fails the control, so a broken machine never reads as a catch.
run_cell() {
  local host=$1 comp=$2 expect=$3 log=$out/run-$1--$2.log status detail rc
  case $leg in
  win*) (cd "$out" && timeout "$cell_timeout" "$wine" "host-$host.exe" "component-$comp.dll") >"$log" 2>&1 ;;
  *) (cd "$out" && timeout "$cell_timeout" "./host-$host" "./component-$comp.so") >"$log" 2>&1 ;;
  esac
  rc=$?
  tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
  detail=$(grep -m1 '^RESULT:' "$log" | sed 's/^RESULT: //')
  if [ "$expect" = pass ]; then
    if [ $rc -eq 0 ] && grep -q '^RESULT: PASS' "$log"; then
      status=pass
    else
      status=FAIL
      [ -n "$detail" ] || detail="no result: $(exit_text $rc)"
    fi
  elif ! passed "$host" "$expect"; then
    status=FAIL detail="not judged: its positive control, $host x $expect, did not pass in this run"
  elif ! grep -q '^host compiler:' "$log"; then
    status=FAIL detail="NOT CAUGHT: the host did not start ($(exit_text $rc))"
  elif [ $rc -eq 3 ] && grep -q '^RESULT: FAIL stack pointer moved' "$log"; then
    status=caught detail="stack drift: $detail"
  elif [ -z "$detail" ] && [ $rc -ne 0 ] && ! not_a_crash $rc; then
    status=caught
    if grep -q '^FAIL stack:' "$log"; then
      detail="stack drift in $(grep -c '^FAIL stack:' "$log") calls, then the host crashed (exit status $rc)"
    else
      detail="the host crashed (exit status $rc)"
    fi
  else
    status=FAIL detail="NOT CAUGHT ($(exit_text $rc)): ${detail:-no result line}"
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$leg" "$host" "$comp" "$status" "$detail" >>"$results"
  printf '  %-14s x %-16s %-7s %s\n' "$host" "$comp" "$status" "$detail"
  if [ "$status" = FAIL ]; then
    failures=$((failures + 1))
    sed 's/^/    | /' "$log" | grep -v '^    |   ' | head -40
  fi
}

# passed HOST COMPONENT: whether that cell passed earlier in this run.
passed() {
  awk -F'\t' -v h="$1" -v c="$2" '$2 == h && $3 == c && $4 == "pass" { found = 1 } END { exit !found }' "$results"
}

# Exit statuses that say the program never ran to a crash of its own:
# timeout's 124 (time up), 125 (timeout failed), 126 (could not execute),
# 127 (not found), 137 (killed).
not_a_crash() {
  case $1 in 124 | 125 | 126 | 127 | 137) return 0 ;; esac
  return 1
}

exit_text() {
  case $1 in
  124) echo "timed out after $cell_timeout s" ;;
  126) echo "exit status 126: could not be executed" ;;
  127) echo "exit status 127: not found" ;;
  *) echo "exit status $1" ;;
  esac
}

# cell HOST COMPONENT EXPECT: runs the pair, or records that it could not
# be built (the build failure is already counted).
cell() {
  local h=$1 c=$2 missing=
  is_built "host-$h" || missing="host-$h"
  is_built "component-$c" || missing="$missing component-$c"
  if [ -n "$missing" ]; then
    printf '%s\t%s\t%s\tbuild-failed\tdid not build: %s\n' "$leg" "$h" "$c" "$missing" >>"$results"
  else
    run_cell "$h" "$c" "$3"
  fi
}

# run_all HOSTS... -- COMPONENTS... [-- NEGATIVE:CONTROL...]: every host
# with every component, then with every negative build, each named with
# the conforming component that is its positive control.
run_all() {
  local hosts=() comps=() negs=() part=0 h c
  for a in "$@"; do
    if [ "$a" = -- ]; then part=$((part + 1)); continue; fi
    case $part in 0) hosts+=("$a") ;; 1) comps+=("$a") ;; 2) negs+=("$a") ;; esac
  done
  for h in "${hosts[@]}"; do
    for c in "${comps[@]}"; do cell "$h" "$c" pass; done
    for c in "${negs[@]}"; do cell "$h" "${c%%:*}" "${c#*:}"; done
  done
}

case $leg in
linux)
  need gcc clang tcc g++ clang++
  so=(-shared -fPIC -fvisibility=hidden)
  build host-gcc gcc "${cflags[@]}" "${warn[@]}" "$compat/probe_host.c" "$compat/probe_os_posix.c" -ldl -o "$out/host-gcc"
  build host-clang clang "${cflags[@]}" "${warn[@]}" "$compat/probe_host.c" "$compat/probe_os_posix.c" -ldl -o "$out/host-clang"
  build host-tcc tcc "${cflags[@]}" -Wall "$compat/probe_host.c" "$compat/probe_os_posix.c" -ldl -o "$out/host-tcc"
  build component-gcc gcc "${cflags[@]}" "${warn[@]}" "${so[@]}" "$compat/probe_component.c" -o "$out/component-gcc.so"
  build component-clang clang "${cflags[@]}" "${warn[@]}" "${so[@]}" "$compat/probe_component.c" -o "$out/component-clang.so"
  build component-tcc tcc "${cflags[@]}" -Wall -shared "$compat/probe_component.c" -o "$out/component-tcc.so"
  build component-g++ g++ "${cxxflags[@]}" "${warn[@]}" "${so[@]}" "$compat/probe_component.cpp" -o "$out/component-g++.so"
  build component-clang++ clang++ "${cxxflags[@]}" "${warn[@]}" "${so[@]}" "$compat/probe_component.cpp" -o "$out/component-clang++.so"
  others=()
  for lang in go rust; do
    var=FACET_COMPAT_${lang^^}_COMPONENT
    if [ -n "${!var:-}" ]; then
      build "component-$lang" cp "${!var}" "$out/component-$lang.so" && others+=("$lang")
    fi
  done
  run_all gcc clang tcc -- gcc clang tcc g++ clang++ "${others[@]}"
  ;;
win64 | win32)
  if [ "$leg" = win64 ]; then
    mingw=x86_64-w64-mingw32 target=x86_64-pc-windows-msvc machine=i386:x86-64
  else
    mingw=i686-w64-mingw32 target=i686-pc-windows-msvc machine=i386
  fi
  need "$mingw-gcc" "$mingw-g++" clang clang++ lld-link llvm-dlltool
  mw=(-static-libgcc)
  build host-mingw-gcc "$mingw-gcc" "${cflags[@]}" "${warn[@]}" "${mw[@]}" "$compat/probe_host.c" "$compat/probe_os_win32.c" -o "$out/host-mingw-gcc.exe"
  build host-clang-msvc msvc_host "$target" "$machine" "$out/host-clang-msvc.exe"
  build component-mingw-gcc "$mingw-gcc" "${cflags[@]}" "${warn[@]}" "${mw[@]}" -shared "$compat/probe_component.c" -o "$out/component-mingw-gcc.dll"
  build component-mingw-g++ "$mingw-g++" "${cxxflags[@]}" "${warn[@]}" "${mw[@]}" -static-libstdc++ -shared "$compat/probe_component.cpp" -o "$out/component-mingw-g++.dll"
  build component-clang-msvc msvc_component "$target" "$compat/probe_component.c" "$out/component-clang-msvc.dll"
  build component-clang++-msvc msvc_component "$target" "$compat/probe_component.cpp" "$out/component-clang++-msvc.dll"
  others=()
  if [ "$leg" = win64 ] && [ -n "${FACET_COMPAT_GO:-}" ] && [ -d "${FACET_COMPAT_GO_DIR:-}/probe_component_go" ]; then
    build component-go env -C "$FACET_COMPAT_GO_DIR" GOOS=windows GOARCH=amd64 CGO_ENABLED=1 \
      CC="$mingw-gcc" GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local \
      GOCACHE="$FACET_COMPAT_GO_DIR/../go-cache-$leg" \
      CGO_CFLAGS="-I$src/include -I$compat -I$FACET_COMPAT_GO_DIR/probe -O2" \
      "$FACET_COMPAT_GO" build -buildmode=c-shared -o "$out/component-go.dll" ./probe_component_go &&
      others+=(go)
  fi
  negs=()
  if [ "$leg" = win32 ]; then
    # Negative builds: FACET_CALL left out of the component's methods.
    build component-mingw-gcc-nostdcall "$mingw-gcc" "${cflags[@]}" "${warn[@]}" "${mw[@]}" -shared -DPROBE_OMIT_FACET_CALL "$compat/probe_component.c" -o "$out/component-mingw-gcc-nostdcall.dll"
    build component-clang-msvc-nostdcall msvc_component "$target" "$compat/probe_component.c" "$out/component-clang-msvc-nostdcall.dll" -DPROBE_OMIT_FACET_CALL
    negs=(-- mingw-gcc-nostdcall:mingw-gcc clang-msvc-nostdcall:clang-msvc)
  fi
  if [ "$leg" = win32 ]; then
    # Found out once per run (test_compat_clean empties OUT_DIR), by
    # running a 32-bit program: a kernel may refuse them all.
    if ! why=$(i686_runs "$root/i686.txt"); then
      if [ $failures -ne 0 ]; then echo "$leg: $failures builds failed"; exit 1; fi
      skip "every program built, none run: $why"
    fi
    # Debian's 32-bit loader (installed, or unpacked by scripts/deps-compat
    # when apt could not install wine32:i386), in a 32-bit prefix of its own.
    wine=/usr/lib/wine/wine
    [ -x "$wine" ] || wine=${FACET_DEPS_DIR:-/var/cache/facet-deps}/wine32-root/usr/lib/wine/wine
    if [ ! -x "$wine" ]; then
      why="every program built, none run: wine32 (i386) is not installed, so 32-bit Windows programs cannot run"
      if [ $failures -ne 0 ]; then echo "$leg: $failures builds failed (and wine32 is missing)"; exit 1; fi
      log=${FACET_DEPS_COMPAT_LOG:-/var/tmp/facet-deps-compat.log}
      if [ -s "$log" ] && grep -q '^E:' "$log"; then
        why="$why; apt said: $(grep '^E:' "$log" | head -3 | tr '\n' ' ')"
      fi
      skip "$why"
    fi
    export WINEARCH=win32 WINEPREFIX=${FACET_WINE32_PREFIX:-$HOME/.wine-facet32}
  else
    wine=$(wine_loader64) || skip "Wine is not installed (scripts/deps-compat installs wine64)"
  fi
  # From here on this machine should run the leg: a Wine that does not
  # start is a failure, not a skip.
  why=$(wine_starts "$wine") || broken "$why"
  echo "wine: $("$wine" --version) ($wine, prefix ${WINEPREFIX:-$HOME/.wine})" >"$out/wine.txt"
  wine_prefix_ready "$wine" "$out/wineboot.log" ||
    broken "\`$wine wineboot --init\` failed: $(tail -1 "$out/wineboot.log")"
  run_all mingw-gcc clang-msvc -- mingw-gcc clang-msvc mingw-g++ clang++-msvc "${others[@]}" "${negs[@]}"
  ;;
judge)
  # The judging itself, with hosts that are shell scripts acting out each
  # way a cell can end: a catch must come from a host that ran, next to a
  # control that passed; a host that cannot start, hangs or cannot load
  # the component is never a catch.
  cell_timeout=2
  fake_host() { # NAME BODY: a host that passes with a conforming component
    printf '#!/bin/sh\necho "host compiler: sh"\ncase $1 in *nostdcall*) %s ;; esac\necho "RESULT: PASS 1 checks"\n' \
      "$2" >"$out/host-$1" && chmod +x "$out/host-$1"
  }
  build host-drifts fake_host drifts 'echo "RESULT: FAIL stack pointer moved in 3 calls"; exit 3'
  build host-crashes fake_host crashes 'echo "FAIL stack: Add"; sh -c "kill -SEGV \$\$"; exit $?'
  build host-hangs fake_host hangs 'exec sleep 30'
  build host-noload fake_host noload 'echo "RESULT: FAIL cannot load $1: wrong ELF class"; exit 2'
  build host-lies fake_host lies 'exit 0'
  # What a kernel without 32-bit support does with a 32-bit host: it is no
  # program at all (timeout's execvp hands it to sh, which stops at once).
  build host-dead sh -c 'printf "\177ELF\001\001\001\000(\000)\n" >"$1" && chmod +x "$1"' sh "$out/host-dead"
  build component-c touch "$out/component-c.so"
  build component-c-nostdcall touch "$out/component-c-nostdcall.so"
  run_all drifts crashes hangs noload lies dead -- c -- c-nostdcall:c >/dev/null
  bad=0
  while read -r host comp want; do
    got=$(awk -F'\t' -v h="$host" -v c="$comp" '$2 == h && $3 == c { print $4 }' "$results")
    if [ "$got" = "$want" ]; then
      echo "  $host x $comp: $got, as it must be"
    else
      echo "  $host x $comp: ${got:-not run}, but it must be $want:"
      sed 's/^/    | /' "$out/run-$host--$comp.log"
      bad=$((bad + 1))
    fi
  done <<'CELLS'
drifts c pass
drifts c-nostdcall caught
crashes c pass
crashes c-nostdcall caught
hangs c pass
hangs c-nostdcall FAIL
noload c pass
noload c-nostdcall FAIL
lies c pass
lies c-nostdcall FAIL
dead c FAIL
dead c-nostdcall FAIL
CELLS
  [ $bad -eq 0 ] || { echo "judge: $bad cells judged wrongly"; exit 1; }
  echo "judge: every cell judged as it must be"
  exit 0
  ;;
*)
  echo "usage: matrix.sh linux|win64|win32|judge SOURCE_DIR PROBE_HEADER_DIR OUT_DIR" >&2
  exit 2
  ;;
esac

cells=$(wc -l <"$results")
if [ $failures -ne 0 ]; then
  echo "$leg: $failures of $cells failed"
  exit 1
fi
echo "$leg: all $cells cells as expected"
