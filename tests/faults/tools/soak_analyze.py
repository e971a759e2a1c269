#!/usr/bin/python3
"""Flatness of chorusd's RSS and open file descriptors over a soak (tests/faults/soak.sh).

    soak_analyze.py SAMPLES.csv WARMUP_S

SAMPLES.csv has a header with at least elapsed_s, rss_kb and fds. Samples before WARMUP_S are
the warm-up and ignored. For RSS (MiB) and fds over the rest it fits a least-squares line and
reports the slope (per minute) and the drift = slope x the post-warm-up window, plus the median,
min and max, and the median of the first and of the last fifth of the window.

RSS is fitted on the lowest sample of each minute: every login or registration hashes its
password with argon2id, which maps 64 MiB and unmaps it when done, so a sample taken during a
hash reads up to 64 MiB per hash thread more. Such spikes are transient; memory that is kept
(a leak) raises every sample, the minimum of each minute included. fds use every sample.

Flat means: |drift| <= max(8 MiB, 3 % of the median per-minute RSS) for RSS, and
|drift| <= max(10, 3 % of the median) for fds. Prints one JSON object with "rss", "fds" and
"flat" (true/false); exits 0 when flat, 1 when not, 2 when there are too few samples (< 6).
"""
import csv
import json
import statistics
import sys


def fit(xs, ys):
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    return slope


def describe(xs_min, ys, floor, share):
    slope = fit(xs_min, ys)
    window = xs_min[-1] - xs_min[0]
    drift = slope * window
    med = statistics.median(ys)
    fifth = max(1, len(ys) // 5)
    bound = max(floor, share * med)
    return {
        "median": round(med, 2), "min": round(min(ys), 2), "max": round(max(ys), 2),
        "first_fifth_median": round(statistics.median(ys[:fifth]), 2),
        "last_fifth_median": round(statistics.median(ys[-fifth:]), 2),
        "slope_per_min": round(slope, 4), "window_min": round(window, 2),
        "drift": round(drift, 2), "bound": round(bound, 2), "flat": abs(drift) <= bound,
    }


def main(path, warmup_s):
    with open(path) as f:
        rows = [r for r in csv.DictReader(f) if float(r["elapsed_s"]) >= warmup_s]
    if len(rows) < 6:
        print(json.dumps({"error": f"only {len(rows)} samples after the warm-up"}))
        return 2
    xs = [float(r["elapsed_s"]) / 60 for r in rows]
    fds = [int(r["fds"]) for r in rows]
    minutes = {}
    for r in rows:
        m = int(float(r["elapsed_s"]) // 60)
        minutes[m] = min(minutes.get(m, float("inf")), int(r["rss_kb"]) / 1024)
    if len(minutes) < 3:
        print(json.dumps({"error": f"only {len(minutes)} minutes after the warm-up"}))
        return 2
    mx = sorted(minutes)
    rss_floor = describe([m + 0.5 for m in mx], [minutes[m] for m in mx], 8.0, 0.03)
    all_rss = [int(r["rss_kb"]) / 1024 for r in rows]
    rss_floor["max_sample"] = round(max(all_rss), 2)
    rss_floor["median_sample"] = round(statistics.median(all_rss), 2)
    out = {"samples": len(rows), "rss_mib": rss_floor, "fds": describe(xs, fds, 10.0, 0.03)}
    out["flat"] = out["rss_mib"]["flat"] and out["fds"]["flat"]
    print(json.dumps(out))
    return 0 if out["flat"] else 1


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    sys.exit(main(sys.argv[1], float(sys.argv[2])))
