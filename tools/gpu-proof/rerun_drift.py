#!/usr/bin/env python3
"""What moved between reruns of one point (issue #14, item 3): per run folder, in the order given,
J/outputToken, the work's energy above idle per output token, the wave's time, TPOT, and what might
have slowed the engine: who used the host's CPUs (host.cpu, host.others.cpu, host.steal, engine.cpu, and the
steal of the most stolen vCPU and of the vCPU the engine's busiest thread was on),
how late the client's own thread woke (client.lag.max), the GPU's lowest SM clock, its hottest
temperature and its throttled time. Every figure is the trial's mean from summary.json; a figure a
run did not record prints as '-'.

Usage: rerun_drift.py RUN_DIR RUN_DIR... [--sensor nvml]
"""
import json
import sys

from run_folders import sensor_option

args = sys.argv[1:]
sensor = sensor_option(args)
if not args:
    sys.exit(__doc__)

COLUMNS = [
    ("J/outputToken", sensor + ".J/outputToken", "%.5f"),
    ("above idle J/token", sensor + ".dynamic.energy/outputToken", "%.5f"),
    ("wave s", None, "%.2f"),
    ("TPOT p50 ms", "tpot.p50", "%.2f"),
    ("host.cpu", "host.cpu", "%.3f"),
    ("host.others.cpu", "host.others.cpu", "%.3f"),
    ("host.steal", "host.steal", "%.3f"),
    ("engine.cpu", "engine.cpu", "%.3f"),
    ("steal, most stolen vCPU", "host.steal.mostStolenCpu", "%.3f"),
    ("steal, engine thread's vCPU", "host.steal.engineThreadCpu", "%.3f"),
    ("engine thread CPU", "engine.thread.cpu", "%.3f"),
    ("engine thread run-queue wait", "engine.thread.runQueue", "%.3f"),
    ("client lag max ms", "client.lag.max", "%.1f"),
    ("SM clock min MHz", sensor + ".smClock.min", "%.0f"),
    ("max C", sensor + ".maxTemperature", "%.0f"),
    ("throttled time", sensor + ".throttledTime", "%.3f"),
]

print("| run | " + " | ".join(c[0] for c in COLUMNS) + " |")
print("| --- |" + " ---: |" * len(COLUMNS))
for d in args:
    summary = json.load(open(d + "/summary.json"))
    for t in summary.get("trials", []):
        m = t.get("metrics", {})
        cells = []
        for title, key, fmt in COLUMNS:
            if key is None:
                wave = t.get("wave") or {}
                value = wave.get("score")
                if value is not None and wave.get("unit") == "ms/op":
                    value = value / 1000
                elif wave.get("unit") != "s/op":
                    value = None
            else:
                value = (m.get(key) or {}).get("score")
                if value is None and key.endswith(".dynamic.energy/outputToken"):
                    # folders written before the figure existed: the dynamic energy over the output tokens
                    dyn = (m.get(sensor + ".dynamic.energy") or {}).get("score")
                    tok = next((v.get("score") for k, v in m.items()
                                if k.startswith("tokens.output.") and v.get("unit") == "tokens"), None)
                    value = dyn / tok if dyn is not None and tok else None
            cells.append("-" if value is None else fmt % value)
        print("| %s | %s |" % (d, " | ".join(cells)))
