#!/usr/bin/env python3
"""Independent NVML log for the GPU proof (docs/gpu-proof.md).

Reads every GPU's energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ) and power
(nvmlDeviceGetPowerUsage, mW) through pynvml, in its own process, every PERIOD seconds, stamped
with time.monotonic_ns() -- CLOCK_MONOTONIC, the clock of Java's System.nanoTime(), so rows line
up with the t_ns column of the profiler's power-nvml-*.csv traces. Stops on SIGTERM/SIGINT.

Usage: nvml_log.py OUT.csv [PERIOD_SECONDS]
"""
import signal
import sys
import time

import pynvml

out_path = sys.argv[1]
period = float(sys.argv[2]) if len(sys.argv) > 2 else 0.1
stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)

pynvml.nvmlInit()
handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
with open(out_path, "w", buffering=1) as out:
    cols = ["t_ns"]
    for i, _ in enumerate(handles):
        cols += ["gpu%d_energy_mJ" % i, "gpu%d_power_mW" % i]
    out.write(",".join(cols) + "\n")
    next_t = time.monotonic()
    while not stop:
        row = []
        t0 = time.monotonic_ns()
        for h in handles:
            row.append(pynvml.nvmlDeviceGetTotalEnergyConsumption(h))
            row.append(pynvml.nvmlDeviceGetPowerUsage(h))
        t1 = time.monotonic_ns()
        # stamp each row with the midpoint of its reads
        out.write(",".join([str((t0 + t1) // 2)] + [str(v) for v in row]) + "\n")
        next_t += period
        time.sleep(max(0.0, next_t - time.monotonic()))
pynvml.nvmlShutdown()
