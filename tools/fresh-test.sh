#!/usr/bin/env bash
# make fresh-test: `make test` on a brand-new Debian 12 root, as a new machine would run it.
# mmdebstrap makes a minbase root (plus ca-certificates, make, git), the committed repository is
# cloned into it, `make test` runs inside as root with chroot, then `make deb` and the package
# installed there (tools/deb-check.sh). Everything is torn down, even on failure. The last line
# is the total of both: "N passed, N failed".
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
SUITE=bookworm
BASE=
ROOT=
MOUNTS=()
LOG=

die() {
  echo "fresh-test: $*" >&2
  exit 1
}

log() { echo "fresh-test: $*"; }

# Processes started inside the root (a stack a failed run left behind) go before it does.
kill_inside() {
  local p root
  for p in /proc/[0-9]*; do
    root=$(readlink "$p/root" 2>/dev/null) || continue
    [[ $root == "$ROOT" || $root == "$ROOT"/* ]] && kill -KILL "${p#/proc/}" 2>/dev/null
  done
  return 0
}

teardown() {
  local i
  trap - EXIT INT TERM
  [[ -n $ROOT ]] || return 0
  kill_inside
  sleep 0.5
  for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
    umount "${MOUNTS[i]}" 2>/dev/null || umount -l "${MOUNTS[i]}" 2>/dev/null || true
  done
  # Never delete through a mount that is still there.
  if grep -qF " $ROOT/" /proc/mounts; then
    echo "fresh-test: mounts remain under $ROOT: left in place" >&2
  else
    rm -rf "$BASE"
  fi
}

bind() {
  local what=$1 where=$ROOT$2
  shift 2
  mkdir -p "$where"
  mount "$@" "$what" "$where"
  MOUNTS+=("$where")
}

# The host's own package sources, so that the root gets what this machine would.
sources() {
  local f
  for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
    [[ -s $f ]] && grep -qE '^(deb |URIs:)' "$f" && {
      echo "$f"
      return 0
    }
  done
  echo "http://deb.debian.org/debian"
}

make_root() {
  log "mmdebstrap --variant=minbase $SUITE (+ ca-certificates, make, git)"
  # Snapshot mirrors serve Release files past their Valid-Until date: accept them as the host does.
  mmdebstrap --quiet --variant=minbase --include=ca-certificates,make,git \
    --aptopt='Acquire::Check-Valid-Until "false"' --aptopt='Acquire::Check-Date "false"' \
    "$SUITE" "$ROOT" "$(sources)" >"$BASE/mmdebstrap.log" 2>&1 || {
    tail -n 30 "$BASE/mmdebstrap.log" >&2
    die "mmdebstrap failed"
  }
  cp /etc/hosts /etc/hostname /etc/resolv.conf "$ROOT/etc/"
  # The network's own TLS authorities, as the host trusts them (a workplace whose egress goes
  # through an inspecting proxy adds its CA here): the npm registry the browser tests install
  # from is reached over HTTPS through it. They are the network's, not the project's: a machine
  # without them has none to copy, and the root then trusts Debian's set alone.
  if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
    mkdir -p "$ROOT/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$ROOT/usr/local/share/ca-certificates/"
    chroot "$ROOT" update-ca-certificates >>"$BASE/mmdebstrap.log" 2>&1 ||
      die "update-ca-certificates in the root failed"
  fi
  bind proc /proc -t proc
  bind /sys /sys --bind
  bind /dev /dev --bind
  bind /dev/pts /dev/pts --bind
  mkdir -p "$ROOT/work"
  git clone --quiet "$REPO" "$ROOT/work/certhall"
  # CI lays shared/ beside the project: the root gets it too.
  if [[ -d $REPO/../shared ]]; then cp -R "$REPO/../shared" "$ROOT/work/shared"; fi
}

# Run a command inside the root with a clean environment, as root; its output goes to LOG too.
inside() {
  env -i HOME=/root LANG=C.UTF-8 TERM=dumb CI="${CI-}" NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    chroot "$ROOT" /bin/bash -c "$1" 2>&1 | tee -a "$LOG"
  return "${PIPESTATUS[0]}"
}

main() {
  local t0 t1 t2 t3 rc_test=0 rc_deb=0 line passed=0 failed=0 n0 n1
  ((EUID == 0)) || die "needs root (mmdebstrap, mount, chroot)"
  command -v mmdebstrap >/dev/null || die "mmdebstrap missing: run tools/deps.sh --fresh"
  git -C "$REPO" rev-parse --git-dir >/dev/null 2>&1 || die "$REPO is not a git checkout"
  BASE=$(mktemp -d /var/tmp/certhall-fresh.XXXXXX)
  ROOT=$BASE/root
  LOG=$BASE/run.log
  trap teardown EXIT
  trap 'exit 130' INT TERM
  t0=$SECONDS
  make_root
  n0=$(chroot "$ROOT" dpkg-query -W -f='.\n' | wc -l)
  t1=$SECONDS
  log "root ready in $((t1 - t0)) s ($n0 packages); make test inside"
  inside 'cd /work/certhall && make test' || rc_test=$?
  t2=$SECONDS
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$LOG" | tail -n 1 || true)
  [[ -n $line ]] || line="0 passed, 1 failed"
  passed=${line%% passed*}
  failed=${line#* passed, }
  failed=${failed%% failed*}
  if ((rc_test != 0 && failed == 0)); then failed=1; fi
  log "make test inside: $line (exit $rc_test) in $((t2 - t1)) s"
  : >"$LOG.deb"
  LOG=$LOG.deb
  inside 'cd /work/certhall && make deb && apt-get -o DPkg::Lock::Timeout=600 install -y ./build/deb/certhall_*.deb && tools/deb-check.sh' ||
    rc_deb=$?
  t3=$SECONDS
  passed=$((passed + $(grep -c '^ok ' "$LOG" || true)))
  failed=$((failed + $(grep -c '^not ok ' "$LOG" || true)))
  if ((rc_deb != 0)) && ! grep -q '^not ok ' "$LOG"; then
    echo "not ok - fresh-test: make deb or the package's install failed (exit $rc_deb)"
    failed=$((failed + 1))
  fi
  n1=$(chroot "$ROOT" dpkg-query -W -f='.\n' | wc -l)
  log "package built, installed and checked in $((t3 - t2)) s"
  log "times: root $((t1 - t0)) s, make test $((t2 - t1)) s, package $((t3 - t2)) s, total $((t3 - t0)) s"
  log "packages: $n0 in the new root, $n1 after make test and make deb installed what they need"
  echo "$passed passed, $failed failed"
  ((failed == 0))
}

main "$@"
