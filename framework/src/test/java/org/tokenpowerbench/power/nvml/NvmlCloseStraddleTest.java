package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.CounterTiming;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerTrace;

/**
 * {@code closeStraddle}: a window's close reads each counter again just after the first update
 * past the window's end, so the trace holds the counter on both sides of the end. A fake H200 on
 * a test's own clock, stepping at 61 ms + k·100 ms, each read 4 ms; the sensor waits by moving
 * that clock.
 */
class NvmlCloseStraddleTest {

    static final long MS = 1_000_000L;

    /** {@link NvmlBoundariesScheduleTest#learned}, waiting by moving the test's clock. */
    private static NvmlSensor learned(long[] now, Map<String, String> options, FakeNvml.Gpu... gpus) throws Exception {
        NvmlSensor s = NvmlBoundariesScheduleTest.learned(now, options, gpus);
        s.parkWith(nanos -> now[0] += nanos);
        return s;
    }

    @Test
    void aCloseClearOfTheStepsReadsAgainJustAfterTheNextOneAndTheNextWaveOpensFromBoth() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000011");
        // the close's instant is pinned below: aimReads (NvmlAimedReadsTest) would move it with the learned centre
        try (NvmlSensor s = learned(now, Map.of("aimReads", "off"), g)) {
            assertTrue(s.environment().get("closeStraddle").startsWith("on"), s.environment().toString());
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            int reads = g.counterReads;
            long waited = s.waitedNanos();
            // the wave ends 49 ms after the step at 961 ms: its read holds that step, and the close waits for 1,061's
            PowerTrace a = NvmlBoundariesScheduleTest.window(s, now, base + 10 * MS, base + 1_010 * MS);
            assertEquals(reads + 1 + 2, g.counterReads, "the opening read, the close's read and one more past the step");
            assertEquals(1, s.straddleReads());
            List<double[]> values = NvmlBoundariesScheduleTest.counterValues(a, 0);
            double[] close = values.get(values.size() - 2);
            double[] past = values.get(values.size() - 1);
            assertEquals(base + 1_014 * MS, (long) close[0], "the close's read, dated as it returned (4 ms)");
            // once, past the step's spell, in the cheap part of the driver's cycle: 28 ms after the predicted step (about 1,061 ms), dated as it returned
            assertTrue(past[0] > base + 1_081 * MS && past[0] < base + 1_095 * MS, "read at " + (past[0] - base) / 1e6 + " ms");
            assertEquals(25.0, past[1] - close[1], 1e-9, "one step of 250 W for 100 ms between them");
            long parked = s.waitedNanos() - waited;
            assertTrue(parked > 65 * MS && parked < 80 * MS, "waited " + parked / 1e6 + " ms for the step and its spell");
            // the energy to the end is that step's, split by the shape: 250 W to the millijoule
            PowerSignal signal = PowerSignal.of(a, 200 * MS, new CounterTiming(true, 100 * MS)
                    .withGrids(s.counterGrids()).withScatter(s.counterScatterNanos()));
            assertEquals(250 * 0.9, signal.energyJoules(base + 110 * MS, base + 1_010 * MS), 0.01);

            // JMH's pause: the next wave opens 20 ms after that read, from both of the close's values
            reads = g.counterReads;
            long carried = s.carriedReads();
            PowerTrace b = NvmlBoundariesScheduleTest.window(s, now, (long) past[0] + 20 * MS, base + 2_030 * MS);
            assertEquals(carried + 2, s.carriedReads(), "both of the close's reads were given again");
            List<double[]> opening = NvmlBoundariesScheduleTest.counterValues(b, 0);
            assertEquals(close[0], opening.get(0)[0], 0.0);
            assertEquals(past[0], opening.get(1)[0], 0.0);
            assertEquals(past[1], opening.get(1)[1], 0.0);
            assertEquals(reads + 2, g.counterReads, "B opened without a read; its close read once and once past 2,061 ms");
        }
    }

    @Test
    void aCloseNearAStepIsSettledByItsEdgeCheckAndReadsNoMore() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000012");
        try (NvmlSensor s = learned(now, Map.of(), g)) {
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            long waited = s.waitedNanos();
            // 3 ms before the step at 1,061 ms: the close's read returns at 1,062 ms, past the step, and its edge check
            // reads once more (1,064-1,068 ms) to see the value stay: the end is straddled already
            PowerTrace a = NvmlBoundariesScheduleTest.window(s, now, base + 10 * MS, base + 1_058 * MS);
            assertEquals(0, s.straddleReads());
            List<double[]> values = NvmlBoundariesScheduleTest.counterValues(a, 0);
            assertEquals(base + 1_068 * MS, (long) values.get(values.size() - 1)[0]);
            assertTrue(s.waitedNanos() - waited < 5 * MS, "waited " + (s.waitedNanos() - waited) / 1e6 + " ms");
        }
    }

    @Test
    void offReadsEachCounterOnceAtAClose() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000013");
        try (NvmlSensor s = learned(now, Map.of("closeStraddle", "off", "aimReads", "off"), g)) {
            assertTrue(s.environment().get("closeStraddle").startsWith("off"), s.environment().toString());
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            int reads = g.counterReads;
            PowerTrace a = NvmlBoundariesScheduleTest.window(s, now, base + 10 * MS, base + 1_010 * MS);
            assertEquals(reads + 2, g.counterReads);
            assertEquals(0, s.straddleReads());
            List<double[]> values = NvmlBoundariesScheduleTest.counterValues(a, 0);
            assertEquals(base + 1_014 * MS, (long) values.get(values.size() - 1)[0]);
        }
    }

    @Test
    void twoGpusAreEachReadPastTheirOwnNextStepInTheOrderTheStepsCome() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu a = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000014");
        FakeNvml.Gpu b = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000015");
        try (NvmlSensor s = learned(now, Map.of(), a, b)) {
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            PowerTrace t = NvmlBoundariesScheduleTest.window(s, now, base + 10 * MS, base + 1_010 * MS);
            assertEquals(2, s.straddleReads());
            for (int gpu = 0; gpu < 2; gpu++) {
                int channel = t.channels().indexOf(s.channels().stream()
                        .filter(c -> c.kind() == org.tokenpowerbench.power.PowerChannel.Kind.ENERGY_JOULES).toList().get(gpu));
                List<double[]> v = NvmlBoundariesScheduleTest.counterValues(t, channel);
                double[] past = v.get(v.size() - 1);
                assertTrue(past[0] > base + 1_081 * MS && past[0] < base + 1_100 * MS,
                        "GPU " + gpu + " read at " + (past[0] - base) / 1e6 + " ms");
                assertEquals(25.0, past[1] - v.get(v.size() - 2)[1], 1e-9);
            }
        }
    }

    @Test
    void threeGpusAreNotStraddledByDefault() throws Exception {
        long[] now = {0};
        try (NvmlSensor s = learned(now, Map.of(), FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000016"),
                FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000017"),
                FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000018"))) {
            assertTrue(s.environment().get("closeStraddle").startsWith("off"), s.environment().toString());
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            NvmlBoundariesScheduleTest.window(s, now, base + 10 * MS, base + 1_010 * MS);
            assertEquals(0, s.straddleReads());
        }
    }
}
