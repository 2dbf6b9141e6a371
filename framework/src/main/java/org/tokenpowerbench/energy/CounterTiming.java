package org.tokenpowerbench.energy;

import java.time.Duration;
import org.tokenpowerbench.UserError;

/**
 * Which instant a {@link PowerSignal} gives each counter value: the counter's learned update
 * moment ({@link CounterUpdates#learn}, the default) or the instant of the read that showed it
 * (what the signal did before; kept to compare the two on the same trace).
 *
 * <p>Chosen with the system property {@value #PROPERTY} ({@code update} or {@code read}); JMH passes
 * system properties given before {@code -jar} on to its forks.
 *
 * <p>A sensor may add {@link CounterGrid}s it learned before the trace ({@link #withGrids}), by
 * counter channel name; a trace too sparse to learn from places that channel's values on its grid.
 *
 * <p>A sensor may also say how far its counters' updates scatter about a regular grid
 * ({@link #withScatter}): a learned update moment then never claims to be known better than that,
 * however well a trace's brackets happen to agree.
 *
 * @param learnUpdates       true to learn update moments, false to keep read instants
 * @param nominalPeriodNanos the sensor's update period, the starting point of the learning
 * @param grids              the sensor's grids by counter channel name; empty for none
 * @param scatterNanos       the devices' measured scatter of updates about their grid, 1 σ, by
 *                           counter channel name; empty for none
 */
public record CounterTiming(boolean learnUpdates, long nominalPeriodNanos, java.util.Map<String, CounterGrid> grids,
                            java.util.Map<String, Double> scatterNanos) {

    /** The system property that picks the timing: {@code update} (default) or {@code read}. */
    public static final String PROPERTY = "tpb.counterTiming";

    /** Read instants, as the signal took counter values before update moments were modelled. */
    public static final CounterTiming READS = new CounterTiming(false, 100_000_000L);

    public CounterTiming {
        if (nominalPeriodNanos <= 0) {
            throw new IllegalArgumentException("nominalPeriodNanos=" + nominalPeriodNanos + " must be positive");
        }
        grids = grids == null ? java.util.Map.of() : java.util.Map.copyOf(grids);
        scatterNanos = scatterNanos == null ? java.util.Map.of() : java.util.Map.copyOf(scatterNanos);
    }

    /** A timing without a sensor's grids or scatter. */
    public CounterTiming(boolean learnUpdates, long nominalPeriodNanos) {
        this(learnUpdates, nominalPeriodNanos, java.util.Map.of(), java.util.Map.of());
    }

    /** This timing with {@code grids} (by counter channel name), used where learning updates. */
    public CounterTiming withGrids(java.util.Map<String, CounterGrid> grids) {
        return new CounterTiming(learnUpdates, nominalPeriodNanos, grids, scatterNanos);
    }

    /** This timing with the sensor's scatter of its counters' updates (1 σ, ns, by counter channel name). */
    public CounterTiming withScatter(java.util.Map<String, Double> scatterNanos) {
        return new CounterTiming(learnUpdates, nominalPeriodNanos, grids, scatterNanos);
    }

    /**
     * The timing {@value #PROPERTY} asks for, for a sensor that updates every {@code updatePeriod}.
     *
     * @throws UserError when the property is neither {@code update} nor {@code read}
     */
    public static CounterTiming fromSystemProperty(Duration updatePeriod) {
        String v = System.getProperty(PROPERTY, "update").strip();
        long nominal = Math.max(1, updatePeriod.toNanos());
        return switch (v) {
            case "update" -> new CounterTiming(true, nominal);
            case "read" -> new CounterTiming(false, nominal);
            default -> throw new UserError("-D" + PROPERTY + "=" + v + " is not a counter timing; use update (give each"
                    + " counter value its learned update moment, the default) or read (the instant of the read)");
        };
    }

    /** The points of counter channel {@code channel}'s valid reads under this timing. */
    CounterUpdates apply(String channel, long[] t, double[] v) {
        if (!learnUpdates) {
            return CounterUpdates.atReads(t, v, nominalPeriodNanos, "-D" + PROPERTY + "=read");
        }
        CounterUpdates learned = CounterUpdates.learn(t, v, nominalPeriodNanos, grids.get(channel));
        Double scatter = scatterNanos.get(channel);
        return scatter == null ? learned : learned.withUncertaintyAtLeast(scatter);
    }
}
