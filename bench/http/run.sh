#!/usr/bin/env bash
# HTTP benchmark (issue 2): wrk against GET /api/streams (with a session cookie) and
# POST /api/auth/login, on SQLite and on Postgres, each run bounded (default 10 s, 2 threads,
# 32 connections). Starts its own chorusd (and Postgres, unless CHORUS_TEST_POSTGRES_URL is set)
# on loopback in a temp dir and stops them on exit. Prints wrk's output and a summary table.
#
#   bench/http/run.sh                      # both backends
#   BENCH_BACKENDS=sqlite bench/http/run.sh
#   env: CHORUS_BIN (default build/chorusd), BENCH_DURATION (10s), BENCH_THREADS (2),
#        BENCH_CONNECTIONS (32), BENCH_LOG_LEVEL (info: one access-log line per request, as shipped)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
. scripts/test-servers

BIN="${CHORUS_BIN:-build/chorusd}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
DURATION="${BENCH_DURATION:-10s}"
THREADS="${BENCH_THREADS:-2}"
CONNS="${BENCH_CONNECTIONS:-32}"
LOG_LEVEL="${BENCH_LOG_LEVEL:-info}"
BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
START_TIMEOUT_S=20
STOP_TIMEOUT_S=10

[ -x "$BIN" ] || { echo "chorusd not found at $BIN (make build, or set CHORUS_BIN)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/chorus-bench-http.XXXXXX)
chmod 755 "$TMP"
CHORUS_PID=""
OWN_PG=""
stop_chorusd() {
  [ -n "$CHORUS_PID" ] || return 0
  kill -TERM "$CHORUS_PID" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT_S))
  while kill -0 "$CHORUS_PID" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then kill -KILL "$CHORUS_PID" 2>/dev/null || true; break; fi
    sleep 0.1
  done
  wait "$CHORUS_PID" 2>/dev/null || true
  CHORUS_PID=""
}
cleanup() {
  stop_chorusd
  [ -n "$OWN_PG" ] && pg_stop "$TMP/pg" >/dev/null 2>&1
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# start_chorusd NAME DATABASE_URL: starts chorusd in $TMP/NAME, sets PORT and CHORUS_PID.
start_chorusd() {
  local name=$1 db_url=$2 dir="$TMP/$1"
  mkdir -p "$dir/logs"
  PORT=$(free_port)
  CHORUS_BOOTSTRAP_ADMIN=admin:adminpass123 CHORUS_ENV_FILE=/dev/null "$BIN" \
    --listen "127.0.0.1:$PORT" --data-dir "$dir" --log-dir "$dir/logs" --gui-dir "$ROOT/core/gui/dist" \
    --database-url "$db_url" --rtc-udp-port "$(free_port)" --rtc-bind 127.0.0.1 \
    --log-level "$LOG_LEVEL" \
    >"$dir/logs/console.log" 2>&1 &
  CHORUS_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    if ! kill -0 "$CHORUS_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "chorusd ($name) did not come up; log:" >&2; tail -20 "$dir/logs/console.log" >&2; return 1
    fi
    sleep 0.1
  done
}

# wrk_run LABEL ARGS...: runs wrk, keeps its output in $TMP/LABEL.wrk, fails on non-2xx answers.
wrk_run() {
  local label=$1; shift
  echo "--- $label: wrk -t$THREADS -c$CONNS -d$DURATION --timeout 10s --latency $*"
  wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --timeout 10s --latency "$@" | tee "$TMP/$label.wrk"
  if grep -q 'Non-2xx or 3xx responses' "$TMP/$label.wrk"; then
    echo "$label: some answers were not 2xx" >&2; return 1
  fi
}

# summary LABEL: prints "label | requests | req/s | p50 | p99 | socket errors" from wrk --latency.
summary() {
  local f="$TMP/$1.wrk"
  local n rps p50 p99 errs
  n=$(awk '/ requests in / {print $1}' "$f")
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$f")
  p50=$(awk '$1 == "50%" {print $2}' "$f")
  p99=$(awk '$1 == "99%" {print $2}' "$f")
  errs=$(sed -n 's/^ *Socket errors: //p' "$f")
  printf '| %-18s | %8s | %10s | %8s | %8s | %s |\n' "$1" "$n" "$rps" "$p50" "$p99" "${errs:-none}"
}

labels=()
for backend in $BACKENDS; do
  case "$backend" in
    sqlite) db_url="sqlite:$TMP/sqlite/chorus.db" ;;
    postgres)
      if [ -z "${CHORUS_TEST_POSTGRES_URL:-}" ]; then
        pg_start "$TMP/pg" "$(free_port)" >/dev/null || exit 1
        OWN_PG=1
      fi
      db_url="$CHORUS_TEST_POSTGRES_URL"
      db_url="${db_url%/*}/chorus_bench_$$"
      psql "${db_url%/*}/postgres" -X -q -c "CREATE DATABASE chorus_bench_$$" >/dev/null
      ;;
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  echo "=== $backend"
  start_chorusd "$backend" "$db_url"
  base="http://127.0.0.1:$PORT"
  export BENCH_USER="bench_$$" BENCH_PASSWORD="bench-password-$$"
  curl -fsS -o /dev/null -H 'Content-Type: application/json' \
    -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" "$base/api/auth/register"
  cookie=$(curl -fsS -o /dev/null -D - -H 'Content-Type: application/json' \
    -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" "$base/api/auth/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(chorus_session=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "no session cookie from login" >&2; exit 1; }
  wrk_run "$backend-streams" -H "Cookie: $cookie" "$base/api/streams"
  labels+=("$backend-streams")
  # One login at a time first: the argon2id verify cost without queueing (median of 5).
  for _ in 1 2 3 4 5; do
    curl -fsS -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
      -d "{\"username\":\"$BENCH_USER\",\"password\":\"$BENCH_PASSWORD\"}" "$base/api/auth/login"
  done | sort -n | sed -n 3p | awk -v b="$backend" '{printf "--- %s: one login alone, median of 5: %.0f ms\n", b, $1 * 1000}' |
    tee -a "$TMP/single-logins"
  wrk_run "$backend-login" -s "$ROOT/bench/http/login.lua" "$base/api/auth/login"
  labels+=("$backend-login")
  stop_chorusd
  if [ "$backend" = postgres ]; then
    psql "${db_url%/*}/postgres" -X -q -c "DROP DATABASE IF EXISTS chorus_bench_$$ WITH (FORCE)" >/dev/null || true
  fi
done

echo
echo "=== summary ($(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1); wrk -t$THREADS -c$CONNS -d$DURATION; log level $LOG_LEVEL)"
printf '| %-18s | %8s | %10s | %8s | %8s | %s |\n' "run" "requests" "req/s" "p50" "p99" "socket errors"
printf '|%s|%s|%s|%s|%s|%s|\n' "--------------------" "----------" "------------" "----------" "----------" "---------------"
for l in "${labels[@]}"; do summary "$l"; done
cat "$TMP/single-logins"
