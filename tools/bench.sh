#!/usr/bin/env bash
# make bench: a throwaway stack with 10,000 seeded orders, then wrk, in one run, against
#   (a) nginx serving a static file the size of a look-up answer,
#   (b) certhall-hello, a constant answer from the same runner and worker loop,
#   (c) the public order look-up (POST /api/track/order, a random seeded order per request),
#   (p) the same look-up in PHP 8.2 under php-fpm with PDO (tests/bench/php/lookup.php,
#       tools/bench/php.sh), as many children as certhall has workers, the same nginx; (b), (c)
#       and (p) interleaved, two rounds each, (c)'s and (p)'s answers checked to be the same first;
#   then (c0), the look-up with the answers' cache off (every look-up reads MariaDB, as (p) does);
#   then the look-up again with 1, 2, 4 and 8 track workers (BENCH_SCALE_SECONDS each);
# then, one request at a time on one connection (curl), as a freshly registered applicant:
#   (d) uploads of a 2 MB A4 scan at 300 dpi (2480x3508 JPEG, made here) as business_licence
#       of a draft bjca-zycg order, end to end through nginx and certhall-upload,
#   (e) convert (ImageMagick, the system policy) doing the same normalisation on the same file,
#   (f) uploads of the pixel-flood PNG (65535x65535 declared), each to be refused.
# Prints requests/s, p50/p99, the ratios c/b and b/a, where the CPU went during each run, the
# workers' RSS of every program in the stack (idle and after the runs), the upload figures
# (median/p90 ms, d/e, the upload workers' peak RSS) and PASS/MISS per target; writes the same
# as JSON to build/bench/results.json (raw wrk output and upload times beside it). Benches
# report, they don't gate: a FAIL does not fail the run; a broken run (errors, non-2xx answers above
# 0.1%, an upload not stored, a flood not refused as too_many_pixels) does.
#
# Then the reviewer queue (GET /api/review/queue): BENCH_QUEUE_ORDERS (1,000,000) orders seeded
# by certhall-admin seed --queue-orders (every state, channel and business over a year), then
# BENCH_QUEUE_REQUESTS (200) pages of 50 per filter shape, one at a time on one connection
# (curl), p50/p95 against certhall-hello measured the same way in the same run, and each
# shape's plan (EXPLAIN, by the admin's ?explain=1): no filesort, no temporary table. Target
# (the issue): p95 <= 20 ms for every shape. `tools/bench.sh queue` runs this section alone
# (results.json then holds only it); BENCH_QUEUE_ORDERS=0 leaves it out of a full run.
#
# Upload time against scan size: the scan made again under 0.5, 1 and 2 MB, BENCH_SIZE_UPLOADS
# (5) uploads of each (after (d)).
#
# Environment: BENCH_SECONDS (10) per run, BENCH_ORDERS (10000), BENCH_UPLOADS (20) requests
# of (d) and (f) and runs of (e), BENCH_CONVERT (convert-im6.q16, else convert) the ImageMagick
# binary of (e), BENCH_KEEP=1 keeps the stack directory (stopped) for inspection.
set -euo pipefail
export LC_ALL=C # decimal points for awk, printf and the shell's time

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK=$REPO/tools/stack.sh
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$REPO/$BUILD
export CERTHALL_BIN=${CERTHALL_BIN:-$BUILD/bin}
OUT=$BUILD/bench
LUA=$REPO/tests/bench/lookup.lua
# The parts: one file per bench, and what they share.
# shellcheck source=tools/bench/common.sh
source "$REPO/tools/bench/common.sh"
# shellcheck source=tools/bench/php.sh
source "$REPO/tools/bench/php.sh"
# shellcheck source=tools/bench/scale.sh
source "$REPO/tools/bench/scale.sh"
# shellcheck source=tools/bench/upload.sh
source "$REPO/tools/bench/upload.sh"
# shellcheck source=tools/bench/queue.sh
source "$REPO/tools/bench/queue.sh"

