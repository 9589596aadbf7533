#!/bin/sh
# tests/install/cross.sh SOURCE_DIR WORK - the plugins of tests/install/
# plugins cross-built for 64-bit Windows by MinGW-w64, from the package that
# install.sh installed in WORK/prefix (a native Facet: its facet-idl runs on
# this machine; the modules it builds do not). The build cannot ask a
# module what it is, so facet_add_module() writes each manifest from the
# coclasses of filter.idl and the hand-written part: the manifests must
# say what the native build's manifests say, which the modules themselves
# said (WORK/plugins), and keep the part's requires and description.
set -eu
src=$1 work=$2
prefix=$work/prefix
for tool in x86_64-w64-mingw32-gcc x86_64-w64-mingw32-g++; do
  if ! command -v $tool >/dev/null 2>&1; then
    echo "SKIPPED: $tool is not installed (Debian: gcc-mingw-w64-x86-64, g++-mingw-w64-x86-64)"
    exit 77
  fi
done
[ -x "$prefix/bin/facet" ] && [ -f "$work/plugins/darken.facet.json" ] || {
  echo "FAILED: no installed Facet and native plugins in $work (test_install_package runs first)"
  exit 1
}
fail() { echo "FAILED: $*"; exit 1; }
out=$work/cross
rm -rf "$out"
cmake -S "$src/tests/install/plugins" -B "$out" -G Ninja \
  -DCMAKE_TOOLCHAIN_FILE="$src/cmake/toolchains/mingw-w64-x86_64.cmake" \
  -DCMAKE_PREFIX_PATH="$prefix" >"$work/cross.txt" 2>&1 || {
  cat "$work/cross.txt"; fail "the cross build did not configure"; }
cmake --build "$out" >"$work/cross.txt" 2>&1 || { cat "$work/cross.txt"; fail "the cross build failed"; }
for m in invert darken; do
  [ -f "$out/$m.dll" ] || fail "no $m.dll: $(ls "$out")"
  [ -f "$out/$m.facet.json" ] || fail "no $m.facet.json beside $m.dll"
  grep -q "\"library\" : \"$m.dll\"\\|\"library\": \"$m.dll\"" "$out/$m.facet.json" ||
    { cat "$out/$m.facet.json"; fail "$m.facet.json does not name $m.dll"; }
done
grep -q '"example.invert" *: *"^1.0"' "$out/darken.facet.json" ||
  { cat "$out/darken.facet.json"; fail "darken.facet.json lost the part's requires"; }
grep -q '"description" *: *"Halves every pixel."' "$out/darken.facet.json" ||
  { cat "$out/darken.facet.json"; fail "darken.facet.json lost the part's description"; }
grep -q '"example.palette"' "$out/invert.facet.json" ||
  { cat "$out/invert.facet.json"; fail "invert.facet.json lost the part's permissions"; }

# What Facet reads of them: the runtime's own parser takes each manifest
# (no problem), and finds the same modules, versions and classes (clsid,
# contract, interfaces) as in the manifests the native modules wrote.
manifests() { # the "manifests" part of facet scan --json in folder $1
  (cd "$1" && env -u LD_LIBRARY_PATH "$prefix/bin/facet" scan --json .) >"$work/scan.json" ||
    { cat "$work/scan.json"; fail "facet scan $1 failed"; }
  grep -q '"problems": \[\]' "$work/scan.json" || { cat "$work/scan.json"; fail "facet scan $1 has problems"; }
  sed -n '/"manifests": \[/,/"problems":/p' "$work/scan.json"
}
manifests "$work/plugins" >"$work/native.txt"
manifests "$out" >"$work/cross.txt"
grep -q '"{0E5C3B9A-6D2F-4A18-B7C4-9F1E2D3C4B11}"' "$work/native.txt" ||
  { cat "$work/native.txt"; fail "the native scan has no Darken: nothing to compare with"; }
diff -u "$work/native.txt" "$work/cross.txt" ||
  fail "the cross build's manifests (from filter.idl) differ from the native modules' own"
echo "cross-built plugins, manifests from the IDL's coclasses and the hand-written part: ok"

# A coclass no IDL declares, and a NAME the part contradicts, stop the
# build with a message that says where; a clean run of the same script is
# the control.
script=$(find "$prefix" -name FacetManifest.cmake | head -n 1)
classes=$out/filter_idl/filter_classes.json
# said TEXT: the last run's message says TEXT (CMake wraps its lines).
said() { tr -s '\n ' '  ' <"$work/m.txt" | grep -q "$1"; }
run() { cmake -DPART="$src/tests/install/plugins/darken.facet.json" -DOUT="$work/m.json" \
          -DLIBRARY=darken.dll -DPLATFORM=windows -DCLASSES_FILES="$classes" -DREQUIRE_MODULE=ON \
          "$@" -P "$script" >"$work/m.txt" 2>&1; }
run -DNAME=example.darken -DVERSION=1.0.0 -DCLASSES=Darken || { cat "$work/m.txt"; fail "the control run failed"; }
cmp -s "$work/m.json" "$out/darken.facet.json" || fail "the script wrote another manifest than the build"
if run -DNAME=example.darken -DVERSION=1.0.0 -DCLASSES=Darkest; then fail "an unknown coclass passed"; fi
said "coclass Darkest, which no IDL file of the module declares (it declares: Darken, Invert)" ||
  { cat "$work/m.txt"; fail "no message for an unknown coclass"; }
if run -DVERSION=1.0.0 -DCLASSES=Darken; then fail "a module without a name passed"; fi
said "no module name: a cross build cannot ask the module" ||
  { cat "$work/m.txt"; fail "no message for a missing name"; }
echo '{"name": "example.other", "requires": {"example.invert": "^1.0"}}' >"$work/part.json"
if run -DPART="$work/part.json" -DNAME=example.darken -DVERSION=1.0.0 -DCLASSES=Darken; then
  fail "a part naming another module passed"; fi
said 'part.json: \$.name: "example.other", but facet_add_module() says NAME "example.darken": say' ||
  { cat "$work/m.txt"; fail "no message for a contradicted name"; }
echo "bad coclass, missing name, contradicted name: each stops the build, with its message: ok"
