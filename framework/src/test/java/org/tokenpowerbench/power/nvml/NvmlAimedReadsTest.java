package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;

/**
 * {@code aimReads}: what a counter read costs depends on when it begins against the counter's
 * update (seventeen H100 and H200 counter logs, session 29): held 11-16 ms in the spell after an
 * update, about 5 ms in the first 8 ms of each 20 ms of the driver's cycle, about 3 ms elsewhere.
 * A fake driver with that shape (3 ms reads, 2 ms more in the cycle's costly part, a 16 ms spell)
 * on the test's own clock, stepping at 61 ms + k·100 ms; the sensor waits by moving that clock.
 */
class NvmlAimedReadsTest {

    private static final long MS = 1_000_000L;
    private static final long STEP = 61 * MS;

    private static FakeNvml.Gpu gpu(int n) {
        FakeNvml.Gpu g = FakeNvml.h200("GPU-11111111-aaaa-bbbb-cccc-0000000003" + (10 + n));
        g.slowSpellNanos = 16 * MS;
        return g;
    }

    private static NvmlSensor learned(long[] now, String aim, FakeNvml.Gpu... gpus) throws Exception {
        NvmlSensor s = NvmlBoundariesScheduleTest.learned(now, Map.of("counterSchedule", "boundaries",
                "closeStraddle", "off", "aimReads", aim), gpus);
        return withTheCycle(s, now, gpus);
    }

    /** From here on, 3 ms reads and 2 ms more in the cycle's costly part; the sensor waits by moving the test's clock. */
    private static NvmlSensor withTheCycle(NvmlSensor s, long[] now, FakeNvml.Gpu... gpus) {
        s.parkWith(nanos -> now[0] += nanos);
        for (FakeNvml.Gpu g : gpus) {
            g.counterReadNanos = 3 * MS;
            g.cycleExtraNanos = 2 * MS;
        }
        return s;
    }

    /**
     * What windows' edges cost: the driver's busy-waiting over the windows that open and close 8-76 ms
     * after a step (past the edge zone of the step before, before the no-man's land ahead of the next,
     * where a read is taken at once either way), of 50 windows each 2 ms further into the update period.
     */
    private record Closes(long busyNanos, int costly, long worstWaitNanos, double[] closeJoules) {
    }

    private static Closes closeAcrossThePeriod(String aim) throws Exception {
        long[] now = {0};
        FakeNvml.Gpu g = gpu(0);
        try (NvmlSensor s = learned(now, aim, g)) {
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            long busy = 0;
            int costly = 0;
            long worstWait = 0;
            double[] closeJoules = new double[50];
            for (int i = 0; i < 50; i++) {
                long close = base + STEP + 100 * MS + 2 * i * MS; // 0, 2, ... 98 ms after a step
                long open = close - 1_000 * MS;
                base += 2_000 * MS;
                long b0 = g.counterBusyNanos;
                int c0 = g.costlyReads;
                long w0 = s.waitedNanos();
                PowerTrace t = NvmlBoundariesScheduleTest.window(s, now, open, close);
                List<double[]> v = NvmlBoundariesScheduleTest.counterValues(t, 0);
                if (i >= 4 && i <= 38) {
                    busy += g.counterBusyNanos - b0;
                    costly += g.costlyReads - c0;
                }
                worstWait = Math.max(worstWait, s.waitedNanos() - w0);
                // the close's first value, less the opening's: the energy the read showed
                closeJoules[i] = v.stream().filter(x -> x[0] >= close).findFirst().orElseThrow()[1] - v.get(0)[1];
            }
            return new Closes(busy, costly, worstWait, closeJoules);
        }
    }

    @Test
    void aClosesReadWaitsForTheCheapPartOfTheDriversCycleAndShowsTheSameUpdate() throws Exception {
        Closes at = closeAcrossThePeriod("off");
        Closes aimed = closeAcrossThePeriod("on");
        // at once: an edge 8-16 ms after a step is held in the spell, and one in the cycle's costly part pays 2 ms more
        assertTrue(at.costly() >= 30, at.toString());
        assertEquals(0, aimed.costly(), "aimed reads held or slowed: " + aimed);
        assertTrue(aimed.busyNanos() < 0.8 * at.busyNanos(),
                "the driver busy-waited " + aimed.busyNanos() / 1e6 + " ms aimed against " + at.busyNanos() / 1e6 + " ms at once");
        // never past an update: every close clear of the edge zones (12-88 ms after a step) shows the update that a
        // read at once shows
        for (int i = 7; i < 44; i++) {
            assertEquals(at.closeJoules()[i], aimed.closeJoules()[i], 1e-9, "the close " + 2 * i + " ms after a step");
        }
        // at most about 22 ms an edge (from the zone's end, 8 ms past a step, to 30 ms past it): opening and close together
        assertTrue(aimed.worstWaitNanos() <= 45 * MS, "a window's edges waited " + aimed.worstWaitNanos() / 1e6 + " ms");
    }

