package org.tokenpowerbench.energy;

import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.Scope;

/**
 * How one device contributes to a {@link PowerSignal}.
 *
 * <ul>
 *   <li>{@code counter} only: power between consecutive counter readings is
 *       Δjoules / Δt (piecewise constant);</li>
 *   <li>{@code power} only: power is piecewise linear between valid samples (trapezoids);</li>
 *   <li>both: the counter fixes each interval's energy and the power channel gives the shape
 *       inside it ({@code counter+power-shape}).</li>
 * </ul>
 *
 * @param device         the device, e.g. a GPU UUID or {@code intel-rapl:0}
 * @param scope          where it measures
 * @param method         how its energy is obtained: the counter's method where there is a
 *                       counter, else the power channel's ({@link Method#ESTIMATED} for a model)
 * @param counterChannel name of the counter channel, or null
 * @param powerChannel   name of the power channel, or null
 * @param counterTiming  which instants the counter's values were given ({@link CounterUpdates#describe()}), or
 *                       null without a counter
 * @param counterTimingUncertaintyNanos standard uncertainty of those instants ({@link CounterUpdates#uncertaintyNanos()}),
 *                       0 without a counter
 */
public record SignalSource(String device, Scope scope, Method method, String counterChannel, String powerChannel,
                           String counterTiming, double counterTimingUncertaintyNanos) {

    /** A source whose counter timing is not recorded (tests, sources without a counter). */
    public SignalSource(String device, Scope scope, Method method, String counterChannel, String powerChannel) {
        this(device, scope, method, counterChannel, powerChannel, null, 0.0);
    }

    /** {@code counter}, {@code power} or {@code counter+power-shape}. */
    public String model() {
        if (counterChannel != null && powerChannel != null) {
            return "counter+power-shape";
        }
        return counterChannel != null ? "counter" : "power";
    }

    /** The channel whose sample spacing decides the time resolution (and the gaps). */
    public String shapeChannel() {
        return powerChannel != null ? powerChannel : counterChannel;
    }
}
