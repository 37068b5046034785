#!/usr/bin/env bash
# make bench, the import part: certhall-admin import-certs of N generated rows (default
# 1,000,000) into a stack of its own; prints rows/s for the check pass and the write pass, the
# importer's peak RSS at N/10 and at N rows (flat memory: the file is streamed, 5000 rows a
# statement), and PASS/FAIL against 20,000 rows/s written. Then the expiry reminder pass
# (certhall-admin remind) over those N certificates, every one bound to an account: the first
# pass (the reminders due today written, SMS rows in the outbox) and the next (nothing new), and
# PASS/FAIL against a first pass within 60 s.
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

sql() {
  mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$(id -un)" -N -B certhall -e "$1"
}

# remind_pass: "SECONDS DUE REMINDED" of one certhall-admin remind, from what it printed.
remind_pass() {
  local out
  out=$("$BIN/certhall-admin" -c "$DIR/etc/certhall.conf" remind) || {
    echo "$out" >&2
    return 1
  }
  # remind: D due, R reminded (S sms, M mail), N without contact, T s
  awk '{ print $(NF-1), $2, $4 }' <<<"$out"
}

# The reminder pass over every certificate imported (N + N/10), all bound to one account (an
# imported certificate has nobody to tell until an account holds it).
run_remind() {
  local total window s1 d1 r1 s2 d2 r2
  sql "UPDATE certificates SET account_id = (SELECT MIN(id) FROM accounts)"
  total=$(sql "SELECT COUNT(*) FROM certificates")
  window=$(sql "SELECT COUNT(*) FROM certificates WHERE state = 'valid' AND not_after BETWEEN
    CURDATE() AND CURDATE() + INTERVAL 90 DAY")
  read -r s1 d1 r1 < <(remind_pass)
  read -r s2 d2 r2 < <(remind_pass)
  printf 'remind %9d certificates (%d valid within 90 days): first pass %6.1f s (%d reminded), next pass %6.2f s (%d reminded)\n' \
    "$total" "$window" "$s1" "$r1" "$s2" "$r2"
  if (($(calc "($s1 <= 60) ? 1 : 0"))); then
    echo "PASS remind first pass over $total certificates <= 60 s"
  else
    echo "FAIL remind first pass over $total certificates <= 60 s"
  fi
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
  run_remind
}

main "$@"