    @Test
    void eightGpusSteppingTogetherAreReadOneAfterAnotherInTheCheapParts() throws Exception {
        long[] now = {0};
        FakeNvml.Gpu[] gpus = new FakeNvml.Gpu[8];
        for (int i = 0; i < gpus.length; i++) {
            gpus[i] = gpu(i);
        }
        try (NvmlSensor s = learned(now, "on", gpus)) {
            long base = (now[0] / (100 * MS) + 10) * 100 * MS;
            int costly = 0;
            for (FakeNvml.Gpu g : gpus) {
                costly -= g.costlyReads;
            }
            long close = base + STEP + 112 * MS; // 12 ms after a step: past its zone, in the spell
            NvmlBoundariesScheduleTest.window(s, now, close - 1_000 * MS, close);
            for (FakeNvml.Gpu g : gpus) {
                costly += g.costlyReads;
            }
            assertEquals(0, costly, "reads held in the spell or the cycle's costly part");
            // eight reads of 3 ms in the parts 30-36, 50-56 and 70-76 ms after the step, before the next one's zone
            assertTrue(now[0] - close < 80 * MS, "the close took " + (now[0] - close) / 1e6 + " ms");
            List<PowerChannel> counters = s.channels().stream().filter(c -> c.kind() == PowerChannel.Kind.ENERGY_JOULES).toList();
            assertEquals(8, counters.size());
        }
    }

    /** GPUs whose counters update every 100 ms at these phases, 4 ms reads, a buffer sample every 20 ms. */
    private static FakeNvml.Gpu[] steppingAt(long... phases) {
        FakeNvml.Gpu[] gpus = new FakeNvml.Gpu[phases.length];
        for (int i = 0; i < gpus.length; i++) {
            gpus[i] = gpu(i);
            gpus[i].counterUpdateNanos = 100 * MS;
            gpus[i].counterUpdatePhaseNanos = phases[i];
            gpus[i].bufferSpacingNanos = 20 * MS;
            gpus[i].watts = 250;
            gpus[i].counterReadNanos = 4 * MS;
        }
        return gpus;
    }

    @Test
    void gpusSteppingApartAreReadInTheOrderTheirCheapMomentsCome() throws Exception {
        // four GPUs whose updates come 10 ms apart, listed so that the first one's cheap part comes last
        long[] now = {0};
        FakeNvml.Gpu[] gpus = steppingAt(61 * MS, 51 * MS, 41 * MS, 31 * MS);
        try (NvmlSensor s = withTheCycle(NvmlBoundariesScheduleTest.learnedAsSet(now, Map.of("counterSchedule",
                "boundaries", "closeStraddle", "off"), gpus), now, gpus)) {
            // 12 ms after GPU 0's update: GPU 2 is in a cheap part already, GPUs 1 and 3 reach one in 7 ms, GPU 0 in 17
            long close = (now[0] / (100 * MS) + 20) * 100 * MS + 73 * MS;
            int costly = 0;
            try (org.tokenpowerbench.power.PowerSampler sampler = new org.tokenpowerbench.power.PowerSampler(s,
                    java.time.Duration.ofMillis(10))) {
                now[0] = close - 1_050 * MS;
                sampler.start();
                for (FakeNvml.Gpu g : gpus) {
                    costly -= g.costlyReads; // the close's reads only
                }
                now[0] = close;
                sampler.stop();
            }
            for (FakeNvml.Gpu g : gpus) {
                costly += g.costlyReads;
            }
            // read in the order the list gives, GPU 0 would wait 17 ms, and the others' cheap parts would pass meanwhile:
            // GPU 3's read would come 82 ms after its update, in the cycle's costly part, and the close would take 43 ms
            assertEquals(0, costly, "reads held in the spell or the cycle's costly part");
            assertTrue(now[0] - close < 25 * MS, "the close took " + (now[0] - close) / 1e6 + " ms");
        }
    }

    /** What a set of GPUs cost over a run of waves: counter reads and the driver's busy-waiting, reads at openings, the longest close. */
    private record Run(int reads, long busyNanos, int openingReads, long longestCloseNanos) {
    }