DURATION=${BENCH_SECONDS:-10}
ORDERS=${BENCH_ORDERS:-10000}
CONNECTIONS=64
THREADS=2
WARMUP=2
MAX_BAD_PERMILLE=1 # non-2xx answers and socket errors: at most 0.1% of a run's requests

# Targets (the issue): c/b >= 0.8, p99 of (c) <= 10 ms at 64 connections, idle worker RSS <= 8 MiB;
# certhall >= 3x the PHP peer in requests/s, with a p99 <= 1/3 of its.
T_RATIO=0.8
T_P99_MS=10
T_RSS_MIB=8
T_PHP_RATIO=3
T_PHP_P99=0.333


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
    php_stop
    "$STACK" down "$DIR" >/dev/null 2>&1 || log "could not stop the stack in $DIR"
    if [[ ${BENCH_KEEP:-0} == 1 ]]; then
      log "stack kept for inspection: $DIR"
    else
      rm -rf "$DIR"
    fi
  fi
  exit "$rc"
}


main() {
  local port no tail code size ratio_cb ratio_ba ratio_cp ratio_c0p ratio_p99 rss_max rss_prog=- name ok=1 v
  command -v wrk >/dev/null || die "wrk not found (make deps installs it)"
  command -v curl >/dev/null || die "curl not found (make deps installs it)"
  command -v mariadb >/dev/null || die "mariadb (the client) not found (make deps installs it)"
  command -v cc >/dev/null || die "cc not found (make deps installs build-essential)"
  # convert runs under the system policy; the programs point MAGICK_CONFIGURE_PATH at
  # uploads-policy/ themselves.
  unset MAGICK_CONFIGURE_PATH
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
  php_start
  php_same "$no" "$tail"
  # The reference and both look-ups take turns: the machine's noise falls on all three alike.
  run b1 hello "$BASE/bench/hello"
  run c1 track "$BASE/api/track/order" -s "$LUA"
  run p1 - "$BASE/bench/php/lookup" -s "$LUA"
  run b2 hello "$BASE/bench/hello"
  run c2 track "$BASE/api/track/order" -s "$LUA"
  run p2 - "$BASE/bench/php/lookup" -s "$LUA"
  merge b b1 b2
  merge c c1 c2
  merge p p1 p2
  rss_all RSS_AFTER
  php_stop
  nocache_run "$BASE/api/track/order"
  scale_workers "$BASE/api/track/order"
  uploads
  upload_sizes
  if ((QUEUE_ORDERS > 0)); then queue_bench; fi

  ratio_cb=$(calc "${R_RPS[c]} / ${R_RPS[b]}")
  ratio_ba=$(calc "${R_RPS[b]} / ${R_RPS[a]}")
  ratio_cp=$(calc "${R_RPS[c]} / ${R_RPS[p]}")
  ratio_c0p=$(calc "${R_RPS[c0]} / ${R_RPS[p]}")
  ratio_p99=$(calc "${R_P99[c]} / ${R_P99[p]}" 3)
  rss_max=0
  for name in "${!RSS_IDLE[@]}"; do
    read -r v _ <<<"${RSS_IDLE[$name]}"
    if holds "$v > $rss_max"; then
      rss_max=$v
      rss_prog=$name
    fi
  done

  local -A LABEL=([a]="(a) static file" [b]="(b) hello FastCGI" [c]="(c) order look-up"
    [c0]="(c0) look-up, no cache" [p]="(p) PHP look-up")
  {
    echo
    echo "certhall bench: $ORDERS seeded orders; wrk $CONNECTIONS connections, $THREADS threads," \
      "${DURATION}s per run after ${WARMUP}s warm-up; $(nproc) CPUs"
    echo "look-up answer: $size bytes; (a) serves a static file of that size"
    echo
    printf '%-20s %12s %9s %9s %10s %8s\n' run requests/s "p50 ms" "p99 ms" requests non-2xx+err
    for name in a b c c0 p; do
      printf '%-20s %12.0f %9.2f %9.2f %10s %8s\n' "${LABEL[$name]}" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_REQ[$name]}" \
        "$((R_NON2XX[$name] + R_ERR[$name]))"
    done
    echo
    echo "ratios: c/b = $ratio_cb   b/a = $ratio_ba   c/p = $ratio_cp   p99 c/p = $ratio_p99   c0/p = $ratio_c0p"
    echo "  ((c0): the cache off ([track] cache_mib = 0), every look-up reads MariaDB, as (p)'s does)"
    echo "  ((b), (c) and (p): two interleaved rounds each, ${DURATION}s a round: mean requests/s,"
    echo "   worse p99; php-fpm: $(conf_value server workers 4) children, as many as track workers)"
    echo
    echo "CPU during each run, % of one core ($(nproc) cores = $((100 * $(nproc)))%):"
    printf '%-20s %7s %9s %9s %6s %6s %6s\n' run nginx program mariadbd wrk other idle
    for name in a b c c0 p; do
      # shellcheck disable=SC2086
      printf '%-20s %7s %9s %9s %6s %6s %6s\n' "${LABEL[$name]}" ${R_CPU[$name]}
    done
    echo "  (program: hello for (b), track for (c), none for (p): php-fpm is in other; wrk shares"
    echo "   the machine; other: every other process, and kernel work charged to none of these)"
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
    echo "uploads: $UPLOAD_KIND of a draft bjca-zycg order (rule: $((UPLOAD_LIMIT / 1048576)) MB," \
      "40 MP, max side $STORE_SIDE)"
    echo "  scan: ${U[scan_size]} JPEG, ${U[scan_bytes]} bytes (quality ${U[scan_quality]}, 300 dpi;" \
      "text, rules, a stamp and noise)"
    echo "  (d), (f): curl, $UPLOADS requests one after the other on one connection (connects:" \
      "${U[up_connects]}, ${U[fl_connects]}),"
    echo "            after ${U[workers]} warm-up uploads of the scan (one per worker)"
    echo "  (e): ${U[convert]} (ImageMagick ${U[convert_version]}), system policy" \
      "(${U[convert_threads]} threads; the"
    echo "       workers: uploads-policy/, 1 thread); $UPLOADS runs after one warm-up, a process each:"
    echo "       -define jpeg:size=(the stored size) scan.jpg -auto-orient -strip -colorspace sRGB" \
      "-resize '${STORE_SIDE}x${STORE_SIDE}>'" \
      "-sampling-factor 2x2,1x1,1x1"
    echo "       -quality 85 -write out.jpg -thumbnail 240x240 thumb.jpg"
    echo
    printf '%-25s %9s %8s %8s %8s %5s  %s\n' run "median ms" "p90 ms" "min ms" "max ms" runs answers
    printf '%-25s %9.2f %8.2f %8.2f %8.2f %5s  %s\n' "(d) upload, 2 MB scan" "${U[up_p50]}" \
      "${U[up_p90]}" "${U[up_min]}" "${U[up_max]}" "$UPLOADS" \
      "201: $((UPLOADS + U[workers] - U[up_bad]))/$((UPLOADS + U[workers])) (warm-ups too)"
    printf '%-25s %9.2f %8.2f %8.2f %8.2f %5s  %s\n' "(e) convert, same steps" "${U[cv_p50]}" \
      "${U[cv_p90]}" "${U[cv_min]}" "${U[cv_max]}" "$UPLOADS" -
    printf '%-25s %9.2f %8.2f %8.2f %8.2f %5s  %s\n' "(f) upload, pixel flood" "${U[fl_p50]}" \
      "${U[fl_p90]}" "${U[fl_min]}" "${U[fl_max]}" "$UPLOADS" \
      "400 too_many_pixels: $((UPLOADS - U[fl_bad]))/$UPLOADS"
    printf '%-25s %9.2f %8.2f %8.2f %8.2f %5s  %s\n' "(f0) health, the floor" "${U[fo_p50]}" \
      "${U[fo_p90]}" "${U[fo_min]}" "${U[fo_max]}" "$UPLOADS" "no database, no body"
    echo
    echo "ratio d/e (medians) = ${U[ratio]}"
    echo "output: upload ${U[up_out]}, ${U[up_bytes]} bytes (version ${U[up_version]});" \
      "convert ${U[cv_out]}, ${U[cv_bytes]} bytes, thumbnail ${U[cv_thumb]}"
    echo "flood: a ${U[flood_bytes]}-byte PNG whose IHDR says 65535x65535"
    echo "upload workers after (d), MiB: peak (VmHWM) max ${U[hwm_max]}, mean ${U[hwm_mean]};" \
      "now (VmRSS) max ${U[rss_max]}, mean ${U[rss_mean]}; ${U[workers]} workers"
    [[ ${U[workers_same]} == true ]] ||
      echo "  WARNING: workers were replaced during (d): a peak may be missing"
    echo
    echo "targets"
    printf '  %-40s %8s  %s\n' "c/b >= $T_RATIO" "$ratio_cb" "$(verdict "$ratio_cb >= $T_RATIO")"
    printf '  %-40s %8.2f  %s\n' "p99 (c) <= $T_P99_MS ms at $CONNECTIONS connections" "${R_P99[c]}" \
      "$(verdict "${R_P99[c]} <= $T_P99_MS")"
    printf '  %-40s %8s  %s\n' "certhall/PHP requests/s >= $T_PHP_RATIO" "$ratio_cp" \
      "$(verdict "$ratio_cp >= $T_PHP_RATIO")"
    printf '  %-40s %8s  %s\n' "p99 certhall/PHP <= $T_PHP_P99" "$ratio_p99" \
      "$(verdict "$ratio_p99 <= $T_PHP_P99")"
    printf '  %-40s %8.2f  %s\n' "idle worker RSS <= $T_RSS_MIB MiB (max: $rss_prog)" "$rss_max" \
      "$(verdict "$rss_max <= $T_RSS_MIB")"
    printf '  %-40s %8.3f  %s\n' "upload <= $T_UP_RATIO x convert (medians)" "${U[ratio]}" \
      "$(verdict "${U[ratio]} <= $T_UP_RATIO")"
    printf '  %-40s %8.2f  %s\n' "peak upload worker RSS <= $T_UP_RSS_MIB MiB" "${U[hwm_max]}" \
      "$(verdict "${U[hwm_max]} <= $T_UP_RSS_MIB")"
    printf '  %-40s %8.2f  %s\n' "pixel flood refused <= $T_FLOOD_MS ms (max)" "${U[fl_max]}" \
      "$(verdict "${U[fl_max]} <= $T_FLOOD_MS")"
    scale_report
    if ((QUEUE_ORDERS > 0)); then
      echo
      queue_report
    fi
  }

  for name in a b c c0 p w1 w2 w4 w8; do
    bad_permille_ok "$name" || {
      log "(${name}) ${R_NON2XX[$name]} non-2xx answers and ${R_ERR[$name]} socket errors in" \
        "${R_REQ[$name]} requests: more than $(calc "$MAX_BAD_PERMILLE / 10" 1)%; see $OUT/wrk-$name.txt"
      ok=0
    }
  done
  if ((U[up_bad] > 0)); then
    log "(d) ${U[up_bad]} of $((UPLOADS + U[workers])) uploads were not stored (201)"
    ok=0
  fi
  if ((QUEUE_ORDERS > 0 && Q[bad] > 0)); then
    log "(q) ${Q[bad]} queue answers were not 200; see $OUT/queue-times-*.txt"
    ok=0
  fi
  for v in "${SIZE_LIMITS[@]}"; do
    if ((Z_BAD[$v] > 0)); then
      log "(s) ${Z_BAD[$v]} uploads of the scan under $v bytes were not stored (201)"
      ok=0
    fi
  done
  if ((U[fl_bad] > 0)); then
    log "(f) ${U[fl_bad]} of $UPLOADS flood uploads were not refused as 400 too_many_pixels"
    ok=0
  fi

  {
    printf '{\n  "date": "%s",\n  "commit": "%s",\n' "$(date -Iseconds)" \
      "$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)"
    printf '  "orders": %s, "connections": %s, "threads": %s, "seconds": %s, "warmup_seconds": %s,\n' \
      "$ORDERS" "$CONNECTIONS" "$THREADS" "$DURATION" "$WARMUP"
    printf '  "cpus": %s, "busy_before_pct_of_core": %s, "answer_bytes": %s,\n  "runs": {\n' \
      "$(nproc)" "$BUSY" "$size"
    local sep=''
    for name in a b c c0 p; do
      printf '%s    "%s": {"url": "%s", "program": "%s", "requests_per_s": %s, "p50_ms": %s, "p99_ms": %s, "requests": %s, "non_2xx": %s, "socket_errors": %s,\n           "cpu_pct_of_core": %s}' \
        "$sep" "$name" "${R_URL[$name]#"$BASE"}" "${R_PROG[$name]/#-/nginx}" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_REQ[$name]}" "${R_NON2XX[$name]}" \
        "${R_ERR[$name]}" "$(json_cpu "${R_CPU[$name]}")"
      sep=$',\n'
    done
    printf '\n  },\n  "ratios": {"c_over_b": %s, "b_over_a": %s, "c_over_p": %s, "p99_c_over_p": %s, "c0_over_p": %s},\n' \
      "$ratio_cb" "$ratio_ba" "$ratio_cp" "$ratio_p99" "$ratio_c0p"
    scale_json
    printf '  "worker_rss": {"idle": %s,\n                 "after": %s},\n' \
      "$(json_rss RSS_IDLE)" "$(json_rss RSS_AFTER)"
    printf '  "uploads": {"material": "%s", "channel": "bjca-zycg", "requests": %s, "warmup_requests": %s,\n' \
      "$UPLOAD_KIND" "$UPLOADS" "${U[workers]}"
    printf '    "scan": {"size": "%s", "bytes": %s, "quality": %s},\n' "${U[scan_size]}" \
      "${U[scan_bytes]}" "${U[scan_quality]}"
    printf '    "d_upload": {"median_ms": %s, "p90_ms": %s, "min_ms": %s, "max_ms": %s, "not_201": %s, "connects": %s, "stored": "%s", "stored_bytes": %s},\n' \
      "${U[up_p50]}" "${U[up_p90]}" "${U[up_min]}" "${U[up_max]}" "${U[up_bad]}" \
      "${U[up_connects]}" "${U[up_out]}" "${U[up_bytes]:-0}"
    printf '    "e_convert": {"binary": "%s", "version": "%s", "policy": "system", "threads": "%s", "median_ms": %s, "p90_ms": %s, "min_ms": %s, "max_ms": %s, "stored": "%s", "stored_bytes": %s},\n' \
      "${U[convert]}" "${U[convert_version]}" "${U[convert_threads]}" "${U[cv_p50]}" \
      "${U[cv_p90]}" "${U[cv_min]}" "${U[cv_max]}" "${U[cv_out]}" "${U[cv_bytes]}"
    printf '    "f_flood": {"png_bytes": %s, "median_ms": %s, "p90_ms": %s, "min_ms": %s, "max_ms": %s, "not_too_many_pixels": %s, "connects": %s},\n' \
      "${U[flood_bytes]}" "${U[fl_p50]}" "${U[fl_p90]}" "${U[fl_min]}" "${U[fl_max]}" \
      "${U[fl_bad]}" "${U[fl_connects]}"
    printf '    "f0_floor": {"median_ms": %s, "p90_ms": %s, "min_ms": %s, "max_ms": %s},\n' \
      "${U[fo_p50]}" "${U[fo_p90]}" "${U[fo_min]}" "${U[fo_max]}"
    printf '    "upload_over_convert": %s,\n    "upload_workers_mib": {"peak_max": %s, "peak_mean": %s, "rss_max": %s, "rss_mean": %s, "workers": %s, "same_workers": %s}},\n' \
      "${U[ratio]}" "${U[hwm_max]}" "${U[hwm_mean]}" "${U[rss_max]}" "${U[rss_mean]}" \
      "${U[workers]}" "${U[workers_same]}"
    if ((QUEUE_ORDERS > 0)); then queue_json; fi
    printf '  "targets": [\n'
    if ((QUEUE_ORDERS > 0)); then queue_targets_json; fi
    printf '    {"name": "c/b", "target": ">= %s", "value": %s, "pass": %s},\n' "$T_RATIO" \
      "$ratio_cb" "$(holds "$ratio_cb >= $T_RATIO" && echo true || echo false)"
    printf '    {"name": "certhall/PHP requests/s", "target": ">= %s", "value": %s, "pass": %s},\n' \
      "$T_PHP_RATIO" "$ratio_cp" "$(holds "$ratio_cp >= $T_PHP_RATIO" && echo true || echo false)"
    printf '    {"name": "p99 certhall/PHP", "target": "<= %s", "value": %s, "pass": %s},\n' \
      "$T_PHP_P99" "$ratio_p99" "$(holds "$ratio_p99 <= $T_PHP_P99" && echo true || echo false)"
    printf '    {"name": "p99_ms (c)", "target": "<= %s", "value": %s, "pass": %s},\n' "$T_P99_MS" \
      "${R_P99[c]}" "$(holds "${R_P99[c]} <= $T_P99_MS" && echo true || echo false)"
    printf '    {"name": "idle worker RSS MiB (max)", "target": "<= %s", "value": %s, "program": "%s", "pass": %s},\n' \
      "$T_RSS_MIB" "$rss_max" "$rss_prog" "$(holds "$rss_max <= $T_RSS_MIB" && echo true || echo false)"
    printf '    {"name": "upload/convert (medians)", "target": "<= %s", "value": %s, "pass": %s},\n' \
      "$T_UP_RATIO" "${U[ratio]}" "$(holds "${U[ratio]} <= $T_UP_RATIO" && echo true || echo false)"
    printf '    {"name": "peak upload worker RSS MiB (VmHWM, max)", "target": "<= %s", "value": %s, "pass": %s},\n' \
      "$T_UP_RSS_MIB" "${U[hwm_max]}" "$(holds "${U[hwm_max]} <= $T_UP_RSS_MIB" && echo true || echo false)"
    printf '    {"name": "pixel flood refused ms (max)", "target": "<= %s", "value": %s, "pass": %s}\n' \
      "$T_FLOOD_MS" "${U[fl_max]}" "$(holds "${U[fl_max]} <= $T_FLOOD_MS" && echo true || echo false)"
    printf '  ],\n  "ok": %s\n}\n' "$( ((ok)) && echo true || echo false)"
  } >"$OUT/results.json.tmp"
  mv "$OUT/results.json.tmp" "$OUT/results.json"
  echo
  echo "results: $OUT/results.json (raw wrk output: $OUT/wrk-{a,b1,c1,p1,b2,c2,p2,c0,w1,w2,w4,w8}.txt; upload times:" \
    "$OUT/upload-times-{upload,convert,flood,floor}.txt)"
  ((ok)) || die "a run had too many failed requests: the numbers above are not valid"
}

if [[ ${1-} == queue ]]; then
  main_queue
else
  main "$@"
fi
