#!/usr/bin/env bash
# Fault drill: Redis SIGKILLed in the middle of a call, then restarted (empty: no persistence).
#
#   tests/faults/redis-kill.sh [BUILD_DIR] [--outage SECONDS]     (default build/, 10 s)
#
# Starts its own Postgres, Redis and chorusd (--database-url, --redis-url) on loopback. Two
# chorus-peer participants talk (440 Hz and 660 Hz tones) and REST probe clients poll voice
# endpoints (roster, state, heartbeat, join) and /api/auth/me. Redis is killed with SIGKILL and
# kept down for the outage, then started again on the same port. Checks:
#   audio_kept     both peers keep hearing each other through the outage (longest stretch without
#                  a new 100 ms tone window ≤ 1 s; ≥ 8 of 10 windows per second)
#   rest_503       while Redis is down, voice endpoints answer 503 state_unavailable (JSON), never
#                  500; /api/auth/me (database only) keeps answering 200
#   rest_recovers  after the restart, roster/state answer 2xx again by themselves within 15 s
#   no_ghost_media after Redis is back (empty), each peer is either seated in the roster again or
#                  had its media ended by the server (chorus-peer does not rejoin by itself);
#                  never talking while absent from the roster; no SRTP failure
#   durable        users, sessions and streams rows are the same before and after; no
#                  voice_members or audit_log row is lost
# Figures (FIGURE lines): audio gap and windows/s per peer, 503 count, time to recovery, rows.
set -uo pipefail
DRILL=redis-kill
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
OUTAGE=10
BUILD_ARG=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --outage) OUTAGE=$2; shift 2 ;;
    -*) echo "usage: $0 [BUILD_DIR] [--outage SECONDS]" >&2; exit 1 ;;
    *) BUILD_ARG=$1; shift ;;
  esac
done
faults_init "$BUILD_ARG"
TOOLS=$FAULTS_ROOT/tests/faults/tools

start_postgres
start_redis
start_chorusd main || { fail setup "chorusd did not start"; finish; }

A=rk_a_$$ B=rk_b_$$
CALL_S=$((OUTAGE + 60))
STOP=$TMP/stop
# The probe clients sign in first (argon2id hashing is slow on a busy machine), then the call.
node "$TOOLS/rest-probe.mjs" --url "$URL" --out "$TMP/probe.jsonl" --clients 3 --prefix "rk_p$$" \
  --password "$PEER_PASS" --interval-ms 100 --timeout-ms 20000 --mix "me,roster,state,heartbeat,join:2500" \
  --duration-s $((CALL_S + 150)) --stop-file "$STOP" --ready-file "$TMP/probe.ready" \
  >"$TMP/probe.out" 2>&1 &
PROBE_PID=$!
BG_PIDS+=("$PROBE_PID")
wait_for 120 test -f "$TMP/probe.ready" || { fail setup "REST probe clients did not sign in"; finish; }

start_peer "$A" "$CALL_S" --tone 440
start_peer "$B" "$CALL_S" --tone 660
if ! wait_for 60 status_heard_at_least "$A" 660 10 || ! wait_for 10 status_heard_at_least "$B" 440 10; then
  fail setup "the call did not start: $(tail -1 "$TMP/$A.out") / $(tail -1 "$TMP/$B.out")"
  finish
fi
/usr/bin/python3 "$TOOLS/audio_timeline.py" sample "$TMP/audio.csv" "$STOP" $((CALL_S + 30)) \
  "$A:$TMP/$A.status:660" "$B:$TMP/$B.status:440" &
BG_PIDS+=($!)

# hold_while_alive SECONDS: a timed phase of the drill that ends early if chorusd dies.
hold_while_alive() {
  local deadline=$(( $(now_ms) + $1 * 1000 ))
  while (( $(now_ms) < deadline )); do
    kill -0 "$CHORUSD_PID" 2>/dev/null || return 1
    sleep 0.1   # poll interval of a bounded, timed phase
  done
}
# Baseline: the call and the probe running normally.
hold_while_alive 4
ROWS_BEFORE=$(row_counts)
ROSTER_BEFORE=$(curl -s -b "$TMP/admin.jar" "$URL/api/voice/streams/1/roster" 2>/dev/null | jq -c 'length' 2>/dev/null)

