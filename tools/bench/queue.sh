# make bench (q): the reviewer queue over BENCH_QUEUE_ORDERS seeded orders; `tools/bench.sh
# queue` runs it alone. Sourced by tools/bench.sh (uses DIR, BASE, OUT, CERTHALL_BIN, STACK, die,
# log and tools/bench/common.sh).

QUEUE_ORDERS=${BENCH_QUEUE_ORDERS:-1000000}
QUEUE_REQUESTS=${BENCH_QUEUE_REQUESTS:-200}
QUEUE_WARMUP=20
T_QUEUE_P95_MS=20

# ---- the reviewer queue ---------------------------------------------------------------------

# "p50 p95 max" of the numbers in column COL of FILE (nearest rank).
pcts() {
  awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END {
    if (!NR) { print "0 0 0"; exit }
    k = int(0.5 * NR); if (k < 0.5 * NR) k++; if (k < 1) k = 1
    j = int(0.95 * NR); if (j < 0.95 * NR) j++; if (j < 1) j = 1
    printf "%.2f %.2f %.2f\n", v[k], v[j], v[NR] }'
}

# staff_login USER PASSWORD JAR
staff_login() {
  local status
  status=$(curl -sS -c "$3" -o "$DIR/bench/staff-login.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -d "{\"username\":\"$1\",\"password\":\"$2\"}" \
    "$BASE/api/account/staff/login") || status=000
  [[ $status == 200 ]] || die "staff login $1 answered $status: $(head -c 300 "$DIR/bench/staff-login.json")"
}

# timed NAME JAR URL COUNT: COUNT GETs one after the other on one connection; "status ms" per
# request into $DIR/bench/q-NAME.txt.
timed() {
  local name=$1 jar=$2 url=$3 count=$4 i
  local -a urls=() auth=()
  [[ $jar == - ]] || auth=(-b "$jar")
  for ((i = 0; i < count; i++)); do urls+=("$url" -o /dev/null); done
  curl -sS "${auth[@]}" -w '%{http_code} %{time_total}\n' "${urls[@]}" >"$DIR/bench/q-$name.raw" ||
    die "curl failed on $url"
  awk '{ printf "%s %.3f\n", $1, $2 * 1000 }' "$DIR/bench/q-$name.raw" >"$DIR/bench/q-$name.txt"
}

# The shapes: name, who asks (rev: the reviewer, adm: the admin), query string.
declare -a QS_NAME QS_WHO QS_QUERY
queue_shapes() {
  local no=$1 from to
  from=$(date -d '-200 days' +%F)
  to=$(date -d '-100 days' +%F)
  # The returned list (queue=returned) reads its own index: its filters are checked on the
  # index entries of the returned orders, the rare kind and a subject the worst of them.
  QS_NAME=(none state channel business kind dates channel_state_dates subject_few subject_many
    order_no page_20 finance ship_channel returned returned_channel returned_kind_dates
    returned_subject returned_page_20)
  QS_WHO=(rev rev rev rev rev rev rev rev rev rev rev adm adm rev rev rev rev rev)
  QS_QUERY=("" "state=reviewing" "channel=bjca-zycg" "business=lost" "kind=person"
    "from=$from&to=$to" "channel=jxca-js&state=paper_review&from=$from"
    "subject=%E5%8C%97%E4%BA%AC%E7%A4%BA%E8%8C%8301" "subject=%E5%8C%97%E4%BA%AC"
    "order_no=$no" "page=20" "queue=finance" "queue=ship&channel=szca" "queue=returned"
    "queue=returned&channel=szca" "queue=returned&kind=person&from=$from&to=$to"
    "queue=returned&subject=%E5%8C%97%E4%BA%AC%E7%A4%BA%E8%8C%8301" "queue=returned&page=20")
}

declare -A Q
queue_bench() {
  local rev=$DIR/bench/jar-reviewer adm=$DIR/bench/jar-admin no i name url n bad s t0 t1
  local -a v
  log "(q) seeding $QUEUE_ORDERS queue orders"
  t0=$EPOCHREALTIME
  "$CERTHALL_BIN/certhall-admin" -c "$DIR/etc/certhall.conf" seed --queue-orders "$QUEUE_ORDERS" \
    >"$DIR/bench/queue-seed.log" 2>&1 || die "seeding the queue orders failed: $(tail -n 3 "$DIR/bench/queue-seed.log")"
  t1=$EPOCHREALTIME
  Q[seed_s]=$(calc "$t1 - $t0" 1)
  Q[orders]=$(mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$(id -un)" -N -B certhall \
    -e "SELECT COUNT(*) FROM orders") || die "cannot count the orders"
  Q[waiting]=$(mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$(id -un)" -N -B certhall \
    -e "SELECT COUNT(*) FROM orders WHERE queue = 'review'") || die "cannot count the queue"
  no=$(mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$(id -un)" -N -B certhall \
    -e "SELECT order_no FROM orders WHERE queue = 'review' AND state = 'reviewing' LIMIT 1") ||
    die "no queue order"
  staff_login reviewer Staff2026hall "$rev"
  staff_login admin "$(head -n 1 "$DIR/etc/admin.password")" "$adm"
  queue_shapes "$no"

  log "(q) reference: certhall-hello, $QUEUE_REQUESTS requests"
  timed hello-warm - "$BASE/bench/hello" "$QUEUE_WARMUP"
  timed hello - "$BASE/bench/hello" "$QUEUE_REQUESTS"
  read -r "Q[hello_p50]" "Q[hello_p95]" "Q[hello_max]" <<<"$(pcts "$DIR/bench/q-hello.txt" 2)"
  Q[bad]=$(awk '$1 != 200' "$DIR/bench/q-hello.txt" | wc -l)
  Q[worst]=0
  Q[plans_bad]=0
  for i in "${!QS_NAME[@]}"; do
    name=${QS_NAME[i]}
    url="$BASE/api/review/queue?per_page=50${QS_QUERY[i]:+&${QS_QUERY[i]}}"
    s=$DIR/bench/jar-reviewer
    [[ ${QS_WHO[i]} == adm ]] && s=$adm
    # The plan at this size: an index, no sort.
    curl -sS -b "$adm" -o "$DIR/bench/q-plan-$name.json" "$url&explain=1" || die "explain failed: $url"
    if grep -q '"plans"' "$DIR/bench/q-plan-$name.json" &&
      ! grep -qE 'filesort|temporary' "$DIR/bench/q-plan-$name.json"; then
      Q[plan_$name]=true
    else
      Q[plan_$name]=false
      Q[plans_bad]=$((Q[plans_bad] + 1))
    fi
    log "(q) $name: $QUEUE_REQUESTS pages of 50 after $QUEUE_WARMUP: ${QS_QUERY[i]:-(no filter)}"
    timed "$name-warm" "$s" "$url" "$QUEUE_WARMUP"
    timed "$name" "$s" "$url" "$QUEUE_REQUESTS"
    read -ra v <<<"$(pcts "$DIR/bench/q-$name.txt" 2)"
    Q[p50_$name]=${v[0]}
    Q[p95_$name]=${v[1]}
    Q[max_$name]=${v[2]}
    n=$(curl -sS -b "$s" "$url" | grep -o '"order_no"' | wc -l) || n=0
    Q[rows_$name]=$n
    bad=$(awk '$1 != 200' "$DIR/bench/q-$name.txt" | wc -l)
    Q[bad_$name]=$bad
    Q[bad]=$((Q[bad] + bad))
    if holds "${v[1]} > ${Q[worst]}"; then
      Q[worst]=${v[1]}
      Q[worst_name]=$name
    fi
    cp "$DIR/bench/q-$name.txt" "$OUT/queue-times-$name.txt"
    cp "$DIR/bench/q-plan-$name.json" "$OUT/queue-plan-$name.json"
  done
}

queue_report() {
  local i name
  echo "reviewer queue: ${Q[orders]} orders (${Q[waiting]} in the review queue), seeded in ${Q[seed_s]} s;"
  echo "  curl, $QUEUE_REQUESTS requests per shape one after the other on one connection, after $QUEUE_WARMUP"
  printf '%-22s %9s %9s %9s %5s %6s %5s  %s\n' shape "p50 ms" "p95 ms" "max ms" rows non200 plan query
  printf '%-22s %9.2f %9.2f %9.2f %5s %6s %5s  %s\n' "(reference) hello" "${Q[hello_p50]}" \
    "${Q[hello_p95]}" "${Q[hello_max]}" - - - /bench/hello
  for i in "${!QS_NAME[@]}"; do
    name=${QS_NAME[i]}
    printf '%-22s %9.2f %9.2f %9.2f %5s %6s %5s  %s\n' "$name" "${Q[p50_$name]}" "${Q[p95_$name]}" \
      "${Q[max_$name]}" "${Q[rows_$name]}" "${Q[bad_$name]}" \
      "$([[ ${Q[plan_$name]} == true ]] && echo ok || echo SORT)" "${QS_QUERY[i]:-(none)}"
  done
  printf '  %-40s %8.2f  %s\n' "queue p95 <= $T_QUEUE_P95_MS ms (worst: ${Q[worst_name]})" "${Q[worst]}" \
    "$(verdict "${Q[worst]} <= $T_QUEUE_P95_MS")"
  printf '  %-40s %8s  %s\n' "queue plans without a sort" "${Q[plans_bad]} bad" \
    "$(verdict "${Q[plans_bad]} == 0")"
}

queue_json() {
  local i name sep=''
  printf '  "queue": {"orders": %s, "review_queue_orders": %s, "seed_seconds": %s, "requests": %s, "warmup_requests": %s,\n' \
    "${Q[orders]}" "${Q[waiting]}" "${Q[seed_s]}" "$QUEUE_REQUESTS" "$QUEUE_WARMUP"
  printf '    "reference_hello": {"p50_ms": %s, "p95_ms": %s, "max_ms": %s},\n    "shapes": {\n' \
    "${Q[hello_p50]}" "${Q[hello_p95]}" "${Q[hello_max]}"
  for i in "${!QS_NAME[@]}"; do
    name=${QS_NAME[i]}
    printf '%s      "%s": {"query": "%s", "p50_ms": %s, "p95_ms": %s, "max_ms": %s, "rows": %s, "non_200": %s, "plan_without_sort": %s, "p95_over_hello": %s}' \
      "$sep" "$name" "${QS_QUERY[i]}" "${Q[p50_$name]}" "${Q[p95_$name]}" "${Q[max_$name]}" \
      "${Q[rows_$name]}" "${Q[bad_$name]}" "${Q[plan_$name]}" \
      "$(calc "${Q[p95_$name]} / (${Q[hello_p95]} > 0 ? ${Q[hello_p95]} : 1)")"
    sep=$',\n'
  done
  printf '\n    },\n    "worst_p95_ms": %s, "worst_shape": "%s", "plans_with_sort": %s},\n' \
    "${Q[worst]}" "${Q[worst_name]}" "${Q[plans_bad]}"
}

queue_targets_json() {
  printf '    {"name": "queue p95_ms (worst shape)", "target": "<= %s", "value": %s, "shape": "%s", "pass": %s},\n' \
    "$T_QUEUE_P95_MS" "${Q[worst]}" "${Q[worst_name]}" \
    "$(holds "${Q[worst]} <= $T_QUEUE_P95_MS" && echo true || echo false)"
  printf '    {"name": "queue plans with a sort", "target": "= 0", "value": %s, "pass": %s},\n' \
    "${Q[plans_bad]}" "$( ((Q[plans_bad] == 0)) && echo true || echo false)"
}

# tools/bench.sh queue: the queue section alone.
main_queue() {
  local port ok=1
  command -v curl >/dev/null || die "curl not found (make deps installs it)"
  command -v mariadb >/dev/null || die "mariadb (the client) not found (make deps installs it)"
  [[ -x $CERTHALL_BIN/certhall-review ]] || die "$CERTHALL_BIN/certhall-review not built (make all)"
  [[ $QUEUE_ORDERS =~ ^[1-9][0-9]*$ ]] || die "BENCH_QUEUE_ORDERS must be a positive number"
  mkdir -p "$OUT"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  DIR=$(mktemp -d /tmp/certhall-bench.XXXXXX)
  mkdir -p "$DIR/bench"
  port=$("$STACK" free-port)
  BASE=http://127.0.0.1:$port
  "$STACK" up "$DIR" --port "$port" --bench >"$DIR/stack-up.log" 2>&1 || {
    cat "$DIR/stack-up.log" >&2
    die "the bench stack did not come up"
  }
  queue_bench
  echo
  echo "certhall bench (queue only): $(nproc) CPUs"
  queue_report
  ((Q[bad] == 0)) || {
    log "(q) ${Q[bad]} answers were not 200; see $OUT/queue-times-*.txt"
    ok=0
  }
  {
    printf '{\n  "date": "%s",\n  "commit": "%s",\n  "cpus": %s,\n' "$(date -Iseconds)" \
      "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)" "$(nproc)"
    queue_json
    printf '  "targets": [\n'
    queue_targets_json | sed '$ s/},$/}/'
    printf '  ],\n  "ok": %s\n}\n' "$( ((ok)) && echo true || echo false)"
  } >"$OUT/results.json.tmp"
  mv "$OUT/results.json.tmp" "$OUT/results.json"
  echo
  echo "results: $OUT/results.json (times: $OUT/queue-times-*.txt; plans: $OUT/queue-plan-*.json)"
  ((ok)) || die "the queue run had failed requests: the numbers above are not valid"
}
