package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.energy.CounterTiming;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerTrace;

/**
 * {@code counterSchedule=boundaries} on the real {@link PowerSampler} and a fake driver on
 * {@link System#nanoTime()}: the sensor learns the counter's phase once, then reads the counter
 * only on boundaries, and each short trace's two values are placed on the learned grid. Power
 * swings 300 ± 200 W every 0.37 s, so a value left at its read (up to 100 ms after its update)
 * is worth several percent of a one-second trace.
 */
class NvmlBoundariesScheduleTest {

    static final long MS = 1_000_000L;

    static double joules(long origin, long t) {
        double s = (t - origin) / 1e9;
        return 1000 + 300 * s - 200 * 0.37 / (2 * Math.PI) * Math.cos(2 * Math.PI * s / 0.37);
    }

    private static PowerTrace run(NvmlSensor sensor, long millis) throws InterruptedException {
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(10))) {
            sampler.start();
            Thread.sleep(millis);
            return sampler.stop();
        }
    }

    /** A fake H200 on the real clock: steps at 37 ms + k·100 ms within ±2 ms, power swinging as {@link #joules}. */
    private static FakeNvml.Gpu swinging(long origin, String uuid) {
        FakeNvml.Gpu g = FakeNvml.h200(uuid);
        g.counterUpdateNanos = 100 * MS;
        g.counterUpdatePhaseNanos = 37 * MS;
        g.counterJitterNanos = 2 * MS;
        g.bufferSpacingNanos = 20 * MS;
        g.joulesAt = t -> joules(origin, t);
        return g;
    }

    /** A {@code boundaries} sensor on {@code g} after dense hunts in 1 s traces until its phase is learned (20 s at most). */
    private static NvmlSensor learnedOnTheRealClock(FakeNvml.Gpu g) throws Exception {
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries")), Map.of(),
                System::nanoTime, nvml::wallNanos);
        long learning = System.nanoTime();
        while (s.counterGrids().isEmpty() && System.nanoTime() - learning < 20_000 * MS) {
            run(s, 1000); // dense hunts until ten tight brackets agree on the phase
        }
        return s;
    }

    @Test
    void onceThePhaseIsLearnedOnlyBoundariesAreReadAndTheirValuesSitAtTheirUpdates() throws Exception {
        long origin = System.nanoTime();
        FakeNvml.Gpu g = swinging(origin, "GPU-11111111-aaaa-bbbb-cccc-000000000000");
        try (NvmlSensor s = learnedOnTheRealClock(g)) {
            CounterGrid grid = s.counterGrids().get("gpu0.counter");
            assertTrue(grid != null, "the phase was not learned in 20 s of dense hunts");
            double phase = Math.floorMod(grid.anchorNanos() - 37 * MS, 100 * MS);
            // the sensor's phase is the middle of its brackets' intersection, never narrower than the steps' scatter
            assertTrue(Math.min(phase, 100 * MS - phase) <= 6 * MS, "grid " + grid + " is not on the steps at 37 ms + k·100 ms");

            int readsBefore = g.counterReads;
            double worstGrid = 0;
            double sumGrid = 0;
            double sumReads = 0;
            int traces = 5;
            for (int i = 0; i < traces; i++) {
                PowerTrace trace = run(s, 1300 + 53 * i);
                PowerSignal onGrid = PowerSignal.of(trace, 200 * MS,
                        new CounterTiming(true, 100 * MS).withGrids(s.counterGrids()));
                PowerSignal atReads = PowerSignal.of(trace, 200 * MS, new CounterTiming(true, 100 * MS));
                assertTrue(onGrid.sources().get(0).counterTiming().contains("nvml sensor"),
                        onGrid.sources().get(0).counterTiming());
                long from = Math.max(onGrid.startNanos(), atReads.startNanos()) + 20 * MS;
                long to = Math.min(onGrid.endNanos(), atReads.endNanos()) - 20 * MS;
                double truth = joules(origin, to) - joules(origin, from);
                worstGrid = Math.max(worstGrid, Math.abs(onGrid.energyJoules(from, to) / truth - 1));
                sumGrid += Math.abs(onGrid.energyJoules(from, to) / truth - 1);
                sumReads += Math.abs(atReads.energyJoules(from, to) / truth - 1);
            }
            int reads = g.counterReads - readsBefore;
            // between boundaries only the conditions (every 100 ms) and the buffer (every 500 ms) are due: the
            // sampler wakes about ten times a second instead of a hundred
            PowerTrace quiet = run(s, 2000);
            long ticks = java.util.Arrays.stream(quiet.timestampsNanos()).distinct().count();
            assertTrue(ticks <= 2 * 14, ticks + " samples in 2 s once learned, at 10 ms ticks");
            // two boundaries a trace, and an edge check of a few reads at about a quarter of them
            assertTrue(reads <= traces * 2 + traces * 2 * 4, reads + " counter reads in " + traces + " traces");
            // power swings 100-500 W here, so a step misplaced by its ±2 ms scatter is worth up to 0.5 % of a trace
            assertTrue(worstGrid < 0.01, "worst trace off by " + worstGrid * 100 + " % with the grid");
            assertTrue(sumGrid / traces < 0.004, "traces off by " + sumGrid / traces * 100 + " % on average with the grid");
            assertTrue(sumReads > 3 * sumGrid, "at their reads the values were off by " + sumReads / traces * 100
                    + " % on average, on the grid " + sumGrid / traces * 100 + " %");
        }
    }

    @Test
    void aGridFromStepsThatDoNotScatterStillClaimsNoLessThanTheMeasuredScatter() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000001");
        g.counterUpdateNanos = 100 * MS;
        g.counterUpdatePhaseNanos = 61 * MS; // exactly on the grid
        g.bufferSpacingNanos = 20 * MS;
        g.watts = 250;
        FakeNvml nvml = new FakeNvml(() -> now[0], g);
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries")), Map.of(),
                () -> now[0], nvml::wallNanos)) {
            double[] out = new double[s.channels().size()];
            s.sample(out, true);
            // a sample every millisecond on a clock of its own: every bracket is 1 ms wide, so the
            // brackets' fit alone would claim a fraction of a millisecond
            while (s.counterGrids().isEmpty() && now[0] < 20_000 * MS) {
                now[0] += MS;
                s.sample(out, false);
            }
            CounterGrid grid = s.counterGrids().get("gpu0.counter");
            assertTrue(grid != null, "the phase was not learned in 20 s of hunts");
            assertTrue(grid.sigmaNanos() < NvmlSensor.UPDATE_SCATTER_NANOS / 2, grid.toString());
            // a value placed on the grid lands on one real update, which scatters on its own: the
            // profiler's timing takes the sensor's stated scatter, so a boundary trace claims no less
            now[0] += 3_000 * MS;
            s.sample(out, true);
            now[0] += 1_300 * MS;
            s.sample(out, true);
            PowerSignal onGrid = PowerSignal.of(new PowerTrace(s.channels(), new long[] {now[0] - 1_300 * MS, now[0]},
                    new double[][] {{0, 325}, {250, 250}}), 200 * MS, new CounterTiming(true, 100 * MS)
                    .withGrids(s.counterGrids()).withScatter(s.counterScatterNanos()));
            String timing = onGrid.sources().get(0).counterTiming();
            assertTrue(timing.contains("nvml sensor") && timing.contains("measured scatter"), timing);
            assertEquals(NvmlSensor.UPDATE_SCATTER_NANOS, onGrid.sources().get(0).counterTimingUncertaintyNanos(), 1.0);
        }
    }

    /**
     * A sensor on {@code now} whose counter reads take 4 ms of that clock, its phase learned from
     * 1 ms samples: steps at 61 ms + k·100 ms, 250 W.
     */
    private static NvmlSensor learned(long[] now, FakeNvml.Gpu g) throws Exception {
        return learned(now, Map.of("counterSchedule", "boundaries"), g);
    }

    /**
     * A sensor with {@code options} on {@code gpus}, each stepping at 61 ms + k·100 ms, 250 W, 4 ms
     * reads on the test's clock, once every GPU's phase is learned (30 s of hunts at most).
     */
    static NvmlSensor learned(long[] now, Map<String, String> options, FakeNvml.Gpu... gpus) throws Exception {
        for (FakeNvml.Gpu g : gpus) {
            g.counterUpdateNanos = 100 * MS;
            g.counterUpdatePhaseNanos = 61 * MS;
            g.bufferSpacingNanos = 20 * MS;
            g.watts = 250;
            g.counterReadNanos = 4 * MS;
        }
        return learnedAsSet(now, options, gpus);
    }

    /** A sensor with {@code options} on {@code gpus} as the caller set them up, once every GPU's phase is learned (30 s of hunts at most). */
    static NvmlSensor learnedAsSet(long[] now, Map<String, String> options, FakeNvml.Gpu... gpus) throws Exception {
        FakeNvml nvml = new FakeNvml(() -> now[0], gpus);
        nvml.spend = nanos -> now[0] += nanos;
        NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(options), Map.of(), () -> now[0], nvml::wallNanos);
        double[] out = new double[s.channels().size()];
        s.sample(out, true);
        while (s.counterGrids().size() < gpus.length && now[0] < 30_000 * MS) {
            now[0] += MS;
            s.sample(out, false);
        }
        assertEquals(gpus.length, s.counterGrids().size(), "the phases were not learned in 30 s of hunts");
        return s;
    }

    /** The counter's valid values of {@code trace} as {time on the sensor's clock, joules} pairs. */
    private static List<double[]> counterValues(PowerTrace trace) {
        return counterValues(trace, 0);
    }

    /** Channel {@code channel}'s valid values of {@code trace} as {time on the sensor's clock, joules} pairs. */
    static List<double[]> counterValues(PowerTrace trace, int channel) {
        long[] t = trace.timestampsNanos(channel);
        double[] v = trace.values(channel);
        List<double[]> out = new ArrayList<>();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isNaN(v[i])) {
                out.add(new double[] {t[i], v[i]});
            }
        }
        return out;
    }

    /** A window on the sensor's clock: opened at {@code open}, closed at {@code close} (each boundary then reads). */
    static PowerTrace window(NvmlSensor s, long[] now, long open, long close) {
        try (PowerSampler sampler = new PowerSampler(s, Duration.ofMillis(10))) {
            now[0] = open;
            sampler.start();
            now[0] = close;
            return sampler.stop();
        }
    }

    @Test
    void aLearnedGridSitsOnTheStepsThemselvesWhenAReadTakesItsValueAsItReturns() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000021");
        // each read busy-waits 4 ms and takes the counter's value as it returns, as an H100's does (session 27's
        // counter logs); dated as its call began, every bracket lay 4 ms early, and so did the grid learned from them
        try (NvmlSensor s = learned(now, g)) {
            CounterGrid grid = s.counterGrids().get("gpu0.counter");
            double off = Math.floorMod(grid.anchorNanos() - 61 * MS + 50 * MS, 100 * MS) - 50 * MS;
            assertTrue(Math.abs(off) <= 1.5 * MS, "the grid lies " + off / 1e6 + " ms off the steps at 61 ms + k·100 ms");
        }
    }

    @Test
    void aWaveOpensWithTheReadsThatClosedTheWaveBeforeWhenTheySettleTheStepsSide() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000002");
        // the reads' instants are pinned below: aimReads (NvmlAimedReadsTest) would move them with the learned centre
        try (NvmlSensor s = learned(now, Map.of("counterSchedule", "boundaries", "aimReads", "off"), g)) {
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            // wave A closes 49 ms after a step (61 ms + k·100), clear of the steps on both sides: one read
            PowerTrace a = window(s, now, base + 10 * MS, base + 1_010 * MS);
            List<double[]> aValues = counterValues(a);
            double[] aClose = aValues.get(aValues.size() - 1);
            assertEquals(base + 1_014 * MS, (long) aClose[0], "dated as the read returned");
            // JMH's pause: wave B opens 25 ms later; its opening sample reads nothing and holds A's close
            int reads = g.counterReads;
            long carried = s.carriedReads();
            PowerTrace b;
            try (PowerSampler sampler = new PowerSampler(s, Duration.ofMillis(10))) {
                now[0] = base + 1_039 * MS;
                sampler.start();
                assertEquals(reads, g.counterReads, "the opening sample read the counter again");
                assertEquals(carried + 1, s.carriedReads());
                // B closes 7 ms before a predicted step; its read returns 3 ms before it, and an edge check reads
                // again (this sensor's waits do not move the test's clock), returning past the step
                now[0] = base + 2_054 * MS;
                b = sampler.stop();
            }
            List<double[]> bValues = counterValues(b);
            assertEquals(aClose[0], bValues.get(0)[0], 0.0, "the carried value lost its own time");
            assertEquals(aClose[1], bValues.get(0)[1], 0.0);
            int n = bValues.size();
            assertEquals(base + 2_058 * MS, (long) bValues.get(n - 2)[0]);
            assertEquals(base + 2_062 * MS, (long) bValues.get(n - 1)[0]);
            assertEquals(25.0, bValues.get(n - 1)[1] - bValues.get(n - 2)[1], 1e-9, "the edge check saw the step at 61 ms");
            // wave C opens 20 ms after that: both reads of B's close are given again, at their own times
            reads = g.counterReads;
            PowerTrace c = window(s, now, base + 2_086 * MS, base + 3_030 * MS);
            List<double[]> cValues = counterValues(c);
            assertEquals(reads + 1, g.counterReads, "C opened with a read of its own instead of B's two closing reads");
            assertEquals(bValues.get(n - 2)[0], cValues.get(0)[0], 0.0);
            assertEquals(bValues.get(n - 1)[0], cValues.get(1)[0], 0.0);
            assertEquals(bValues.get(n - 1)[1], cValues.get(1)[1], 0.0);
            // and the energies of B and C, each from its own trace on the learned grid, are the truth
            for (PowerTrace t : List.of(b, c)) {
                List<double[]> v = counterValues(t);
                PowerSignal signal = PowerSignal.of(t, 200 * MS, new CounterTiming(true, 100 * MS)
                        .withGrids(s.counterGrids()).withScatter(s.counterScatterNanos()));
                long from = (long) v.get(0)[0] + 30 * MS;
                long to = (long) v.get(v.size() - 1)[0];
                assertEquals(250 * (to - from) / 1e9, signal.energyJoules(from, to), 0.5);
            }

            // a pause longer than an update period: the next wave reads afresh
            reads = g.counterReads;
            carried = s.carriedReads();
            window(s, now, base + 3_135 * MS, base + 4_010 * MS);
            assertEquals(reads + 2, g.counterReads);
            assertEquals(carried, s.carriedReads());

            // a close whose read failed (a GPU lost for a moment) leaves nothing to carry: the next wave reads
            g.failingCounterReads = 1;
            PowerTrace failed = window(s, now, base + 4_030 * MS, base + 5_010 * MS); // opens with 4,010 ms's close
            assertEquals(base + 4_014 * MS, (long) counterValues(failed).get(0)[0]); // 4,010 ms read, returned 4 ms on
            assertEquals(1, counterValues(failed).size(), "the failed close read gave a value");
            carried = s.carriedReads();
            reads = g.counterReads;
            PowerTrace next = window(s, now, base + 5_035 * MS, base + 6_010 * MS);
            assertEquals(reads + 2, g.counterReads, "a wave opened with something carried from a failed close");
            assertEquals(carried, s.carriedReads());
            assertTrue(counterValues(next).get(0)[0] >= base + 5_035 * MS, "the next wave's first value predates it");
        }
    }

    @Test
    void aCarriedOpeningValueKeepsItsOwnTimeAndTheWaveItsEnergy() throws Exception {
        long origin = System.nanoTime();
        try (NvmlSensor s = learnedOnTheRealClock(swinging(origin, "GPU-11111111-aaaa-bbbb-cccc-000000000003"))) {
            assertTrue(!s.counterGrids().isEmpty(), "the phase was not learned in 20 s of dense hunts");
            // back-to-back waves until one opens with the value that closed the one before (about three in four do)
            PowerTrace before = run(s, 300);
            PowerTrace carried = null;
            for (int i = 0; i < 30 && carried == null; i++) {
                Thread.sleep(5);
                PowerTrace next = run(s, 700);
                if (s.carriedReads() > 0) {
                    carried = next;
                } else {
                    before = next;
                }
            }
            assertTrue(carried != null, "no wave of 30 opened with the read that closed the one before");
            assertTrue(s.straddleReads() > 0, "one GPU: its closes read again past the next update (closeStraddle=auto)");
            // the close's reads (one, or its read and its edge check's) end the wave before and open this one,
            // each with its own value and time
            List<long[]> closeReads = new ArrayList<>();
            long[] lastTimes = before.timestampsNanos(0);
            double[] lastValues = before.values(0);
            for (int i = 0; i < lastValues.length; i++) {
                if (!Double.isNaN(lastValues[i])) {
                    closeReads.add(new long[] {lastTimes[i], Double.doubleToLongBits(lastValues[i])});
                }
            }
            long[] times = carried.timestampsNanos(0);
            double[] values = carried.values(0);
            List<long[]> opening = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if (!Double.isNaN(values[i]) && times[i] < carried.startNanos()) {
                    opening.add(new long[] {times[i], Double.doubleToLongBits(values[i])});
                }
            }
            assertTrue(!opening.isEmpty(), "the carried value is dated inside the wave");
            List<long[]> tail = closeReads.subList(closeReads.size() - opening.size(), closeReads.size());
            for (int i = 0; i < opening.size(); i++) {
                assertEquals(tail.get(i)[0], opening.get(i)[0], "carried read " + i + " lost its own time");
                assertEquals(tail.get(i)[1], opening.get(i)[1], "carried read " + i + " changed its value");
            }
            int first = 0;
            while (Double.isNaN(values[first])) {
                first++;
            }
            assertEquals(opening.get(0)[0], times[first], "the trace opens with the close's first read");
            PowerSignal signal = PowerSignal.of(carried, 200 * MS, new CounterTiming(true, 100 * MS)
                    .withGrids(s.counterGrids()).withScatter(s.counterScatterNanos()));
            long from = carried.startNanos();
            long to = carried.endNanos();
            double truth = joules(origin, to) - joules(origin, from);
            // power swings 100-500 W; the opening value's update lies up to 130 ms before the wave, split by the shape
            assertEquals(truth, signal.energyJoules(from, to), 0.01 * truth);
        }
    }

    @Test
    void theScheduleIsNamedBoundaries() {
        assertEquals(NvmlOptions.CounterSchedule.BOUNDARIES,
                NvmlOptions.parse(Map.of("counterSchedule", "boundaries")).counterSchedule());
    }
}
