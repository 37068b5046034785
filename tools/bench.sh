#!/usr/bin/env bash
# make bench: a throwaway stack with 10,000 seeded orders, then wrk, in one run, against
#   (a) nginx serving a static file the size of a look-up answer,
#   (b) certhall-hello, a constant answer from the same runner and worker loop,
#   (c) the public order look-up (POST /api/track/order, a random seeded order per request).
# Prints requests/s, p50/p99, the ratios c/b and b/a, where the CPU went during each run, the
# workers' RSS of every program in the stack (idle and after the runs) and PASS/MISS per
# target; writes the same as JSON to build/bench/results.json (raw wrk output beside it). Benches report, they don't gate:
# a MISS does not fail; a broken run (errors, non-2xx answers above 0.1%) does.
#
# Environment: BENCH_SECONDS (10) per run, BENCH_ORDERS (10000), BENCH_KEEP=1 keeps the stack
# directory (stopped) for inspection.
set -euo pipefail
export LC_ALL=C # decimal points for awk, printf and the shell's time

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK=$REPO/tools/stack.sh
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$REPO/$BUILD
export CERTHALL_BIN=${CERTHALL_BIN:-$BUILD/bin}
OUT=$BUILD/bench
LUA=$REPO/tests/bench/lookup.lua

DURATION=${BENCH_SECONDS:-10}
ORDERS=${BENCH_ORDERS:-10000}
CONNECTIONS=64
THREADS=2
WARMUP=2
MAX_BAD_PERMILLE=1 # non-2xx answers and socket errors: at most 0.1% of a run's requests

# Targets (the issue): c/b >= 0.8, p99 of (c) <= 10 ms at 64 connections, idle worker RSS <= 8 MiB.
T_RATIO=0.8
T_P99_MS=10
T_RSS_MIB=8

DIR=
BASE=
BUSY=0

die() {
  echo "bench.sh: $*" >&2
  exit 1
}

log() { echo "bench.sh: $*" >&2; }

cleanup() {
  local rc=$?
  trap - EXIT
  if [[ -n $DIR ]]; then
    "$STACK" down "$DIR" >/dev/null 2>&1 || log "could not stop the stack in $DIR"
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
      log "stack kept for inspection: $DIR"
    else
      rm -rf "$DIR"
    fi
  fi
  exit "$rc"
}

# ---- small helpers --------------------------------------------------------------------------

calc() { awk "BEGIN { printf \"%.${2:-2}f\", $1 }"; }

# True when the awk expression holds.
holds() { awk "BEGIN { exit !($1) }"; }

# wrk prints durations as 950.00us, 14.35ms, 1.02s or 1.00m: in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    else if (u == "h") n *= 3600000; else if (u != "ms") n = -1
    printf "%.3f", n
  }'
}

# ---- processes: RSS and CPU -----------------------------------------------------------------

