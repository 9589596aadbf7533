#!/usr/bin/env bash
# tests/compat/report.sh - writes docs/compatibility.md from the results the
# matrix legs left in OUT_DIR (tests/compat/matrix.sh, libfacet_wine.sh), so
# the page in the repository is the last run's truth.
#
#   report.sh OUT_DIR DOC_FILE
set -uo pipefail
out=$1 doc=$2
tmp=$doc.tmp

platform_name() {
  case $1 in
  linux) echo "Linux x86_64" ;;
  win64) echo "Windows x86_64 (Wine)" ;;
  win32) echo "Windows i686 (Wine, 32-bit)" ;;
  esac
}

cell_text() {
  case $1 in
  pass) echo "pass" ;;
  caught) echo "caught" ;;
  build-failed) echo "**build failed**" ;;
  *) echo "**FAIL**" ;;
  esac
}

# The compiler strings the hosts and components report about themselves.
compilers() { # leg
  local log name
  for log in "$out/$1"/run-*.log; do
    [ -e "$log" ] || continue
    name=$(basename "$log" .log)
    name=${name#run-}
    echo "host ${name%%--*}|$(grep -m1 '^host compiler:' "$log" | sed 's/^host compiler: //')"
    echo "component ${name#*--}|$(grep -m1 '^component compiler:' "$log" | sed 's/^component compiler: //')"
  done | sed 's/ *$//' | sort -u | awk -F'|' '$2 != "" { printf "- %s: `%s`\n", $1, $2 }'
}

{
  echo "# Compatibility matrix"
  echo
  echo "Written by the test run (\`ctest -L compilers\`, \`ctest -L wine\`; see"
  echo "\`tests/compat/\`), so it is the last run's result. Each cell is one host"
  echo "program built by the compiler of its row, loading one component built by"
  echo "the compiler of its column. The host calls every method of the probe"
  echo "interface (\`tests/compat/probe.idl\`) and checks every value: 32- and"
  echo "64-bit integers, float and double, pointers, GUIDs by pointer, a struct"
  echo "that grows with \`struct_size\`, UTF-8 text and bytes through the host"
  echo "allocator, a component-made \`IFacetBlob\`, a callback into the host; then"
  echo "reference counts, QueryInterface identity across two vtables, \`CanUnload\`,"
  echo "and the sizes and offsets of every ABI struct on both sides."
  echo
  echo "Names: \`gcc\`, \`clang\`, \`tcc\` build C; \`g++\`, \`clang++\` build the C++"
  echo "component, one class implementing the interfaces through the C++ form of"
  echo "the generated header (pure virtual \`FACET_CALL\` methods, no exceptions, no"
  echo "RTTI). \`mingw-*\` is MinGW-w64 GCC. \`clang-msvc\` and \`clang++-msvc\` are"
  echo "clang for the MSVC ABI (\`--target=x86_64-pc-windows-msvc\`,"
  echo "\`i686-pc-windows-msvc\`) linked by lld-link with no C runtime and no SDK:"
  echo "the kernel32 import library comes from \`llvm-dlltool\` and a \`.def\` file."
  echo
  echo "Last run: $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -sm)."
  for leg in linux win64 win32; do
    f=$out/$leg/results.tsv
    echo
    echo "## $(platform_name $leg)"
    echo
    if [ ! -s "$f" ]; then
      echo "Not run in the last test run."
      continue
    fi
    # A leg that did not get to its cells: skipped, or unable to start them.
    whole=$(awk -F'\t' '$2 == "-" { print ($4 == "skipped" ? "SKIPPED" : "FAILED") ": " $5; exit }' "$f")
    if [ -n "$whole" ]; then
      echo "$whole"
      continue
    fi
    hosts=$(awk -F'\t' '{ print $2 }' "$f" | awk '!seen[$0]++')
    comps=$(awk -F'\t' '{ print $3 }' "$f" | awk '!seen[$0]++')
    printf '| host \\ component |'
    for c in $comps; do printf ' %s |' "$c"; done
    echo
    printf '|---|'
    for c in $comps; do printf -- '---|'; done
    echo
    for h in $hosts; do
      printf '| %s |' "$h"
      for c in $comps; do
        s=$(awk -F'\t' -v h="$h" -v c="$c" '$2 == h && $3 == c { print $4 }' "$f")
        printf ' %s |' "$(cell_text "${s:-not run}")"
      done
      echo
    done
    if [ "$leg" = win32 ]; then
      echo
      echo "The \`-nostdcall\` components are negative builds: their methods leave"
      echo "\`FACET_CALL\` (\`__stdcall\`) out. The host measures the stack pointer"
      echo "across every call, and \"caught\" means the host started, then saw the"
      echo "drift and reported it (or crashed), while the same host passed with the"
      echo "conforming build of that component in the same run:"
      echo
      awk -F'\t' '$4 == "caught" || ($3 ~ /nostdcall/) { printf "- %s x %s: %s\n", $2, $3, $5 }' "$f"
    fi
    fails=$(awk -F'\t' '$4 != "pass" && $4 != "caught"' "$f")
    if [ -n "$fails" ]; then
      echo
      echo "Failures:"
      echo
      echo "$fails" | awk -F'\t' '{ printf "- %s x %s: %s\n", $2, $3, $5 }'
    fi
    if [ -s "$out/$leg/wine.txt" ]; then
      echo
      echo "Run under $(sed 's/^wine: //' "$out/$leg/wine.txt")."
    fi
    echo
    echo "Compilers:"
    echo
    compilers $leg
    first=$(awk -F'\t' '$4 == "pass" && $2 != $3 { print $2 "--" $3; exit }' "$f")
    first=$out/$leg/run-$first.log
    if [ -f "$first" ] && grep -q '^layout' "$first"; then
      echo
      echo "<details><summary>Layout seen by host and component ($(basename "$first" .log | sed 's/^run-//; s/--/ x /'))</summary>"
      echo
      echo '```'
      sed -n '/^layout/,/bytes 8-15/p' "$first"
      echo '```'
      echo
      echo "</details>"
    fi
  done
  echo
  echo "## libfacet on Windows"
  echo
  f=$out/libfacet-wine/results.tsv
  if [ -s "$f" ]; then
    echo "The runtime cross-built by MinGW-GCC (\`core/os/win32.c\`), its unit tests"
    echo "run under Wine (x86_64):"
    echo
    echo "| test | result |"
    echo "|---|---|"
    awk -F'\t' '{ printf "| %s | %s |\n", $1, ($2 == "pass" ? "pass" : "**" $2 "**" ($3 != "" ? ": " $3 : "")) }' "$f"
  else
    echo "Not run in the last test run."
  fi
} >"$tmp" && mv "$tmp" "$doc"
echo "wrote $doc"
