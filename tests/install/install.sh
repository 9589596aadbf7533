#!/bin/sh
# tests/install/install.sh SOURCE_DIR BUILD_DIR WORK GREETER - installs the
# build into a fresh prefix, then builds the sample host from outside the
# tree twice, with find_package(Facet) and with pkg-config, and runs both;
# runs the installed facet; and builds two plugins (tests/install/plugins)
# from the package alone. Nothing runs with LD_LIBRARY_PATH: the programs
# find libfacet by their RPATH (relative to themselves, or pkg-config's).
set -eu
src=$1 build=$2 work=$3 greeter=$4
rm -rf "$work"
mkdir -p "$work"
. "$(dirname "$0")/expect.sh"
cmake --install "$build" --prefix "$work/prefix" >/dev/null
expect "facet [0-9]" "$work/prefix/bin/facet" --version
echo "installed facet runs without LD_LIBRARY_PATH: ok"
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" -DGREETER="$greeter" >/dev/null
cmake --build "$work/consumer" >/dev/null
expect "Hello, world!" "$work/consumer/consumer_host" "$greeter"
echo "find_package(Facet): ok"
expect ": validated" "$work/consumer/consumer_check" "$greeter"
echo "find_package(Facet), Facet::check: ok"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib64/pkgconfig"
mkdir -p "$work/pc"
"$work/prefix/bin/facet-idl" -o "$work/pc" "$src/samples/greeter/greeter.idl" \
  "$src/samples/greeter/banner.idl"
cc -std=c99 -Wall -Werror -I"$work/pc" -DFACET_SAMPLE_CONFIG_PATH="\"facet.conf.json\"" \
  "$src/samples/greeter/host.c" -o "$work/pc/host" $(pkg-config --cflags --libs facet)
expect "Hello, world!" "$work/pc/host" "$greeter"
echo "pkg-config facet: ok"
cc -std=c99 -Wall -Werror "$src/tests/install/consumer/check_host.c" -o "$work/pc/check_host" \
  $(pkg-config --cflags --libs facet-check)
expect ": validated" "$work/pc/check_host" "$greeter"
echo "pkg-config facet-check: ok"

# The installed facet finds its facet-probe helper and validates a module.
expect ": ok" "$work/prefix/bin/facet" validate "$greeter"
echo "facet validate, installed: ok"

# Two plugins from the package alone (find_package, Facet::headers,
# facet_idl, facet_add_module): two interfaces each, in C and in C++, with
# manifests the build wrote that keep the hand-written part.
plugins=$src/tests/install/plugins
cmake -S "$plugins" -B "$work/plugins" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
env -u LD_LIBRARY_PATH cmake --build "$work/plugins" >"$work/out.txt" 2>&1 || {
  echo "FAILED: the plugins did not build:"
  cat "$work/out.txt"
  exit 1
}
for m in invert darken; do
  f=$work/plugins/$m.facet.json
  for field in '"requires"' '"permissions"' '"description"' '"classes"' '"{0E5C3B9A-6D2F-4A18-B7C4-9F1E2D3C4B02}"'; do
    case $m$field in invert\"requires\"|darken\"permissions\") continue ;; esac
    grep -q "$field" "$f" || { echo "FAILED: $f has no $field:"; cat "$f"; exit 1; }
  done
  expect ": ok" "$work/prefix/bin/facet" validate "$work/plugins/$m.so"
done
grep -q '"example.invert": "^1.0"' "$work/plugins/darken.facet.json" || {
  echo "FAILED: darken's requires was not kept:"; cat "$work/plugins/darken.facet.json"; exit 1; }
expect "2 with a manifest" "$work/prefix/bin/facet" scan "$work/plugins"
# facet_idl() remakes a header when a file its .idl imports changes (the
# depfile facet-idl writes): here the installed facet.idl. The plugins'
# modules, and their manifests, are made again from it.
h=$work/plugins/filter_idl/filter.h
before=$(stat -c %Y "$h" 2>/dev/null || stat -f %m "$h")
sleep 1
touch "$work/prefix/include/facet/facet.idl"
env -u LD_LIBRARY_PATH cmake --build "$work/plugins" >"$work/out.txt" 2>&1 || {
  echo "FAILED: the plugins did not build again:"; cat "$work/out.txt"; exit 1; }
after=$(stat -c %Y "$h" 2>/dev/null || stat -f %m "$h")
if [ "$before" = "$after" ]; then
  echo "FAILED: filter.h was not made again when facet.idl, which filter.idl imports, changed:"
  cat "$work/out.txt"
  exit 1
fi
echo "facet_idl() follows imports (depfile): ok"
# Lines of code: no blank lines, no comments.
loc() { grep -v -e '^[[:space:]]*$' -e '^[[:space:]]*/[*/]' -e '^[[:space:]]*\*' "$1" | wc -l; }
[ "$(loc "$plugins/invert.c")" -le 50 ] || { echo "FAILED: invert.c has $(loc "$plugins/invert.c") lines of code, more than 50"; exit 1; }
[ "$(loc "$plugins/darken.cpp")" -le 40 ] || { echo "FAILED: darken.cpp has $(loc "$plugins/darken.cpp") lines of code, more than 40"; exit 1; }
echo "plugins in C ($(loc "$plugins/invert.c") lines) and C++ ($(loc "$plugins/darken.cpp") lines) from the package, manifests from the build: ok"

# A native build checks NAME against the module: a NAME the module does not
# say stops the build, naming both (the build above, with the right one, is
# the control).
cp -R "$plugins" "$work/misnamed"
sed -i.orig 's/NAME example.darken/NAME example.misnamed/' "$work/misnamed/CMakeLists.txt"
grep -q 'NAME example.misnamed' "$work/misnamed/CMakeLists.txt" || { echo "FAILED: no NAME to change"; exit 1; }
cmake -S "$work/misnamed" -B "$work/misnamed-build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
if env -u LD_LIBRARY_PATH cmake --build "$work/misnamed-build" >"$work/out.txt" 2>&1; then
  echo "FAILED: a module whose name is not facet_add_module()'s NAME built:"; cat "$work/out.txt"; exit 1
fi
grep -q 'describes module "example.misnamed", but .*darken.so says it is "example.darken"' "$work/out.txt" || {
  echo "FAILED: the misnamed build did not say why:"; cat "$work/out.txt"; exit 1; }
echo "facet_add_module() NAME checked against the module: ok"
