#!/usr/bin/env python3
"""Dense, independent log of GPU 0's energy counter for the per-wave check (docs/gpu-proof.md).

Reads nvmlDeviceGetTotalEnergyConsumption (mJ) and nvmlDeviceGetPowerUsage (mW) through pynvml in its
own process as often as the driver allows (a counter read busy-waits about 4 ms on an H200), and
writes each read's CLOCK_MONOTONIC instants before and after it -- the clock of Java's
System.nanoTime() -- so that wave_agreement.py can place every counter update between two reads.
Stops on SIGTERM/SIGINT.

Usage: counter_log.py OUT.csv [GPU_INDEX]
"""
import signal
import sys
import time

import pynvml

out_path = sys.argv[1]
index = int(sys.argv[2]) if len(sys.argv) > 2 else 0
stop = False


def on_signal(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_signal)
signal.signal(signal.SIGINT, on_signal)
pynvml.nvmlInit()
h = pynvml.nvmlDeviceGetHandleByIndex(index)
with open(out_path, "w", buffering=1 << 16) as out:
    out.write("t_before_ns,t_after_ns,energy_mJ,power_mW\n")
    while not stop:
        a = time.monotonic_ns()
        e = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        b = time.monotonic_ns()
        p = pynvml.nvmlDeviceGetPowerUsage(h)
        out.write("%d,%d,%d,%d\n" % (a, b, e, p))
        time.sleep(0.001)
pynvml.nvmlShutdown()
