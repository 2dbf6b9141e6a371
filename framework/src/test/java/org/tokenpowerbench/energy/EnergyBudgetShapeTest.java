package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;

/**
 * Where a counter is read only on a trace's boundaries, the energy a window inside takes from the
 * one long counter interval is split by the power shape, and {@link EnergyBudget} says how sure
 * that split is; where the counter is read every 100 ms, an edge still splits one update by the
 * shape, and that smaller part counts too.
 */
class EnergyBudgetShapeTest {

    private static final long MS = 1_000_000L;
    /** The shape's stray over 5 s: the tests follow the measured figure, which a later measurement may move. */
    private static final double SHARE = EnergyBudget.SHAPE_SHARE_5S;
    private static final List<PowerChannel> CHANNELS = List.of(
            new PowerChannel("gpu0.counter", "GPU-0", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
            new PowerChannel("gpu0.power", "GPU-0", Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS));

    /** 200 W for 10 s, power every 20 ms, the counter every {@code counterEvery} ms. */
    private static PowerSignal steady(long counterEvery) {
        int n = 501;
        long[] t = new long[n];
        double[][] rows = new double[2][n];
        for (int i = 0; i < n; i++) {
            t[i] = i * 20 * MS;
            rows[1][i] = 200;
            rows[0][i] = (i * 20) % counterEvery == 0 ? 200 * t[i] / 1e9 : Double.NaN;
        }
        return PowerSignal.of(new PowerTrace(CHANNELS, t, rows), 200 * MS, CounterTiming.READS);
    }

    @Test
    void edgesInsideOneLongCounterIntervalRestOnTheShape() {
        PowerSignal signal = steady(10_000);
        EnergyBudget b = EnergyBudget.of(signal, 2_000 * MS, 7_000 * MS, 1000, SensorAccuracy.of("nvml", ""));
        // the smaller side of each edge: 400 J over 2 s, then 600 J over 3 s
        double expected = Math.hypot(400 * SHARE * Math.sqrt(5 / 2.0), 600 * SHARE * Math.sqrt(5 / 3.0));
        assertEquals(expected, b.samplingJ(), 1e-6);
        assertEquals(Arrays.toString(new long[] {0, 10_000 * MS}),
                Arrays.toString(signal.shapedCounterIntervalAround(2_000 * MS)));
    }

    @Test
    void anEdgeInsideOneHundredMillisecondUpdateStillRestsOnTheShapeForItsSmallerPart() {
        PowerSignal signal = steady(100);
        EnergyBudget b = EnergyBudget.of(signal, 2_010 * MS, 7_030 * MS, 1004, SensorAccuracy.of("nvml", ""));
        // 2,010 ms splits [2,000, 2,100] into 2 J | 18 J; 7,030 ms splits [7,000, 7,100] into 6 J | 14 J;
        // both parts are shorter than 0.1 s, so each is taken as 0.1 s: about 7 % of the smaller part
        double expected = Math.hypot(2 * SHARE * Math.sqrt(50), 6 * SHARE * Math.sqrt(50));
        assertEquals(expected, b.samplingJ(), 1e-6);
        assertEquals(Arrays.toString(new long[] {7_000 * MS, 7_100 * MS}),
                Arrays.toString(signal.shapedCounterIntervalAround(7_030 * MS)));
    }

    @Test
    void anEdgeOnACounterValueSplitsNothing() {
        PowerSignal signal = steady(100);
        EnergyBudget b = EnergyBudget.of(signal, 2_000 * MS, 7_000 * MS, 1000, SensorAccuracy.of("nvml", ""));
        assertEquals(0.0, b.samplingJ(), 1e-9);
    }

    @Test
    void aBoundaryReadTraceCountsTheStretchesBetweenItsUpdateMomentsAndTheWindowEdges() {
        // 200 W from 0 to 10 s, power every 20 ms; the counter updates every 100 ms on a known grid and is
        // read on the two boundaries only: at 2,035 ms (showing the 2,000 ms update) and 7,065 ms (7,000 ms)
        int n = 501;
        long[] t = new long[n + 2];
        double[][] rows = new double[2][n + 2];
        for (int i = 0; i < n; i++) {
            t[i] = i * 20 * MS;
            rows[0][i] = Double.NaN;
            rows[1][i] = 200;
        }
        t[n] = 2_035 * MS;
        rows[0][n] = 200 * 2.0;
        rows[1][n] = Double.NaN;
        t[n + 1] = 7_065 * MS;
        rows[0][n + 1] = 200 * 7.0;
        rows[1][n + 1] = Double.NaN;
        long[][] order = new long[n + 2][];
        for (int i = 0; i < n + 2; i++) {
            order[i] = new long[] {t[i], i};
        }
        Arrays.sort(order, (x, y) -> Long.compare(x[0], y[0]));
        long[] st = new long[n + 2];
        double[][] sr = new double[2][n + 2];
        for (int i = 0; i < n + 2; i++) {
            st[i] = order[i][0];
            sr[0][i] = rows[0][(int) order[i][1]];
            sr[1][i] = rows[1][(int) order[i][1]];
        }
        CounterTiming timing = new CounterTiming(true, 100 * MS)
                .withGrids(java.util.Map.of("gpu0.counter", new CounterGrid(0, 100 * MS, MS, "a test grid")));
        PowerSignal signal = PowerSignal.of(new PowerTrace(CHANNELS, st, sr), 200 * MS, timing);
        assertEquals(2_035 * MS, signal.startNanos());
        double joules = signal.energyJoules(2_040 * MS, 7_060 * MS);
        assertEquals(200 * 5.020, joules, 1e-6);
        EnergyBudget b = EnergyBudget.of(signal, 2_040 * MS, 7_060 * MS, joules, SensorAccuracy.of("nvml", ""));
        // the start edge splits [2,000, 7,000] at 2,040: 8 J before it (35 ms of it before the first read);
        // the end edge lies 60 ms past the last update, carried there by the shape: 12 J. Both under 0.1 s.
        double expected = Math.hypot(8 * SHARE * Math.sqrt(50), 12 * SHARE * Math.sqrt(50));
        assertEquals(expected, b.samplingJ(), 1e-6);
        assertEquals(Arrays.toString(new long[] {2_000 * MS, 7_000 * MS}),
                Arrays.toString(signal.shapedCounterIntervalAround(2_040 * MS)));
        assertEquals(Arrays.toString(new long[] {7_000 * MS, 7_060 * MS}),
                Arrays.toString(signal.shapedCounterIntervalAround(7_060 * MS)));
    }
}
