#!/bin/sh
# go_generated.sh FACET-IDL SRC-DIR WORK-DIR
#
# facet-idl --lang go of go_sink.idl (a parameter of each shape the Go
# mapping carries, docs/go.md), of tests/remote/marshal.idl and of the
# samples' and tests' .idl files, each into a package of one Go module whose
# go.mod points facet.dev/facet at bindings/go; then go vet and go build of
# every package: the Go code type-checks against the binding, and its C
# preamble and X_glue.c compile. Offline. The go command is FACET_GO, or go
# on PATH; without one the test exits 77 (skip) and says why.
set -eu
idl=$1 src=$2 work=$3 go=${FACET_GO:-go}
command -v "$go" >/dev/null 2>&1 || { echo "SKIPPED: no go command on PATH (Debian: apt-get install golang-go)"; exit 77; }
rm -rf "$work" && mkdir -p "$work/mod"
cat > "$work/mod/go.mod" <<MOD
module facetgen

go 1.19

require facet.dev/facet v0.0.0

replace facet.dev/facet => $src/bindings/go
MOD
for f in tests/idl/generated/go_sink.idl tests/remote/marshal.idl tests/compat/probe.idl \
         tests/idl/components/counter.idl samples/greeter/greeter.idl; do
    stem=$(basename "$f" .idl)
    mkdir -p "$work/mod/$stem"
    "$idl" --lang go -I "$src/idl" -o "$work/mod/$stem" "$src/$f"
    for out in $stem.h $stem.go ${stem}_export.go ${stem}_glue.c; do
        [ -s "$work/mod/$stem/$out" ] || { echo "FAIL: facet-idl --lang go $f wrote no $out"; exit 1; }
    done
done
cd "$work/mod"
export GOFLAGS=-mod=mod GOPROXY=off GOSUMDB=off GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=1
export GOCACHE="${FACET_GO_CACHE:-$work/go-cache}" CGO_CFLAGS="-I$src/include"
"$go" vet ./...
"$go" build ./...
echo "go_generated ok"
