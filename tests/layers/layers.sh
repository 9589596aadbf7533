#!/bin/sh
# tests/layers/layers.sh NM OBJECTS LIBFACET LIBFACET_CHECK FACET - the
# layer graph of the build, from its object files; the checker out of
# libfacet (no function libfacet-check exports is libfacet's too); and one
# copy of the base layer in a program (the facet command defines no
# allocator or last error of its own beside libfacet's).
#
# OBJECTS has one line per object: its library (core, check, tools, idl)
# and its path. libfacet's objects are split by the folder of their
# source: core/base is "base", core/os "os", then "formats", "runtime",
# "discovery" and "reload"; check/os (the checker's child processes) is "check/os", the
# rest of libfacet-check "check". The IDL compiler's objects (idl) have
# their own layer test (test_idl_layers); here they count for the file
# circles only.
#
# The layers, lowest first: base, os, formats, runtime, remote, discovery, reload,
# check/os, check, tools. An object may use symbols of its own layer and of
# those below it; a reference to a symbol that only a higher layer defines
# is a back edge, and each one is printed with both files and fails the
# test. The graph between layers is printed either way, with how many
# references each edge stands for.
#
# Within core/ and idl/, files may depend on one another in pairs (the
# runtime and the host object it hands out call each other), but no circle
# of three or more files: each one found is printed and fails the test.
set -eu
nm=$1 objects=$2 libfacet=$3 libcheck=$4 tool=$5
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -s "$objects" ] || { echo "FAILED: $objects is empty or missing"; exit 1; }

# libfacet contains none of the checker.
# (Facet's own names only: a coverage build adds gcov's runtime to both.)
"$nm" -D --defined-only -P "$libcheck" | awk '$2 == "T" && /^facet/ { print $1 }' | sort >"$work/check.syms"
"$nm" -D --defined-only -P "$libfacet" | awk '$2 == "T" && /^facet/ { print $1 }' | sort >"$work/facet.syms"
grep -qx facet_validate "$work/check.syms" ||
  { echo "FAILED: $libcheck does not export facet_validate"; exit 1; }
grep -qx facet_runtime_new "$work/facet.syms" ||
  { echo "FAILED: $libfacet does not export facet_runtime_new"; exit 1; }
both=$(comm -12 "$work/check.syms" "$work/facet.syms")
if [ -n "$both" ]; then
  echo "FAILED: libfacet exports what libfacet-check does:" $both
  exit 1
fi
echo "libfacet: $(wc -l <"$work/facet.syms") functions; libfacet-check: $(wc -l <"$work/check.syms"), none of them in libfacet"
"$nm" -P --defined-only "$tool" >"$work/tool.syms"
"$nm" -P -u "$tool" | grep -q "^facet_last_error " ||
  { echo "FAILED: $tool does not call facet_last_error from libfacet"; exit 1; }
if grep -E "^(facet_last_error|facet__error|facet__malloc) " "$work/tool.syms"; then
  echo "FAILED: $tool has its own copy of the base layer (linked facet_base): libfacet's errors would not reach it"
  exit 1
fi

