# make bench: cost as work grows. Sourced by tools/bench.sh (uses DIR, CERTHALL_BIN, OUT, die,
# log, run, pid_of, scan_make, upload_run, stats, R_*, UP_URL).
#   scale_workers URL: the look-up with 1, 2, 4 and 8 track workers (the program restarted
#     with -w N each time, then with its configured number again);
#   upload_sizes: upload time against scan size (0.5, 1 and 2 MB scans of the same page).

SCALE_SECONDS=${BENCH_SCALE_SECONDS:-5}
SCALE_WORKERS=(1 2 4 8)
SIZE_UPLOADS=${BENCH_SIZE_UPLOADS:-5}
SIZE_LIMITS=(524288 1048576 2097152)

# track_restart [N [CONF]]: certhall-track again, with N workers (none or "": the configured
# number), under CONF (none: the stack's).
track_restart() {
  local pid sock=$DIR/run/track.sock i conf=${2:-$DIR/etc/certhall.conf}
  local -a opts=()
  [[ -n ${1-} ]] && opts=(-w "$1")
  if pid=$(pid_of track); then
    kill -TERM "$pid"
    for ((i = 0; i < 100; i++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
  fi
  rm -f "$sock"
  setsid "$CERTHALL_BIN/certhall-track" -c "$conf" "${opts[@]}" \
    </dev/null >>"$DIR/log/track.log" 2>&1 9>&- &
  echo $! >"$DIR/run/track.pid"
  for ((i = 0; i < 100; i++)); do
    [[ -S $sock ]] && return 0
    sleep 0.1
  done
  die "certhall-track did not come back (-w ${1:-default})"
}

declare -A S_RPS S_P99
scale_workers() {
  local url=$1 w saved=$DURATION
  DURATION=$SCALE_SECONDS
  for w in "${SCALE_WORKERS[@]}"; do
    track_restart "$w"
    run "w$w" track "$url" -s "$LUA"
    S_RPS[$w]=${R_RPS[w$w]}
    S_P99[$w]=${R_P99[w$w]}
  done
  DURATION=$saved
  track_restart
}

# nocache_run URL: (c0), the look-up with the answers' cache off ([track] cache_mib = 0): every
# look-up reads MariaDB, as the PHP peer's does; then the stack's track again.
nocache_run() {
  local conf=$DIR/etc/certhall-nocache.conf
  sed '/^\[track\]/a cache_mib = 0' "$DIR/etc/certhall.conf" >"$conf"
  track_restart "" "$conf"
  run c0 track "$1" -s "$LUA"
  track_restart
}

declare -A Z_P50 Z_P90 Z_BYTES Z_BAD
upload_sizes() {
  local limit scan
  for limit in "${SIZE_LIMITS[@]}"; do
    scan=$DIR/bench/scan-$limit.jpg
    log "(s) a scan under $limit bytes, $SIZE_UPLOADS uploads"
    read -r "Z_BYTES[$limit]" _ <<<"$(scan_make "$scan" "$limit")"
    upload_run "size-$limit" "$scan" scan.jpg image/jpeg "$SIZE_UPLOADS"
    read -r "Z_P50[$limit]" "Z_P90[$limit]" _ <<<"$(stats "$DIR/bench/size-$limit.txt" 2)"
    Z_BAD[$limit]=$(awk '$1 != 201' "$DIR/bench/size-$limit.txt" | wc -l)
  done
}

scale_report() {
  local w limit
  printf '\nlook-ups/s against track workers (%ss each, %s connections):\n' "$SCALE_SECONDS" \
    "$CONNECTIONS"
  printf '  %-8s %12s %9s\n' workers requests/s "p99 ms"
  for w in "${SCALE_WORKERS[@]}"; do
    printf '  %-8s %12.0f %9.2f\n' "$w" "${S_RPS[$w]}" "${S_P99[$w]}"
  done
  printf '\nupload time against scan size (%s uploads each, one connection):\n' "$SIZE_UPLOADS"
  printf '  %-10s %10s %10s %8s %s\n' limit bytes "median ms" "p90 ms" "not 201"
  for limit in "${SIZE_LIMITS[@]}"; do
    printf '  %-10s %10s %10.2f %8.2f %s\n' "$(calc "$limit / 1048576" 1) MB" "${Z_BYTES[$limit]}" \
      "${Z_P50[$limit]}" "${Z_P90[$limit]}" "${Z_BAD[$limit]}"
  done
}

scale_json() {
  local w limit sep=''
  printf '  "track_workers": ['
  for w in "${SCALE_WORKERS[@]}"; do
    printf '%s{"workers": %s, "requests_per_s": %s, "p99_ms": %s}' "$sep" "$w" "${S_RPS[$w]}" \
      "${S_P99[$w]}"
    sep=', '
  done
  printf '],\n  "upload_by_size": ['
  sep=''
  for limit in "${SIZE_LIMITS[@]}"; do
    printf '%s{"limit_bytes": %s, "bytes": %s, "median_ms": %s, "p90_ms": %s, "not_201": %s}' \
      "$sep" "$limit" "${Z_BYTES[$limit]}" "${Z_P50[$limit]}" "${Z_P90[$limit]}" "${Z_BAD[$limit]}"
    sep=', '
  done
  printf '],\n'
}
