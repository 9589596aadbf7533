#!/bin/sh
# layers.sh IDL-DIR: the compiler's layers depend only downward.
#
# Each folder of idl/ is a layer, ranked from the bottom:
#   base (0) < tree (1) < front (2) < sema (3) < emit (4) < the driver (5),
# the driver being the files at idl/'s top level (compile.c, main.c).
# Reads every #include "..." of idl/'s sources, prints the graph between
# layers (how many includes go from each to each), and fails on an edge
# that goes up, on an include that names a file that does not exist (a
# graph built from nothing would pass; the one file of core/ the compiler
# may use is core/base's path.h), and on a function of the compiler
# declared in a .c file instead of included from its layer's header.
set -u
idl=$1
cd "$idl" || { echo "FAIL: no folder $idl"; exit 1; }

rank() {
    case $1 in
    base) echo 0 ;; tree) echo 1 ;; front) echo 2 ;; sema) echo 3 ;; emit) echo 4 ;;
    driver) echo 5 ;; *) echo -1 ;;
    esac
}
layer_of() { # layer_of PATH (relative to idl/)
    case $1 in
    */*) echo "${1%%/*}" ;;
    *) echo driver ;;
    esac
}

edges=$(mktemp) || exit 1
trap 'rm -f "$edges"' EXIT
status=0 files=0
for f in *.c *.h */*.c */*.h; do
    [ -f "$f" ] || continue
    files=$((files + 1))
    from=$(layer_of "$f")
    if [ "$(rank "$from")" -lt 0 ]; then
        echo "FAIL: $f is in a folder that is no layer: add it to tests/idl/layers.sh"
        status=1
        continue
    fi
    dir=$(dirname "$f")
    for inc in $(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
        case $inc in
        facet_idl.h) continue ;; # the public header, at the top
        base/path.h)             # core/base's paths, the one part of core/ it uses
            echo "$from core/base" >>"$edges"
            continue ;;
        esac
        target="$dir/$inc"
        if [ ! -f "$target" ]; then
            echo "FAIL: $f includes \"$inc\", which is not in idl/"
            status=1
            continue
        fi
        # normalise dir/../x/y.h to x/y.h
        target=$(cd "$(dirname "$target")" && pwd)/$(basename "$target")
        target=${target#"$(pwd)/"}
        to=$(layer_of "$target")
        echo "$from $to" >>"$edges"
        if [ "$(rank "$to")" -gt "$(rank "$from")" ]; then
            echo "FAIL: $f ($from) includes $target ($to): a layer may use only those below it"
            status=1
        fi
    done
done

# A prototype written in a .c file would reach any layer without an
# #include: the layers' functions are declared in their headers alone.
for f in *.c */*.c; do
    [ -f "$f" ] || continue
    if grep -nE '^[A-Za-z].*[^a-z_]facet_idl__[a-z_]+\(.*\);' "$f"; then
        echo "FAIL: $f declares a function of the compiler itself: include its layer's header"
        status=1
    fi
done

[ "$files" -gt 10 ] || { echo "FAIL: only $files source files in $idl"; exit 1; }
[ -s "$edges" ] || { echo "FAIL: no includes between the files of $idl"; exit 1; }
echo "layers of idl/ (includes from -> to):"
sort "$edges" | uniq -c | while read -r n from to; do
    [ "$from" = "$to" ] && continue
    printf '  %-6s -> %-6s %3d\n' "$from" "$to" "$n"
done
[ $status = 0 ] && echo "every edge goes down"
exit $status
