#!/usr/bin/env python3
"""Summarises the GPU proof (docs/gpu-proof.md): per batch, the profiler's figures from JMH's JSON,
and, per iteration, the profiler's own power trace against an independent pynvml log
(nvml_log.py) over the same CLOCK_MONOTONIC span.

Usage: analyze.py SENSOR NVML_LOG.csv RUN_DIR:RESULT.json [RUN_DIR:RESULT.json ...]
Prints tables; writes nothing.
"""
import bisect
import csv
import glob
import json
import os
import re
import sys

sensor = sys.argv[1]
log_path = sys.argv[2]
pairs = [a.split(":", 1) for a in sys.argv[3:]]


def load_log(path):
    t, e, p = [], [], []
    if not os.path.exists(path):
        return t, e, p
    with open(path) as f:
        r = csv.reader(f)
        next(r, None)
        for row in r:
            if len(row) < 3 or not row[1]:
                continue
            t.append(int(row[0]))
            e.append(int(row[1]) / 1000.0)  # J
            p.append(int(row[2]) / 1000.0)  # W
    return t, e, p


LT, LE, LP = load_log(log_path)


def log_bracket(t_ns):
    """pynvml counter (J) read just before and just after t_ns, with their times; None outside the log."""
    i = bisect.bisect_right(LT, t_ns)
    if i == 0 or i >= len(LT):
        return None
    return (LT[i - 1], LE[i - 1], LT[i], LE[i])


def log_interp(t_ns):
    b = log_bracket(t_ns)
    if b is None:
        return None
    t0, e0, t1, e1 = b
    return e0 + (e1 - e0) * (t_ns - t0) / (t1 - t0)


def clock_anchors(run_dir):
    """pid -> (nanoTime, unixNanos) from clock.jsonl: each fork's monotonic and wall clock, read together."""
    out = {}
    path = os.path.join(run_dir, "clock.jsonl")
    if os.path.exists(path):
        for l in open(path):
            if l.strip():
                d = json.loads(l)
                out[str(d["pid"])] = (d["nanoTime"], d["unixNanos"])
    return out


def unix_ns(ms_text):
    """'1796367683222.959' (Unix ms, microseconds as decimals) -> exact integer nanoseconds."""
    whole, _, frac = ms_text.partition(".")
    return int(whole) * 1_000_000 + int((frac + "000")[:3]) * 1_000


def read_trace(path, anchors):
    with open(path) as f:
        lines = [l for l in f if not l.startswith("#")]  # folders written before the one clock had a comment line
    r = csv.reader(lines)
    header = next(r)
    rows = [row for row in r if row]
    cols = {name: i for i, name in enumerate(header)}
    if "t_ns" in cols:  # a folder written before the one clock: System.nanoTime() itself
        t = [int(row[cols["t_ns"]]) for row in rows]
    else:  # t_unix_ms back on CLOCK_MONOTONIC through the fork's anchor, the clock nvml_log.py stamps
        nano, unix = anchors[re.search(r"-(\d+)-\d+\.csv$", path).group(1)]
        t = [nano + unix_ns(row[cols["t_unix_ms"]]) - unix for row in rows]
    counters = [c for c in header if c.endswith(".counter") or c.endswith(".counter_J")]
    powers = [c for c in header if ".power" in c and not c.endswith("_unix_ms")]
    out = {"t": t, "counter": {}, "power": {}}
    for c in counters:
        out["counter"][c] = [(t[k], float(row[cols[c]])) for k, row in enumerate(rows) if row[cols[c]]]
    for c in powers:
        out["power"][c] = [(t[k], float(row[cols[c]])) for k, row in enumerate(rows) if len(row) > cols[c] and row[cols[c]]]
    return out


def trapz(points):
    return sum((b[0] - a[0]) / 1e9 * (a[1] + b[1]) / 2 for a, b in zip(points, points[1:]))


def trace_files(run_dir):
    files = glob.glob(os.path.join(run_dir, "power-%s-*.csv" % sensor))
    def key(f):
        m = re.search(r"-(\d+)-(\d+)\.csv$", f)
        return (os.path.getmtime(f), int(m.group(1)), int(m.group(2))) if m else (0, 0, 0)
    # order by pid then iteration number; pids of one run dir are forks in order of their files' creation
    by_pid = {}
    for f in files:
        m = re.search(r"-(\d+)-(\d+)\.csv$", f)
        by_pid.setdefault(int(m.group(1)), []).append((int(m.group(2)), f))
    ordered = []
    for pid in sorted(by_pid, key=lambda p: min(os.path.getmtime(f) for _, f in by_pid[p])):
        ordered += [f for _, f in sorted(by_pid[pid])]
    return ordered


