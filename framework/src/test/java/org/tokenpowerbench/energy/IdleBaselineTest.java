package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.S;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.times;

import java.util.Random;
import org.junit.jupiter.api.Test;

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
        assertEquals(Math.hypot(idle.counterWatts(), idle.spreadWatts()), idle.uncertaintyWatts(), 1e-12);
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
            assertTrue(l.uncertaintyWatts() < r.uncertaintyWatts() / 5, l.describe() + " against " + r.describe());
            assertTrue(Math.abs(l.watts() - truth) <= 3 * l.uncertaintyWatts() + 1e-3, "learned: " + l.describe()
                    + " against " + truth);
        }
        assertTrue(covered >= 0.9 * windows, covered + " of " + windows + " within 2 σ");
    }
}
