#!/usr/bin/env bash
# make bench: a throwaway stack with 10,000 seeded orders, then wrk, in one run, against
#   (a) nginx serving a static file the size of a look-up answer,
#   (b) certhall-hello, a constant answer from the same runner and worker loop,
#   (c) the public order look-up (POST /api/track/order, a random seeded order per request),
#   (p) the same look-up in PHP 8.2 under php-fpm with PDO (tests/bench/php/lookup.php,
#       tools/bench/php.sh), as many children as certhall has workers, the same nginx; (c) and
#       (p) interleaved, two rounds each, their answers checked to be the same first;
#   then the look-up again with 1, 2, 4 and 8 track workers (BENCH_SCALE_SECONDS each);
# then, one request at a time on one connection (curl), as a freshly registered applicant:
#   (d) uploads of a 2 MB A4 scan at 300 dpi (2480x3508 JPEG, made here) as application_form
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
# shellcheck source=tools/bench/php.sh
source "$REPO/tools/bench/php.sh"
# shellcheck source=tools/bench/scale.sh
source "$REPO/tools/bench/scale.sh"

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

UPLOADS=${BENCH_UPLOADS:-20}
UPLOAD_LIMIT=2097152 # application_form on bjca-zycg (uploads-policy/materials.sql): 2 MB
UPLOAD_KIND=application_form
STORE_SIDE=1754       # its max_side: the longest side it is stored at
# convert itself: a `convert` first in PATH may be a wrapper script, whose start-up would be
# charged to convert.
CONVERT=${BENCH_CONVERT:-$(command -v convert-im6.q16 || command -v convert || true)}

# Targets (the issue): upload time <= 1.0x convert's (medians), peak upload worker RSS <= 96 MiB,
# the pixel-flood PNG refused in <= 10 ms (every request of the run, end to end).
T_UP_RATIO=1.0
T_UP_RSS_MIB=96
T_FLOOD_MS=10

QUEUE_ORDERS=${BENCH_QUEUE_ORDERS:-1000000}
QUEUE_REQUESTS=${BENCH_QUEUE_REQUESTS:-200}
QUEUE_WARMUP=20
T_QUEUE_P95_MS=20

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

# ---- uploads --------------------------------------------------------------------------------

# N random decimal digits.
rand_digits() {
  od -An -N"$1" -tu1 /dev/urandom | awk '{ for (i = 1; i <= NF; i++) printf "%d", $i % 10 }'
}

# A fresh valid USCC or order number, by the rules the programs check them with.
ident() { "$CERTHALL_BIN/certhall-admin" ident "$@" || die "certhall-admin ident $* failed"; }

im() { "$CONVERT" "$@"; }

# scan_make OUT [LIMIT]: an A4 page at 300 dpi (2480x3508): a title, 40 lines of text, two
# rules, a red stamp and scanner noise, as a JPEG at the highest quality under LIMIT
# (UPLOAD_LIMIT) bytes. The page is drawn once and kept for the next call. Prints "bytes quality".
scan_make() {
  local out=$1 limit=${2:-$UPLOAD_LIMIT} page=$DIR/bench/page.ppm font lo=20 hi=98 q best=0 i
  local line='The applicant confirms that the information given in this form is true and complete.'
  local -a draw=()
  font=$(im -list font 2>/dev/null | awk '$1 == "Font:" && f == "" { f = $2 } END { print f }')
  if [[ -n $font ]]; then
    draw=(-font "$font" -fill black -pointsize 64 -annotate +560+330
      'Application for a digital certificate' -pointsize 34)
    for ((i = 0; i < 40; i++)); do
      draw+=(-annotate "+200+$((560 + i * 62))" "$((i + 1)). $line")
    done
  else # no font: bars stand in for the lines
    draw=(-fill black -draw 'rectangle 560,280 1900,340')
    for ((i = 0; i < 40; i++)); do
      draw+=(-draw "rectangle 200,$((530 + i * 62)) $((1800 + i * 37 % 400)),$((560 + i * 62))")
    done
  fi
  [[ -s $page ]] || im -size 2480x3508 xc:white "${draw[@]}" -fill none -stroke black \
    -strokewidth 3 -draw 'line 200,420 2280,420' -draw 'line 200,3100 2280,3100' \
    -stroke red -strokewidth 12 -draw 'circle 1900,3250 1900,3050' \
    -seed 1 -attenuate 0.5 +noise Gaussian "$page" || die "convert could not draw the scan"
  while ((lo <= hi)); do # the size grows with the quality
    q=$(((lo + hi) / 2))
    im "$page" -sampling-factor 2x2,1x1,1x1 -density 300 -units PixelsPerInch -quality "$q" \
      "JPEG:$out.tmp" || die "convert could not write the scan"
    if (($(stat -c %s "$out.tmp") < limit)); then
      mv "$out.tmp" "$out"
      best=$q
      lo=$((q + 1))
    else
      hi=$((q - 1))
    fi
  done
  rm -f "$out.tmp"
  ((best)) || die "the scan is over $limit bytes even at quality $lo"
  echo "$(stat -c %s "$out") $best"
}

