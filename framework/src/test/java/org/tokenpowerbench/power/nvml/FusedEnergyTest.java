package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FusedEnergyTest {

    static final long MS = 1_000_000L;
    static final double NAN = Double.NaN;

    /** Power samples every {@code stepMs} from 0 to {@code endMs} inclusive, watts from {@code w}. */
    private static long[] times(long endMs, long stepMs) {
        long[] t = new long[(int) (endMs / stepMs) + 1];
        for (int i = 0; i < t.length; i++) {
            t[i] = i * stepMs * MS;
        }
        return t;
    }

    @Test
    void windowsBetweenCounterReadingsGetExactlyTheCounterDelta() {
        long[] ct = {0, 100 * MS, 200 * MS, 300 * MS};
        double[] ce = {1000.0, 1012.5, 1060.0, 1061.0};
        long[] pt = times(300, 10);
        double[] pw = new double[pt.length];
        Random r = new Random(1);
        for (int i = 0; i < pw.length; i++) {
            pw[i] = 50 + 600 * r.nextDouble(); // any shape, any scale: the counter decides totals
        }
        FusedEnergy f = FusedEnergy.of(ct, ce, pt, pw);
        assertEquals(12.5, f.joules(0, 100 * MS), 1e-12);
        assertEquals(47.5, f.joules(100 * MS, 200 * MS), 1e-12);
        assertEquals(1.0, f.joules(200 * MS, 300 * MS), 1e-12);
        assertEquals(61.0, f.joules(0, 300 * MS), 1e-12);
        assertEquals(48.5, f.joules(100 * MS, 300 * MS), 1e-12);
    }

    @Test
    void thePowerTraceDistributesTheCounterDeltaInsideAnInterval() {
        // counter: 30 J in 100 ms; power reads 100 W for the first half, 500 W for the second
        // (a meter that is 2x off in scale must not matter: only the shape is used)
        long[] ct = {0, 100 * MS};
        double[] ce = {0, 30};
        long[] pt = {0, 50 * MS, 50 * MS, 100 * MS};
        double[] pw = {100, 100, 500, 500};
        FusedEnergy f = FusedEnergy.of(ct, ce, pt, pw);
        assertEquals(5.0, f.joules(0, 50 * MS), 1e-9);   // 30 * 5/30
        assertEquals(25.0, f.joules(50 * MS, 100 * MS), 1e-9);
        assertEquals(2.5, f.joules(25 * MS, 50 * MS), 1e-9);
        assertEquals(30.0, f.joules(0, 100 * MS), 1e-12);
    }

    @Test
    void aRampIsIntegratedTrapezoidally() {
        long[] ct = {0, 100 * MS};
        double[] ce = {0, 10};
        long[] pt = {0, 100 * MS};
        double[] pw = {0, 200};
        FusedEnergy f = FusedEnergy.of(ct, ce, pt, pw);
        // power ∝ t, so energy to t ∝ t²: the first half holds a quarter
        assertEquals(2.5, f.joules(0, 50 * MS), 1e-9);
        assertEquals(7.5, f.joules(50 * MS, 100 * MS), 1e-9);
    }

    @Test
    void zeroOrMissingPowerSpreadsTheDeltaUniformly() {
        long[] ct = {0, 100 * MS, 200 * MS};
        double[] ce = {0, 10, 30};
        FusedEnergy zero = FusedEnergy.of(ct, ce, times(200, 50), new double[5]);
        assertEquals(2.5, zero.joules(0, 25 * MS), 1e-12);
        assertEquals(5.0 + 10.0, zero.joules(50 * MS, 150 * MS), 1e-12);
        FusedEnergy none = FusedEnergy.of(ct, ce, new long[0], new double[0]);
        assertEquals(2.5, none.joules(0, 25 * MS), 1e-12);
        FusedEnergy allNaN = FusedEnergy.of(ct, ce, times(200, 50), new double[] {NAN, NAN, NAN, NAN, NAN});
        assertEquals(20.0 * 0.3, allNaN.joules(120 * MS, 150 * MS), 1e-12);
    }

    @Test
    void powerOnlyInOneIntervalLeavesTheOtherUniform() {
        long[] ct = {0, 100 * MS, 200 * MS};
        double[] ce = {0, 10, 20};
        long[] pt = {0, 50 * MS, 100 * MS, 150 * MS, 200 * MS};
        double[] pw = {0, 0, 0, 400, 400};
        FusedEnergy f = FusedEnergy.of(ct, ce, pt, pw);
        assertEquals(5.0, f.joules(0, 50 * MS), 1e-12);
        // second interval: ramp 0->400 over 50 ms (10 J·... share 10/30), then flat (20/30)
        assertEquals(10.0 / 3, f.joules(100 * MS, 150 * MS), 1e-9);
    }

    @Test
    void unreadCounterSamplesAreSkipped() {
        long[] ct = {0, 10 * MS, 20 * MS, 30 * MS, 40 * MS};
        double[] ce = {0, NAN, NAN, NAN, 8};
        long[] pt = {0, 10 * MS, 20 * MS, 30 * MS, 40 * MS};
        double[] pw = {100, 100, 300, 300, 300};
        FusedEnergy f = FusedEnergy.of(ct, ce, pt, pw);
        assertEquals(8.0, f.joules(0, 40 * MS), 1e-12);
        // power integral: 1 + 2 + 3 + 3 = 9 units of 1e-3 J; first 10 ms hold 1 of 9
        assertEquals(8.0 / 9, f.joules(0, 10 * MS), 1e-9);
    }

    @Test
    void energyIsConservedOverAnyPartitionOfRandomTraces() {
        Random r = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            int m = 2 + r.nextInt(30);
            long[] ct = new long[m];
            double[] ce = new double[m];
            for (int i = 1; i < m; i++) {
                ct[i] = ct[i - 1] + (1 + r.nextInt(200)) * MS;
                ce[i] = ce[i - 1] + (r.nextInt(5) == 0 ? 0 : 100 * r.nextDouble());
            }
            int n = r.nextInt(300);
            long[] pt = new long[n];
            double[] pw = new double[n];
            for (int i = 0; i < n; i++) {
                pt[i] = (long) (r.nextDouble() * (ct[m - 1] + 100 * MS)) - 50 * MS;
                pw[i] = r.nextInt(10) == 0 ? NAN : (r.nextInt(4) == 0 ? 0 : 700 * r.nextDouble());
            }
            Arrays.sort(pt);
            FusedEnergy f = FusedEnergy.of(ct, ce, pt, pw);
            long[] cuts = new long[2 + r.nextInt(20)];
            cuts[0] = ct[0];
            cuts[cuts.length - 1] = ct[m - 1];
            for (int i = 1; i < cuts.length - 1; i++) {
                cuts[i] = (long) (r.nextDouble() * ct[m - 1]);
            }
            Arrays.sort(cuts);
            double sum = 0;
            for (int i = 0; i + 1 < cuts.length; i++) {
                double part = f.joules(cuts[i], cuts[i + 1]);
                assertTrue(part >= 0, "never negative, trial " + trial);
                sum += part;
            }
            double total = ce[m - 1] - ce[0];
            assertEquals(total, sum, 1e-9 * Math.max(1, total), "trial " + trial);
            assertEquals(total, f.joules(ct[0], ct[m - 1]), 1e-9 * Math.max(1, total));
        }
    }

    @Test
    void windowsOutsideTheCounterAreRefused() {
        FusedEnergy f = FusedEnergy.of(new long[] {10 * MS, 20 * MS}, new double[] {0, 1},
                new long[] {0, 30 * MS}, new double[] {100, 100});
        assertTrue(f.covers(10 * MS, 20 * MS));
        assertFalse(f.covers(5 * MS, 20 * MS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.joules(5 * MS, 20 * MS));
        assertTrue(e.getMessage().contains("read the counter at both ends"), e.getMessage());
        FusedEnergy one = FusedEnergy.of(new long[] {10 * MS}, new double[] {0}, new long[0], new double[0]);
        assertFalse(one.covers(10 * MS, 10 * MS));
        assertThrows(IllegalArgumentException.class, () -> f.joules(20 * MS, 10 * MS));
    }

    @Test
    void badInputsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> FusedEnergy.of(new long[] {0, 1}, new double[] {5, 4}, new long[0], new double[0]));
        assertThrows(IllegalArgumentException.class,
                () -> FusedEnergy.of(new long[] {2, 1}, new double[] {1, 2}, new long[0], new double[0]));
        assertThrows(IllegalArgumentException.class,
                () -> FusedEnergy.of(new long[] {0}, new double[] {1, 2}, new long[0], new double[0]));
        assertThrows(IllegalArgumentException.class,
                () -> FusedEnergy.of(new long[0], new double[0], new long[] {5, 1}, new double[] {1, 1}));
    }

    @Test
    void trapezoidAloneIntegratesAndHoldsBeyondTheSamples() {
        long[] pt = {1000 * MS, 2000 * MS, 3000 * MS};
        double[] pw = {100, 300, 300};
        assertEquals(200 + 300, FusedEnergy.trapezoidJoules(pt, pw, 1000 * MS, 3000 * MS), 1e-9);
        assertEquals(50 + 75, FusedEnergy.trapezoidJoules(pt, pw, 500 * MS, 1500 * MS), 1e-9);
        assertEquals(300, FusedEnergy.trapezoidJoules(pt, pw, 3000 * MS, 4000 * MS), 1e-9);
        assertTrue(Double.isNaN(FusedEnergy.trapezoidJoules(new long[0], new double[0], 0, 1)));
    }
}
