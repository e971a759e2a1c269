#!/usr/bin/python3
"""An independent WebRTC client for Chorus interop tests (python3-aiortc 1.4).

Registers (or logs in) a user over HTTP, joins a stream's voice channel
(POST /api/voice/streams/{id}/join), connects to the returned /rtc WebSocket with one sendrecv
audio transceiver carrying a sine tone plus K recvonly transceivers, and reports what it hears.

Output: one JSON object per line on stdout.
  {"event":"joined","user_id":N,"participant_id":"..","slots":[...]}
  {"event":"status","ice":"..","tracks":[{"mid":"1","frames":N,"rms":0.1,"dominant_hz":440.0,
   "age_s":0.02}],
   "slot_users":{"0":N}}   every --status-interval seconds (analysis of the last second heard)
  {"event":"error","message":".."}   then exit status 1
The peer runs until --duration elapses, SIGTERM/SIGINT, or (--stop-on-stdin-eof) its stdin
pipe closes; it then sends
{"type":"leave"} and exits 0. Run it with /usr/bin/python3 (Debian's aiortc, av, numpy).
"""

import argparse
import asyncio
import fractions
import http.cookiejar
import json
import math
import signal
import sys
import time
import urllib.error
import urllib.request

import numpy
import websockets
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCPeerConnection,
    RTCSessionDescription,
)
from av import AudioFrame

kSampleRate = 48000
kFrameSamples = 960  # 20 ms
kAnalysisSeconds = 1.0
kHttpTimeoutSeconds = 10


def Emit(event, **fields):
    """Writes one JSON status line to stdout."""
    print(json.dumps({"event": event, **fields}), flush=True)


class ToneTrack(MediaStreamTrack):
    """An audio track producing a 48 kHz mono s16 sine at `frequency` Hz, paced in real time."""

    kind = "audio"

    def __init__(self, frequency, amplitude=0.5):
        super().__init__()
        self.frequency_ = frequency
        self.amplitude_ = amplitude
        self.sample_index_ = 0
        self.start_ = None

    async def recv(self):
        if self.readyState != "live":
            raise Exception("track ended")  # aiortc's MediaStreamError is an Exception too
        if self.start_ is None:
            self.start_ = time.monotonic()
        else:
            due = self.start_ + self.sample_index_ / kSampleRate
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        n = numpy.arange(self.sample_index_, self.sample_index_ + kFrameSamples)
        wave = self.amplitude_ * numpy.sin(2 * math.pi * self.frequency_ * n / kSampleRate)
        samples = (wave * 32767).astype(numpy.int16).reshape(1, -1)
        frame = AudioFrame.from_ndarray(samples, format="s16", layout="mono")
        frame.sample_rate = kSampleRate
        frame.pts = self.sample_index_
        frame.time_base = fractions.Fraction(1, kSampleRate)
        self.sample_index_ += kFrameSamples
        return frame


class TrackAnalyzer:
    """Consumes a received audio track and keeps its last second of mono samples."""

    def __init__(self, mid, track):
        self.mid = mid
        self.track_ = track
        self.frames = 0
        self.sample_rate = kSampleRate
        self.window_ = numpy.zeros(0, dtype=numpy.float64)
        self.last_frame_at_ = None

    async def Run(self):
        while True:
            try:
                frame = await self.track_.recv()
            except Exception:  # MediaStreamError when the track ends
                return
            data = frame.to_ndarray().astype(numpy.float64) / 32768.0
            channels = len(frame.layout.channels)
            # Packed s16 arrives as shape (1, samples*channels): de-interleave and mix down.
            mono = data.reshape(-1, channels).mean(axis=1) if channels > 1 else data.reshape(-1)
            self.sample_rate = frame.sample_rate or kSampleRate
            self.frames += 1
            self.last_frame_at_ = time.monotonic()
            keep = int(self.sample_rate * kAnalysisSeconds)
            self.window_ = numpy.concatenate((self.window_, mono))[-keep:]

    def Summary(self):
        """Returns {mid, frames, rms, dominant_hz, age_s} for the last second heard; age_s is
        the time since the last frame (None before any), so a stale window can be told apart."""
        window = self.window_
        age = None if self.last_frame_at_ is None else time.monotonic() - self.last_frame_at_
        if window.size < 1024:
            return {"mid": self.mid, "frames": self.frames, "rms": 0.0, "dominant_hz": None,
                    "age_s": None}
        rms = float(numpy.sqrt(numpy.mean(window**2)))
        spectrum = numpy.abs(numpy.fft.rfft(window * numpy.hanning(window.size)))
        spectrum[0:3] = 0  # ignore DC
        peak = int(numpy.argmax(spectrum))
        dominant = peak * self.sample_rate / window.size
        return {
            "mid": self.mid,
            "frames": self.frames,
            "rms": round(rms, 5),
            "dominant_hz": round(dominant, 1),
            "age_s": round(age, 2),
        }


