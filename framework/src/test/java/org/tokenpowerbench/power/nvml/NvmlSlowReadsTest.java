package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerTrace;

/**
 * Eight GPUs whose counter reads each keep the sampler 4 ms, as an H200's driver does: one sample
 * reads them one after another, so the eighth read begins about 28 ms after the sample's time. Each
 * read must keep its own time, or the brackets of the later GPUs sit up to 28 ms early and the
 * phases they learn are off by as much. On a clock of the test's own that each read moves on.
 */
class NvmlSlowReadsTest {

    private static final long MS = 1_000_000L;
    private static final int GPUS = 8;

    private final long[] now = {5_000 * MS};

    private FakeNvml eightGpus(long[] phases) {
        FakeNvml.Gpu[] g = new FakeNvml.Gpu[GPUS];
        for (int i = 0; i < GPUS; i++) {
            g[i] = FakeNvml.h200(String.format("GPU-11111111-aaaa-bbbb-cccc-%012d", i));
            g[i].counterUpdateNanos = 100 * MS;
            g[i].counterUpdatePhaseNanos = phases[i];
            g[i].counterJitterNanos = 2 * MS;
            g[i].counterReadNanos = 4 * MS;
            g[i].bufferSpacingNanos = 20 * MS;
            g[i].watts = 300;
        }
        FakeNvml nvml = new FakeNvml(() -> now[0], g);
        nvml.spend = d -> now[0] += d;
        return nvml;
    }

    /** Samples every 10 ms (or as soon as the reads allow) until every GPU knows its phase; the counter reads it took. */
    private int learnAll(FakeNvml nvml, long[] phases) throws Exception {
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("counterSchedule", "boundaries")), Map.of(),
                () -> now[0], nvml::wallNanos)) {
            sampleUntilLearned(s);
            int reads = 0;
            for (int i = 0; i < GPUS; i++) {
                CounterGrid grid = s.counterGrids().get("gpu" + i + ".counter");
                double off = Math.floorMod(grid.anchorNanos() - phases[i], 100 * MS);
                assertTrue(Math.min(off, 100 * MS - off) <= 6 * MS,
                        "gpu" + i + ": " + grid + " is not on its steps at " + phases[i] / MS + " ms + k·100 ms");
                reads += nvml.gpus.get(i).counterReads;
            }
            return reads;
        }
    }

    /** Samples {@code s} every 10 ms (or as soon as the reads allow) until every GPU knows its phase, 60 s at most. */
    private void sampleUntilLearned(NvmlSensor s) {
        double[] out = new double[s.channels().size()];
        s.sample(out, true);
        long until = now[0] + 60_000 * MS;
        long next = now[0];
        while (s.counterGrids().size() < GPUS && now[0] < until) {
            next += 10 * MS;
            now[0] = Math.max(now[0], next);
            s.sample(out, false);
        }
        assertTrue(s.counterGrids().size() == GPUS, "only " + s.counterGrids().size() + " of 8 phases learned in 60 s");
    }

    private static int reads(FakeNvml nvml) {
        return nvml.gpus.stream().mapToInt(g -> g.counterReads).sum();
    }

    @Test
    void aLaterForkConfirmsEightGridsWithoutAHuntWaitingOutAWholeUpdate() throws Exception {
        // eight GPUs stepping together: a later fork's aimed hunts fall due in the same samples, and each waits
        // behind the reads before it; a hunt whose first read came after the step read on for a whole period
        long[] phases = new long[GPUS];
        java.util.Arrays.fill(phases, 37 * MS);
        FakeNvml nvml = eightGpus(phases);
        NvmlOptions options = NvmlOptions.parse(Map.of("counterSchedule", "boundaries"));
        Map<String, CounterGrid> grids;
        try (NvmlSensor first = NvmlSensor.open(nvml, options, Map.of(), () -> now[0], nvml::wallNanos)) {
            sampleUntilLearned(first);
            grids = first.counterGrids();
        }
        now[0] += 2_000 * MS;
        int before = reads(nvml);
        try (NvmlSensor later = NvmlSensor.open(nvml, options, Map.of(), () -> now[0], nvml::wallNanos)) {
            later.startFrom(grids);
            sampleUntilLearned(later);
        }
        int reads = reads(nvml) - before;
        System.out.println("a later fork, 8 GPUs stepping together, 4 ms reads: " + reads + " counter reads to confirm every grid");
        // the probe at open and the opening boundary (8 reads each), and three confirming brackets of at most three reads each
        assertTrue(reads <= 8 + 8 + GPUS * 3 * 3, reads + " counter reads to confirm eight grids");
    }

    @Test
    void gpusSteppingTogetherEachLearnTheirTruePhase() throws Exception {
        long[] phases = new long[GPUS];
        java.util.Arrays.fill(phases, 37 * MS);
        int reads = learnAll(eightGpus(phases), phases);
        System.out.println("8 GPUs stepping together, 4 ms reads: " + reads + " counter reads to learn every phase");
    }

    @Test
    void gpusSteppingApartEachLearnTheirTruePhase() throws Exception {
        long[] phases = new long[GPUS];
        for (int i = 0; i < GPUS; i++) {
            phases[i] = (11 + 37L * i) % 100 * MS;
        }
        int reads = learnAll(eightGpus(phases), phases);
        System.out.println("8 GPUs stepping apart, 4 ms reads: " + reads + " counter reads to learn every phase");
    }

    @Test
    void eachBoundaryValueKeepsTheTimeItsOwnReadBegan() throws Exception {
        FakeNvml.Gpu[] g = new FakeNvml.Gpu[GPUS];
        for (int i = 0; i < GPUS; i++) {
            g[i] = FakeNvml.h200(String.format("GPU-11111111-aaaa-bbbb-cccc-%012d", i));
            g[i].counterReadNanos = 4 * MS;
        }
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        nvml.spend = d -> LockSupport.parkNanos(d); // at least 4 ms a read, on the sampler's own clock
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("power", "field")), Map.of(), System::nanoTime);
             PowerSampler sampler = new PowerSampler(s, Duration.ofMillis(10))) {
            sampler.start();
            PowerTrace trace = sampler.stop();
            long sampleTime = trace.timestampNanos(0); // the first boundary: every GPU's counter read there
            long previous = sampleTime;
            for (int i = 0; i < GPUS; i++) {
                int c = trace.channelIndex("gpu" + i + ".counter");
                long readAt = trace.timestampsNanos(c)[0];
                assertTrue(readAt - previous >= (i == 0 ? 0 : 4 * MS), "gpu" + i + "'s read began "
                        + (readAt - previous) / 1e6 + " ms after the one before it, which took 4 ms");
                previous = readAt;
            }
            assertTrue(previous - sampleTime >= 28 * MS, "the last read is stamped with the sample's time");
        }
    }
}