while read -r lib obj; do
  [ -n "$obj" ] || continue
  case $lib:$obj in
  core:*/base/*) layer=base ;;
  core:*/os/*) layer=os ;;
  core:*/formats/*) layer=formats ;;
  core:*/runtime/*) layer=runtime ;;
  core:*/remote/*) layer=remote ;;
  core:*/discovery/*) layer=discovery ;;
  core:*/reload/*) layer=reload ;;
  core:*) echo "FAILED: $obj is in no layer of core/ (base, os, formats, runtime, remote, discovery, reload)"; exit 1 ;;
  check:*/os/*) layer=check/os ;;
  *) layer=$lib ;;
  esac
  [ -f "$obj" ] || { echo "FAILED: no object file $obj (build first)"; exit 1; }
  echo "$layer $obj"
done <"$objects" >"$work/layers"
# Defined external symbols and undefined references of every object, in
# one nm run each: "D|U layer object symbol".
cut -d' ' -f2- "$work/layers" >"$work/files"
for kind in D U; do
  if [ $kind = D ]; then opt="-g --defined-only"; else opt=-u; fi
  # shellcheck disable=SC2046,SC2086
  "$nm" -A -P $opt $(cat "$work/files") |
    awk -v k=$kind 'NR == FNR { layer[$2] = $1; next }
      { i = index($0, ": "); obj = substr($0, 1, i - 1); split(substr($0, i + 2), f, " ")
        print k, layer[obj], obj, f[1] }' "$work/layers" -
done >"$work/symbols"

awk '
BEGIN {
  n = split("base os formats runtime remote discovery reload check/os check tools", order, " ")
  for (i = 1; i <= n; i++) rank[order[i]] = i
}
$1 == "D" {
  # A symbol may be defined in more than one layer (a hidden copy in each
  # library, as uthash'"'"'s out-of-memory flag is): keep them all.
  defs[$4] = defs[$4] " " $2; file_of[$4 " " $2] = $3
  if (!(($2, $3) in seen)) { seen[$2, $3] = 1; objects[$2]++ }
  next
}
$1 == "U" { uses[++u] = $0 }
END {
  bad = 0; cross = 0
  for (i = 1; i <= u; i++) {
    split(uses[i], f, " ")
    from = f[2]; sym = f[4]
    if (!(sym in defs)) continue              # libc, jansson, the system
    if (from == "idl") continue               # test_idl_layers checks its layers
    if (index(defs[sym] " ", " " from " ")) { inside[from]++; continue }
    # The nearest layer below that defines it; else the lowest above.
    k = split(defs[sym], d, " "); to = ""
    for (j = 1; j <= k; j++)
      if (rank[d[j]] < rank[from] && (to == "" || rank[d[j]] > rank[to])) to = d[j]
    if (to == "")
      for (j = 1; j <= k; j++)
        if (to == "" || rank[d[j]] < rank[to]) to = d[j]
    edge[from " -> " to]++
    cross++
    if (rank[to] > rank[from]) {
      printf "BACK EDGE: %s (%s) uses %s, defined in %s (%s)\n", f[3], from, sym, file_of[sym " " to], to
      bad++
    }
  }
  print "Layer graph (references from the objects of one layer to symbols of another):"
  for (i = 1; i <= n; i++) {
    line = ""
    for (j = 1; j <= n; j++)
      if ((order[i] " -> " order[j]) in edge)
        line = line sprintf(" %s (%d)", order[j], edge[order[i] " -> " order[j]])
    printf "  %-8s %3d objects ->%s\n", order[i], objects[order[i]], line == "" ? " (nothing)" : line
  }
  # Positive controls: every layer has objects, and the graph is not empty
  # (nm read the files, and the layers above do use the ones below).
  for (i = 1; i <= n; i++)
    if (order[i] != "idl" && objects[order[i]] == 0) { printf "FAILED: no object of layer %s defines a symbol\n", order[i]; bad++ }
  if (cross == 0) { print "FAILED: no reference between layers at all: nm read nothing"; bad++ }
  if (bad) { printf "FAILED: %d problem(s)\n", bad; exit 1 }
  print "layers: no back edge"
}' "$work/symbols"

# Circles of files: the graph of references between the objects of core/
# (every layer of it) and of idl/, each file a node, and every simple
# circle of three or more files.
awk '
$1 == "D" && ($2 == "idl" || $2 !~ /^(check|check\/os|tools)$/) {
  lib = $2 == "idl" ? "idl" : "core"
  if (!(($4, lib) in def)) def[$4, lib] = $3
  libof[$3] = lib
  next
}
$1 == "U" { uses[++u] = $3 " " $4 }
function name(f) { sub(/.*\.dir\//, "", f); sub(/\.o$/, "", f); return f }
function walk(v, depth,    k, w) {
  path[depth] = v; onpath[v] = 1
  for (k = 1; k <= nout[v]; k++) {
    w = out[v, k]
    if (w == start && depth >= 3) {
      line = ""
      for (j = 1; j <= depth; j++) line = line name(path[j]) " -> "
      print "CIRCLE: " line name(start); circles++
    } else if (!(w in onpath) && id[w] > id[start] && circles < 20) {
      walk(w, depth + 1)
    }
  }
  delete onpath[v]
}
END {
  for (i = 1; i <= u; i++) {
    split(uses[i], f, " "); obj = f[1]; sym = f[2]
    if (!(obj in libof)) continue
    to = def[sym, libof[obj]]
    if (to == "" || to == obj || ((obj, to) in edge)) continue
    edge[obj, to] = 1; out[obj, ++nout[obj]] = to; edges++
    if (!(obj in id)) id[obj] = ++nodes
    if (!(to in id)) id[to] = ++nodes
  }
  if (edges == 0) { print "FAILED: no reference between the files of core/ and idl/"; exit 1 }
  for (start in id) walk(start, 1)
  if (circles) { printf "FAILED: %d circle(s) of three or more files\n", circles; exit 1 }
  printf "files: %d in core/ and idl/, %d references between them, no circle of three or more\n", nodes, edges
}' "$work/symbols"
