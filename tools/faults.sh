#!/usr/bin/env bash
# A fault campaign anyone can rerun (make faults): starts a throwaway stack, puts load on it,
# injects each fault, and prints one line per case: requests, 200s, clean JSON errors, and
# anything else (a non-JSON answer, a 502, a reset) — which must be 0.
#
#   tools/faults.sh [SECONDS]   load per case (default 6)
#
#   tools/faults.sh --long [SECONDS]   the long cases too (make faults FAULTS_LONG=1)
#
# Cases:
# - kill -9 of every program's workers under load (each program in turn);
# - MariaDB killed with SIGKILL under load and restarted 2 s later (also: seconds until the
#   first 200 again, with no program restarted);
# - the SMS gateways failing 30% for an hour of simulated time: codes asked for every simulated
#   minute, the outbox pass run, then the clock moved on (below); every code must reach its
#   phone once, none twice, none given up;
# - the upload disk full: a 64 KiB tmpfs over the stack's upload directory under uploads, then
#   grown to 16 MiB (as root; without root the case is skipped and says so);
# - the courier down (nothing listening at its address) while the public look-up is loaded and
#   the courier pass runs; then the courier back.
# With --long: the kill cases and the disk case load for 4 x SECONDS, the SMS hour takes 10
# codes a simulated minute instead of 2, and a second SMS hour runs with gateway timeouts too.
#
# Simulated time: the outbox and the SMS breaker decide by comparing their own columns with
# NOW() (outbox.next_at, outbox.claim_until, sms_breaker.open_until). Moving those columns back
# by D seconds is, for them, the clock moving on by D: a retry due in 20 minutes is due after 20
# simulated minutes, however quickly they pass. The script moves them only while no send is in
# flight (no row 'sending' or 'checking'), so no claim is cut short under a running sender.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK=$REPO/tools/stack.sh
LONG=0
if [[ ${1-} == --long ]]; then
  LONG=1
  shift
fi
SECONDS_PER_CASE=${1:-6}
DIR=
PORT=
ME=$(id -un)
MOUNTED=

die() {
  echo "faults.sh: $*" >&2
  exit 1
}

cleanup() {
  [[ -n $DIR ]] || return 0
  if [[ -n $MOUNTED ]]; then umount "$MOUNTED" 2>/dev/null || true; fi
  "$STACK" down "$DIR" >/dev/null 2>&1 || true
  rm -rf "$DIR"
}

# The pids of a program master's workers.
workers_of() {
  local master
  master=$(cat "$DIR/run/$1.pid" 2>/dev/null) || return 0
  pgrep -P "$master" || true
}

# Load: two loops of GETs on URL until the file STOP exists; one line per answer:
# "<status> <content-type>" ("000 -" for a connection that got nothing).
load() {
  local url=$1 out=$2 i
  for i in 1 2; do
    (
      while [[ ! -e $out.stop ]]; do
        curl -s -o /dev/null -m 10 -w '%{http_code} %{content_type}\n' "$url" || echo "000 -"
      done
    ) >"$out.$i" 2>/dev/null &
  done
}

stop_load() {
  touch "$1.stop"
  wait
  cat "$1".[12] >"$1"
  rm -f "$1".[12] "$1.stop"
}

# "total ok clean other" of an answers file: ok is any 2xx.
count() {
  awk '{ n++ } $1 >= 200 && $1 < 300 { ok++; next } $1 >= 400 && $2 ~ /^application\/json/ { clean++; next }
    { other++ } END { printf "%d %d %d %d\n", n, ok, clean, other }' "$1"
}

report() {
  local name=$1 file=$2 extra=${3-} n ok clean other verdict
  read -r n ok clean other <<<"$(count "$file")"
  verdict=PASS
  ((other == 0 && n > 0)) || verdict=FAIL
  printf '%-22s %7d %7d %7d %7d  %-4s %s\n' "$name" "$n" "$ok" "$clean" "$other" "$verdict" "$extra"
  [[ $verdict == PASS ]]
}

