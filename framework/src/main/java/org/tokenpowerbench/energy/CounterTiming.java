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
 * @param learnUpdates       true to learn update moments, false to keep read instants
 * @param nominalPeriodNanos the sensor's update period, the starting point of the learning
 */
public record CounterTiming(boolean learnUpdates, long nominalPeriodNanos) {

    /** The system property that picks the timing: {@code update} (default) or {@code read}. */
    public static final String PROPERTY = "tpb.counterTiming";

    /** Read instants, as the signal took counter values before update moments were modelled. */
    public static final CounterTiming READS = new CounterTiming(false, 100_000_000L);

    public CounterTiming {
        if (nominalPeriodNanos <= 0) {
            throw new IllegalArgumentException("nominalPeriodNanos=" + nominalPeriodNanos + " must be positive");
        }
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

    /** The points of one counter channel's valid reads under this timing. */
    CounterUpdates apply(long[] t, double[] v) {
        return learnUpdates ? CounterUpdates.learn(t, v, nominalPeriodNanos)
                : CounterUpdates.atReads(t, v, nominalPeriodNanos, "-D" + PROPERTY + "=read");
    }
}
