#!/bin/sh
# compile_generated.sh COMPILER-KIND FACET-IDL SRC-DIR WORK-DIR
#
# Generates headers from the test IDL files and idl/facet.idl and compiles
# each, with its type information and (in C) its proxies and stubs,
# warnings as errors:
#   c      gcc and clang, -std=c99 -pedantic
#   cxx    g++ and clang++, -std=c++11
#   tcc    TinyCC
#   mingw  x86_64-w64-mingw32-gcc, with <windows.h> included before and
#          after every header (no method name may clash with an A/W macro)
#   mingw32  i686-w64-mingw32-gcc and g++: 32-bit Windows, where FACET_CALL
#          is __stdcall and a callback with the wrong convention does not
#          convert
# Each kind also compiles kitchen_sink_use.c, code written against
# kitchen_sink.h. A compiler that is not installed is left out and named in
# a SKIPPED line; the others still compile, and the test then exits 77
# (skip) rather than 0, so that a partial run never reads as a pass.
set -eu
kind=$1 idl=$2 src=$3 work=$4
rm -rf "$work" && mkdir -p "$work/gen"
"$idl" -I "$src/idl" -o "$work/gen" "$src/tests/idl/components/counter.idl"
"$idl" -I "$src/idl" -o "$work/gen" "$src/tests/idl/generated/kitchen_sink.idl"
inc="-I$src/include -I$work/gen"
use=$src/tests/idl/generated/kitchen_sink_use.c
cp "$use" "$work/kitchen_sink_use.cpp"
missing=
have() {
    command -v "$1" >/dev/null 2>&1 && return 0
    case " $missing " in *" $1 "*) ;; *) missing="$missing $1" ;; esac
    return 1
}
tu() { # tu FILE.c HEADER [windows-first|windows-last]
    {
        [ "${3:-}" = windows-first ] && echo '#include <windows.h>'
        echo "#include \"$2\""
        [ "${3:-}" = windows-last ] && echo '#include <windows.h>'
        echo 'int facet_generated_header_compiles(void);'
        echo 'int facet_generated_header_compiles(void) { return 0; }'
    } > "$1"
}
for h in counter.h kitchen_sink.h; do
    stem=${h%.h}
    case $kind in
    c)
        tu "$work/$stem.c" "$h"
        for cc in gcc clang; do
            have $cc || continue
            $cc -std=c99 -Wall -Wextra -pedantic -Werror $inc -c "$work/$stem.c" -o "$work/$stem.$cc.o"
            $cc -std=c99 -Wall -Wextra -pedantic -Werror $inc -c "$work/gen/${stem}_typeinfo.c" -o "$work/${stem}_ti.$cc.o"
            $cc -std=c99 -Wall -Wextra -pedantic -Werror $inc -c "$work/gen/${stem}_ps.c" -o "$work/${stem}_ps.$cc.o"
            [ $stem != kitchen_sink ] || $cc -std=c99 -Wall -Wextra -pedantic -Werror $inc -c "$use" -o "$work/use.$cc.o"
        done ;;
    cxx)
        tu "$work/$stem.cpp" "$h"
        for cxx in g++ clang++; do
            have $cxx || continue
            $cxx -std=c++11 -Wall -Wextra -Werror $inc -c "$work/$stem.cpp" -o "$work/$stem.$cxx.o"
            $cxx -std=c++11 -Wall -Wextra -Werror -DFACET_CINTERFACE $inc -c "$work/$stem.cpp" -o "$work/$stem.c.$cxx.o"
            [ $stem != kitchen_sink ] || $cxx -std=c++11 -Wall -Wextra -Werror $inc -c "$work/kitchen_sink_use.cpp" -o "$work/use.$cxx.o"
            [ $stem != kitchen_sink ] || $cxx -std=c++11 -Wall -Wextra -Werror -DFACET_CINTERFACE $inc -c "$work/kitchen_sink_use.cpp" -o "$work/use.c.$cxx.o"
        done ;;
    tcc)
        have tcc || break
        tu "$work/$stem.c" "$h"
        tcc -Wall -Werror $inc -c "$work/$stem.c" -o "$work/$stem.tcc.o"
        tcc -Wall -Werror $inc -c "$work/gen/${stem}_typeinfo.c" -o "$work/${stem}_ti.tcc.o"
        tcc -Wall -Werror $inc -c "$work/gen/${stem}_ps.c" -o "$work/${stem}_ps.tcc.o"
        [ $stem != kitchen_sink ] || tcc -Wall -Werror $inc -c "$use" -o "$work/use.tcc.o" ;;
    mingw)
        have x86_64-w64-mingw32-gcc || break
        for order in windows-first windows-last; do
            tu "$work/$stem.$order.c" "$h" $order
            x86_64-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror $inc -c "$work/$stem.$order.c" -o "$work/$stem.$order.o"
            if have x86_64-w64-mingw32-g++; then
                tu "$work/$stem.$order.cpp" "$h" $order
                x86_64-w64-mingw32-g++ -std=c++11 -Wall -Wextra -Werror $inc -c "$work/$stem.$order.cpp" -o "$work/$stem.$order.xx.o"
            fi
        done
        [ $stem != kitchen_sink ] || x86_64-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror $inc -c "$use" -o "$work/use.mingw.o" ;;
    mingw32)
        have i686-w64-mingw32-gcc || break
        tu "$work/$stem.c" "$h" windows-first
        i686-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror $inc -c "$work/$stem.c" -o "$work/$stem.m32.o"
        i686-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror $inc -c "$work/gen/${stem}_typeinfo.c" -o "$work/${stem}_ti.m32.o"
        i686-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror $inc -c "$work/gen/${stem}_ps.c" -o "$work/${stem}_ps.m32.o"
        [ $stem != kitchen_sink ] || i686-w64-mingw32-gcc -std=c99 -Wall -Wextra -Werror $inc -c "$use" -o "$work/use.m32.o"
        if have i686-w64-mingw32-g++; then
            [ $stem != kitchen_sink ] || i686-w64-mingw32-g++ -std=c++11 -Wall -Wextra -Werror $inc -c "$work/kitchen_sink_use.cpp" -o "$work/use.m32.xx.o"
        fi ;;
    esac
done
if [ -n "$missing" ]; then
    echo "SKIPPED: not installed:$missing (scripts/deps installs it)"
    exit 77
fi
echo "generated headers compile ($kind)"
