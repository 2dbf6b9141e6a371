package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.NAN;
import static org.tokenpowerbench.energy.Fixtures.T0;
import static org.tokenpowerbench.energy.Fixtures.between;
import static org.tokenpowerbench.energy.Fixtures.counter;
import static org.tokenpowerbench.energy.Fixtures.power;
import static org.tokenpowerbench.energy.Fixtures.times;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;

class PowerSignalTest {

    private static final long NO_GAP = Long.MAX_VALUE / 4;

    @Test
    void peakIsTheHighestPointOfThePiecewiseLinearSignalInsideTheWindow() {
        long ms = 1_000_000L;
        long[] t = {T0, T0 + 100 * ms, T0 + 200 * ms, T0 + 300 * ms};
        PowerTrace trace = new PowerTrace(List.of(power("p", "gpu")), t, new double[][] {{100, 500, 200, 300}});
        PowerSignal signal = PowerSignal.of(trace, Long.MAX_VALUE);
        assertEquals(500, signal.peakWatts(T0, T0 + 300 * ms), 1e-9, "the sample at 100 ms");
        assertEquals(350, signal.peakWatts(T0 + 150 * ms, T0 + 250 * ms), 1e-9, "a window edge on a falling line");
        assertEquals(300, signal.peakWatts(T0 + 250 * ms, T0 + 300 * ms), 1e-9);
        // a counter rising 10 J over 100 ms and then 50 J over 100 ms peaks at its steeper interval
        PowerTrace counter = new PowerTrace(List.of(counter("c", "cpu")), new long[] {T0, T0 + 100 * ms, T0 + 200 * ms},
                new double[][] {{0, 10, 60}});
        assertEquals(500, PowerSignal.of(counter, Long.MAX_VALUE).peakWatts(T0, T0 + 200 * ms), 1e-9);
    }

    @Test
    void counterOnlyIsDeltaOverDeltaTAndMatchesTheTraceOnRandomWindows() {
        Random rnd = new Random(11);
        for (int rep = 0; rep < 300; rep++) {
            int n = 2 + rnd.nextInt(50);
            long[] t = new long[n];
            double[] c = new double[n];
            t[0] = T0;
            for (int i = 1; i < n; i++) {
                t[i] = t[i - 1] + 1 + rnd.nextInt(20_000_000);
                c[i] = c[i - 1] + rnd.nextDouble() * 5;
            }
            PowerTrace trace = new PowerTrace(List.of(counter("c", "d")), t, new double[][] {c});
            PowerSignal signal = PowerSignal.of(trace, NO_GAP);
            long a = between(rnd, t[0], t[n - 1]);
            long b = between(rnd, a, t[n - 1]);
            double expected = trace.energyJoules(0, a, b);
            assertEquals(expected, signal.energyJoules(a, b), 1e-12 * Math.max(1, Math.abs(expected)));
            assertEquals(c[n - 1], signal.energyJoules(t[0], t[n - 1]), 1e-12 * c[n - 1]);
        }
    }

    @Test
    void powerOnlyIsTrapezoidsAndMatchesTheTraceOnRandomWindows() {
        Random rnd = new Random(12);
        for (int rep = 0; rep < 300; rep++) {
            int n = 2 + rnd.nextInt(50);
            long[] t = new long[n];
            double[] p = new double[n];
            t[0] = T0;
            p[0] = 100;
            for (int i = 1; i < n; i++) {
                t[i] = t[i - 1] + 1 + rnd.nextInt(20_000_000);
                p[i] = rnd.nextInt(5) == 0 && i < n - 1 ? NAN : rnd.nextDouble() * 400;
            }
            PowerTrace trace = new PowerTrace(List.of(power("p", "d")), t, new double[][] {p});
            PowerSignal signal = PowerSignal.of(trace, NO_GAP);
            long a = between(rnd, t[0], t[n - 1]);
            long b = between(rnd, a, t[n - 1]);
            double expected = trace.energyJoules(0, a, b);
            assertEquals(expected, signal.energyJoules(a, b), 1e-12 * Math.max(1, Math.abs(expected)));
        }
    }