kill_workers_case() {
  local prog=$1 out=$DIR/faults-$1 k=0 t SECONDS_PER_CASE=$LOAD_SECONDS
  load "http://127.0.0.1:$PORT/api/$prog/health" "$out"
  for ((t = 0; t < SECONDS_PER_CASE; t += 2)); do
    sleep 1
    for pid in $(workers_of "$prog"); do
      kill -9 "$pid" 2>/dev/null && k=$((k + 1))
    done
    sleep 1
  done
  stop_load "$out"
  report "kill -9 $prog" "$out" "$k workers killed"
}

mariadb_case() {
  local out=$DIR/faults-mariadb pid i back=- t0 t1 SECONDS_PER_CASE=$LOAD_SECONDS
  local -a argv
  pid=$(cat "$DIR/run/mysqld.pid")
  mapfile -d '' argv <"/proc/$pid/cmdline"
  load "http://127.0.0.1:$PORT/api/track/health" "$out"
  sleep 1
  kill -9 "$pid"
  sleep 2
  t0=$(date +%s.%N)
  (cd "$DIR" && setsid "${argv[@]}" </dev/null >>"$DIR/log/mariadb.out" 2>&1 &)
  for ((i = 0; i < 600; i++)); do
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/track/health") == 200 ]]; then
      t1=$(date +%s.%N)
      back=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f s", b - a }')
      break
    fi
    sleep 0.1
  done
  sleep "$((SECONDS_PER_CASE > 3 ? SECONDS_PER_CASE - 3 : 1))"
  stop_load "$out"
  report "mariadb kill -9" "$out" "answering 200 again $back after the restart, no program restarted" &&
    [[ $back != - ]]
}

sql() {
  mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$ME" -N -B certhall -e "$1"
}

admin() {
  "${CERTHALL_BIN:-$REPO/build/bin}/certhall-admin" -c "${ADMIN_CONF:-$DIR/etc/certhall.conf}" "$@"
}

post() {
  curl -s -o /dev/null -w '%{http_code}' -m 10 -H 'Content-Type: application/json' -d "$2" \
    "http://127.0.0.1:$PORT$1"
}

# ---- the SMS gateways failing 30% for a simulated hour ---------------------------------------

# Wait (at most 10 s) until no outbox row is being sent or checked.
outbox_settle() {
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(sql "SELECT COUNT(*) FROM outbox WHERE state IN ('sending', 'checking')") == 0 ]] && return 0
    sleep 0.1
  done
  return 1
}

# The clock moves on by $1 seconds for the outbox and the breaker (see the top of this file).
time_passes() {
  sql "UPDATE outbox SET next_at = next_at - INTERVAL $1 SECOND,
         claim_until = claim_until - INTERVAL $1 SECOND
       WHERE state IN ('pending', 'unknown');
       UPDATE sms_breaker SET open_until = open_until - INTERVAL $1 SECOND WHERE open_until IS NOT NULL"
}

