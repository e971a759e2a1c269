#!/usr/bin/env bash
# Fault drill: Postgres restarted (pg_ctl restart -m fast) under steady REST traffic, then
# stopped for a while and started again.
#
#   tests/faults/postgres-restart.sh [BUILD_DIR] [--outage SECONDS] [--clients N]
#                                    (default build/, 5 s outage, 6 clients)
#
# Starts its own Postgres, Redis and chorusd (--database-url, --redis-url, default pool of 4) on
# loopback. REST probe clients (tests/faults/tools/rest-probe.mjs) loop over /api/auth/me,
# /api/streams, /api/streams/1, /api/settings/voice, voice roster/state/heartbeat, a join every
# 4 s and a login every 8 s, and log every answer. Phase 1: `pg_ctl restart -m fast` (drops
# every connection). Phase 2: `pg_ctl stop -m fast`, down for the outage, `pg_ctl start`.
# Checks:
#   no_500         no answer is a 500; every 5xx is a 503 with a JSON error code
#   retry_after    every 503 carries Retry-After
#   codes          the 503 codes are database_unavailable (or busy from the hash pool)
#   recovers       after each phase the database-backed reads answer 2xx again by themselves,
#                  with no 5xx after that, within 10 s of Postgres accepting connections
#   durable        users and streams rows unchanged, sessions only grew (logins), /readyz 200
# Figures (FIGURE lines): answers by status per phase, time to recovery, stale-connection 503s.
set -uo pipefail
DRILL=postgres-restart
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
OUTAGE=5
CLIENTS=6
BUILD_ARG=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --outage) OUTAGE=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    -*) echo "usage: $0 [BUILD_DIR] [--outage SECONDS] [--clients N]" >&2; exit 1 ;;
    *) BUILD_ARG=$1; shift ;;
  esac
done
faults_init "$BUILD_ARG"
TOOLS=$FAULTS_ROOT/tests/faults/tools
RECOVERY_BOUND_MS=10000
DB_OPS=me,streams,stream,settings

start_postgres
start_redis
start_chorusd main || { fail setup "chorusd did not start"; finish; }

STOP=$TMP/stop
node "$TOOLS/rest-probe.mjs" --url "$URL" --out "$TMP/probe.jsonl" --clients "$CLIENTS" \
  --prefix "pr_p$$" --password "$PEER_PASS" --interval-ms 50 --timeout-ms 20000 \
  --mix "me,streams,stream,settings,roster,state,heartbeat,join:4000,login:8000" \
  --duration-s 600 --stop-file "$STOP" --ready-file "$TMP/probe.ready" >"$TMP/probe.out" 2>&1 &
PROBE_PID=$!
BG_PIDS+=("$PROBE_PID")
wait_for 180 test -f "$TMP/probe.ready" || { fail setup "REST probe clients did not sign in"; finish; }

