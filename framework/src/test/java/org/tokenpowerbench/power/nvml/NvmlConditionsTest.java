package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.DeviceCondition;
import org.tokenpowerbench.power.OperatingConditions;

/** Clock event reasons, temperature and SM clock read beside power, through a fake NVML. */
class NvmlConditionsTest {

    private static final long MS = 1_000_000L;
    private static final String U0 = "GPU-11111111-aaaa-bbbb-cccc-000000000000";
    private static final String U1 = "GPU-22222222-aaaa-bbbb-cccc-000000000000";

    private final AtomicLong now = new AtomicLong(1_000 * MS);

    private NvmlSensor open(FakeNvml nvml) throws Exception {
        return NvmlSensor.open(nvml, NvmlOptions.parse(Map.of()), new HashMap<>(), now::get);
    }

    /** Samples every 10 ms for {@code ms}. */
    private void sampleFor(NvmlSensor sensor, long ms) {
        double[] out = new double[sensor.channels().size()];
        sensor.sample(out, true);
        for (long t = 10; t < ms; t += 10) {
            now.addAndGet(10 * MS);
            sensor.sample(out, false);
        }
        now.addAndGet(10 * MS);
        sensor.sample(out, true);
    }

    @Test
    void theBitsAreNamedAsNvmlNamesThem() {
        assertEquals(List.of(), NvmlClockEvents.names(0));
        assertEquals(List.of("gpuIdle", "swPowerCap"), NvmlClockEvents.names(0x5));
        assertEquals(List.of("hwThermalSlowdown", "hwPowerBrakeSlowdown"), NvmlClockEvents.names(0xC0));
        assertEquals(List.of("bit12"), NvmlClockEvents.names(1L << 12), "an unknown bit is kept, by number");
    }

    @Test
    void conditionsPeriodSpacesTheReadsBetweenBoundaries() throws Exception {
        FakeNvml nvml = new FakeNvml(now::get, FakeNvml.h200(U0));
        try (NvmlSensor sensor = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("conditionsPeriod", "1s")), new HashMap<>(),
                now::get)) {
            sampleFor(sensor, 5000);
            // boundaries at 0 and 5000 ms, and every second between: 0, 1000, ..., 4000 and 5000
            assertEquals(6, sensor.drainConditions().size());
            assertEquals("clock event reasons, temperature and SM clock read every 1000 ms",
                    sensor.environment().get("conditions"));
        }
    }

    @Test
    void readEveryTenthOfASecondPerGpuAndOnBoundaries() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        FakeNvml.Gpu b = FakeNvml.h200(U1);
        b.clockEvents = 0x4; // software power cap
        b.temperatureC = 71;
        b.smClockMHz = 1410;
        FakeNvml nvml = new FakeNvml(now::get, a, b);
        try (NvmlSensor sensor = open(nvml)) {
            long from = now.get();
            sampleFor(sensor, 1000);
            List<DeviceCondition> read = sensor.drainConditions();
            // boundaries at 0 and 1000 ms, and every 100 ms between: 11 moments, 2 GPUs
            assertEquals(22, read.size(), read.toString());
            assertEquals(List.of(), sensor.drainConditions(), "drained: forgotten once returned");
            OperatingConditions c = OperatingConditions.of(read, from, now.get());
            OperatingConditions.Device gpuA = c.devices().get(0);
            OperatingConditions.Device gpuB = c.devices().get(1);
            assertEquals(U0, gpuA.device());
            assertEquals(0, gpuA.throttled());
            assertEquals(11, gpuB.throttled(), "every reading of the capped GPU");
            assertEquals(List.of("swPowerCap"), gpuB.reasons());
            assertEquals(71, gpuB.maxTemperatureC(), 0);
            assertEquals(1410, gpuB.minClockMHz(), 0);
            assertTrue(c.throttled());
            assertTrue(c.describe().contains(U1 + ": 11 of 11 readings throttled (swPowerCap), max 71 C"), c.describe());
            assertTrue(sensor.environment().get("conditions").startsWith("clock event reasons"));
        }
    }

    @Test
    void anIdleGpuIsNotThrottledAndAWindowKeepsOnlyItsReadings() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.clockEvents = 0x1; // idle: a choice, not a limit
        try (NvmlSensor sensor = open(new FakeNvml(now::get, a))) {
            long from = now.get();
            sampleFor(sensor, 500);
            List<DeviceCondition> read = sensor.drainConditions();
            OperatingConditions c = OperatingConditions.of(read, from + 150 * MS, from + 350 * MS);
            assertEquals(2, c.devices().get(0).readings(), "the readings at 200 and 300 ms");
            assertFalse(c.throttled());
            assertEquals(List.of("gpuIdle"), c.devices().get(0).reasons());
        }
    }

    @Test
    void aGpuThatDoesNotOfferTheReasonsIsAskedOnceAndSaysSo() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.clockEvents = -1;
        try (NvmlSensor sensor = open(new FakeNvml(now::get, a))) {
            sampleFor(sensor, 300);
            assertEquals(List.of(), sensor.drainConditions());
            assertTrue(sensor.environment().get("conditions").startsWith("not read: "),
                    sensor.environment().get("conditions"));
        }
    }
}
