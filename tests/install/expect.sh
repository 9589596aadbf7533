# tests/install/expect.sh, sourced by the install tests, which set $work:
# expect TEXT PROGRAM [ARGS...]: the program, run without LD_LIBRARY_PATH,
# exits 0 and prints TEXT; otherwise the test fails with what it printed.
expect() {
  text=$1
  shift
  rc=0
  env -u LD_LIBRARY_PATH "$@" >"$work/out.txt" 2>&1 || rc=$?
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
