#!/usr/bin/env bash
# Soak: many media peers and SSE listeners against one chorusd for a long time; chorusd's RSS and
# open file descriptors must stay flat after the warm-up.
#
#   tests/faults/soak.sh [BUILD_DIR] [--minutes 30] [--peers 200] [--rooms 10] [--speakers 2]
#                        [--churn-peers 20] [--sse 100] [--churn-sse 20] [--warmup-minutes 5]
#                        [--backend postgres-redis|sqlite] [--csv-out FILE]
#
# Starts its own Postgres + Redis (or SQLite + in-process state) and chorusd on loopback, makes
# ROOMS voice-enabled streams, and runs for MINUTES in all (setup included):
# - PEERS chorus-peer processes in --bench mode (timestamped payloads, not decoded): SPEAKERS per
#   room send, the others listen. PEERS - CHURN_PEERS of them stay for the whole run; CHURN_PEERS
#   slots each run one peer after another for 30-90 s (join, media, leave), so joins, /rtc
#   sockets, DTLS sessions and SFU participants are created and destroyed all along. At most
#   PEERS peers run at once; each is bounded by its --duration and `timeout`.
# - SSE listeners (tests/faults/tools/sse-listeners.mjs): SSE held for the whole run and
#   CHURN_SSE that reconnect with Last-Event-ID every 15-45 s.
# Every 10 s it samples chorusd's VmRSS, open fds (/proc/PID/fd), threads, CPU time, the load
# average, live peers and the SSE/voice gauges of /metrics into samples.csv (copied to --csv-out;
# the temp dir is kept on failure or with KEEP_TMP=1). Checks:
#   flat        after the warm-up (max(WARMUP, all steady peers connected + 60 s)), RSS and fds
#               do not drift: |least-squares slope x window| <= max(8 MiB, 3 % of the median) for
#               the lowest RSS sample of each minute (argon2id maps 64 MiB per login while it
#               hashes: transient spikes), and <= max(10, 3 % of the median) for the fd samples
#               (tests/faults/tools/soak_analyze.py)
#   alive       chorusd ran the whole time
#   media       >= 95 % of the steady peers ended their call normally (exit 0, ok report) and
#               >= 90 % of the churn cycles did
#   sse         the SSE listeners stayed connected (open streams >= 95 % of them in every sample
#               after the warm-up)
set -uo pipefail
DRILL=soak
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
MINUTES=30 PEERS=200 ROOMS=10 SPEAKERS=2 CHURN_PEERS=20 SSE=100 CHURN_SSE=20 WARMUP_MIN=5
BACKEND=postgres-redis
CSV_OUT=""
BUILD_ARG=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --minutes) MINUTES=$2; shift 2 ;;
    --peers) PEERS=$2; shift 2 ;;
    --rooms) ROOMS=$2; shift 2 ;;
    --speakers) SPEAKERS=$2; shift 2 ;;
    --churn-peers) CHURN_PEERS=$2; shift 2 ;;
    --sse) SSE=$2; shift 2 ;;
    --churn-sse) CHURN_SSE=$2; shift 2 ;;
    --warmup-minutes) WARMUP_MIN=$2; shift 2 ;;
    --backend) BACKEND=$2; shift 2 ;;
    --csv-out) CSV_OUT=$2; shift 2 ;;
    -*) echo "usage: $0 [BUILD_DIR] [--minutes N] [--peers N] [--rooms N] [--speakers N] [--churn-peers N] [--sse N] [--churn-sse N] [--warmup-minutes N] [--backend postgres-redis|sqlite]" >&2; exit 1 ;;
    *) BUILD_ARG=$1; shift ;;
  esac
done
faults_init "$BUILD_ARG"
TOOLS=$FAULTS_ROOT/tests/faults/tools
STEADY=$((PEERS - CHURN_PEERS))
PER_ROOM=$(( (STEADY + ROOMS - 1) / ROOMS ))
(( STEADY > 0 && ROOMS > 0 && SPEAKERS < PER_ROOM )) || { echo "FAIL setup: bad peer/room counts"; exit 1; }
echo "soak: $MINUTES min, $PEERS peers ($STEADY steady in $ROOMS rooms with $SPEAKERS speakers each, $CHURN_PEERS churning), $SSE + $CHURN_SSE SSE listeners, backend $BACKEND, nice $(nice)"

