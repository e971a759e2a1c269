#!/usr/bin/python3
"""Audio timeline of chorus-peer participants for the fault drills.

sample: polls the peers' --status-file reports every 100 ms (chorus-peer rewrites them every
0.5 s) and appends a CSV row whenever a peer's count of heard 100 ms tone windows at the
expected frequency or its received RTP packets changes: t_ms,peer,heard_windows,rtp_packets.
Stops when STOP_FILE exists or after MAX_S seconds.

    audio_timeline.py sample OUT.csv STOP_FILE MAX_S NAME:STATUS_FILE:HZ [...]

gaps: for each peer, the longest stretch between two increases of heard windows inside
[FROM_MS, TO_MS] (counting from FROM_MS to the first increase and from the last increase to
TO_MS), and the heard windows per second in that span. Prints one JSON object.

    audio_timeline.py gaps OUT.csv FROM_MS TO_MS
"""
import csv
import json
import os
import sys
import time


def tone_windows(report, hz):
    return sum(h.get("windows", 0) for h in report.get("heard", []) if abs(h.get("hz", 0) - hz) <= 15)


def sample(out, stop_file, max_s, specs):
    peers = []
    for spec in specs:
        name, path, hz = spec.rsplit(":", 2)
        peers.append((name, path, float(hz)))
    last = {}
    deadline = time.time() + float(max_s)
    with open(out, "a", newline="") as f:
        w = csv.writer(f)
        while time.time() < deadline and not os.path.exists(stop_file):
            for name, path, hz in peers:
                try:
                    with open(path) as s:
                        report = json.load(s)
                except (OSError, ValueError):
                    continue  # not written yet, or caught mid-rewrite
                row = (tone_windows(report, hz), report.get("received", {}).get("rtp_packets", 0))
                if last.get(name) != row:
                    last[name] = row
                    w.writerow([int(time.time() * 1000), name, row[0], row[1]])
                    f.flush()
            time.sleep(0.1)  # poll interval, bounded by the deadline


def gaps(out, t_from, t_to):
    t_from, t_to = int(t_from), int(t_to)
    series = {}
    with open(out) as f:
        for t, name, windows, packets in csv.reader(f):
            series.setdefault(name, []).append((int(t), int(windows), int(packets)))
    result = {}
    for name, rows in series.items():
        rows.sort()
        before = [r for r in rows if r[0] <= t_from]
        inside = [r for r in rows if t_from < r[0] <= t_to]
        base = before[-1][1] if before else 0
        base_packets = before[-1][2] if before else 0
        increases = []
        prev = base
        for t, windows, _ in inside:
            if windows > prev:
                increases.append(t)
            prev = max(prev, windows)
        points = [t_from] + increases + [t_to]
        longest = max(b - a for a, b in zip(points, points[1:]))
        end_windows = inside[-1][1] if inside else base
        end_packets = inside[-1][2] if inside else base_packets
        span_s = max(t_to - t_from, 1) / 1000
        result[name] = {
            "longest_gap_ms": longest,
            "windows_per_s": round((end_windows - base) / span_s, 2),
            "packets_per_s": round((end_packets - base_packets) / span_s, 1),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    if len(sys.argv) >= 6 and sys.argv[1] == "sample":
        sample(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5:])
    elif len(sys.argv) == 5 and sys.argv[1] == "gaps":
        gaps(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