# applicant JAR: registers a fresh org account as tests/api/apiclient.c does (an SMS code,
# read off the sandbox gateway, then register); the session stays in the cookie jar JAR.
# Prints the account's login name (its USCC).
applicant() {
  local jar=$1 uscc mobile code='' i status
  uscc=$(ident uscc)
  mobile=137$(rand_digits 8)
  status=$(curl -sS -o "$DIR/bench/sms-code.json" -w '%{http_code}' -H 'Content-Type: application/json' \
    -d "{\"mobile\":\"$mobile\",\"purpose\":\"register\"}" "$BASE/api/account/sms-code") || status=000
  [[ $status == 200 ]] ||
    die "sms-code answered $status: $(head -c 300 "$DIR/bench/sms-code.json" 2>/dev/null)"
  # The send happens after the answer: quick, not instant.
  for ((i = 0; i < 100; i++)); do
    curl -sS -o "$DIR/bench/messages.json" "$BASE/sandbox/messages?to=$mobile&limit=1" || true
    code=$(awk '{ if (match($0, /"text":"[^"]*"/)) { t = substr($0, RSTART + 8, RLENGTH - 9)
        while (match(t, /[0-9]+/)) { if (RLENGTH == 6) { print substr(t, RSTART, 6); exit }
          t = substr(t, RSTART + RLENGTH) } } }' "$DIR/bench/messages.json" 2>/dev/null) || code=''
    [[ -n $code ]] && break
    sleep 0.05
  done
  [[ -n $code ]] || die "no SMS code for $mobile in $BASE/sandbox/messages after 5 s"
  status=$(curl -sS -c "$jar" -o "$DIR/bench/register.json" -w '%{http_code}' \
    -H 'Content-Type: application/json' -d "{\"kind\":\"org\",\"name\":\"测试示范有限公司\",\
\"uscc\":\"$uscc\",\"mobile\":\"$mobile\",\"sms_code\":\"$code\",\"password\":\"Passw0rd-1\"}" \
    "$BASE/api/account/register") || status=000
  [[ $status == 201 ]] ||
    die "register answered $status: $(head -c 300 "$DIR/bench/register.json" 2>/dev/null)"
  echo "$uscc"
}

