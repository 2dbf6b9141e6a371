#!/usr/bin/env python3
"""Replays a run's waves on an independent counter log (counter_log.py, with its .buffer.csv) to
see what reading the counter on both sides of a wave's edges would change (issue #14, item 1;
NvmlOptions.CloseStraddle). Every figure is against the log's buffer-shaped reference, the one
wave_agreement.py prints last.

For each wave of at least 2 s, with every counter value dated at the update the run's own learned
grid (counter-grids.jsonl) gives it and the power taken from the driver's buffer the log kept:
  * one read: the value of the last update before each edge's read, and the buffer's watts from
    that update to the edge (the run's sensor with one read per edge; compare with the tool's own
    figure, printed beside it, to see how well the replay stands for the run);
  * both sides: the counter's values at the updates on both sides of each edge, the update's
    energy split at the edge by the buffer's shape;
  * as built: both sides at the end, and the start from the first update after the wave before
    ended (the value a straddled close leaves to the next wave), where the logged start came after
    that update; other waves are not replayable that way and are left out of its summary.

Usage: straddle_replay.py COUNTER_LOG.csv RUN_DIR MODEL_SUBSTRING
Prints Markdown; writes nothing.
"""
import bisect
import csv
import json
import sys

log, run, model = sys.argv[1], sys.argv[2], sys.argv[3]
rows = []
with open(log) as f:
    for a in csv.reader(f):
        if a and not a[0].startswith("t") and len(a) == 4:
            rows.append((int(a[0]), int(a[1]), int(a[2]) / 1000.0))
starts = [r[0] for r in rows]
UT, UE = [], []  # updates: value changes, placed between the reads around them
for prev, cur in zip(rows, rows[1:]):
    if cur[2] != prev[2]:
        UT.append((prev[1] + cur[1]) // 2)  # the driver takes a read's value as the call returns
        UE.append(cur[2])
BT, BW = [], []
with open(log + ".buffer.csv") as f:
    for a in csv.reader(f):
        if a and not a[0].startswith("t") and len(a) == 2:
            BT.append(int(a[0]))
            BW.append(int(a[1]) / 1000.0)


def watts(t):
    i = min(max(bisect.bisect_right(BT, t), 1), len(BT) - 1)
    a, b = BT[i - 1], BT[i]
    return BW[i - 1] + (BW[i] - BW[i - 1]) * (t - a) / (b - a)


def joules(t0, t1):
    """Trapezoid integral of the buffer over [t0, t1], negative where t1 < t0."""
    sign = 1
    if t1 < t0:
        t0, t1, sign = t1, t0, -1
    pts = [t0] + BT[bisect.bisect_right(BT, t0):bisect.bisect_left(BT, t1)] + [t1]
    return sign * sum((b - a) / 1e9 * (watts(a) + watts(b)) / 2 for a, b in zip(pts, pts[1:]))


def reference(t):
    k = bisect.bisect_right(UT, t) - 1
    return UE[k] + (UE[k + 1] - UE[k]) * joules(UT[k], t) / joules(UT[k], UT[k + 1])


anchors = sorted((json.loads(l)["unixNanos"], json.loads(l)["nanoTime"]) for l in open(run + "/clock.jsonl") if l.strip())


def mono(unix_ms):
    u = int(round(unix_ms * 1e6))
    best = anchors[0]
    for a in anchors:
        if a[0] <= u:
            best = a
    return best[1] + u - best[0]


grids = [json.loads(l) for l in open(run + "/counter-grids.jsonl") if l.strip()]


def on_grid(u, g):
    n = round((u - g["anchorNanos"]) / g["periodNanos"])
    return g["anchorNanos"] + n * g["periodNanos"]


def one_read(t, g, after):
    """The edge from one read: after the end (2 ms on) or before the start (30 ms before, JMH's pause)."""
    i = bisect.bisect_left(starts, t + 2e6) if after else bisect.bisect_right(starts, t - 30e6) - 1
    e = rows[i][2]
    return e + joules(on_grid(UT[UE.index(e)], g), t)


def both_sides(t, g):
    k = bisect.bisect_right(UT, t) - 1
    u0, u1 = on_grid(UT[k], g), on_grid(UT[k + 1], g)
    x = min(max(t, u0), u1)
    return UE[k] + (UE[k + 1] - UE[k]) * joules(u0, x) / joules(u0, u1)


waves = []
for l in open(run + "/iterations.jsonl"):
    d = json.loads(l) if l.strip() else {}
    if d.get("kind") == "energy" and model in d.get("trial", ""):
        waves.append((mono(d["windowFromUnixMs"]), mono(d["windowToUnixMs"]), d))
waves.sort(key=lambda w: w[0])
print("| iteration | s | tool | one read (replay) | both sides | as built |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
worst = {"tool": [], "one": [], "both": [], "built": []}
previous_end = None
for t0, t1, d in waves:
    before, previous_end = previous_end, t1
    if d["seconds"] < 2 or t0 < UT[2] or t1 > UT[-3] or t0 < BT[0] or t1 > BT[-1]:
        continue
    # the grid learned nearest the wave (a fork's first wave ends before its grid's anchor is logged)
    g = min(grids, key=lambda x: abs(x["anchorNanos"] - t1))
    ref = reference(t1) - reference(t0)
    pct = lambda e: 100 * (e - ref) / ref
    tool, one, both = pct(d["energyJ"]), pct(one_read(t1, g, True) - one_read(t0, g, False)), pct(both_sides(t1, g) - both_sides(t0, g))
    built = None
    if before is not None and t0 - before < 150e6:
        k = bisect.bisect_right(UT, before)
        if UT[k] <= t0:
            built = pct(both_sides(t1, g) - (UE[k] + joules(on_grid(UT[k], g), t0)))
    for key, v in (("tool", tool), ("one", one), ("both", both), ("built", built)):
        if v is not None:
            worst[key].append(abs(v))
    print("| %s | %.2f | %+.3f %% | %+.3f %% | %+.3f %% | %s |" % (d["iterationId"], d["seconds"], tool, one, both,
          "" if built is None else "%+.3f %%" % built))
print()
for key, name in (("tool", "the tool as run"), ("one", "one read, replayed"), ("both", "both sides of both edges"),
                  ("built", "as built (replayable waves only)")):
    if worst[key]:
        print("%s: %d waves, worst %.3f %%, within 0.5 %%: %d" % (name, len(worst[key]), max(worst[key]),
              sum(v <= 0.5 for v in worst[key])))
