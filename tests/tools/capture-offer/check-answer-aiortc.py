#!/usr/bin/python3
"""Shows that python3-aiortc accepts Chorus's answer: aiortc offers 1 sendrecv + 4 recvonly audio
transceivers, our sdp-answer tool answers, aiortc applies it; prints each transceiver's mid and
currentDirection and the remote tracks, exits 1 when a check fails.
Run inside a test network namespace (aiortc gathers host candidates and starts ICE checks after
setRemoteDescription; see TESTING.md):
  ip netns exec NS /usr/bin/python3 check-answer-aiortc.py /tmp/sdp-answer 10.78.0.1
"""
import asyncio
import subprocess
import sys

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription


async def main(tool: str, announce_ip: str) -> int:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    tracks = []
    pc.on("track", lambda track: tracks.append(track))
    pc.addTransceiver("audio", direction="sendrecv")
    for _ in range(4):
        pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    answer = subprocess.run([tool, announce_ip, "40000"], input=pc.localDescription.sdp.encode(),
                            check=True, capture_output=True).stdout.decode()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
    directions = [(t.mid, t.currentDirection) for t in pc.getTransceivers()]
    print("transceivers:", directions)
    print("remote tracks:", len(tracks))
    await pc.close()
    expected = [("0", "sendonly")] + [(str(i), "recvonly") for i in range(1, 5)]
    ok = directions == expected and len(tracks) == 4
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
