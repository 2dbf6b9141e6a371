#!/usr/bin/env python3
"""Probe of NVML's own power-sample buffer (nvmlDeviceGetSamples, NVML_TOTAL_POWER_SAMPLES) on GPU 0,
for issue #14 item 8: can the driver's buffered samples replace polling field 186 at 100 Hz, and
do they place energy in time well enough to cut counter reads?

Writes, into OUT_DIR:
  counter.csv  t_before_ns,t_after_ns,mJ          -- a thread reading the energy counter back to back
  field.csv    t_ns,mW                             -- a thread polling field 186 every 10 ms
  calls.csv    call,mono_before_ns,mono_after_ns,real_before_ns,real_after_ns,cpu_ns,count,error
  samples.csv  call,ts_us,mW                       -- every sample nvmlDeviceGetSamples returned
  load.csv     t_ns,state                          -- the load's steps (1 = bf16 matmuls, 0 = idle)
  cost.txt     CPU per call of back-to-back calls at the end (buffer drained / not)
All instants are CLOCK_MONOTONIC except the driver's timestamps (microseconds, its own clock:
compared with CLOCK_REALTIME and CLOCK_MONOTONIC in calls.csv).
Usage: power_samples_probe.py OUT_DIR [--seconds 40] [--call-period 0.25]
"""
import argparse, os, random, threading, time
import pynvml
import steppedload

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--seconds", type=float, default=40)
ap.add_argument("--call-period", type=float, default=0.25)
ap.add_argument("--seed", type=int, default=14)
args = ap.parse_args()
os.makedirs(args.out, exist_ok=True)
rnd = random.Random(args.seed)
pynvml.nvmlInit()
h = pynvml.nvmlDeviceGetHandleByIndex(0)
TOTAL_POWER = getattr(pynvml, "NVML_TOTAL_POWER_SAMPLES", 0)
stop = threading.Event()


def counter_thread():
    with open(os.path.join(args.out, "counter.csv"), "w", buffering=1 << 16) as f:
        f.write("t_before_ns,t_after_ns,mJ\n")
        while not stop.is_set():
            a = time.monotonic_ns()
            e = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
            b = time.monotonic_ns()
            f.write("%d,%d,%d\n" % (a, b, e))


def field_thread():
    with open(os.path.join(args.out, "field.csv"), "w", buffering=1 << 16) as f:
        f.write("t_ns,mW\n")
        nxt = time.monotonic_ns()
        while not stop.is_set():
            v = pynvml.nvmlDeviceGetFieldValues(h, [186])[0]
            t = time.monotonic_ns()
            if v.nvmlReturn == 0:
                f.write("%d,%d\n" % (t, v.value.uiVal))
            nxt += 10_000_000
            time.sleep(max(0, (nxt - time.monotonic_ns()) / 1e9))




def get_samples(last):
    """One call: (samples, error); samples as (ts_us, value)."""
    try:
        _, samples = pynvml.nvmlDeviceGetSamples(h, TOTAL_POWER, last)
        return [(s.timeStamp, s.sampleValue.uiVal) for s in samples], ""
    except pynvml.NVMLError as e:
        return [], str(e)


calls = open(os.path.join(args.out, "calls.csv"), "w", buffering=1 << 16)
calls.write("call,mono_before_ns,mono_after_ns,real_before_ns,real_after_ns,cpu_ns,count,error\n")
samples_out = open(os.path.join(args.out, "samples.csv"), "w", buffering=1 << 16)
samples_out.write("call,ts_us,mW\n")
loads = open(os.path.join(args.out, "load.csv"), "w")
loads.write("t_ns,state\n")

load_on = steppedload.start(stop)
threads = [threading.Thread(target=t, daemon=True) for t in (counter_thread, field_thread)]
for t in threads:
    t.start()

start = time.monotonic_ns()
end = start + int(args.seconds * 1e9)
# the load: 6 s idle, then segments of 0.8-3 s alternating, then 4 s idle at the end
steps = []
t = start + 6_000_000_000
state = 1
while t < end - 4_000_000_000:
    steps.append((t, state))
    t += int(rnd.uniform(0.8, 3.0) * 1e9)
    state ^= 1
steps.append((t, 0))
last = 0
call = 0
next_call = start
step_i = 0
while True:
    now = time.monotonic_ns()
    while step_i < len(steps) and now >= steps[step_i][0]:
        if steps[step_i][1]:
            load_on.set()
        else:
            load_on.clear()
        loads.write("%d,%d\n" % (time.monotonic_ns(), steps[step_i][1]))
        step_i += 1
    if now >= next_call:
        c0 = time.thread_time_ns()
        mb, rb = time.monotonic_ns(), time.time_ns()
        got, err = get_samples(last)
        ma, ra = time.monotonic_ns(), time.time_ns()
        c1 = time.thread_time_ns()
        calls.write("%d,%d,%d,%d,%d,%d,%d,%s\n" % (call, mb, ma, rb, ra, c1 - c0, len(got), err.replace(",", ";")))
        for ts, v in got:
            samples_out.write("%d,%d,%d\n" % (call, ts, v))
        if got:
            last = max(last, max(ts for ts, _ in got))
        call += 1
        next_call += int(args.call_period * 1e9)
    if now >= end:
        break
    time.sleep(0.001)
stop.set()
for t in threads:
    t.join(timeout=5)
load_on.clear()

# cost of back-to-back calls: from the last timestamp (few new samples) and from 0 (the whole buffer)
with open(os.path.join(args.out, "cost.txt"), "w") as f:
    for label, from_zero in (("since last", False), ("whole buffer", True)):
        n, cpu, count = 200, 0, 0
        for _ in range(n):
            c0 = time.thread_time_ns()
            got, err = get_samples(0 if from_zero else last)
            cpu += time.thread_time_ns() - c0
            count += len(got)
            if got and not from_zero:
                last = max(last, max(ts for ts, _ in got))
            time.sleep(0.005)
        f.write("%s: %d calls, mean CPU %.1f us a call, mean %.1f samples a call, error '%s'\n"
                % (label, n, cpu / n / 1000, count / n, err))
    c0 = time.thread_time_ns()
    for _ in range(200):
        pynvml.nvmlDeviceGetFieldValues(h, [186])
    f.write("field 186: mean CPU %.1f us a call\n" % ((time.thread_time_ns() - c0) / 200 / 1000))
for fh in (calls, samples_out, loads):
    fh.close()
print(open(os.path.join(args.out, "cost.txt")).read())
print("calls:", call)
