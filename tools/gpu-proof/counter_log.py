#!/usr/bin/env python3
"""Dense, independent log of GPU 0's energy counter for the per-wave check (docs/gpu-proof.md).

Reads nvmlDeviceGetTotalEnergyConsumption (mJ) and nvmlDeviceGetPowerUsage (mW) through pynvml in its
own process as often as the driver allows (a counter read busy-waits about 4 ms on an H200), and
writes each read's CLOCK_MONOTONIC instants before and after it -- the clock of Java's
System.nanoTime() -- so that wave_agreement.py can place every counter update between two reads.
Stops on SIGTERM/SIGINT.

Also fetches, every 250 ms, the driver's own buffer of power samples (nvmlDeviceGetSamples,
NVML_TOTAL_POWER_SAMPLES; on an H200 one every 20 ms, stamped in wall-clock microseconds) into
OUT.csv.buffer.csv as "t_ns,mW" on CLOCK_MONOTONIC (each stamp moved by the wall-minus-monotonic
offset read beside the fetch), so that wave_agreement.py can shape the counter's value inside the
100 ms update where a wave's edge falls; where the driver has no such buffer the file stays empty.

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
TOTAL_POWER = getattr(pynvml, "NVML_TOTAL_POWER_SAMPLES", 0)
last_stamp, next_fetch, buffered = 0, 0, True


def fetch_buffer(out):
    """Appends the buffer's samples newer than the last one written; False once the driver refuses."""
    global last_stamp
    m0, r, m1 = time.monotonic_ns(), time.time_ns(), time.monotonic_ns()
    offset = r - (m0 + m1) // 2
    try:
        _, samples = pynvml.nvmlDeviceGetSamples(h, TOTAL_POWER, last_stamp)
    except pynvml.NVMLError as e:
        return "Not Found" in str(e)  # nothing newer: try again later; anything else: not offered
    for smp in samples:
        if smp.timeStamp > last_stamp:
            last_stamp = smp.timeStamp
            out.write("%d,%d\n" % (smp.timeStamp * 1000 - offset, smp.sampleValue.uiVal))
    return True


with open(out_path, "w", buffering=1 << 16) as out, open(out_path + ".buffer.csv", "w", buffering=1 << 16) as buf:
    out.write("t_before_ns,t_after_ns,energy_mJ,power_mW\n")
    buf.write("t_ns,mW\n")
    while not stop:
        a = time.monotonic_ns()
        e = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        b = time.monotonic_ns()
        p = pynvml.nvmlDeviceGetPowerUsage(h)
        out.write("%d,%d,%d,%d\n" % (a, b, e, p))
        if buffered and b >= next_fetch:
            buffered = fetch_buffer(buf)
            next_fetch = b + 250_000_000
        time.sleep(0.001)
pynvml.nvmlShutdown()
