#!/usr/bin/env bash
# Signaling benchmark (issue 3, Benchmark): simulated users register, join, heartbeat and leave
# voice rooms, then SSE listeners measure event fan-out at 1,000 and 5,000 listeners and chorusd's
# RSS per listener. For each backend it starts its own chorusd (and Postgres + Redis for
# "postgres-redis") on loopback in a temp dir, runs bench/signaling's generator with bounded
# counts and time, prints the figures, and stops everything on exit.
#
#   bench/signaling/run.sh                              # postgres-redis, then embedded
#   BENCH_BACKENDS=postgres-redis bench/signaling/run.sh
#   env: CHORUS_BIN (build/chorusd), BENCH_GENERATOR (build/bench/signaling/chorus_signaling_bench),
#        BENCH_USERS (2000), BENCH_ROOMS (20), BENCH_CONCURRENCY (64), BENCH_REGISTER_CONCURRENCY (8),
#        BENCH_HEARTBEAT_ROUNDS (1), BENCH_LISTENERS (1000,5000), BENCH_FANOUT_EVENTS (20),
#        BENCH_MAX_SECONDS (1500 per backend), BENCH_LOG_LEVEL (info, as shipped),
#        BENCH_HTTP_THREADS (2, chorusd's default), BENCH_DB_POOL_SIZE (4, chorusd's default)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
. scripts/test-servers

BIN="${CHORUS_BIN:-build/chorusd}"
GEN="${BENCH_GENERATOR:-build/bench/signaling/chorus_signaling_bench}"
case "$BIN" in /*) ;; *) BIN="$ROOT/$BIN" ;; esac
case "$GEN" in /*) ;; *) GEN="$ROOT/$GEN" ;; esac
BACKENDS="${BENCH_BACKENDS:-postgres-redis embedded}"
USERS="${BENCH_USERS:-2000}"
ROOMS="${BENCH_ROOMS:-20}"
CONCURRENCY="${BENCH_CONCURRENCY:-64}"
REGISTER_CONCURRENCY="${BENCH_REGISTER_CONCURRENCY:-8}"
HEARTBEAT_ROUNDS="${BENCH_HEARTBEAT_ROUNDS:-1}"
LISTENERS="${BENCH_LISTENERS:-1000,5000}"
FANOUT_EVENTS="${BENCH_FANOUT_EVENTS:-20}"
MAX_SECONDS="${BENCH_MAX_SECONDS:-1500}"
LOG_LEVEL="${BENCH_LOG_LEVEL:-info}"
HTTP_THREADS="${BENCH_HTTP_THREADS:-2}"
DB_POOL_SIZE="${BENCH_DB_POOL_SIZE:-4}"
START_TIMEOUT_S=30
STOP_TIMEOUT_S=15

[ -x "$BIN" ] || { echo "chorusd not found at $BIN (make build, or set CHORUS_BIN)" >&2; exit 1; }
[ -x "$GEN" ] || {
  echo "generator not found at $GEN (cmake --build build --target chorus_signaling_bench)" >&2
  exit 1
}
# 5,000 listeners need 5,000 sockets on each side, plus the pool and the database connections.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [ "$(ulimit -n)" -lt 12000 ]; then
  echo "ulimit -n is $(ulimit -n); 5,000 SSE listeners need about 12,000 descriptors" >&2
fi

TMP=$(mktemp -d /tmp/chorus-bench-signaling.XXXXXX)
chmod 755 "$TMP"
CHORUS_PID=""
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
  redis_stop "$TMP/redis" >/dev/null 2>&1 || true
  pg_stop "$TMP/pg" >/dev/null 2>&1 || true
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 143' INT TERM  # leaves through the EXIT trap

# start_chorusd NAME ARGS...: starts chorusd in $TMP/NAME with generous voice and login limits
# (the benchmark measures throughput, not the limits), sets PORT and CHORUS_PID.
start_chorusd() {
  local name=$1 dir="$TMP/$1"
  shift
  mkdir -p "$dir/logs"
  PORT=$(free_port)
  CHORUS_BOOTSTRAP_ADMIN=admin:adminpass123 CHORUS_ENV_FILE=/dev/null "$BIN" \
    --listen "127.0.0.1:$PORT" --data-dir "$dir" --log-dir "$dir/logs" \
    --gui-dir "$ROOT/core/gui/dist" --rtc-udp-port "$(free_port)" --rtc-bind 127.0.0.1 \
    --log-level "$LOG_LEVEL" --http-threads "$HTTP_THREADS" --db-pool-size "$DB_POOL_SIZE" \
    --voice-max-members 100000 --voice-join-rate 1000000 --voice-settings-rate 1000000 \
    --login-max-failures-per-user 1000000 --login-max-failures-per-address 1000000 \
    --register-max-per-address 1000000 --hash-queue-max 100000 \
    "$@" >"$dir/logs/console.log" 2>&1 &
  CHORUS_PID=$!
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until curl -fsS -o /dev/null "http://127.0.0.1:$PORT/healthz" 2>/dev/null; do
    if ! kill -0 "$CHORUS_PID" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      echo "chorusd ($name) did not come up; log:" >&2; tail -20 "$dir/logs/console.log" >&2; return 1
    fi
    sleep 0.1
  done
}

echo "=== machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)," \
  "load average $(cut -d' ' -f1-3 /proc/loadavg), ulimit -n $(ulimit -n), commit" \
  "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
status=0
for backend in $BACKENDS; do
  case "$backend" in
    postgres-redis)
      pg_start "$TMP/pg" "$(free_port)" >/dev/null || exit 1
      redis_start "$TMP/redis" "$(free_port)" >/dev/null || exit 1
      start_chorusd "$backend" --database-url "$CHORUS_TEST_POSTGRES_URL" \
        --redis-url "$CHORUS_TEST_REDIS_URL"
      ;;
    embedded) start_chorusd "$backend" ;;  # SQLite in the data dir, in-process state
    *) echo "unknown backend $backend" >&2; exit 2 ;;
  esac
  echo "=== $backend: chorusd pid $CHORUS_PID on port $PORT (--http-threads $HTTP_THREADS," \
    "--db-pool-size $DB_POOL_SIZE, log level $LOG_LEVEL)"
  "$GEN" --port "$PORT" --server-pid "$CHORUS_PID" --users "$USERS" --rooms "$ROOMS" \
    --concurrency "$CONCURRENCY" --register-concurrency "$REGISTER_CONCURRENCY" \
    --heartbeat-rounds "$HEARTBEAT_ROUNDS" --listeners "$LISTENERS" \
    --fanout-events "$FANOUT_EVENTS" --max-seconds "$MAX_SECONDS" || {
    echo "=== $backend: generator exited with $? (see above)" >&2
    status=1
  }
  echo "=== $backend: load average after $(cut -d' ' -f1-3 /proc/loadavg)"
  kill -0 "$CHORUS_PID" 2>/dev/null || { echo "chorusd ($backend) died; log:" >&2; \
    tail -20 "$TMP/$backend/logs/console.log" >&2; status=1; }
  stop_chorusd
  redis_stop "$TMP/redis" >/dev/null 2>&1 || true
  pg_stop "$TMP/pg" >/dev/null 2>&1 || true
done
exit $status
