#!/usr/bin/env bash
# tests/compat/no32bit.sh - the path the 32-bit leg takes on a machine that
# does not run 32-bit x86 programs, tested on every machine:
#
#   no32bit.sh SOURCE_DIR PROBE_HEADER_DIR OUT_DIR
#
#   1. With FACET_TEST_NO_32BIT=1, the win32 leg (tests/compat/matrix.sh)
#      builds its programs, runs none, and says SKIPPED with the variable
#      as its reason, in its output and in the results the report is
#      written from.
#   2. The win32 leg of this run (test_compat_win32, run before this test,
#      results in OUT_DIR/win32) took the path this machine calls for,
#      found afresh by running a 32-bit program: SKIPPED with the kernel's
#      refusal as the reason where one does not run, cells run and judged
#      where one does.
#
# Exit status 0 when both hold, 1 when one does not, 77 (skip) when the leg
# was skipped for another reason (a toolchain or wine32 missing).
set -uo pipefail

src=$1 gen=$2 root=$3
. "$src/tests/compat/wine.sh"
failed=0
fail() {
  echo "FAIL: $*"
  failed=1
}

# 1. The forced skip, in a folder of its own.
forced=$root/no32bit
rm -rf "$forced"
mkdir -p "$forced"
FACET_TEST_NO_32BIT=1 bash "$src/tests/compat/matrix.sh" win32 "$src" "$gen" "$forced" \
  >"$forced/leg.log" 2>&1
rc=$?
sed 's/^/  forced | /' "$forced/leg.log"
reason=$(awk -F'\t' '$4 == "skipped" { print $5 }' "$forced/win32/results.tsv" 2>/dev/null)
if [ $rc -eq 77 ] && ! grep -q FACET_TEST_NO_32BIT <<<"$reason"; then
  echo "SKIPPED: the win32 leg was skipped before it asked about 32-bit programs: $reason"
  exit 77
fi
[ $rc -eq 77 ] || fail "with FACET_TEST_NO_32BIT=1 the win32 leg exited $rc, not 77 (skipped)"
grep -q '^SKIPPED: every program built, none run: FACET_TEST_NO_32BIT=1 is set' "$forced/leg.log" ||
  fail "with FACET_TEST_NO_32BIT=1 the win32 leg did not say SKIPPED with the variable as its reason"
[ "$(wc -l <"$forced/win32/results.tsv")" -eq 1 ] && grep -q FACET_TEST_NO_32BIT <<<"$reason" ||
  fail "with FACET_TEST_NO_32BIT=1 the results are not one skipped row naming the variable"
ls "$forced/win32"/run-*.log >/dev/null 2>&1 && fail "with FACET_TEST_NO_32BIT=1 the win32 leg ran a program"
ls "$forced/win32"/build-*.log >/dev/null 2>&1 || fail "with FACET_TEST_NO_32BIT=1 the win32 leg built nothing"

# 2. The real leg, against a fresh answer.
results=$root/win32/results.tsv
[ -s "$results" ] || { echo "FAIL: test_compat_win32 left no results in $results"; exit 1; }
reason=$(awk -F'\t' '$4 == "skipped" { print $5 }' "$results")
if why=$(i686_runs); then
  echo "this machine runs 32-bit x86 programs"
  if [ -n "$reason" ]; then
    case $reason in
    *"32-bit x86 programs"*) fail "the win32 leg was skipped for 32-bit programs, which run here: $reason" ;;
    *) echo "SKIPPED: the win32 leg was skipped for another reason: $reason"; exit 77 ;;
    esac
  fi
  cells=$(awk -F'\t' '$2 != "-" && $4 != "build-failed"' "$results" | wc -l)
  [ "$cells" -gt 0 ] || fail "the win32 leg ran no cell on a machine that runs 32-bit programs"
  echo "the win32 leg ran $cells cells"
else
  echo "32-bit x86 programs, tried afresh: $why"
  case $reason in
  *"$why"*) echo "the win32 leg said SKIPPED for that reason: $reason" ;;
  "") fail "the win32 leg was not skipped, though 32-bit programs do not run here" ;;
  *) fail "the win32 leg was skipped for another reason than the machine's: $reason" ;;
  esac
fi
[ $failed -eq 0 ] || exit 1
echo "no32bit: the 32-bit leg's skip path holds"