def fmt(v, spec=".4g"):
    return "-" if v is None else format(v, spec)


print("== Per batch (JMH means over measurement iterations; energy figures from -prof %s) ==" % sensor)
wanted = ["J/token", "J/outputToken", "J/promptToken", "J/decodeToken", "avgPower", "energy", "prefill.J",
          "decode.J", "idle.J", "idleBaseline.power", "dynamic.energy", "steady.J/token"]
rows = []
for run_dir, result in pairs:
    if not os.path.exists(result):
        print("missing", result)
        continue
    for bench in json.load(open(result)):
        sm = bench["secondaryMetrics"]
        def g(name):
            for prefix in (sensor + ".", sensor + ".estimated."):
                if prefix + name in sm:
                    return sm[prefix + name]["score"]
            return sm[name]["score"] if name in sm else None
        rows.append(("%s (in %s, out %s)" % (bench["params"].get("batch"), bench["params"].get("inputTokens"),
                                              bench["params"].get("outputTokens")),
                     bench["params"].get("prompts"), bench["primaryMetric"]["score"],
                     {n: g(n) for n in wanted + ["ttft.p50", "ttft.p90", "tpot.p50", "tpot.p90", "e2e.p50",
                                                 "output.tokens/s", "requests.failed"]}))
hdr = ["batch (tokens)", "prompts", "wave ms", "J/token", "J/outTok", "J/promptTok", "J/decodeTok", "avg W", "wave J",
       "prefill J", "decode J", "idle J", "idle W", "dyn J", "steady J/tok", "TTFT p50 ms", "TPOT p50 ms",
       "out tok/s", "failed"]
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
for b, p, wave, m in rows:
    vals = [b, p, fmt(wave, ".0f"), fmt(m["J/token"]), fmt(m["J/outputToken"]), fmt(m["J/promptToken"]),
            fmt(m["J/decodeToken"]), fmt(m["avgPower"], ".1f"), fmt(m["energy"], ".1f"), fmt(m["prefill.J"], ".1f"),
            fmt(m["decode.J"], ".1f"), fmt(m["idle.J"], ".2f"), fmt(m["idleBaseline.power"], ".1f"),
            fmt(m["dynamic.energy"], ".1f"), fmt(m["steady.J/token"]), fmt(m["ttft.p50"], ".1f"),
            fmt(m["tpot.p50"], ".2f"), fmt(m["output.tokens/s"], ".0f"), fmt(m["requests.failed"], ".0f")]
    print("| " + " | ".join(str(v) for v in vals) + " |")

print()
print("== Per iteration: profiler (run folder) vs independent pynvml log over the same trace span ==")
print("Java counter J: the profiler's own counter reads (first to last in the iteration's trace). pynvml J: the")
print("same span from the independent log; the counter steps about every 100 ms, so pynvml brackets it")
print("[read after start .. read before end] to [read before start .. read after end]; mid = their mean.")
hdr = ["batch", "iteration", "wave s", "wave J (profiler)", "prefill J", "decode J", "J/promptTok", "J/decodeTok",
       "ctr span s", "Java counter J", "Java power∫ J", "pynvml J mid [lo, hi]", "Java ctr vs pynvml mid",
       "inside bracket"]