    /** One GPU with a counter and a power channel, sampled at {@code t}; NaN marks an unread value. */
    private static PowerSignal fused(long[] t, double[] counterJoules, double[] watts) {
        PowerTrace trace = new PowerTrace(List.of(counter("g.counter", "g"), power("g.power", "g")), t,
                new double[][] {counterJoules, watts});
        PowerSignal signal = PowerSignal.of(trace, NO_GAP);
        assertEquals("counter+power-shape", signal.sources().get(0).model());
        return signal;
    }

    @Test
    void windowsBetweenCounterReadingsGetExactlyTheCounterDeltaWhateverThePower() {
        long[] t = times(10 * MS, 31);
        double[] c = new double[31];
        double[] p = new double[31];
        Random rnd = new Random(1);
        for (int i = 0; i < 31; i++) {
            c[i] = NAN;
            p[i] = 50 + 600 * rnd.nextDouble(); // any shape, any scale: the counter decides totals
        }
        c[0] = 1000.0;
        c[10] = 1012.5;
        c[20] = 1060.0;
        c[30] = 1061.0;
        PowerSignal f = fused(t, c, p);
        assertEquals(12.5, f.energyJoules(T0, T0 + 100 * MS), 1e-12);
        assertEquals(47.5, f.energyJoules(T0 + 100 * MS, T0 + 200 * MS), 1e-12);
        assertEquals(1.0, f.energyJoules(T0 + 200 * MS, T0 + 300 * MS), 1e-12);
        assertEquals(61.0, f.energyJoules(T0, T0 + 300 * MS), 1e-12);
        assertEquals(48.5, f.energyJoules(T0 + 100 * MS, T0 + 300 * MS), 1e-12);
    }

    @Test
    void thePowerShapeDistributesTheCounterDeltaInsideAnInterval() {
        // counter: 30 J in 100 ms; power reads 100 W for the first half, 500 W for the second
        // (a meter 2x off in scale must not matter: only its shape is used)
        long[] t = {T0, T0 + 50 * MS, T0 + 50 * MS, T0 + 100 * MS};
        PowerSignal f = fused(t, new double[] {0, NAN, NAN, 30}, new double[] {100, 100, 500, 500});
        assertEquals(5.0, f.energyJoules(T0, T0 + 50 * MS), 1e-9); // 30 J x 5/30 of the shape
        assertEquals(25.0, f.energyJoules(T0 + 50 * MS, T0 + 100 * MS), 1e-9);
        assertEquals(2.5, f.energyJoules(T0 + 25 * MS, T0 + 50 * MS), 1e-9);
        assertEquals(30.0, f.energyJoules(T0, T0 + 100 * MS), 1e-12);
    }

    @Test
    void aRampInsideACounterIntervalIsIntegratedTrapezoidally() {
        PowerSignal f = fused(new long[] {T0, T0 + 100 * MS}, new double[] {0, 10}, new double[] {0, 200});
        // power proportional to t, so energy up to t goes with t squared: the first half holds a quarter
        assertEquals(2.5, f.energyJoules(T0, T0 + 50 * MS), 1e-9);
        assertEquals(7.5, f.energyJoules(T0 + 50 * MS, T0 + 100 * MS), 1e-9);
    }

    @Test
    void zeroPowerOverAnIntervalSpreadsItsDeltaUniformly() {
        long[] t = times(50 * MS, 5);
        PowerSignal f = fused(t, new double[] {0, NAN, 10, NAN, 30}, new double[] {0, 0, 0, 400, 400});
        assertEquals(2.5, f.energyJoules(T0, T0 + 25 * MS), 1e-12);
        assertEquals(5.0, f.energyJoules(T0, T0 + 50 * MS), 1e-12);
        // second interval: a ramp 0 -> 400 W over 50 ms (shape 10 J), then flat (shape 20 J): 20 J x 1/3
        assertEquals(20.0 / 3, f.energyJoules(T0 + 100 * MS, T0 + 150 * MS), 1e-9);
    }