    /**
     * {@code n} GPUs whose updates come {@code apartMs} after each other's (as the emulated driver's
     * do with {@code together=false}: 37 ms), 30 waves of about 2 s whose closes move 7 ms further into
     * the update period each wave, the next opening 20 ms after each close ends (JMH's pause).
     */
    private static Run steppingApart(String aim, int n, int apartMs) throws Exception {
        return steppingApart(aim, n, apartMs, 0);
    }

    /** As {@link #steppingApart(String, int, int)}, the first wave opening {@code startOffset} later. */
    private static Run steppingApart(String aim, int n, int apartMs, long startOffset) throws Exception {
        long[] phases = new long[n];
        for (int i = 0; i < n; i++) {
            phases[i] = (61 + apartMs * i) % 100 * MS;
        }
        return stepping(aim, phases, startOffset);
    }

    private static Run stepping(String aim, long[] phases) throws Exception {
        return stepping(aim, phases, 0);
    }

    private static Run stepping(String aim, long[] phases, long startOffset) throws Exception {
        long[] now = {0};
        FakeNvml.Gpu[] gpus = steppingAt(phases);
        try (NvmlSensor s = withTheCycle(NvmlBoundariesScheduleTest.learnedAsSet(now, Map.of("counterSchedule",
                "boundaries", "closeStraddle", "off", "aimReads", aim), gpus), now, gpus)) {
            now[0] = (now[0] / (100 * MS) + 20) * 100 * MS + startOffset;
            int reads = 0;
            long busy = 0;
            int openingReads = 0;
            long longest = 0;
            for (FakeNvml.Gpu g : gpus) {
                reads -= g.counterReads;
                busy -= g.counterBusyNanos;
            }
            for (int w = 0; w < 30; w++) {
                try (org.tokenpowerbench.power.PowerSampler sampler = new org.tokenpowerbench.power.PowerSampler(s,
                        java.time.Duration.ofMillis(10))) {
                    for (FakeNvml.Gpu g : gpus) {
                        openingReads -= g.counterReads;
                    }
                    sampler.start();
                    for (FakeNvml.Gpu g : gpus) {
                        openingReads += g.counterReads;
                    }
                    long close = now[0] + 2_000 * MS + 7 * w * MS;
                    now[0] = close;
                    sampler.stop();
                    longest = Math.max(longest, now[0] - close);
                    now[0] += 20 * MS;
                }
            }
            for (FakeNvml.Gpu g : gpus) {
                reads += g.counterReads;
                busy += g.counterBusyNanos;
            }
            return new Run(reads, busy, openingReads, longest);
        }
    }