hold_while_alive() {
  local deadline=$(( $(now_ms) + $1 * 1000 ))
  while (( $(now_ms) < deadline )); do
    kill -0 "$CHORUSD_PID" 2>/dev/null || return 1
    sleep 0.1   # poll interval of a bounded, timed phase
  done
}
pg_ctl_as_pg() { _ts_as_pg "$TEST_SERVERS_PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 "$@" >/dev/null; }
pg_ready() { "$TEST_SERVERS_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres; }
# recovered_since MARK: the database-backed reads answered 2xx after MARK.
recovered_since() {
  jq -e '.first_ok_ms != null' <<<"$(/usr/bin/python3 "$TOOLS/probe_summary.py" recovery \
    "$TMP/probe.jsonl" "$1" "$DB_OPS")" >/dev/null
}

T_BASE_START=$(now_ms)
hold_while_alive 5
T_BASE_END=$(now_ms)
ROWS_BEFORE=$(row_counts)

# Phase 1: restart -m fast (every backend connection is terminated).
T_R0=$(now_ms)
pg_ctl_as_pg -m fast restart || { fail restart "pg_ctl restart failed"; finish; }
wait_for 30 pg_ready
T_R1=$(now_ms)
echo "postgres restarted in $(( T_R1 - T_R0 )) ms"
wait_for 30 recovered_since "$T_R1"
hold_while_alive 8 || fail chorusd_alive "chorusd exited after the restart"
T_R2=$(now_ms)

# Phase 2: stopped for the outage, then started.
T_S0=$(now_ms)
pg_ctl_as_pg -m fast stop || { fail stop "pg_ctl stop failed"; finish; }
T_S1=$(now_ms)
echo "postgres stopped; down for ${OUTAGE}s"
hold_while_alive "$OUTAGE" || fail chorusd_alive "chorusd exited while Postgres was down"
T_S2=$(now_ms)
pg_ctl_as_pg start || { fail start "pg_ctl start failed"; finish; }
wait_for 30 pg_ready
T_S3=$(now_ms)
echo "postgres started again in $(( T_S3 - T_S2 )) ms"
wait_for 30 recovered_since "$T_S3"
hold_while_alive 8 || fail chorusd_alive "chorusd exited after Postgres came back"
T_END=$(now_ms)
touch "$STOP"
wait "$PROBE_PID" 2>/dev/null

summary() { /usr/bin/python3 "$TOOLS/probe_summary.py" window "$TMP/probe.jsonl" "$@"; }
recovery() { /usr/bin/python3 "$TOOLS/probe_summary.py" recovery "$TMP/probe.jsonl" "$@"; }
BASE=$(summary "$T_BASE_START" "$T_BASE_END")
P1=$(summary "$T_R0" "$T_R2")
P2=$(summary "$T_S0" "$T_END")
P2_DOWN=$(summary "$T_S1" "$T_S2")
ALL=$(summary 0 "$T_END")
REC1=$(recovery "$T_R1" "$DB_OPS" "$T_R2")
REC2=$(recovery "$T_S3" "$DB_OPS" "$T_END")
AFTER1=$(summary "$T_R1" "$T_R2")
AFTER2=$(summary "$T_S3" "$T_END")
figure pg_restart_ms $(( T_R1 - T_R0 ))
figure pg_start_ms $(( T_S3 - T_S2 ))
figure baseline "$BASE"
figure phase1_restart "$P1"
figure phase1_after_pg_ready "$AFTER1"
figure phase1_recovery "$REC1"
figure phase2_while_down "$P2_DOWN"
figure phase2_stop_start "$P2"
figure phase2_after_pg_ready "$AFTER2"
figure phase2_recovery "$REC2"
figure all "$ALL"

why=""
(( $(jq '.http_500' <<<"$ALL") == 0 )) || why+="$(jq '.http_500' <<<"$ALL") answers were 500: $(jq -c '.by_status' <<<"$ALL"); "
(( $(jq '.bad_5xx' <<<"$ALL") == 0 )) || why+="$(jq '.bad_5xx' <<<"$ALL") 5xx were not a 503 with a JSON code; "
(( $(jq '.network' <<<"$ALL") == 0 )) || why+="$(jq '.network' <<<"$ALL") requests got no HTTP answer; "
check no_500 "$why"
why=""
(( $(jq '.no_retry_after' <<<"$ALL") == 0 )) || why+="$(jq '.no_retry_after' <<<"$ALL") 503 answers without Retry-After; "
check retry_after "$why"
why=""
other=$(jq -r '.by_status | keys[] | select(startswith("503 ") and . != "503 database_unavailable" and . != "503 busy")' <<<"$ALL")
[[ -z $other ]] || why+="503 with other codes: $other; "
(( $(jq '.by_status["503 database_unavailable"] // 0' <<<"$P2_DOWN") > 0 )) ||
  why+="no 503 database_unavailable while Postgres was down ($(jq -c '.by_status' <<<"$P2_DOWN")); "
check codes "$why"
why=""
for rec in "$REC1" "$REC2"; do
  s=$(jq '.stable_ms // 999999' <<<"$rec")
  (( s <= RECOVERY_BOUND_MS )) || why+="not recovered within ${RECOVERY_BOUND_MS} ms: $rec; "
done
check recovers "$why"

ROWS_AFTER=$(row_counts)
figure rows_before "$ROWS_BEFORE"
figure rows_after "$ROWS_AFTER"
get() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }
why=""
for t in users streams; do
  [[ $(get $t "$ROWS_BEFORE") == "$(get $t "$ROWS_AFTER")" && -n $(get $t "$ROWS_AFTER") ]] ||
    why+="$t: $(get $t "$ROWS_BEFORE") before, $(get $t "$ROWS_AFTER") after; "
done
for t in sessions voice_members audit_log; do
  (( $(get $t "$ROWS_AFTER") >= $(get $t "$ROWS_BEFORE") )) || why+="$t rows lost; "
done
code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/readyz")
[[ $code == 200 ]] || why+="/readyz answers $code; "
check durable "$why"
figure chorusd_internal_errors "$(cat "$SERVER_DIR"/logs/chorusd-*.log 2>/dev/null | grep -c '"handler failed"')"
figure chorusd_db_unavailable_logged "$(cat "$SERVER_DIR"/logs/chorusd-*.log 2>/dev/null | grep -c '"database unavailable"')"
finish