    @Test
    void unreadCounterSamplesAreSkipped() {
        long[] t = times(10 * MS, 5);
        PowerSignal f = fused(t, new double[] {0, NAN, NAN, NAN, 8}, new double[] {100, 100, 300, 300, 300});
        assertEquals(8.0, f.energyJoules(T0, T0 + 40 * MS), 1e-12);
        // power integral: 1 + 2 + 3 + 3 = 9 units of 1e-3 J; the first 10 ms hold 1 of 9
        assertEquals(8.0 / 9, f.energyJoules(T0, T0 + 10 * MS), 1e-9);
    }

    @Test
    void aFusedDeviceConservesTheCounterOverAnyPartitionAndNeverGoesNegative() {
        Random rnd = new Random(42);
        for (int rep = 0; rep < 200; rep++) {
            int n = 2 + rnd.nextInt(300);
            long[] t = new long[n];
            double[] c = new double[n];
            double[] p = new double[n];
            t[0] = T0;
            double acc = 0;
            for (int i = 0; i < n; i++) {
                if (i > 0) {
                    t[i] = t[i - 1] + rnd.nextInt(20_000_000); // repeated times included
                }
                acc += rnd.nextInt(5) == 0 ? 0 : rnd.nextDouble() * 4;
                c[i] = i == 0 || i == n - 1 || rnd.nextInt(6) == 0 ? acc : NAN;
                p[i] = rnd.nextInt(10) == 0 ? NAN : rnd.nextInt(4) == 0 ? 0 : 700 * rnd.nextDouble();
            }
            if (t[n - 1] == t[0]) {
                continue; // a zero-length trace has no window to cut
            }
            PowerSignal f = fused(t, c, p);
            long[] cuts = new long[2 + rnd.nextInt(20)];
            cuts[0] = t[0];
            cuts[cuts.length - 1] = t[n - 1];
            for (int i = 1; i < cuts.length - 1; i++) {
                cuts[i] = between(rnd, t[0], t[n - 1]);
            }
            Arrays.sort(cuts);
            double sum = 0;
            for (int i = 0; i + 1 < cuts.length; i++) {
                double part = f.energyJoules(cuts[i], cuts[i + 1]);
                assertTrue(part >= 0, "never negative, rep " + rep);
                sum += part;
            }
            double total = acc - c[0];
            assertEquals(total, sum, 1e-9 * Math.max(1, total), "rep " + rep);
            assertEquals(total, f.energyJoules(t[0], t[n - 1]), 1e-9 * Math.max(1, total), "rep " + rep);
        }
    }

    @Test
    void devicesAreSummedAndIntegralsAreAdditive() {
        Random rnd = new Random(14);
        for (int rep = 0; rep < 300; rep++) {
            PowerTrace trace = Fixtures.randomTrace(rnd);
            PowerSignal all = PowerSignal.of(trace, NO_GAP);
            long a = between(rnd, all.startNanos(), all.endNanos());
            long c = between(rnd, a, all.endNanos());
            long b = between(rnd, a, c);
            double whole = all.energyJoules(a, c);
            assertEquals(whole, all.energyJoules(a, b) + all.energyJoules(b, c), 1e-10 * Math.max(1, whole));
            double sum = 0;
            for (SignalSource s : all.sources()) {
                sum += PowerSignal.of(trace, NO_GAP, ch -> ch.device().equals(s.device())).energyJoules(a, c);
            }
            assertEquals(sum, whole, 1e-10 * Math.max(1, whole));
        }
    }

    @Test
    void neverExtrapolates() {
        long[] t = times(10 * MS, 5);
        PowerTrace trace = new PowerTrace(List.of(power("p", "d")), t, new double[][] {{1, 2, 3, 4, 5}});
        PowerSignal signal = PowerSignal.of(trace, NO_GAP);
        IllegalArgumentException before = assertThrows(IllegalArgumentException.class,
                () -> signal.energyJoules(T0 - 1, T0 + 5 * MS));
        assertTrue(before.getMessage().contains("never extrapolated"), before.getMessage());
        assertThrows(IllegalArgumentException.class, () -> signal.energyJoules(T0, T0 + 40 * MS + 1));
        assertThrows(IllegalArgumentException.class, () -> signal.energyJoules(T0 + 5, T0 + 4));
        assertEquals(0.0, signal.energyJoules(T0 + 7, T0 + 7));
    }