# One simulated hour: each minute PER codes asked for (fresh mobiles beginning with PREFIX), the
# outbox pass, a minute passes; then up to 6 simulated hours of passes, 5 minutes apart, for the
# retries. CONTROL is the sandbox setting of both gateways.
sms_case() {
  local name=$1 control=$2 per=$3 prefix=$4 out=$DIR/faults-sms t i m before drained=- left minutes
  local n ok clean other sent failed pending attempts msgs distinct dups missing
  before=$(sql "SELECT COALESCE(MAX(id), 0) FROM outbox")
  [[ $(post /sandbox/reset '{}') == 200 ]] || die "sandbox reset refused"
  sql "DELETE FROM sms_breaker"
  [[ $(post /sandbox/control "$control") == 200 && $(post /sandbox/control/sms2 "$control") == 200 ]] ||
    die "sandbox control $control refused"
  : >"$out"
  : >"$out.mobiles"
  for ((t = 0; t < 60; t++)); do
    for ((i = 0; i < per; i++)); do
      m=$(printf '%s%02d%02d%04d' "$prefix" "$t" "$i" "$((RANDOM % 10000))")
      echo "$m" >>"$out.mobiles"
      curl -s -o /dev/null -m 10 -w '%{http_code} %{content_type}\n' -H 'Content-Type: application/json' \
        -d "{\"mobile\":\"$m\",\"purpose\":\"register\"}" \
        "http://127.0.0.1:$PORT/api/account/sms-code" >>"$out" || echo "000 -" >>"$out"
    done
    outbox_settle || true
    admin outbox >>"$DIR/log/faults-outbox.log" 2>&1 || true
    outbox_settle || true
    time_passes 60
  done
  for ((t = 0; t < 72; t++)); do
    left=$(sql "SELECT COUNT(*) FROM outbox WHERE id > $before AND state NOT IN ('sent', 'failed')")
    if ((left == 0)); then
      drained=$((t * 5))
      break
    fi
    admin outbox >>"$DIR/log/faults-outbox.log" 2>&1 || true
    outbox_settle || true
    time_passes 300
  done
  post /sandbox/control '{"fail_ratio":0,"timeout_ratio":0}' >/dev/null
  post /sandbox/control/sms2 '{"fail_ratio":0,"timeout_ratio":0}' >/dev/null
  read -r sent failed pending attempts <<<"$(sql "SELECT SUM(state = 'sent'), SUM(state = 'failed'),
    SUM(state NOT IN ('sent', 'failed')), SUM(attempts) FROM outbox WHERE id > $before")"
  # What the phones got: every mobile once.
  sort -u "$out.mobiles" >"$out.mobiles.u"
  sql "SELECT to_addr FROM sandbox_messages WHERE channel = 'sms'" | sort >"$out.got"
  msgs=$(grep -cFxf "$out.mobiles.u" "$out.got" || true)
  distinct=$(sort -u "$out.got" | grep -cFxf "$out.mobiles.u" || true)
  dups=$((msgs - distinct))
  missing=$(($(wc -l <"$out.mobiles.u") - distinct))
  read -r n ok clean other <<<"$(count "$out")"
  minutes=$([[ $drained == - ]] && echo "not drained in 6 h" || echo "drained $drained min after the hour")
  report "$name" "$out" "$n codes, $((attempts)) sends for $sent sent ($((attempts - sent)) retried), failed ${failed:-0}, left ${pending:-0}; phones: $distinct got theirs, $dups twice, $missing none; $minutes" &&
    ((ok == n && missing == 0 && dups == 0 && ${failed:-0} == 0 && ${pending:-0} == 0))
}

# ---- the upload disk full --------------------------------------------------------------------

# An applicant's session (cookie jar $DIR/faults-jar) and an order of theirs taking uploads.
applicant() {
  local jar=$DIR/faults-jar
  rm -f "$jar"
  curl -s -o /dev/null -c "$jar" -b "$jar" -H 'Content-Type: application/json' \
    -d '{"login_name":"91350100M000100Y43","password":"Demo2026hall"}' \
    "http://127.0.0.1:$PORT/api/account/login"
  CSRF=$(awk '$6 == "certhall_csrf" { print $7 }' "$jar")
  [[ -n $CSRF ]] || die "the demo applicant could not log in"
  # The demo draft becomes theirs.
  sql "UPDATE orders SET account_id = (SELECT id FROM accounts WHERE login_name = '91350100M000100Y43')
       WHERE state = 'draft' AND account_id IS NULL"
  ORDER_NO=$(sql "SELECT order_no FROM orders WHERE state = 'draft' ORDER BY id LIMIT 1")
  [[ -n $ORDER_NO ]] || die "no draft order to upload to"
}

# Upload loops: loop L sends images L, L+2, ... of $DIR/faults-img in turn.
upload_load() {
  local out=$1 l i kind
  for l in 0 1; do
    (
      i=$l
      kind=$([[ $l == 0 ]] && echo handler_id || echo "handler_id?page=2")
      while [[ ! -e $out.stop ]]; do
        curl -s -o /dev/null -m 20 -w '%{http_code} %{content_type}\n' -c "$DIR/faults-jar" \
          -b "$DIR/faults-jar" -H "X-CSRF-Token: $CSRF" \
          -F "file=@$DIR/faults-img/$i.jpg;type=image/jpeg" \
          "http://127.0.0.1:$PORT/api/upload/orders/$ORDER_NO/materials/$kind" || echo "000 -"
        i=$(((i + 2) % 40))
      done
    ) >"$out.$((l + 1))" 2>/dev/null &
  done
}

