package org.tokenpowerbench.energy;

import java.util.Locale;

/**
 * The power drawn with the engine loaded and nothing in flight, measured once per trial over an
 * idle window ({@code tpb.idleSeconds}, opened by the inference session after the engine is up).
 *
 * <p><b>Dynamic energy</b> of a window = total − {@code watts} × its seconds: what serving added
 * on top of keeping the engine loaded. It is reported beside the total, never instead of it, and
 * only where a baseline was measured: without one there is no dynamic figure (never a 0).
 *
 * <p><b>Uncertainty.</b> A 2 s baseline read off counter values at their read instants was off by
 * up to ±2.7 % on an H200 (issue 14), enough to move {@code dynamic.energy} by 5 %, so the
 * baseline carries its standard uncertainty, three parts combined in quadrature:
 * <ul>
 *   <li>{@code counterWatts}: where each edge's counter value sits in time. An edge misplaced by
 *       σ<sub>t</sub> moves {@code watts × σ_t} joules across it; two independent edges over a window
 *       of T give {@code √2 · watts · σ_t / T}. σ<sub>t</sub> is the counter timing's own
 *       ({@link CounterUpdates#uncertaintyNanos()}: the learned model's residual, or period/√12 for
 *       read instants, the staleness of a read spread over one counter step).</li>
 *   <li>{@code samplingWatts}: the sampling term of the window's {@link EnergyBudget}, over its
 *       length. Where a counter carries the energy, this is the share of it that rests on the power
 *       shape: a window edge between two counter reads far apart (a {@code boundaries} schedule
 *       reads the counter at a wave's edges only) splits that interval by the shape, which strays
 *       from the counter as the budget's {@link EnergyBudget#SHAPE_SHARE_5S} says. The power
 *       profilers read the counter at both edges of the idle window to keep this small
 *       ({@code PowerSampler.sampleEdge}); where no read could be taken there, it is what says so.
 *       Without a counter, the interpolation between power samples.</li>
 *   <li>{@code spreadWatts}: the standard error of the mean of the power over the window, taken
 *       once per counter update period (readings closer than that repeat one value): the sample
 *       standard deviation over √n. Idle power that wanders makes a short window's mean less sure.</li>
 * </ul>
 *
 * @param watts        mean power over the idle window
 * @param fromNanos    start of the idle window
 * @param toNanos      end of the idle window
 * @param method       how the signal's energy was obtained ({@link PowerSignal#methodLabel()})
 * @param gaps         sample gaps of the signal inside the idle window
 * @param counterWatts the counter timing's share of the uncertainty (1 σ), 0 without a counter
 * @param spreadWatts  the power's standard error over the window (1 σ), 0 where fewer than two periods fit
 * @param samplingWatts the share resting on the power shape, or the interpolation between samples (1 σ)
 */
public record IdleBaseline(double watts, long fromNanos, long toNanos, String method, int gaps, double counterWatts,
                           double spreadWatts, double samplingWatts) {

    /**
     * Measures the mean power of {@code signal} over {@code [fromNanos, toNanos]}.
     *
     * @throws IllegalArgumentException if the window is empty or not inside the signal
     */
    public static IdleBaseline measure(PowerSignal signal, long fromNanos, long toNanos) {
        double watts = signal.averageWatts(fromNanos, toNanos);
        double timing = 0;
        for (SignalSource s : signal.sources()) {
            if (s.counterChannel() != null) {
                timing = Math.max(timing, s.counterTimingUncertaintyNanos());
            }
        }
        double span = toNanos - fromNanos;
        double counter = Math.sqrt(2) * Math.abs(watts) * timing / span;
        long period = signal.counterTiming().nominalPeriodNanos();
        int n = (int) Math.min(100_000, (toNanos - fromNanos) / period);
        double spread = 0;
        if (n >= 2) {
            double mean = 0;
            double m2 = 0;
            for (int k = 0; k < n; k++) { // Welford: the mean and squared deviations in one pass
                double x = signal.wattsAt(fromNanos + period / 2 + k * period);
                double d = x - mean;
                mean += d / (k + 1);
                m2 += d * (x - mean);
            }
            spread = Math.sqrt(m2 / (n - 1) / n);
        }
        double sampling = EnergyBudget.of(signal, fromNanos, toNanos, watts * span / 1e9,
                new SensorAccuracy(Double.NaN, "not part of a baseline's uncertainty")).samplingJ() / (span / 1e9);
        return new IdleBaseline(watts, fromNanos, toNanos, signal.methodLabel(), signal.gapsIn(fromNanos, toNanos).size(),
                counter, spread, sampling);
    }

    /** The baseline's standard uncertainty in watts: the counter, spread and sampling parts in quadrature. */
    public double uncertaintyWatts() {
        return Math.sqrt(counterWatts * counterWatts + spreadWatts * spreadWatts + samplingWatts * samplingWatts);
    }

    /** Length of the idle window in seconds. */
    public double seconds() {
        return (toNanos - fromNanos) / 1e9;
    }

    /** {@code totalJ - watts × seconds}. */
    public double dynamicJoules(double totalJ, double seconds) {
        return totalJ - watts * seconds;
    }

    /** E.g. {@code 3.210 ± 0.012 W over 2.00 s (estimated)}. */
    public String describe() {
        return String.format(Locale.ROOT, "%.3f ± %.3f W over %.2f s (%s)", watts, uncertaintyWatts(), seconds(), method);
    }
}