T_KILL=$(now_ms)
kill -KILL "$(cat "$REDIS_DIR/redis.pid")"
wait_for 10 bash -c "! redis-cli -p $REDIS_PORT ping" || fail kill "redis still answers after SIGKILL"
echo "redis-server SIGKILLed; holding it down for ${OUTAGE}s"
hold_while_alive "$OUTAGE" || fail chorusd_alive "chorusd exited while Redis was down"

T_UP_START=$(now_ms)
rm -f "$REDIS_DIR/redis.pid"
redis_start "$REDIS_DIR" "$REDIS_PORT" >/dev/null || { fail restart "redis did not start again"; finish; }
T_UP=$(now_ms)
echo "redis-server restarted (empty) after $(( T_UP - T_KILL )) ms"
recovered() {
  jq -e '.first_ok_ms != null' <<<"$(/usr/bin/python3 "$TOOLS/probe_summary.py" recovery \
    "$TMP/probe.jsonl" "$T_UP" roster,state)" >/dev/null
}
wait_for 30 recovered
# Let the call and the probe run on after the recovery.
hold_while_alive 6
T_END=$(now_ms)
touch "$STOP"
wait "$PROBE_PID" 2>/dev/null
ROWS_AFTER=$(row_counts)
ROSTER_AFTER=$(curl -s -b "$TMP/admin.jar" "$URL/api/voice/streams/1/roster" 2>/dev/null | jq -c '[.[].username]' 2>/dev/null)

# --- audio -------------------------------------------------------------------------------------
for name in "$A" "$B"; do
  status=0; wait_peer "$name" || status=$?
  eval "EXIT_$name=$status"
done
GAPS_DOWN=$(/usr/bin/python3 "$TOOLS/audio_timeline.py" gaps "$TMP/audio.csv" "$T_KILL" "$T_UP")
GAPS_BEFORE=$(/usr/bin/python3 "$TOOLS/audio_timeline.py" gaps "$TMP/audio.csv" $((T_KILL - 4000)) "$T_KILL")
GAPS_AFTER=$(/usr/bin/python3 "$TOOLS/audio_timeline.py" gaps "$TMP/audio.csv" "$T_UP" "$T_END")
figure audio_before_kill "$GAPS_BEFORE"
figure audio_while_redis_down "$GAPS_DOWN"
figure audio_after_restart "$GAPS_AFTER"
why=""
for name in "$A" "$B"; do
  gap=$(jq --arg n "$name" '.[$n].longest_gap_ms // 999999' <<<"$GAPS_DOWN")
  rate=$(jq --arg n "$name" '.[$n].windows_per_s // 0' <<<"$GAPS_DOWN")
  (( gap <= 1000 )) || why+="$name: ${gap} ms without hearing its partner while Redis was down; "
  jq -en "$rate >= 8" >/dev/null || why+="$name heard only $rate windows/s while Redis was down; "
done
check audio_kept "$why"

# After Redis comes back empty the seats are gone (memberships closed, reason state_lost): a peer
# must either be seated again or have had its media ended by the server (DTLS close_notify, /rtc).
# Still talking while absent from the roster is a ghost.
why=""
for name in "$A" "$B"; do
  v="EXIT_$name"
  closed=$(number jq '.events.counts.closed // 0' "$TMP/$name.json")
  ended=$(number jq '.ended_ms' "$TMP/$name.json")
  jq -e '.received.srtp_failures == 0' "$TMP/$name.json" >/dev/null 2>&1 ||
    why+="$name: SRTP failures or no report; "
  # chorus-peer exits 3 or 4 once the server ends its media (DTLS close_notify or /rtc close,
  # whichever it notices first; the `closed` message may come first or be cut off).
  if [[ ${!v} -eq 3 || ${!v} -eq 4 ]] && (( ended >= T_UP )); then
    figure "${name}_media_ended_after_redis_up" "$(( ended - T_UP )) ms (closed messages: $closed; $(tail -1 "$TMP/$name.out" | sed 's/^chorus-peer [^:]*: //'))"
  elif [[ ${!v} -eq 0 ]] && jq -e --arg n "$name" 'index($n) != null' <<<"$ROSTER_AFTER" >/dev/null 2>&1; then
    :  # seated again and still talking
  elif [[ ${!v} -eq 0 ]]; then
    why+="$name kept its media after Redis came back empty but is not in the roster (a ghost: $ROSTER_AFTER); "
  else
    why+="$name exited ${!v} (ended $(( ended - T_UP )) ms after Redis was back): $(tail -1 "$TMP/$name.out"); "
  fi
