#!/usr/bin/env bash
# Run every libFuzzer harness (build/tests/fuzz_*) for SECONDS each; one line per harness.
# With FUZZ_RUNS=N (make fuzz FUZZ_RUNS=10000000), each runs N executions instead, however long
# that takes (SECONDS is then ignored); FUZZ_ONLY="prepass conf" runs only those harnesses.
# The corpus of each lives in build/fuzz-corpus/<name>/ (seeded from tests/fuzz/seeds/<name>/)
# and grows across runs; a crash, leak or timeout input is left in build/fuzz-corpus/<name>-crash/.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
BUILD=${BUILD:-build}

usage() {
  echo "usage: $0 SECONDS" >&2
  exit 2
}

# The value of libFuzzer's final "stat::<name>: N" line, or "?".
stat() {
  local v
  v=$(sed -n "s/^stat::$1: *//p" "$2" | tail -n 1)
  echo "${v:-?}"
}

# "cov: N ft: N corp: N/..." from libFuzzer's last status line.
coverage() {
  local line
  line=$(grep -E '^#[0-9]+.*cov: ' "$1" | tail -n 1 || true)
  if [[ $line =~ cov:\ ([0-9]+)\ ft:\ ([0-9]+)\ corp:\ ([0-9]+) ]]; then
    echo "cov ${BASH_REMATCH[1]} ft ${BASH_REMATCH[2]} corpus ${BASH_REMATCH[3]}"
  else
    echo "cov ?"
  fi
}

run_one() {
  local bin=$1 seconds=$2 name corpus crashes log rc=0 written
  name=$(basename "$bin")
  corpus=$BUILD/fuzz-corpus/$name
  crashes=$BUILD/fuzz-corpus/$name-crash
  log=$BUILD/fuzz-corpus/$name.log
  mkdir -p "$corpus" "$crashes"
  if [[ -d tests/fuzz/seeds/$name ]]; then
    cp -R tests/fuzz/seeds/"$name"/. "$corpus"/
  fi
  local -a budget=(-max_total_time="$seconds")
  [[ -n ${FUZZ_RUNS-} ]] && budget=(-runs="$FUZZ_RUNS")
  "$bin" "${budget[@]}" -timeout=5 -rss_limit_mb=1024 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1 || rc=$?
  if ((rc == 0)); then
    printf '%-16s ok    %s execs (%s/s), %s\n' "$name" "$(stat number_of_executed_units "$log")" \
      "$(stat average_exec_per_sec "$log")" "$(coverage "$log")"
    return 0
  fi
  tail -n 40 "$log"
  written=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
  printf '%-16s FAIL  exit %d after %s execs, input: %s (log %s)\n' "$name" "$rc" \
    "$(stat number_of_executed_units "$log")" "${written:-none written}" "$log"
  return 1
}

main() {
  local seconds=${1-} bin failed=0 ran=0
  if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds == 0)); then usage; fi
  if [[ -n ${FUZZ_RUNS-} && ! $FUZZ_RUNS =~ ^[1-9][0-9]*$ ]]; then usage; fi
  cd "$REPO"
  for bin in "$BUILD"/tests/fuzz_*; do
    [[ -f $bin && -x $bin ]] || continue
    if [[ -n ${FUZZ_ONLY-} && " $FUZZ_ONLY " != *" $(basename "$bin" | sed 's/^fuzz_//') "* ]]; then continue; fi
    ran=$((ran + 1))
    run_one "$bin" "$seconds" || failed=$((failed + 1))
  done
  if ((ran == 0)); then
    echo "no fuzz harnesses in $BUILD/tests (clang missing?)"
    return 0
  fi
  ((failed == 0))
}

main "$@"
