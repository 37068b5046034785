#!/usr/bin/env bash
# make install: the programs, their data, an example configuration, nginx snippets and systemd
# units, with this installation's paths written into the files that name them.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
: "${DESTDIR:=}"
: "${PREFIX:=/usr/local}"
: "${BINDIR:=$PREFIX/bin}"
: "${DATADIR:=$PREFIX/share/certhall}"
: "${SYSCONFDIR:=/etc}"
: "${UNITDIR:=/lib/systemd/system}"
: "${RUNDIR:=/run/certhall}"
: "${STATEDIR:=/var/lib/certhall}"
: "${BUILD:=build}"

# The programs a host runs; the sandbox (fake third parties) and the bench's hello never.
PROGRAMS=(account review track upload wizard)

die() {
  echo "install.sh: $*" >&2
  exit 1
}

# Escape a string for the replacement side of a sed s### command.
sed_repl() {
  printf '%s' "$1" | sed -e 's/[\\&#]/\\&/g'
}

# Copy SRC to DEST (mode MODE) with this installation's paths in place of the placeholders and
# of the default paths the sources are written with.
render() {
  local src=$1 dest=$2 mode=$3
  shift 3
  local bin data conf run state
  bin=$(sed_repl "$BINDIR")
  data=$(sed_repl "$DATADIR")
  conf=$(sed_repl "$SYSCONFDIR")
  run=$(sed_repl "$RUNDIR")
  state=$(sed_repl "$STATEDIR")
  mkdir -p "$(dirname "$dest")"
  # The default paths become placeholders first, so that no value is rewritten twice.
  sed -e "s#include certhall-#include @DATADIR@/nginx/certhall-#g" \
    -e "s#/run/certhall/#@RUNDIR@/#g" -e "s#/var/lib/certhall/#@STATEDIR@/#g" \
    -e "s#/usr/share/certhall\\b#@DATADIR@#g" "$@" \
    -e "s#@BINDIR@#$bin#g" -e "s#@DATADIR@#$data#g" -e "s#@SYSCONFDIR@#$conf#g" \
    -e "s#@RUNDIR@#$run#g" -e "s#@STATEDIR@#$state#g" "$src" >"$dest.tmp"
  chmod "$mode" "$dest.tmp"
  mv "$dest.tmp" "$dest"
}

install_programs() {
  local name
  install -d "$DESTDIR$BINDIR"
  for name in "${PROGRAMS[@]}" admin; do
    [[ -x $BUILD/bin/certhall-$name ]] || die "$BUILD/bin/certhall-$name not built: run make first"
    install -m 0755 "$BUILD/bin/certhall-$name" "$DESTDIR$BINDIR/certhall-$name"
  done
}

install_data() {
  local d f
  for d in schema web uploads-policy; do
    while IFS= read -r -d '' f; do
      install -D -m 0644 "$f" "$DESTDIR$DATADIR/$f"
    done < <(find "$d" -type f -print0)
  done
  for f in nginx/*.conf; do
    render "$f" "$DESTDIR$DATADIR/$f" 0644
  done
  install -m 0644 README.md "$DESTDIR$DATADIR/README.md"
}

# The example configuration; an existing one (no DESTDIR: a live system) is never overwritten.
install_config() {
  local dest=$DESTDIR$SYSCONFDIR/certhall/certhall.conf
  install -d -m 0755 "$DESTDIR$SYSCONFDIR/certhall"
  if [[ -z $DESTDIR && -e $dest ]]; then
    render etc/certhall.conf.in "$dest.dist" 0644
    echo "install.sh: $dest exists: the new example is $dest.dist"
  else
    render etc/certhall.conf.in "$dest" 0644
  fi
}

install_units() {
  local name sockets=() writes
  for name in "${PROGRAMS[@]}"; do
    writes=
    # Only the upload program writes, and only its uploads.
    [[ $name == upload ]] && writes="ReadWritePaths=$STATEDIR/uploads"
    render systemd/certhall-program.socket.in "$DESTDIR$UNITDIR/certhall-$name.socket" 0644 \
      -e "s#@NAME@#$name#g"
    render systemd/certhall-program.service.in "$DESTDIR$UNITDIR/certhall-$name.service" 0644 \
      -e "s#@NAME@#$name#g" -e "s#^@WRITES@\$#$(sed_repl "$writes")#"
    sockets+=("certhall-$name.socket")
  done
  render systemd/certhall-outbox.service.in "$DESTDIR$UNITDIR/certhall-outbox.service" 0644
  render systemd/certhall-courier.service.in "$DESTDIR$UNITDIR/certhall-courier.service" 0644
  render systemd/certhall-fin-checks.service.in "$DESTDIR$UNITDIR/certhall-fin-checks.service" 0644
  render systemd/certhall-remind.service.in "$DESTDIR$UNITDIR/certhall-remind.service" 0644
  render systemd/certhall-escalate.service.in "$DESTDIR$UNITDIR/certhall-escalate.service" 0644
  render systemd/certhall.target.in "$DESTDIR$UNITDIR/certhall.target" 0644 \
    -e "s#@SOCKETS@#${sockets[*]}#"
}

main() {
  cd "$REPO"
  install_programs
  install_data
  install_config
  install_units
  echo "install.sh: installed into ${DESTDIR:-/} (prefix $PREFIX)"
}

main "$@"
