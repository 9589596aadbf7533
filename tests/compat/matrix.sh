#!/usr/bin/env bash
# tests/compat/matrix.sh - builds the probe host and component with every
# compiler of one platform leg and runs every host against every component.
#
#   matrix.sh linux|win64|win32 SOURCE_DIR PROBE_HEADER_DIR OUT_DIR
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
# fails, and 77 (ctest's skip) when the leg's toolchain is missing, with the
# reason on stdout. tests/compat/report.sh turns the results into
# docs/compatibility.md.
set -uo pipefail

leg=$1 src=$2 gen=$3 out=$4/$1
compat=$src/tests/compat
rm -rf "$out"
mkdir -p "$out"
results=$out/results.tsv
: >"$results"
failures=0

inc=(-I"$src/include" -I"$gen" -I"$compat")
warn=(-Wall -Wextra -Werror)
cflags=(-std=c99 -O2 "${inc[@]}")
cxxflags=(-std=c++11 -O2 -fno-exceptions -fno-rtti "${inc[@]}")

skip() {
  echo "SKIPPED: $*"
  printf '%s\t-\t-\tskipped\t%s\n' "$leg" "$*" >>"$results"
  exit 77
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
# "pass", or "caught" for a negative build, which must be caught by the
# stack check (RESULT line naming the stack) or crash the host.
run_cell() {
  local host=$1 comp=$2 expect=$3 log=$out/run-$1--$2.log status detail rc
  if [ "$leg" = linux ]; then
    (cd "$out" && timeout 60 "./host-$host" "./component-$comp.so") >"$log" 2>&1
    rc=$?
  else
    (cd "$out" && timeout 60 "$wine" "host-$host.exe" "component-$comp.dll") >"$log" 2>&1
    rc=$?
  fi
  tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
  detail=$(grep -m1 '^RESULT:' "$log" | sed 's/^RESULT: //')
  if [ "$expect" = pass ]; then
    if [ $rc -eq 0 ] && grep -q '^RESULT: PASS' "$log"; then
      status=pass
    else
      status=FAIL
      [ -n "$detail" ] || detail="no result: the host died with exit status $rc"
    fi
  else
    if grep -q '^RESULT: FAIL stack pointer moved' "$log"; then
      status=caught detail="stack drift: $detail"
    elif [ -z "$detail" ] && [ $rc -ne 0 ] && grep -q '^FAIL stack:' "$log"; then
      status=caught
      detail="stack drift in $(grep -c '^FAIL stack:' "$log") calls, then the host crashed (exit status $rc)"
    elif [ -z "$detail" ] && [ $rc -ne 0 ]; then
      status=caught detail="the host crashed (exit status $rc)"
    else
      status=FAIL detail="NOT CAUGHT (exit status $rc): ${detail:-no result line}"
    fi
  fi
  printf '%s\t%s\t%s\t%s\t%s\n' "$leg" "$host" "$comp" "$status" "$detail" >>"$results"
  printf '  %-14s x %-16s %-7s %s\n' "$host" "$comp" "$status" "$detail"
  if [ "$status" = FAIL ]; then
    failures=$((failures + 1))
    sed 's/^/    | /' "$log" | grep -v '^    |   ' | head -40
  fi
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

run_all() { # hosts... -- components... [-- negative components...]
  local hosts=() comps=() negs=() part=0 h c
  for a in "$@"; do
    if [ "$a" = -- ]; then part=$((part + 1)); continue; fi
    case $part in 0) hosts+=("$a") ;; 1) comps+=("$a") ;; 2) negs+=("$a") ;; esac
  done
  for h in "${hosts[@]}"; do
    for c in "${comps[@]}"; do cell "$h" "$c" pass; done
    for c in "${negs[@]}"; do cell "$h" "$c" caught; done
  done
}

# wine_ready: picks the Wine for the leg and makes sure its prefix exists.
# The 64-bit leg uses `wine` and its usual prefix; the 32-bit leg runs
# Debian's 32-bit loader (installed, or unpacked by scripts/deps-compat when
# apt could not install wine32:i386) in a 32-bit prefix of its own.
wine_ready() {
  export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
  if [ "$leg" = win32 ]; then
    wine=$wine32
    export WINEARCH=win32 WINEPREFIX=${FACET_WINE32_PREFIX:-$HOME/.wine-facet32}
  else
    need wine
    wine=wine
  fi
  echo "wine: $("$wine" --version 2>/dev/null) ($wine, prefix ${WINEPREFIX:-$HOME/.wine})" >"$out/wine.txt"
  # The lock keeps legs (and scripts/deps-compat's background run) from
  # creating one prefix twice at once. Quick when the prefix is ready.
  (
    flock 9
    timeout 300 "$wine" wineboot --init >"$out/wineboot.log" 2>&1
  ) 9>"${TMPDIR:-/tmp}/facet-wineboot.lock"
  # One server for every cell, kept for 10 s after the last.
  "$(dirname "$(command -v "$wine")")/wineserver" -p 10 >/dev/null 2>&1 || true
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
    negs=(-- mingw-gcc-nostdcall clang-msvc-nostdcall)
  fi
  wine32=/usr/lib/wine/wine
  [ -x "$wine32" ] || wine32=${FACET_DEPS_DIR:-/var/cache/facet-deps}/wine32-root/usr/lib/wine/wine
  if [ "$leg" = win32 ] && [ ! -x "$wine32" ]; then
    why="every program built, none run: wine32 (i386) is not installed, so 32-bit Windows programs cannot run"
    if [ $failures -ne 0 ]; then echo "$leg: $failures builds failed (and wine32 is missing)"; exit 1; fi
    log=${FACET_DEPS_COMPAT_LOG:-/var/tmp/facet-deps-compat.log}
    if [ -s "$log" ] && grep -q '^E:' "$log"; then
      why="$why; apt said: $(grep '^E:' "$log" | head -3 | tr '\n' ' ')"
    fi
    skip "$why"
  fi
  wine_ready
  run_all mingw-gcc clang-msvc -- mingw-gcc clang-msvc mingw-g++ clang++-msvc "${others[@]}" "${negs[@]}"
  ;;
*)
  echo "usage: matrix.sh linux|win64|win32 SOURCE_DIR PROBE_HEADER_DIR OUT_DIR" >&2
  exit 2
  ;;
esac

cells=$(wc -l <"$results")
if [ $failures -ne 0 ]; then
  echo "$leg: $failures of $cells failed"
  exit 1
fi
echo "$leg: all $cells cells as expected"
