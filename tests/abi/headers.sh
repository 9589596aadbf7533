#!/bin/sh
# tests/abi/headers.sh INCLUDE_DIR WORK_DIR - compiles every public header,
# each on its own and included twice, warnings as errors, and checks the
# kit's atomics under tcc. The headers are every .h and .hpp file in
# INCLUDE_DIR/facet (what is installed), found by listing the folder, so a
# new header is checked without a change here:
#   .h    C99 under gcc and clang (-pedantic) and tcc; C++11 under g++ and
#         clang++, in both the C++ form of the interfaces and the C form
#         (FACET_CINTERFACE). module.h, the C module kit, only in the C form:
#         that is the form it asks a C++ file for.
#   .hpp  C++11 under g++ and clang++ (-pedantic), also without exceptions
#         and RTTI.
set -eu
inc=$1
work=$2
mkdir -p "$work"
status=0
count=0
run() {
    if ! "$@" 2>"$work/err.txt"; then
        echo "FAILED: $*"
        cat "$work/err.txt"
        status=1
    else
        echo "ok: $*"
    fi
}
cxxflags="-std=c++11 -Wall -Wextra -pedantic -Werror -I$inc"
for path in "$inc"/facet/*.h "$inc"/facet/*.hpp; do
    [ -f "$path" ] || continue
    h=${path##*/}
    stem=$(echo "$h" | tr . _)
    count=$((count + 1))
    case $h in
    *.hpp)
        printf '#include <facet/%s>\n#include <facet/%s>\nint main() { return 0; }\n' "$h" "$h" >"$work/$stem.cpp"
        for cxx in g++ clang++; do
            run $cxx $cxxflags -c "$work/$stem.cpp" -o "$work/$stem.$cxx.o"
            run $cxx $cxxflags -fno-exceptions -fno-rtti -c "$work/$stem.cpp" -o "$work/$stem.$cxx.nx.o"
        done
        ;;
    *.h)
        c="$work/$stem.c"
        printf '#define FACET_MODULE_IMPLEMENTATION\n#include <facet/%s>\n#include <facet/%s>\nint main(void) { return 0; }\n' "$h" "$h" >"$c"
        [ "$h" = module.h ] && printf '#include <facet/module.h>\nstatic const FacetModuleDef d = {"m", "1.0.0", 1, 0, 0, 0, 0};\nFACET_MODULE_DEFINE(d)\n' >>"$c"
        cp "$c" "$work/$stem.cpp"
        for cc in gcc clang; do
            run $cc -std=c99 -Wall -Wextra -pedantic -Werror -Wno-unused-function -I"$inc" -c "$c" -o "$work/$stem.$cc.o"
        done
        for cxx in g++ clang++; do
            [ "$h" = module.h ] ||
                run $cxx $cxxflags -c "$work/$stem.cpp" -o "$work/$stem.$cxx.o"
            run $cxx $cxxflags -DFACET_CINTERFACE -c "$work/$stem.cpp" -o "$work/$stem.$cxx.c.o"
        done
        run tcc -Wall -Werror -I"$inc" -c "$c" -o "$work/$stem.tcc.o"
        ;;
    esac
done
if [ $count -eq 0 ]; then
    echo "FAILED: no header in $inc/facet"
    exit 1
fi
# The kit's atomic counter, built by tcc (inline assembly), really counts.
cat >"$work/atomic.c" <<'C'
#include <facet/module.h>
int main(void) {
    uint32_t n = 5;
    if (FacetAtomicIncrement(&n) != 6 || n != 6) return 1;
    if (FacetAtomicDecrement(&n) != 5 || FacetAtomicLoad(&n) != 5) return 2;
    return 0;
}
C
run tcc -I"$inc" "$work/atomic.c" -o "$work/atomic.tcc"
run "$work/atomic.tcc"
echo "$count public headers compiled"
exit $status
