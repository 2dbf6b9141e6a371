#!/usr/bin/env python3
"""How far the NVML sensor's learned update grids (a run folder's counter-grids.jsonl) lie from the
updates of an independent counter log (counter_log.py), on the same CLOCK_MONOTONIC clock (issue #14).

Each logged update is placed between the returns of the two reads around it (the driver takes a
read's value as the call returns). For each grid: the logged updates within 10 s of its anchor,
their mean offset from the nearest grid line (positive: the log's update came after the grid's) and
its spread, beside the grid's own stated sigma. Session 27 found the grids 0.6-5.6 ms early while
the sensor dated reads as their calls began.

Usage: grid_offsets.py COUNTER_LOG.csv RUN_DIR
Prints Markdown; writes nothing.
"""
import csv
import json
import statistics
import sys

log, run = sys.argv[1], sys.argv[2]
rows = []
with open(log) as f:
    for a in csv.reader(f):
        if a and not a[0].startswith("t") and len(a) == 4:
            rows.append((int(a[0]), int(a[1]), int(a[2])))
updates = [(p[1] + c[1]) // 2 for p, c in zip(rows, rows[1:]) if c[2] != p[2]]
print("| grid from | stated sigma ms | log updates within 10 s | mean offset ms | sd ms |")
print("| --- | ---: | ---: | ---: | ---: |")
means = []
for line in open(run + "/counter-grids.jsonl"):
    if not line.strip():
        continue
    g = json.loads(line)
    anchor, period = g["anchorNanos"], g["periodNanos"]
    offsets = [((u - anchor + period / 2) % period - period / 2) / 1e6 for u in updates if abs(u - anchor) < 10e9]
    if len(offsets) < 10:
        continue
    means.append(statistics.mean(offsets))
    print("| %s | %.2f | %d | %+.2f | %.2f |" % (g.get("source", "?")[:60], g["sigmaNanos"] / 1e6, len(offsets),
                                                 means[-1], statistics.pstdev(offsets)))
if means:
    print("\ngrids: %d; mean offsets from %+.2f to %+.2f ms" % (len(means), min(means), max(means)))