print("| " + " | ".join(hdr) + " |")
print("|" + "---|" * len(hdr))
totals = {"java": 0.0, "mid": 0.0, "lo": 0.0, "hi": 0.0}
offsets = {}
for run_dir, result in pairs:
    path = os.path.join(run_dir, "iterations.jsonl")
    if not os.path.exists(path):
        print("missing", path)
        continue
    lines = [json.loads(l) for l in open(path) if l.strip()]
    energy = [d for d in lines if d.get("kind") == "energy" and d.get("sensor", sensor) == sensor]
    files = trace_files(run_dir)
    anchors = clock_anchors(run_dir)
    if len(files) != len(energy):
        print("note: %s has %d energy lines and %d traces" % (run_dir, len(energy), len(files)))
    for it, f in zip(energy, files):
        tr = read_trace(f, anchors)
        pid = re.search(r"-(\d+)-\d+\.csv$", f).group(1)
        batch = re.search(r"batch=(\d+)", it["trial"]).group(1)
        jc = jp = lo = hi = mid = None
        span = None
        inside = "-"
        if tr["counter"]:
            pts = list(tr["counter"].values())[0]
            for t, v in pts:
                br = log_bracket(t)
                if br is None:
                    continue
                # one constant offset (absolute counter - Java's counter since the sensor opened) must fit every read
                a, b = br[1] - v, br[3] - v
                cur = offsets.get(pid, (-1e300, 1e300))
                offsets[pid] = (max(cur[0], a), min(cur[1], b))
            if len(pts) >= 2:
                (t0, v0), (t1, v1) = pts[0], pts[-1]
                span = (t1 - t0) / 1e9
                jc = v1 - v0
                b0, b1 = log_bracket(t0), log_bracket(t1)
                if b0 and b1:
                    lo, hi = b1[1] - b0[3], b1[3] - b0[1]
                    mid = (lo + hi) / 2
                    inside = "yes" if lo - 1e-6 <= jc <= hi + 1e-6 else "NO"
        if tr["power"]:
            jp = trapz(list(tr["power"].values())[0])
        if jc is not None and mid is not None:
            totals["java"] += jc
            totals["mid"] += mid
            totals["lo"] += lo
            totals["hi"] += hi
        rel = None if jc is None or not mid else 100.0 * (jc - mid) / mid
        print("| " + " | ".join(str(v) for v in [
            batch, "%s-%s" % (it["iteration"], it["iterationNumber"]), fmt(it["seconds"], ".2f"),
            fmt(it["energyJ"], ".1f"), fmt(it.get("prefillJ"), ".1f"), fmt(it.get("decodeJ"), ".1f"),
            fmt(it.get("jPerPromptToken")), fmt(it.get("jPerDecodeToken")), fmt(span, ".2f"), fmt(jc, ".1f"),
            fmt(jp, ".1f"), "%s [%s, %s]" % (fmt(mid, ".1f"), fmt(lo, ".1f"), fmt(hi, ".1f")),
            fmt(rel, "+.2f") + "%", inside]) + " |")
if totals["mid"]:
    print()
    print("All traced spans: Java counter %.1f J; pynvml %.1f J [%.1f, %.1f]; Java vs pynvml mid %+.3f%%" % (
        totals["java"], totals["mid"], totals["lo"], totals["hi"],
        100.0 * (totals["java"] - totals["mid"]) / totals["mid"]))
for pid, (a, b) in offsets.items():
    print("fork %s: one constant offset fits every Java counter read against pynvml's reads around it: %s"
          " (offset interval width %.3f J)" % (pid, "yes" if a <= b + 1e-6 else "NO", b - a))
if LT:
    print("pynvml log: %.1f s, %d rows, counter %.1f J over the log (%.1f W average), power %.0f..%.0f W" % (
        (LT[-1] - LT[0]) / 1e9, len(LT), LE[-1] - LE[0], (LE[-1] - LE[0]) / ((LT[-1] - LT[0]) / 1e9), min(LP), max(LP)))

print()
print("== Regression per run folder (regression.json): energyJ = a*prefillTokens + b*decodeTokens + c*seconds ==")


def coef(node, name):
    c = node.get(name)
    if not c:
        return "-"
    return "%s ± %s" % (fmt(c.get("value")), fmt(c.get("standardError"), ".2g"))


for run_dir, result in pairs:
    path = os.path.join(run_dir, "regression.json")
    if not os.path.exists(path):
        continue
    for f in json.load(open(path)).get("fits", []):
        if f.get("sensor") != sensor:
            continue
        print("%s: %d observations, %d sweep points, idle baseline %.1f W" % (
            re.sub(r" engine=.*", "", f["group"]), f["observations"], f["sweepPoints"], f.get("meanIdleBaselineW", float("nan"))))
        for key in ("fit", "fitAboveIdleBaseline"):
            g = f[key]
            if "problem" in g:
                print("  %s: %s" % (key, g["problem"]))
            else:
                print("  %s: a = %s J/prefill token, b = %s J/decode token, c = %s W, R² %s, residual SE %s J" % (
                    key, coef(g, "a_JPerPrefillToken"), coef(g, "b_JPerDecodeToken"), coef(g, "c_W"),
                    fmt(g.get("rSquared"), ".6f"), fmt(g.get("residualStandardErrorJ"), ".3g")))
        for policy, a in f.get("attribution", {}).items():
            print("  attribution %s: " % policy + ", ".join("%s %s" % (k, fmt(v)) for k, v in a.items()))
