package org.tokenpowerbench.power;

import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a {@link PowerSensor} reported during one sampling run: for every sample, the
 * {@link System#nanoTime()} taken just before the read and one value per channel, and for a
 * reading that carries its own time ({@link Readings}) when it was true; energy is computed on
 * the times the values were true.
 * {@link Double#NaN} means the channel was not read in that sample (a sensor may skip an
 * expensive energy counter except on boundary samples).
 *
 * <p>Energy over a window is computed from the model each channel kind implies:
 * <ul>
 *   <li>{@link PowerChannel.Kind#ENERGY_JOULES} (a cumulative counter): the counter is read at
 *       both window ends by linear interpolation between the nearest valid samples, and the
 *       energy is the difference;</li>
 *   <li>{@link PowerChannel.Kind#POWER_WATTS}: power is taken as piecewise linear between valid
 *       samples and integrated with the trapezoidal rule, clipped exactly to the window (partial
 *       intervals at both ends use interpolated power).</li>
 * </ul>
 * Nothing is extrapolated: a window that reaches before a channel's first valid sample or after
 * its last one is rejected with an {@link IllegalArgumentException} that names the window and the
 * span the channel covers. Start sampling before the window opens and stop after it closes.
 *
 * <p>A trace is immutable; constructors copy their arrays and accessors return copies. It is a
 * class rather than a record because records compare arrays by identity.
 *
 * <p><b>Why one file of this size:</b> the trace owns its arrays (immutable, never copied on the
 * hot path) and every integral, interpolation and check over them; the arithmetic needs the
 * per-channel valid-sample arrays that no other class should see.
 */
public final class PowerTrace {

    private final List<PowerChannel> channels;
    private final long[] timestamps;
    private final double[][] values;
    /** Per channel, when each value was true where the sensor said so ({@link Readings#AT_READ}: at the read); or null. */
    private final long[][] measuredAt;
    /** Per channel: when each non-NaN value was true (the read's time unless the sensor gave its own). */
    private final long[][] validTimes;
    /** Per channel: the non-NaN values, parallel to {@link #validTimes}. */
    private final double[][] validValues;

    /**
     * Builds a trace from copies of the given arrays.
     *
     * @param channels        the channels, in the order of {@code values}
     * @param timestampsNanos one {@link System#nanoTime()} per sample, non-decreasing
     * @param values          {@code values[channel][sample]}; NaN where a channel was not read
     * @throws IllegalArgumentException if the shapes disagree or time goes backwards
     */
    public PowerTrace(List<PowerChannel> channels, long[] timestampsNanos, double[][] values) {
        this(channels, timestampsNanos, values, null);
    }

    /**
     * Builds a trace whose readings may carry their own time.
     *
     * @param measuredAt {@code measuredAt[channel][sample]}: when the value was true on
     *                   {@link System#nanoTime()}'s clock, or {@link Readings#AT_READ} for the
     *                   sample's own time; null when every value is true at its read
     * @throws IllegalArgumentException if the shapes disagree, or time goes backwards (samples, or a
     *                                  channel's own times)
     */
    public PowerTrace(List<PowerChannel> channels, long[] timestampsNanos, double[][] values, long[][] measuredAt) {
        this(validate(List.copyOf(channels), timestampsNanos, values, measuredAt), timestampsNanos.clone(),
                deepCopy(values), measuredAt == null ? null : deepCopy(measuredAt), true);
    }

    /** Takes validated arrays as they are; {@code owned} only sets this signature apart. */
    private PowerTrace(List<PowerChannel> channels, long[] timestamps, double[][] values, long[][] measuredAt,
                       boolean owned) {
        this.channels = channels;
        this.timestamps = timestamps;
        this.values = values;
        this.measuredAt = measuredAt;
        this.validTimes = new long[values.length][];
        this.validValues = new double[values.length][];
        for (int c = 0; c < values.length; c++) {
            double[] row = values[c];
            int n = 0;
            for (double v : row) {
                if (!Double.isNaN(v)) {
                    n++;
                }
            }
            long[] t = new long[n];
            double[] v = new double[n];
            int k = 0;
            for (int i = 0; i < row.length; i++) {
                if (!Double.isNaN(row[i])) {
                    t[k] = timeOf(c, i);
                    v[k] = row[i];
                    k++;
                }
            }
            validTimes[c] = t;
            validValues[c] = v;
        }
    }

    /** Wraps arrays the caller will never touch again (used by {@link PowerSampler}). */
    static PowerTrace adopt(List<PowerChannel> channels, long[] timestamps, double[][] values, long[][] measuredAt) {
        return new PowerTrace(validate(List.copyOf(channels), timestamps, values, measuredAt), timestamps, values,
                measuredAt, true);
    }

    private long timeOf(int channel, int i) {
        long at = measuredAt == null ? Readings.AT_READ : measuredAt[channel][i];
        return at == Readings.AT_READ ? timestamps[i] : at;
    }

    private static List<PowerChannel> validate(List<PowerChannel> channels, long[] timestamps, double[][] values,
                                               long[][] measuredAt) {
        Objects.requireNonNull(timestamps, "timestamps");
        Objects.requireNonNull(values, "values");
        if (values.length != channels.size()) {
            throw new IllegalArgumentException("values has " + values.length + " rows but there are "
                    + channels.size() + " channels: give one row per channel");
        }
        for (int c = 0; c < values.length; c++) {
            if (values[c].length != timestamps.length) {
                throw new IllegalArgumentException("channel '" + channels.get(c).name() + "' has "
                        + values[c].length + " values but there are " + timestamps.length
                        + " timestamps: give one value (or NaN) per sample");
            }
        }
        for (int i = 1; i < timestamps.length; i++) {
            if (timestamps[i] - timestamps[i - 1] < 0) {
                throw new IllegalArgumentException("timestamp " + i + " (" + timestamps[i]
                        + " ns) is before timestamp " + (i - 1) + " (" + timestamps[i - 1]
                        + " ns): samples must be in System.nanoTime() order");
            }
        }
        if (measuredAt != null) {
            if (measuredAt.length != channels.size()) {
                throw new IllegalArgumentException("measuredAt has " + measuredAt.length + " rows but there are "
                        + channels.size() + " channels: give one row per channel");
            }
            for (int c = 0; c < measuredAt.length; c++) {
                if (measuredAt[c].length != timestamps.length) {
                    throw new IllegalArgumentException("channel '" + channels.get(c).name() + "' has "
                            + measuredAt[c].length + " reading times but there are " + timestamps.length + " samples");
                }
                long last = Long.MIN_VALUE;
                for (int i = 0; i < timestamps.length; i++) {
                    if (Double.isNaN(values[c][i])) {
                        continue;
                    }
                    long t = measuredAt[c][i] == Readings.AT_READ ? timestamps[i] : measuredAt[c][i];
                    if (t < last) {
                        throw new IllegalArgumentException("channel '" + channels.get(c).name() + "': reading " + i
                                + " was true at " + t + " ns, before the reading before it (" + last
                                + " ns): keep a channel's readings in the order they were true");
                    }
                    last = t;
                }
            }
        }
        return channels;
    }

    private static long[][] deepCopy(long[][] values) {
        long[][] copy = new long[values.length][];
        for (int c = 0; c < values.length; c++) {
            copy[c] = values[c].clone();
        }
        return copy;
    }

    private static double[][] deepCopy(double[][] values) {
        double[][] copy = new double[values.length][];
        for (int c = 0; c < values.length; c++) {
            copy[c] = values[c].clone();
        }
        return copy;
    }

    /** The channels, in the order of the value rows. */
    public List<PowerChannel> channels() {
        return channels;
    }

    /**
     * Position of the channel with this name.
     *
     * @throws IllegalArgumentException naming the known channels when there is none
     */
    public int channelIndex(String name) {
        for (int c = 0; c < channels.size(); c++) {
            if (channels.get(c).name().equals(name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no channel '" + name + "' in this trace; channels are "
                + channels.stream().map(PowerChannel::name).toList());
    }

    /** Number of samples. */
    public int size() {
        return timestamps.length;
    }

    /** {@link System#nanoTime()} of sample {@code i}. */
    public long timestampNanos(int i) {
        return timestamps[i];
    }

    /** Value of {@code channel} in sample {@code i}; NaN when it was not read then. */
    public double value(int channel, int i) {
        return values[channel][i];
    }

    /** A copy of all sample timestamps. */
    public long[] timestampsNanos() {
        return timestamps.clone();
    }

    /**
     * When each of {@code channel}'s values was true: the sample's time, or the reading's own time
     * where the sensor gave one. Parallel to {@link #values(int)}.
     */
    public long[] timestampsNanos(int channel) {
        long[] out = new long[timestamps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timeOf(channel, i);
        }
        return out;
    }

    /** Whether any reading of {@code channel} carries a time of its own. */
    public boolean hasOwnTimes(int channel) {
        if (measuredAt == null) {
            return false;
        }
        for (long t : measuredAt[channel]) {
            if (t != Readings.AT_READ) {
                return true;
            }
        }
        return false;
    }

    /**
     * The oldest a valid reading of {@code channel} was when it was read (read time minus the time
     * it was true); 0 for a channel whose values are all true at the read.
     */
    public long maxAgeNanos(int channel) {
        long max = 0;
        for (int i = 0; i < timestamps.length; i++) {
            if (!Double.isNaN(values[channel][i])) {
                max = Math.max(max, timestamps[i] - timeOf(channel, i));
            }
        }
        return max;
    }

    /** A copy of one channel's values, NaN where it was not read. */
    public double[] values(int channel) {
        return values[channel].clone();
    }

    /** Timestamp of the first sample; throws if the trace is empty. */
    public long startNanos() {
        requireSamples();
        return timestamps[0];
    }

    /** Timestamp of the last sample; throws if the trace is empty. */
    public long endNanos() {
        requireSamples();
        return timestamps[timestamps.length - 1];
    }

    private void requireSamples() {
        if (timestamps.length == 0) {
            throw new IllegalStateException("the trace has no samples");
        }
    }

    /**
     * Energy in joules that {@code channel} saw in {@code [fromNanos, toNanos]}.
     *
     * @throws IllegalArgumentException if the window is reversed or not covered by the channel's
     *                                  valid samples (no extrapolation)
     */
    public double energyJoules(int channel, long fromNanos, long toNanos) {
        requireCovered(channel, fromNanos, toNanos);
        if (fromNanos == toNanos) {
            return 0.0;
        }
        if (kind(channel) == PowerChannel.Kind.ENERGY_JOULES) {
            return interpolate(channel, toNanos) - interpolate(channel, fromNanos);
        }
        long[] t = validTimes[channel];
        double[] p = validValues[channel];
        int first = floorIndex(t, fromNanos);
        int last = ceilIndex(t, toNanos);
        double wattNanos = 0.0;
        for (int i = first; i < last; i++) {
            long a = Math.max(t[i], fromNanos);
            long b = Math.min(t[i + 1], toNanos);
            if (b <= a) {
                continue;
            }
            double pa = onSegment(t, p, i, a);
            double pb = onSegment(t, p, i, b);
            wattNanos += 0.5 * (pa + pb) * (double) (b - a);
        }
        return wattNanos * 1e-9;
    }

    /**
     * Mean power in watts over {@code [fromNanos, toNanos]}: {@link #energyJoules} divided by the
     * window length.
     *
     * @throws IllegalArgumentException if the window is empty, reversed or not covered
     */
    public double averageWatts(int channel, long fromNanos, long toNanos) {
        requireNonEmpty(fromNanos, toNanos);
        return energyJoules(channel, fromNanos, toNanos) / ((toNanos - fromNanos) * 1e-9);
    }

    /**
     * Highest power in watts seen in {@code [fromNanos, toNanos]}.
     *
     * <p>For a power channel: the largest value of the piecewise-linear power inside the window
     * (a valid sample inside it, or the interpolated power at either end). For a counter: the
     * largest rate Δjoules/Δt between consecutive valid samples whose interval overlaps the
     * window, which is the steepest slope the interpolated counter has inside it. A counter read
     * only on boundary samples therefore reports its average here.
     *
     * @throws IllegalArgumentException if the window is empty, reversed or not covered
     */
    public double peakWatts(int channel, long fromNanos, long toNanos) {
        requireNonEmpty(fromNanos, toNanos);
        requireCovered(channel, fromNanos, toNanos);
        long[] t = validTimes[channel];
        double[] v = validValues[channel];
        int first = floorIndex(t, fromNanos);
        int last = ceilIndex(t, toNanos);
        if (kind(channel) == PowerChannel.Kind.POWER_WATTS) {
            double peak = Math.max(interpolate(channel, fromNanos), interpolate(channel, toNanos));
            for (int i = first; i <= last; i++) {
                if (t[i] > fromNanos && t[i] < toNanos) {
                    peak = Math.max(peak, v[i]);
                }
            }
            return peak;
        }
        double peak = Double.NEGATIVE_INFINITY;
        for (int i = first; i < last; i++) {
            long dt = t[i + 1] - t[i];
            if (dt > 0 && t[i + 1] > fromNanos && t[i] < toNanos) {
                peak = Math.max(peak, (v[i + 1] - v[i]) / (dt * 1e-9));
            }
        }
        return peak;
    }

    /** Number of samples (valid or not) whose timestamp lies in {@code [fromNanos, toNanos]}. */
    public int samplesIn(long fromNanos, long toNanos) {
        return countIn(timestamps, fromNanos, toNanos);
    }

    /** Number of samples in which {@code channel} was read and whose timestamp lies in the window. */
    public int samplesIn(int channel, long fromNanos, long toNanos) {
        return countIn(validTimes[channel], fromNanos, toNanos);
    }

    /**
     * Largest spacing in nanoseconds between consecutive valid samples of {@code channel} whose
     * interval touches {@code [fromNanos, toNanos]}. Compare it with the sensor's update period
     * and the window length to flag windows the trace resolves poorly.
     *
     * @throws IllegalArgumentException if the window is reversed or not covered
     */
    public long maxGapNanos(int channel, long fromNanos, long toNanos) {
        requireCovered(channel, fromNanos, toNanos);
        long[] t = validTimes[channel];
        int first = floorIndex(t, fromNanos);
        int last = ceilIndex(t, toNanos);
        long gap = 0;
        for (int i = first; i < last; i++) {
            if (t[i + 1] > fromNanos && t[i] < toNanos) {
                gap = Math.max(gap, t[i + 1] - t[i]);
            }
        }
        return gap;
    }

    /**
     * Writes the trace as CSV: a header {@code t_ns,<channel names...>}, then one line per sample
     * with the timestamp and each value; a channel not read in a sample leaves its cell empty.
     * The writer is neither flushed nor closed.
     */
    public void writeCsv(Writer out) throws IOException {
        StringBuilder line = new StringBuilder(64);
        line.append("t_ns");
        for (PowerChannel channel : channels) {
            line.append(',').append(csvField(channel.name()));
        }
        boolean[] own = new boolean[channels.size()];
        for (int c = 0; c < own.length; c++) {
            own[c] = hasOwnTimes(c);
            if (own[c]) {
                line.append(',').append(csvField(channels.get(c).name() + ".measured_t_ns"));
            }
        }
        line.append('\n');
        out.write(line.toString());
        for (int i = 0; i < timestamps.length; i++) {
            line.setLength(0);
            line.append(timestamps[i]);
            for (double[] row : values) {
                line.append(',');
                if (!Double.isNaN(row[i])) {
                    line.append(row[i]);
                }
            }
            for (int c = 0; c < own.length; c++) {
                if (own[c]) {
                    line.append(',');
                    if (!Double.isNaN(values[c][i])) {
                        line.append(timeOf(c, i));
                    }
                }
            }
            line.append('\n');
            out.write(line.toString());
        }
    }

    private static String csvField(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    public String toString() {
        String span = timestamps.length == 0 ? "empty"
                : String.format(Locale.ROOT, "%.3f ms", (endNanos() - startNanos()) / 1e6);
        return "PowerTrace[" + channels.stream().map(PowerChannel::name).toList() + ", "
                + timestamps.length + " samples, " + span + "]";
    }

    private PowerChannel.Kind kind(int channel) {
        return channels.get(channel).kind();
    }

    /** Channel value at {@code t} (inside the valid span), linear between valid samples. */
    private double interpolate(int channel, long t) {
        long[] times = validTimes[channel];
        double[] v = validValues[channel];
        int i = Arrays.binarySearch(times, t);
        if (i >= 0) {
            return v[i];
        }
        int after = -i - 1;
        return onSegment(times, v, after - 1, t);
    }

    private static double onSegment(long[] t, double[] v, int i, long at) {
        long len = t[i + 1] - t[i];
        if (len == 0) {
            return v[i];
        }
        double f = (double) (at - t[i]) / (double) len;
        return v[i] + (v[i + 1] - v[i]) * f;
    }

    /** Largest index whose time is {@code <= x}; the caller has checked coverage. */
    private static int floorIndex(long[] t, long x) {
        int lo = 0;
        int hi = t.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (t[mid] <= x) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** Smallest index whose time is {@code >= x}; the caller has checked coverage. */
    private static int ceilIndex(long[] t, long x) {
        int lo = 0;
        int hi = t.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t[mid] >= x) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static int countIn(long[] t, long from, long to) {
        if (to < from || t.length == 0) {
            return 0;
        }
        return firstIndexAbove(t, to, true) - firstIndexAbove(t, from, false);
    }

    /** First index whose time is {@code > x} (inclusive: {@code >= x} when false), or {@code t.length}. */
    private static int firstIndexAbove(long[] t, long x, boolean strictly) {
        int lo = 0;
        int hi = t.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (t[mid] < x || (strictly && t[mid] == x)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    private static void requireNonEmpty(long from, long to) {
        if (to <= from) {
            throw new IllegalArgumentException("window [" + from + ", " + to + "] ns is empty or reversed;"
                    + " a rate needs a window that ends after it starts");
        }
    }

    private void requireCovered(int channel, long from, long to) {
        Objects.checkIndex(channel, channels.size());
        String name = channels.get(channel).name();
        if (to < from) {
            throw new IllegalArgumentException("window [" + from + ", " + to + "] ns of channel '" + name
                    + "' ends before it starts: pass the earlier System.nanoTime() first");
        }
        long[] t = validTimes[channel];
        if (t.length == 0) {
            throw new IllegalArgumentException("window [" + from + ", " + to + "] ns cannot be measured: channel '"
                    + name + "' has no valid sample in this trace of " + timestamps.length + " samples");
        }
        long first = t[0];
        long last = t[t.length - 1];
        if (from < first || to > last) {
            StringBuilder why = new StringBuilder();
            if (from < first) {
                why.append(String.format(Locale.ROOT, "starts %.3f ms before the first", (first - from) / 1e6));
            }
            if (to > last) {
                if (why.length() > 0) {
                    why.append(" and ");
                }
                why.append(String.format(Locale.ROOT, "ends %.3f ms after the last", (to - last) / 1e6));
            }
            throw new IllegalArgumentException("window [" + from + ", " + to + "] ns is not covered by channel '"
                    + name + "', whose valid samples span [" + first + ", " + last + "] ns: the window " + why
                    + " valid sample, and a trace is never extrapolated; start sampling before the window"
                    + " opens and stop after it closes");
        }
    }
}