# order_make LOGIN: a draft bjca-zycg order (new, org) of that account, made in the database as
# tests/api/test_upload.c does. Prints its number (certhall-admin ident order-no).
order_make() {
  local no n
  no=$(ident order-no --node 1)
  n=$(mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$(id -un)" -N -B certhall -e "
    INSERT INTO orders (order_no, channel_id, account_id, business_type, cert_kind, state,
      subject_name, created_at, updated_at)
    SELECT '$no', c.id, a.id, 'new', 'org', 'draft', '测试示范有限公司', NOW(3), NOW(3)
    FROM channels c JOIN accounts a ON a.login_name = '$1' WHERE c.code = 'bjca-zycg';
    SELECT ROW_COUNT();") || die "could not make the order in the database"
  [[ $n == 1 ]] || die "no order made (channel bjca-zycg or account $1 missing)"
  echo "$no"
}

# upload_run NAME FILE FILENAME TYPE COUNT: COUNT uploads of FILE, one after the other on one
# connection (one curl), as the applicant (UP_JAR, UP_CSRF) to UP_URL. Writes "status ms
# connects" per request to $DIR/bench/NAME.txt, each answer to $DIR/bench/NAME-I.json.
upload_run() {
  local name=$1 file=$2 fname=$3 type=$4 count=$5 i
  local -a urls=()
  for ((i = 1; i <= count; i++)); do urls+=("$UP_URL" -o "$DIR/bench/$name-$i.json"); done
  curl -sS -b "$UP_JAR" -H "X-CSRF-Token: $UP_CSRF" -H 'Expect:' \
    -F "file=@$file;filename=$fname;type=$type" \
    -w '%{http_code} %{time_total} %{num_connects}\n' "${urls[@]}" >"$DIR/bench/$name.raw" ||
    die "curl failed uploading $fname: $(tail -n 2 "$DIR/bench/$name.raw")"
  awk '{ printf "%s %.3f %s\n", $1, $2 * 1000, $3 }' "$DIR/bench/$name.raw" >"$DIR/bench/$name.txt"
  (($(wc -l <"$DIR/bench/$name.txt") == count)) || die "curl reported fewer than $count uploads"
}

# convert_run COUNT SCAN: the upload's normalisation by convert, one process per run (the
# thumbnail from the normalised image, as image_process does). Writes "ms" per run to
# $DIR/bench/convert.txt.
convert_run() {
  local count=$1 scan=$2 i a b
  : >"$DIR/bench/convert.txt"
  for ((i = 0; i <= count; i++)); do # run 0 is the warm-up
    a=$EPOCHREALTIME
    im -define jpeg:size=$((STORE_SIDE * 2480 / 3508))x$STORE_SIDE "$scan" -auto-orient -strip \
      -colorspace sRGB -resize "${STORE_SIDE}x${STORE_SIDE}>" \
      -sampling-factor 2x2,1x1,1x1 -quality 85 -write "$DIR/bench/convert-out.jpg" \
      -thumbnail 240x240 "$DIR/bench/convert-thumb.jpg" || die "convert failed on the scan"
    b=$EPOCHREALTIME
    ((i == 0)) || awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f\n", (b - a) * 1000 }' \
      >>"$DIR/bench/convert.txt"
  done
}

# "median p90 min max" of the numbers in column COL of FILE (p90: nearest rank).
stats() {
  awk -v c="$2" '{ print $c }' "$1" | sort -n | awk '{ v[NR] = $1 } END {
    if (!NR) { print "0 0 0 0"; exit }
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    k = int(0.9 * NR); if (k < 0.9 * NR) k++
    printf "%.2f %.2f %.2f %.2f\n", m, v[k], v[1], v[NR] }'
}

# A member of a compact JSON answer: a number or a string's value.
json_member() {
  sed -n -e "s/.*\"$2\":\"\\([^\"]*\\)\".*/\\1/p" -e "t" -e "s/.*\"$2\":\\([0-9][0-9]*\\).*/\\1/p" "$1"
}

