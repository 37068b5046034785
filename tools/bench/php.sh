# make bench (p): the PHP peer of the look-up (tests/bench/php/lookup.php) under php-fpm 8.2,
# served by the stack's own nginx at /bench/php/lookup. Sourced by tools/bench.sh (uses DIR,
# REPO, die, log). The pool has as many children as certhall has workers ([server] workers),
# recycles them as certhall does (max_requests), keeps opcache on without timestamp checks,
# and hands the script the stack's database, key and limit through its environment.

PHP_FPM=${BENCH_PHP_FPM:-$(command -v php-fpm8.2 || command -v /usr/sbin/php-fpm8.2 || true)}
PHP_PID=

# A key of the stack's certhall.conf ([section] key), or the default given.
conf_value() {
  awk -v s="[$1]" -v k="$2" -v d="$3" '
    /^\[/ { in_s = ($1 == s) }
    in_s && $1 == k && $2 == "=" { v = $3 }
    END { print (v == "" ? d : v) }' "$DIR/etc/certhall.conf"
}

php_start() {
  local workers max_requests conf=$DIR/etc/php-fpm.conf i
  [[ -x $PHP_FPM ]] || die "php-fpm8.2 not found (make deps installs php8.2-fpm)"
  workers=$(conf_value server workers 4)
  max_requests=$(conf_value server max_requests 10000)
  cat >"$conf" <<CONF
[global]
pid = $DIR/bench/php-fpm.pid
error_log = $DIR/log/php-fpm.log
daemonize = no

[lookup]
user = $(id -un)
listen = $DIR/run/php.sock
listen.mode = 0666
listen.backlog = 1024
pm = static
pm.max_children = $workers
pm.max_requests = $max_requests
clear_env = yes
env[CERTHALL_DB_SOCKET] = $DIR/run/mysqld.sock
env[CERTHALL_DB_PASSWORD_FILE] = $DIR/etc/db.password
env[CERTHALL_KEY_FILE] = $DIR/etc/pii.key
env[CERTHALL_RATE_LIMIT] = $(conf_value track rate_limit 30)
env[CERTHALL_RATE_WINDOW] = $(conf_value track rate_window 60)
php_admin_flag[display_errors] = off
php_admin_flag[log_errors] = on
CONF
  # -R: the bench may run as root; opcache on, scripts never re-checked on disk.
  setsid "$PHP_FPM" -R -y "$conf" -d opcache.enable=1 -d opcache.validate_timestamps=0 \
    -d opcache.memory_consumption=64 </dev/null >>"$DIR/log/php-fpm.out" 2>&1 9>&- &
  PHP_PID=$!
  for ((i = 0; i < 100; i++)); do
    [[ -S $DIR/run/php.sock ]] && break
    kill -0 "$PHP_PID" 2>/dev/null || die "php-fpm exited: $(tail -n 5 "$DIR/log/php-fpm.log" 2>/dev/null)"
    sleep 0.1
  done
  [[ -S $DIR/run/php.sock ]] || die "php-fpm did not make $DIR/run/php.sock"
  php_nginx
}

# The stack's nginx.conf is tools/stack.sh's rendering of nginx/dev.conf.in: the PHP location
# goes in beside the bench's others, then nginx reloads.
php_nginx() {
  local f=$DIR/etc/nginx.conf pid i
  awk -v sock="$DIR/run/php.sock" -v script="$REPO/tests/bench/php/lookup.php" '
    /location \/bench\/static\// && !done {
      print "        location = /bench/php/lookup {"
      print "            include certhall-fastcgi.conf;"
      print "            fastcgi_param SCRIPT_FILENAME " script ";"
      print "            fastcgi_pass unix:" sock ";"
      print "        }"
      print ""
      done = 1
    }
    { print }' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
  grep -q '/bench/php/lookup' "$f" || die "could not add the PHP location to $f"
  nginx -t -q -p "$DIR/nginx/" -c "$f" -e "$DIR/log/nginx-error.log" ||
    die "nginx rejects the PHP location ($f)"
  read -r pid <"$DIR/run/nginx.pid" || die "no nginx pid"
  kill -HUP "$pid"
  for ((i = 0; i < 50; i++)); do
    [[ $(curl -sS -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -d '{}' "$BASE/bench/php/lookup" 2>/dev/null) == 400 ]] && return 0
    sleep 0.1
  done
  die "nginx does not pass /bench/php/lookup to php-fpm (see $DIR/log/php-fpm.log)"
}

php_stop() {
  [[ -n $PHP_PID ]] || return 0
  kill -TERM "$PHP_PID" 2>/dev/null || true
  wait "$PHP_PID" 2>/dev/null || true
  PHP_PID=
}

# php_same NO TAIL: the PHP answer and certhall's decode to the same JSON value, and a
# mistyped order number gets the same error code from both.
php_same() {
  local body="{\"order_no\":\"$1\",\"mobile_tail\":\"$2\"}" bad c p
  curl -sS -o "$DIR/bench/same-c.json" -X POST -H 'Content-Type: application/json' -d "$body" \
    "$BASE/api/track/order" || die "look-up failed"
  curl -sS -o "$DIR/bench/same-p.json" -X POST -H 'Content-Type: application/json' -d "$body" \
    "$BASE/bench/php/lookup" || die "PHP look-up failed"
  php -r 'exit(json_decode(file_get_contents($argv[1]), true) ===
              json_decode(file_get_contents($argv[2]), true) ? 0 : 1);' \
    "$DIR/bench/same-c.json" "$DIR/bench/same-p.json" ||
    die "the PHP answer differs from certhall's: $DIR/bench/same-{c,p}.json"
  # The last two digits swapped: the Damm digit catches it.
  bad="${1:0:16}${1:17:1}${1:16:1}"
  [[ $bad != "$1" ]] || bad="${1:0:17}$(((${1:17:1} + 1) % 10))"
  body="{\"order_no\":\"$bad\",\"mobile_tail\":\"$2\"}"
  c=$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$BASE/api/track/order")
  p=$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$BASE/bench/php/lookup")
  [[ $c == *'"code":"invalid_field"'* && $p == *'"code":"invalid_field"'* ]] ||
    die "a mistyped order number: certhall said $c, PHP said $p"
}
