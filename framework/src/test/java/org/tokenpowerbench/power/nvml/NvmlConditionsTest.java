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
import org.tokenpowerbench.power.ReadingsForTests;

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
            assertEquals("clock event reasons, temperature and SM clock read every 1000 ms and on boundaries;"
                    + " hold-back times (NVML perf policies) read on boundaries on 0 of 1 GPU(s)",
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

    @Test
    void holdBackTimesReadOnBoundariesCountAThrottleNoReasonReadSaw() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.holdBackNanos = new long[] {7_000 * MS, 3 * MS, 0, 9_000 * MS};
        FakeNvml nvml = new FakeNvml(now::get, a);
        try (NvmlSensor sensor = open(nvml)) {
            assertEquals(3, a.holdBackReads, "three timed reads when the sensor opens");
            assertTrue(sensor.environment().get("conditions").contains("read every 1000 ms and on boundaries;"
                    + " hold-back times (NVML perf policies) read on boundaries on 1 of 1 GPU(s)"),
                    sensor.environment().get("conditions"));
            double[] out = new double[sensor.channels().size()];
            long open = now.get();
            sensor.sample(out, true);
            for (int k = 1; k < 300; k++) {
                now.addAndGet(10 * MS);
                if (k == 150) { // a 40 ms power cap between two reads of the reasons, which never show it
                    a.holdBackNanos[0] += 40 * MS;
                    a.holdBackNanos[3] += 2_000 * MS; // the reliability policy: kept, not a throttle
                }
                sensor.sample(out, false);
            }
            now.addAndGet(10 * MS);
            long close = now.get();
            sensor.sample(out, true);
            assertEquals(5, a.holdBackReads, "and once on each boundary, never between");
            List<DeviceCondition> read = sensor.drainConditions();
            assertEquals(4, read.size(), "boundaries at 0 and 3000 ms, and at 1000 and 2000 ms between");
            OperatingConditions c = OperatingConditions.of(read, open + 5 * MS, close - 5 * MS);
            OperatingConditions.Device d = c.devices().get(0);
            assertEquals(0, d.throttled(), "no reading of the reasons was throttled");
            assertEquals(Map.of("powerPolicy", 40 * MS, "thermalPolicy", 0L, "boardLimit", 0L, "reliability", 2_000 * MS),
                    d.heldBackNanos());
            assertEquals(close - open, d.heldBackSpanNanos(), "from the opening boundary's reading to the closing one's");
            assertEquals(40 * MS, d.throttledNanos());
            assertEquals(40.0 / 3000, d.throttledTimeShare(), 1e-12);
            assertTrue(c.throttled());
            assertTrue(c.describe().contains("held back 40 ms of 3.0 s (powerPolicy 40 ms, reliability 2000 ms)"),
                    c.describe());
        }
    }

    @Test
    void aReliabilityOrBoardLimitAloneIsKeptButNotAThrottle() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.holdBackNanos = new long[] {0, 0, 0, 0};
        try (NvmlSensor sensor = open(new FakeNvml(now::get, a))) {
            long open = now.get();
            double[] out = new double[sensor.channels().size()];
            sensor.sample(out, true);
            now.addAndGet(500 * MS);
            a.holdBackNanos[2] += 100 * MS;
            a.holdBackNanos[3] += 400 * MS;
            sensor.sample(out, true);
            OperatingConditions c = OperatingConditions.of(sensor.drainConditions(), open + MS, now.get() - MS);
            assertEquals(Map.of("powerPolicy", 0L, "thermalPolicy", 0L, "boardLimit", 100 * MS, "reliability", 400 * MS),
                    c.devices().get(0).heldBackNanos());
            assertFalse(c.throttled());
            assertEquals(0, c.devices().get(0).throttledTimeShare(), 0);
        }
    }

    /** An H200 whose hold-back fields cost 4 us a read, field 75 {@code thermalPolicyReadNanos} more, on a clock reads move. */
    private NvmlSensor openWithPolicyCosts(FakeNvml.Gpu a, long thermalPolicyReadNanos, boolean swThermalField)
            throws Exception {
        a.holdBackNanos = new long[] {0, 0, 0, 0};
        a.holdBackReadNanos = 4_000;
        a.thermalPolicyReadNanos = thermalPolicyReadNanos;
        a.swThermalField = swThermalField;
        FakeNvml nvml = new FakeNvml(now::get, a);
        nvml.spend = now::addAndGet;
        return open(nvml);
    }

    /** Two boundaries 2 s apart with a 30 ms thermal slowdown between them: the conditions over that window. */
    private OperatingConditions thirtyMsOfThermalSlowdown(NvmlSensor sensor, FakeNvml.Gpu a) {
        double[] out = new double[sensor.channels().size()];
        long open = now.get();
        sensor.sample(out, true);
        now.addAndGet(2_000 * MS);
        a.holdBackNanos[1] += 30 * MS;
        sensor.sample(out, true);
        return OperatingConditions.of(sensor.drainConditions(), open + MS, now.get() - MS);
    }

    @Test
    void whereTheThermalPolicyIsDearTheSoftwareThermalSlowdownsFieldGivesTheThermalTime() throws Exception {
        // as on an H200 (driver 580.159.04): field 75 costs 0.65 ms a read, 74, 77, 79 and 269 a few us
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        try (NvmlSensor sensor = openWithPolicyCosts(a, 650_000, true)) {
            String probe = sensor.environment().get("nvml.gpu0.probe.NVML_FI_DEV_PERF_POLICY");
            assertTrue(probe.startsWith("ok (read on boundaries; the cheapest of 3 probe reads took 4 us); the thermal time"
                    + " from field 269") && probe.endsWith("fields 74-79: a read takes 0.65 ms, over the 0.5 ms allowed on"
                    + " every boundary"), probe);
            assertTrue(sensor.environment().get("conditions").contains("read every 1000 ms"), sensor.environment().toString());
            OperatingConditions c = thirtyMsOfThermalSlowdown(sensor, a);
            assertEquals(30 * MS, c.devices().get(0).heldBackNanos().get("thermalPolicy"), "read from field 269");
            assertEquals(30 * MS, c.devices().get(0).throttledNanos());
        }
    }

    @Test
    void aThermalPolicyJustUnderTheGuardStillGivesWayToField269SoEveryForkReadsTheSameField() throws Exception {
        // as on a real H200 (session 26): field 75's cheapest probe read 0.43-0.75 ms, under the 0.5 ms guard in 15 of 52 forks
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        try (NvmlSensor sensor = openWithPolicyCosts(a, 476_000, true)) {
            assertEquals("ok (read on boundaries; the cheapest of 3 probe reads took 4 us); the thermal time from field 269,"
                    + " the software thermal slowdown's, since fields 74-79: a read takes 0.48 ms, over the 0.1 ms under"
                    + " which they are preferred", sensor.environment().get("nvml.gpu0.probe.NVML_FI_DEV_PERF_POLICY"));
            assertEquals(6, a.holdBackReads, "three probe reads of each set");
            double[] out = new double[sensor.channels().size()];
            long before = now.get();
            sensor.sample(out, true);
            assertTrue(now.get() - before < 100_000, "a boundary no longer pays field 75's half a millisecond");
        }
    }

    @Test
    void aThermalPolicyUnderTheGuardIsKeptWhereField269DoesNotAnswer() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        try (NvmlSensor sensor = openWithPolicyCosts(a, 300_000, false)) {
            assertEquals("ok (read on boundaries; the cheapest of 3 probe reads took 304 us); field 269 for the thermal time:"
                    + " the power policy's or the software thermal slowdown's time (field 269) is not offered (got"
                    + " [powerPolicy, boardLimit, reliability])", sensor.environment().get("nvml.gpu0.probe.NVML_FI_DEV_PERF_POLICY"));
            OperatingConditions c = thirtyMsOfThermalSlowdown(sensor, a);
            assertEquals(30 * MS, c.devices().get(0).heldBackNanos().get("thermalPolicy"), "read from field 75");
        }
    }

    @Test
    void field269IsNotTakenForTheThermalTimeWhereItIsSomeOtherField() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.holdBackNanos = new long[] {0, 0, 0, 0};
        a.thermalPolicyReadNanos = 650_000;
        a.field269IsSomethingElse = true; // an older numbering: 269 a power-smoothing setting, an unsigned int
        FakeNvml nvml = new FakeNvml(now::get, a);
        nvml.spend = now::addAndGet;
        try (NvmlSensor sensor = open(nvml)) {
            String probe = sensor.environment().get("nvml.gpu0.probe.NVML_FI_DEV_PERF_POLICY");
            assertTrue(probe.contains("(field 269) is not offered (got [powerPolicy, boardLimit, reliability])"), probe);
            assertTrue(sensor.environment().get("conditions").contains("read every 100 ms"), sensor.environment().toString());
        }
    }

    @Test
    void holdBackTimesThatCostMoreThanHalfAMillisecondAreNotReadAndTheReasonsStayAtATenthOfASecond() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.holdBackNanos = new long[] {0, 0, 0, 0};
        a.holdBackReadNanos = 2 * MS;
        FakeNvml nvml = new FakeNvml(now::get, a);
        nvml.spend = now::addAndGet;
        try (NvmlSensor sensor = open(nvml)) {
            assertEquals(4, a.holdBackReads, "three timed reads of fields 74-79, one of 269 (not offered here)");
            assertEquals("fields 74-79: a read takes 2.00 ms, over the 0.5 ms allowed on every boundary; with field 269"
                    + " for the thermal time: the power policy's or the software thermal slowdown's time (field 269) is not"
                    + " offered (got [powerPolicy, boardLimit, reliability]); clock event reasons are read every"
                    + " conditionsPeriod instead",
                    sensor.environment().get("nvml.gpu0.probe.NVML_FI_DEV_PERF_POLICY"));
            sampleFor(sensor, 1000);
            assertEquals(4, a.holdBackReads, "never read again");
            List<DeviceCondition> read = sensor.drainConditions();
            assertEquals(11, read.size(), "every 100 ms, as without hold-back times");
            assertTrue(read.stream().allMatch(r -> r.heldBackNanos().isEmpty()));
        }
    }

    @Test
    void oneGpuWithoutHoldBackTimesKeepsTheReasonsOfAllAtATenthOfASecond() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.holdBackNanos = new long[] {0, 0, 0, 0};
        FakeNvml.Gpu b = FakeNvml.h200(U1);
        b.holdBackNanos = new long[] {-1, 0, 0, 0}; // no power policy time: not enough to see a throttle by
        try (NvmlSensor sensor = open(new FakeNvml(now::get, a, b))) {
            sampleFor(sensor, 1000);
            List<DeviceCondition> read = sensor.drainConditions();
            assertEquals(22, read.size(), "11 moments, 2 GPUs");
            assertEquals(2, read.stream().filter(r -> !r.heldBackNanos().isEmpty()).count(), "GPU 0's boundaries");
            assertTrue(sensor.environment().get("conditions").contains("read every 100 ms and on boundaries;"
                    + " hold-back times (NVML perf policies) read on boundaries on 1 of 2 GPU(s)"));
        }
    }

    @Test
    void aSamplerWithNothingElseToReadWakesOnceForTheConditionsAndAFetchDueCloseTogether() throws Exception {
        FakeNvml.Gpu a = FakeNvml.h200(U0);
        a.counter = false; // nothing to hunt: between boundaries only the conditions and the buffer are due
        a.bufferSpacingNanos = 20 * MS;
        a.holdBackNanos = new long[] {0, 0, 0, 0};
        FakeNvml nvml = new FakeNvml(now::get, a);
        // the fetch period is given (else learned from the buffer's 2.4 s: 1.8 s), so that both are due each second
        try (NvmlSensor sensor = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries",
                "bufferPeriod", "1s")), new HashMap<>(), now::get, nvml::wallNanos)) {
            org.tokenpowerbench.power.Readings out = ReadingsForTests.create(sensor.channels().size());
            sensor.sample(out, true); // a window closes: the buffer is fetched and the conditions read, both due in 1 s
            assertEquals(1000 * MS, sensor.idleNanos());
            now.addAndGet(60 * MS);
            sensor.opensWindow();
            ReadingsForTests.clear(out);
            sensor.sample(out, true); // the next opens 60 ms later: the conditions are read, the fetch is not repeated
            assertEquals(940 * MS, sensor.idleNanos(), "the fetch at 1000 ms is not put off for the conditions at 1060 ms");
            now.addAndGet(940 * MS);
            ReadingsForTests.clear(out);
            int before = sensor.drainConditions().size();
            sensor.sample(out, false);
            assertEquals(1, sensor.drainConditions().size(), "the conditions due 60 ms later were read with the fetch");
            assertEquals(1000 * MS, sensor.idleNanos(), "both were taken in that one wake, and are due together again");
            assertEquals(2, before, "the two boundaries' readings");
        }
        try (NvmlSensor sensor = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries",
                "conditionsPeriod", "1s", "bufferPeriod", "1s")), new HashMap<>(), now::get, nvml::wallNanos)) {
            org.tokenpowerbench.power.Readings out = ReadingsForTests.create(sensor.channels().size());
            sensor.sample(out, true);
            now.addAndGet(300 * MS);
            sensor.opensWindow();
            ReadingsForTests.clear(out);
            sensor.sample(out, true); // 300 ms later: too late to replay, so it fetches; both due at 1300 ms
            now.addAndGet(200 * MS);
            assertEquals(800 * MS, sensor.idleNanos());
        }
    }
}