# 200 peers: 200 /rtc sockets and 200 UDP flows on chorusd, plus the listeners.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
if [[ $BACKEND == postgres-redis ]]; then start_postgres; start_redis; fi
start_chorusd main --voice-max-members $((PER_ROOM + CHURN_PEERS + 10)) || { fail setup "chorusd did not start"; finish; }
STREAMS=(1)
for ((r = 2; r <= ROOMS; r++)); do
  id=$(curl -sf -b "$TMP/admin.jar" -H 'Content-Type: application/json' \
    -d "{\"title\":\"soak room $r\",\"voice_enabled\":true}" "$URL/api/streams" | jq '.id')
  [[ $id =~ ^[0-9]+$ ]] || { fail setup "cannot create stream $r"; finish; }
  STREAMS+=("$id")
done

T_START=$(now_ms)
T_END=$((T_START + MINUTES * 60000))          # every peer is gone by then
T_SAMPLE_END=$((T_END - 30000))               # sampling stops before the peers start leaving
PEER_DIR=$TMP/peers
mkdir -p "$PEER_DIR"
STOP=$TMP/stop

# launch_peer NAME STREAM FLAGS...: one bench peer lasting until about T_END.
launch_peer() {
  local name=$1 stream=$2; shift 2
  local duration=$(( (T_END - $(now_ms)) / 1000 - 15 ))
  (( duration > 5 )) || return 1
  rm -f "$PEER_DIR/$name.status" "$PEER_DIR/$name.json"
  timeout $((duration + 60)) "$PEER" --url "$URL" --user "$name" --password "$PEER_PASS" \
    --stream "$stream" --bench --duration "$duration" --connect-timeout 60 \
    --status-file "$PEER_DIR/$name.status" --report "$PEER_DIR/$name.json" "$@" \
    >"$PEER_DIR/$name.out" 2>&1 &
  PEER_PIDS+=($!)
  eval "PID_$name=$!"
}
connected_or_gone() {
  local v="PID_$1"
  jq -e '.connected_ms > 0' "$PEER_DIR/$1.status" >/dev/null 2>&1 || ! kill -0 "${!v}" 2>/dev/null
}

# Sampling every 10 s from the start (setup included) until T_SAMPLE_END, in the background.
CSV=$TMP/samples.csv
echo "elapsed_s,rss_kb,fds,threads,cpu_s,load1,peers_live,sse_open,voice_members,http_open" >"$CSV"
TICKS=$(getconf CLK_TCK)
metric() { awk -v m="$1" '$1 == m {print $2; exit}' <<<"$2"; }
sample_loop() {
  local next_sample st rss threads fds cpu load live m
  next_sample=$(now_ms)
  while (( $(now_ms) < T_SAMPLE_END )) && [[ ! -e $STOP ]] && kill -0 "$CHORUSD_PID" 2>/dev/null; do
    if (( $(now_ms) >= next_sample )); then
      next_sample=$((next_sample + 10000))
      st=/proc/$CHORUSD_PID
      rss=$(awk '/^VmRSS/ {print $2}' "$st/status")
      threads=$(awk '/^Threads/ {print $2}' "$st/status")
      fds=$(find "$st/fd" -mindepth 1 2>/dev/null | wc -l)
      cpu=$(awk -v hz="$TICKS" '{printf "%.1f", ($14 + $15) / hz}' "$st/stat")
      load=$(cut -d' ' -f1 /proc/loadavg)
      live=$(find "$PEER_DIR" -name '*.status' -newermt '-5 seconds' 2>/dev/null | wc -l)
      m=$(curl -s -m 5 "$URL/metrics")
      echo "$(( ($(now_ms) - T_START) / 1000 )),$rss,$fds,$threads,$cpu,$load,$live,$(metric chorus_voice_sse_clients "$m"),$(metric chorus_voice_members "$m"),$(metric chorus_http_open_connections "$m")" >>"$CSV"
    fi
    sleep 0.5   # poll interval of the sampling loop
  done
}
sample_loop &
SAMPLER_PID=$!
BG_PIDS+=("$SAMPLER_PID")

