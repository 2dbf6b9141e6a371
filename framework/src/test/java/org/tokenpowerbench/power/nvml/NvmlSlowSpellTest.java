package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.CounterTiming;
import org.tokenpowerbench.energy.CounterUpdates;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.ReadingsForTests;

/**
 * An H100's driver holds every counter read begun in the ~16 ms after a step until that spell
 * ends (session 28's counter logs). A dense hunt's read after a step mostly begins in it, so the
 * read that shows the new value returns 11-16 ms after it began; dated as it returned, every
 * bracket reached far past its step and the trace's learned steps came late.
 */
class NvmlSlowSpellTest {

    private static final long MS = 1_000_000L;
    /** Steps at 65 ms + k·100 ms: the 10 ms samples fall 5 ms before and 5 ms after each, in the spell. */
    private static final long PHASE = 65 * MS;

    /** A dense-schedule run: its counter readings (each at its own time) and power readings, sample by sample. */
    private record Run(PowerTrace trace, long[] counterTimes, double[] counterJoules, long slowChangedReads, int grids) {
    }

    /**
     * Samples every 10 ms for {@code samples} samples (the first a boundary), then closes with a
     * boundary sample at {@code closeAt}; 400 W, 3 ms reads, a 16 ms spell after each step.
     */
    private static Run run(int samples, long closeAt) throws Exception {
        return run(samples, closeAt, "dense");
    }

