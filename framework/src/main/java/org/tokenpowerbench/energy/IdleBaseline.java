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
 * @param watts     mean power over the idle window
 * @param fromNanos start of the idle window
 * @param toNanos   end of the idle window
 * @param method    how the signal's energy was obtained ({@link PowerSignal#methodLabel()})
 * @param gaps      sample gaps of the signal inside the idle window
 */
public record IdleBaseline(double watts, long fromNanos, long toNanos, String method, int gaps) {

    /**
     * Measures the mean power of {@code signal} over {@code [fromNanos, toNanos]}.
     *
     * @throws IllegalArgumentException if the window is empty or not inside the signal
     */
    public static IdleBaseline measure(PowerSignal signal, long fromNanos, long toNanos) {
        double watts = signal.averageWatts(fromNanos, toNanos);
        return new IdleBaseline(watts, fromNanos, toNanos, signal.methodLabel(), signal.gapsIn(fromNanos, toNanos).size());
    }

    /** Length of the idle window in seconds. */
    public double seconds() {
        return (toNanos - fromNanos) / 1e9;
    }

    /** {@code totalJ - watts × seconds}. */
    public double dynamicJoules(double totalJ, double seconds) {
        return totalJ - watts * seconds;
    }

    /** E.g. {@code 3.21 W over 2.00 s (estimated)}. */
    public String describe() {
        return String.format(Locale.ROOT, "%.3f W over %.2f s (%s)", watts, seconds(), method);
    }
}
