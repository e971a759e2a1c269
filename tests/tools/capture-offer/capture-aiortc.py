#!/usr/bin/python3
"""Prints a python3-aiortc SDP offer: one sendrecv audio transceiver and 4 recvonly ones.

aiortc gathers host candidates during setLocalDescription (it binds sockets but sends nothing, and
with iceServers=[] it contacts no STUN server). Run with Debian's interpreter:
  /usr/bin/python3 tests/tools/capture-offer/capture-aiortc.py > tests/data/sdp/aiortc-offer.sdp
"""
import asyncio
import sys

from aiortc import RTCConfiguration, RTCPeerConnection


async def main() -> None:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("audio", direction="sendrecv")
    for _ in range(4):
        pc.addTransceiver("audio", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    sys.stdout.write(pc.localDescription.sdp)
    await pc.close()


asyncio.run(main())
