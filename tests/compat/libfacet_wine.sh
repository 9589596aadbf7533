#!/usr/bin/env bash
# tests/compat/libfacet_wine.sh - libfacet for Windows: cross-builds jansson
# and cmocka from their Debian source packages with MinGW-w64, then Facet
# itself (core/os/win32.c), and runs its unit tests under Wine.
#
#   libfacet_wine.sh SOURCE_DIR WORK_DIR OUT_DIR
#
# WORK_DIR keeps the MinGW builds between runs (the dependencies are built
# once). Results go to OUT_DIR/libfacet-wine/results.tsv (test, status,
# detail) for tests/compat/report.sh. Where the build has Go
# (FACET_COMPAT_GO, the go command; FACET_COMPAT_GO_DIR, the build's Go
# module), the Go hosts are cross-built against this libfacet by go with
# MinGW's cgo and run under Wine too: the probe's against the C and C++
# probe components of this build and of clang for the MSVC ABI (the win64
# leg's, in OUT_DIR/win64), and against a Go DLL loaded by path, which it
# must refuse (one Go runtime per process); the greeter sample's against
# the C greeter in its process and the Go greeter, which discovery runs in
# facet-host.exe. Exit status 0 when every test passes,
# 1 when one fails or a build breaks, 77 (skip) when a tool or a source
# package is missing, with the reason on stdout.
set -uo pipefail

src=$1 work=$2 out=$3/libfacet-wine
. "$src/tests/compat/wine.sh"
deps_src=${FACET_DEPS_DIR:-/var/cache/facet-deps}/src
triple=x86_64-w64-mingw32
toolchain=$src/cmake/toolchains/mingw-w64-x86_64.cmake
prefix=$work/prefix
rm -rf "$out"
mkdir -p "$out" "$work"
results=$out/results.tsv
: >"$results"

skip() {
  echo "SKIPPED: $*"
  printf 'libfacet under Wine\tskipped\t%s\n' "$*" >>"$results"
  exit 77
}
fail() {
  echo "FAILED: $1"
  [ -f "${2:-}" ] && tail -40 "$2" | sed 's/^/    | /'
  printf '%s\tFAIL\t%s\n' "$1" "${2:+see $2}" >>"$results"
  exit 1
}

for t in "$triple-gcc" "$triple-g++" cmake ninja; do
  command -v "$t" >/dev/null 2>&1 || skip "$t is not installed (scripts/deps-compat installs it)"
done
wine=$(wine_loader64) || skip "Wine is not installed (scripts/deps-compat installs wine64)"
# The build runs facet-idl.exe under Wine too, so the prefix comes first.
why=$(wine_starts "$wine") || fail "$why"
wine_prefix_ready "$wine" "$out/wineboot.log" || fail "\`$wine wineboot --init\`" "$out/wineboot.log"

# 1. jansson and cmocka for MinGW, from Debian's source packages.
dep() { # name cmake-options...
  local name=$1 dir
  shift
  [ -f "$work/$name.stamp" ] && return 0
  dir=$(ls -d "$deps_src/$name"-*/ 2>/dev/null | head -1)
  [ -n "$dir" ] || skip "no source of $name in $deps_src (scripts/deps-compat fetches it with apt-get source)"
  echo "building $name for MinGW from $dir"
  rm -rf "$work/build-$name"
  cmake -S "$dir" -B "$work/build-$name" -G Ninja -DCMAKE_TOOLCHAIN_FILE="$toolchain" \
    -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" "$@" >"$out/build-$name.log" 2>&1 &&
    cmake --build "$work/build-$name" --target install >>"$out/build-$name.log" 2>&1 ||
    fail "build of $name for MinGW" "$out/build-$name.log"
  touch "$work/$name.stamp"
}
# jansson static, so libfacet.dll carries it; cmocka as a DLL.
dep jansson -DJANSSON_EXAMPLES=OFF -DJANSSON_BUILD_DOCS=OFF -DJANSSON_WITHOUT_TESTS=ON
dep cmocka -DWITH_EXAMPLES=OFF -DUNIT_TESTING=OFF
# uthash is headers only: the same ones serve every target.
# (Found by looking, not by running the preprocessor into /dev/null: a cpp
# killed by a closed pipe deletes its output file, and as root that file
# was /dev/null itself.)
uthash=
for dir in /usr/include /usr/local/include; do
  [ -f "$dir/uthash.h" ] && { uthash=$dir; break; }
done
[ -f "$uthash/uthash.h" ] || skip "uthash.h not found (uthash-dev)"
mkdir -p "$prefix/uthash"
cp "$uthash"/ut*.h "$prefix/uthash/"

# 2. Facet, cross-built. Test programs run through Wine's 64-bit loader,
# which the toolchain file makes CMAKE_CROSSCOMPILING_EMULATOR (named here,
# so that a build folder configured with another keeps none).
build=$work/facet
echo "building Facet for MinGW in $build"
PKG_CONFIG_LIBDIR=$prefix/lib/pkgconfig cmake -S "$src" -B "$build" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$toolchain" -DCMAKE_PREFIX_PATH="$prefix" -DFACET_WINE="$wine" \
  -DUTHASH_INCLUDE_DIR="$prefix/uthash" -DFACET_BUILD_BENCH=OFF -DFACET_BUILD_SAMPLES=ON \
  >"$out/configure.log" 2>&1 || fail "configure of Facet for MinGW" "$out/configure.log"
