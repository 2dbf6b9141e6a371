#!/usr/bin/env python3
"""Which steal or CPU figure says how much a stolen host slowed the engine? (issue #14, item 3). Over the
measured waves of the completed attempts in the run folders given, the correlation of each wave's
TPOT p50 with each steal figure on its requests line of iterations.jsonl (hostCpu): the host-wide
share (stealShare, what the warnings follow), the most stolen vCPU's share (mostStolenCpuStealShare)
and the share of the vCPU the launched engine's busiest thread was on (engineThreadCpuStealShare);
beside them, that thread's CPU as a share of one CPU (engineThreadCpuShare: near 1, the engine is
paced by one core) and the share of its runnable time it waited for a CPU (engineThreadRunQueueShare:
the guest's own contention, which steal does not show).
Then per run the means of each beside its J/outputToken and TPOT, sorted by J/outputToken, so that
a slow group and a fast group (session 20's) show whether a figure tells them apart. A figure a
folder did not record (written before it existed) is left out of its correlation and prints '-'.

Usage: steal_signals.py [--sensor nvml] RUN_DIR RUN_DIR...
"""
import json
import math
import sys

from run_folders import measured_waves, sensor_option

args = sys.argv[1:]
sensor = sensor_option(args)
if not args:
    sys.exit(__doc__)
FIGURES = [("host-wide steal", "stealShare"), ("most stolen vCPU's steal", "mostStolenCpuStealShare"),
           ("engine thread's vCPU steal", "engineThreadCpuStealShare"),
           ("engine thread's CPU", "engineThreadCpuShare"),
           ("engine thread's run-queue wait", "engineThreadRunQueueShare")]


def corr(pairs):
    if len(pairs) < 3:
        return None
    n = len(pairs)
    mx = sum(p[0] for p in pairs) / n
    my = sum(p[1] for p in pairs) / n
    sxy = sum((p[0] - mx) * (p[1] - my) for p in pairs)
    sxx = sum((p[0] - mx) ** 2 for p in pairs)
    syy = sum((p[1] - my) ** 2 for p in pairs)
    return sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None


def fmt(v, f="%.4f"):
    return "-" if v is None else f % v


rows = []
pairs = {key: [] for _, key in FIGURES}
for d in args:
    ws = list(measured_waves(d))
    tpots = [w["tpotMs"]["p50"] for w in ws if "p50" in w.get("tpotMs", {})]
    means = {}
    for _, key in FIGURES:
        vals = [(w["hostCpu"][key], w["tpotMs"]["p50"]) for w in ws
                if key in w.get("hostCpu", {}) and "p50" in w.get("tpotMs", {})]
        pairs[key].extend(vals)
        means[key] = sum(v[0] for v in vals) / len(vals) if vals else None
    summary = json.load(open(d + "/summary.json"))
    metrics = (summary.get("trials") or [{}])[0].get("metrics", {})
    jot = (metrics.get(sensor + ".J/outputToken") or {}).get("score")
    rows.append((jot, d, sum(tpots) / len(tpots) if tpots else None, means, len(ws)))

print("| figure | waves | correlation with the wave's TPOT p50 |")
print("| --- | ---: | ---: |")
for title, key in FIGURES:
    print("| %s | %d | %s |" % (title, len(pairs[key]), fmt(corr(pairs[key]), "%.2f")))
print()
print("| run | J/outputToken | TPOT p50 ms (mean of waves) | " + " | ".join(t for t, _ in FIGURES) + " |")
print("| --- | ---: | ---: |" + " ---: |" * len(FIGURES))
for jot, d, tpot, means, n in sorted(rows, key=lambda r: (r[0] is None, r[0] or 0)):
    print("| %s | %s | %s | %s |" % (d, fmt(jot, "%.5f"), fmt(tpot, "%.2f"),
                                     " | ".join(fmt(means[k]) for _, k in FIGURES)))
