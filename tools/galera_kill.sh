#!/usr/bin/env bash
# One Galera node killed under load, then started again (make test-galera): on a --galera stack
# (tools/stack.sh up DIR --galera), load every program while node N is killed with SIGKILL and
# started again, and check that
#   - every answer is a 200 or a 503 with the JSON envelope (no 502, no reset, no HTML, no 500);
#   - the programs on node N answered 503 while it was gone and 200 again after it rejoined,
#     with no program restarted;
#   - every SMS code the hall answered 200 for is in the database, on every node (the killed
#     one included: it caught up when it rejoined).
# Prints one table line per URL and "ok - ..." / "not ok - ..." lines (test.sh counts them).
#
#   tools/galera_kill.sh DIR PORT [NODE] [SECONDS]   (node 2, 4 s of load before and after)
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK=$REPO/tools/stack.sh
DIR=${1:?usage: $0 DIR PORT [NODE] [SECONDS]}
PORT=${2:?usage: $0 DIR PORT [NODE] [SECONDS]}
NODE=${3:-2}
SECONDS_LOAD=${4:-4}
ME=$(id -un)
OUT=$DIR/galera-kill
FAILED=0

ok() { echo "ok - $*"; }
not_ok() {
  echo "not ok - $*"
  FAILED=$((FAILED + 1))
}

sql() {
  mariadb --no-defaults -S "$1" -u "$ME" -N -B certhall -e "$2"
}

node_sock() {
  if (($1 == 1)); then echo "$DIR/run/mysqld.sock"; else echo "$DIR/run/mysqld$1.sock"; fi
}

# Loops of one request on URL until $OUT.stop exists; one line per answer:
# "<status> <content-type>" ("000 -" when the connection gave nothing). A POST of an SMS code
# asks for a fresh mobile each time (a write: the code row and its outbox row).
load() {
  local name=$1 url=$2 method=${3:-GET}
  (
    while [[ ! -e $OUT.stop ]]; do
      if [[ $method == POST ]]; then
        curl -s -o /dev/null -m 20 -w '%{http_code} %{content_type}\n' -X POST \
          -H 'Content-Type: application/json' \
          -d "{\"mobile\":\"139$(printf '%04d%04d' $((RANDOM % 10000)) $((RANDOM % 10000)))\",\"purpose\":\"register\"}" \
          "$url" || echo "000 -"
      else
        curl -s -o /dev/null -m 20 -w '%{http_code} %{content_type}\n' "$url" || echo "000 -"
      fi
    done
  ) >"$OUT.$name" 2>/dev/null &
}

# "total ok unavailable other" of an answers file: 503 with JSON is the clean refusal.
count() {
  awk '{ n++ } $1 == 200 { ok++; next } $1 == 503 && $2 ~ /^application\/json/ { u++; next }
    { other++ } END { printf "%d %d %d %d\n", n, ok, u, other }' "$1"
}

# The programs on NODE (run/programs: "name node" lines).
programs_on() {
  awk -v n="$1" '$2 == n && $1 != "sandbox" { print $1 }' "$DIR/run/programs"
}

