package org.tokenpowerbench.energy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tokenpowerbench.energy.Fixtures.MS;
import static org.tokenpowerbench.energy.Fixtures.S;
import static org.tokenpowerbench.energy.Fixtures.T0;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.workload.WaveRecord;

/** The figures of one wave, computed without JMH, against totals known by construction. */
class IterationEnergyTest {

    /** Two GPUs at 300 W and 100 W (counters) and a CPU package at 50 W (counter), sampled every 10 ms for 4 s. */
    private static PowerTrace twoGpusAndACpu(Method cpuMethod) {
        List<PowerChannel> channels = List.of(
                new PowerChannel("gpu0", "GPU-A", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                new PowerChannel("gpu1", "GPU-B", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                new PowerChannel("pkg", "package-0", Scope.CPU, cpuMethod, PowerChannel.Kind.ENERGY_JOULES));
        long[] t = Fixtures.times(10 * MS, 401);
        double[][] v = new double[3][t.length];
        double[] watts = {300, 100, 50};
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < t.length; i++) {
                v[c][i] = watts[c] * (t[i] - T0) / 1e9;
            }
        }
        return new PowerTrace(channels, t, v);
    }

    private static WaveRecord wave(long from, long to) {
        long mid = (from + to) / 2;
        return new WaveRecord(from, to, 2, List.of(
                Fixtures.request(0, from, from + 100 * MS, mid, 100, 50),
                Fixtures.request(1, from + 50 * MS, from + 200 * MS, to, 300, 150)));
    }

    private static IterationEnergy measure(PowerTrace trace, WaveRecord wave, IdleBaseline baseline, long good) {
        PowerSignal signal = PowerSignal.of(trace, 50 * MS);
        return IterationEnergy.measure("nvml", trace, signal, 100 * MS, wave, AttributionPolicy.TOKEN_WEIGHTED, baseline,
                good);
    }

    @Test
    void totalsPerScopeAndPerDeviceOverTheWavesWindow() {
        IterationEnergy e = measure(twoGpusAndACpu(Method.COUNTER), wave(T0 + S, T0 + 3 * S), null, -1);
        assertEquals(2.0, e.seconds(), 1e-12);
        assertEquals(450 * 2.0, e.totalJ(), 1e-6, "300 + 100 + 50 W for 2 s");
        assertEquals(400 * 2.0, e.byScope().get(Scope.GPU), 1e-6);
        assertEquals(50 * 2.0, e.byScope().get(Scope.CPU), 1e-6);
        assertEquals(List.of("GPU-A", "GPU-B", "package-0"), List.copyOf(e.byDevice().keySet()), "the sensor's order");
        assertEquals(600, e.byDevice().get("GPU-A"), 1e-6);
        assertEquals(e.totalJ(), e.byDevice().values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertEquals(450, e.averageWatts(), 1e-6);
        assertEquals(e.totalJ() / 200, e.joulesPerOutputToken(), 1e-12);
        assertEquals(e.totalJ() / 600, e.joulesPerToken(), 1e-12);
        assertEquals("nvml", e.label());
        assertFalse(e.estimated());
        assertTrue(Double.isNaN(e.dynamicJ()), "no baseline: no dynamic energy");
        assertTrue(Double.isNaN(e.joulesPerGoodOutputToken()), "no SLO: no good tokens");
        assertFalse(e.shorterThanUpdate());
    }

    @Test
    void everyPolicyConservesTheTotal() {
        IterationEnergy e = measure(twoGpusAndACpu(Method.COUNTER), wave(T0 + S, T0 + 3 * S), null, -1);
        assertEquals(AttributionPolicy.values().length, e.policies().size());
        for (WaveEnergy w : e.policies().values()) {
            assertEquals(e.totalJ(), w.attributedJ(), 1e-9 * e.totalJ(), w.policy().label());
        }
        assertEquals(AttributionPolicy.TOKEN_WEIGHTED, e.chosen().policy());
    }

    @Test
    void baselineGoodTokensAndEstimatesAreCarried() {
        PowerTrace trace = twoGpusAndACpu(Method.ESTIMATED);
        IdleBaseline baseline = IdleBaseline.measure(PowerSignal.of(trace, 50 * MS), T0, T0 + S);
        IterationEnergy e = measure(trace, wave(T0 + S, T0 + 3 * S), baseline, 100);
        assertEquals("nvml.estimated", e.label(), "any modelled energy labels every figure");
        assertEquals(450, baseline.watts(), 1e-6);
        assertEquals(0, e.dynamicJ(), 1e-6, "a constant draw has no dynamic part");
        assertEquals(e.totalJ() / 100, e.joulesPerGoodOutputToken(), 1e-12);
    }

    @Test
    void aWindowShorterThanTheSensorsUpdateIsFlagged() {
        IterationEnergy e = measure(twoGpusAndACpu(Method.COUNTER), wave(T0 + S, T0 + S + 60 * MS), null, -1);
        assertTrue(e.shorterThanUpdate(), "60 ms against a 100 ms update period");
    }

    @Test
    void aSingleRoundHasNoComparableSteadyJoulesPerToken() {
        // 4 requests, batch 4, all sent at once: the pipeline fills after every prefill is over
        long t = T0 + S;
        List<org.tokenpowerbench.client.RequestTimeline> round = List.of(
                Fixtures.request(0, t, t + 100 * MS, t + 1500 * MS, 100, 50),
                Fixtures.request(1, t, t + 110 * MS, t + 1600 * MS, 100, 50),
                Fixtures.request(2, t, t + 120 * MS, t + 1700 * MS, 100, 50),
                Fixtures.request(3, t, t + 130 * MS, t + 1800 * MS, 100, 50));
        IterationEnergy e = measure(twoGpusAndACpu(Method.COUNTER), new WaveRecord(t, t + 1800 * MS, 4, round), null, -1);
        assertTrue(e.steady() != null && e.steady().promptTokens() == 0, "a window with decode only");
        assertTrue(Double.isNaN(e.steadyJoulesPerToken()), "not reported: it would read decode alone");
        assertTrue(e.steadyNote().contains("holds no prompt tokens"), e.steadyNote());
    }

    @Test
    void aTraceThatMissesTheWaveIsABugNotAFigure() {
        PowerTrace trace = twoGpusAndACpu(Method.COUNTER);
        assertThrows(IllegalStateException.class,
                () -> measure(trace, wave(T0 + 10 * S, T0 + 11 * S), null, -1));
    }
}
