#!/usr/bin/env python3
"""Do the 95 % intervals cover a rerun? (issue #14, item 3). For run folders of the same point, each
run's J/outputToken (the nvml sensor's) and its 95 % half-width from summary.json, and whether that
interval covers the mean of the other runs, with and without the between-runs term; then whether it
covers the next run's mean.

Also for the energy above idle per output token and per wave (dynamic.energy/outputToken,
dynamic.energy), which leave out the idle power drawn over the wave's time, so that an engine
whose speed moves between runs is told apart from a measurement that does.

Each run also gets the host's steal over its measured waves (hostCpu.stealShare on the requests lines
of iterations.jsonl: the mean and the most of any wave) and is called quiet where no measured wave
reached the 1 % at which a wave is warned about. The coverage is then counted again among the quiet
runs alone, each against the other quiet runs' mean: what the intervals promise for reruns on a host
that gave the engine its CPU time. It is counted a third time among the runs the closing console
summary does not name for steal (their waves' mean under 1 %): the reruns a user is not warned
about. All three counts are printed; the first is the one the goal is about.

Usage: rerun_coverage.py [--sensor nvml] [--metric NAME,NAME] RUN_DIR RUN_DIR... (in the order they ran)
"""
import functools
import json
import sys

from run_folders import measured_waves, sensor_option

args = sys.argv[1:]
sensor = sensor_option(args)
metrics = ["J/outputToken", "dynamic.energy/outputToken", "dynamic.energy"]
if "--metric" in args:
    i = args.index("--metric")
    metrics = args[i + 1].split(",")
    del args[i:i + 2]
STEAL_WARNING_SHARE = 0.01  # HostCpu.Reading.STEAL_WARNING_SHARE


@functools.lru_cache(maxsize=None)
def steal(d):
    """(mean, most) of the host's steal share over the run's measured waves, or None if unrecorded."""
    shares = []
    try:
        for r in measured_waves(d):
            s = (r.get("hostCpu") or {}).get("stealShare")
            if s is not None:
                shares.append(s)
    except OSError:
        return None
    return (sum(shares) / len(shares), max(shares)) if shares else None


def count(runs, label):
    covered = covered_without = 0
    for i, (d, x, h, between) in enumerate(runs):
        others = [r[1] for j, r in enumerate(runs) if j != i]
        mean = sum(others) / len(others)
        without = (h * h - between * between) ** 0.5 if between is not None else h
        covered += abs(mean - x) <= h
        covered_without += abs(mean - x) <= without
        if label is None:
            st = steal(d)
            print("%s: %.5f +- %.5f (%.1f %%; without between-runs +- %.5f); the others' mean %.5f: %s; host steal %s" % (
                d, x, h, 100 * h / x, without, mean, "covered" if abs(mean - x) <= h else "NOT covered",
                "unrecorded" if st is None else "mean %.2f %%, most %.2f %%" % (100 * st[0], 100 * st[1])))
    print("%scovered %d of %d; without the between-runs term %d of %d" % (
        label or "", covered, len(runs), covered_without, len(runs)))


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
    count(runs, None)
    nxt = sum(abs(runs[i + 1][1] - runs[i][1]) <= runs[i][2] for i in range(len(runs) - 1))
    print("each run's interval covers the next run's mean: %d of %d" % (nxt, len(runs) - 1))
    steals = {r[0]: steal(r[0]) for r in runs}
    recorded = sum(v is not None for v in steals.values())
    quiet = [r for r in runs if steals[r[0]] is not None and steals[r[0]][1] < STEAL_WARNING_SHARE]
    if recorded == 0:
        print("quiet runs: none recorded the host's steal")
    elif len(quiet) < 2:
        print("quiet runs (no measured wave with 1 %% or more of the host's CPU time stolen): %d of %d, "
              "too few to count" % (len(quiet), recorded))
    else:
        count(quiet, "among the %d quiet runs of %d (no measured wave with 1 %% or more stolen), each against "
                     "the other quiet runs' mean: " % (len(quiet), recorded))
    # what a user sees: the closing summary names a trial for steal where its waves' mean reached 1 %
    unnamed = [r for r in runs if steals[r[0]] is not None and steals[r[0]][0] < STEAL_WARNING_SHARE]
    if recorded and len(unnamed) >= 2:
        count(unnamed, "among the %d of %d runs the closing summary does not name for steal (mean under 1 %%), "
                       "each against the other such runs' mean: " % (len(unnamed), recorded))


for metric in metrics:
    coverage(metric)
