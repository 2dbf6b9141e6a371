#!/usr/bin/env python3
"""Per-wave energy of the framework's NvmlSensor + PowerSignal (read instants and learned update
moments) against an independent pynvml counter log, on GPU 0 under a torch load with power steps.

The load alternates full bf16 matmuls and idle in segments of 0.8-3 s. Waves of 2-12 s start and end
in the middle of a segment (at least 0.3 s from any step), so the reference is taken where power is
steady. The reference: a thread reads nvmlDeviceGetTotalEnergyConsumption as often as it can; each
change of value is an update, placed at the middle of the two reads around it; the counter's value
at a wave edge is interpolated linearly between the updates around it (power is steady there).
Usage: wavecheck.py --classpath CP [--seconds 90] [--seed 14]
"""
import argparse, random, subprocess, threading, time, sys
import pynvml
import steppedload

ap = argparse.ArgumentParser()
ap.add_argument("--classpath", required=True)
ap.add_argument("--seconds", type=float, default=90)
ap.add_argument("--seed", type=int, default=14)
ap.add_argument("--counter-schedule", default="dense", choices=["dense", "adaptive"],
                help="the nvml sensor's counterSchedule option (adaptive: dense hunts only until the phase is learned)")
ap.add_argument("--nvml", action="append", default=[], metavar="KEY=VALUE",
                help="a further nvml sensor option for NvmlWaveCheck: counterPeriod=..., power=buffer, bufferPeriod=...")
args = ap.parse_args()
rnd = random.Random(args.seed)

pynvml.nvmlInit()
h = pynvml.nvmlDeviceGetHandleByIndex(0)
log = []  # (t_before, t_after, mJ)
stop = threading.Event()

def logger():
    while not stop.is_set():
        a = time.monotonic_ns()
        v = pynvml.nvmlDeviceGetTotalEnergyConsumption(h)
        b = time.monotonic_ns()
        log.append((a, b, v))
        time.sleep(0.001)

load_on = steppedload.start(stop)
threading.Thread(target=logger, daemon=True).start()
time.sleep(1.0)
java = subprocess.Popen(["java", "-cp", args.classpath, "NvmlWaveCheck", "seconds=%ds" % int(args.seconds + 8),
                         "counterSchedule=" + args.counter_schedule] + args.nvml,
                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
line = java.stdout.readline()
if not line.startswith("STARTED"):
    sys.exit("probe: " + line + java.stdout.read())
time.sleep(1.0)
# segments: (start_ns, end_ns), alternating load and idle
segments = []
t_end = time.monotonic_ns() + int(args.seconds * 1e9)
on = False
while time.monotonic_ns() < t_end:
    length = rnd.uniform(0.8, 3.0)
    start = time.monotonic_ns()
    (load_on.set if on else load_on.clear)()
    time.sleep(length)
    segments.append((start, time.monotonic_ns(), on))
    on = not on
load_on.clear()
java.stdout.readline()  # STOPPED
stop.set()

mids = [(a + b) // 2 for a, b, _ in segments if b - a >= 600_000_000]
waves = []
i = 0
while i < len(mids) - 1:
    want = rnd.uniform(2, 12) * 1e9
    j = min(range(i + 1, len(mids)), key=lambda k: abs(mids[k] - mids[i] - want))
    if mids[j] - mids[i] >= 1.9e9:
        waves.append((mids[i], mids[j]))
    i = j

ups = []  # (moment_ns, mJ): each change of value, between the two reads' returns (the driver takes the value then)
for (a0, b0, v0), (a1, b1, v1) in zip(log, log[1:]):
    if v1 != v0:
        ups.append(((b0 + b1) // 2, v1))
def counter_at(t):
    for (t0, v0), (t1, v1) in zip(ups, ups[1:]):
        if t0 <= t < t1:
            return (v0 + (v1 - v0) * (t - t0) / (t1 - t0)) / 1000.0
    raise SystemExit("no counter updates around %d" % t)
gaps = sorted(b - a for a, b in zip([u[0] for u in ups], [u[0] for u in ups[1:]]))
bracket = sorted((a1 - b0) for (a0, b0, v0), (a1, b1, v1) in zip(log, log[1:]) if v1 != v0)
print("reference: %d pynvml reads, %d updates, update period median %.2f ms, bracket median %.2f ms"
      % (len(log), len(ups), gaps[len(gaps) // 2] / 1e6, bracket[len(bracket) // 2] / 1e6))

java.stdin.write("".join("w%d %d %d\n" % (k, a, b) for k, (a, b) in enumerate(waves)))
java.stdin.close()
out = java.stdout.read().splitlines()
java.wait()
res = {l.split()[1]: (float(l.split()[2]), float(l.split()[3])) for l in out if l.startswith("WAVE")}
print("%-4s %6s %10s %10s %8s %10s %8s" % ("wave", "s", "pynvml J", "read J", "read %", "update J", "update %"))
worst_old = worst_new = 0
for k, (a, b) in enumerate(waves):
    truth = counter_at(b) - counter_at(a)
    r, u = res["w%d" % k]
    eo, en = 100 * (r / truth - 1), 100 * (u / truth - 1)
    worst_old, worst_new = max(worst_old, abs(eo)), max(worst_new, abs(en))
    print("w%-3d %6.2f %10.1f %10.1f %+8.3f %10.1f %+8.3f" % (k, (b - a) / 1e9, truth, r, eo, u, en))
print("worst |error|: read instants %.3f %%, update moments %.3f %% over %d waves" % (worst_old, worst_new, len(waves)))
for l in out:
    if l.startswith("TIMING"):
        print(l)
