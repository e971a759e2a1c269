#!/usr/bin/env bash
# Media integration tests: chorusd's own SFU with C++ test peers (chorus-peer) on loopback.
#
#   tests/media/run-media-tests.sh [BUILD_DIR] [TEST_NAME...]
#
# BUILD_DIR (default build/) holds chorusd and chorus-peer (CHORUSD / CHORUS_PEER override each).
# Tests: join_refused, three_tones, host_mute, self_mute, garbage_datagrams, wav_record, k1_loudest (which also reports
# k1_loudest_hears_next), stage_listener, speaker_limit, k1_pinned (default: all).
# Prints "PASS name" / "FAIL name: why" per test and exits non-zero when any test fails.
# Waits only by bounded polling on conditions (peer status files, /healthz), never bare sleeps.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$ROOT/build}
[[ $# -gt 0 ]] && shift
CHORUSD=${CHORUSD:-$BUILD/chorusd}
PEER=${CHORUS_PEER:-$BUILD/chorus-peer}
ADMIN_USER=admin
ADMIN_PASS=adminpass123
PASSWORD=peerpass123

for tool in "$CHORUSD" "$PEER"; do
  [[ -x $tool ]] || { echo "FAIL setup: $tool not built"; exit 2; }
done
command -v jq >/dev/null || { echo "FAIL setup: jq is required"; exit 2; }
command -v curl >/dev/null || { echo "FAIL setup: curl is required"; exit 2; }

TMP=$(mktemp -d /tmp/chorus-media.XXXXXX)
SERVER_PID=""
PEER_PIDS=()
FAILURES=0
PASSES=0
RUN_ID=$$

cleanup() {
  for pid in "${PEER_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  stop_chorusd
  if [[ $FAILURES -eq 0 && -z ${KEEP_TMP:-} ]]; then rm -rf "$TMP"; else echo "logs kept in $TMP"; fi
}
trap cleanup EXIT

now_ms() { date +%s%3N; }

# A free loopback port of the given kind (tcp|udp), chosen by the kernel. A udp port is also free
# over TCP: chorusd's ICE-TCP listener takes the same number (--rtc-tcp-port defaults to it).
free_port() {
  /usr/bin/python3 - "$1" <<'EOF'
import socket, sys
for _ in range(50):
    kind = socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM
    s = socket.socket(socket.AF_INET, kind)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    if sys.argv[1] == "udp":
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            t.bind(("0.0.0.0", port))
        except OSError:
            continue
        finally:
            t.close()
    print(port)
    break
EOF
}

# Polls `condition` (a shell command) every 0.1 s until it succeeds or `seconds` pass.
wait_for() {
  local seconds=$1; shift
  local deadline=$(( $(now_ms) + seconds * 1000 ))
  until "$@" 2>/dev/null; do
    (( $(now_ms) > deadline )) && return 1
    sleep 0.1   # poll interval of a bounded wait
  done
}

# start_chorusd NAME [extra chorusd flags...]: sets URL, UDP_PORT, SERVER_PID, SERVER_DIR.
start_chorusd() {
  local name=$1; shift
  SERVER_DIR=$TMP/$name
  mkdir -p "$SERVER_DIR/logs"
  local port; port=$(free_port tcp)
  UDP_PORT=$(free_port udp)
  URL=http://127.0.0.1:$port
  CHORUS_BOOTSTRAP_ADMIN=$ADMIN_USER:$ADMIN_PASS "$CHORUSD" --listen 127.0.0.1:"$port" \
    --data-dir "$SERVER_DIR" --log-dir "$SERVER_DIR/logs" --rtc-udp-port "$UDP_PORT" \
    --rtc-announce-ip 127.0.0.1 "$@" >"$SERVER_DIR/chorusd.out" 2>&1 &
  SERVER_PID=$!
  if ! wait_for 20 curl -sf "$URL/healthz" -o /dev/null; then
    echo "chorusd did not become healthy; last output:" >&2
    tail -20 "$SERVER_DIR/chorusd.out" >&2
    return 1
  fi
  # The admin's session, for moderation.
  curl -sf -c "$SERVER_DIR/admin.jar" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$ADMIN_USER\",\"password\":\"$ADMIN_PASS\"}" \
    "$URL/api/auth/login" -o /dev/null
}

stop_chorusd() {
  [[ -z $SERVER_PID ]] && return 0
  kill -TERM "$SERVER_PID" 2>/dev/null
  wait_for 10 bash -c "! kill -0 $SERVER_PID" || kill -KILL "$SERVER_PID" 2>/dev/null
  wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

server_alive() { kill -0 "$SERVER_PID" 2>/dev/null && curl -sf "$URL/healthz" -o /dev/null; }

# start_peer NAME DURATION_S [chorus-peer flags...]: runs a peer in the background with a
# status file $TMP/NAME.status and a final report $TMP/NAME.json.
start_peer() {
  local name=$1 duration=$2; shift 2
  rm -f "$TMP/$name.status" "$TMP/$name.json"
  timeout $((duration + 40)) "$PEER" --url "$URL" --user "$name" --password "$PASSWORD" \
    --stream 1 --duration "$duration" --status-file "$TMP/$name.status" \
    --report "$TMP/$name.json" "$@" >"$TMP/$name.out" 2>&1 &
  PEER_PIDS+=($!)
  eval "PID_$name=$!"
}

# wait_peer NAME: waits for the peer to exit; returns its exit status.
wait_peer() { local pid_var="PID_$1"; wait "${!pid_var}"; }

peer_connected() { jq -e '.connected_ms > 0' "$TMP/$1.status" >/dev/null; }

# Runs a command that prints a number; prints -1 instead when it fails or prints anything else,
# so a broken query can never satisfy a "== 0" check.
number() {
  local out; out=$("$@" 2>/dev/null) || out=""
  [[ $out =~ ^-?[0-9]+(\.[0-9]+)?$ ]] && echo "${out%%.*}" || echo -1
}

# Windows (100 ms) in which NAME's report heard HZ (within 15 Hz) as a slot's dominant tone.
heard_windows() {
  number jq --argjson hz "$3" '[.heard[] | select(((.hz - $hz) | if . < 0 then -. else . end) <= 15) | .windows] | add // 0' \
    "$TMP/$1.$2"
}
heard_last_ms() {
  number jq --argjson hz "$3" '[.heard[] | select(((.hz - $hz) | if . < 0 then -. else . end) <= 15) | .last_ms] | max // 0' \
    "$TMP/$1.$2"
}
heard_first_ms() {
  number jq --argjson hz "$3" '[.heard[] | select(((.hz - $hz) | if . < 0 then -. else . end) <= 15) | .first_ms] | min // 0' \
    "$TMP/$1.$2"
}
status_heard_at_least() { (( $(heard_windows "$1" status "$2") >= $3 )); }

# CSRC packets NAME saw carrying WHO's send SSRC, over all slots.
csrc_packets() {
  local ssrc; ssrc=$(jq '.send_ssrc' "$TMP/$2.json")
  number jq --arg s "$ssrc" '[.slots[].csrcs[$s] // 0] | add // 0' "$TMP/$1.json"
}

pass() { echo "PASS $1"; PASSES=$((PASSES + 1)); }
fail() { echo "FAIL $1: $2"; FAILURES=$((FAILURES + 1)); }

# Checks a peer ended well; prints the reason otherwise.
peer_ok() {
  local name=$1 status=$2
  if [[ $status -ne 0 ]]; then
    echo "peer $name exited $status: $(tail -1 "$TMP/$name.out")"
    return 1
  fi
  jq -e '.ok and .received.srtp_failures == 0' "$TMP/$name.json" >/dev/null ||
    { echo "peer $name report not ok: $(jq -c '{error, received}' "$TMP/$name.json")"; return 1; }
}

# --- tests -----------------------------------------------------------------------------------

# Three peers with 440/660/880 Hz: each hears exactly the other two, never its own voice.
test_three_tones() {
  local t=three_tones names=(tone_a_$RUN_ID tone_b_$RUN_ID tone_c_$RUN_ID) hz=(440 660 880)
  local i j why=""
  for i in 0 1 2; do start_peer "${names[i]}" 6 --tone "${hz[i]}"; done
  for i in 0 1 2; do
    local status=0; wait_peer "${names[i]}" || status=$?
    peer_ok "${names[i]}" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  [[ -n $why ]] && { fail $t "$why"; return; }
  for i in 0 1 2; do
    for j in 0 1 2; do
      local w; w=$(heard_windows "${names[i]}" json "${hz[j]}")
      if [[ $i -eq $j ]]; then
        (( w == 0 )) || why+="${names[i]} heard its own ${hz[j]} Hz ($w windows); "
        (( $(csrc_packets "${names[i]}" "${names[j]}") == 0 )) ||
          why+="${names[i]} got its own SSRC as a CSRC; "
      else
        (( w >= 25 )) || why+="${names[i]} heard ${hz[j]} Hz in only $w windows; "
        (( $(csrc_packets "${names[i]}" "${names[j]}") > 100 )) ||
          why+="${names[i]} saw few packets with ${names[j]}'s CSRC; "
      fi
    done
    local others; others=$(number jq '[.heard[] | select(.windows >= 10)] | length' "$TMP/${names[i]}.json")
    (( others == 2 )) || why+="${names[i]} heard $others distinct tones, want 2; "
  done
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# mute_test NAME MODE: three peers; the 660 Hz one is muted by the host (admin API) or by its
# own /rtc mute message; afterwards nobody hears 660 Hz while 440/880 go on.
mute_test() {
  local t=$1 mode=$2 a=${1}_a_$RUN_ID b=${1}_b_$RUN_ID c=${1}_c_$RUN_ID why="" mute_ms
  start_peer "$a" 8 --tone 440
  if [[ $mode == self ]]; then start_peer "$b" 8 --tone 660 --mute-after 2.5; else start_peer "$b" 8 --tone 660; fi
  start_peer "$c" 8 --tone 880
  if ! wait_for 20 status_heard_at_least "$a" 660 10 || ! wait_for 5 status_heard_at_least "$c" 660 10; then
    fail $t "660 Hz was never heard before muting"; return
  fi
  if [[ $mode == host ]]; then
    local uid; uid=$(jq '.user_id' "$TMP/$b.status")
    mute_ms=$(now_ms)
    local code; code=$(curl -s -o "$TMP/mute.out" -w '%{http_code}' -b "$SERVER_DIR/admin.jar" \
      -H 'Content-Type: application/json' -d '{}' "$URL/api/voice/streams/1/members/$uid/mute")
    [[ $code == 2* ]] || { fail $t "host mute returned $code $(cat "$TMP/mute.out")"; return; }
  fi
  local status name
  for name in "$a" "$b" "$c"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  [[ -n $why ]] && { fail $t "$why"; return; }
  [[ $mode == self ]] && mute_ms=$(number jq '.muted_at_ms' "$TMP/$b.json")
  for name in "$a" "$c"; do
    local last; last=$(heard_last_ms "$name" json 660)
    (( last <= mute_ms + 1000 )) || why+="$name heard 660 Hz $((last - mute_ms)) ms after the mute; "
    local other=440; [[ $name == "$a" ]] && other=880
    (( $(heard_last_ms "$name" json $other) >= mute_ms + 3000 )) ||
      why+="$name stopped hearing $other Hz too; "
  done
  local event; event=$(jq -c --argjson u "$(jq '.user_id' "$TMP/$b.json")" \
    '[.events.muted[] | select(.user_id == $u and .muted == true)] | first' "$TMP/$a.json")
  local want_by=host; [[ $mode == self ]] && want_by=self
  [[ $(jq -r '.by // ""' <<<"$event") == "$want_by" ]] ||
    why+="$a saw no muted event by $want_by for $b (got $event); "
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# Random and protocol-shaped garbage to the SFU port during a call: chorusd survives and the
# peers keep hearing each other.
test_garbage_datagrams() {
  local t=garbage_datagrams a=garbage_a_$RUN_ID b=garbage_b_$RUN_ID why=""
  start_peer "$a" 7 --tone 440
  start_peer "$b" 7 --tone 660
  if ! wait_for 20 status_heard_at_least "$a" 660 5 || ! wait_for 5 status_heard_at_least "$b" 440 5; then
    fail $t "the call did not start"; return
  fi
  local garbage_ms; garbage_ms=$(now_ms)
  /usr/bin/python3 - "$UDP_PORT" <<'EOF'
import os, random, socket, struct, sys
port = int(sys.argv[1])
rng = random.Random(7)
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(4)]
for i in range(3000):
    kind = i % 6
    body = os.urandom(rng.randint(0, 1400))
    if kind == 0:    # STUN-looking: binding request header, magic cookie, random attributes
        data = struct.pack("!HHI", 0x0001, len(body) & ~3, 0x2112A442) + os.urandom(12) + body
    elif kind == 1:  # DTLS-looking record header
        data = bytes([22, 0xFE, 0xFD]) + body
    elif kind == 2:  # RTP-looking, random SSRC
        data = bytes([0x80, 111]) + body
    elif kind == 3:  # RTCP-looking
        data = bytes([0x81, 200]) + body
    elif kind == 4:  # first byte outside every RFC 7983 range
        data = bytes([rng.choice([4, 10, 70, 100, 200, 255])]) + body
    else:            # pure noise, including empty datagrams
        data = body
    socks[i % 4].sendto(data, ("127.0.0.1", port))
EOF
  server_alive || why+="chorusd died or stopped answering /healthz after the garbage; "
  local status name
  for name in "$a" "$b"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  [[ -n $why ]] && { fail $t "$why"; return; }
  (( $(heard_last_ms "$a" json 660) >= garbage_ms + 3000 )) || why+="$a stopped hearing 660 Hz; "
  (( $(heard_last_ms "$b" json 440) >= garbage_ms + 3000 )) || why+="$b stopped hearing 440 Hz; "
  server_alive || why+="chorusd not healthy after the call; "
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# With --rtc-audio-slots 1 a listener gets one slot carrying only the loudest speaker.
test_k1_loudest() {
  local t=k1_loudest loud=k1_loud_$RUN_ID quiet=k1_quiet_$RUN_ID ear=k1_ear_$RUN_ID why=""
  stop_chorusd
  start_chorusd k1 --rtc-audio-slots 1 || { fail $t "chorusd with --rtc-audio-slots 1 did not start"; return; }
  start_peer "$loud" 16 --tone 440 --volume 0.5  # outlasts the others (they connect later)
  wait_for 15 peer_connected "$loud" || { fail $t "loud peer did not connect"; return; }
  start_peer "$quiet" 7 --tone 660 --volume 0.03
  start_peer "$ear" 6 --listen-only
  local status name
  for name in "$ear" "$quiet" "$loud"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  [[ -n $why ]] && { fail $t "$why"; return; }
  local slots; slots=$(number jq '.slots | length' "$TMP/$ear.json")
  (( slots == 1 )) || why+="listener got $slots slots, want 1; "
  (( $(heard_windows "$ear" json 440) >= 30 )) || why+="listener heard 440 Hz in only $(heard_windows "$ear" json 440) windows; "
  # Until the loud peer leaves, the quiet one must never reach the listener.
  local loud_left; loud_left=$(jq '.ended_ms' "$TMP/$loud.json")
  local early; early=$(number jq --argjson left "$loud_left" \
    '[.heard[] | select(((.hz - 660) | if . < 0 then -. else . end) <= 15 and .first_ms < $left)] | length' \
    "$TMP/$ear.json")
  (( early == 0 )) || why+="listener heard the quieter 660 Hz while the louder peer spoke; "
  [[ -z $why ]] && pass $t || fail $t "$why"
  # Same call, second check: "never one's own voice" must not cost the loudest speaker its K
  # slots: for the loud peer the loudest OTHER speaker is the quiet one (DESIGN.md: each
  # listener gets the K loudest speakers other than itself).
  local w; w=$(heard_windows "$loud" json 660)
  (( w >= 20 )) && pass k1_loudest_hears_next ||
    fail k1_loudest_hears_next "the loudest speaker heard the next loudest (660 Hz) in only $w windows: its single slot stays empty"
}

# A peer sending a WAV file (16 kHz, resampled by the peer) is heard at the file's frequency,
# and the listener's --record file holds what it heard.
test_wav_record() {
  local t=wav_record a=wav_a_$RUN_ID b=wav_b_$RUN_ID why=""
  /usr/bin/python3 - "$TMP/tone1000.wav" <<'EOF2'
import math, struct, sys, wave
with wave.open(sys.argv[1], "wb") as w:
    w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000)
    w.writeframes(b"".join(struct.pack("<h", int(12000 * math.sin(2 * math.pi * 1000 * i / 16000)))
                           for i in range(16000 * 2)))
EOF2
  start_peer "$a" 5 --wav "$TMP/tone1000.wav"
  start_peer "$b" 5 --tone 660 --record "$TMP/$b"
  local status name
  for name in "$a" "$b"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  [[ -n $why ]] && { fail $t "$why"; return; }
  (( $(heard_windows "$b" json 1000) >= 20 )) || why+="$b did not hear the WAV's 1000 Hz; "
  (( $(heard_windows "$a" json 660) >= 20 )) || why+="$a (sending a WAV) did not hear 660 Hz; "
  local size; size=$(stat -c %s "$TMP/$b-slot0.wav" 2>/dev/null || echo 0)
  (( size > 44 + 48000 * 2 * 2 )) || why+="recording $b-slot0.wav holds $size bytes, want > 2 s; "
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# room_patch BODY: PATCH /api/voice/streams/1/room as the admin; fails unless 200.
room_patch() {
  local code; code=$(curl -s -o "$TMP/patch.out" -w '%{http_code}' -b "$SERVER_DIR/admin.jar" \
    -X PATCH -H 'Content-Type: application/json' -d "$1" "$URL/api/voice/streams/1/room")
  [[ $code == 200 ]] || { echo "PATCH room $1 returned $code $(cat "$TMP/patch.out")"; return 1; }
}

# never_heard NAME HZ SENDER: prints why, when NAME (a finished peer) heard HZ or SENDER's SSRC.
never_heard() {
  local name=$1 hz=$2 sender=$3 why=""
  (( $(heard_windows "$name" json "$hz") == 0 )) ||
    why+="$name heard $hz Hz in $(heard_windows "$name" json "$hz") windows; "
  (( $(csrc_packets "$name" "$sender") == 0 )) || why+="$name got packets with $sender's CSRC; "
  printf '%s' "$why"
}

# Stage room: the admin (a moderator) speaks at 660 Hz; a member joins as a listener and sends
# 440 Hz the whole call. Nobody ever hears the listener (no 440 Hz, no packet with its CSRC),
# while the speaker is heard.
test_stage_listener() {
  local t=stage_listener talk=$ADMIN_USER lst=stage_lst_$RUN_ID ear=stage_ear_$RUN_ID why=""
  room_patch '{"mode":"stage","max_speakers":0}' >"$TMP/why" || { fail $t "$(cat "$TMP/why")"; return; }
  rm -f "$TMP/$talk.status" "$TMP/$talk.json"
  timeout 50 "$PEER" --url "$URL" --user "$ADMIN_USER" --password "$ADMIN_PASS" --stream 1 \
    --duration 8 --status-file "$TMP/$talk.status" --report "$TMP/$talk.json" --tone 660 \
    >"$TMP/$talk.out" 2>&1 &
  PEER_PIDS+=($!)
  eval "PID_$talk=$!"
  start_peer "$lst" 7 --tone 440
  start_peer "$ear" 6 --listen-only
  local status name
  for name in "$ear" "$lst" "$talk"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  room_patch '{"mode":"open"}' >/dev/null
  [[ -n $why ]] && { fail $t "$why"; return; }
  (( $(heard_windows "$ear" json 660) >= 20 )) || why+="$ear heard the speaker in only $(heard_windows "$ear" json 660) windows; "
  why+=$(never_heard "$ear" 440 "$lst")
  why+=$(never_heard "$talk" 440 "$lst")
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# Open room with max_speakers 1: the first peer (440 Hz) speaks; the second (660 Hz) is seated
# muted because the room is at its limit, and is never forwarded. On a fresh chorusd: peers of
# earlier tests stay seated (unmuted) until their presence times out, and would fill the limit.
test_speaker_limit() {
  local t=speaker_limit first=limit_a_$RUN_ID second=limit_b_$RUN_ID ear=limit_ear_$RUN_ID why=""
  stop_chorusd
  start_chorusd limit || { fail $t "chorusd did not start"; return; }
  room_patch '{"mode":"open","max_speakers":1}' >"$TMP/why" || { fail $t "$(cat "$TMP/why")"; return; }
  start_peer "$first" 9 --tone 440
  wait_for 15 peer_connected "$first" || { fail $t "first peer did not connect"; room_patch '{"max_speakers":0}'; return; }
  start_peer "$second" 7 --tone 660
  start_peer "$ear" 6 --listen-only
  local status name
  for name in "$ear" "$second" "$first"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  room_patch '{"max_speakers":0}' >/dev/null
  [[ -n $why ]] && { fail $t "$why"; return; }
  (( $(heard_windows "$ear" json 440) >= 20 )) || why+="$ear heard the first speaker in only $(heard_windows "$ear" json 440) windows; "
  why+=$(never_heard "$ear" 660 "$second")
  why+=$(never_heard "$first" 660 "$second")
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# With --rtc-audio-slots 1, pinning the quiet speaker through PATCH …/room gives it the single
# slot ahead of the louder one: before the pin the listener hears only 440 Hz, after it 660 Hz.
test_k1_pinned() {
  local t=k1_pinned loud=pin_loud_$RUN_ID quiet=pin_quiet_$RUN_ID ear=pin_ear_$RUN_ID why=""
  stop_chorusd
  start_chorusd pinned --rtc-audio-slots 1 || { fail $t "chorusd did not start"; return; }
  start_peer "$loud" 14 --tone 440 --volume 0.5
  wait_for 15 peer_connected "$loud" || { fail $t "loud peer did not connect"; return; }
  start_peer "$quiet" 12 --tone 660 --volume 0.03
  start_peer "$ear" 10 --listen-only
  if ! wait_for 20 status_heard_at_least "$ear" 440 10; then
    fail $t "the listener never heard the loud speaker"; return
  fi
  local uid; uid=$(jq '.user_id' "$TMP/$quiet.status")
  local pin_ms; pin_ms=$(now_ms)
  room_patch "{\"pinned\":[$uid]}" >"$TMP/why" || { fail $t "$(cat "$TMP/why")"; return; }
  local status name
  for name in "$ear" "$quiet" "$loud"; do
    status=0; wait_peer "$name" || status=$?
    peer_ok "$name" "$status" >"$TMP/why" || why+="$(cat "$TMP/why"); "
  done
  [[ -n $why ]] && { fail $t "$why"; return; }
  (( $(heard_windows "$ear" json 660) >= 20 )) || why+="the pinned 660 Hz was heard in only $(heard_windows "$ear" json 660) windows; "
  (( $(heard_first_ms "$ear" json 660) >= pin_ms - 200 )) || why+="660 Hz was heard before the pin; "
  (( $(heard_last_ms "$ear" json 440) <= pin_ms + 1500 )) || why+="440 Hz still held the slot $(( $(heard_last_ms "$ear" json 440) - pin_ms )) ms after the pin; "
  [[ -z $why ]] && pass $t || fail $t "$why"
}

# A peer that cannot sign in exits 2 with a clear message (and never reaches the media path).
test_join_refused() {
  local t=join_refused out=$TMP/refused.out status=0
  timeout 30 "$PEER" --url "$URL" --user "$ADMIN_USER" --password wrongpassword --stream 1 \
    --tone 440 --report "$TMP/refused.json" >"$out" 2>&1 || status=$?
  if [[ $status -eq 2 ]] && grep -q "login as $ADMIN_USER failed: 401" "$out" &&
     jq -e '.ok == false and .exit_code == 2' "$TMP/refused.json" >/dev/null; then
    pass $t
  else
    fail $t "exit $status, output: $(tail -1 "$out")"
  fi
}

# --- main ------------------------------------------------------------------------------------
TESTS=("$@")
[[ ${#TESTS[@]} -eq 0 ]] && TESTS=(join_refused three_tones host_mute self_mute garbage_datagrams wav_record stage_listener speaker_limit k1_loudest k1_pinned)
start_chorusd main || { echo "FAIL setup: chorusd did not start"; FAILURES=1; exit 1; }
for name in "${TESTS[@]}"; do
  case $name in
    three_tones) test_three_tones ;;
    host_mute) mute_test host_mute host ;;
    self_mute) mute_test self_mute self ;;
    garbage_datagrams) test_garbage_datagrams ;;
    wav_record) test_wav_record ;;
    join_refused) test_join_refused ;;
    k1_loudest) test_k1_loudest ;;
    stage_listener) test_stage_listener ;;
    speaker_limit) test_speaker_limit ;;
    k1_pinned) test_k1_pinned ;;
    *) fail "$name" "unknown test" ;;
  esac
  if [[ -n $SERVER_PID ]] && ! kill -0 "$SERVER_PID" 2>/dev/null; then
    fail "$name" "chorusd exited: $(tail -3 "$SERVER_DIR/chorusd.out")"
    start_chorusd "after_$name" || break
  fi
done
echo "media tests: $PASSES passed, $FAILURES failed"
[[ $FAILURES -eq 0 ]]
