#!/usr/bin/env bash
# Runs every fault drill (not the soak) and ends with "drills: N passed, N failed".
#
#   tests/faults/run-drills.sh [BUILD_DIR]      (default build/; `make faults`)
#
# chorusd-kill drives Chromium inside a network namespace (root needed) and serves the GUI from
# CHORUS_GUI_DIR (default core/gui/dist, built by `make gui`); it runs on Postgres + Redis and
# again on SQLite + in-process state.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${1:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
export CHORUSD_BIN=${CHORUSD_BIN:-$BUILD/chorusd}
passed=0 failed=0
run() {
  echo "=== drill: $*"
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}
run "$HERE/redis-kill.sh" "$BUILD"
run "$HERE/postgres-restart.sh" "$BUILD"
run node "$HERE/chorusd-kill.mjs" --backend postgres-redis
run node "$HERE/chorusd-kill.mjs" --backend sqlite
echo "drills: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
