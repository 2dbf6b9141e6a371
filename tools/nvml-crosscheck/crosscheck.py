#!/usr/bin/env python3
"""Cross-checks TokenPowerBench's Java NVML sensor against NVML read independently.

What it does, on one NVIDIA GPU:
  1. Records the device (nvidia-smi, pynvml) and checks that the Java sensor names the same UUID.
  2. Shows how the Java sensor reads CUDA_VISIBLE_DEVICES (a few settings, `describe` mode).
  3. Energy windows of --window seconds, at idle and under a steady torch matmul load: the Java
     sampler (PowerSampler over NvmlSensor) and pynvml's nvmlDeviceGetTotalEnergyConsumption,
     read by this process around the same window boundaries, plus nvidia-smi's power.draw
     integrated and (where the driver offers it) its total_energy_consumption. Prints each energy
     and the relative difference to the pynvml counter.
  4. A load step idle -> full -> idle: when the Java power trace (NVML field 186, instant power)
     responds relative to the step, and how often its value changes.

Usage (any NVIDIA machine with Java 17, python3, torch and pynvml; see README.md):
  python3 crosscheck.py --classpath framework/target/classes:jna-5.15.0.jar:probe --out results/

Everything is written to --out: crosscheck.json (all figures), step.csv (the Java trace of the
step window), smi.csv (nvidia-smi's log). Clocks: Java's System.nanoTime and Python's
time.monotonic_ns are both CLOCK_MONOTONIC on Linux, so their times compare directly.
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import threading
import time


def log(*args):
    print(*args, flush=True)


# ---------------------------------------------------------------------------------------------
# The load: a separate process that keeps a CUDA context and runs matmuls on command.

def worker(gpu):
    import torch
    dev = torch.device(f"cuda:{gpu}")
    n = 8192
    a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    c = torch.empty(n, n, device=dev, dtype=torch.bfloat16)
    torch.matmul(a, b, out=c)
    torch.cuda.synchronize(dev)
    print("ready", flush=True)
    for line in sys.stdin:
        cmd = line.split()
        if not cmd:
            continue
        if cmd[0] == "load":
            end = time.monotonic_ns() + int(float(cmd[1]) * 1e9)
            start = time.monotonic_ns()
            iters = 0
            while True:
                for _ in range(8):
                    torch.matmul(a, b, out=c)
                torch.cuda.synchronize(dev)
                iters += 8
                if time.monotonic_ns() >= end:
                    break
            stop = time.monotonic_ns()
            tflops = 2 * n ** 3 * iters / ((stop - start) / 1e9) / 1e12
            print(f"done {start} {stop} {iters} {tflops:.1f}", flush=True)
        elif cmd[0] == "quit":
            break


class Load:
    def __init__(self, gpu):
        self.p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", "--gpu", str(gpu)],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        line = self.p.stdout.readline().strip()
        if line != "ready":
            raise SystemExit(f"load worker did not start: {line!r}")
        self.result = None
        self.thread = None

    def run(self, seconds):
        """Starts `seconds` of load; returns at once. wait() gives (start_ns, stop_ns, iters, tflops)."""
        self.p.stdin.write(f"load {seconds}\n")
        self.p.stdin.flush()

        def read():
            parts = self.p.stdout.readline().split()
            self.result = (int(parts[1]), int(parts[2]), int(parts[3]), float(parts[4]))
        self.thread = threading.Thread(target=read)
        self.thread.start()

    def wait(self):
        self.thread.join()
        return self.result

    def close(self):
        self.p.stdin.write("quit\n")
        self.p.stdin.flush()
        self.p.wait(timeout=30)


# ---------------------------------------------------------------------------------------------
# nvidia-smi, logging every 100 ms in the background.

class SmiLog:
    def __init__(self, gpu, path):
        self.fields = ["timestamp"]
        for f in ["power.draw", "power.draw.instant", "power.draw.average", "total_energy_consumption"]:
            probe = subprocess.run(["nvidia-smi", "-i", str(gpu), f"--query-gpu={f}", "--format=csv,noheader,nounits"],
                                   capture_output=True, text=True)
            answer = (probe.stdout.strip() or probe.stderr.strip()).replace("\n", " ")
            try:
                float(answer)
                self.fields.append(f)
                log(f"nvidia-smi {f}: {answer} (logged)")
            except ValueError:
                log(f"nvidia-smi {f}: {answer!r} (not logged)")
        # wall clock of nvidia-smi's timestamps -> CLOCK_MONOTONIC
        self.offset_ns = time.time_ns() - time.monotonic_ns()
        self.rows = []
        self.path = path
        self.p = subprocess.Popen(["nvidia-smi", "-i", str(gpu), f"--query-gpu={','.join(self.fields)}",
                                   "--format=csv,noheader,nounits", "-lms", "100"],
                                  stdout=subprocess.PIPE, text=True, bufsize=1)
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self):
        for line in self.p.stdout:
            parts = [x.strip() for x in line.split(",")]
            if len(parts) != len(self.fields):
                continue
            try:
                wall = datetime.datetime.strptime(parts[0], "%Y/%m/%d %H:%M:%S.%f").timestamp()
            except ValueError:
                continue
            row = {"t_ns": int(wall * 1e9) - self.offset_ns}
            for f, v in zip(self.fields[1:], parts[1:]):
                try:
                    row[f] = float(v)
                except ValueError:
                    row[f] = None
            self.rows.append(row)

    def stop(self):
        self.p.terminate()
        self.p.wait(timeout=10)
        with open(self.path, "w") as f:
            f.write("t_ns," + ",".join(self.fields[1:]) + "\n")
            for r in self.rows:
                f.write(str(r["t_ns"]) + "," + ",".join("" if r.get(k) is None else str(r[k])
                                                        for k in self.fields[1:]) + "\n")

    def series(self, field):
        return [(r["t_ns"], r[field]) for r in self.rows if r.get(field) is not None]


def trapezoid(series, t0, t1):
    """Integral of piecewise-linear (t_ns, watts) over [t0, t1], holding the ends; joules."""
    pts = sorted(series)
    if not pts:
        return float("nan")

    def at(t):
        if t <= pts[0][0]:
            return pts[0][1]
        if t >= pts[-1][0]:
            return pts[-1][1]
        for (ta, va), (tb, vb) in zip(pts, pts[1:]):
            if ta <= t <= tb:
                return va if tb == ta else va + (vb - va) * (t - ta) / (tb - ta)
    inner = [(t, v) for t, v in pts if t0 < t < t1]
    knots = [(t0, at(t0))] + inner + [(t1, at(t1))]
    return sum((vb + va) / 2 * (tb - ta) for (ta, va), (tb, vb) in zip(knots, knots[1:])) / 1e9


def interpolate(series, t):
    pts = sorted(series)
    for (ta, va), (tb, vb) in zip(pts, pts[1:]):
        if ta <= t <= tb:
            return va if tb == ta else va + (vb - va) * (t - ta) / (tb - ta)
    return float("nan")


# ---------------------------------------------------------------------------------------------
# The Java probe.

class Probe:
    def __init__(self, java, classpath, period, trace_dir, env=None):
        self.p = subprocess.Popen([java, "-cp", classpath, "NvmlWindowProbe", f"period={period}",
                                   f"trace-dir={trace_dir}"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, env=env)
        self.meta = {}
        self.channels = []
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit("Java probe ended before READY")
            line = line.rstrip("\n")
            if line == "READY":
                break
            if line.startswith("META "):
                k, _, v = line[5:].partition("=")
                self.meta[k] = v
            elif line.startswith("CHANNEL "):
                self.channels.append(line[8:])
            else:
                log("probe:", line)

    def send(self, cmd, expect):
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        while True:
            line = self.p.stdout.readline()
            if not line:
                raise SystemExit(f"Java probe ended after {cmd!r}")
            if line.startswith(expect):
                return line[len(expect):].strip()
            log("probe:", line.rstrip())

    def close(self):
        self.send("quit", "BYE")
        self.p.wait(timeout=30)


def describe(java, classpath, cuda_visible_devices):
    env = dict(os.environ)
    env.pop("CUDA_VISIBLE_DEVICES", None)
    if cuda_visible_devices is not None:
        env["CUDA_VISIBLE_DEVICES"] = cuda_visible_devices
    out = subprocess.run([java, "-cp", classpath, "NvmlWindowProbe", "describe"], env=env,
                         capture_output=True, text=True, timeout=60)
    lines = (out.stdout + out.stderr).splitlines()
    keep = [l for l in lines if l.startswith(("UNAVAILABLE", "CHANNEL", "META nvml.visibility", "Exception"))
            or "uuid" in l]
    return keep or lines[:5]


# ---------------------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--gpu", type=int, default=0, help="NVML/CUDA index of the GPU to load and compare")
    ap.add_argument("--java", default="java")
    ap.add_argument("--classpath", help="framework classes, the JNA jar and the compiled NvmlWindowProbe")
    ap.add_argument("--out", default=".")
    ap.add_argument("--window", type=float, default=12.0, help="seconds per energy window (>= 10)")
    ap.add_argument("--windows", type=int, default=2, help="windows at idle and again under load")
    ap.add_argument("--period", default="10ms", help="Java sampling period")
    args = ap.parse_args()
    if args.worker:
        worker(args.gpu)
        return
    import pynvml

    os.makedirs(args.out, exist_ok=True)
    report = {"started": datetime.datetime.now().isoformat(timespec="seconds")}

    # 1. the device
    pynvml.nvmlInit()
    h = pynvml.nvmlDeviceGetHandleByIndex(args.gpu)

    def text(x):
        return x.decode() if isinstance(x, bytes) else x
    dev = {
        "name": text(pynvml.nvmlDeviceGetName(h)),
        "uuid": text(pynvml.nvmlDeviceGetUUID(h)),
        "driver": text(pynvml.nvmlSystemGetDriverVersion()),
        "nvml": text(pynvml.nvmlSystemGetNVMLVersion()),
        "power_limit_w": pynvml.nvmlDeviceGetEnforcedPowerLimit(h) / 1000,
        "gpu_count": pynvml.nvmlDeviceGetCount(),
    }
    smi = subprocess.run(["nvidia-smi", "--query-gpu=index,name,uuid,driver_version,enforced.power.limit",
                          "--format=csv,noheader"], capture_output=True, text=True).stdout.strip()
    dev["nvidia_smi"] = smi
    report["device"] = dev
    log("device:", json.dumps(dev))

    def counter_j():
        return pynvml.nvmlDeviceGetTotalEnergyConsumption(h) / 1000.0

    # 2. CUDA_VISIBLE_DEVICES as the Java sensor reads it
    vis = {}
    for v in [None, str(args.gpu), dev["uuid"][:12], "", str(dev["gpu_count"]), "MIG-0a1b2c3d-0000-1111-2222-333344445555",
              "x," + str(args.gpu)]:
        vis["(unset)" if v is None else repr(v)] = describe(args.java, args.classpath, v)
    report["cuda_visible_devices"] = vis
    for k, v in vis.items():
        log(f"CUDA_VISIBLE_DEVICES={k}:", " | ".join(v))

    # 3. energy windows
    smilog = SmiLog(args.gpu, os.path.join(args.out, "smi.csv"))
    load = Load(args.gpu)
    env = dict(os.environ)
    env["CUDA_VISIBLE_DEVICES"] = str(args.gpu)
    probe = Probe(args.java, args.classpath, args.period, args.out, env)
    java_uuid = probe.meta.get("nvml.gpu0.uuid")
    report["java_metadata"] = probe.meta
    report["java_channels"] = probe.channels
    report["uuid_match"] = java_uuid == dev["uuid"]
    log("java metadata:", json.dumps(probe.meta))
    log("uuid match (java vs pynvml):", report["uuid_match"])

    def window(label, seconds, csv=False):
        a0 = counter_j()
        started = probe.send(f"start {label}", "STARTED")
        a1 = counter_j()
        time.sleep(seconds)
        b0 = counter_j()
        res = json.loads(probe.send(f"stop {label}" + (" csv" if csv else ""), "RESULT"))
        b1 = counter_j()
        g = res["gpus"][0]
        py = (b0 + b1) / 2 - (a0 + a1) / 2
        t0, tN = res["t0_ns"], res["tN_ns"]
        row = {
            "label": label,
            "seconds": (tN - t0) / 1e9,
            "samples": res["samples"],
            "mean_sample_us": res["mean_sample_us"],
            "counter_reads": g["counter_reads"],
            "read_errors": res["read_errors"],
            "pynvml_counter_j": py,
            "pynvml_bracket_j": [b0 - a1, b1 - a0],
            "java_counter_j": g["counter_j"],
            "java_fused_j": g.get("fused_boundaries_j"),
            "java_trapezoid_field186_j": g.get("trapezoid_j"),
            "java_powertrace_trapezoid_j": g.get("trace_trapezoid_j"),
            "java_avg_w": g.get("avg_w"),
            "java_peak_w": g.get("peak_w"),
        }
        row["smi_power_draw_j"] = trapezoid(smilog.series("power.draw"), t0, tN)
        if "power.draw.instant" in smilog.fields:
            row["smi_power_draw_instant_j"] = trapezoid(smilog.series("power.draw.instant"), t0, tN)
        if "total_energy_consumption" in smilog.fields:
            s = smilog.series("total_energy_consumption")
            row["smi_total_energy_j"] = (interpolate(s, tN) - interpolate(s, t0)) / 1000.0
        for k in list(row):
            if k.endswith("_j") and k != "pynvml_counter_j" and isinstance(row[k], float) and py > 0:
                row[k.replace("_j", "_vs_pynvml_pct")] = 100.0 * (row[k] - py) / py
        log(json.dumps(row))
        return row, res

    rows = []
    time.sleep(3)
    for i in range(args.windows):
        rows.append(window(f"idle{i + 1}", args.window)[0])
    load_seconds = 4 + args.windows * (args.window + 1) + 2
    load.run(load_seconds)
    time.sleep(4)  # let power and clocks settle
    for i in range(args.windows):
        rows.append(window(f"load{i + 1}", args.window)[0])
    start_ns, stop_ns, iters, tflops = load.wait()
    report["steady_load"] = {"seconds": (stop_ns - start_ns) / 1e9, "matmuls": iters, "tflops": tflops}
    report["windows"] = rows

    # 4. the step
    time.sleep(6)
    step = {}
    started = probe.send("start step", "STARTED")
    time.sleep(3)
    load.run(4)
    on_ns, off_ns, iters, tflops = load.wait()
    time.sleep(4)
    res = json.loads(probe.send("stop step csv", "RESULT"))
    step["load_on_ns"], step["load_off_ns"] = on_ns, off_ns
    step["window"] = res
    probe.close()
    load.close()
    time.sleep(0.3)
    smilog.stop()

    series = {}
    with open(os.path.join(args.out, "step.csv")) as f:
        header = f.readline().strip().split(",")
        pcol = next(i for i, c in enumerate(header) if c.endswith(".power") or c.endswith(".power-avg1s"))
        ccol = next((i for i, c in enumerate(header) if c.endswith(".counter")), None)
        java_power, java_counter = [], []
        for line in f:
            parts = line.rstrip("\n").split(",")
            t = int(parts[0])
            if parts[pcol]:
                java_power.append((t, float(parts[pcol])))
            if ccol is not None and parts[ccol]:
                java_counter.append((t, float(parts[ccol])))
    series["java_field186"] = java_power
    series["smi_power.draw"] = smilog.series("power.draw")
    if "power.draw.instant" in smilog.fields:
        series["smi_power.draw.instant"] = smilog.series("power.draw.instant")
    step["response"] = {name: response(s, on_ns, off_ns) for name, s in series.items()}
    step["java_field186_change_interval_ms"] = change_intervals(java_power, on_ns - 3e9, off_ns + 4e9)
    step["java_counter_change_interval_ms"] = change_intervals(java_counter, on_ns - 3e9, off_ns + 4e9)
    report["step"] = step
    for name, r in step["response"].items():
        log(f"step response {name}: {json.dumps(r)}")
    log("java field 186 value changes every (ms):", json.dumps(step["java_field186_change_interval_ms"]))
    log("java counter value changes every (ms):", json.dumps(step["java_counter_change_interval_ms"]))

    pynvml.nvmlShutdown()
    with open(os.path.join(args.out, "crosscheck.json"), "w") as f:
        json.dump(report, f, indent=2)
    summary(report)


def response(series, on_ns, off_ns):
    """Times (ms) from the load edges until the trace crosses 10/50/90 % of the step."""
    idle = [v for t, v in series if on_ns - 2.5e9 <= t < on_ns]
    full = [v for t, v in series if on_ns + 1.5e9 <= t < off_ns]
    if not idle or not full:
        return {"error": "too few samples"}
    lo, hi = statistics.median(idle), statistics.median(full)
    out = {"idle_w": round(lo, 1), "full_w": round(hi, 1), "samples_per_s": None}
    inside = [t for t, v in series if on_ns - 3e9 <= t <= off_ns + 3e9]
    if len(inside) > 1:
        out["samples_per_s"] = round((len(inside) - 1) / ((inside[-1] - inside[0]) / 1e9), 1)
    for frac in (0.1, 0.5, 0.9):
        up = next((t for t, v in series if t >= on_ns and v >= lo + frac * (hi - lo)), None)
        down = next((t for t, v in series if t >= off_ns and v <= hi - frac * (hi - lo)), None)
        out[f"rise_{int(frac * 100)}_ms"] = None if up is None else round((up - on_ns) / 1e6, 1)
        out[f"fall_{int(frac * 100)}_ms"] = None if down is None else round((down - off_ns) / 1e6, 1)
    return out


def change_intervals(series, t0, t1):
    """Median and quartiles of the time between successive changes of value, ms."""
    pts = [(t, v) for t, v in series if t0 <= t <= t1]
    changes = [t for (ta, va), (t, v) in zip(pts, pts[1:]) if v != va]
    gaps = [(b - a) / 1e6 for a, b in zip(changes, changes[1:])]
    if len(gaps) < 4:
        return {"changes": len(changes)}
    q = statistics.quantiles(gaps, n=4)
    return {"changes": len(changes), "median": round(statistics.median(gaps), 1), "p25": round(q[0], 1),
            "p75": round(q[2], 1)}


def summary(report):
    log("")
    log("=== summary ===")
    d = report["device"]
    log(f"device: {d['name']} {d['uuid']}, driver {d['driver']}, NVML {d['nvml']}, limit {d['power_limit_w']} W")
    log(f"{'window':8} {'s':>5} {'pynvml J':>10} {'java ctr J':>10} {'diff %':>7} {'java 186 J':>10} {'diff %':>7}"
        f" {'smi avg J':>10} {'diff %':>7} {'smi ctr %':>9} {'avg W':>7}")
    for r in report["windows"]:
        log(f"{r['label']:8} {r['seconds']:5.1f} {r['pynvml_counter_j']:10.1f} {r['java_counter_j']:10.1f}"
            f" {r['java_counter_vs_pynvml_pct']:7.3f} {r['java_trapezoid_field186_j']:10.1f}"
            f" {r['java_trapezoid_field186_vs_pynvml_pct']:7.2f} {r['smi_power_draw_j']:10.1f}"
            f" {r['smi_power_draw_vs_pynvml_pct']:7.2f} {r.get('smi_total_energy_vs_pynvml_pct', float('nan')):9.3f}"
            f" {r['java_avg_w']:7.1f}")


if __name__ == "__main__":
    main()
