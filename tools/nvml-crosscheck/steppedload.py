"""The GPU load the per-wave checks step on and off: bf16 matmuls of 8192 x 8192 on GPU 0, four at a
time between synchronisations, while `load_on` is set; a 2 ms nap while it is clear. Shared by
wavecheck.py and power_samples_probe.py."""
import threading
import time

import torch


def start(stop):
    """Starts the load's daemon thread, which ends once `stop` is set; returns the on/off event."""
    x = torch.randn(8192, 8192, device="cuda", dtype=torch.bfloat16)
    load_on = threading.Event()

    def loader():
        while not stop.is_set():
            if load_on.is_set():
                for _ in range(4):
                    torch.mm(x, x)
                torch.cuda.synchronize()
            else:
                time.sleep(0.002)

    for _ in range(3):  # first use: kernels chosen and loaded before anything is measured
        torch.mm(x, x)
    torch.cuda.synchronize()
    threading.Thread(target=loader, daemon=True).start()
    return load_on
