#!/usr/bin/python3
"""Summaries of rest-probe.mjs logs (one JSON line per answer) for the fault drills.

    probe_summary.py window FILE FROM_MS TO_MS [OP,OP...]
        {"total", "by_status": {"200": n, "503 state_unavailable": n, ...}, "http_500": n,
         "http_5xx": n, "bad_5xx": n (a 5xx that is not 503 with a JSON error code),
         "no_retry_after": n (a 503 without Retry-After), "network": n (no HTTP answer),
         "per_s": answers per second, "bad_from_ms"/"bad_to_ms": first and last 5xx or
         network failure, in ms after FROM (null: none)}
    probe_summary.py recovery FILE MARK_MS [OP,OP...] [END_MS]
        {"first_ok_ms": time from MARK to the first 2xx/3xx answer,
         "stable_ms": time from MARK to the first 2xx/3xx answer after which no 5xx or network
         failure follows (up to END_MS when given), "last_bad_ms": time from MARK to the last bad answer (null: none)}
"""
import json
import sys


def load(path, ops):
    rows = []
    with open(path) as f:
        for line in f:
            try:
                r = json.loads(line)
            except ValueError:
                continue
            if ops and r["op"] not in ops:
                continue
            rows.append(r)
    rows.sort(key=lambda r: r["t"])
    return rows


def bad(r):
    return r["status"] == 0 or r["status"] >= 500


def window(rows, t_from, t_to):
    inside = [r for r in rows if t_from <= r["t"] <= t_to]
    by_status = {}
    out = {"total": len(inside), "http_500": 0, "http_5xx": 0, "bad_5xx": 0, "no_retry_after": 0,
           "network": 0}
    for r in inside:
        key = str(r["status"]) if r["status"] < 400 else f'{r["status"]} {r["code"]}'
        if r["status"] == 0:
            key = f'no answer ({r["code"]})'
            out["network"] += 1
        by_status[key] = by_status.get(key, 0) + 1
        if r["status"] == 500:
            out["http_500"] += 1
        if r["status"] >= 500:
            out["http_5xx"] += 1
            if r["status"] != 503 or not r.get("json") or r["code"] in (None, "no_code", "not_json"):
                out["bad_5xx"] += 1
            if r["status"] == 503 and not r.get("retry_after"):
                out["no_retry_after"] += 1
    out["by_status"] = dict(sorted(by_status.items(), key=lambda kv: -kv[1]))
    bad_times = [r["t"] for r in inside if bad(r)]
    out["bad_from_ms"] = bad_times[0] - t_from if bad_times else None
    out["bad_to_ms"] = bad_times[-1] - t_from if bad_times else None
    span = max(t_to - t_from, 1) / 1000
    out["per_s"] = round(len(inside) / span, 1)
    return out


def recovery(rows, mark, end=None):
    after = [r for r in rows if r["t"] >= mark and (end is None or r["t"] <= end)]
    good = lambda r: 200 <= r["status"] < 400
    first_ok = next((r["t"] for r in after if good(r)), None)
    last_bad = max((r["t"] for r in after if bad(r)), default=None)
    stable = None
    if first_ok is not None:
        stable_rows = [r for r in after if good(r) and (last_bad is None or r["t"] > last_bad)]
        stable = stable_rows[0]["t"] if stable_rows else None
    rel = lambda t: None if t is None else t - mark
    return {"first_ok_ms": rel(first_ok), "stable_ms": rel(stable), "last_bad_ms": rel(last_bad)}


if __name__ == "__main__":
    args = sys.argv[1:]
    if len(args) >= 4 and args[0] == "window":
        ops = set(args[4].split(",")) if len(args) > 4 and args[4] else None
        print(json.dumps(window(load(args[1], ops), int(args[2]), int(args[3]))))
    elif len(args) >= 3 and args[0] == "recovery":
        ops = set(args[3].split(",")) if len(args) > 3 and args[3] else None
        end = int(args[4]) if len(args) > 4 else None
        print(json.dumps(recovery(load(args[1], ops), int(args[2]), end)))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