cmake --build "$build" >"$out/build.log" 2>&1 || fail "build of Facet for MinGW" "$out/build.log"

# 3. Every unit test that runs a program of this build (ctest runs it
# through Wine; tests that need a POSIX host, such as test_idl_sdk, which
# runs widl, are not built for Windows). The DLLs they need: libfacet's,
# libfacet-check's, cmocka's and MinGW's winpthread.
winpthread=$(dirname "$("$triple-gcc" -print-file-name=libwinpthread-1.dll)")
winepath() { "$wine" winepath -w "$1" 2>/dev/null | tr -d '\r'; }
WINEPATH="$(winepath "$build/core");$(winepath "$build/check");$(winepath "$prefix/bin");$(winepath "$winpthread")"
case $WINEPATH in *\;\;* | \;* | *\;) fail "winepath gave no Windows path for one of the DLL folders: $WINEPATH" ;; esac
export WINEPATH
tests=$(cd "$build" && ctest -N -V -L unit 2>/dev/null |
  awk -v wine="$wine" '/Test command:/ { cmd = $0 }
    /Test +#[0-9]+:/ { if (index(cmd, wine)) print $3 }')
[ -n "$tests" ] || fail "no unit test of the MinGW build runs through Wine" "$out/configure.log"
(cd "$build" && ctest -L unit -R "^($(echo $tests | tr ' ' '|'))\$" -j 2 --timeout 300 \
  --output-on-failure) >"$out/ctest.log" 2>&1
rc=$?
# A test whose program Wine did not start (it failed and printed not one
# line of cmocka's: Wine, busy starting another program, sometimes gives up
# at once) runs once more, alone. A test that ran and failed does not.
unstarted=$(awk '/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / { if (name != "" && !ran) print name; name = ""
                 if ($0 !~ /Passed/) { name = $4; ran = 0 } next }
               /^ *Start +[0-9]+:/ { if (name != "" && !ran) print name; name = ""; next }
               /\[(==========|  FAILED  | RUN      )\]/ { ran = 1 }
               END { if (name != "" && !ran) print name }' "$out/ctest.log")
statuses() { # LOG: test<TAB>status for each test ctest ran
  sed -n 's/^ *[0-9]*\/[0-9]* Test *#[0-9]*: \([^ ]*\) \.*\** *\([A-Za-z]*\).*/\1\t\2/p' "$1" |
    awk -F'\t' '{ printf "%s\t%s\t\n", $1, ($2 == "Passed" ? "pass" : $2) }'
}
statuses "$out/ctest.log" >"$out/first.tsv"
: >"$out/again.tsv"
if [ -n "$unstarted" ]; then
  echo "Wine did not start $(echo $unstarted | wc -w) test program(s); each runs again, alone: $(echo $unstarted)"
  (cd "$build" && ctest -L unit -R "^($(echo $unstarted | tr ' ' '|'))\$" --timeout 300 \
    --output-on-failure) >"$out/ctest-again.log" 2>&1
  statuses "$out/ctest-again.log" |
    sed 's/\tpass\t$/\tpass\tpassed when run again: Wine had not started it/' >"$out/again.tsv"
  rc=0 # whether every test passed is counted below, test by test
fi
awk -F'\t' 'FILENAME == ARGV[1] { again[$1] = 1; next } !($1 in again)' "$out/again.tsv" "$out/first.tsv" |
  cat - "$out/again.tsv" | sort >>"$results"
awk -F'\t' '{ printf "  %-28s %s\n", $1, $2 }' "$results"
# Every test chosen ran and passed: a test that was skipped, not run or
# left out of ctest's output is not a pass.
chosen=$(echo $tests | wc -w)
passed=$(awk -F'\t' '$2 == "pass"' "$results" | wc -l)
if [ $rc -ne 0 ] || [ "$passed" -ne "$chosen" ]; then
  echo "libfacet under Wine: $passed of $chosen tests passed (ctest exit status $rc)"
  # Each failed test's own output (ctest prints it after the test's result
  # line), so the reason is in the log of a machine nobody can log in to.
  for log in "$out/ctest.log" "$out/ctest-again.log"; do
    [ -f "$log" ] || continue
    awk -v keep=80 '/^ *[0-9]+\/[0-9]+ Test +#[0-9]+: / { on = ($0 !~ /Passed/); n = 0 }
         /^ *Start +[0-9]+:/ { on = 0 }
         on && !/^\[ +(RUN|OK) / && n++ < keep' "$log" | sed 's/^/    | /'
  done
  grep -A8 'tests passed' "$out/ctest.log" | sed 's/^/    | /'
  exit 1
fi
echo "libfacet under Wine: all $chosen tests passed"

# 4. The Go host (tests/go/probe_host), a Windows program of its own.
[ -n "${FACET_COMPAT_GO:-}" ] && [ -d "${FACET_COMPAT_GO_DIR:-}/probe_host_go" ] || exit 0
gohost=$out/go-host
mkdir -p "$gohost"
go_build() { # NAME OUTPUT [go build options...]: cross-builds a program of the Go module
  local name=$1 output=$2
  shift 2
  env -C "$FACET_COMPAT_GO_DIR" GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC="$triple-gcc" \
    GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local \
    GOCACHE="$FACET_COMPAT_GO_DIR/../go-cache-win64" \
    CGO_CFLAGS="-I$src/include -I$src/tests/compat -I$FACET_COMPAT_GO_DIR/probe -O2" \
    CGO_LDFLAGS="-L$build/core -lfacet" \
    "$FACET_COMPAT_GO" build "$@" -o "$output" "./$name" >>"$out/build-go.log" 2>&1 ||
    fail "go build of $name for Windows" "$out/build-go.log"
}
go_build probe_host_go "$gohost/host-go.exe"
go_build probe_component_go "$gohost/component-go.dll" -buildmode=c-shared
cp "$build/tests/compat/probe_component_c.dll" "$build/tests/compat/probe_component_cpp.dll" "$gohost/"
# The greeter sample (where the build has it): its Go host, its C greeter
# and its Go greeter, each with its manifest, and the proxies and stubs of
# greeter.idl beside the host.
sample=
if [ -d "$FACET_COMPAT_GO_DIR/go_greeter_host" ]; then
  sample=1
  go_build go_greeter_host "$gohost/go-greeter-host.exe"
  mkdir -p "$gohost/plugins"
  go_build greeter_go "$gohost/plugins/greeter-go.dll" -buildmode=c-shared
  cp "$build/samples/greeter/plugins/greeter.dll" "$src/samples/greeter/greeter.facet.json" \
    "$src/samples/go/greeter-go.facet.json" "$gohost/plugins/"
  cp "$build/samples/greeter/greeter_ps.dll" "$gohost/"
fi
failed=0 cells=0 skipped=0
skip_cell() { # NAME REASON
  cells=$((cells + 1)) skipped=$((skipped + 1))
  printf 'go host x %s\tskipped\t%s\n' "$1" "$2" >>"$results"
  printf '  %-28s skipped: %s\n' "go host x $1" "$2"
}
go_cell() { # NAME EXIT-STATUS EXPECT-REGEX PROGRAM [ARGS...]: EXPECT matches the output as one line
  local name=$1 want=$2 expect=$3 log=$out/run-go-host--$1.log rc status=pass
  shift 3
  cells=$((cells + 1))
  (cd "$gohost" && timeout 120 "$wine" "$@") >"$log" 2>&1
  rc=$?
  tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
  if [ $rc -ne "$want" ] || ! tr '\n' ' ' <"$log" | grep -q "$expect"; then
    status=FAIL failed=$((failed + 1))
    sed 's/^/    | /' "$log" | tail -20
  fi
  printf 'go host x %s\t%s\t%s\n' "$name" "$status" \
    "$(grep -m1 -E '^RESULT:|says hello' "$log" | sed 's/^ *//' | cut -c1-120)" >>"$results"
  printf '  %-28s %s (exit status %s)\n' "go host x $name" "$status" "$rc"
}
go_cell probe_component_c.dll 0 'RESULT: PASS' host-go.exe probe_component_c.dll
go_cell probe_component_cpp.dll 0 'RESULT: PASS' host-go.exe probe_component_cpp.dll
# The MSVC ABI's C and C++ components, from the win64 leg (ctest runs it
# first); a run without that leg says so, and does not pass the cells.
for c in component-clang-msvc.dll component-clang++-msvc.dll; do
  if [ -f "$3/win64/$c" ]; then
    cp "$3/win64/$c" "$gohost/"
    go_cell "$c" 0 'RESULT: PASS' host-go.exe "$c"
  else
    skip_cell "$c" "the win64 leg (test_compat_win64) did not build it"
  fi
done
# A Go DLL loaded by path loads in the host's process, always: refused.
go_cell component-go.dll 2 'RESULT: FAIL cannot load component-go.dll: FACET_E_CONFLICT: .*written in Go' \
  host-go.exe component-go.dll
# Found by discovery, the Go greeter runs in facet-host.exe, and the calls
# cross; the C greeter loads in the Go host's process.
if [ -n "$sample" ]; then
  go_cell greeter-go.dll 0 'Hello, Gopher!.*2 greetings.*org.example.greeter.go:.*runs in a process host (facet-host).*Go says hello, Gopher!.*Go says hello, Ferris!.*2 greetings' \
    go-greeter-host.exe plugins greeter_ps.dll
else
  skip_cell greeter-go.dll "the build has no Go sample (samples/go: FACET_BUILD_SAMPLES=OFF)"
fi
[ $failed -eq 0 ] || { echo "the Go hosts under Wine: $failed of $cells failed"; exit 1; }
echo "the Go hosts under Wine: $((cells - skipped)) of $cells cells passed ($skipped skipped, listed above)"