done
check no_ghost_media "$why"

# --- REST ---------------------------------------------------------------------------------------
VOICE_OPS=roster,state,heartbeat,join
DOWN=$(/usr/bin/python3 "$TOOLS/probe_summary.py" window "$TMP/probe.jsonl" "$T_KILL" "$T_UP" "$VOICE_OPS")
ME_DOWN=$(/usr/bin/python3 "$TOOLS/probe_summary.py" window "$TMP/probe.jsonl" "$T_KILL" "$T_UP" me)
AFTER=$(/usr/bin/python3 "$TOOLS/probe_summary.py" window "$TMP/probe.jsonl" "$T_UP" "$T_END" "$VOICE_OPS")
ALL=$(/usr/bin/python3 "$TOOLS/probe_summary.py" window "$TMP/probe.jsonl" 0 "$T_END")
REC=$(/usr/bin/python3 "$TOOLS/probe_summary.py" recovery "$TMP/probe.jsonl" "$T_UP" roster,state "$T_END")
figure rest_voice_while_down "$DOWN"
figure rest_me_while_down "$ME_DOWN"
figure rest_voice_after_restart "$AFTER"
figure rest_recovery_after_redis_up "$REC"
figure redis_restart_ms $(( T_UP - T_UP_START ))
why=""
n503=$(jq '.by_status["503 state_unavailable"] // 0' <<<"$DOWN")
(( n503 > 0 )) || why+="no 503 state_unavailable while Redis was down; "
(( $(jq '.http_500' <<<"$ALL") == 0 )) || why+="$(jq '.http_500' <<<"$ALL") answers were 500; "
(( $(jq '.bad_5xx' <<<"$DOWN") == 0 )) || why+="5xx other than 503 with a JSON code: $(jq -c '.by_status' <<<"$DOWN"); "
(( $(jq '.total - (.by_status["200"] // 0)' <<<"$ME_DOWN") == 0 )) ||
  why+="/api/auth/me failed while Redis was down: $(jq -c '.by_status' <<<"$ME_DOWN"); "
check rest_503 "$why"
why=""
stable=$(jq '.stable_ms // 999999' <<<"$REC")
(( stable <= 15000 )) || why+="voice reads not stable 15 s after Redis came back ($REC); "
check rest_recovers "$why"

# --- durable data -------------------------------------------------------------------------------
figure rows_before "$ROWS_BEFORE"
figure rows_after "$ROWS_AFTER"
figure roster "before: $ROSTER_BEFORE members; after recovery: $ROSTER_AFTER"
figure voice_members_closed_state_lost "$(psql_scalar "SELECT count(*) FROM voice_members WHERE left_reason = 'state_lost'" 2>/dev/null)"
why=""
get() { sed -n "s/.*\b$1=\([0-9]*\).*/\1/p" <<<"$2"; }
for t in users sessions streams; do
  [[ $(get $t "$ROWS_BEFORE") == "$(get $t "$ROWS_AFTER")" && -n $(get $t "$ROWS_AFTER") ]] ||
    why+="$t: $(get $t "$ROWS_BEFORE") before, $(get $t "$ROWS_AFTER") after; "
done
for t in voice_rooms voice_members audit_log; do
  (( $(get $t "$ROWS_AFTER") >= $(get $t "$ROWS_BEFORE") )) || why+="$t rows lost; "
done
check durable "$why"
kill -0 "$CHORUSD_PID" 2>/dev/null || fail chorusd_alive "chorusd is gone"
figure chorusd_internal_errors "$(grep -c 'handler failed' "$SERVER_DIR"/logs/chorusd-*.log 2>/dev/null | awk -F: '{s+=$NF} END {print s+0}')"
finish
