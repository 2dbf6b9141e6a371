package org.tokenpowerbench.power;

import java.util.Arrays;

/**
 * What one {@link PowerSensor#sample(Readings, boolean)} call reports: a value per channel and,
 * for a source whose reading carries its own time (a Prometheus sample, a DCGM field, a BMC's
 * averaged reading), when that value was true, on this JVM's {@link System#nanoTime()} clock.
 * A channel left alone stays {@link Double#NaN} (not read this time); a value set without a time
 * is taken as true at the moment of the read.
 *
 * <p>The sampler keeps both the read's time and the reading's, so a trace can say how old each
 * reading was ({@link PowerTrace#maxAgeNanos}) and energy is placed where it was measured, not
 * where it was fetched.
 */
public final class Readings {

    /** The time of a value set without one: the moment of the read. */
    public static final long AT_READ = Long.MIN_VALUE;

    final double[] values;
    final long[] measuredAt;
    /** Further readings ({@link #add}): channel, value and time of each, in the order added. */
    int extraCount;
    int[] extraChannels = new int[0];
    double[] extraValues = new double[0];
    long[] extraTimes = new long[0];

    Readings(int channels) {
        this.values = new double[channels];
        this.measuredAt = new long[channels];
        clear();
    }

    void clear() {
        Arrays.fill(values, Double.NaN);
        Arrays.fill(measuredAt, AT_READ);
        extraCount = 0;
    }

    /** Number of channels. */
    public int size() {
        return values.length;
    }

    /** Sets a channel's value, true at the moment of the read. */
    public void set(int channel, double value) {
        values[channel] = value;
        measuredAt[channel] = AT_READ;
    }

    /**
     * Sets a channel's value with the time it was true.
     *
     * @param measuredAtNanos on {@link System#nanoTime()}'s clock: convert a source's wall-clock
     *                        stamp with the offset you measured, and say in the sensor's
     *                        {@link PowerSensor#environment()} how
     */
    public void set(int channel, double value, long measuredAtNanos) {
        values[channel] = value;
        measuredAt[channel] = measuredAtNanos;
    }

    /**
     * Adds a further reading of a channel, true at {@code measuredAtNanos}, for a source that hands
     * over several readings at once (a driver's buffer of power samples, fetched every so often).
     * Each becomes a sample of its own in the trace, in the order added; add a channel's readings
     * in the order they were true, after any value {@link #set} for it this time. A reading no
     * newer than the channel's last one is dropped, as for {@link #set(int, double, long)}.
     *
     * @param measuredAtNanos on {@link System#nanoTime()}'s clock, as for {@link #set(int, double, long)}
     */
    public void add(int channel, double value, long measuredAtNanos) {
        if (channel < 0 || channel >= values.length) {
            throw new IndexOutOfBoundsException("channel " + channel + " of " + values.length);
        }
        if (extraCount == extraChannels.length) {
            int capacity = Math.max(16, extraCount * 2);
            extraChannels = Arrays.copyOf(extraChannels, capacity);
            extraValues = Arrays.copyOf(extraValues, capacity);
            extraTimes = Arrays.copyOf(extraTimes, capacity);
        }
        extraChannels[extraCount] = channel;
        extraValues[extraCount] = value;
        extraTimes[extraCount] = measuredAtNanos;
        extraCount++;
    }

    /** The value array a {@link PowerSensor#sample(double[], boolean)} fills: every value true at the read. */
    double[] valuesAtRead() {
        return values;
    }
}