disk_case() {
  local out=$DIR/faults-disk up=$DIR/uploads i before added missing leftovers full=-
  if ((EUID != 0)); then
    printf '%-22s %7s %7s %7s %7s  %-4s %s\n' "upload disk full" - - - - SKIP "mounting a small tmpfs needs root"
    return 0
  fi
  applicant
  mkdir -p "$DIR/faults-img"
  for ((i = 0; i < 40; i++)); do
    convert -size 640x480 xc:white -fill black \
      -draw "rectangle $((40 + i * 9)),$((40 + i * 5)) $((240 + i * 9)),$((240 + i * 5))" \
      "$DIR/faults-img/$i.jpg"
  done
  before=$(sql "SELECT COUNT(*) FROM materials m JOIN orders o ON o.id = m.order_id WHERE o.order_no = '$ORDER_NO'")
  mount -t tmpfs -o size=64k,mode=0750 certhall-faults-full "$up" || {
    printf '%-22s %7s %7s %7s %7s  %-4s %s\n' "upload disk full" - - - - SKIP "mount refused"
    return 0
  }
  MOUNTED=$up
  upload_load "$out"
  sleep "$LOAD_SECONDS"
  # Room again: the disk grows, as when an operator frees space.
  mount -o remount,size=16m "$up"
  sleep "$LOAD_SECONDS"
  stop_load "$out"
  added=$(($(sql "SELECT COUNT(*) FROM materials m JOIN orders o ON o.id = m.order_id WHERE o.order_no = '$ORDER_NO'") - before))
  # Every stored row has its file; no temporary file is left behind.
  missing=0
  while read -r sha; do
    [[ -f $up/${sha:0:2}/${sha:2:2}/$sha.jpg ]] || missing=$((missing + 1))
  done < <(sql "SELECT m.sha256 FROM materials m JOIN orders o ON o.id = m.order_id WHERE o.order_no = '$ORDER_NO' ORDER BY m.id DESC LIMIT $added")
  leftovers=$(find "$up" -name '.tmp-*' | wc -l)
  full=$(awk '$1 == 503' "$out" | wc -l)
  umount "$up"
  MOUNTED=
  local n ok clean other
  read -r n ok clean other <<<"$(count "$out")"
  report "upload disk full" "$out" "$ok stored, $added rows, $missing rows without their file, $leftovers temporary files left; $full × 503 while full" &&
    ((added == ok && missing == 0 && leftovers == 0 && full > 0 && ok > 0))
}

# ---- the courier down ------------------------------------------------------------------------

