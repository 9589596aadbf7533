#!/bin/sh
# tests/install/install.sh SOURCE_DIR BUILD_DIR WORK GREETER - installs the
# build into a fresh prefix, then builds the sample host from outside the
# tree twice, with find_package(Facet) and with pkg-config, and runs both.
set -eu
src=$1 build=$2 work=$3 greeter=$4
rm -rf "$work"
mkdir -p "$work"
# expect TEXT PROGRAM [ARGS...]: the program exits 0 and prints TEXT.
expect() {
  text=$1
  shift
  rc=0
  LD_LIBRARY_PATH="$work/prefix/lib:$work/prefix/lib64:${LD_LIBRARY_PATH:-}" "$@" >"$work/out.txt" 2>&1 || rc=$?
  if [ $rc -ne 0 ]; then
    echo "FAILED: $* exited with status $rc:"
    cat "$work/out.txt"
    exit 1
  fi
  if ! grep -q "$text" "$work/out.txt"; then
    echo "FAILED: $* did not print '$text':"
    cat "$work/out.txt"
    exit 1
  fi
}
cmake --install "$build" --prefix "$work/prefix" >/dev/null
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
