#!/usr/bin/env bash
# Media benchmark: R rooms x (S speakers + L listeners) of chorus-peer processes against one
# chorusd on loopback. Peers run in --bench mode (timestamped payloads instead of Opus, counted
# but not decoded), so the load measured is chorusd's forwarding: SRTP unprotect, speaker
# detection, per-listener rewrite, SRTP protect, send.
#
#   bench/media/run-media-bench.sh [BUILD_DIR] [-r ROOMS] [-s SPEAKERS] [-l LISTENERS]
#                                  [-d SECONDS] [-w RTC_WORKERS] [-k SLOTS]
#
# Prints one JSON object: forwarded packets/s (sum over listeners), chorusd CPU seconds per
# second, forwarded packets per CPU-second, listener streams per core at 50 packets/s, the
# one-way delay p50/p99 speaker -> SFU -> listener (all on one machine's monotonic clock), and
# chorusd's peak RSS. The peers share the machine's cores with chorusd: quote ratios from one run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$ROOT/build
if [[ $# -gt 0 && $1 != -* ]]; then BUILD=$1; shift; fi
ROOMS=2 SPEAKERS=2 LISTENERS=10 DURATION=20 WORKERS=0 SLOTS=""
while getopts "r:s:l:d:w:k:" opt; do
  case $opt in
    r) ROOMS=$OPTARG ;; s) SPEAKERS=$OPTARG ;; l) LISTENERS=$OPTARG ;;
    d) DURATION=$OPTARG ;; w) WORKERS=$OPTARG ;; k) SLOTS=$OPTARG ;;
    *) echo "usage: $0 [BUILD_DIR] [-r rooms] [-s speakers] [-l listeners] [-d s] [-w workers] [-k slots]" >&2; exit 1 ;;
  esac
done
CHORUSD=${CHORUSD:-$BUILD/chorusd}
PEER=${CHORUS_PEER:-$BUILD/chorus-peer}
for tool in "$CHORUSD" "$PEER"; do [[ -x $tool ]] || { echo "$tool not built" >&2; exit 2; }; done

TMP=$(mktemp -d /tmp/chorus-media-bench.XXXXXX)
SERVER_PID=""
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  [[ -n $SERVER_PID ]] && kill -TERM "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  [[ -z ${KEEP_TMP:-} ]] && rm -rf "$TMP"
}
trap cleanup EXIT

now_ms() { date +%s%3N; }
free_port() {
  /usr/bin/python3 -c "import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1]=='tcp' else socket.SOCK_DGRAM); s.bind(('127.0.0.1',0)); print(s.getsockname()[1])" "$1"
}
wait_for() {
  local seconds=$1; shift
  local deadline=$(( $(now_ms) + seconds * 1000 ))
  until "$@" 2>/dev/null; do (( $(now_ms) > deadline )) && return 1; sleep 0.2; done
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }

PORT=$(free_port tcp) UDP_PORT=$(free_port udp) URL=http://127.0.0.1:$PORT
MEMBERS=$((SPEAKERS + LISTENERS + 10))
SERVER_FLAGS=(--listen 127.0.0.1:"$PORT" --data-dir "$TMP" --log-dir "$TMP/logs" --log-level warn
  --rtc-udp-port "$UDP_PORT" --rtc-announce-ip 127.0.0.1 --rtc-workers "$WORKERS"
  --voice-max-members "$MEMBERS")
[[ -n $SLOTS ]] && SERVER_FLAGS+=(--rtc-audio-slots "$SLOTS")
CHORUS_BOOTSTRAP_ADMIN=admin:adminpass123 "$CHORUSD" "${SERVER_FLAGS[@]}" >"$TMP/chorusd.out" 2>&1 &
SERVER_PID=$!
wait_for 20 curl -sf "$URL/healthz" -o /dev/null || { tail "$TMP/chorusd.out" >&2; exit 2; }
curl -sf -c "$TMP/admin.jar" -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"adminpass123"}' "$URL/api/auth/login" -o /dev/null