courier_case() {
  local out=$DIR/faults-courier no dead passes=0 asked=0 failed=0 answered=0 line a b f states_before states_after
  local back_answered failures_left shown=0 t
  no=$(sql "SELECT order_no FROM orders WHERE state = 'shipped' ORDER BY id LIMIT 1")
  [[ -n $no ]] || die "no shipped order for the courier case"
  # Three parcels of the shipped order, known to the courier.
  sql "INSERT IGNORE INTO waybills (order_id, direction, carrier, number, created_by_type, created_by, created_at)
       SELECT id, 'out', 'sf', CONCAT('SF140234567890', n), 'staff', 1, NOW(3)
       FROM orders JOIN (SELECT 1 AS n UNION SELECT 2 UNION SELECT 3) k WHERE order_no = '$no'"
  admin courier >/dev/null
  states_before=$(sql "SELECT GROUP_CONCAT(last_state ORDER BY id) FROM waybills")
  # Down: the courier's address answers nothing (a port nobody listens on).
  dead=$("$STACK" free-port)
  sed -e "/^\[courier\]/,/^\[/ s#^endpoint = .*#endpoint = http://127.0.0.1:$dead/sandbox/courier#" \
    "$DIR/etc/certhall.conf" >"$DIR/etc/courier-down.conf"
  load_post "http://127.0.0.1:$PORT/api/track/order" "{\"order_no\":\"$no\",\"mobile_tail\":\"8000\"}" "$out"
  for ((t = 0; t < LOAD_SECONDS; t++)); do
    sql "UPDATE waybills SET refresh_due = NOW(3)"
    line=$(ADMIN_CONF=$DIR/etc/courier-down.conf admin courier 2>>"$DIR/log/faults-courier.log")
    read -r a b f <<<"$(sed -n 's/^courier: asked \([0-9]*\), answered \([0-9]*\), failed \([0-9]*\).*/\1 \2 \3/p' <<<"$line")"
    passes=$((passes + 1))
    asked=$((asked + ${a:-0}))
    answered=$((answered + ${b:-0}))
    failed=$((failed + ${f:-0}))
    sleep 1
  done
  # The look-up says the news is old.
  curl -s -H 'Content-Type: application/json' -d "{\"order_no\":\"$no\",\"mobile_tail\":\"8000\"}" \
    "http://127.0.0.1:$PORT/api/track/order" | grep -q '"refresh_failing": *true' && shown=1
  stop_load "$out"
  states_after=$(sql "SELECT GROUP_CONCAT(last_state ORDER BY id) FROM waybills")
  # Back.
  sql "UPDATE waybills SET refresh_due = NOW(3)"
  line=$(admin courier)
  back_answered=$(sed -n 's/^courier: asked [0-9]*, answered \([0-9]*\).*/\1/p' <<<"$line")
  failures_left=$(sql "SELECT COUNT(*) FROM waybills WHERE refresh_failures > 0")
  report "courier down" "$out" "$passes passes: asked $asked, answered $answered, failed $failed; states kept: $([[ $states_before == "$states_after" ]] && echo yes || echo NO); look-up shows stale: $([[ $shown == 1 ]] && echo yes || echo NO); back: $back_answered answered, $failures_left still failing" &&
    ((answered == 0 && failed == passes && shown == 1 && back_answered > 0 && failures_left == 0)) &&
    [[ $states_before == "$states_after" ]]
}

# Like load, with a POST of a JSON body.
load_post() {
  local url=$1 body=$2 out=$3 i
  for i in 1 2; do
    (
      while [[ ! -e $out.stop ]]; do
        curl -s -o /dev/null -m 10 -w '%{http_code} %{content_type}\n' -H 'Content-Type: application/json' \
          -d "$body" "$url" || echo "000 -"
      done
    ) >"$out.$i" 2>/dev/null &
  done
}

main() {
  local failed=0 prog
  [[ $SECONDS_PER_CASE =~ ^[1-9][0-9]*$ ]] || die "usage: $0 [--long] [SECONDS]"
  LOAD_SECONDS=$SECONDS_PER_CASE
  ((LONG)) && LOAD_SECONDS=$((SECONDS_PER_CASE * 4))
  DIR=$(mktemp -d /tmp/certhall-faults.XXXXXX)
  trap cleanup EXIT
  PORT=$("$STACK" free-port)
  # The cases load the look-up and ask for codes from one address: no limit in the way.
  CERTHALL_RATE_LIMIT=100000000 CERTHALL_CODE_PER_IP_HOUR=100000 CERTHALL_VERIFY_PER_IP_HOUR=100000 \
    "$STACK" up "$DIR" --port "$PORT" >"$DIR/up.log" 2>&1 || {
    tail -n 20 "$DIR/up.log"
    die "the stack did not come up"
  }
  printf '%-22s %7s %7s %7s %7s  %s\n' case requests 2xx json-err other verdict
  for prog in track account wizard upload review; do
    kill_workers_case "$prog" || failed=$((failed + 1))
  done
  mariadb_case || failed=$((failed + 1))
  sms_case "sms 30% failing, 1 h" '{"fail_ratio":0.3}' "$((LONG ? 10 : 2))" 136 || failed=$((failed + 1))
  if ((LONG)); then
    sms_case "sms 30% + timeouts, 1 h" '{"fail_ratio":0.3,"timeout_ratio":0.05,"timeout_mode":"accept"}' 10 135 ||
      failed=$((failed + 1))
  fi
  disk_case || failed=$((failed + 1))
  courier_case || failed=$((failed + 1))
  echo "$failed case(s) failed"
  ((failed == 0))
}

main "$@"
