package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.S;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.times;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;

class IdleBaselineTest {

    @Test
    void isTheMeanPowerOfTheIdleWindowAndGivesDynamicEnergy() {
        long[] t = times(100 * MS, 11);
        double[] w = {20, 20, 20, 20, 90, 90, 90, 90, 90, 90};
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, w), 1_000 * MS);
        IdleBaseline idle = IdleBaseline.measure(signal, T0 + 50 * MS, T0 + 350 * MS);
        assertEquals(20.0, idle.watts(), 1e-9);
        assertEquals(0.3, idle.seconds(), 1e-12);
        assertEquals("counter", idle.method());
        double total = signal.energyJoules(T0 + 400 * MS, T0 + 1000 * MS);
        assertEquals(70 * 0.6, idle.dynamicJoules(total, 0.6), 1e-9);
        assertTrue(idle.describe().matches("20\\.000 ± [0-9.]+ W over 0\\.30 s \\(counter\\)"), idle.describe());
    }

    @Test
    void anEmptyOrUncoveredWindowIsAnError() {
        long[] t = times(100 * MS, 3);
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, new double[] {1, 1}), 1_000 * MS);
        assertThrows(IllegalArgumentException.class, () -> IdleBaseline.measure(signal, T0 + 10, T0 + 10));
        assertThrows(IllegalArgumentException.class, () -> IdleBaseline.measure(signal, T0 - 10, T0 + 10));
    }

    @Test
    void itsUncertaintyIsTheCounterStalenessOverTheWindowAndThePowersStandardError() {
        long[] t = times(100 * MS, 11);
        double[] w = {20, 90, 20, 90, 20, 90, 40, 60, 50, 50};
        PowerSignal signal = PowerSignal.of(Fixtures.piecewiseConstantCounter(t, w), 1_000 * MS, CounterTiming.READS);
        IdleBaseline idle = IdleBaseline.measure(signal, T0, T0 + S);
        assertEquals(53.0, idle.watts(), 1e-9);
        double ss = 0;
        for (double x : w) {
            ss += (x - 53) * (x - 53);
        }
        assertEquals(Math.sqrt(ss / 9 / 10), idle.spreadWatts(), 1e-9, "sample standard deviation over √10");
        assertEquals(Math.sqrt(2) * 53 * 0.1 / Math.sqrt(12) / 1.0, idle.counterWatts(), 1e-9,
                "two edges, each stale by a uniform part of a 100 ms step, over 1 s");
        assertEquals(0.0, idle.samplingWatts(), 1e-12, "both edges on counter values: nothing rests on a shape");
        assertEquals(Math.hypot(idle.counterWatts(), idle.spreadWatts()), idle.uncertaintyWatts(), 1e-12);
    }

    /**
     * 130 W idle for 4 s, then 450 W for 10 s; the power samples (every 20 ms) read the load 1.5 %
     * low, as a driver's buffer strays from the counter under a bursty load. The counter is read on
     * the trace's edges only, and, where {@code edgeReads}, also 5 ms outside the idle window.
     */
    private static PowerSignal boundariesOnly(boolean edgeReads) {
        List<PowerChannel> channels = List.of(Fixtures.counter("gpu0.counter", "GPU-0"), Fixtures.power("gpu0.power", "GPU-0"));
        java.util.TreeMap<Long, double[]> rows = new java.util.TreeMap<>();
        java.util.function.LongToDoubleFunction joules = t -> t <= 4 * S ? 130 * t / 1e9 : 520 + 450 * (t - 4 * S) / 1e9;
        for (long t = 0; t <= 14 * S; t += 20 * MS) {
            rows.put(t, new double[] {Double.NaN, t < 4 * S ? 130 : 450 * 0.985});
        }
        List<Long> reads = new java.util.ArrayList<>(List.of(0L, 14 * S));
        if (edgeReads) {
            reads.addAll(List.of(995 * MS, 3_005 * MS));
        }
        for (long t : reads) {
            rows.merge(t, new double[] {joules.applyAsDouble(t), Double.NaN},
                    (old, read) -> new double[] {read[0], old[1]});
        }
        long[] t = rows.keySet().stream().mapToLong(Long::longValue).toArray();
        double[][] v = new double[2][t.length];
        int i = 0;
        for (double[] row : rows.values()) {
            v[0][i] = row[0];
            v[1][i] = row[1];
            i++;
        }
        return PowerSignal.of(new PowerTrace(channels, t, v), 200 * MS, CounterTiming.READS);
    }

    @Test
    void aWindowBetweenFarCounterReadsRestsOnTheShapeAndSaysSoReadsAtItsEdgesMakeItTheCountersOwn() {
        IdleBaseline far = IdleBaseline.measure(boundariesOnly(false), S, 3 * S);
        IdleBaseline near = IdleBaseline.measure(boundariesOnly(true), S, 3 * S);
        // the 14 s counter interval split by a shape that reads the load low gives the idle part too much
        assertTrue(far.watts() - 130 > 1.0, far.describe());
        assertTrue(Math.abs(far.watts() - 130) <= 2 * far.uncertaintyWatts(), far.describe() + ": the shape term covers it");
        assertTrue(far.samplingWatts() > 2.0, "1 s and 3 s of the interval rest on the shape: " + far.samplingWatts());
        // counter reads 5 ms outside the window leave only those 5 ms at each edge to the (idle, exact) shape
        assertEquals(130.0, near.watts(), 1e-6, near.describe());
        assertTrue(near.samplingWatts() < 0.1, "5 ms at each edge: " + near.samplingWatts());
    }

    @Test
    void atReadInstantsTheIntervalCoversTheTruthAndLearnedUpdateMomentsShrinkIt() {
        // 120 W idle, an H200-like counter (100 ms steps at its own phase), read on the sensor's bracket schedule
        SimulatedCounter gpu = new SimulatedCounter(new long[] {T0 - 2 * S}, new double[] {120}, 30 * S, 37 * MS,
                100 * MS, 100 * MS, 0, new Random(14));
        var trace = gpu.trace(30 * S, false, true, x -> false);
        PowerSignal read = PowerSignal.of(trace, 200 * MS, CounterTiming.READS);
        PowerSignal learned = PowerSignal.of(trace, 200 * MS, new CounterTiming(true, 100 * MS));
        int covered = 0;
        int windows = 0;
        for (long from = T0 + S; from + 2 * S <= T0 + 29 * S; from += 1_237 * MS) {
            long to = from + 2 * S;
            double truth = gpu.energy(from, to) / 2.0;
            IdleBaseline r = IdleBaseline.measure(read, from, to);
            IdleBaseline l = IdleBaseline.measure(learned, from, to);
            windows++;
            covered += Math.abs(r.watts() - truth) <= 2 * r.uncertaintyWatts() ? 1 : 0;
            assertTrue(Math.abs(r.watts() - truth) <= 3 * r.uncertaintyWatts(), "read instants: " + r.describe());
            // the counter timing shrinks; what rests on the power shape inside the edges' updates stays
            assertTrue(l.counterWatts() < r.counterWatts() / 5, l.counterWatts() + " W against " + r.counterWatts());
            assertTrue(l.uncertaintyWatts() < r.uncertaintyWatts() / 2, l.describe() + " against " + r.describe());
            assertTrue(Math.abs(l.watts() - truth) <= 3 * l.uncertaintyWatts() + 1e-3, "learned: " + l.describe()
                    + " against " + truth);
        }
        assertTrue(covered >= 0.9 * windows, covered + " of " + windows + " within 2 σ");
    }
}
