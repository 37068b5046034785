#!/usr/bin/env bash
# The cost of the scan checks of uploads (issue 18), standalone: a throwaway stack, then
# build/tests/bench_scan (tests/bench/bench_scan.c): a 2 MB A4 scan at 300 dpi of a real order's
# application form (its QR, a red seal, scanner noise) uploaded end to end with every check on,
# against convert doing the upload's normalisation in the same run; then each check alone, in
# process. Prints the medians, a/b and the added time per check; writes build/bench/scan.json.
# `make bench-scan` runs it; `make bench` can call it after tools/bench.sh.
# Environment: BENCH_UPLOADS (20) runs of each, BENCH_CONVERT (convert-im6.q16, else convert),
# BENCH_KEEP=1 keeps the stack directory (stopped).
set -euo pipefail
export LC_ALL=C

REPO=$(realpath "$(dirname "${BASH_SOURCE[0]}")/..")
STACK=$REPO/tools/stack.sh
BUILD=${BUILD:-build}
[[ $BUILD == /* ]] || BUILD=$REPO/$BUILD
export CERTHALL_BIN=${CERTHALL_BIN:-$BUILD/bin}
BENCH=$BUILD/tests/bench_scan
CONVERT=${BENCH_CONVERT:-$(command -v convert-im6.q16 || command -v convert || true)}

die() { echo "bench_scan.sh: $*" >&2; exit 1; }
[[ -x $BENCH ]] || die "$BENCH is missing: run make bench-scan"
[[ -x $CONVERT ]] || die "convert not found (make deps installs imagemagick)"

DIR=$(mktemp -d /tmp/certhall-bench-scan.XXXXXX)
down() {
  "$STACK" down "$DIR" >/dev/null 2>&1 || true
  [[ ${BENCH_KEEP:-0} == 1 ]] && echo "stack kept in $DIR" || rm -rf "$DIR"
}
trap down EXIT
PORT=$("$STACK" free-port)
# One applicant registers: the SMS-code limits per address stay as they are.
"$STACK" up "$DIR" --port "$PORT" >"$DIR.log" 2>&1 || { cat "$DIR.log" >&2; rm -f "$DIR.log"; die "the stack did not come up"; }
rm -f "$DIR.log"
mkdir -p "$BUILD/bench"
CERTHALL_URL=http://127.0.0.1:$PORT CERTHALL_STACK=$DIR CERTHALL_CONF=$DIR/etc/certhall.conf \
  CERTHALL_ROOT=$REPO BENCH_CONVERT=$CONVERT "$BENCH" "$BUILD/bench/scan.json"
echo "figures: $BUILD/bench/scan.json"
