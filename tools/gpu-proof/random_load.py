#!/usr/bin/env python3
"""A GPU load that steps on and off at random, for checking energy per wave while the waves themselves
run elsewhere (the embedded engine on the CPU, say): each iteration's GPU energy then changes inside it,
at moments that have nothing to do with the iteration's edges. The load is tools/nvml-crosscheck's
steppedload (bf16 matmuls of 8192 x 8192 on GPU 0); each on or off period lasts a uniform 0.3-1.7 s.

Usage: random_load.py [SECONDS] [SEED]   (defaults: 140 s, seed 9). Needs torch with CUDA.
"""
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "nvml-crosscheck"))
import steppedload  # noqa: E402

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 140.0
rnd = random.Random(int(sys.argv[2]) if len(sys.argv) > 2 else 9)
stop = threading.Event()
on = steppedload.start(stop)
end = time.time() + seconds
while time.time() < end:
    if rnd.random() < 0.5:
        on.set()
    else:
        on.clear()
    time.sleep(rnd.uniform(0.3, 1.7))
stop.set()
