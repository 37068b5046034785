#!/usr/bin/env bash
# Start, stop and run one certhall stack (MariaDB, the FastCGI programs, nginx) in a directory.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
BIN=${CERTHALL_BIN:-$REPO/build/bin}
ME=$(id -un)
SOCK_MAX=107 # sun_path is 108 bytes with the NUL

usage() {
  cat >&2 <<EOF
usage: $0 up DIR [--port N] [--bench] [--outbox] [--galera]
       $0 down DIR
       $0 node-kill DIR N      (a --galera stack: SIGKILL node N)
       $0 node-start DIR N     (a --galera stack: start node N again, wait until it is synced)
       $0 run DIR
       $0 free-port
EOF
  exit 2
}

die() {
  echo "stack.sh: $*" >&2
  exit 1
}

log() { echo "stack.sh: $*"; }

# ---- processes ------------------------------------------------------------------------------

# True while PID exists and is not a zombie (an exited child init has not reaped yet).
running() {
  local stat
  kill -0 "$1" 2>/dev/null || return 1
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# Print the pid in PIDFILE if that process is alive and its command line names EXE
# (a stale pid file, e.g. after a reboot, must not make us signal some other process).
live_pid() {
  local pidfile=$1 exe=$2 pid cmdline
  [[ -r $pidfile ]] || return 1
  read -r pid <"$pidfile" 2>/dev/null || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  running "$pid" || return 1
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$exe"* ]] || return 1
  echo "$pid"
}

# Wait up to SECONDS for PID to exit.
wait_gone() {
  local pid=$1 seconds=$2 i
  for ((i = 0; i < seconds * 10; i++)); do
    running "$pid" || return 0
    sleep 0.1
  done
  return 1
}

# SIGTERM the process in PIDFILE (binary EXE), SIGKILL after SECONDS; remove the pid file.
stop_pidfile() {
  local pidfile=$1 exe=$2 seconds=${3:-10} pid
  if pid=$(live_pid "$pidfile" "$exe"); then
    kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" "$seconds"; then
      log "$exe (pid $pid) did not stop in ${seconds}s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || true
    fi
  fi
  rm -f "$pidfile"
}

tail_log() {
  local f=$1
  [[ -f $f ]] || return 0
  echo "---- last lines of $f" >&2
  tail -n 30 "$f" >&2
}

# ---- paths and checks -----------------------------------------------------------------------

# The program names: every fcgi-apps/ folder with a built binary, plus hello with --bench.
program_names() {
  local bench=$1 d name
  for d in "$REPO"/fcgi-apps/*/; do
    [[ -d $d ]] || continue
    name=$(basename "$d")
    [[ -x $BIN/certhall-$name ]] && echo "$name"
  done
  if ((bench)) && [[ -x $BIN/certhall-hello ]]; then echo hello; fi
  return 0
}

check_socket_paths() {
  local dir=$1 name path
  for name in mysqld hello "$REPO"/fcgi-apps/*/; do
    name=$(basename "$name")
    path=$dir/run/$name.sock
    ((${#path} <= SOCK_MAX)) ||
      die "socket path too long (${#path} > $SOCK_MAX bytes): $path; use a shorter DIR"
  done
}

need_bin() {
  [[ -x $BIN/$1 ]] || die "$BIN/$1 not built: run 'make all' first"
}

# In use by a listener, or as the local end of any connection (a client's ephemeral port on
# 127.0.0.1 blocks nginx's bind as surely as a listener does).
port_taken() {
  ss -Htan "sport = :$1" | grep -q .
}

# Fail early when PORT is in use by anything but this stack's own nginx.
check_port() {
  live_pid "$DIR/run/nginx.pid" nginx >/dev/null && return 0
  if port_taken "$1"; then die "port $1 on 127.0.0.1 is already in use (try --port N)"; fi
}

# ---- MariaDB --------------------------------------------------------------------------------

db_init() {
  [[ -d $DIR/db/mysql ]] && return 0
  log "initialising MariaDB datadir $DIR/db"
  mariadb-install-db --no-defaults --datadir="$DIR/db" --user="$ME" \
    --auth-root-authentication-method=socket --skip-test-db >"$DIR/log/mariadb-install.log" 2>&1 ||
    {
      tail_log "$DIR/log/mariadb-install.log"
      die "mariadb-install-db failed"
    }
}

db_start() {
  live_pid "$DIR/run/mysqld.pid" mariadbd >/dev/null && return 0
  rm -f "$DIR/run/mysqld.pid"
  setsid mariadbd --no-defaults --datadir="$DIR/db" --socket="$DIR/run/mysqld.sock" \
    --skip-networking --pid-file="$DIR/run/mysqld.pid" --log-error="$DIR/log/mariadb.err" \
    --user="$ME" --innodb-buffer-pool-size=256M --innodb-flush-log-at-trx-commit=2 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
    </dev/null >>"$DIR/log/mariadb.out" 2>&1 9>&- &
}

db_wait() {
  local sock=${1:-$DIR/run/mysqld.sock} err=${2:-$DIR/log/mariadb.err} i
  for ((i = 0; i < 120; i++)); do
    mariadb-admin --no-defaults -S "$sock" -u "$ME" ping >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  tail_log "$err"
  die "MariaDB did not answer within 60s ($sock)"
}

# ---- Galera (--galera) ----------------------------------------------------------------------
# Three MariaDB nodes on this machine, one cluster: node 1 keeps the single node's datadir,
# socket and pid file (so every tool that names them reaches node 1); nodes 2 and 3 have
# db2/, db3/, mysqld2.sock, mysqld3.sock. The nodes talk over loopback ports (group
# communication, incremental and full state transfer), kept in run/galera-ports; clients use
# each node's socket. Programs are spread over the nodes (program_node).
GALERA=0
GALERA_NODES=3
GALERA_PROVIDER=${GALERA_PROVIDER:-/usr/lib/galera/libgalera_smm.so}

node_suffix() { (($1 == 1)) || echo "$1"; }
node_sock() { echo "$DIR/run/mysqld$(node_suffix "$1").sock"; }
node_pidfile() { echo "$DIR/run/mysqld$(node_suffix "$1").pid"; }
node_datadir() { echo "$DIR/db$(node_suffix "$1")"; }
node_err() { echo "$DIR/log/mariadb$(node_suffix "$1").err"; }

# run/galera-ports: one line per node, "N GCOMM IST SST", chosen once per stack.
galera_ports() {
  local f=$DIR/run/galera-ports n p used=" " line
  local -a ports
  [[ -s $f ]] && return 0
  for ((n = 1; n <= GALERA_NODES; n++)); do
    line=$n
    for p in 1 2 3; do
      p=$(cmd_free_port)
      while [[ $used == *" $p "* ]]; do p=$(cmd_free_port); done
      used+="$p "
      line+=" $p"
    done
    ports+=("$line")
  done
  printf '%s\n' "${ports[@]}" >"$f.tmp"
  mv "$f.tmp" "$f"
}

# Print field F (2 gcomm, 3 ist, 4 sst) of node N.
galera_port() {
  awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$DIR/run/galera-ports"
}

galera_address() {
  local n a=
  for ((n = 1; n <= GALERA_NODES; n++)); do a+=${a:+,}127.0.0.1:$(galera_port "$n" 2); done
  echo "gcomm://$a"
}

# Start node N (1 with --wsrep-new-cluster when NEW is 1: it founds the cluster).
galera_node_start() {
  local n=$1 new=${2:-0} pidfile sock data
  local -a extra=()
  pidfile=$(node_pidfile "$n")
  sock=$(node_sock "$n")
  data=$(node_datadir "$n")
  live_pid "$pidfile" mariadbd >/dev/null && return 0
  rm -f "$pidfile"
  mkdir -p "$data"
  ((new)) && extra+=(--wsrep-new-cluster)
  # The founder of a cluster that was stopped cleanly may found it again.
  ((new)) && [[ -f $data/grastate.dat ]] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$data/grastate.dat"
  # Each node's options in a file of its own, which the state transfer scripts read too.
  cat >"$DIR/etc/node$n.cnf" <<EOF
[mysqld]
datadir = $data
socket = $sock
pid-file = $pidfile
log-error = $(node_err "$n")
skip-networking
user = $ME
innodb-buffer-pool-size = 128M
innodb-flush-log-at-trx-commit = 2
character-set-server = utf8mb4
collation-server = utf8mb4_unicode_ci
binlog-format = ROW
default-storage-engine = InnoDB
innodb-autoinc-lock-mode = 2
wsrep-on = ON
wsrep-provider = $GALERA_PROVIDER
wsrep-cluster-name = certhall-test
wsrep-cluster-address = $(galera_address)
wsrep-node-name = node$n
wsrep-node-address = 127.0.0.1:$(galera_port "$n" 2)
wsrep-provider-options = "gmcast.listen_addr=tcp://127.0.0.1:$(galera_port "$n" 2);ist.recv_addr=127.0.0.1:$(galera_port "$n" 3);gcache.size=64M;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT4S"
wsrep-sst-method = mariabackup
wsrep-sst-receive-address = 127.0.0.1:$(galera_port "$n" 4)
# Causality across nodes: a read (1), an UPDATE or DELETE (2), an INSERT or REPLACE (4) waits
# until this node has applied what the cluster committed before it began. A program sees what
# another program (or a test) wrote through another node a moment before; with reads alone, an
# UPDATE ... WHERE state = ? could miss a row inserted on another node and change nothing.
wsrep-sync-wait = 7

[sst]
# The transfer's own log files in the datadir, not syslog, and not archived under /tmp.
sst-syslog = -1
sst-log-archive = 0
EOF
  # A node that died (kill -9) does not know where it stopped: recover its position from
  # InnoDB first, so that it catches up by an incremental transfer from a peer's cache (IST)
  # rather than a full copy (SST); what galera_recovery does for the systemd unit.
  local pos
  if ((!new)) && [[ -f $data/ibdata1 && -f $data/grastate.dat ]] &&
    grep -q '^seqno: *-1' "$data/grastate.dat"; then
    pos=$(mariadbd --defaults-file="$DIR/etc/node$n.cnf" --wsrep-recover --log-error="$DIR/log/recover$n.err" \
      </dev/null >/dev/null 2>&1 9>&- || true
    sed -n 's/.*WSREP: Recovered position: *\([0-9a-f-]*:-\{0,1\}[0-9]*\).*/\1/p' "$DIR/log/recover$n.err" | tail -n 1)
    [[ -n $pos ]] && extra+=(--wsrep-start-position="$pos")
  fi
  setsid mariadbd --defaults-file="$DIR/etc/node$n.cnf" "${extra[@]}" \
    </dev/null >>"$DIR/log/mariadb$(node_suffix "$n").out" 2>&1 9>&- &
}

# "Synced" once node N has joined and caught up.
galera_state() {
  mariadb --no-defaults -S "$(node_sock "$1")" -u "$ME" -N -B \
    -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | awk '{ print $2 }'
}

galera_wait_synced() {
  local n=$1 i
  for ((i = 0; i < 240; i++)); do
    [[ $(galera_state "$n") == Synced ]] && return 0
    sleep 0.5
  done
  tail_log "$(node_err "$n")"
  die "Galera node $n was not synced within 120s"
}

galera_start() {
  local n
  galera_ports
  echo "$GALERA_NODES" >"$DIR/run/galera"
  # The first node founds the cluster unless another node is still up.
  local others=0
  for ((n = 2; n <= GALERA_NODES; n++)); do
    live_pid "$(node_pidfile "$n")" mariadbd >/dev/null && others=1
  done
  galera_node_start 1 $((!others))
  db_wait "$(node_sock 1)" "$(node_err 1)"
  galera_wait_synced 1
  for ((n = 2; n <= GALERA_NODES; n++)); do
    galera_node_start "$n"
    galera_wait_synced "$n"
  done
  log "Galera: $GALERA_NODES nodes synced ($(galera_address))"
}

# The node a program's workers use: the programs in turn over the nodes.
program_node() {
  local name=$1 i=0 p
  ((GALERA)) || {
    echo 1
    return 0
  }
  while read -r p; do
    [[ $p == "$name" ]] && break
    i=$((i + 1))
  done < <(program_names 1)
  echo $((i % GALERA_NODES + 1))
}

# The password is created once and kept; the user is (re)aligned with it on every start.
db_password() {
  local f=$DIR/etc/db.password
  if [[ ! -s $f ]]; then
    (
      umask 077
      od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$f.tmp"
    )
    mv "$f.tmp" "$f"
  fi
  chmod 0600 "$f"
  cat "$f"
}

db_setup() {
  local pw
  pw=$(db_password)
  [[ $pw =~ ^[0-9a-f]+$ ]] || die "$DIR/etc/db.password is not hex"
  mariadb --no-defaults -S "$DIR/run/mysqld.sock" -u "$ME" <<SQL
CREATE DATABASE IF NOT EXISTS certhall CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS 'certhall'@'localhost' IDENTIFIED BY '$pw';
ALTER USER 'certhall'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL PRIVILEGES ON certhall.* TO 'certhall'@'localhost';
SQL
}

db_stop_node() {
  local pidfile=$1 sock=$2 pid
  if pid=$(live_pid "$pidfile" mariadbd); then
    mariadb-admin --no-defaults -S "$sock" -u "$ME" shutdown >/dev/null 2>&1 ||
      kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone "$pid" 60; then
      log "mariadbd (pid $pid) did not stop in 60s: SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      wait_gone "$pid" 5 || true
    fi
  fi
  rm -f "$pidfile"
}

db_stop() {
  local n
  # A Galera stack: the last node stopped is node 1, the one that founds the cluster again.
  if [[ -s $DIR/run/galera ]]; then
    GALERA_NODES=$(<"$DIR/run/galera")
    for ((n = GALERA_NODES; n >= 2; n--)); do db_stop_node "$(node_pidfile "$n")" "$(node_sock "$n")"; done
  fi
  db_stop_node "$DIR/run/mysqld.pid" "$DIR/run/mysqld.sock"
}

# ---- configuration and data -----------------------------------------------------------------

# The secrets shared by certhall and the sandbox's third parties: created once, kept.
make_secret() {
  local f=$DIR/etc/$1.secret
  if [[ ! -s $f ]]; then
    (
      umask 077
      od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$f.tmp"
    )
    mv "$f.tmp" "$f"
  fi
  chmod 0600 "$f"
}

write_conf() {
  local bench=$1 port=$2 workers=4 rate=${CERTHALL_RATE_LIMIT:-30} factor=required
  local name trusted="" code_trusted=${CERTHALL_CODE_PER_IP_HOUR:-3000}
  local verify_trusted=${CERTHALL_VERIFY_PER_IP_HOUR:-${CERTHALL_CODE_PER_IP_HOUR:-3000}}
  # Tests ask for codes and start checks from 127.0.0.1 by the hundred: when they raise the
  # limits, 127.0.0.1 becomes a trusted network with that backstop, and every other address
  # keeps the defaults (tests/api/test_limits.c's office and sprayer come from 127.0.0.x).
  if [[ -n ${CERTHALL_CODE_PER_IP_HOUR:-}${CERTHALL_VERIFY_PER_IP_HOUR:-} ]]; then
    trusted=127.0.0.1/32
  fi
  for name in sms sms2 verify pay courier; do make_secret "$name"; done
  if ((bench)); then
    # One worker a core (BENCH_WORKERS overrides): the look-up answers from memory, and a
    # worker more than the cores only waits for one (tools/bench.sh's worker table shows it).
    workers=${BENCH_WORKERS:-$(nproc)}
    rate=100000000
    factor=off # tools/bench.sh times the queue as staff logged in with a password
  fi
  cat >"$DIR/etc/certhall.conf.tmp" <<EOF
; certhall.conf for the stack in $DIR, written by tools/stack.sh on every start.

[server]
node_id = 1
workers = $workers
max_requests = 10000
socket_dir = $DIR/run
socket_mode = 0666
log_level = info

[db]
socket = $DIR/run/mysqld.sock
name = certhall
user = certhall
password_file = $DIR/etc/db.password

[paths]
key_file = $DIR/etc/pii.key
schema_dir = $REPO/schema
web_root = $REPO/web
upload_dir = $DIR/uploads
policy_dir = $REPO/uploads-policy

[limits]
json_body_max = 65536
trusted_networks = $trusted
time_zone = Asia/Shanghai

[track]
rate_limit = $rate
rate_window = 60
cache_check = ${CERTHALL_TRACK_CACHE_CHECK:-0}

[staff]
second_factor = $factor

; Tests register hundreds of accounts from 127.0.0.1: its backstop is theirs (above).
[sms_code]
per_trusted_hour = $code_trusted

; Messages go to the sandbox gateway of this stack (fcgi-apps/sandbox): GET /sandbox/messages.
[sms]
provider = webhook
endpoint = http://127.0.0.1:$port/sandbox/sms
secret_file = $DIR/etc/sms.secret
timeout_ms = 2000

; The next SMS provider: the sandbox's second gateway (its own failure controls).
[sms2]
provider = webhook
endpoint = http://127.0.0.1:$port/sandbox/sms2
secret_file = $DIR/etc/sms2.secret
timeout_ms = 2000

[mail]
provider = webhook
endpoint = http://127.0.0.1:$port/sandbox/mail
password_file = $DIR/etc/sms.secret
timeout_ms = 2000

[sandbox]
timeout_sleep_ms = 3000
ca_dir = $DIR/ca

[wizard]
draft_ttl_hours = 720
public_url = http://127.0.0.1:$port

; Identity checks, payments and couriers: the sandbox of this stack stands in for them.
[verify]
endpoint = http://127.0.0.1:$port/sandbox/verify
secret_file = $DIR/etc/verify.secret
timeout_ms = 3000
; Tests start checks from 127.0.0.1 as well: what raises the code backstop raises this one.
per_trusted_hour = $verify_trusted

[pay]
endpoint = http://127.0.0.1:$port/sandbox/pay
secret_file = $DIR/etc/pay.secret
notify_url = http://127.0.0.1:$port/api/wizard/pay/notify
timeout_ms = 3000

[courier]
endpoint = http://127.0.0.1:$port/sandbox/courier
secret_file = $DIR/etc/courier.secret
timeout_ms = 3000

; The CA: the sandbox's EJBCA REST subset behind the mutual-TLS server of nginx/dev-ca.conf.in;
; the hall presents tls/ra.pem, and trusts the server certificate of the stack's test CA.
[ca]
endpoint = https://127.0.0.1:$(ca_port "$port")/ejbca/ejbca-rest-api
cert_file = $DIR/tls/ra.pem
key_file = $DIR/tls/ra.key
ca_file = $DIR/tls/staff-ca.pem
timeout_ms = 5000
; Certificate login: the sandbox's issuing CAs, and the sandbox token as the key helper.
trust_file = $DIR/ca/trust.pem
token_helper = /sandbox/token
EOF
  mv "$DIR/etc/certhall.conf.tmp" "$DIR/etc/certhall.conf"
  ((GALERA)) || return 0
  # Node N's programs: the same file with node N's socket and node id N (order numbers).
  local n
  for ((n = 2; n <= GALERA_NODES; n++)); do
    sed -e "s#^socket = $DIR/run/mysqld.sock\$#socket = $(node_sock "$n")#" \
      -e "s/^node_id = 1\$/node_id = $n/" "$DIR/etc/certhall.conf" >"$DIR/etc/certhall-node$n.conf.tmp"
    mv "$DIR/etc/certhall-node$n.conf.tmp" "$DIR/etc/certhall-node$n.conf"
  done
}

# The configuration file of node N's programs.
node_conf() {
  if (($1 == 1)); then echo "$DIR/etc/certhall.conf"; else echo "$DIR/etc/certhall-node$1.conf"; fi
}

admin() {
  "$BIN/certhall-admin" -c "$DIR/etc/certhall.conf" "$@"
}

data_setup() {
  local port=$1 pw
  if [[ ! -s $DIR/etc/pii.key ]]; then
    "$BIN/certhall-admin" keygen "$DIR/etc/pii.key" || die "certhall-admin keygen failed"
  fi
  admin migrate || die "certhall-admin migrate failed"
  admin seed >"$DIR/run/demo.txt" || die "certhall-admin seed failed"
  # The first admin: a random password made once, kept beside the other secrets.
  if [[ ! -s $DIR/etc/admin.password ]]; then
    pw="Adm$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')7"
    (umask 077 && printf '%s\n' "$pw" >"$DIR/etc/admin.password")
    admin staff add admin admin --name 管理员 --password-file "$DIR/etc/admin.password" >/dev/null ||
      die "certhall-admin staff add admin failed"
  fi
  {
    echo "Apply and follow your orders: http://127.0.0.1:$port/login.html, then apply.html, orders.html, certs.html"
    echo "Staff console: http://127.0.0.1:$port/staff.html"
    echo "Admin login (staff): admin / $(head -n 1 "$DIR/etc/admin.password")"
    echo "SMS codes without a phone: http://127.0.0.1:$port/sandbox/messages?to=13800138000"
    echo "Sandbox pages (a person's side of the third parties):"
    echo "  face check: the face link (SMS or QR) opens the sandbox camera, pass or fail"
    echo "  0.01 transfer memo: http://127.0.0.1:$port/sandbox/ui/bank.html?account_no=<the account>"
    echo "  WeChat/Alipay: http://127.0.0.1:$port/sandbox/ui/phone.html?pay_no=<支付流水号 on the payment page>"
    echo "Staff need a second factor: after the password, staff.html shows a QR code for an"
    echo "  authenticator app; without a phone, run: oathtool --totp -b <the secret shown under it>"
    echo "  Or a client certificate: https://127.0.0.1:$(tls_port "$port")/staff.html with"
    echo "  $DIR/tls/staff1.p12 (password certhall) imported; bind it once with the button there"
  } >>"$DIR/run/demo.txt"
}

# The background passes of make run: the outbox runner retries what the post-response send
# could not deliver; the courier pass keeps the waybills' states fresh (no look-up asks); the
# fin-checks pass sends 001's 0.01 transfers and asks whether the sandbox bank credited them;
# the remind pass writes the certificates' expiry reminders (90, 30, 7 days) into the outbox;
# the escalate pass mails the hall's admins about orders past its review promise.
outbox_start() {
  local cmd
  for cmd in outbox courier fin-checks remind escalate; do
    live_pid "$DIR/run/$cmd.pid" "certhall-admin" >/dev/null && continue
    setsid "$BIN/certhall-admin" -c "$DIR/etc/certhall.conf" "$cmd" --daemon \
      </dev/null >>"$DIR/log/$cmd.log" 2>&1 9>&- &
    echo $! >"$DIR/run/$cmd.pid"
  done
}

# ---- FastCGI programs -----------------------------------------------------------------------

program_start() {
  local name=$1 sock=$DIR/run/$1.sock i conf
  local -a opts=()
  conf=$(node_conf "$(program_node "$name")")
  # The sandbox sleeps to simulate timeouts: enough workers that a sleeping one blocks nobody.
  case $name in sandbox) opts=(-w 8) ;; esac
  live_pid "$DIR/run/$name.pid" "certhall-$name" >/dev/null && return 0
  rm -f "$sock" "$DIR/run/$name.pid"
  setsid "$BIN/certhall-$name" -c "$conf" "${opts[@]}" \
    </dev/null >>"$DIR/log/$name.log" 2>&1 9>&- &
  echo $! >"$DIR/run/$name.pid"
  for ((i = 0; i < 100; i++)); do
    [[ -S $sock ]] && return 0
    running "$(<"$DIR/run/$name.pid")" || break
    sleep 0.1
  done
  tail_log "$DIR/log/$name.log"
  die "certhall-$name did not come up: it exited, or no $sock after 10s"
}

programs_stop() {
  local pidfile name
  for pidfile in "$DIR"/run/*.pid; do
    [[ -e $pidfile ]] || continue
    name=$(basename "$pidfile" .pid)
    case $name in mysqld | nginx) continue ;; esac
    if [[ $name == outbox || $name == courier || $name == fin-checks || $name == remind || $name == escalate ]]; then
      stop_pidfile "$pidfile" certhall-admin 10
      continue
    fi
    stop_pidfile "$pidfile" "certhall-$name" 10
    rm -f "$DIR/run/$name.sock"
  done
}

# ---- nginx ----------------------------------------------------------------------------------

# Escape a string for the replacement side of a sed s### command.
sed_repl() {
  printf '%s' "$1" | sed -e 's/[\\&#]/\\&/g'
}

# A port of this stack kept across restarts in run/NAME-port: PREFERRED beside make run's 8080
# when free, else a free one; never the main port MAIN nor another kept port.
kept_port() {
  local name=$1 main=$2 preferred=$3 f=$DIR/run/$1-port p other f2
  if [[ -s $f ]] && read -r p <"$f" && [[ $p =~ ^[0-9]+$ ]] &&
    { live_pid "$DIR/run/nginx.pid" nginx >/dev/null || ! port_taken "$p"; }; then
    echo "$p"
    return 0
  fi
  if [[ $main == 8080 ]] && ! port_taken "$preferred"; then p=$preferred; else p=$(cmd_free_port); fi
  # Nothing is bound yet at this point: never hand a port out twice.
  while :; do
    other=0
    [[ $p == "$main" ]] && other=1
    for f2 in "$DIR"/run/*-port; do
      [[ -s $f2 && $f2 != "$f" && $(<"$f2") == "$p" ]] && other=1
    done
    ((other)) || break
    p=$(cmd_free_port)
  done
  echo "$p" >"$f"
  echo "$p"
}

# The TLS server's port (staff client certificates), and the sandbox CA's mutual-TLS port.
tls_port() { kept_port tls "$1" 8443; }
ca_port() { kept_port ca "$1" 8444; }

# A throwaway staff CA, a server certificate, staff client certificates (staff1, staff2) and
# one of another CA (stranger), made once per stack with the openssl command line.
tls_setup() {
  local t=$DIR/tls name ca
  [[ -s $t/stranger.pem ]] && return 0
  mkdir -p "$t"
  (
    umask 077
    cd "$t"
    for ca in staff-ca other-ca; do
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
        -keyout "$ca.key" -out "$ca.pem" -subj "/CN=certhall test $ca" 2>/dev/null
    done
    for name in server staff1 staff2 stranger; do
      ca=staff-ca
      [[ $name == stranger ]] && ca=other-ca
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$name.key" \
        -subj "/CN=$name" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null |
        openssl x509 -req -CA "$ca.pem" -CAkey "$ca.key" -CAcreateserial -days 3650 \
          -copy_extensions copy -out "$name.pem" 2>/dev/null
    done
    # For a browser's certificate store (password: certhall).
    openssl pkcs12 -export -in staff1.pem -inkey staff1.key -out staff1.p12 -passout pass:certhall
  ) || die "making the test certificates in $t failed"
  chmod 0644 "$t"/*.pem
}

# The sandbox CA (fcgi-apps/sandbox/ca.c): for each key kind (rsa: RSA-2048 with SHA-256;
# sm2: SM2 with SM3) a root and an issuing CA under it, made once per stack with the openssl
# command line and kept in the stack's directory (never in the tree). And the hall's client
# certificate for the CA's REST API (mutual TLS, as EJBCA authenticates RA clients), from a CA
# of its own, so that no staff certificate can reach the CA.
ca_setup() {
  local c=$DIR/ca kind
  # The issuing CAs whose certificates may log in ([ca] trust_file), for a stack made before.
  if [[ -s $c/sm2/ca.pem && -s $DIR/tls/ra.pem ]]; then
    [[ -s $c/trust.pem ]] || cat "$c/rsa/ca.pem" "$c/sm2/ca.pem" >"$c/trust.pem"
    return 0
  fi
  mkdir -p "$c/rsa" "$c/sm2" "$DIR/tls"
  (
    umask 077
    for kind in rsa sm2; do
      cd "$c/$kind"
      local -a gen=(-algorithm RSA -pkeyopt rsa_keygen_bits:2048) md=(-sha256)
      local name=RSA
      # SM2 signatures cover GM/T 0009's default identifier, as Chinese CAs sign; OpenSSL 3.0
      # uses an empty identifier unless told (shared/crypto/cert.h, CERT_SM2_ID).
      if [[ $kind == sm2 ]]; then
        gen=(-algorithm SM2)
        md=(-sm3 -sigopt distid:1234567812345678)
        name=SM2
      fi
      openssl genpkey "${gen[@]}" -out root.key 2>/dev/null
      openssl req -x509 -new -key root.key "${md[@]}" -days 7300 -set_serial 1 \
        -subj "/C=CN/O=certhall sandbox/CN=certhall Sandbox $name Root CA" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -out root.pem 2>/dev/null
      openssl genpkey "${gen[@]}" -out ca.key 2>/dev/null
      openssl req -new -key ca.key "${md[0]}" \
        -subj "/C=CN/O=certhall sandbox/CN=certhall Sandbox $name Issuing CA" -out ca.csr 2>/dev/null
      printf '%s\n' "basicConstraints=critical,CA:TRUE,pathlen:0" "keyUsage=critical,keyCertSign,cRLSign" \
        "subjectKeyIdentifier=hash" "authorityKeyIdentifier=keyid" >ca.ext
      openssl x509 -req -in ca.csr -CA root.pem -CAkey root.key "${md[@]}" -days 3650 -set_serial 2 \
        -extfile ca.ext -out ca.pem 2>/dev/null
      cat ca.pem root.pem >chain.pem
      rm -f ca.csr ca.ext
    done
    cd "$DIR/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
      -keyout ra-ca.key -out ra-ca.pem -subj "/CN=certhall test RA client CA" 2>/dev/null
    openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ra.key \
      -subj "/CN=certhall RA client" 2>/dev/null |
      openssl x509 -req -CA ra-ca.pem -CAkey ra-ca.key -CAcreateserial -days 3650 -out ra.pem 2>/dev/null
  ) || die "making the sandbox CA in $c failed"
  cat "$c/rsa/ca.pem" "$c/sm2/ca.pem" >"$c/trust.pem"
  chmod 0644 "$c"/*/*.pem "$c/trust.pem" "$DIR/tls/ra.pem" "$DIR/tls/ra-ca.pem"
  [[ -s $c/sm2/ca.pem && -s $c/rsa/chain.pem && -s $DIR/tls/ra.pem ]] ||
    die "making the sandbox CA in $c failed"
}

nginx_render() {
  local port=$1 d r
  d=$(sed_repl "$DIR")
  r=$(sed_repl "$REPO")
  local f
  for f in certhall:certhall-nginx certhall-portal:certhall-portal; do
    sed -e "s#/run/certhall/#$d/run/#g" -e "s#/var/lib/certhall/uploads/#$d/uploads/#g" \
      -e "s#/usr/share/certhall/web#$r/web#g" "$REPO/nginx/${f%%:*}.conf" >"$DIR/etc/${f#*:}.conf"
  done
  cp "$REPO/nginx/certhall-fastcgi.conf" "$DIR/etc/certhall-fastcgi.conf"
  sed -e 's/\$binary_remote_addr/$certhall_client/' "$REPO/nginx/certhall-http.conf" >"$DIR/etc/certhall-http.conf"
  {
    if ((EUID == 0)); then echo 'user root; # workers must reach the sockets under the work tree'; fi
    sed -e "s#@PORT@#$port#g" -e "s#@DIR@#$d#g" -e "s#@REPO@#$r#g" "$REPO/nginx/dev.conf.in"
  } >"$DIR/etc/nginx.conf"
  tls_setup
  sed -e "s#@TLS_PORT@#$(tls_port "$port")#g" -e "s#@DIR@#$d#g" "$REPO/nginx/dev-tls.conf.in" \
    >"$DIR/etc/nginx-tls.conf"
  sed -e "s#@CA_PORT@#$(ca_port "$port")#g" -e "s#@DIR@#$d#g" "$REPO/nginx/dev-ca.conf.in" \
    >"$DIR/etc/nginx-ca.conf"
}

nginx_start() {
  local port=$1 pid
  local -a args=(-p "$DIR/nginx/" -c "$DIR/etc/nginx.conf" -e "$DIR/log/nginx-error.log")
  nginx -t -q "${args[@]}" || die "nginx configuration test failed ($DIR/etc/nginx.conf)"
  if pid=$(live_pid "$DIR/run/nginx.pid" nginx); then
    kill -HUP "$pid" # already running: reload the fresh configuration
    return 0
  fi
  rm -f "$DIR/run/nginx.pid"
  check_port "$port"
  setsid nginx "${args[@]}" </dev/null >>"$DIR/log/nginx.out" 2>&1 9>&- &
}

nginx_wait() {
  local port=$1 i
  for ((i = 0; i < 100; i++)); do
    curl -fsS --max-time 1 "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail_log "$DIR/log/nginx-error.log"
  die "nginx did not answer http://127.0.0.1:$port/healthz within 10s"
}

# ---- subcommands ----------------------------------------------------------------------------

# Set DIR to the absolute stack directory (created) and hold its lock (fd 9, closed for daemons).
enter_dir() {
  [[ -n ${1-} ]] || usage
  mkdir -p "$1"
  DIR=$(realpath "$1")
  mkdir -p "$DIR"/{etc,db,run,log,nginx,uploads}
  exec 9>"$DIR/run/stack.lock"
  flock 9
}

cmd_up() {
  local port=8080 bench=0 outbox=0 name
  enter_dir "${1-}"
  shift
  while (($#)); do
    case $1 in
      --port)
        (($# >= 2)) || usage
        port=$2
        shift 2
        ;;
      --bench)
        bench=1
        shift
        ;;
      --outbox)
        outbox=1
        shift
        ;;
      --galera)
        GALERA=1
        shift
        ;;
      *) usage ;;
    esac
  done
  if [[ ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then die "bad port: $port"; fi
  check_socket_paths "$DIR"
  check_port "$port"
  need_bin certhall-admin
  db_init
  if ((GALERA)); then
    galera_start
  else
    db_start
    db_wait
  fi
  db_setup
  write_conf "$bench" "$port"
  data_setup "$port"
  ca_setup
  : >"$DIR/run/programs"
  while read -r name; do
    program_start "$name"
    echo "$name $(program_node "$name")" >>"$DIR/run/programs"
  done < <(program_names "$bench")
  ((GALERA)) && log "Galera: programs on nodes: $(tr '\n' ' ' <"$DIR/run/programs")"
  ((outbox)) && outbox_start
  nginx_render "$port"
  nginx_start "$port"
  nginx_wait "$port"
  log "up: http://127.0.0.1:$port/ (stack in $DIR)"
}

cmd_down() {
  [[ -n ${1-} ]] || usage
  if [[ ! -d $1/run ]]; then
    log "nothing to stop in $1"
    return 0
  fi
  enter_dir "$1"
  stop_pidfile "$DIR/run/nginx.pid" nginx 10
  programs_stop
  db_stop
  log "down: $DIR"
}

banner() {
  cat <<EOF

================================================================
 certhall is running: http://127.0.0.1:8080/
 Stack directory: $DIR
$(sed 's/^/ /' "$DIR/run/demo.txt" 2>/dev/null)

 Stop with Ctrl-C or \`make stop\`
================================================================
EOF
}

cmd_run() {
  [[ -n ${1-} ]] || usage
  mkdir -p "$1"
  DIR=$(realpath "$1")
  trap '"$0" down "$DIR"; exit 1' ERR
  "$0" up "$DIR" --port 8080 --outbox
  trap - ERR
  trap '"$0" down "$DIR"; exit 0' INT TERM
  banner
  # Stay in the foreground until Ctrl-C, or until `make stop` takes nginx away.
  while live_pid "$DIR/run/nginx.pid" nginx >/dev/null; do
    sleep 1 &
    wait $! || true
  done
  "$0" down "$DIR"
}

galera_enter() {
  [[ -n ${1-} && -s $1/run/galera ]] || die "$1 is not a --galera stack"
  [[ ${2-} =~ ^[1-9]$ ]] || usage
  enter_dir "$1"
  GALERA=1
  GALERA_NODES=$(<"$DIR/run/galera")
  (($2 <= GALERA_NODES)) || die "no node $2"
}

cmd_node_kill() {
  local pid
  galera_enter "$@"
  pid=$(live_pid "$(node_pidfile "$2")" mariadbd) || die "node $2 is not running"
  kill -KILL "$pid"
  wait_gone "$pid" 10 || die "node $2 (pid $pid) did not die"
  rm -f "$(node_pidfile "$2")"
  log "node $2 killed (pid $pid)"
}

cmd_node_start() {
  galera_enter "$@"
  galera_node_start "$2"
  galera_wait_synced "$2"
  log "node $2 synced"
}

cmd_free_port() {
  local i port
  for ((i = 0; i < 200; i++)); do
    port=$((20000 + RANDOM % 12768)) # below Linux's ephemeral ports (32768-60999)
    port_taken "$port" || {
      echo "$port"
      return 0
    }
  done
  die "no free port found in 20000-32767"
}

main() {
  local cmd=${1-}
  (($#)) && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    run) cmd_run "$@" ;;
    node-kill) cmd_node_kill "$@" ;;
    node-start) cmd_node_start "$@" ;;
    free-port) cmd_free_port ;;
    *) usage ;;
  esac
}

main "$@"
