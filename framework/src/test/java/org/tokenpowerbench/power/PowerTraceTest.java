package org.tokenpowerbench.power;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.util.List;

import org.junit.jupiter.api.Test;

class PowerTraceTest {

    private static final double NAN = Double.NaN;
    /** An arbitrary nanoTime origin, far from zero like a real one. */
    private static final long T0 = 987_654_321_000L;
    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private static PowerChannel watts(String name) {
        return new PowerChannel(name, "dev", Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS);
    }

    private static PowerChannel joules(String name) {
        return new PowerChannel(name, "dev", Scope.CPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES);
    }

    private static long[] times(long step, int n) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
            t[i] = T0 + i * step;
        }
        return t;
    }

    @Test
    void constantPowerIntegratesExactlyOverWindowsBetweenSamples() {
        long[] t = times(10 * MS, 11);
        double[] p = new double[11];
        java.util.Arrays.fill(p, 100.0);
        PowerTrace trace = new PowerTrace(List.of(watts("gpu0")), t, new double[][] {p});

        assertEquals(100.0 * 0.044, trace.energyJoules(0, T0 + 3 * MS, T0 + 47 * MS), 1e-12);
        assertEquals(100.0 * 0.1, trace.energyJoules(0, T0, T0 + 100 * MS), 1e-12);
        assertEquals(100.0 * 0.0005, trace.energyJoules(0, T0 + 41 * MS, T0 + 41 * MS + 500_000), 1e-12);
        assertEquals(0.0, trace.energyJoules(0, T0 + 5 * MS, T0 + 5 * MS));
        assertEquals(100.0, trace.averageWatts(0, T0 + 3 * MS, T0 + 47 * MS), 1e-9);
        assertEquals(100.0, trace.peakWatts(0, T0 + 3 * MS, T0 + 47 * MS), 1e-12);
    }

    @Test
    void linearRampIsExactForPartialIntervalsAtBothEnds() {
        // p(s) = 10 + 1000 s watts, sampled every 10 ms for 100 ms
        long[] t = times(10 * MS, 11);
        double[] p = new double[11];
        for (int i = 0; i < p.length; i++) {
            p[i] = 10 + 1000 * (i * 0.010);
        }
        PowerTrace trace = new PowerTrace(List.of(watts("ramp")), t, new double[][] {p});
        double a = 0.0035;
        double b = 0.0871;
        double expected = 10 * (b - a) + 500 * (b * b - a * a);
        long from = T0 + 3_500_000;
        long to = T0 + 87_100_000;
        assertEquals(expected, trace.energyJoules(0, from, to), 1e-12);
        assertEquals(expected / (b - a), trace.averageWatts(0, from, to), 1e-9);
        assertEquals(10 + 1000 * b, trace.peakWatts(0, from, to), 1e-9);
        // a window inside a single interval
        long inFrom = T0 + 21 * MS;
        long inTo = T0 + 27 * MS;
        assertEquals(10 * 0.006 + 500 * (0.027 * 0.027 - 0.021 * 0.021), trace.energyJoules(0, inFrom, inTo), 1e-12);
    }

    @Test
    void powerIsPiecewiseLinearBetweenUnevenSamples() {
        long[] t = {T0, T0 + S, T0 + 3 * S};
        PowerTrace trace = new PowerTrace(List.of(watts("p")), t, new double[][] {{0, 100, 0}});
        // p(0.5) = 50, p(1) = 100, p(2) = 50
        assertEquals(0.5 * (50 + 100) / 2 + 1.0 * (100 + 50) / 2, trace.energyJoules(0, T0 + S / 2, T0 + 2 * S), 1e-12);
        assertEquals(100.0, trace.peakWatts(0, T0 + S / 2, T0 + 2 * S), 1e-12);
        assertEquals(50.0, trace.peakWatts(0, T0 + 2 * S, T0 + 3 * S), 1e-12);
        assertEquals(2 * S, trace.maxGapNanos(0, T0 + S / 2, T0 + 2 * S));
        assertEquals(S, trace.maxGapNanos(0, T0, T0 + S));
    }

    @Test
    void powerSamplesThatWereNotReadAreSkipped() {
        long[] t = times(S, 3);
        PowerTrace trace = new PowerTrace(List.of(watts("p")), t, new double[][] {{10, NAN, 30}});
        // straight line from 10 W to 30 W over 2 s
        assertEquals(40.0, trace.energyJoules(0, T0, T0 + 2 * S), 1e-12);
    }

    @Test
    void counterIsInterpolatedAtBothEndsAndSkipsUnreadSamples() {
        long[] t = times(S, 5);
        double[] c = {0, 10, NAN, 50, 60};
        PowerTrace trace = new PowerTrace(List.of(joules("package-0")), t, new double[][] {c});
        long from = T0 + S / 2;       // counter 5
        long to = T0 + 5 * S / 2;     // between t=1 (10) and t=3 (50): 10 + 40 * 0.75 = 40
        assertEquals(35.0, trace.energyJoules(0, from, to), 1e-12);
        assertEquals(35.0 / 2, trace.averageWatts(0, from, to), 1e-12);
        assertEquals(20.0, trace.peakWatts(0, from, to), 1e-12);
        assertEquals(10.0, trace.peakWatts(0, T0 + 3 * S, T0 + 4 * S), 1e-12);
        assertEquals(2 * S, trace.maxGapNanos(0, from, to));
        assertEquals(S, trace.maxGapNanos(0, T0 + 3 * S, T0 + 4 * S));
        assertEquals(2, trace.samplesIn(from, to));
        assertEquals(1, trace.samplesIn(0, from, to));
        assertEquals(5, trace.samplesIn(T0, T0 + 4 * S));
        assertEquals(0, trace.samplesIn(T0 + 4 * S + 1, T0 + 9 * S));
        assertEquals(60.0, trace.energyJoules(0, T0, T0 + 4 * S), 1e-12);
    }

    @Test
    void counterReadOnlyOnBoundariesStillGivesTheTotal() {
        long[] t = times(10 * MS, 6);
        double[] counter = {100, NAN, NAN, NAN, NAN, 105};
        double[] power = {100, 100, 100, 100, 100, 100};
        PowerTrace trace = new PowerTrace(List.of(joules("gpu0.counter"), watts("gpu0.power")), t,
                new double[][] {counter, power});
        assertEquals(5.0, trace.energyJoules(0, T0, T0 + 50 * MS), 1e-12);
        assertEquals(2.0, trace.energyJoules(0, T0 + 10 * MS, T0 + 30 * MS), 1e-12);
        assertEquals(100.0, trace.peakWatts(0, T0 + 10 * MS, T0 + 30 * MS), 1e-9);
        assertEquals(50 * MS, trace.maxGapNanos(0, T0 + 10 * MS, T0 + 30 * MS));
        assertEquals(10 * MS, trace.maxGapNanos(1, T0 + 10 * MS, T0 + 30 * MS));
        assertEquals(5.0, trace.energyJoules(1, T0, T0 + 50 * MS), 1e-12);
        assertEquals(1, trace.channelIndex("gpu0.power"));
    }

    @Test
    void windowOutsideTheTraceIsRejectedWithWindowAndSpan() {
        long[] t = times(10 * MS, 3);
        PowerTrace trace = new PowerTrace(List.of(watts("gpu0")), t, new double[][] {{1, 1, 1}});
        IllegalArgumentException before = assertThrows(IllegalArgumentException.class,
                () -> trace.energyJoules(0, T0 - 2 * MS, T0 + 5 * MS));
        assertTrue(before.getMessage().contains("[" + (T0 - 2 * MS) + ", " + (T0 + 5 * MS) + "]"), before.getMessage());
        assertTrue(before.getMessage().contains("[" + T0 + ", " + (T0 + 20 * MS) + "]"), before.getMessage());
        assertTrue(before.getMessage().contains("gpu0"), before.getMessage());
        assertTrue(before.getMessage().contains("2.000 ms before"), before.getMessage());

        IllegalArgumentException after = assertThrows(IllegalArgumentException.class,
                () -> trace.averageWatts(0, T0 + 5 * MS, T0 + 20 * MS + 1));
        assertTrue(after.getMessage().contains("after the last"), after.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trace.peakWatts(0, T0 - 1, T0 + 1));
        assertThrows(IllegalArgumentException.class, () -> trace.maxGapNanos(0, T0, T0 + 21 * MS));
        IllegalArgumentException reversed = assertThrows(IllegalArgumentException.class,
                () -> trace.energyJoules(0, T0 + 10 * MS, T0 + 5 * MS));
        assertTrue(reversed.getMessage().contains("ends before it starts"), reversed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> trace.averageWatts(0, T0 + 5 * MS, T0 + 5 * MS));
    }

    @Test
    void counterCoverageIsJudgedOnItsValidSamples() {
        long[] t = times(S, 3);
        PowerTrace trace = new PowerTrace(List.of(joules("c")), t, new double[][] {{NAN, 1, 2}});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trace.energyJoules(0, T0, T0 + 2 * S));
        assertTrue(e.getMessage().contains("[" + (T0 + S) + ", " + (T0 + 2 * S) + "]"), e.getMessage());
        PowerTrace unread = new PowerTrace(List.of(joules("c")), t, new double[][] {{NAN, NAN, NAN}});
        assertThrows(IllegalArgumentException.class, () -> unread.energyJoules(0, T0, T0 + S));
    }

    @Test
    void constructorCopiesAndValidates() {
        long[] t = times(S, 2);
        double[][] v = {{1, 2}};
        PowerTrace trace = new PowerTrace(List.of(joules("c")), t, v);
        t[1] = T0 + 5 * S;
        v[0][1] = 99;
        assertEquals(1.0, trace.energyJoules(0, T0, T0 + S), 1e-12);
        assertArrayEquals(new double[] {1, 2}, trace.values(0));

        assertThrows(IllegalArgumentException.class,
                () -> new PowerTrace(List.of(joules("c")), new long[] {T0 + 1, T0}, new double[][] {{1, 2}}));
        assertThrows(IllegalArgumentException.class,
                () -> new PowerTrace(List.of(joules("c")), new long[] {T0, T0 + 1}, new double[][] {{1}}));
        assertThrows(IllegalArgumentException.class,
                () -> new PowerTrace(List.of(joules("c"), watts("w")), new long[] {T0}, new double[][] {{1}}));
        assertThrows(IllegalArgumentException.class, () -> trace.channelIndex("nope"));
    }

    @Test
    void csvHasHeaderAndEmptyCellsForUnreadValues() throws IOException {
        long[] t = {T0, T0 + 10};
        PowerTrace trace = new PowerTrace(List.of(joules("package-0"), watts("gpu0.power")), t,
                new double[][] {{1.5, NAN}, {250.0, 251.25}});
        StringWriter out = new StringWriter();
        trace.writeCsv(out);
        assertEquals("t_ns,package-0,gpu0.power\n" + T0 + ",1.5,250.0\n" + (T0 + 10) + ",,251.25\n", out.toString());
    }
}
