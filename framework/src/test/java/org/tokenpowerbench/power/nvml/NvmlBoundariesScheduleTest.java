package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
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

    @Test
    void onceThePhaseIsLearnedOnlyBoundariesAreReadAndTheirValuesSitAtTheirUpdates() throws Exception {
        long origin = System.nanoTime();
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000000");
        g.counterUpdateNanos = 100 * MS;
        g.counterUpdatePhaseNanos = 37 * MS;
        g.counterJitterNanos = 2 * MS;
        g.bufferSpacingNanos = 20 * MS;
        g.joulesAt = t -> joules(origin, t);
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries")), Map.of(),
                System::nanoTime, nvml::wallNanos)) {
            long learning = System.nanoTime();
            while (s.counterGrids().isEmpty() && System.nanoTime() - learning < 20_000 * MS) {
                run(s, 1000); // dense hunts until ten tight brackets agree on the phase
            }
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

    @Test
    void theScheduleIsNamedBoundaries() {
        assertEquals(NvmlOptions.CounterSchedule.BOUNDARIES,
                NvmlOptions.parse(Map.of("counterSchedule", "boundaries")).counterSchedule());
    }
}
