#!/usr/bin/env bash
# make deb: build the Debian package from the files git tracks (nothing built or local goes in),
# check it with lintian (errors fail), and leave the .deb in OUTDIR.
set -euo pipefail

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
OUTDIR=${1:?usage: deb.sh OUTDIR}
WORK=

cleanup() {
  [[ -n $WORK ]] && rm -rf "$WORK"
  return 0
}

main() {
  local version src deb
  cd "$REPO"
  version=$(dpkg-parsechangelog -S Version)
  WORK=$(mktemp -d /tmp/certhall-deb.XXXXXX)
  trap cleanup EXIT
  src=$WORK/certhall-$version
  mkdir -p "$src"
  # The tracked tree as it is in the work tree: what a clone would build, with local edits.
  git ls-files -z | (cd "$REPO" && xargs -0 cp --parents -t "$src" --)
  (cd "$src" && dpkg-buildpackage -us -uc -b) >"$WORK/build.log" 2>&1 || {
    tail -n 40 "$WORK/build.log" >&2
    echo "deb.sh: dpkg-buildpackage failed" >&2
    exit 1
  }
  mkdir -p "$OUTDIR"
  rm -f "$OUTDIR"/certhall_*.deb
  for deb in "$WORK"/certhall_*.deb; do
    cp "$deb" "$OUTDIR/"
  done
  deb=$(ls "$OUTDIR"/certhall_*.deb)
  echo "deb.sh: lintian $deb"
  lintian --fail-on error --tag-display-limit 0 "$deb"
  echo "deb.sh: built $deb"
}

main "$@"