    private static Run run(int samples, long closeAt, String schedule) throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000028");
        g.counterUpdateNanos = 100 * MS;
        g.counterUpdatePhaseNanos = PHASE;
        g.watts = 400;
        g.counterReadNanos = 3 * MS;
        g.slowSpellNanos = 16 * MS;
        FakeNvml nvml = new FakeNvml(() -> now[0], g);
        nvml.spend = nanos -> now[0] += nanos;
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", schedule, "power", "field")),
                Map.of(), () -> now[0], nvml::wallNanos)) {
            List<PowerChannel> channels = s.channels();
            int counter = -1;
            for (int c = 0; c < channels.size(); c++) {
                if (channels.get(c).kind() == PowerChannel.Kind.ENERGY_JOULES) {
                    counter = c;
                }
            }
            Readings r = ReadingsForTests.create(channels.size());
            List<Long> rowTimes = new ArrayList<>();
            List<double[]> rowValues = new ArrayList<>();
            List<long[]> rowAt = new ArrayList<>();
            List<Long> counterTimes = new ArrayList<>();
            List<Double> counterJoules = new ArrayList<>();
            for (int i = 0; i <= samples; i++) {
                long tick = i < samples ? i * 10 * MS : closeAt;
                now[0] = Math.max(now[0], tick);
                ReadingsForTests.clear(r);
                s.sample(r, i == 0 || i == samples);
                for (int c = 0; c < channels.size(); c++) {
                    for (double[] x : ReadingsForTests.of(r, c)) {
                        double[] values = new double[channels.size()];
                        long[] at = new long[channels.size()];
                        java.util.Arrays.fill(values, Double.NaN);
                        java.util.Arrays.fill(at, Readings.AT_READ);
                        values[c] = x[1];
                        at[c] = (long) x[0];
                        rowTimes.add(tick);
                        rowValues.add(values);
                        rowAt.add(at);
                        if (c == counter) {
                            counterTimes.add(x[0] == Readings.AT_READ ? tick : (long) x[0]);
                            counterJoules.add(x[1]);
                        }
                    }
                }
            }
            int n = rowTimes.size();
            double[][] values = new double[channels.size()][n];
            long[][] at = new long[channels.size()][n];
            long[] t = new long[n];
            for (int k = 0; k < n; k++) {
                t[k] = rowTimes.get(k);
                for (int c = 0; c < channels.size(); c++) {
                    values[c][k] = rowValues.get(k)[c];
                    at[c][k] = rowAt.get(k)[c];
                }
            }
            return new Run(new PowerTrace(channels, t, values, at), counterTimes.stream().mapToLong(Long::longValue).toArray(),
                    counterJoules.stream().mapToDouble(Double::doubleValue).toArray(), s.slowChangedReads(),
                    s.counterGrids().size());
        }
    }

    @Test
    void aReadHeldInTheSpellAfterAStepIsDatedAsItBeganSoTheTracesStepsSitOnTheRealOnes() throws Exception {
        Run run = run(301, 3_000 * MS); // 3 s
        CounterUpdates u = CounterUpdates.learn(run.counterTimes(), run.counterJoules(), 100 * MS);
        assertTrue(u.atUpdateMoments(), u.describe());
        long[] moments = u.times();
        for (int i = 1; i < moments.length; i++) { // the first point is the opening value, not a step
            long offset = Math.floorMod(moments[i] - PHASE + 50 * MS, 100 * MS) - 50 * MS;
            // dated as they returned, the brackets were (step - 2 ms, step + 16 ms] and the steps came 7 ms late
            assertTrue(Math.abs(offset) <= 3 * MS, "step " + i + " learned " + offset / 1e6 + " ms off (" + u.describe() + ")");
        }
        assertTrue(run.slowChangedReads() >= 10, run.slowChangedReads() + " reads dated as they began");
    }

    @Test
    void aWaveClosedByAReadThatReturnedJustAfterAStepKeepsThatStepOutOfTheWave() throws Exception {
        // the hunts read at about 2,460-2,481 ms and 2,760-2,781 ms; the close's read begins 1 ms before the step at
        // 2,665 ms and returns 2 ms after it with the step's value, 186 ms after the read before it
        long close = 2_664 * MS;
        Run run = run(257, close);
        PowerSignal signal = PowerSignal.of(run.trace(), 200 * MS, new CounterTiming(true, 100 * MS));
        long from = 1_000 * MS;
        double truth = 400.0 * (close - from) / 1e9;
        // with the steps learned 7 ms late (at 2,672 ms), the value the close's read showed was placed at the step
        // before: 742 J against the 666 J this 1.7 s wave used
        assertEquals(truth, signal.energyJoules(from, close), 0.005 * truth,
                "the wave's energy (" + signal.sources().get(0).counterTiming() + ")");
    }

    @Test
    void theBoundariesScheduleLearnsThePhaseThroughTheSpellAndThenLeavesTheCounterAloneBetweenBoundaries() throws Exception {
        // dated as they returned, the brackets (step - 2 ms, step + 16 ms] never agreed within the 15 ms a phase must
        // be known to, so the sensor hunted every 300 ms for a whole run (an 8B sweep on an H100, session 28)
        Run run = run(1001, 10_000 * MS, "boundaries"); // 10 s
        assertEquals(1, run.grids(), "the phase was not learned in 10 s of hunts");
        long late = java.util.Arrays.stream(run.counterTimes()).filter(t -> t > 6_000 * MS && t < 10_000 * MS).count();
        assertTrue(late <= 2, late + " counter reads between 6 s and the close: the counter was not left alone");
    }

    /**
     * {@link NvmlBoundariesScheduleTest#learned} with {@code options} on {@code g}, whose reads begun
     * in the 16 ms after a step are held until it ends, waiting by moving the test's clock.
     */
    private static NvmlSensor learnedInTheSpell(long[] now, Map<String, String> options, FakeNvml.Gpu g) throws Exception {
        g.slowSpellNanos = 16 * MS;
        NvmlSensor s = NvmlBoundariesScheduleTest.learned(now, options, g);
        s.parkWith(nanos -> now[0] += nanos);
        return s;
    }

    @Test
    void aCloseInTheSpellAfterAStepWaitsItOutAndReadsThatStepsValueWithoutBeingHeld() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000029");
        // steps at 61 ms + k·100 ms, 250 W, 4 ms reads; no straddle, whose read after the next step is held as well
        try (NvmlSensor s = learnedInTheSpell(now, Map.of("counterSchedule", "boundaries", "closeStraddle", "off"), g)) {
            long step = (now[0] / (100 * MS) + 10) * 100 * MS + 61 * MS;
            long held = g.heldNanos;
            int reads = g.counterReads;
            // the wave opens 50 ms after a step and closes 10 ms after one: past its phase interval and edge zone,
            // inside the spell
            PowerTrace t = NvmlBoundariesScheduleTest.window(s, now, step - 1_150 * MS, step + 10 * MS);
            assertEquals(held, g.heldNanos, "the close's read was held " + (g.heldNanos - held) / 1e6 + " ms in the spell");
            assertEquals(1, s.aimedWaits(), "the close did not wait");
            assertTrue(g.counterReads - reads <= 2, (g.counterReads - reads) + " counter reads for one wave");
            List<double[]> v = NvmlBoundariesScheduleTest.counterValues(t, 0);
            double[] close = v.get(v.size() - 1);
            assertTrue(close[0] >= step + 16 * MS, "the close read at " + (close[0] - step) / 1e6 + " ms after the step");
            PowerSignal signal = PowerSignal.of(t, 200 * MS, new CounterTiming(true, 100 * MS)
                    .withGrids(s.counterGrids()).withScatter(s.counterScatterNanos()));
            long from = step - 1_100 * MS;
            long to = step + 10 * MS;
            assertEquals(250.0 * (to - from) / 1e9, signal.energyJoules(from, to), 0.5, "the wave's energy");
        }
    }

    @Test
    void theStraddlesReadPastTheNextStepComesAfterItsSpellAndIsNotHeld() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000030");
        // steps at 61 ms + k·100 ms, 250 W, 4 ms reads; closeStraddle is on for one GPU
        try (NvmlSensor s = learnedInTheSpell(now, Map.of("counterSchedule", "boundaries"), g)) {
            long step = (now[0] / (100 * MS) + 10) * 100 * MS + 61 * MS;
            long held = g.heldNanos;
            // the wave opens and closes 50 ms after a step, clear of the steps and their spells
            PowerTrace t = NvmlBoundariesScheduleTest.window(s, now, step - 1_050 * MS, step - 50 * MS);
            assertEquals(1, s.straddleReads());
            // read 4 ms past the step's predicted late end, as until session 28, it was held in the spell
            assertEquals(held, g.heldNanos, "the straddle's read was held " + (g.heldNanos - held) / 1e6 + " ms in the spell");
            List<double[]> v = NvmlBoundariesScheduleTest.counterValues(t, 0);
            assertEquals(25.0, v.get(v.size() - 1)[1] - v.get(v.size() - 2)[1], 1e-9, "one step of 250 W between the close and it");
        }
    }

    @Test
    void aCloseReadHeldAcrossTheNextUpdateIsGivenThatUpdateNotTheOneBefore() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000031");
        // steps at 61 ms + k·100 ms, 250 W, 4 ms reads; the close's read is taken at once, without the straddle
        try (NvmlSensor s = learnedInTheSpell(now, Map.of("counterSchedule", "boundaries", "closeStraddle", "off",
                "aimReads", "off"), g)) {
            // from here on the driver holds a read begun up to 15 ms before a step until 16 ms after it, with the
            // step's value (an H100 did so now and then in session 29)
            g.holdBeforeNanos = 15 * MS;
            long step = (now[0] / (100 * MS) + 20) * 100 * MS + 61 * MS;
            long open = step - 1_050 * MS; // 50 ms after a step: the opening's read is not held
            long to = step - 14 * MS; // the close's read begins 14 ms before a step, clear of its edge zone
            PowerTrace t = NvmlBoundariesScheduleTest.window(s, now, open, to);
            List<double[]> v = NvmlBoundariesScheduleTest.counterValues(t, 0);
            long from = (long) v.get(0)[0]; // the wave begins once the opening's read has returned
            assertTrue(v.get(v.size() - 1)[0] >= step, "the close's read dated at " + (v.get(v.size() - 1)[0] - step) / 1e6
                    + " ms from the step it held");
            assertEquals(1, s.heldAcrossUpdates(), "the close's read, begun 14 ms before a step");
            PowerSignal signal = PowerSignal.of(t, 200 * MS, new CounterTiming(true, 100 * MS)
                    .withGrids(s.counterGrids()).withScatter(s.counterScatterNanos()));
            // dated as it began, 14 ms before the step, the value went to the step 100 ms earlier: 283.8 J against 258.0
            assertEquals(250.0 * (to - from) / 1e9, signal.energyJoules(from, to), 0.5, "the wave's energy");
        }
    }
}
