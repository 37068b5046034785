#!/usr/bin/env bash
# After `apt-get install ./certhall_*.deb` on a machine (make fresh-test's root): is everything
# where the package promises, and does it come off again cleanly? Prints "ok - ..." lines.
set -uo pipefail

PROGRAMS=(account review track upload wizard)
UNITS=/lib/systemd/system
FAILS=0

check() {
  local what=$1
  shift
  if "$@" >/tmp/deb-check.out 2>&1; then
    echo "ok - deb: $what"
  else
    echo "not ok - deb: $what"
    sed 's/^/# /' /tmp/deb-check.out | head -n 20
    FAILS=$((FAILS + 1))
  fi
}

installed() { dpkg-query -W -f='${db:Status-Abbrev}' certhall 2>/dev/null | grep -q '^ii'; }

user_ok() {
  local home shell
  getent passwd certhall >/dev/null || return 1
  home=$(getent passwd certhall | cut -d: -f6)
  shell=$(getent passwd certhall | cut -d: -f7)
  [[ $home == /var/lib/certhall && $shell == */nologin ]] && (($(id -u certhall) < 1000))
}

key_ok() {
  local k=/etc/certhall/pii.key
  [[ $(stat -c '%U %a' "$k") == "certhall 600" ]] && grep -qE '^[0-9a-f]{64}$' "$k"
}

programs_ok() {
  local name
  for name in "${PROGRAMS[@]}" admin; do [[ -x /usr/bin/certhall-$name ]] || return 1; done
  # The sandbox (fake third parties) is never installed.
  [[ ! -e /usr/bin/certhall-sandbox ]]
}

data_ok() {
  [[ -s /usr/share/certhall/schema/0001_core.sql || -n $(ls /usr/share/certhall/schema/*.sql) ]] &&
    [[ -s /usr/share/certhall/web/index.html || -n $(ls /usr/share/certhall/web/*.html) ]] &&
    [[ -s /usr/share/certhall/uploads-policy/policy.xml ]] &&
    grep -q 'include /usr/share/certhall/nginx/certhall-fastcgi.conf;' /usr/share/certhall/nginx/certhall.conf &&
    [[ -s /usr/share/certhall/nginx/certhall-http.conf ]] &&
    dpkg-query -W -f='${Conffiles}' certhall | grep -q '/etc/certhall/certhall.conf'
}

uploads_ok() {
  [[ $(stat -c '%U %G %a' /var/lib/certhall/uploads) == "certhall www-data 2750" ]] ||
    [[ $(stat -c '%U %a' /var/lib/certhall/uploads) == "certhall 750" ]]
}

units_ok() {
  local name out
  for name in "${PROGRAMS[@]}"; do
    [[ -f $UNITS/certhall-$name.socket && -f $UNITS/certhall-$name.service ]] || return 1
  done
  [[ -f $UNITS/certhall-outbox.service && -f $UNITS/certhall-courier.service &&
    -f $UNITS/certhall-fin-checks.service && -f $UNITS/certhall-remind.service &&
    -f $UNITS/certhall-escalate.service &&
    -f $UNITS/certhall.target ]] || return 1
  out=$(systemd-analyze verify --man=no "$UNITS"/certhall*.socket "$UNITS"/certhall*.service \
    "$UNITS"/certhall.target 2>&1)
  [[ -z $out ]] || {
    echo "$out"
    return 1
  }
}

# The certhall user reads its configuration and key: what each unit starts the program as.
config_ok() {
  local name
  for name in "${PROGRAMS[@]}"; do
    setpriv --reuid=certhall --regid=certhall --init-groups \
      "/usr/bin/certhall-$name" -t -c /etc/certhall/certhall.conf || return 1
  done
}

# The snippet in a server of nginx's own configuration directory: what a host writes.
nginx_ok() {
  local d
  d=$(mktemp -d)
  cp -R /etc/nginx/. "$d/"
  # sites-enabled holds links into /etc/nginx: replace them, never write through them.
  rm -f "$d"/sites-enabled/*
  cat >"$d/sites-enabled/default" <<'EOF'
include /usr/share/certhall/nginx/certhall-http.conf;
server {
    listen 127.0.0.1:8099;
    root /var/www/html;
    location ~ \.php$ { include snippets/fastcgi-php.conf; fastcgi_pass unix:/run/php/php-fpm.sock; }
    include /usr/share/certhall/nginx/certhall.conf;
}
EOF
  sed -i "s#/etc/nginx/#$d/#g" "$d/nginx.conf"
  nginx -t -q -c "$d/nginx.conf"
  local rc=$?
  rm -rf "$d"
  return $rc
}

purge_ok() {
  apt-get -o DPkg::Lock::Timeout=600 purge -y certhall >/dev/null &&
    [[ ! -e /usr/bin/certhall-track && ! -e $UNITS/certhall-track.socket ]] &&
    # The key holds the only way to read the encrypted PII: purge leaves it to the administrator.
    [[ -e /etc/certhall/pii.key ]]
}

check "the package is installed" installed
check "the certhall system user, home /var/lib/certhall, no login shell" user_ok
check "the PII key made on install: 64 hex, mode 0600, owned by certhall" key_ok
check "the programs and certhall-admin in /usr/bin, no sandbox" programs_ok
check "schema, web, upload policy, nginx snippets in /usr/share/certhall; the config a conffile" data_ok
check "the upload directory belongs to certhall, readable by nginx's group" uploads_ok
check "socket and service units for every program, the outbox, the courier refresh, the financial checks and the target; systemd-analyze verify clean" units_ok
check "every program, as the certhall user, accepts the installed configuration (-t)" config_ok
check "nginx -t with the snippet included in a server" nginx_ok
check "purge removes the programs and units and keeps the key" purge_ok
((FAILS == 0))