# The pid in a stack pid file, if that process is alive.
pid_of() {
  local pid
  read -r pid <"$DIR/run/$1.pid" 2>/dev/null || return 1
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

workers_of() { pgrep -P "$1" || true; }

# The FastCGI programs of the stack: every pid file but MariaDB's and nginx's.
programs() {
  local f name
  for f in "$DIR"/run/*.pid; do
    name=$(basename "$f" .pid)
    case $name in mysqld | nginx) ;; *) echo "$name" ;; esac
  done
}

# "max mean count" of the workers' VmRSS, MiB.
rss_of() {
  local master kb pid
  local -a all=()
  master=$(pid_of "$1") || {
    echo "0 0 0"
    return 0
  }
  for pid in $(workers_of "$master"); do
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
    [[ -n $kb ]] && all+=("$kb")
  done
  printf '%s\n' "${all[@]}" | awk 'NF { n++; s += $1; if ($1 > m) m = $1 }
    END { if (n) printf "%.2f %.2f %d\n", m / 1024, s / n / 1024, n; else print "0 0 0" }'
}

# CPU ticks a process has used: utime + stime, plus cutime + cstime with TREE (the workers
# that exited and were reaped during the run, e.g. recycled after max_requests).
ticks_of() {
  local stat
  local -a f
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || {
    echo 0
    return 0
  }
  read -ra f <<<"${stat##*) }"
  if [[ ${2-} == tree ]]; then
    echo $((f[11] + f[12] + f[13] + f[14]))
  else
    echo $((f[11] + f[12]))
  fi
}

# Ticks of a master and its live children.
tree_ticks() {
  local master sum pid
  master=$(pid_of "$1") || {
    echo 0
    return 0
  }
  sum=$(ticks_of "$master" tree)
  for pid in $(workers_of "$master"); do
    sum=$((sum + $(ticks_of "$pid")))
  done
  echo "$sum"
}

# "total idle" ticks of the whole machine (all CPUs).
machine_ticks() {
  awk '$1 == "cpu" { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit }' /proc/stat
}

# Ticks of the whole stack: MariaDB (its background work goes on after seeding), nginx, programs.
stack_ticks() {
  local sum=0 p pid
  if pid=$(pid_of mysqld); then sum=$(ticks_of "$pid"); fi
  for p in nginx $(programs); do sum=$((sum + $(tree_ticks "$p"))); done
  echo "$sum"
}

# % of one core that other processes kept busy over SECONDS while no load runs.
busy_before() {
  local a b sa sb
  sa=$(stack_ticks)
  a=$(machine_ticks)
  sleep "$1"
  b=$(machine_ticks)
  sb=$(stack_ticks)
  awk -v a="$a" -v b="$b" -v s=$((sb - sa)) -v ncpu="$(nproc)" 'BEGIN {
    split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; if (t <= 0) t = 1
    v = 100 * ncpu * (t - (y[2] - x[2]) - s) / t; if (v < 0) v = 0
    printf "%.0f", v }'
}

# "nginx program mariadbd" ticks; PROGRAM may be "-".
sample_cpu() {
  local prog=$1 p=0 db=0 pid
  [[ $prog != - ]] && p=$(tree_ticks "$prog")
  if pid=$(pid_of mysqld); then db=$(ticks_of "$pid"); fi
  echo "$(tree_ticks nginx) $p $db $(machine_ticks)"
}

# ---- wrk ------------------------------------------------------------------------------------

# run NAME PROGRAM URL [wrk args...]: a warm-up, then the measured run; results in R_<field>.
declare -A R_RPS R_P50 R_P99 R_REQ R_NON2XX R_ERR R_CPU R_URL R_PROG
run() {
  local name=$1 prog=$2 url=$3 out=$OUT/wrk-$1.txt tf=$DIR/time-$1 before after
  shift 3
  local -a args=(-c "$CONNECTIONS" -t "$THREADS" --latency "$@" "$url")
  log "($name) warm-up ${WARMUP}s, then ${DURATION}s: $url"
  wrk -d "${WARMUP}s" "${args[@]}" >"$DIR/warmup-$name.txt" 2>&1 ||
    die "wrk warm-up failed for $url: $(tail -n 3 "$DIR/warmup-$name.txt")"
  before=$(sample_cpu "$prog")
  local TIMEFORMAT='%3U %3S'
  { time wrk -d "${DURATION}s" "${args[@]}" >"$out" 2>&1; } 2>"$tf" ||
    die "wrk failed for $url: $(tail -n 3 "$out")"
  after=$(sample_cpu "$prog")

  R_URL[$name]=$url
  R_PROG[$name]=$prog
  R_RPS[$name]=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
  R_P50[$name]=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
  R_P99[$name]=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
  R_REQ[$name]=$(awk '/ requests in / { print $1 }' "$out")
  R_NON2XX[$name]=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
  R_NON2XX[$name]=${R_NON2XX[$name]:-0}
  R_ERR[$name]=$(awk '/Socket errors:/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$out")
  R_ERR[$name]=${R_ERR[$name]:-0}
  [[ -n ${R_RPS[$name]} && -n ${R_REQ[$name]} && ${R_P99[$name]} != -* ]] ||
    die "could not read wrk's output ($out)"
  # CPU during the run, in % of one core: nginx, program, mariadbd, wrk, other, idle. "other" is
  # the rest: other processes, and kernel work (softirq) charged to no process of ours.
  R_CPU[$name]=$(awk -v b="$before" -v a="$after" -v w="$(cat "$tf")" -v hz="$(getconf CLK_TCK)" \
    -v ncpu="$(nproc)" 'BEGIN {
      split(b, x, " "); split(a, y, " "); split(w, t, " ")
      total = y[4] - x[4]; if (total <= 0) total = 1
      scale = 100 * ncpu / total # ticks -> % of one core
      ng = (y[1] - x[1]) * scale; pr = (y[2] - x[2]) * scale; db = (y[3] - x[3]) * scale
      idle = (y[5] - x[5]) * scale
      wrk = (t[1] + t[2]) * hz * scale
      other = 100 * ncpu - idle - ng - pr - db - wrk; if (other < 0) other = 0
      printf "%.0f %.0f %.0f %.0f %.0f %.0f", ng, pr, db, wrk, other, idle
    }')
}

bad_permille_ok() {
  local name=$1
  holds "(${R_NON2XX[$name]} + ${R_ERR[$name]}) * 1000 <= $MAX_BAD_PERMILLE * ${R_REQ[$name]} && ${R_REQ[$name]} > 0"
}

# ---- report ---------------------------------------------------------------------------------

declare -A RSS_IDLE RSS_AFTER
rss_all() {
  local -n into=$1 # an associative array of the caller
  local p
  # shellcheck disable=SC2034,SC2004
  for p in $(programs); do into[$p]=$(rss_of "$p"); done
}

json_cpu() {
  local -a c
  read -ra c <<<"$1"
  printf '{"nginx": %s, "program": %s, "mariadbd": %s, "wrk": %s, "other": %s, "idle": %s}' \
    "${c[@]}"
}

json_rss() {
  local -n from=$1
  local p sep=''
  local -a v
  printf '{'
  for p in $(programs); do
    read -ra v <<<"${from[$p]}"
    printf '%s"%s": {"max_mib": %s, "mean_mib": %s, "workers": %s}' "$sep" "$p" "${v[@]}"
    sep=', '
  done
  printf '}'
}

verdict() { if holds "$1"; then echo PASS; else echo MISS; fi; }

main() {
  local port no tail code size ratio_cb ratio_ba rss_max rss_prog=- name ok=1 v
  command -v wrk >/dev/null || die "wrk not found (make deps installs it)"
  command -v curl >/dev/null || die "curl not found (make deps installs it)"
  [[ -r $LUA ]] || die "$LUA missing"
  [[ -x $CERTHALL_BIN/certhall-hello ]] || die "$CERTHALL_BIN/certhall-hello not built (make all)"
  mkdir -p "$OUT"

  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  DIR=$(mktemp -d /tmp/certhall-bench.XXXXXX)
  port=$("$STACK" free-port)
  BASE=http://127.0.0.1:$port
  "$STACK" up "$DIR" --port "$port" --bench >"$DIR/stack-up.log" 2>&1 || {
    cat "$DIR/stack-up.log" >&2
    die "the bench stack did not come up"
  }
  [[ -n $(pid_of hello) ]] || die "certhall-hello is not running in the bench stack"

  log "seeding $ORDERS orders"
  mkdir -p "$DIR/bench"
  "$CERTHALL_BIN/certhall-admin" -c "$DIR/etc/certhall.conf" seed --bench-orders "$ORDERS" \
    --bench-list "$DIR/bench/orders.txt" >&2 || die "seeding the bench orders failed"

  # One real answer: its size is the static file's size (the static file is that very answer).
  read -r no tail <"$DIR/bench/orders.txt" || die "empty order list"
  code=$(curl -sS -o "$DIR/bench/lookup.json" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' \
    -d "{\"order_no\":\"$no\",\"mobile_tail\":\"$tail\"}" "$BASE/api/track/order") ||
    die "the look-up request failed"
  [[ $code == 200 ]] || die "the look-up answered $code: $(head -c 300 "$DIR/bench/lookup.json")"
  size=$(wc -c <"$DIR/bench/lookup.json")
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/bench/static/lookup.json") || code=000
  [[ $code == 200 ]] || die "nginx does not serve $BASE/bench/static/lookup.json ($code)"
  code=$(curl -sS -o /dev/null -w '%{http_code}' "$BASE/bench/hello") || code=000
  [[ $code == 200 ]] || die "hello answered $code"

  # Idle: started, one request each (above), then nothing.
  BUSY=$(busy_before 2)
  rss_all RSS_IDLE

  export CERTHALL_BENCH_ORDERS=$DIR/bench/orders.txt
  run a - "$BASE/bench/static/lookup.json"
  run b hello "$BASE/bench/hello"
  run c track "$BASE/api/track/order" -s "$LUA"
  rss_all RSS_AFTER

  ratio_cb=$(calc "${R_RPS[c]} / ${R_RPS[b]}")
  ratio_ba=$(calc "${R_RPS[b]} / ${R_RPS[a]}")
  rss_max=0
  for name in "${!RSS_IDLE[@]}"; do
    read -r v _ <<<"${RSS_IDLE[$name]}"
    if holds "$v > $rss_max"; then
      rss_max=$v
      rss_prog=$name
    fi
  done

  local -A LABEL=([a]="(a) static file" [b]="(b) hello FastCGI" [c]="(c) order look-up")
  {
    echo
    echo "certhall bench: $ORDERS seeded orders; wrk $CONNECTIONS connections, $THREADS threads," \
      "${DURATION}s per run after ${WARMUP}s warm-up; $(nproc) CPUs"
    echo "look-up answer: $size bytes; (a) serves a static file of that size"
    echo
    printf '%-20s %12s %9s %9s %10s %8s\n' run requests/s "p50 ms" "p99 ms" requests non-2xx+err
    for name in a b c; do
      printf '%-20s %12.0f %9.2f %9.2f %10s %8s\n' "${LABEL[$name]}" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_REQ[$name]}" \
        "$((R_NON2XX[$name] + R_ERR[$name]))"
    done
    echo
    echo "ratios: c/b = $ratio_cb   b/a = $ratio_ba"
    echo
    echo "CPU during each run, % of one core ($(nproc) cores = $((100 * $(nproc)))%):"
    printf '%-20s %7s %9s %9s %6s %6s %6s\n' run nginx program mariadbd wrk other idle
    for name in a b c; do
      # shellcheck disable=SC2086
      printf '%-20s %7s %9s %9s %6s %6s %6s\n' "${LABEL[$name]}" ${R_CPU[$name]}
    done
    echo "  (program: hello for (b), track for (c); wrk shares the machine; other: every other"
    echo "   process, and kernel work charged to none of these)"
    local worst=0 when='' o
    for name in a b c; do
      read -r _ _ _ _ o _ <<<"${R_CPU[$name]}"
      if ((o > worst)); then
        worst=$o
        when=${LABEL[$name]%% *}
      fi
    done
    if ((worst > 25)); then
      echo "  WARNING: other processes took ${worst}% of one core during $when: the machine is"
      echo "  shared, the numbers above are low by an unknown amount; run again when it is idle."
    fi
    echo
    echo "worker RSS (VmRSS, MiB)   idle max  idle mean   after max  after mean  workers"
    for name in $(programs); do
      local -a i f
      read -ra i <<<"${RSS_IDLE[$name]}"
      read -ra f <<<"${RSS_AFTER[$name]}"
      printf '  %-22s %9s %10s %11s %11s %8s\n' "$name" "${i[0]}" "${i[1]}" "${f[0]}" "${f[1]}" "${i[2]}"
    done
    echo "  (idle: after start-up and one request per program; after: after the three runs)"
    echo
    echo "targets"
    printf '  %-40s %8s  %s\n' "c/b >= $T_RATIO" "$ratio_cb" "$(verdict "$ratio_cb >= $T_RATIO")"
    printf '  %-40s %8.2f  %s\n' "p99 (c) <= $T_P99_MS ms at $CONNECTIONS connections" "${R_P99[c]}" \
      "$(verdict "${R_P99[c]} <= $T_P99_MS")"
    printf '  %-40s %8.2f  %s\n' "idle worker RSS <= $T_RSS_MIB MiB (max: $rss_prog)" "$rss_max" \
      "$(verdict "$rss_max <= $T_RSS_MIB")"
  }

  for name in a b c; do
    bad_permille_ok "$name" || {
      log "(${name}) ${R_NON2XX[$name]} non-2xx answers and ${R_ERR[$name]} socket errors in" \
        "${R_REQ[$name]} requests: more than $(calc "$MAX_BAD_PERMILLE / 10" 1)%; see $OUT/wrk-$name.txt"
      ok=0
    }
  done

  {
    printf '{\n  "date": "%s",\n  "commit": "%s",\n' "$(date -Iseconds)" \
      "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf '  "orders": %s, "connections": %s, "threads": %s, "seconds": %s, "warmup_seconds": %s,\n' \
      "$ORDERS" "$CONNECTIONS" "$THREADS" "$DURATION" "$WARMUP"
    printf '  "cpus": %s, "busy_before_pct_of_core": %s, "answer_bytes": %s,\n  "runs": {\n' \
      "$(nproc)" "$BUSY" "$size"
    local sep=''
    for name in a b c; do
      printf '%s    "%s": {"url": "%s", "program": "%s", "requests_per_s": %s, "p50_ms": %s, "p99_ms": %s, "requests": %s, "non_2xx": %s, "socket_errors": %s,\n           "cpu_pct_of_core": %s}' \
        "$sep" "$name" "${R_URL[$name]#"$BASE"}" "${R_PROG[$name]/#-/nginx}" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_REQ[$name]}" "${R_NON2XX[$name]}" \
        "${R_ERR[$name]}" "$(json_cpu "${R_CPU[$name]}")"
      sep=$',\n'
    done
    printf '\n  },\n  "ratios": {"c_over_b": %s, "b_over_a": %s},\n' "$ratio_cb" "$ratio_ba"
    printf '  "worker_rss": {"idle": %s,\n                 "after": %s},\n' \
      "$(json_rss RSS_IDLE)" "$(json_rss RSS_AFTER)"
    printf '  "targets": [\n'
    printf '    {"name": "c/b", "target": ">= %s", "value": %s, "pass": %s},\n' "$T_RATIO" \
      "$ratio_cb" "$(holds "$ratio_cb >= $T_RATIO" && echo true || echo false)"
    printf '    {"name": "p99_ms (c)", "target": "<= %s", "value": %s, "pass": %s},\n' "$T_P99_MS" \
      "${R_P99[c]}" "$(holds "${R_P99[c]} <= $T_P99_MS" && echo true || echo false)"
    printf '    {"name": "idle worker RSS MiB (max)", "target": "<= %s", "value": %s, "program": "%s", "pass": %s}\n' \
      "$T_RSS_MIB" "$rss_max" "$rss_prog" "$(holds "$rss_max <= $T_RSS_MIB" && echo true || echo false)"
    printf '  ],\n  "ok": %s\n}\n' "$( ((ok)) && echo true || echo false)"
  } >"$OUT/results.json.tmp"
  mv "$OUT/results.json.tmp" "$OUT/results.json"
  echo
  echo "results: $OUT/results.json (raw wrk output: $OUT/wrk-{a,b,c}.txt)"
  ((ok)) || die "a run had too many failed requests: the numbers above are not valid"
}

main "$@"