main() {
  local name prog n ok u other tn=0 tok=0 tu=0 tother=0 t0 t1 back=- codes_before
  local -a names=() victims survivors masters_before masters_after
  [[ -s $DIR/run/galera ]] || {
    not_ok "galera node kill: $DIR is not a --galera stack"
    exit 1
  }
  mapfile -t victims < <(programs_on "$NODE")
  mapfile -t survivors < <(awk -v n="$NODE" '$2 != n && $1 != "sandbox" { print $1 }' "$DIR/run/programs")
  ((${#victims[@]} > 0)) || {
    not_ok "galera node kill: no program on node $NODE"
    exit 1
  }
  for prog in "${victims[@]}" "${survivors[@]}"; do masters_before+=("$(cat "$DIR/run/$prog.pid")"); done
  codes_before=$(sql "$(node_sock 1)" "SELECT COALESCE(MAX(id), 0) FROM sms_codes")
  rm -f "$OUT".*
  for prog in "${victims[@]}" "${survivors[@]}"; do
    load "$prog-health" "http://127.0.0.1:$PORT/api/$prog/health"
    names+=("$prog-health")
  done
  load code-1 "http://127.0.0.1:$PORT/api/account/sms-code" POST
  load code-2 "http://127.0.0.1:$PORT/api/account/sms-code" POST
  names+=(code-1 code-2)

  sleep "$SECONDS_LOAD"
  "$STACK" node-kill "$DIR" "$NODE" >/dev/null
  sleep "$SECONDS_LOAD"
  t0=$(date +%s.%N)
  "$STACK" node-start "$DIR" "$NODE" >/dev/null
  # Until every program of the node answers 200 again (the node is synced already).
  for ((n = 0; n < 300; n++)); do
    other=0
    for prog in "${victims[@]}"; do
      [[ $(curl -s -o /dev/null -m 5 -w '%{http_code}' "http://127.0.0.1:$PORT/api/$prog/health") == 200 ]] ||
        other=1
    done
    if ((other == 0)); then
      t1=$(date +%s.%N)
      back=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
      break
    fi
    sleep 0.1
  done
  sleep "$SECONDS_LOAD"
  touch "$OUT.stop"
  wait
  rm -f "$OUT.stop"

  printf '# %-16s %8s %6s %8s %6s\n' answers requests 200 503-json other
  for name in "${names[@]}"; do
    read -r n ok u other <<<"$(count "$OUT.$name")"
    printf '# %-16s %8d %6d %8d %6d\n' "$name" "$n" "$ok" "$u" "$other"
    tn=$((tn + n))
    tok=$((tok + ok))
    tu=$((tu + u))
    tother=$((tother + other))
    case $name in
      *-health)
        prog=${name%-health}
        if [[ " ${victims[*]} " == *" $prog "* ]] && ((u == 0)); then
          not_ok "galera node kill: $prog (on node $NODE) never answered 503 while the node was gone"
        fi
        ;;
    esac
  done
  printf '# %-16s %8d %6d %8d %6d\n' total "$tn" "$tok" "$tu" "$tother"
  if ((tother == 0 && tn > 0)); then
    ok "galera node $NODE killed under load: $tn requests, $tok × 200, $tu × 503 JSON, 0 other"
  else
    not_ok "galera node $NODE killed under load: $tother of $tn answers neither 200 nor 503 JSON"
  fi

  if [[ $back != - ]]; then
    ok "galera node $NODE rejoined: ${victims[*]} answer 200 again ${back} s after its start"
  else
    not_ok "galera node $NODE: ${victims[*]} did not answer 200 again after the node's start"
  fi
  for prog in "${victims[@]}" "${survivors[@]}"; do masters_after+=("$(cat "$DIR/run/$prog.pid")"); done
  if [[ "${masters_before[*]}" == "${masters_after[*]}" ]] && for pid in "${masters_after[@]}"; do kill -0 "$pid" || exit 1; done; then
    ok "galera node $NODE: no program restarted"
  else
    not_ok "galera node $NODE: a program master was replaced or is gone"
  fi

  # Every code answered 200 is in the database, on every node.
  local codes_ok=0 rows
  for name in code-1 code-2; do codes_ok=$((codes_ok + $(awk '$1 == 200' "$OUT.$name" | wc -l))); done
  local -a per_node=()
  for ((n = 1; n <= $(<"$DIR/run/galera"); n++)); do
    rows=$(sql "$(node_sock "$n")" "SELECT COUNT(*) FROM sms_codes WHERE id > $codes_before")
    per_node+=("$rows")
  done
  if ((codes_ok > 0)) && [[ $(printf '%s\n' "${per_node[@]}" | sort -u | wc -l) == 1 ]] &&
    ((per_node[0] >= codes_ok)); then
    ok "galera node $NODE: $codes_ok codes answered 200, ${per_node[0]} rows on each of the ${#per_node[@]} nodes"
  else
    not_ok "galera node $NODE: $codes_ok codes answered 200, rows per node: ${per_node[*]}"
  fi
  rm -f "$OUT".*
  ((FAILED == 0))
}

main "$@"
