# make bench: what every part of tools/bench.sh uses: numbers, the stack's processes (RSS,
# CPU), wrk runs and their results (R_*), the report's small pieces. Sourced by tools/bench.sh
# (uses DIR, OUT, CONNECTIONS, THREADS, WARMUP, DURATION, MAX_BAD_PERMILLE, die, log).

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

# "max mean count" of the workers' VmRSS (or FIELD: VmHWM is the peak), MiB.
rss_of() {
  local field=${2:-VmRSS} master kb pid
  local -a all=()
  master=$(pid_of "$1") || {
    echo "0 0 0"
    return 0
  }
  for pid in $(workers_of "$master"); do
    kb=$(awk -v f="$field:" '$1 == f { print $2 }' "/proc/$pid/status" 2>/dev/null) || continue
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

# merge NAME A B: two interleaved runs as one: mean requests/s and p50, the worse p99, the
# requests and failures summed, the mean CPU shares.
merge() {
  local n=$1 a=$2 b=$3
  R_URL[$n]=${R_URL[$a]}
  R_PROG[$n]=${R_PROG[$a]}
  R_RPS[$n]=$(calc "(${R_RPS[$a]} + ${R_RPS[$b]}) / 2")
  R_P50[$n]=$(calc "(${R_P50[$a]} + ${R_P50[$b]}) / 2" 3)
  R_P99[$n]=$(calc "(${R_P99[$a]} > ${R_P99[$b]} ? ${R_P99[$a]} : ${R_P99[$b]})" 3)
  R_REQ[$n]=$((R_REQ[$a] + R_REQ[$b]))
  R_NON2XX[$n]=$((R_NON2XX[$a] + R_NON2XX[$b]))
  R_ERR[$n]=$((R_ERR[$a] + R_ERR[$b]))
  R_CPU[$n]=$(awk -v x="${R_CPU[$a]}" -v y="${R_CPU[$b]}" 'BEGIN {
    n = split(x, p, " "); split(y, q, " ")
    for (i = 1; i <= n; i++) printf "%s%.0f", (i > 1 ? " " : ""), (p[i] + q[i]) / 2 }')
}

bad_permille_ok() {
  local name=$1
  holds "(${R_NON2XX[$name]} + ${R_ERR[$name]}) * 1000 <= $MAX_BAD_PERMILLE * ${R_REQ[$name]} && ${R_REQ[$name]} > 0"
}


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

verdict() { if holds "$1"; then echo PASS; else echo FAIL; fi; }
