package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.CounterGrid;

/**
 * A fork that starts from the grid an earlier fork learned confirms it with three tight brackets
 * instead of learning the phase from ten, and a grid its reads contradict costs nothing but the
 * ordinary learning. On a clock of the test's own, sampled every 10 ms as the profiler does.
 */
class NvmlGridMemoryTest {

    private static final long MS = 1_000_000L;
    private static final long PHASE = 37 * MS;

    private final long[] now = {0};
    private final FakeNvml.Gpu gpu = gpu();
    private final FakeNvml nvml = new FakeNvml(() -> now[0], gpu);

    private static FakeNvml.Gpu gpu() {
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-000000000002");
        g.counterUpdateNanos = 100 * MS;
        g.counterUpdatePhaseNanos = PHASE;
        g.counterJitterNanos = 2 * MS;
        g.bufferSpacingNanos = 20 * MS;
        g.watts = 300;
        return g;
    }

    /** Opens a sensor, hands it {@code earlier}, samples until it knows the phase; the reads it took and its grid. */
    private Object[] learn(Map<String, CounterGrid> earlier) throws Exception {
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries")), Map.of(),
                () -> now[0], nvml::wallNanos)) {
            s.startFrom(earlier);
            double[] out = new double[s.channels().size()];
            int before = gpu.counterReads;
            s.sample(out, true);
            long until = now[0] + 30_000 * MS;
            while (s.counterGrids().isEmpty() && now[0] < until) {
                now[0] += 10 * MS;
                s.sample(out, false);
            }
            CounterGrid grid = s.counterGrids().get("gpu0.counter");
            assertTrue(grid != null, "the phase was not learned in 30 s");
            double off = Math.floorMod(grid.anchorNanos() - PHASE, 100 * MS);
            assertTrue(Math.min(off, 100 * MS - off) <= 6 * MS, grid + " is not on the steps at 37 ms + k·100 ms");
            return new Object[] {gpu.counterReads - before, grid};
        }
    }

    @Test
    void aForkStartingFromAnEarlierForksGridConfirmsItWithAFractionOfTheReads() throws Exception {
        now[0] = 5_000 * MS;
        Object[] first = learn(Map.of());
        now[0] += 90_000 * MS; // the next fork, a minute and a half later
        Object[] second = learn(Map.of("gpu0.counter", (CounterGrid) first[1]));
        int fresh = (int) first[0];
        int confirmed = (int) second[0];
        System.out.println("from nothing " + fresh + " counter reads, from the earlier grid " + confirmed);
        assertTrue(confirmed * 2 <= fresh, "from nothing " + fresh + " counter reads, from the earlier grid " + confirmed);
    }

    @Test
    void aGridTheReadsContradictIsDroppedAndThePhaseLearnedAsUsual() throws Exception {
        now[0] = 5_000 * MS;
        CounterGrid wrong = new CounterGrid(now[0] - 10_000 * MS + PHASE + 40 * MS, 100 * MS, 2.1 * MS, "a wrong guess");
        learn(Map.of("gpu0.counter", wrong)); // asserts the grid it ends with is on the true steps
    }

    @Test
    void aGridOlderThanTheMemoryIsNotUsed() throws Exception {
        now[0] = 5_000 * MS;
        Object[] first = learn(Map.of());
        now[0] += NvmlSensor.GRID_MEMORY_NANOS + 1_000 * MS;
        Object[] late = learn(Map.of("gpu0.counter", (CounterGrid) first[1]));
        assertTrue((int) late[0] * 2 > (int) first[0], "an old grid still cut the reads: " + first[0] + " then " + late[0]);
    }
}
