#!/usr/bin/env python3
"""Could the driver's power buffer stand in for a counter read at some wave edges? (issue #14, item 8)

Eight GPUs' sampling at 5 s waves costs about 1.1 % of one core, most of it one energy-counter read
per GPU per wave (about 4 ms of the driver's busy wait each). Skipping the read at some edges would
leave the buffer's integral, scaled by what the counter said before, to carry the energy between
reads. That holds item 1's 0.5 % per wave only if the counter's energy over the buffer's integral is
that steady from one span of seconds to the next. This prints that ratio over spans of 2, 5 and 10 s,
between the counter's own update moments, from one counter_log.py log and its buffer log.

Usage: buffer_ratio.py COUNTER_LOG.csv COUNTER_LOG.csv.buffer.csv
"""
import bisect
import csv
import statistics
import sys

log_path, buffer_path = sys.argv[1], sys.argv[2]
with open(log_path) as f:
    reads = [(int(a), int(b), int(e) / 1000.0) for a, b, e, _ in list(csv.reader(f))[1:]]
# an update lies between the last read that did not see it and the first that did
updates = [((prev[1] + cur[1]) // 2, cur[2]) for prev, cur in zip(reads, reads[1:]) if cur[2] != prev[2]]
with open(buffer_path) as f:
    samples = [(int(t), int(mw) / 1000.0) for t, mw in list(csv.reader(f))[1:]]
times = [t for t, _ in samples]
cumulative = [0.0]
for (t0, w0), (t1, w1) in zip(samples, samples[1:]):
    cumulative.append(cumulative[-1] + (w0 + w1) / 2 * (t1 - t0) / 1e9)


def buffer_energy_to(t):
    """The buffer's trapezoid integral (J) from its first sample to t."""
    i = bisect.bisect_right(times, t) - 1
    if i < 0:
        return 0.0
    if i >= len(samples) - 1:
        return cumulative[-1]
    (t0, w0), (t1, w1) = samples[i], samples[i + 1]
    w = w0 + (w1 - w0) * (t - t0) / (t1 - t0)
    return cumulative[i] + (w0 + w) / 2 * (t - t0) / 1e9


print(f"{len(reads)} counter reads, {len(updates)} updates, {len(samples)} buffer samples")
print("| span | spans | counter J / buffer J, mean | sd | least | most |")
print("| --- | ---: | ---: | ---: | ---: | ---: |")
for steps in (20, 50, 100):
    ratios = []
    for k in range(0, len(updates) - steps, max(1, steps // 2)):
        (ta, ea), (tb, eb) = updates[k], updates[k + steps]
        if ta < times[0] + 1e9 or tb > times[-1] - 1e9:
            continue
        ratios.append((eb - ea) / (buffer_energy_to(tb) - buffer_energy_to(ta)))
    if len(ratios) > 1:
        print(f"| {steps} updates | {len(ratios)} | {statistics.mean(ratios):.5f} | {statistics.pstdev(ratios):.5f} "
              f"| {min(ratios):.5f} | {max(ratios):.5f} |")
