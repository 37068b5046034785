#!/usr/bin/env bash
# The drop-in, as a host installs it: `make install` into a temporary prefix, each program
# started by systemd-socket-activate and then by spawn-fcgi, behind an nginx server that holds a
# PHP-FPM site and includes the installed certhall.conf snippet. Uses the MariaDB of the test
# stack in STACK_DIR. Prints "ok - ..." / "not ok - ..." lines (counted by tools/test.sh).
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK_DIR=${1:?usage: dropin-test.sh STACK_DIR}
PROGRAMS=(account review track upload wizard)
T=
PORT=
FAILS=0

ok() { echo "ok - dropin: $*"; }
nok() {
  echo "not ok - dropin: $*"
  FAILS=$((FAILS + 1))
}
check() {
  local what=$1
  shift
  if "$@"; then ok "$what"; else nok "$what"; fi
}

pid_of() { [[ -s $T/run/$1.pid ]] && cat "$T/run/$1.pid"; }

stop_pid() {
  local pid=$1 i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

stop_programs() {
  local name pid
  for name in "${PROGRAMS[@]}"; do
    pid=$(pid_of "$name") && stop_pid "$pid"
    rm -f "$T/run/$name.pid" "$T/run/$name.sock"
  done
}

cleanup() {
  local pid
  [[ -n $T ]] || return 0
  stop_programs
  for pid in nginx php-fpm; do
    pid=$(pid_of "$pid") && stop_pid "$pid"
  done
  if ((FAILS)); then
    echo "# dropin: kept for inspection: $T"
    tail -n 20 "$T"/log/* 2>/dev/null | sed 's/^/# /'
  else
    rm -rf "$T"
  fi
}

http_code() { curl -s -o "$T/body" -w '%{http_code}' --max-time 10 "$@"; }

# ---- the installation ------------------------------------------------------------------------

install_tree() {
  make -s -C "$REPO" --no-print-directory install BUILD="${BUILD:-build}" SAN="${SAN-}" PREFIX="$T/usr" SYSCONFDIR="$T/etc" \
    UNITDIR="$T/lib/systemd/system" RUNDIR="$T/run" STATEDIR="$T/var/lib/certhall" >"$T/log/install.log" 2>&1
}

# The installed example with this stack's database, key and providers set where it leaves them
# commented: what an administrator does after installing.
configure() {
  local conf=$T/etc/certhall/certhall.conf stack=$STACK_DIR/etc/certhall.conf
  cp "$STACK_DIR/etc/pii.key" "$T/etc/certhall/pii.key"
  chmod 0600 "$T/etc/certhall/pii.key"
  mkdir -p "$T/var/lib/certhall/uploads"
  {
    echo
    echo "; Set by the administrator: what the commented keys above left to defaults."
    sed -n '/^\[db\]/,/^$/p; /^\[sms\]/,/^$/p; /^\[mail\]/,/^$/p; /^\[verify\]/,/^$/p; /^\[pay\]/,/^$/p; /^\[courier\]/,/^$/p; /^\[wizard\]/,/^$/p' "$stack"
  } >>"$conf"
}

# Every key of the program's table is in the example, and the example is a valid configuration.
check_example() {
  local conf=$T/etc/certhall/certhall.conf sec key def missing=0
  while read -r sec key def; do
    if ! awk -v s="[$sec]" -v k="$key" '
        $0 == s { in_s = 1; next } /^\[/ { in_s = 0 }
        in_s && $0 ~ "^;?" k " =" { found = 1 } END { exit !found }' "$conf"; then
      echo "# dropin: the example configuration lacks [$sec] $key (default $def)"
      missing=1
    fi
  done < <("$T/usr/bin/certhall-admin" conf-keys)
  ((missing == 0)) && "$T/usr/bin/certhall-track" -t -c "$conf" >/dev/null
}

# The snippet claims only /api/<program>/ prefixes and URIs under them, and internal locations.
check_claims() {
  local f=$T/usr/share/certhall/nginx/certhall.conf bad loc
  bad=$(grep -E '^\s*location\b' "$f" |
    grep -vE '^\s*location \^~ /api/[a-z]+/ \{$' |
    grep -vE '^\s*location = /api/[a-z]+/[a-z/_-]+ \{$' |
    grep -vE '^\s*location (\^~|=) /(uploads-internal|certhall-error)/[0-9]* \{$' |
    grep -vE '^\s*location @[a-z0-9_]+ \{$' || true)
  [[ -z $bad ]] || {
    echo "# dropin: the snippet claims: $bad"
    return 1
  }
  # The non-API ones answer only nginx's own redirects.
  for loc in '\^~ /uploads-internal/' '= /certhall-error/'; do
    grep -A1 -E "location $loc" "$f" | grep -vE '^\s*location|^--$' | grep -qvE '^\s*internal;$' && {
      echo "# dropin: location $loc is not internal"
      return 1
    }
  done
  return 0
}

check_units() {
  local out
  out=$(cd "$T/lib/systemd/system" && systemd-analyze verify --man=no ./*.socket ./*.service ./*.target 2>&1) || true
  # Binaries named by ExecStart= live under the temporary prefix, which verify reads as is.
  [[ -z $out ]] || {
    echo "$out" | sed 's/^/# /'
    return 1
  }
}

# ---- PHP-FPM and nginx -----------------------------------------------------------------------

start_php() {
  local fpm
  fpm=$(compgen -G '/usr/sbin/php-fpm*' | head -n 1) || return 1
  mkdir -p "$T/site"
  printf '%s\n' '<?php header("Content-Type: text/plain"); echo "php-site ", PHP_VERSION, " ", $_SERVER["REQUEST_URI"], "\n";' >"$T/site/index.php"
  cat >"$T/etc/php-fpm.conf" <<EOF
[global]
pid = $T/run/php-fpm.pid
error_log = $T/log/php-fpm.log
daemonize = no

[site]
listen = $T/run/php-fpm.sock
listen.mode = 0666
user = $(id -un)
pm = static
pm.max_children = 2
EOF
  setsid "$fpm" -R -y "$T/etc/php-fpm.conf" </dev/null >>"$T/log/php-fpm.out" 2>&1 &
  wait_for_socket "$T/run/php-fpm.sock"
}

start_nginx() {
  PORT=$("$REPO/tools/stack.sh" free-port)
  cat >"$T/etc/nginx.conf" <<EOF
$( ((EUID == 0)) && echo 'user root;')
daemon off;
worker_processes 1;
pid $T/run/nginx.pid;
error_log $T/log/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    include $T/usr/share/certhall/nginx/certhall-http.conf;
    access_log $T/log/nginx-access.log;
    client_body_temp_path $T/nginx/body;
    fastcgi_temp_path $T/nginx/fastcgi;
    proxy_temp_path $T/nginx/proxy;
    uwsgi_temp_path $T/nginx/uwsgi;
    scgi_temp_path $T/nginx/scgi;

    # A host's PHP site, as Debian's nginx sets one up ...
    server {
        listen 127.0.0.1:$PORT;
        root $T/site;
        index index.php;
        location / {
            try_files \$uri \$uri/ /index.php?\$args;
        }
        location ~ \.php\$ {
            try_files \$uri =404;
            include /etc/nginx/fastcgi.conf;
            fastcgi_pass unix:$T/run/php-fpm.sock;
        }
        location ~* \.(png|jpg|css|js)\$ {
            expires 1d;
        }

        # ... with certhall dropped in.
        include $T/usr/share/certhall/nginx/certhall.conf;
    }
}
EOF
  mkdir -p "$T/nginx"
  nginx -t -q -p "$T/nginx/" -c "$T/etc/nginx.conf" 2>>"$T/log/nginx-error.log" || return 1
  setsid nginx -p "$T/nginx/" -c "$T/etc/nginx.conf" </dev/null >>"$T/log/nginx.out" 2>&1 &
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(http_code "http://127.0.0.1:$PORT/") == 200 ]] && return 0
    sleep 0.1
  done
  return 1
}

wait_for_socket() {
  local i
  for ((i = 0; i < 100; i++)); do
    [[ -S $1 ]] && return 0
    sleep 0.1
  done
  return 1
}

# ---- the programs, the two ways a host starts them -------------------------------------------

start_socket_activated() {
  local name
  for name in "${PROGRAMS[@]}"; do
    # systemd's protocol: the socket is made first and handed over as fd 3 (LISTEN_FDS=1).
    setsid systemd-socket-activate -l "$T/run/$name.sock" \
      "$T/usr/bin/certhall-$name" -c "$T/etc/certhall/certhall.conf" -w 2 \
      </dev/null >>"$T/log/$name.log" 2>&1 &
    echo $! >"$T/run/$name.pid"
    wait_for_socket "$T/run/$name.sock" || return 1
  done
}

start_spawn_fcgi() {
  local name
  for name in "${PROGRAMS[@]}"; do
    # spawn-fcgi binds the socket, hands it over as fd 0 and writes the program's pid.
    spawn-fcgi -s "$T/run/$name.sock" -M 0660 -P "$T/run/$name.pid" -- \
      "$T/usr/bin/certhall-$name" -c "$T/etc/certhall/certhall.conf" -w 2 \
      >>"$T/log/spawn-fcgi.log" 2>&1 || return 1
  done
}

# Every program's health through the snippet, and a real look-up of a demo order.
check_programs() {
  local how=$1 name code no
  for name in "${PROGRAMS[@]}"; do
    code=$(http_code "http://127.0.0.1:$PORT/api/$name/health")
    if [[ $code == 200 ]] && grep -q "\"program\": *\"$name\"" "$T/body" && grep -q '"db": *"ok"' "$T/body"; then
      ok "$how: $name health 200 through the snippet"
    else
      nok "$how: $name health answered $code: $(head -c 200 "$T/body")"
    fi
  done
  no=$(awk 'length($1) == 18 && $1 ~ /^[0-9]+$/ { print $1; exit }' "$STACK_DIR/run/demo.txt")
  code=$(http_code -H 'Content-Type: application/json' \
    --data "{\"order_no\":\"$no\",\"mobile_tail\":\"8000\"}" "http://127.0.0.1:$PORT/api/track/order")
  if [[ $code == 200 ]] && grep -q "\"order_no\": *\"$no\"" "$T/body"; then
    ok "$how: tracking answers demo order $no"
  else
    nok "$how: tracking of $no answered $code: $(head -c 200 "$T/body")"
  fi
  # A certhall URL that looks like PHP goes to certhall, never to the site's php-fpm.
  code=$(http_code "http://127.0.0.1:$PORT/api/track/health.php")
  if [[ $code == 404 ]] && grep -q '"error"' "$T/body" && ! grep -q 'php-site' "$T/body"; then
    ok "$how: /api/track/health.php is certhall's 404, not PHP's"
  else
    nok "$how: /api/track/health.php answered $code: $(head -c 200 "$T/body")"
  fi
}

check_php() {
  local code
  code=$(http_code "http://127.0.0.1:$PORT/")
  [[ $code == 200 ]] && grep -q '^php-site [0-9]' "$T/body" || return 1
  # The site's own pretty URLs and regex locations keep working beside certhall ...
  code=$(http_code "http://127.0.0.1:$PORT/blog/post-1")
  [[ $code == 200 ]] && grep -q '^php-site .* /blog/post-1$' "$T/body"
}

main() {
  T=$(mktemp -d /tmp/certhall-dropin.XXXXXX)
  trap cleanup EXIT
  mkdir -p "$T/log" "$T/run"
  if ! install_tree; then
    nok "make install into $T"
    return 1
  fi
  ok "make install into a temporary prefix"
  configure
  check "the example configuration names every key and passes -t" check_example
  check "the snippet claims only /api/ and internal locations" check_claims
  check "systemd-analyze verify finds nothing in the units" check_units
  if ! start_php || ! start_nginx; then
    nok "php-fpm and nginx with the installed snippet did not start"
    return 1
  fi
  check "the PHP site answers beside certhall" check_php
  if start_socket_activated; then
    check_programs "systemd-socket-activate"
  else
    nok "systemd-socket-activate: a program did not start"
  fi
  stop_programs
  if start_spawn_fcgi; then
    check_programs "spawn-fcgi"
  else
    nok "spawn-fcgi: a program did not start"
  fi
  ((FAILS == 0))
}

main "$@"
