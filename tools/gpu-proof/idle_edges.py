#!/usr/bin/env python3
"""Where the counter was read around each idle window of a run folder (issue #14, item 2): for every
nvml idle baseline in idle-baselines.jsonl, the counter reads nearest each edge of its window, in ms
from the edge (negative: before it), from the power-nvml-*.csv traces' <gpu>.counter_J columns and
their .measured_unix_ms times. With the idle window's edges read, each edge has a read a few ms
outside it; without, the nearest may be seconds away.

Usage: idle_edges.py RUN_DIR
"""
import csv
import glob
import json
import os
import sys

run = sys.argv[1]
reads = []
for path in glob.glob(os.path.join(run, "power-nvml-*.csv")):
    with open(path) as f:
        r = csv.DictReader(f)
        counters = [c for c in r.fieldnames if c.endswith(".counter_J")]
        for row in r:
            for c in counters:
                if row.get(c):
                    at = row.get(c[:-len("_J")] + ".measured_unix_ms") or row["t_unix_ms"]
                    reads.append(float(at))
reads.sort()
print("%d counter reads in the traces" % len(reads))
for line in open(os.path.join(run, "idle-baselines.jsonl")):
    if not line.strip():
        continue
    b = json.loads(line)
    if b.get("sensor") != "nvml":
        continue
    nearest = []
    for edge in (b["fromUnixMs"], b["toUnixMs"]):
        before = [t for t in reads if t <= edge]
        after = [t for t in reads if t >= edge]
        nearest.append("%+.1f / %+.1f" % ((before[-1] - edge) if before else float("nan"),
                                          (after[0] - edge) if after else float("nan")))
    print("%s: %.3f +- %.3f W (1 sigma) over %.2f s; nearest reads (ms) at its start %s, at its end %s"
          % (b["trialId"], b["watts"], b.get("uncertaintyWatts", float("nan")),
             (b["toUnixMs"] - b["fromUnixMs"]) / 1000, nearest[0], nearest[1]))