    @Test
    void domainIsWhereEveryDeviceHasSamples() {
        long[] t = times(10 * MS, 6);
        PowerTrace trace = new PowerTrace(List.of(power("a", "A"), power("b", "B")), t,
                new double[][] {{1, 1, 1, 1, 1, 1}, {NAN, 2, 2, 2, 2, NAN}});
        PowerSignal signal = PowerSignal.of(trace, NO_GAP);
        assertEquals(T0 + 10 * MS, signal.startNanos());
        assertEquals(T0 + 40 * MS, signal.endNanos());
        assertEquals(3 * 0.030, signal.energyJoules(signal.startNanos(), signal.endNanos()), 1e-12);
    }

    @Test
    void gapsLongerThanTheBoundAreRecordedAndBridgedLinearly() {
        long[] t = times(10 * MS, 30);
        double[] p = Fixtures.repeat(100, 30);
        for (int i = 5; i < 25; i++) {
            p[i] = NAN; // 200 ms without a sample
        }
        PowerTrace trace = new PowerTrace(List.of(power("gpu0.power", "gpu0")), t, new double[][] {p});
        PowerSignal signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(Duration.ofMillis(10),
                Duration.ofMillis(10)));
        assertEquals(1, signal.gaps().size());
        SampleGap gap = signal.gaps().get(0);
        assertEquals(T0 + 40 * MS, gap.fromNanos());
        assertEquals(T0 + 250 * MS, gap.toNanos());
        assertEquals("gpu0.power", gap.channel());
        assertEquals(1, signal.gapsIn(T0 + 100 * MS, T0 + 110 * MS).size());
        assertTrue(signal.gapsIn(T0, T0 + 30 * MS).isEmpty());
        assertEquals(100 * 0.29, signal.energyJoules(T0, T0 + 290 * MS), 1e-12);
        // 50 ms is the documented bound here: max(5 x 10 ms, 2 x 10 ms)
        assertEquals(50 * MS, signal.maxGapNanos());
    }

    @Test
    void aFusedIntervalWithoutPowerIsSpreadUniformlyAndFlaggedWhenLong() {
        long[] t = times(100 * MS, 5);
        double[] c = {0, NAN, 10, NAN, 30};
        double[] p = {NAN, NAN, 100, 300, 100};
        PowerTrace trace = new PowerTrace(List.of(counter("g.counter", "g"), power("g.power", "g")), t,
                new double[][] {c, p});
        PowerSignal signal = PowerSignal.of(trace, 150 * MS);
        assertEquals(5.0, signal.energyJoules(T0, T0 + 100 * MS), 1e-12); // uniform 10 J over 200 ms
        assertEquals(30.0, signal.energyJoules(T0, T0 + 400 * MS), 1e-12);
        // second interval: power 100 -> 300 -> 100, integral 40 J-shape scaled to 20 J, half before the peak
        assertEquals(10.0, signal.energyJoules(T0 + 200 * MS, T0 + 300 * MS), 1e-12);
        assertEquals(1, signal.gaps().size());
        assertFalse(signal.estimated());
        assertEquals("counter", signal.methodLabel());
    }

    @Test
    void anEstimatedSourceMakesTheSignalEstimated() {
        long[] t = times(10 * MS, 3);
        PowerChannel est = new PowerChannel("cpu-estimate", "process-1", Scope.CPU, Method.ESTIMATED,
                PowerChannel.Kind.ENERGY_JOULES);
        PowerSignal signal = PowerSignal.of(new PowerTrace(List.of(est), t, new double[][] {{0, 1, 2}}), NO_GAP);
        assertTrue(signal.estimated());
        assertEquals("estimated", signal.methodLabel());
        assertEquals(100.0, signal.averageWatts(T0, T0 + 20 * MS), 1e-9);
    }

    @Test
    void aDeviceWithoutValidSamplesIsAnError() {
        long[] t = times(10 * MS, 3);
        PowerTrace trace = new PowerTrace(List.of(power("p", "d")), t, new double[][] {{NAN, NAN, NAN}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PowerSignal.of(trace, NO_GAP));
        assertTrue(e.getMessage().contains("'p'"), e.getMessage());
    }
}