# Results of the upload runs.
declare -A U
uploads() {
  local uscc no scan=$DIR/bench/scan.jpg flood=$DIR/bench/flood.png pids_before pids_after
  local workers i n s
  [[ -x $CONVERT ]] || die "convert not found (make deps installs imagemagick)"
  [[ $UPLOADS =~ ^[1-9][0-9]*$ ]] || die "BENCH_UPLOADS must be a positive number"
  U[convert]=$CONVERT
  U[convert_version]=$(im -version | awk '$1 == "Version:" && v == "" { v = $3 " " $4 } END { print v }')
  U[convert_threads]=$(im -list resource | awk '$1 == "Thread:" { t = $2 } END { print t }')

  log "(d) making the scan: 2480x3508 JPEG under $UPLOAD_LIMIT bytes"
  s=$(scan_make "$scan")
  read -r "U[scan_bytes]" "U[scan_quality]" <<<"$s"
  U[scan_size]=$(im "$scan" -format '%wx%h' info:)

  log "(d) registering an applicant, making a draft order"
  UP_JAR=$DIR/bench/cookies.txt
  uscc=$(applicant "$UP_JAR")
  UP_CSRF=$(awk '$6 == "certhall_csrf" { print $7 }' "$UP_JAR")
  [[ -n $UP_CSRF ]] || die "no certhall_csrf cookie after registering"
  no=$(order_make "$uscc")
  UP_URL=$BASE/api/upload/orders/$no/materials/$UPLOAD_KIND
  U[order]=$no

  # One upload per worker first: the workers take turns on the socket, and each one's first
  # image loads coders and warms its heap.
  workers=$(rss_of upload | awk '{ print $3 }')
  ((workers > 0)) || die "certhall-upload has no workers"
  U[workers]=$workers
  log "(d) $workers warm-up uploads, then $UPLOADS: $UP_URL"
  upload_run warm "$scan" scan.jpg image/jpeg "$workers"
  pids_before=$(workers_of "$(pid_of upload)" | sort | tr '\n' ' ')
  upload_run upload "$scan" scan.jpg image/jpeg "$UPLOADS"
  read -r "U[hwm_max]" "U[hwm_mean]" _ <<<"$(rss_of upload VmHWM)"
  read -r "U[rss_max]" "U[rss_mean]" _ <<<"$(rss_of upload)"
  pids_after=$(workers_of "$(pid_of upload)" | sort | tr '\n' ' ')
  U[workers_same]=$([[ $pids_before == "$pids_after" ]] && echo true || echo false)
  read -r "U[up_p50]" "U[up_p90]" "U[up_min]" "U[up_max]" <<<"$(stats "$DIR/bench/upload.txt" 2)"
  U[up_bad]=$(cat "$DIR/bench/warm.txt" "$DIR/bench/upload.txt" | awk '$1 != 201' | wc -l)
  U[up_connects]=$(awk '{ n += $3 } END { print n + 0 }' "$DIR/bench/upload.txt")
  s=$DIR/bench/upload-$UPLOADS.json
  U[up_out]="$(json_member "$s" width)x$(json_member "$s" height)"
  U[up_bytes]=$(json_member "$s" bytes)
  U[up_version]=$(json_member "$s" version)

  log "(e) convert, $UPLOADS runs after one warm-up"
  convert_run "$UPLOADS" "$scan"
  read -r "U[cv_p50]" "U[cv_p90]" "U[cv_min]" "U[cv_max]" <<<"$(stats "$DIR/bench/convert.txt" 1)"
  U[cv_out]=$(im "$DIR/bench/convert-out.jpg" -format '%wx%h' info:)
  U[cv_bytes]=$(stat -c %s "$DIR/bench/convert-out.jpg")
  U[cv_thumb]=$(im "$DIR/bench/convert-thumb.jpg" -format '%wx%h' info:)

  log "(f) the pixel-flood PNG, $UPLOADS uploads"
  cc -std=c11 -O1 -Wall -Wextra -o "$DIR/bench/corpus_helper" "$REPO/tests/data/corpus_helper.c" ||
    die "could not build tests/data/corpus_helper.c"
  "$DIR/bench/corpus_helper" png-header 65535 65535 "$flood" || die "corpus_helper png-header failed"
  U[flood_bytes]=$(stat -c %s "$flood")
  upload_run flood "$flood" flood.png image/png "$UPLOADS"
  read -r "U[fl_p50]" "U[fl_p90]" "U[fl_min]" "U[fl_max]" <<<"$(stats "$DIR/bench/flood.txt" 2)"
  n=0
  for ((i = 1; i <= UPLOADS; i++)); do
    s=$(sed -n "${i}p" "$DIR/bench/flood.txt")
    [[ ${s%% *} == 400 && $(json_member "$DIR/bench/flood-$i.json" code) == too_many_pixels ]] ||
      n=$((n + 1))
  done
  U[fl_bad]=$n
  U[fl_connects]=$(awk '{ n += $3 } END { print n + 0 }' "$DIR/bench/flood.txt")

  U[ratio]=$(calc "${U[up_p50]} / ${U[cv_p50]}" 3)
  for s in upload convert flood; do cp "$DIR/bench/$s.txt" "$OUT/upload-times-$s.txt"; done
}

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
  QS_NAME=(none state channel business kind dates channel_state_dates subject_few subject_many
    order_no page_20 finance ship_channel)
  QS_WHO=(rev rev rev rev rev rev rev rev rev rev rev adm adm)
  QS_QUERY=("" "state=reviewing" "channel=bjca-zycg" "business=lost" "kind=person"
    "from=$from&to=$to" "channel=jxca-js&state=paper_review&from=$from"
    "subject=%E5%8C%97%E4%BA%AC%E7%A4%BA%E8%8C%8301" "subject=%E5%8C%97%E4%BA%AC"
    "order_no=$no" "page=20" "queue=finance" "queue=ship&channel=szca")
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

