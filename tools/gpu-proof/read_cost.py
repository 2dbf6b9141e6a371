#!/usr/bin/env python3
"""What an energy-counter read costs by when it begins against the counter's update (issue #14, item 8).

Reads counter logs written by counter_log.py (t_before_ns, t_after_ns, energy_mJ, ...: one process
reading nvmlDeviceGetTotalEnergyConsumption back to back, each call's CLOCK_MONOTONIC instants before
and after it) and places every update as the sensor does: between the return of the last read with the
old value and the return of the first with the new one, or that read's start where it was held more than
8 ms (NvmlSensor.SLOW_CHANGED_READ_NANOS), the update at the middle. Each read is then binned by how long
after the latest update it began (1 ms bins, updates 95-105 ms apart only), and the mean time it took is
taken per bin and per log.

Printed per log: the mean over the 100 bins (a read begun at a random moment; bins no read began in,
the spell's middle mostly, are left out, so this understates it), the mean over the bins NvmlSensor aims
a boundary's read at (aimReads: 30-36, 50-56 and 70-76 ms after the update), the share of reads begun
4-10 ms after an update's lower bound that were held more than 10 ms (the driver's spell) against the
others, and with --bins the per-bin means of all the logs together (each log's mean, averaged).

Usage: read_cost.py [--bins] CLOG.csv [CLOG.csv ...]   (a .csv.gz is read as well)
"""
import bisect
import csv
import gzip
import statistics
import sys

HELD_NS = 8_000_000
AIMED = [k for w in (30, 50, 70) for k in range(w, w + 7)]


def rows_of(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return [(int(r["t_before_ns"]), int(r["t_after_ns"]), int(r["energy_mJ"])) for r in csv.DictReader(f)]


def updates(rows):
    """Each update's middle and lower bound, as the sensor brackets it."""
    mids, lows = [], []
    for a, b in zip(rows, rows[1:]):
        if b[2] == a[2]:
            continue
        low = a[1]
        high = b[0] if b[1] - b[0] > HELD_NS else b[1]
        lows.append(low)
        if low < high < low + 30_000_000:
            mids.append((low + high) / 2)
    return mids, lows


def per_bin(rows, mids):
    bins = {}
    for tb, ta, _ in rows:
        i = bisect.bisect_right(mids, tb) - 1
        if i < 0 or i + 1 >= len(mids) or not 95e6 <= mids[i + 1] - mids[i] <= 105e6:
            continue
        bins.setdefault(int((tb - mids[i]) / 1e6), []).append((ta - tb) / 1e6)
    return {k: statistics.mean(v) for k, v in bins.items() if len(v) >= 5 and k < 100}


def spell(rows, lows):
    inside = [0, 0]
    other = [0, 0]
    for tb, ta, _ in rows:
        i = bisect.bisect_right(lows, tb) - 1
        if i < 0:
            continue
        held = ta - tb > 10_000_000
        where = inside if 4e6 <= tb - lows[i] <= 10e6 else other
        where[0] += 1
        where[1] += held
    return inside, other


def main(args):
    show_bins = "--bins" in args
    paths = [a for a in args if a != "--bins"]
    if not paths:
        print(__doc__)
        return 2
    pooled = {}
    print("| log | reads | updates | random start, ms | aimed, ms | begun 4-10 ms after an update: held > 10 ms | others held |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for p in paths:
        rows = rows_of(p)
        mids, lows = updates(rows)
        means = per_bin(rows, mids)
        inside, other = spell(rows, lows)
        for k, m in means.items():
            pooled.setdefault(k, []).append(m)
        rnd = statistics.mean(means.values())
        aimed = statistics.mean(means[k] for k in AIMED if k in means)
        print(f"| {p} | {len(rows)} | {len(lows)} | {rnd:.2f} | {aimed:.2f} | "
              f"{100 * inside[1] / max(1, inside[0]):.1f} % of {inside[0]} | {100 * other[1] / max(1, other[0]):.2f} % |")
    if show_bins:
        print()
        print("| ms after the update | logs | mean read, ms | the slowest log's |")
        print("| ---: | ---: | ---: | ---: |")
        for k in sorted(pooled):
            print(f"| {k} | {len(pooled[k])} | {statistics.mean(pooled[k]):.2f} | {max(pooled[k]):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
