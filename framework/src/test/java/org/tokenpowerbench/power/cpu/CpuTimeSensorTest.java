package org.tokenpowerbench.power.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;

class CpuTimeSensorTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "wattsPerCore | abc      | 'abc' is not a number",
            "wattsPerCore | -1       | wattsPerCore=-1 must be a positive",
            "wattsPerCore | 0        | wattsPerCore=0 must be a positive",
            "wattsPerCore | NaN      | wattsPerCore=NaN must be a positive",
            "wattsPerCore | Infinity | wattsPerCore=Infinity must be a positive",
            "idleWatts    | -0.5     | idleWatts=-0.5 must be a finite number of watts, zero or more",
            "idleWatts    | lots     | 'lots' is not a number",
    })
    void badOptionsNameTheValueAndWhatToWrite(String key, String value, String expected) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CpuTimeSensorProvider().open(Map.of(key, value)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(key + "="), e.getMessage());
    }

    @Test
    void unknownOptionIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new CpuTimeSensorProvider().open(Map.of("wattsPerCpu", "5")));
        assertTrue(e.getMessage().contains("wattsPerCpu"), e.getMessage());
    }

    @Test
    void defaultsAndLabels() throws Exception {
        try (PowerSensor sensor = new CpuTimeSensorProvider().open(Map.of())) {
            CpuTimeSensor cpu = (CpuTimeSensor) sensor;
            assertEquals("cpu", sensor.id());
            assertEquals(CpuTimeSensor.DEFAULT_WATTS_PER_CORE, cpu.wattsPerCore());
            assertEquals(0.0, cpu.idleWatts());
            PowerChannel channel = sensor.channels().get(0);
            assertEquals("cpu-estimate", channel.name());
            assertEquals(Scope.CPU, channel.scope());
            assertEquals(Method.ESTIMATED, channel.method());
            assertEquals(PowerChannel.Kind.ENERGY_JOULES, channel.kind());
            assertEquals(java.time.Duration.ofMillis(100), sensor.updatePeriod());
            assertEquals(Runtime.getRuntime().availableProcessors() * CpuTimeSensor.DEFAULT_WATTS_PER_CORE,
                    cpu.ceilingWatts(), 1e-12);
            assertEquals("100", sensor.environment().get("cpu.readingWindowMs"));
        }
        try (PowerSensor sensor = new CpuTimeSensorProvider().open(Map.of("wattsPerCore", " 4.5 ", "idleWatts", "0"))) {
            assertEquals(4.5, ((CpuTimeSensor) sensor).wattsPerCore());
        }
    }

    @Test
    void estimateIsCpuSecondsTimesWattsPlusIdleTimesWallSeconds() {
        AtomicLong cpu = new AtomicLong(5_000_000_000L);
        AtomicLong wall = new AtomicLong(77_000_000_000L);
        CpuTimeSensor sensor = new CpuTimeSensor(7.5, 2.0, 2, cpu::get, wall::get);
        double[] out = new double[1];
        sensor.sample(out, true);
        assertEquals(0.0, out[0]);
        cpu.addAndGet(2_000_000_000L);
        wall.addAndGet(3_000_000_000L);
        sensor.sample(out, false);
        assertEquals(2 * 7.5 + 3 * 2.0, out[0], 1e-12);
        cpu.addAndGet(10_000_000L);
        wall.addAndGet(10_000_000L);
        sensor.sample(out, false);
        assertTrue(Double.isNaN(out[0]), "a reading 10 ms after the last one, not at a boundary, is no reading: " + out[0]);
        assertThrows(IllegalArgumentException.class, () -> new CpuTimeSensor(0, 0, 2, cpu::get, wall::get));
        assertThrows(IllegalArgumentException.class, () -> new CpuTimeSensor(1, -1, 2, cpu::get, wall::get));
    }

    /**
     * Process CPU time that moves in 10 ms ticks, summed over threads, with bursts of ticks that
     * two cores could not have run in the time (what made 46.5 W out of a 14.6 W ceiling): no
     * pair of readings may imply more than the ceiling, and the CPU time held back is published
     * later, not lost.
     */
    @Test
    void tickQuantisedCpuTimeNeverReadsAboveTheCeilingAndIsNotLost() {
        AtomicLong cpu = new AtomicLong();
        AtomicLong wall = new AtomicLong(1_000_000_000L);
        CpuTimeSensor sensor = new CpuTimeSensor(7.3, 0.0, 2, cpu::get, wall::get);
        assertEquals(14.6, sensor.ceilingWatts(), 1e-12);
        long tick = 10_000_000L;
        // ticks seen per 10 ms sample: bursts of 4 and 6 where at most 2 fit, averaging 2 per sample
        int[] pattern = {0, 4, 0, 2, 6, 0, 0, 2, 4, 2, 0, 0, 6, 2, 0, 4, 2, 0, 2, 4};
        double[] out = new double[1];
        sensor.sample(out, true);
        double lastValue = out[0];
        long lastTime = wall.get();
        int readings = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < pattern.length; i++) {
                cpu.addAndGet(pattern[i] * tick);
                wall.addAndGet(tick);
                boolean boundary = i == 7; // a boundary soon after a reading, as the sampler's stop makes
                sensor.sample(out, boundary);
                if (Double.isNaN(out[0])) {
                    continue;
                }
                readings++;
                double watts = (out[0] - lastValue) / ((wall.get() - lastTime) * 1e-9);
                assertTrue(watts <= sensor.ceilingWatts() + 1e-9,
                        "reading " + readings + " implies " + watts + " W, above the ceiling of 14.6 W");
                lastValue = out[0];
                lastTime = wall.get();
            }
        }
        assertTrue(readings >= 40, "only " + readings + " readings in 4 s");
        for (int i = 0; i < 10; i++) { // a quiet second lets the held-back time through
            wall.addAndGet(100_000_000L);
            sensor.sample(out, false);
        }
        assertEquals(cpu.get() * 1e-9 * 7.3, out[0], 1e-9);
    }

    /**
     * The real sensor under every core this JVM may use, sampled every 10 ms as a profiler does:
     * the peak power of the signal built from its trace stays within cores × wattsPerCore.
     */
    @Test
    void peakPowerOfABusyProcessStaysWithinTheCeiling() throws Exception {
        try (CpuTimeSensor sensor = CpuTimeSensor.open(7.3, 0.0)) {
            PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(10));
            int cores = sensor.cores();
            AtomicLong sink = new AtomicLong();
            Thread[] spinners = new Thread[cores * 2];
            long until = System.nanoTime() + 1_500_000_000L;
            sampler.start();
            for (int t = 0; t < spinners.length; t++) {
                spinners[t] = new Thread(() -> {
                    long x = 0;
                    while (System.nanoTime() < until) {
                        for (int i = 0; i < 10_000; i++) {
                            x += i * 31L ^ x;
                        }
                    }
                    sink.addAndGet(x);
                }, "cpu-ceiling-spinner-" + t);
                spinners[t].start();
            }
            for (Thread t : spinners) {
                t.join();
            }
            PowerTrace trace = sampler.stop();
            sampler.close();
            PowerSignal signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(Duration.ofMillis(10),
                    sensor.updatePeriod()));
            double peak = signal.peakWatts(signal.startNanos(), signal.endNanos());
            assertTrue(peak <= sensor.ceilingWatts() + 1e-9,
                    "peak " + peak + " W on " + cores + " cores, above the ceiling of " + sensor.ceilingWatts() + " W");
            assertTrue(peak > 0, "a busy process read no power at all: " + peak);
        }
    }

    @Test
    void busySpinningRaisesTheEstimate() throws Exception {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        assumeTrue(threads.isCurrentThreadCpuTimeSupported(), "thread CPU time is not supported here");
        double watts = 10.0;
        try (PowerSensor sensor = CpuTimeSensor.open(watts, 0.0)) {
            double[] before = new double[1];
            sensor.sample(before, true);

            long targetCpuNanos = 200_000_000L;
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread spinner = new Thread(() -> {
                try {
                    long deadline = System.nanoTime() + 60_000_000_000L;
                    long x = 0;
                    while (threads.getCurrentThreadCpuTime() < targetCpuNanos && System.nanoTime() < deadline) {
                        for (int i = 0; i < 10_000; i++) {
                            x += i * 31L ^ x;
                        }
                    }
                    if (x == 42) {
                        System.out.print("");
                    }
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "cpu-estimate-spinner");
            spinner.start();
            spinner.join();
            assertEquals(null, failure.get());

            double[] after = new double[1];
            sensor.sample(after, true);
            // 200 ms of CPU at 10 W is 2 J; allow a clock tick or two of granularity
            assertTrue(after[0] - before[0] >= 1.7, "estimate grew by only " + (after[0] - before[0]) + " J");
        }
    }
}