verdict() { if holds "$1"; then echo PASS; else echo FAIL; fi; }

main() {
  local port no tail code size ratio_cb ratio_ba ratio_cp ratio_p99 rss_max rss_prog=- name ok=1 v
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
  run b hello "$BASE/bench/hello"
  php_start
  php_same "$no" "$tail"
  run c1 track "$BASE/api/track/order" -s "$LUA"
  run p1 - "$BASE/bench/php/lookup" -s "$LUA"
  run c2 track "$BASE/api/track/order" -s "$LUA"
  run p2 - "$BASE/bench/php/lookup" -s "$LUA"
  merge c c1 c2
  merge p p1 p2
  rss_all RSS_AFTER
  php_stop
  scale_workers "$BASE/api/track/order"
  uploads
  upload_sizes
  if ((QUEUE_ORDERS > 0)); then queue_bench; fi

  ratio_cb=$(calc "${R_RPS[c]} / ${R_RPS[b]}")
  ratio_ba=$(calc "${R_RPS[b]} / ${R_RPS[a]}")
  ratio_cp=$(calc "${R_RPS[c]} / ${R_RPS[p]}")
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
    [p]="(p) PHP look-up")
  {
    echo
    echo "certhall bench: $ORDERS seeded orders; wrk $CONNECTIONS connections, $THREADS threads," \
      "${DURATION}s per run after ${WARMUP}s warm-up; $(nproc) CPUs"
    echo "look-up answer: $size bytes; (a) serves a static file of that size"
    echo
    printf '%-20s %12s %9s %9s %10s %8s\n' run requests/s "p50 ms" "p99 ms" requests non-2xx+err
    for name in a b c p; do
      printf '%-20s %12.0f %9.2f %9.2f %10s %8s\n' "${LABEL[$name]}" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_REQ[$name]}" \
        "$((R_NON2XX[$name] + R_ERR[$name]))"
    done
    echo
    echo "ratios: c/b = $ratio_cb   b/a = $ratio_ba   c/p = $ratio_cp   p99 c/p = $ratio_p99"
    echo "  ((c) and (p): two interleaved rounds each, ${DURATION}s a round: mean requests/s,"
    echo "   worse p99; php-fpm: $(conf_value server workers 4) children, as many as track workers)"
    echo
    echo "CPU during each run, % of one core ($(nproc) cores = $((100 * $(nproc)))%):"
    printf '%-20s %7s %9s %9s %6s %6s %6s\n' run nginx program mariadbd wrk other idle
    for name in a b c p; do
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

  for name in a b c p w1 w2 w4 w8; do
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
    for name in a b c p; do
      printf '%s    "%s": {"url": "%s", "program": "%s", "requests_per_s": %s, "p50_ms": %s, "p99_ms": %s, "requests": %s, "non_2xx": %s, "socket_errors": %s,\n           "cpu_pct_of_core": %s}' \
        "$sep" "$name" "${R_URL[$name]#"$BASE"}" "${R_PROG[$name]/#-/nginx}" "${R_RPS[$name]}" \
        "${R_P50[$name]}" "${R_P99[$name]}" "${R_REQ[$name]}" "${R_NON2XX[$name]}" \
        "${R_ERR[$name]}" "$(json_cpu "${R_CPU[$name]}")"
      sep=$',\n'
    done
    printf '\n  },\n  "ratios": {"c_over_b": %s, "b_over_a": %s, "c_over_p": %s, "p99_c_over_p": %s},\n' \
      "$ratio_cb" "$ratio_ba" "$ratio_cp" "$ratio_p99"
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
  echo "results: $OUT/results.json (raw wrk output: $OUT/wrk-{a,b,c1,p1,c2,p2,w1,w2,w4,w8}.txt; upload times:" \
    "$OUT/upload-times-{upload,convert,flood}.txt)"
  ((ok)) || die "a run had too many failed requests: the numbers above are not valid"
}

if [[ ${1-} == queue ]]; then
  main_queue
else
  main "$@"
fi
