#!/usr/bin/env bash
# Code delivery with two SMS providers: how long from "send me a code" to the code at the
# gateway, with the first provider failing 30% of sends, down, and timing out on 10% (lost).
# Starts its own throwaway stack (tools/stack.sh), asks N codes per scenario one after another
# for fresh mobiles, prints p50/p99/max in ms and writes build/bench/sms.json.
# usage: tools/bench_sms.sh [N]   (default 100; tools/bench.sh may call it as it stands)
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
N=${1:-100}
[[ $N =~ ^[1-9][0-9]{0,4}$ ]] || { echo "usage: $0 [N]" >&2; exit 2; }
OUT=$REPO/build/bench
DIR=$(mktemp -d /tmp/certhall-bsms.XXXXXX)
PORT=$("$REPO/tools/stack.sh" free-port)
mkdir -p "$OUT"

cleanup() { "$REPO/tools/stack.sh" down "$DIR" >/dev/null 2>&1 || true; rm -rf "$DIR"; }
trap cleanup EXIT

log() { echo "bench_sms: $*" >&2; }

log "starting a stack in $DIR on port $PORT"
CERTHALL_CODE_PER_IP_HOUR=100000 "$REPO/tools/stack.sh" up "$DIR" --port "$PORT" --outbox >"$DIR.up.log" 2>&1 ||
  { tail -n 20 "$DIR.up.log" >&2; exit 1; }
rm -f "$DIR.up.log"
BASE=http://127.0.0.1:$PORT

post() { curl -sS -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -d "$2" "$BASE$1"; }

# A clean slate for a scenario: both gateways healthy and empty, both breakers closed.
reset() {
  post /sandbox/reset '{}' >/dev/null
  mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$(id -un)" certhall -e 'DELETE FROM sms_breaker'
  [[ $(post /sandbox/control "$1") == 200 ]] || { log "control $1 refused"; exit 1; }
}

# One code: asked for, then the gateway polled until it has it; prints the milliseconds.
one() {
  local mobile=$1 t0 t1 status i
  t0=$EPOCHREALTIME
  status=$(post /api/account/sms-code "{\"mobile\":\"$mobile\",\"purpose\":\"register\"}")
  [[ $status == 200 ]] || { log "sms-code for $mobile answered $status"; exit 1; }
  for ((i = 0; i < 3000; i++)); do
    if curl -sS "$BASE/sandbox/messages?to=$mobile&limit=1" | grep -q '"to":"'"$mobile"'"'; then
      t1=$EPOCHREALTIME
      awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", (b - a) * 1000 }'
      return 0
    fi
    sleep 0.02
  done
  log "no code for $mobile after 60 s"
  echo 60000
}

# "p50 p99 max" (nearest rank) of the numbers in FILE.
pcts() {
  sort -n "$1" | awk '{ v[NR] = $1 } END {
    k = int(0.5 * NR); if (k < 0.5 * NR) k++; if (k < 1) k = 1
    j = int(0.99 * NR); if (j < 0.99 * NR) j++; if (j < 1) j = 1
    printf "%d %d %d\n", v[k], v[j], v[NR] }'
}

declare -A R
run() {
  local name=$1 control=$2 f=$DIR/times-$1.txt m i
  reset "$control"
  : >"$f"
  for ((i = 0; i < N; i++)); do
    m=$(printf '137%08d' $(((RANDOM * 32768 + RANDOM) % 100000000)))
    one "$m" >>"$f"
  done
  read -r p50 p99 max < <(pcts "$f")
  R[$name]="$p50 $p99 $max"
  printf '%-34s n=%d  p50 %6d ms  p99 %6d ms  max %6d ms\n' "$3" "$N" "$p50" "$p99" "$max"
}

echo "code delivery (request to gateway), two providers, target p99 <= 10000 ms:"
run failing '{"fail_ratio":0.3}' "first provider failing 30%:"
run down '{"fail_ratio":1.0}' "first provider down:"
run timeout '{"timeout_ratio":0.1,"timeout_mode":"drop"}' "first timing out 10% (lost them):"

{
  printf '{"n":%d' "$N"
  for s in failing down timeout; do
    read -r a b c <<<"${R[$s]}"
    printf ',"%s":{"p50_ms":%d,"p99_ms":%d,"max_ms":%d}' "$s" "$a" "$b" "$c"
  done
  printf '}\n'
} >"$OUT/sms.json"
log "figures in $OUT/sms.json"