    /**
     * What aiming saves of the driver's busy-waiting against reading at once, for one GPU, eight
     * stepping together (one GPU presented as eight, as session 29 measured on an H100), and four and
     * eight whose updates lie where chance puts them (twelve sets each, phases drawn from a fixed
     * seed): the table it prints is in docs/gpu-proof.md, session 30. Before session 30's order
     * (each next read chosen as the clock then stands, the most urgent first, a read in an edge
     * zone's tail after the others, a reach of {@link NvmlSensor#AIM_REACH_NANOS}, a read due in the
     * spell begun as it ends) eight GPUs at random saved 2.2 % (13,736 ms against 14,050, with the
     * phase kept as {@link #aLearnedPhaseStaysKnownThroughLooseEdgeChecks} asks), four 14 %, and eight
     * stepping 37 ms apart cost 3 % more than at once. Eight stepping together cost 5 % more with
     * this order than with that one (1,073 ms against 1,024), two 37 ms apart 25 % more (325 against
     * 261): still less than at once.
     */
    @Test
    void aimingSavesTheDriversBusyWaitingForOneGpuGpusSteppingTogetherAndGpusSteppingAtRandom() throws Exception {
        StringBuilder table = new StringBuilder("| GPUs | updates | aimed: reads, busy ms, reads at openings, longest close ms | at once |\n");
        Run one = steppingApart("on", 1, 0);
        Run oneAtOnce = steppingApart("off", 1, 0);
        Run together = steppingApart("on", 8, 0);
        Run togetherAtOnce = steppingApart("off", 8, 0);
        table.append(row("1", "", one, oneAtOnce)).append(row("8", "together", together, togetherAtOnce));
        for (int[] c : new int[][] {{2, 37}, {4, 25}, {4, 37}, {8, 12}, {8, 37}}) {
            table.append(row(String.valueOf(c[0]), c[1] + " ms apart", steppingApart("on", c[0], c[1]),
                    steppingApart("off", c[0], c[1])));
        }
        java.util.Random random = new java.util.Random(42);
        long[][] totals = new long[2][2];
        for (int set = 0; set < 2; set++) {
            int n = set == 0 ? 4 : 8;
            Run sumAimed = new Run(0, 0, 0, 0);
            Run sumAtOnce = new Run(0, 0, 0, 0);
            for (int k = 0; k < 12; k++) {
                long[] phases = new long[n];
                for (int i = 0; i < n; i++) {
                    phases[i] = random.nextInt(100) * MS + random.nextInt(1000) * 1000L;
                }
                sumAimed = sum(sumAimed, stepping("on", phases));
                sumAtOnce = sum(sumAtOnce, stepping("off", phases));
            }
            totals[set][0] = sumAimed.busyNanos();
            totals[set][1] = sumAtOnce.busyNanos();
            table.append(row(String.valueOf(n), "at random, 12 sets", sumAimed, sumAtOnce));
        }
        // one run's closes fall where the closes before them leave the clock: in step and two apart, 20 start offsets too
        for (int[] c : new int[][] {{8, 0}, {2, 37}}) {
            Run sumAimed = new Run(0, 0, 0, 0);
            Run sumAtOnce = new Run(0, 0, 0, 0);
            for (int k = 0; k < 20; k++) {
                sumAimed = sum(sumAimed, steppingApart("on", c[0], c[1], k * 13 * MS));
                sumAtOnce = sum(sumAtOnce, steppingApart("off", c[0], c[1], k * 13 * MS));
            }
            table.append(row(String.valueOf(c[0]), (c[1] == 0 ? "together" : c[1] + " ms apart") + ", 20 start offsets",
                    sumAimed, sumAtOnce));
            assertTrue(sumAimed.busyNanos() < sumAtOnce.busyNanos(), table.toString());
        }
        System.out.print(table);
        assertTrue(one.busyNanos() < 0.8 * oneAtOnce.busyNanos(), table.toString());
        // the bounds at random fail with the order before session 30 (0.86 and 0.97 of at once)
        assertTrue(together.busyNanos() < togetherAtOnce.busyNanos(), table.toString());
        assertTrue(totals[0][0] < 0.8 * totals[0][1], "four GPUs at random\n" + table);
        assertTrue(totals[1][0] < 0.8 * totals[1][1], "eight GPUs at random\n" + table);
    }

    /**
     * An edge check's reads in the spell bracket a step loosely (15-16 ms). Such a bracket agrees
     * with the learned phase but narrows nothing; taken as it came, each widened the phase by up to
     * 8 ms, and on four GPUs 37 ms apart one GPU's phase grew past the 15 ms that count as known
     * within a few waves, after which that GPU was read again at nearly every opening (19 reads at
     * openings against 4).
     */
    @Test
    void aLearnedPhaseStaysKnownThroughLooseEdgeChecks() throws Exception {
        Run aimed = steppingApart("on", 4, 37);
        assertTrue(aimed.openingReads() <= 6, "reads at the 30 openings: " + aimed);
    }

    private static Run sum(Run a, Run b) {
        return new Run(a.reads() + b.reads(), a.busyNanos() + b.busyNanos(), a.openingReads() + b.openingReads(),
                Math.max(a.longestCloseNanos(), b.longestCloseNanos()));
    }

    private static String row(String gpus, String updates, Run aimed, Run atOnce) {
        return String.format(java.util.Locale.ROOT, "| %s | %s | %d, %.0f, %d, %.0f | %d, %.0f, %d, %.0f |%n", gpus, updates,
                aimed.reads(), aimed.busyNanos() / 1e6, aimed.openingReads(), aimed.longestCloseNanos() / 1e6,
                atOnce.reads(), atOnce.busyNanos() / 1e6, atOnce.openingReads(), atOnce.longestCloseNanos() / 1e6);
    }

    @Test
    void aimReadsIsOnByDefaultAndAnythingButOnOrOffIsRefusedByName() {
        assertTrue(NvmlOptions.parse(Map.of()).aimReads());
        assertTrue(!NvmlOptions.parse(Map.of("aimReads", "off")).aimReads());
        UserError e = assertThrows(UserError.class,
                () -> NvmlOptions.parse(Map.of("aimReads", "sometimes")));
        assertTrue(e.getMessage().contains("aimReads=sometimes") && e.getMessage().contains("aimReads=off"), e.getMessage());
    }
}
