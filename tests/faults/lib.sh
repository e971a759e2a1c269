# Shared helpers of the fault drills (tests/faults/*.sh). Source it after setting DRILL:
#
#   DRILL=redis-kill; . "$(dirname "$0")/lib.sh"; faults_init "$@"
#
# Everything runs on loopback: its own Postgres and Redis (scripts/test-servers), its own chorusd
# on free ports with a temp data dir, peers and probes. The EXIT trap stops only what this script
# started (PIDs it recorded) and removes the temp dir unless something failed or KEEP_TMP is set.
# Waits poll a condition with a deadline; there are no bare sleeps.
# shellcheck shell=bash

FAULTS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/test-servers
. "$FAULTS_ROOT/scripts/test-servers"

ADMIN_USER="admin"
ADMIN_PASS=adminpass123
PEER_PASS=faultpass123
FAILURES=0
PASSES=0
CHORUSD_PID=""
PEER_PIDS=()
BG_PIDS=()
PG_DIR=""
REDIS_DIR=""

# faults_init [BUILD_DIR]: sets BUILD, CHORUSD, PEER, TMP and the trap.
faults_init() {
  BUILD=${1:-${FAULTS_BUILD:-$FAULTS_ROOT/build}}
  case $BUILD in /*) ;; *) BUILD=$FAULTS_ROOT/$BUILD ;; esac
  CHORUSD=${CHORUSD:-$BUILD/chorusd}
  PEER=${CHORUS_PEER:-$BUILD/chorus-peer}
  for tool in "$CHORUSD" "$PEER"; do
    [[ -x $tool ]] || { echo "FAIL setup: $tool not built (cmake --build $BUILD --target chorusd chorus-peer)"; exit 2; }
  done
  for tool in jq curl /usr/bin/python3 redis-server; do
    command -v "$tool" >/dev/null || { echo "FAIL setup: $tool is required"; exit 2; }
  done
  TMP=$(mktemp -d "/tmp/chorus-faults-$DRILL.XXXXXX")
  chmod 755 "$TMP"
  trap faults_cleanup EXIT
  trap 'exit 130' INT TERM
  echo "== $DRILL: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), logs in $TMP"
}

faults_cleanup() {
  local pid
  for pid in "${PEER_PIDS[@]}" "${BG_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${PEER_PIDS[@]}" "${BG_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  stop_chorusd
  [[ -n $REDIS_DIR ]] && redis_stop "$REDIS_DIR"
  [[ -n $PG_DIR ]] && pg_stop "$PG_DIR"
  if [[ $FAILURES -eq 0 && -z ${KEEP_TMP:-} ]]; then rm -rf "$TMP"; else echo "logs kept in $TMP"; fi
}

now_ms() { date +%s%3N; }

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s until it succeeds or the time is up.
wait_for() {
  local seconds=$1; shift
  local deadline=$(( $(now_ms) + seconds * 1000 ))
  until "$@" 2>/dev/null; do
    (( $(now_ms) > deadline )) && return 1
    sleep 0.1   # poll interval of a bounded wait
  done
}

# A free loopback port of the given kind (tcp|udp), chosen by the kernel.
free_port_of() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
s = socket.socket(socket.AF_INET, kind)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
}

pass() { echo "PASS $DRILL/$1"; PASSES=$((PASSES + 1)); }
fail() { echo "FAIL $DRILL/$1: $2"; FAILURES=$((FAILURES + 1)); }
# check NAME WHY: PASS when WHY is empty, else FAIL with it.
check() { if [[ -z $2 ]]; then pass "$1"; else fail "$1" "$2"; fi; }
figure() { echo "FIGURE $DRILL $1: $2"; }

# finish: prints the summary line and exits with the drill's status.
finish() {
  echo "$DRILL: $PASSES passed, $FAILURES failed"
  [[ $FAILURES -eq 0 && $PASSES -gt 0 ]]
  exit $?
}

# start_postgres / start_redis: throwaway servers under $TMP (exports their URLs).
start_postgres() {
  PG_DIR=$TMP/pg
  PG_PORT=$(free_port)
  pg_start "$PG_DIR" "$PG_PORT" >/dev/null || { echo "FAIL setup: postgres did not start"; exit 2; }
  PG_URL=$CHORUS_TEST_POSTGRES_URL
}
start_redis() {
  REDIS_DIR=$TMP/redis
  REDIS_PORT=$(free_port)
  redis_start "$REDIS_DIR" "$REDIS_PORT" >/dev/null || { echo "FAIL setup: redis did not start"; exit 2; }
  REDIS_URL=$CHORUS_TEST_REDIS_URL
}

# psql_scalar SQL: one value from the drill's Postgres database.
psql_scalar() {
  "$TEST_SERVERS_PG_BIN/psql" "$PG_URL" -At -c "$1" 2>/dev/null
}

# row_counts: "users=N sessions=N streams=N voice_rooms=N voice_members=N audit_log=N".
row_counts() {
  local t out=""
  for t in users sessions streams voice_rooms voice_members audit_log; do
    out+="$t=$(psql_scalar "SELECT count(*) FROM $t") "
  done
  echo "${out% }"
}

# start_chorusd NAME [extra flags]: starts chorusd on $HTTP_PORT/$RTC_PORT (picked once, so a
# restart reuses them) with $SERVER_DIR as data dir, on $PG_URL/$REDIS_URL when set. Waits for
# /healthz (20 s). Sets CHORUSD_PID, URL.
start_chorusd() {
  local name=$1; shift
  SERVER_DIR=${SERVER_DIR:-$TMP/chorusd}
  mkdir -p "$SERVER_DIR/logs"
  HTTP_PORT=${HTTP_PORT:-$(free_port_of tcp)}
  RTC_PORT=${RTC_PORT:-$(free_port_of udp)}
  URL=http://127.0.0.1:$HTTP_PORT
  local flags=(--listen 127.0.0.1:"$HTTP_PORT" --data-dir "$SERVER_DIR" --log-dir "$SERVER_DIR/logs"
    --rtc-udp-port "$RTC_PORT" --rtc-announce-ip 127.0.0.1 --register-max-per-address 1000000)
  [[ -n ${PG_URL:-} ]] && flags+=(--database-url "$PG_URL")
  [[ -n ${REDIS_URL:-} ]] && flags+=(--redis-url "$REDIS_URL")
  CHORUS_BOOTSTRAP_ADMIN=$ADMIN_USER:$ADMIN_PASS "$CHORUSD" "${flags[@]}" "$@" \
    >>"$SERVER_DIR/chorusd-$name.out" 2>&1 &
  CHORUSD_PID=$!
  if ! wait_for 20 chorusd_healthy; then
    echo "chorusd ($name) did not become healthy; last output:" >&2
    tail -20 "$SERVER_DIR/chorusd-$name.out" >&2
    return 1
  fi
  # The admin's session (moderation, roster reads).
  curl -sf -c "$TMP/admin.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$ADMIN_USER\",\"password\":\"$ADMIN_PASS\"}" "$URL/api/auth/login" -o /dev/null
}

chorusd_healthy() {
  kill -0 "$CHORUSD_PID" 2>/dev/null && curl -sf -m 2 "$URL/healthz" -o /dev/null
}

stop_chorusd() {
  [[ -z $CHORUSD_PID ]] && return 0
  kill -TERM "$CHORUSD_PID" 2>/dev/null
  wait_for 15 bash -c "! kill -0 $CHORUSD_PID" || kill -KILL "$CHORUSD_PID" 2>/dev/null
  wait "$CHORUSD_PID" 2>/dev/null
  CHORUSD_PID=""
}

# api_user NAME: registers NAME (or logs in when taken) into the cookie jar $TMP/NAME.jar.
api_user() {
  local name=$1 body code
  body="{\"username\":\"$name\",\"password\":\"$PEER_PASS\"}"
  code=$(curl -s -o /dev/null -w '%{http_code}' -c "$TMP/$name.jar" -H 'Content-Type: application/json' \
    -d "$body" "$URL/api/auth/register")
  if [[ $code == 409 ]]; then
    code=$(curl -s -o /dev/null -w '%{http_code}' -c "$TMP/$name.jar" -H 'Content-Type: application/json' \
      -d "$body" "$URL/api/auth/login")
  fi
  [[ $code == 2* ]]
}

# start_peer NAME DURATION_S [chorus-peer flags]: a peer in stream 1 with a status file
# $TMP/NAME.status and a report $TMP/NAME.json; bounded by `timeout`.
start_peer() {
  local name=$1 duration=$2; shift 2
  rm -f "$TMP/$name.status" "$TMP/$name.json"
  timeout $((duration + 60)) "$PEER" --url "$URL" --user "$name" --password "$PEER_PASS" \
    --stream "${PEER_STREAM:-1}" --duration "$duration" --status-file "$TMP/$name.status" \
    --report "$TMP/$name.json" "$@" >"$TMP/$name.out" 2>&1 &
  PEER_PIDS+=($!)
  eval "PID_$name=$!"
}
wait_peer() { local v="PID_$1"; wait "${!v}"; }
peer_connected() { jq -e '.connected_ms > 0' "$TMP/$1.status" >/dev/null; }

# number CMD...: prints CMD's number, or -1 when it fails or prints anything else.
number() {
  local out; out=$("$@" 2>/dev/null) || out=""
  [[ $out =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "${out%%.*}" || echo -1
}
# heard_windows NAME FILE(status|json) HZ: 100 ms windows in which NAME heard HZ (±15 Hz).
heard_windows() {
  number jq --argjson hz "$3" \
    '[.heard[] | select(((.hz - $hz) | if . < 0 then -. else . end) <= 15) | .windows] | add // 0' \
    "$TMP/$1.$2"
}
status_heard_at_least() { (( $(heard_windows "$1" status "$2") >= $3 )); }
received_packets() { number jq '.received.rtp_packets' "$TMP/$1.status"; }