# SSE listeners first (their accounts sign in while the server is idle).
node "$TOOLS/sse-listeners.mjs" --url "$URL" --streams "$(IFS=,; echo "${STREAMS[*]}")" \
  --users 10 --prefix "soak_sse$$" --password "$PEER_PASS" --steady "$SSE" --churn "$CHURN_SSE" \
  --churn-period-s 30 --duration-s $(( (T_SAMPLE_END - $(now_ms)) / 1000 + 10 )) --stop-file "$STOP" \
  --status-file "$TMP/sse.status" >"$TMP/sse.out" 2>&1 &
SSE_PID=$!
BG_PIDS+=("$SSE_PID")

# Steady peers, in batches of 10 (each registers: argon2id on a pool with a capped queue).
STEADY_NAMES=()
batch=()
for ((i = 0; i < STEADY; i++)); do
  r=$((i % ROOMS)) k=$((i / ROOMS))
  name=soak${$}_r${r}_$k
  if (( k < SPEAKERS )); then
    launch_peer "$name" "${STREAMS[r]}" --tone $((300 + 100 * k)) --volume "0.$((9 - k % 9))"
  else
    launch_peer "$name" "${STREAMS[r]}" --listen-only
  fi
  STEADY_NAMES+=("$name")
  batch+=("$name")
  if (( ${#batch[@]} == 10 || i == STEADY - 1 )); then
    for n in "${batch[@]}"; do wait_for 120 connected_or_gone "$n"; done
    batch=()
  fi
done
steady_connected() {
  local n c=0
  for n in "${STEADY_NAMES[@]}"; do
    jq -e '.connected_ms > 0' "$PEER_DIR/$n.status" >/dev/null 2>&1 && c=$((c + 1))
  done
  echo $c
}
T_SETUP=$(now_ms)
SETUP_CONNECTED=$(steady_connected)
echo "steady peers connected: $SETUP_CONNECTED of $STEADY after $(( (T_SETUP - T_START) / 1000 )) s"
figure setup "$SETUP_CONNECTED of $STEADY steady peers connected $(( (T_SETUP - T_START) / 1000 )) s after the start; chorusd peak RSS during setup $(awk '/VmHWM/ {print $2}' /proc/$CHORUSD_PID/status) kB"

# Churn slots: each runs peers of 30-90 s one after another until the end.
churn_slot() {
  local k=$1 n=0 name stream duration status
  name=soak${$}_c$k
  stream=${STREAMS[$((k % ROOMS))]}
  while (( $(now_ms) + 45000 < T_SAMPLE_END )) && [[ ! -e $STOP ]]; do
    duration=$((30 + RANDOM % 61))
    (( duration > (T_SAMPLE_END - $(now_ms)) / 1000 - 15 )) && duration=$(( (T_SAMPLE_END - $(now_ms)) / 1000 - 15 ))
    rm -f "$PEER_DIR/$name.status"
    status=0
    timeout $((duration + 60)) "$PEER" --url "$URL" --user "$name" --password "$PEER_PASS" \
      --stream "$stream" --bench --listen-only --duration "$duration" --connect-timeout 60 \
      --status-file "$PEER_DIR/$name.status" --report "$PEER_DIR/$name.json" \
      >>"$PEER_DIR/$name.out" 2>&1 || status=$?
    echo "$status" >>"$TMP/churn-exits"
    n=$((n + 1))
  done
}
CHURN_PIDS=()
for ((k = 0; k < CHURN_PEERS; k++)); do churn_slot "$k" & CHURN_PIDS+=($!); done
BG_PIDS+=("${CHURN_PIDS[@]}")

# The soak itself: watch chorusd until T_SAMPLE_END.
ALIVE=1
while (( $(now_ms) < T_SAMPLE_END )); do
  if ! kill -0 "$CHORUSD_PID" 2>/dev/null; then ALIVE=0; break; fi
  sleep 0.5   # poll interval of a bounded, timed phase
done
touch "$STOP"
wait "$SAMPLER_PID" 2>/dev/null
figure samples "$(($(wc -l <"$CSV") - 1)) rows in $CSV"

# The peers end by themselves (their --duration); wait for them, bounded by `timeout`.
STEADY_OK=0
for n in "${STEADY_NAMES[@]}"; do
  v="PID_$n"; status=0; wait "${!v}" || status=$?
  if [[ $status -eq 0 ]] && jq -e '.ok' "$PEER_DIR/$n.json" >/dev/null 2>&1; then
    STEADY_OK=$((STEADY_OK + 1))
  else
    echo "steady peer $n: exit $status, $(tail -1 "$PEER_DIR/$n.out")" >>"$TMP/steady-failures"
  fi
done
[[ -s $TMP/steady-failures ]] && head -20 "$TMP/steady-failures"
for pid in "${CHURN_PIDS[@]}"; do wait "$pid" 2>/dev/null; done
wait "$SSE_PID" 2>/dev/null
CHURN_RUNS=$(wc -l <"$TMP/churn-exits" 2>/dev/null || echo 0)
CHURN_OK=$(grep -cx 0 "$TMP/churn-exits" 2>/dev/null || echo 0)
SSE_FINAL=$(tail -1 "$TMP/sse.out")

# --- figures and checks ------------------------------------------------------------------------
WARMUP_S=$(( WARMUP_MIN * 60 ))
setup_s=$(( (T_SETUP - T_START) / 1000 + 60 ))
(( setup_s > WARMUP_S )) && WARMUP_S=$setup_s
ANALYSIS=$(/usr/bin/python3 "$TOOLS/soak_analyze.py" "$CSV" "$WARMUP_S")
figure warmup_s "$WARMUP_S"
figure rss_fds "$ANALYSIS"
figure chorusd "peak RSS $(awk '/VmHWM/ {print $2}' /proc/$CHORUSD_PID/status 2>/dev/null) kB; CPU $(tail -1 "$CSV" | cut -d, -f5) s over $(tail -1 "$CSV" | cut -d, -f1) s"
figure load_after_warmup "$(/usr/bin/python3 -c 'import csv,statistics,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if float(x["elapsed_s"]) >= float(sys.argv[2])] or [{"load1": 0, "peers_live": 0, "cpu_s": 0, "elapsed_s": 1}]; l=[float(x["load1"]) for x in r]; p=[int(x["peers_live"]) for x in r]; c=(float(r[-1]["cpu_s"]) - float(r[0]["cpu_s"])) / max(float(r[-1]["elapsed_s"]) - float(r[0]["elapsed_s"]), 1); print(f"load1 median {statistics.median(l):.1f} max {max(l):.1f}; chorusd {c:.2f} CPU-s/s; peers with a fresh status file median {statistics.median(p)} min {min(p)}")' "$CSV" "$WARMUP_S")"
figure peers "steady ok $STEADY_OK of $STEADY; churn cycles ok $CHURN_OK of $CHURN_RUNS"
figure sse "$SSE_FINAL"

check alive "$( ((ALIVE)) || echo "chorusd exited during the soak: $(tail -3 "$SERVER_DIR"/chorusd-main.out)")"
if jq -e '.flat' <<<"$ANALYSIS" >/dev/null; then pass flat; else fail flat "RSS/fds drift over bound: $ANALYSIS"; fi
why=""
(( STEADY_OK * 100 >= STEADY * 95 )) || why+="only $STEADY_OK of $STEADY steady peers ended well; "
(( CHURN_RUNS == 0 || CHURN_OK * 100 >= CHURN_RUNS * 90 )) || why+="only $CHURN_OK of $CHURN_RUNS churn cycles ended well; "
check media "$why"
SSE_LOW=$(awk -F, -v w="$WARMUP_S" -v want=$(( (SSE + CHURN_SSE) * 95 / 100 )) \
  'NR > 1 && $1 >= w && $8 < want {n++} END {print n + 0}' "$CSV")
check sse "$( ((SSE_LOW == 0)) || echo "$SSE_LOW samples after the warm-up had fewer than 95 % of the SSE listeners open")"
[[ -n $CSV_OUT ]] && cp "$CSV" "$CSV_OUT"
finish
