package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlLibrary;

/**
 * The wait between engines on an NVIDIA host, on a scripted NVML: memory must come back to its
 * level before the first engine, and the engine's processes must leave the GPU's list; a GPU
 * that never settles is one line, and the sweep goes on.
 */
class GpuMemorySettleTest {

    private static final long GIB = 1L << 30;

    /** One GPU whose memory readings and process lists follow a script (the last entry repeats). */
    private static final class ScriptedNvml implements NvmlLibrary {
        final Deque<Long> memory = new ArrayDeque<>();
        final Deque<List<Long>> processes = new ArrayDeque<>();
        int memoryReads;

        @Override
        public long memoryUsedBytes(NvmlDeviceHandle device) {
            memoryReads++;
            return memory.size() > 1 ? memory.poll() : memory.peek();
        }

        @Override
        public List<Long> computeProcessIds(NvmlDeviceHandle device) {
            return processes.size() > 1 ? processes.poll() : processes.isEmpty() ? List.of() : processes.peek();
        }

        @Override
        public int deviceCount() {
            return 1;
        }

        @Override
        public NvmlDeviceHandle handleByIndex(int index) {
            return new NvmlDeviceHandle(0x1000 + index);
        }

        @Override
        public void init() {
        }

        @Override
        public int shutdown() {
            return 0;
        }

        @Override
        public String errorString(int code) {
            return "code " + code;
        }

        @Override
        public String driverVersion() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String nvmlVersion() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String uuid(NvmlDeviceHandle device) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String name(NvmlDeviceHandle device) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long enforcedPowerLimitMilliwatts(NvmlDeviceHandle device) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device) {
            throw new UnsupportedOperationException();
        }

        @Override
        public long powerUsageMilliwatts(NvmlDeviceHandle device) {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds) {
            throw new UnsupportedOperationException();
        }
    }

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private GpuMemorySettle settle(ScriptedNvml nvml) {
        return new GpuMemorySettle(nvml, Duration.ZERO, new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    @Test
    void waitsUntilMemoryIsBackToItsLevelBeforeTheFirstEngine() {
        ScriptedNvml nvml = new ScriptedNvml();
        nvml.memory.addAll(List.of(GIB, 9 * GIB, 5 * GIB, GIB + (100L << 20)));
        GpuMemorySettle s = settle(nvml); // reads the level before: 1 GiB
        assertTrue(s.await(Set.of(4242L), Duration.ofMinutes(5)));
        assertEquals(4, nvml.memoryReads, "read until within 256 MiB of the level before");
        assertEquals("", console.toString(StandardCharsets.UTF_8));
    }

    @Test
    void waitsUntilTheEnginesProcessesLeaveTheGpu() {
        ScriptedNvml nvml = new ScriptedNvml();
        nvml.memory.add(GIB);
        nvml.processes.addAll(List.of(List.of(7L, 4242L), List.of(4243L), List.of(7L)));
        GpuMemorySettle s = settle(nvml);
        assertTrue(s.await(Set.of(4242L, 4243L), Duration.ofMinutes(5)));
        assertEquals(4, nvml.memoryReads, "until neither 4242 nor 4243 is listed; 7 is someone else's");
    }

    @Test
    void aGpuThatNeverSettlesIsOneLineAndTheSweepGoesOn() {
        ScriptedNvml nvml = new ScriptedNvml();
        nvml.memory.addAll(List.of(GIB, 9 * GIB));
        GpuMemorySettle s = settle(nvml);
        assertFalse(s.await(Set.of(), Duration.ZERO));
        String line = console.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains("GPU 0 uses 9216 MiB, 1024 MiB before"), line);
        assertTrue(line.contains("idle baseline"), line);
    }
}