class ChorusHttp:
    """A tiny cookie-keeping JSON client for the Chorus REST API (stdlib only)."""

    def __init__(self, base_url):
        self.base_url_ = base_url.rstrip("/")
        self.opener_ = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def Post(self, path, body):
        """POSTs JSON; returns (status, parsed JSON or None)."""
        request = urllib.request.Request(
            self.base_url_ + path,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        try:
            with self.opener_.open(request, timeout=kHttpTimeoutSeconds) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            text = error.read()
            try:
                return error.code, json.loads(text)
            except ValueError:
                return error.code, {"raw": text.decode(errors="replace")}


def JoinVoice(base_url, username, password, stream_id):
    """Registers (or logs in) and joins the stream's voice; returns the join reply."""
    client = ChorusHttp(base_url)
    credentials = {"username": username, "password": password}
    status, body = client.Post("/api/auth/register", credentials)
    if status == 409:
        status, body = client.Post("/api/auth/login", credentials)
    if status not in (200, 201):
        raise RuntimeError(f"register/login answered {status}: {body}")
    status, body = client.Post(f"/api/voice/streams/{stream_id}/join", {})
    if status != 200 or not isinstance(body, dict) or "token" not in body:
        raise RuntimeError(f"voice join answered {status}: {body}")
    return client, body


async def Heartbeat(client, stream_id, interval_s):
    """Keeps voice presence alive (POST .../heartbeat), as the GUI does; reports refusals."""
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(interval_s)
        status, body = await loop.run_in_executor(
            None, client.Post, f"/api/voice/streams/{stream_id}/heartbeat", {}
        )
        if status != 200:
            Emit("heartbeat_refused", status=status, body=body)


async def Run(args, stop):
    client, join = await asyncio.get_running_loop().run_in_executor(
        None, JoinVoice, args.base_url, args.username, args.password, args.stream_id
    )
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    analyzers = []
    interval_s = join.get("heartbeat_interval_ms", 10000) / 1000.0
    tasks = [asyncio.ensure_future(Heartbeat(client, args.stream_id, interval_s))]
    slot_users = {}
    try:
        pc.addTransceiver(ToneTrack(args.freq), direction="sendrecv")
        for _ in range(args.slots):
            pc.addTransceiver("audio", direction="recvonly")

        @pc.on("track")
        def OnTrack(track):
            mid = next((t.mid for t in pc.getTransceivers() if t.receiver.track is track), None)
            analyzer = TrackAnalyzer(mid, track)
            analyzers.append(analyzer)
            tasks.append(asyncio.ensure_future(analyzer.Run()))

        await pc.setLocalDescription(await pc.createOffer())  # aiortc gathers before returning
        async with websockets.connect(join["sfu_url"], max_size=1 << 20, open_timeout=10) as ws:
            await ws.send(
                json.dumps(
                    {"type": "join", "token": join["token"], "offer": pc.localDescription.sdp}
                )
            )
            early = []  # messages the server sent before "joined" (recorded, then applied)
            while True:
                reply = json.loads(await asyncio.wait_for(ws.recv(), 10))
                if reply.get("type") == "joined":
                    break
                if reply.get("type") in ("error", "kicked"):
                    raise RuntimeError(f"/rtc answered {reply}")
                early.append(reply)
                if reply.get("type") == "slot":
                    slot_users[str(reply.get("index"))] = reply.get("user_id")
            await pc.setRemoteDescription(RTCSessionDescription(sdp=reply["answer"], type="answer"))
            Emit(
                "joined",
                user_id=reply.get("user_id"),
                participant_id=reply.get("participant_id"),
                slots=reply.get("slots"),
                before_joined=early,
                answer=reply["answer"] if args.print_answer else None,
            )

            async def ReadSignaling():
                async for text in ws:
                    message = json.loads(text)
                    if args.print_messages:
                        Emit("message", message=message)
                    if message.get("type") == "slot":
                        slot_users[str(message.get("index"))] = message.get("user_id")
                    elif message.get("type") in ("error", "kicked"):
                        Emit("server", message=message)

            reader = asyncio.ensure_future(ReadSignaling())
            deadline = time.monotonic() + args.duration
            while not stop.is_set() and time.monotonic() < deadline and not reader.done():
                try:
                    await asyncio.wait_for(stop.wait(), args.status_interval)
                except asyncio.TimeoutError:
                    pass
                Emit(
                    "status",
                    ice=pc.iceConnectionState,
                    connection=pc.connectionState,
                    tracks=[a.Summary() for a in analyzers],
                    slot_users=slot_users,
                )
            if reader.done() and reader.exception() is not None:
                raise RuntimeError(f"/rtc socket failed: {reader.exception()}")
            if not reader.done():
                await ws.send(json.dumps({"type": "leave"}))
                reader.cancel()
    finally:
        for task in tasks:
            task.cancel()
        await pc.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True, help="chorusd, e.g. http://127.0.0.1:8080")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", default="interop-password-1")
    parser.add_argument("--stream-id", type=int, default=1)
    parser.add_argument("--freq", type=float, default=660.0, help="tone sent, Hz")
    parser.add_argument("--slots", type=int, default=4, help="recvonly transceivers")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds before leaving")
    parser.add_argument("--status-interval", type=float, default=1.0)
    parser.add_argument("--print-answer", action="store_true")
    parser.add_argument(
        "--print-messages", action="store_true", help="print every /rtc message after joined"
    )
    parser.add_argument(
        "--stop-on-stdin-eof", action="store_true", help="leave when stdin closes (a pipe)"
    )
    args = parser.parse_args()

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.stop_on_stdin_eof:
        loop.add_reader(sys.stdin, lambda: (sys.stdin.read(1) or stop.set()))
    try:
        loop.run_until_complete(Run(args, stop))
    except Exception as error:  # report any failure as a status line
        Emit("error", message=f"{type(error).__name__}: {error}")
        sys.exit(1)
    finally:
        loop.close()


if __name__ == "__main__":
    main()
