package org.tokenpowerbench.power.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
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
            assertEquals(java.time.Duration.ofMillis(10), sensor.updatePeriod());
        }
        try (PowerSensor sensor = new CpuTimeSensorProvider().open(Map.of("wattsPerCore", " 4.5 ", "idleWatts", "0"))) {
            assertEquals(4.5, ((CpuTimeSensor) sensor).wattsPerCore());
        }
    }

    @Test
    void estimateIsCpuSecondsTimesWattsPlusIdleTimesWallSeconds() {
        AtomicLong cpu = new AtomicLong(5_000_000_000L);
        AtomicLong wall = new AtomicLong(77_000_000_000L);
        CpuTimeSensor sensor = new CpuTimeSensor(7.5, 2.0, cpu::get, wall::get);
        double[] out = new double[1];
        sensor.sample(out, true);
        assertEquals(0.0, out[0]);
        cpu.addAndGet(2_000_000_000L);
        wall.addAndGet(3_000_000_000L);
        sensor.sample(out, false);
        assertEquals(2 * 7.5 + 3 * 2.0, out[0], 1e-12);
        assertThrows(IllegalArgumentException.class, () -> new CpuTimeSensor(0, 0, cpu::get, wall::get));
        assertThrows(IllegalArgumentException.class, () -> new CpuTimeSensor(1, -1, cpu::get, wall::get));
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
