#!/bin/sh
# tests/abi/headers.sh INCLUDE_DIR WORK_DIR - compiles every public header
# on its own, warnings as errors, as C99 under gcc and clang, as C++11 under
# g++ and clang++, and under tcc; and checks the kit's atomics under tcc.
set -eu
inc=$1
work=$2
mkdir -p "$work"
status=0
run() {
    if ! "$@" 2>"$work/err.txt"; then
        echo "FAILED: $*"
        cat "$work/err.txt"
        status=1
    else
        echo "ok: $*"
    fi
}
for h in abi.h facet.h testing.h module.h; do
    stem=$(echo "$h" | tr . _)
    c="$work/$stem.c"
    printf '#define FACET_MODULE_IMPLEMENTATION\n#include <facet/%s>\n#include <facet/%s>\nint main(void) { return 0; }\n' "$h" "$h" >"$c"
    [ "$h" = module.h ] && printf '#include <facet/module.h>\nstatic const FacetModuleDef d = {"m", "1.0.0", 1, 0, 0, 0, 0};\nFACET_MODULE_DEFINE(d)\n' >>"$c"
    cp "$c" "$work/$stem.cpp"
    for cc in gcc clang; do
        run $cc -std=c99 -Wall -Wextra -pedantic -Werror -Wno-unused-function -I"$inc" -c "$c" -o "$work/$stem.$cc.o"
    done
    if [ "$h" != module.h ]; then  # the kit is C; C++ modules use facet.hpp
        for cxx in g++ clang++; do
            run $cxx -std=c++11 -Wall -Wextra -Werror -I"$inc" -c "$work/$stem.cpp" -o "$work/$stem.$cxx.o"
        done
    fi
    run tcc -Wall -Werror -I"$inc" -c "$c" -o "$work/$stem.tcc.o"
done
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
exit $status
