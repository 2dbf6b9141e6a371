#!/usr/bin/env python3
"""How far each idle window's two halves differ (issue #14, item 2): the idleHalves of every
idle baseline in the given run folders' idle-baselines.jsonl, the difference in W and %, whether
the settling rule (halves apart by over 2 % and 1 W: measure again) fired, and the spread of the
differences over all of them, so that the rule's limit can be set against what settled GPUs do.

Usage: tools/gpu-proof/idle_halves.py RUN_DIR [RUN_DIR ...]
"""
import json
import os
import statistics
import sys

SHARE, FLOOR_WATTS = 0.02, 1.0  # jmh.IdleSettling's limit


def main(dirs):
    rows = []
    for d in dirs:
        path = os.path.join(d, "idle-baselines.jsonl")
        if not os.path.exists(path):
            print(f"{d}: no idle-baselines.jsonl", file=sys.stderr)
            continue
        for line in open(path):
            b = json.loads(line)
            for channel, (first, second) in (b.get("idleHalves") or {}).items():
                diff = second - first
                pct = 100 * diff / ((first + second) / 2) if first + second else float("nan")
                moved = abs(diff) > max(FLOOR_WATTS, SHARE * abs(first + second) / 2)
                rows.append((os.path.basename(os.path.normpath(d)), b.get("trial", "")[:40], channel,
                             b["watts"], first, second, diff, pct, b.get("idleTries", 1), moved))
    if not rows:
        print("no idleHalves in these folders (written since session 16)")
        return 1
    print("| run | trial | channel | baseline W | first half W | second half W | diff W | diff % | tries | over the limit |")
    print("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]:.2f} | {r[4]:.2f} | {r[5]:.2f} | {r[6]:+.2f} | {r[7]:+.2f} | {r[8]} | {'yes' if r[9] else ''} |")
    diffs = sorted(abs(r[6]) for r in rows)
    pcts = sorted(abs(r[7]) for r in rows)
    print()
    print(f"{len(rows)} halves: |diff| median {statistics.median(diffs):.2f} W ({statistics.median(pcts):.2f} %),"
          f" largest {diffs[-1]:.2f} W ({pcts[-1]:.2f} %); over the limit: {sum(1 for r in rows if r[9])};"
          f" windows measured again: {sum(1 for r in rows if r[8] > 1)}")
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(sys.argv[1:]))
