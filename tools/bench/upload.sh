# make bench (d), (e), (f): uploads of an A4 scan end to end against `convert`, and the
# pixel flood. Sourced by tools/bench.sh (uses DIR, BASE, OUT, CERTHALL_BIN, REPO, die, log and
# tools/bench/common.sh).

UPLOADS=${BENCH_UPLOADS:-20}
UPLOAD_LIMIT=2097152 # business_licence on bjca-zycg (uploads-policy/materials.sql): 2 MB
# Not a printed form: those must carry their order's QR (issue 18); a licence scan passes every
# check of its kind (ink, sharpness, paper, area, seal).
UPLOAD_KIND=business_licence
STORE_SIDE=1754       # its max_side: the longest side it is stored at
# convert itself: a `convert` first in PATH may be a wrapper script, whose start-up would be
# charged to convert.
CONVERT=${BENCH_CONVERT:-$(command -v convert-im6.q16 || command -v convert || true)}

# Targets (the issue): upload time <= 1.0x convert's (medians), peak upload worker RSS <= 96 MiB,
# the pixel-flood PNG refused in <= 10 ms (every request of the run, end to end).
T_UP_RATIO=1.0
T_UP_RSS_MIB=96
T_FLOOD_MS=10

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

# get_run NAME URL COUNT: COUNT GETs of URL on one connection (one curl); "status ms" per request
# to $DIR/bench/NAME.txt.
get_run() {
  local name=$1 url=$2 count=$3 i
  local -a urls=()
  for ((i = 1; i <= count; i++)); do urls+=("$url" -o /dev/null); done
  curl -sS -w '%{http_code} %{time_total}\n' "${urls[@]}" >"$DIR/bench/$name.raw" ||
    die "curl failed on $url"
  awk '{ printf "%s %.3f\n", $1, $2 * 1000 }' "$DIR/bench/$name.raw" >"$DIR/bench/$name.txt"
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
  # The floor under (f) on this machine: the upload program's health answer (no database, no
  # body) through the same nginx, as many times, right after. A flood's worst case above 10 ms
  # with the floor's worst case as high is the machine's scheduling, not the refusal.
  log "(f0) the same path's floor: GET /api/upload/health, $UPLOADS times"
  get_run floor "$BASE/api/upload/health" "$UPLOADS"
  read -r "U[fo_p50]" "U[fo_p90]" "U[fo_min]" "U[fo_max]" <<<"$(stats "$DIR/bench/floor.txt" 2)"

  U[ratio]=$(calc "${U[up_p50]} / ${U[cv_p50]}" 3)
  for s in upload convert flood floor; do cp "$DIR/bench/$s.txt" "$OUT/upload-times-$s.txt"; done
}