# Room 1 is the demo stream; the others are created as voice-enabled streams.
STREAMS=(1)
for ((r = 2; r <= ROOMS; r++)); do
  id=$(curl -sf -b "$TMP/admin.jar" -H 'Content-Type: application/json' \
    -d "{\"title\":\"bench room $r\",\"voice_enabled\":true}" "$URL/api/streams" | jq '.id')
  [[ $id =~ ^[0-9]+$ ]] || { echo "cannot create stream $r" >&2; exit 2; }
  STREAMS+=("$id")
done

# Peers run for the measurement window plus time to connect everyone.
PEER_SECONDS=$((DURATION + 15))
start_peer() {  # NAME STREAM FLAGS...
  local name=$1 stream=$2; shift 2
  "$PEER" --url "$URL" --user "$name" --password benchpass123 --stream "$stream" --bench \
    --duration "$PEER_SECONDS" --connect-timeout 30 --status-file "$TMP/$name.status" \
    --report "$TMP/$name.json" "$@" >"$TMP/$name.out" 2>&1 &
  PIDS+=($!)
}
LISTENER_NAMES=()
for ((r = 0; r < ROOMS; r++)); do
  for ((s = 0; s < SPEAKERS; s++)); do
    # Distinct levels so the speaker ranking is stable.
    start_peer "r${r}s${s}" "${STREAMS[r]}" --tone $((300 + 100 * s)) --volume "0.$((9 - s % 9))"
  done
  for ((l = 0; l < LISTENERS; l++)); do
    start_peer "r${r}l${l}" "${STREAMS[r]}" --listen-only
    LISTENER_NAMES+=("r${r}l${l}")
  done
done
TOTAL=$((ROOMS * (SPEAKERS + LISTENERS)))
all_connected() {
  local n; n=$(cat "$TMP"/*.status 2>/dev/null | jq -s '[.[] | select(.connected_ms > 0)] | length')
  (( n == TOTAL ))
}
wait_for 60 all_connected || { echo "only some peers connected; see $TMP" >&2; KEEP_TMP=1; exit 3; }

received() {  # forwarded packets received by all listeners so far
  local files=(); for n in "${LISTENER_NAMES[@]}"; do files+=("$TMP/$n.status"); done
  jq -s '[.[].received.rtp_packets] | add' "${files[@]}"
}
sleep 3  # let speaker detection settle before measuring
TICKS_PER_S=$(getconf CLK_TCK)
t0=$(now_ms) c0=$(cpu_ticks) p0=$(received)
sleep "$DURATION"  # the measurement window
t1=$(now_ms) c1=$(cpu_ticks) p1=$(received)
RSS_KB=$(awk '/VmHWM/ {print $2}' "/proc/$SERVER_PID/status")

for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
PIDS=()
LAT=$(for n in "${LISTENER_NAMES[@]}"; do jq -c '.latency_ms // empty' "$TMP/$n.json"; done |
  jq -s '{p50_median: ([.[].p50] | sort | .[length/2|floor]), p99_max: ([.[].p99] | max)}')

/usr/bin/python3 - "$t0" "$t1" "$c0" "$c1" "$p0" "$p1" "$TICKS_PER_S" "$RSS_KB" "$LAT" \
  "$ROOMS" "$SPEAKERS" "$LISTENERS" "$WORKERS" "${SLOTS:-default}" <<'EOF'
import json, sys
t0, t1, c0, c1, p0, p1, hz, rss = map(float, sys.argv[1:9])
lat = json.loads(sys.argv[9])
seconds = (t1 - t0) / 1000
cpu = (c1 - c0) / hz
pps = (p1 - p0) / seconds
per_cpu = (p1 - p0) / cpu if cpu > 0 else None
print(json.dumps({
    "rooms": int(sys.argv[10]), "speakers": int(sys.argv[11]), "listeners": int(sys.argv[12]),
    "rtc_workers": sys.argv[13], "slots": sys.argv[14], "window_s": round(seconds, 2),
    "forwarded_packets_per_s": round(pps, 1),
    "chorusd_cpu_s_per_s": round(cpu / seconds, 3),
    "forwarded_packets_per_cpu_s": round(per_cpu, 1) if per_cpu else None,
    "listener_streams_per_core_at_50pps": round(per_cpu / 50, 1) if per_cpu else None,
    "latency_ms": lat, "chorusd_peak_rss_mb": round(rss / 1024, 1)}))
EOF
