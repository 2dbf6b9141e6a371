package org.tokenpowerbench.sweep;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.power.nvml.JnaNvmlLibrary;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlException;
import org.tokenpowerbench.power.nvml.NvmlLibrary;

/**
 * On an NVIDIA host, waits after a managed engine stopped until the GPUs are as they were before the
 * first engine started: none of the engine's processes in NVML's compute-process list, and every
 * device's memory in use back within {@code max(256 MiB, 2 %)} of its level then. A driver frees a
 * dead process's memory a moment after it exits, and vLLM's workers can outlive the parent for
 * seconds; the next trial's idle baseline must not measure that. Never fails the sweep: after the
 * timeout it says what it saw and goes on.
 */
final class GpuMemorySettle implements AutoCloseable {

    private static final long MIN_TOLERANCE = 256L << 20;

    private final NvmlLibrary nvml;
    private final List<NvmlDeviceHandle> devices;
    private final long[] before;
    private final Duration poll;
    private final PrintStream console;

    GpuMemorySettle(NvmlLibrary nvml, Duration poll, PrintStream console) {
        this.nvml = nvml;
        this.poll = poll;
        this.console = console;
        this.devices = new ArrayList<>();
        for (int i = 0; i < nvml.deviceCount(); i++) {
            devices.add(nvml.handleByIndex(i));
        }
        this.before = used();
    }

    /** The GPUs' levels now, or null on a host without NVML (said by nothing: most hosts have none). */
    static GpuMemorySettle open(PrintStream console) {
        NvmlLibrary nvml;
        try {
            nvml = JnaNvmlLibrary.load();
        } catch (SensorUnavailableException e) {
            return null;
        }
        try {
            nvml.init();
        } catch (NvmlException e) {
            return null;
        }
        try {
            return new GpuMemorySettle(nvml, Duration.ofMillis(250), console);
        } catch (NvmlException e) {
            nvml.shutdown();
            console.println("tokenpowerbench: GPU memory is not watched between engines: " + e.getMessage());
            return null;
        }
    }

    private long[] used() {
        long[] out = new long[devices.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = nvml.memoryUsedBytes(devices.get(i));
        }
        return out;
    }

    /**
     * Waits until no process of {@code enginePids} holds a GPU and memory is back; returns whether
     * it is, saying on the console when it was not by {@code timeout}.
     */
    boolean await(Set<Long> enginePids, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String left;
        while (true) {
            left = whatIsLeft(enginePids);
            if (left == null) {
                return true;
            }
            if (System.nanoTime() - deadline >= 0) {
                console.println("tokenpowerbench: after " + timeout.toSeconds() + " s the GPUs are not back to their"
                        + " level before the engine started (" + left + "); the next trial's idle baseline may include it");
                return false;
            }
            try {
                Thread.sleep(poll.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** What still differs from before, or null when nothing does. */
    private String whatIsLeft(Set<Long> enginePids) {
        long[] now = used();
        for (int i = 0; i < devices.size(); i++) {
            try {
                for (long pid : nvml.computeProcessIds(devices.get(i))) {
                    if (enginePids.contains(pid)) {
                        return "GPU " + i + " still runs the engine's process " + pid;
                    }
                }
            } catch (NvmlException e) {
                // a driver without the process list: memory alone decides
            }
            long tolerance = Math.max(MIN_TOLERANCE, before[i] / 50);
            if (now[i] > before[i] + tolerance) {
                return "GPU " + i + " uses " + (now[i] >> 20) + " MiB, " + (before[i] >> 20) + " MiB before";
            }
        }
        return null;
    }

    @Override
    public void close() {
        nvml.shutdown();
    }
}
