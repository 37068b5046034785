#!/usr/bin/env bash
# Install the Debian 12 packages certhall needs to build, run and test (and, with --deb,
# --fresh or --galera, to build its package, a brand-new root or a local Galera cluster); a
# fast no-op when all are present.
set -euo pipefail

PACKAGES=(
  build-essential pkg-config clang
  libfcgi-dev libmariadb-dev libssl-dev libcurl4-openssl-dev libmagic-dev
  libmagickwand-6.q16-dev libjansson-dev libinih-dev libcmocka-dev libqrencode-dev
  mariadb-server-core mariadb-client nginx-light
  wrk curl ca-certificates imagemagick procps iproute2 util-linux
  systemd spawn-fcgi php8.2-fpm php8.2-mysql php8.2-opcache
  zlib1g-dev libzbar-dev liboath-dev oathtool tzdata
  chromium fonts-wqy-microhei
)
# The browser tests (tests/browser) also need Debian's nodejs and npm, asked for only where no
# node or npm command is on PATH (missing_packages): NodeSource's nodejs provides and conflicts
# with Debian's npm, so a machine that has it must not be asked for Debian's. The CJK font makes
# the failure screenshots readable.
# make deb: debhelper's dh, dpkg-buildpackage, lintian.
DEB_PACKAGES=(debhelper dpkg-dev fakeroot lintian)
# make fresh-test: a brand-new Debian root.
FRESH_PACKAGES=(mmdebstrap)
# make test-galera: three local Galera nodes. galera-4 is the replication library; mariadb-server
# brings the state transfer scripts (wsrep_sst_mariabackup), mariadb-backup and socat run them.
GALERA_PACKAGES=(galera-4 mariadb-server mariadb-backup socat)
POLICY=/usr/sbin/policy-rc.d

usage() {
  echo "usage: $0 [--deb|--fresh|--galera] [--dry-run]   (--dry-run: print what would be installed)" >&2
  exit 2
}

# Print the packages of PACKAGES that dpkg does not report as installed ("ii").
missing_packages() {
  local installed
  installed=$(dpkg-query -W -f='${Package} ${db:Status-Abbrev}\n' "${PACKAGES[@]}" 2>/dev/null \
    | awk '$2 == "ii" { sub(/:.*/, "", $1); print $1 }' || true)
  local p
  for p in "${PACKAGES[@]}"; do
    grep -qxF -- "$p" <<<"$installed" || echo "$p"
  done
  ((NODE)) || return 0
  command -v node >/dev/null 2>&1 || echo nodejs
  command -v npm >/dev/null 2>&1 || echo npm
}

# Re-run this script as root through sudo, or fail clearly.
become_root() {
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -- "$0" "$@"
  fi
  echo "deps.sh: missing packages need root: run as root or install sudo" >&2
  exit 1
}

# Keep package scripts from starting services; remove our policy file on exit.
block_services() {
  [[ -e $POLICY ]] && return 0
  printf '#!/bin/sh\n# certhall deps.sh: no service starts during install\nexit 101\n' >"$POLICY"
  chmod 0755 "$POLICY"
  trap 'rm -f "$POLICY"' EXIT
}

install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  block_services
  # Several checkouts may run deps.sh at once: wait for the dpkg lock instead of failing.
  apt-get -o DPkg::Lock::Timeout=600 update
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "$@"
}

NODE=1

main() {
  local dry=0 args=("$@")
  while (($#)); do
    case $1 in
      --dry-run) dry=1 ;;
      --deb) PACKAGES=("${DEB_PACKAGES[@]}"); NODE=0 ;;
      --fresh) PACKAGES=("${FRESH_PACKAGES[@]}"); NODE=0 ;;
      --galera) PACKAGES=("${GALERA_PACKAGES[@]}"); NODE=0 ;;
      *) usage ;;
    esac
    shift
  done
  local -a missing
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]} == 0)) && return 0
  echo "deps.sh: installing: ${missing[*]}"
  if ((dry)); then
    echo "deps.sh: dry run: would run apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    return 0
  fi
  ((EUID == 0)) || become_root "${args[@]}"
  install_packages "${missing[@]}"
}

main "$@"
