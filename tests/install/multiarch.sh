#!/bin/sh
# tests/install/multiarch.sh SOURCE_DIR WORK GREETER - Facet installed as a
# Debian-style multiarch package lays its libraries, its CMake package and
# its pkg-config files out under lib/<triplet> (CMAKE_INSTALL_LIBDIR=
# lib/x86_64-linux-gnu). From such a prefix, outside the system's library
# path: the installed facet runs; a project outside the tree builds with
# find_package(Facet) and its host runs; and the README's module and host,
# built with the README's own command lines, run. Nothing runs with
# LD_LIBRARY_PATH.
set -eu
src=$1 work=$2 greeter=$3
rm -rf "$work"
mkdir -p "$work"
triplet=$(${CC:-cc} -print-multiarch 2>/dev/null || true)
[ -n "$triplet" ] || triplet=$(uname -m)-linux-gnu
libdir=lib/$triplet
prefix=$work/prefix
. "$(dirname "$0")/expect.sh"
# The library-only build (docs/building.md), installed with the multiarch
# libdir.
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_LIBDIR="$libdir" -DFACET_BUILD_TESTS=OFF -DFACET_BUILD_SAMPLES=OFF \
  -DFACET_BUILD_BENCH=OFF -DFACET_BUILD_GO=OFF >"$work/out.txt" 2>&1 || {
  echo "FAILED: configuring Facet with CMAKE_INSTALL_LIBDIR=$libdir:"; cat "$work/out.txt"; exit 1; }
cmake --build "$work/build" -j2 >"$work/out.txt" 2>&1 || {
  echo "FAILED: building Facet:"; cat "$work/out.txt"; exit 1; }
cmake --install "$work/build" --prefix "$prefix" >/dev/null
for f in "$libdir/libfacet.so.0" "$libdir/cmake/Facet/FacetConfig.cmake" "$libdir/pkgconfig/facet.pc"; do
  [ -e "$prefix/$f" ] || { echo "FAILED: the install has no $f:"; (cd "$prefix" && find . | sort); exit 1; }
done
[ ! -e "$prefix/lib/libfacet.so.0" ] || { echo "FAILED: libfacet installed in lib/ too"; exit 1; }
echo "installed in $libdir: ok"

expect "facet [0-9]" "$prefix/bin/facet" --version
expect ": ok" "$prefix/bin/facet" validate "$greeter"
echo "installed facet runs without LD_LIBRARY_PATH: ok"

cmake -S "$src/tests/install/consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/out.txt" 2>&1 || {
  echo "FAILED: find_package(Facet) from $prefix:"; cat "$work/out.txt"; exit 1; }
cmake --build "$work/consumer" >"$work/out.txt" 2>&1 || {
  echo "FAILED: the consumer did not build:"; cat "$work/out.txt"; exit 1; }
expect "Hello, world!" "$work/consumer/consumer_host" "$greeter"
expect ": validated" "$work/consumer/consumer_check" "$greeter"
echo "find_package(Facet) from $libdir: ok"

# The README's module and host, with the README's command lines.
mkdir -p "$work/readme"
for f in hello.c host.c; do
  awk -v f="$f" '$0 == "<!-- readme-example: " f " -->" { on = 1; next }
                 on && /^```c$/ { body = 1; next }
                 body && /^```$/ { exit }
                 body { print }' "$src/README.md" >"$work/readme/$f"
  [ -s "$work/readme/$f" ] || { echo "FAILED: the README has no $f"; exit 1; }
done
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
sed -n '/^cc -shared .*hello\.c/p; /^cc host\.c/p' "$src/README.md" >"$work/readme/build.sh"
[ "$(wc -l <"$work/readme/build.sh")" -eq 2 ] || {
  echo "FAILED: the README's two command lines were not found:"; cat "$work/readme/build.sh"; exit 1; }
(cd "$work/readme" && env -u LD_LIBRARY_PATH sh ./build.sh) >"$work/out.txt" 2>&1 || {
  echo "FAILED: the README's command lines:"; cat "$work/readme/build.sh" "$work/out.txt"; exit 1; }
grep -q 'hello from example.hello, 2 argument(s), last "world"' "$work/out.txt" || {
  echo "FAILED: the README's host did not run its module:"; cat "$work/out.txt"; exit 1; }
echo "the README's module and host, by pkg-config from $libdir: ok"
