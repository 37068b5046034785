#!/usr/bin/env bash
# make bench, the import part: certhall-admin import-certs of N generated rows (default
# 1,000,000) into a stack of its own; prints rows/s for the check pass and the write pass, the
# importer's peak RSS at N/10 and at N rows (flat memory: the file is streamed, 5000 rows a
# statement), and PASS/FAIL against 20,000 rows/s written.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
N=${1:-1000000}
TARGET=20000
BIN=${CERTHALL_BIN:-$REPO/build/bin}
DIR=

calc() { awk "BEGIN { print $1 }"; }

cleanup() {
  [[ -n $DIR ]] || return 0
  "$REPO/tools/stack.sh" down "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}

# Runs the command, prints "SECONDS PEAK_RSS_KIB" on fd 3 (the peak read from /proc).
measure() {
  local t0 t1 pid peak=0 hwm
  t0=$(date +%s.%N)
  "$@" >"$DIR/out.txt" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)
    ((${hwm:-0} > peak)) && peak=$hwm
    sleep 0.05
  done
  wait "$pid" || {
    cat "$DIR/out.txt" >&2
    return 1
  }
  t1=$(date +%s.%N)
  echo "$(calc "$t1 - $t0") $peak" >&3
}

run_one() {
  local rows=$1 csv=$DIR/certs-$1.csv s1 r1 s2 r2
  "$BIN/certhall-admin" sample-certs "$rows" >"$csv"
  read -r s1 r1 < <(measure "$BIN/certhall-admin" -c "$DIR/etc/certhall.conf" import-certs "$csv" 3>&1 >/dev/null)
  read -r s2 r2 < <(measure "$BIN/certhall-admin" -c "$DIR/etc/certhall.conf" import-certs "$csv" --apply 3>&1 >/dev/null)
  grep -q "$rows new" "$DIR/out.txt" || {
    cat "$DIR/out.txt" >&2
    return 1
  }
  printf '%s %s %s %s %s\n' "$rows" "$s1" "$r1" "$s2" "$r2"
}

main() {
  local port small big rows s1 r1 s2 r2 rate
  DIR=$(mktemp -d /tmp/certhall-bimp.XXXXXX)
  trap cleanup EXIT
  port=$("$REPO/tools/stack.sh" free-port)
  "$REPO/tools/stack.sh" up "$DIR" --port "$port" >"$DIR/stack.log" 2>&1 || {
    cat "$DIR/stack.log" >&2
    exit 1
  }
  small=$(run_one $((N / 10)))
  big=$(run_one "$N")
  read -r rows s1 r1 s2 r2 <<<"$small"
  printf 'import-certs %9d rows: check %6.1f s (%8.0f rows/s), write %6.1f s (%8.0f rows/s), peak RSS %6.1f MiB\n' \
    "$rows" "$s1" "$(calc "$rows / $s1")" "$s2" "$(calc "$rows / $s2")" "$(calc "$r2 / 1024")"
  read -r rows s1 r1 s2 r2 <<<"$big"
  rate=$(calc "$rows / $s2")
  printf 'import-certs %9d rows: check %6.1f s (%8.0f rows/s), write %6.1f s (%8.0f rows/s), peak RSS %6.1f MiB\n' \
    "$rows" "$s1" "$(calc "$rows / $s1")" "$s2" "$rate" "$(calc "$r2 / 1024")"
  if (($(calc "($rate >= $TARGET) ? 1 : 0"))); then
    echo "PASS import-certs writes >= $TARGET rows/s"
  else
    echo "FAIL import-certs writes >= $TARGET rows/s"
  fi
}

main "$@"
