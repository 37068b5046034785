#!/usr/bin/env bash
# Run the unit tests, the API tests against a throwaway stack, the drop-in install beside a PHP
# site, and a short fuzz pass; one summary line.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK=$REPO/tools/stack.sh
BUILD=${BUILD:-build}
TEST_TIMEOUT=${TEST_TIMEOUT:-600} # seconds per test binary
# The browser tests are one run of every flow (18, each clicked from registration on): about
# 12 minutes on a quiet 2-core machine, more under a sanitizer or load.
BROWSER_TIMEOUT=${BROWSER_TIMEOUT:-2700}
FUZZ_SECONDS=10

PASSED=0
FAILED=0
SKIPPED=0
KEEP=0
DIR=
PORT=
SAN_DIR=

usage() {
  cat >&2 <<EOF
usage: $0 all "UNIT_BINS" "API_BINS"
       $0 galera "GALERA_BINS" "API_BINS"
       $0 unit BIN...
EOF
  exit 2
}

# ---- sanitizer reports (make SAN=1) ---------------------------------------------------------

# A worker behind nginx writes its stderr to a log no test reads, and its master just replaces
# it when it dies: a report there is seen only if looked for. Each report is one failure.
# ASan writes each report to a file of SAN_DIR (log_path). UBSan, as gcc links it beside ASan
# (libubsan.so), ignores log_path and writes to stderr: its "runtime error:" lines are looked for
# in each test's output and in the stack's logs.
SAN_FOUND=0
declare -A SAN_SEEN=()

san_setup() {
  [[ -n ${SAN-} ]] || return 0
  SAN_DIR=$(mktemp -d /tmp/certhall-san.XXXXXX)
  export ASAN_OPTIONS="${ASAN_OPTIONS-}${ASAN_OPTIONS:+:}log_path=$SAN_DIR/report"
}

san_fail() {
  echo "not ok - $1"
  FAILED=$((FAILED + 1))
  SAN_FOUND=$((SAN_FOUND + 1))
}

# The ASan reports written since the last call, printed and counted against name.
san_reports() {
  local name=$1 f
  [[ -n $SAN_DIR ]] || return 0
  for f in "$SAN_DIR"/report.*; do
    [[ -f $f ]] || continue
    echo "---- sanitizer report $(basename "$f")"
    cat "$f"
    san_fail "$name: ASan report (process ${f##*.})"
    rm -f "$f"
  done
}

# The UBSan reports in file (a test's output, a log of the stack) not counted yet, printed and
# counted against name.
san_ubsan() {
  local name=$1 f=$2 seen n i
  [[ -n $SAN_DIR && -f $f ]] || return 0
  seen=${SAN_SEEN[$f]:-0}
  n=$(grep -c 'runtime error:' "$f" || true)
  ((n > seen)) || return 0
  echo "---- UBSan in $f"
  awk -v seen="$seen" '/runtime error:/ { p = ++k > seen; if (p) print; next }
    p && /^ +#[0-9]+ / { print; next } { p = 0 }' "$f" | head -n 100
  for ((i = seen; i < n; i++)); do san_fail "$name: UBSan report in $(basename "$f")"; done
  SAN_SEEN[$f]=$n
}

