#!/usr/bin/env python3
"""Do the 95 % intervals cover a rerun? (issue #14, item 3). For run folders of the same point, each
run's J/outputToken (the nvml sensor's) and its 95 % half-width from summary.json, and whether that
interval covers the mean of the other runs, with and without the between-runs term; then whether it
covers the next run's mean.

Also for the energy above idle per output token and per wave (dynamic.energy/outputToken,
dynamic.energy), which leave out the idle power drawn over the wave's time, so that an engine
whose speed moves between runs is told apart from a measurement that does.

Usage: rerun_coverage.py [--sensor nvml] [--metric NAME,NAME] RUN_DIR RUN_DIR... (in the order they ran)
"""
import json
import sys

args = sys.argv[1:]
sensor = "nvml"
if "--sensor" in args:
    i = args.index("--sensor")
    sensor = args[i + 1]
    del args[i:i + 2]
metrics = ["J/outputToken", "dynamic.energy/outputToken", "dynamic.energy"]
if "--metric" in args:
    i = args.index("--metric")
    metrics = args[i + 1].split(",")
    del args[i:i + 2]
def coverage(metric):
    runs = []
    for d in args:
        for t in json.load(open(d + "/summary.json")).get("trials", []):
            for name, m in t.get("metrics", {}).items():
                if name == sensor + "." + metric:
                    b = m.get("errorBudget") or {}
                    runs.append((d, m["score"], b.get("halfWidth95"), b.get("betweenRunsHalfWidth95")))
    runs = [r for r in runs if r[2] is not None]
    if len(runs) < 2:
        print("%s.%s: fewer than two runs with an error budget" % (sensor, metric))
        return
    print("== %s.%s" % (sensor, metric))
    covered = covered_without = 0
    for i, (d, x, h, between) in enumerate(runs):
        others = [r[1] for j, r in enumerate(runs) if j != i]
        mean = sum(others) / len(others)
        without = (h * h - between * between) ** 0.5 if between is not None else h
        covered += abs(mean - x) <= h
        covered_without += abs(mean - x) <= without
        print("%s: %.5f +- %.5f (%.1f %%; without between-runs +- %.5f); the others' mean %.5f: %s" % (
            d, x, h, 100 * h / x, without, mean, "covered" if abs(mean - x) <= h else "NOT covered"))
    print("covered %d of %d; without the between-runs term %d of %d" % (covered, len(runs), covered_without, len(runs)))
    nxt = sum(abs(runs[i + 1][1] - runs[i][1]) <= runs[i][2] for i in range(len(runs) - 1))
    print("each run's interval covers the next run's mean: %d of %d" % (nxt, len(runs) - 1))


for metric in metrics:
    coverage(metric)