# The reports since the last call: ASan's files, and UBSan's in the stack's logs.
san_check() {
  local name=$1 f
  san_reports "$name"
  [[ -n $DIR ]] || return 0
  for f in "$DIR"/log/*.log; do san_ubsan "$name" "$f"; done
}

san_cleanup() {
  [[ -n $SAN_DIR ]] || return 0
  san_reports "the end of the run"
  rm -rf "$SAN_DIR"
  SAN_DIR=
}

# Run COMMAND... (its output echoed, with a time limit), count its "ok" and "not ok" lines
# (cmocka writes a skipped test as "not ok N # SKIP": not a failure), then the sanitizer reports
# since the last; a non-zero exit without a "not ok" line or a report is a crash or a timeout,
# one failure.
run_counted() {
  local name=$1 out rc=0 ok nok skip found=$SAN_FOUND
  shift
  out=$(mktemp)
  echo "# $name"
  "$@" 2>&1 | tee "$out" || rc=${PIPESTATUS[0]}
  ok=$(grep -c '^ok ' "$out" || true)
  skip=$(grep -c '^not ok [0-9]* # SKIP' "$out" || true)
  nok=$(($(grep -c '^not ok ' "$out" || true) - skip))
  san_ubsan "$name" "$out"
  unset "SAN_SEEN[$out]"
  rm -f "$out"
  san_check "$name"
  PASSED=$((PASSED + ok))
  FAILED=$((FAILED + nok))
  SKIPPED=$((SKIPPED + skip))
  if ((rc != 0 && nok == 0 && SAN_FOUND == found)); then
    echo "not ok - $name exited with status $rc without a failing test (crash or timeout)"
    FAILED=$((FAILED + 1))
  fi
}

# One cmocka binary with TAP output (extra VAR=VALUE arguments go to its environment).
run_tap() {
  local bin=$1
  shift
  run_counted "$bin" env CMOCKA_MESSAGE_OUTPUT=TAP "$@" timeout -k 10 "$TEST_TIMEOUT" "$bin"
}

run_units() {
  local bin
  for bin in "$@"; do run_tap "$bin"; done
}

# ---- the throwaway stack --------------------------------------------------------------------

print_logs() {
  local f
  for f in "$DIR"/log/*; do
    [[ -f $f ]] || continue
    echo "---- last lines of $f"
    tail -n 25 "$f"
  done
}

stop_stack() {
  trap - EXIT
  [[ -n $DIR ]] || return 0
  "$STACK" down "$DIR" || true
  local found=$SAN_FOUND
  san_check "the test stack's stop"
  ((SAN_FOUND == found)) || KEEP=1
  if ((KEEP)); then
    print_logs
    echo "# stack kept for inspection: $DIR"
  else
    rm -rf "$DIR"
  fi
  DIR=
}

# Extra arguments go to stack.sh up (--galera).
start_stack() {
  DIR=$(mktemp -d /tmp/certhall-test.XXXXXX)
  trap stop_stack EXIT
  PORT=$("$STACK" free-port)
  # CERTHALL_TRACK_CACHE_CHECK: every cached look-up answer is checked against the database's
  # (a stale one fails the request): the whole suite tests the cache's invalidation.
  CERTHALL_RATE_LIMIT=300 CERTHALL_CODE_PER_IP_HOUR=100000 CERTHALL_VERIFY_PER_IP_HOUR=100000 \
    CERTHALL_TRACK_CACHE_CHECK=1 "$STACK" up "$DIR" --port "$PORT" "$@" && return 0
  echo "not ok - the test stack did not come up in $DIR"
  FAILED=$((FAILED + 1))
  KEEP=1
  return 1
}

run_apis() {
  local bin before=$FAILED
  for bin in "$@"; do
    run_tap "$bin" CERTHALL_URL="http://127.0.0.1:$PORT" CERTHALL_STACK="$DIR" \
      CERTHALL_CONF="$DIR/etc/certhall.conf"
  done
  ((FAILED == before)) || KEEP=1
}

# A script that prints "ok - ..." and "not ok - ..." lines.
run_script() {
  run_counted "$*" timeout -k 10 "$TEST_TIMEOUT" "$@"
}

# ---- the browser tests (tests/browser) --------------------------------------------------------

# The npm packages from the lock file (npm ci), again only when the lock changed since; then
# puppeteer-core drives Debian's chromium through the flows against this stack.
run_browser() {
  local dir=tests/browser out
  if [[ ! -f $dir/node_modules/.package-lock.json || $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    if ! (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error); then
      echo "not ok - browser tests: npm ci in $dir failed"
      FAILED=$((FAILED + 1))
      return 0
    fi
  fi
  out=$(mktemp -d /tmp/certhall-browser.XXXXXX)
  # Sanitized programs answer 2-3 times slower: each wait's ceiling grows with them (a wait
  # still ends; nothing is timed).
  [[ -z ${SAN-} ]] || export BROWSER_WAIT_MS=${BROWSER_WAIT_MS:-60000}
  run_counted "browser tests (failures: screenshots and console logs in $out)" \
    env CERTHALL_URL="http://127.0.0.1:$PORT" CERTHALL_STACK="$DIR" BROWSER_OUT="$out" \
    CERTHALL_ADMIN="$REPO/$BUILD/bin/certhall-admin" \
    timeout -k 10 "$BROWSER_TIMEOUT" node "$dir/run.js"
  # Nothing failed: nothing to look at.
  rmdir "$out" 2>/dev/null || echo "# browser test output kept in $out"
}

# ---- fuzzing --------------------------------------------------------------------------------

# Seed a scratch corpus from tests/fuzz/seeds/<name>/ (or <name> without "fuzz_") and run it.
run_fuzzer() {
  local bin=$1 name corpus seeds log
  name=$(basename "$bin")
  corpus=$(mktemp -d /tmp/certhall-fuzz.XXXXXX)
  log=$corpus.log
  for seeds in "tests/fuzz/seeds/$name" "tests/fuzz/seeds/${name#fuzz_}"; do
    if [[ -d $seeds ]]; then
      cp -R "$seeds/." "$corpus/"
      break
    fi
  done
  if "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=5 -artifact_prefix=tests/fuzz/ "$corpus" >"$log" 2>&1; then
    echo "ok - $name (${FUZZ_SECONDS}s)"
    PASSED=$((PASSED + 1))
  else
    tail -n 40 "$log"
    echo "not ok - $name (crash or leak input in tests/fuzz/)"
    FAILED=$((FAILED + 1))
  fi
  rm -rf "$corpus" "$log"
}

run_fuzzers() {
  local bin
  [[ -z ${NO_FUZZ-} ]] || return 0
  for bin in "$BUILD"/tests/fuzz_*; do
    [[ -f $bin && -x $bin ]] || continue
    run_fuzzer "$bin"
  done
}

# ---- main -----------------------------------------------------------------------------------

summary() {
  san_cleanup
  ((SKIPPED == 0)) || echo "# $SKIPPED skipped (not counted)"
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
}

cmd_all() {
  local -a units apis
  read -ra units <<<"${1-}"
  read -ra apis <<<"${2-}"
  run_units "${units[@]}"
  if start_stack; then
    san_check "the test stack's start"
    run_apis "${apis[@]}"
    [[ -n ${NO_BROWSER-} ]] || run_browser
    # The installed programs, started as a host would, against this stack's database.
    run_script tools/dropin-test.sh "$DIR"
  fi
  stop_stack
  run_fuzzers
  summary
}

# make test-galera: a stack on three Galera nodes; its own tests, every API test, then one node
# killed under load and started again; the time it all took.
cmd_galera() {
  local -a galera apis
  local t0=$SECONDS
  read -ra galera <<<"${1-}"
  read -ra apis <<<"${2-}"
  if start_stack --galera; then
    san_check "the test stack's start"
    echo "# galera stack up in $((SECONDS - t0)) s: programs on nodes: $(tr '\n' ' ' <"$DIR/run/programs")"
    run_apis "${galera[@]}" "${apis[@]}"
    run_script tools/galera_kill.sh "$DIR" "$PORT"
  fi
  stop_stack
  echo "# make test-galera took $((SECONDS - t0)) s"
  summary
}

main() {
  cd "$REPO"
  trap 'exit 130' INT TERM
  san_setup
  local cmd=${1-}
  (($#)) && shift
  case $cmd in
    all)
      (($# == 2)) || usage
      cmd_all "$@"
      ;;
    galera)
      (($# == 2)) || usage
      cmd_galera "$@"
      ;;
    unit)
      run_units "$@"
      summary
      ;;
    *) usage ;;
  esac
}

main "$@"
