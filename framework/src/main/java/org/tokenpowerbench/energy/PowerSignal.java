package org.tokenpowerbench.energy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;

/**
 * The power of a set of devices as a function of time, built from a {@link PowerTrace}, that can
 * be integrated exactly over any window inside it.
 *
 * <p><b>Per device</b> (channels are grouped by {@link PowerChannel#device()}):
 * <ul>
 *   <li>a counter ({@link PowerChannel.Kind#ENERGY_JOULES}) and no power channel: between
 *       consecutive valid counter readings the power is Δjoules / Δt, constant;</li>
 *   <li>a power channel ({@link PowerChannel.Kind#POWER_WATTS}) and no counter: power is
 *       piecewise linear between valid samples, so integrals are trapezoids;</li>
 *   <li>both: the counter fixes the energy of each interval between its readings and the power
 *       channel gives the shape inside it — the piecewise-linear power is scaled, interval by
 *       interval, so that it integrates to the counter's delta. Where the power channel does not cover a counter interval
 *       or integrates to zero over it, the delta is spread uniformly over the interval.</li>
 * </ul>
 * The first counter and the first power channel of a device are used; other channels of the same
 * device are ignored so that nothing is counted twice. The signal is the <b>sum over devices</b>:
 * a piecewise-linear function (discontinuous where a device's counter interval starts) whose
 * breakpoints are the union of the devices' breakpoints.
 *
 * <p><b>Domain.</b> From the latest first valid sample to the earliest last valid sample over all
 * devices (fused devices: their counter's first and last readings). Nothing is extrapolated: a
 * window reaching outside is rejected with an {@link IllegalArgumentException}.
 *
 * <p><b>Gaps.</b> Consecutive valid samples of a device's shape channel (its power channel, else
 * its counter) further apart than {@link #maxGapNanos()} are recorded as {@link SampleGap}s, as
 * is a counter interval longer than the bound that had to be spread uniformly for want of power
 * samples. The signal still bridges them (linearly, or at the interval's average rate); the
 * callers flag every window that touches one. {@link #defaultMaxGapNanos} documents the bound the
 * profilers use.
 *
 * <p>Integration is exact for the model above (each piece is a trapezoid of a linear function,
 * computed locally and summed with compensation), so the integral over {@code [a, c]} equals the
 * integral over {@code [a, b]} plus {@code [b, c]} up to rounding. Immutable.
 *
 * <p><b>Why one file of this size:</b> it is one algorithm — per-device pieces (counter, power,
 * fused), their gaps, and the integrals over them — whose invariants (the counter fixes each
 * interval's energy, pieces never overlap) hold across its private nested types; split up, each
 * part would need the others' internals.
 */
public final class PowerSignal {

    /** Breakpoints, strictly increasing; segment {@code i} is {@code [t[i], t[i+1]]}. */
    private final long[] t;
    /** Watts at the start of each segment (right limit at {@code t[i]}). */
    private final double[] left;
    /** Watts at the end of each segment (left limit at {@code t[i+1]}). */
    private final double[] right;
    private final List<SignalSource> sources;
    private final List<SampleGap> gaps;
    private final long maxGapNanos;
    private final CounterTiming timing;
    /** Each fused device's counter points (update moments, or reads), where a power shape fills the intervals. */
    private final List<long[]> shapedCounterPoints;

    private PowerSignal(long[] t, double[] left, double[] right, List<SignalSource> sources, List<SampleGap> gaps,
                        long maxGapNanos, CounterTiming timing, List<long[]> shapedCounterPoints) {
        this.shapedCounterPoints = List.copyOf(shapedCounterPoints);
        this.t = t;
        this.left = left;
        this.right = right;
        this.sources = List.copyOf(sources);
        this.gaps = List.copyOf(gaps);
        this.maxGapNanos = maxGapNanos;
        this.timing = timing;
    }

    /**
     * The gap bound the profilers use: {@code max(5 × sampling period, 2 × sensor update period)}.
     * A sampler that misses four ticks in a row, or a sensor whose value cannot have been refreshed
     * twice, leaves a stretch the trace does not resolve.
     */
    public static long defaultMaxGapNanos(Duration samplingPeriod, Duration updatePeriod) {
        return Math.max(5 * samplingPeriod.toNanos(), 2 * updatePeriod.toNanos());
    }

    /**
     * The signal of every device in the trace, counter values at their read instants; see
     * {@link #of(PowerTrace, long, Predicate, CounterTiming)}.
     */
    public static PowerSignal of(PowerTrace trace, long maxGapNanos) {
        return of(trace, maxGapNanos, c -> true);
    }

    /** The signal of every device in the trace under {@code timing}. */
    public static PowerSignal of(PowerTrace trace, long maxGapNanos, CounterTiming timing) {
        return of(trace, maxGapNanos, c -> true, timing);
    }

    /** The signal of the devices whose channels pass {@code include}, counter values at their read instants. */
    public static PowerSignal of(PowerTrace trace, long maxGapNanos, Predicate<PowerChannel> include) {
        return of(trace, maxGapNanos, include, CounterTiming.READS);
    }

    /**
     * The signal of the devices whose channels pass {@code include} (e.g. one {@link Scope}).
     *
     * <p><b>Counter timing.</b> With {@link CounterTiming#learnUpdates()} each counter value is placed
     * at the counter's update moment that produced it ({@link CounterUpdates}), not at its read. The
     * domain stays the reads' span: before the first update moment the power shape is held at its
     * first sample (the first interval's energy is the counter's, only its shape there is assumed),
     * and from the last update moment to the last read — less than one update period, energy the
     * counter has not shown yet — the power shape is scaled as in the interval before it.
     *
     * @param maxGapNanos spacing of valid samples above which a {@link SampleGap} is recorded; positive
     * @param timing      which instant a counter value gets
     * @throws IllegalArgumentException if no channel is included, or an included device has no
     *                                  valid sample (the message names it)
     */
    public static PowerSignal of(PowerTrace trace, long maxGapNanos, Predicate<PowerChannel> include,
                                 CounterTiming timing) {
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(trace, "trace");
        if (maxGapNanos <= 0) {
            throw new IllegalArgumentException("maxGapNanos=" + maxGapNanos + " must be positive: give the longest"
                    + " spacing of valid samples that is not a gap, e.g. PowerSignal.defaultMaxGapNanos(...)");
        }
        List<PowerChannel> channels = trace.channels();
        Map<String, int[]> byDevice = new LinkedHashMap<>(); // device -> {counter, power}
        for (int c = 0; c < channels.size(); c++) {
            PowerChannel ch = channels.get(c);
            if (!include.test(ch)) {
                continue;
            }
            int[] pair = byDevice.computeIfAbsent(ch.device(), d -> new int[] {-1, -1});
            int slot = ch.kind() == PowerChannel.Kind.ENERGY_JOULES ? 0 : 1;
            if (pair[slot] < 0) {
                pair[slot] = c;
            }
        }
        if (byDevice.isEmpty()) {
            throw new IllegalArgumentException("no channel of the trace was selected (channels are "
                    + channels.stream().map(PowerChannel::name).toList() + "): select at least one");
        }
        List<SignalSource> sources = new ArrayList<>();
        List<SampleGap> gaps = new ArrayList<>();
        List<Piece> pieces = new ArrayList<>();
        List<long[]> shapedPoints = new ArrayList<>();
        for (Map.Entry<String, int[]> e : byDevice.entrySet()) {
            int counter = e.getValue()[0];
            int power = e.getValue()[1];
            PowerChannel main = channels.get(counter >= 0 ? counter : power);
            Series c = counter >= 0 ? Series.valid(trace.timestampsNanos(counter), trace.values(counter), channels.get(counter).name()) : null;
            Series p = power >= 0 ? Series.valid(trace.timestampsNanos(power), trace.values(power), channels.get(power).name()) : null;
            CounterUpdates updates = null;
            if (c != null) {
                requireSamples(c, e.getKey(), c != null && p != null ? 2 : 1);
                Series reads = c.dedupLast();
                updates = timing.apply(c.name, reads.t, reads.v);
            }
            sources.add(new SignalSource(e.getKey(), main.scope(), main.method(),
                    counter >= 0 ? channels.get(counter).name() : null, power >= 0 ? channels.get(power).name() : null,
                    updates == null ? null : updates.describe(), updates == null ? 0.0 : updates.uncertaintyNanos()));
            Piece piece;
            if (c != null && p != null) {
                Series reads = c.dedupLast();
                long first = reads.t[0];
                long last = reads.t[reads.t.length - 1];
                Series points = new Series(updates.times(), updates.values(), c.name);
                shapedPoints.add(points.t.clone());
                Piece shape = Piece.ofPower(timing.learnUpdates() ? p.heldOver(Math.min(points.t[0], first), last) : p);
                piece = fused(points.extendedTo(last, shape), shape, e.getKey(), p.name, maxGapNanos, gaps)
                        .clip(first, last);
                p.addGaps(e.getKey(), maxGapNanos, gaps);
            } else if (c != null) {
                Series reads = c.dedupLast();
                Series points = new Series(updates.times(), updates.values(), c.name);
                long last = reads.t[reads.t.length - 1];
                piece = Piece.ofCounter(points.extendedTo(last, null)).clip(reads.t[0], last);
                c.addGaps(e.getKey(), maxGapNanos, gaps);
            } else {
                requireSamples(p, e.getKey(), 1);
                piece = Piece.ofPower(p);
                p.addGaps(e.getKey(), maxGapNanos, gaps);
            }
            pieces.add(piece);
        }
        return sum(pieces, sources, gaps, maxGapNanos, timing, shapedPoints);
    }

    /**
     * The stretch of counter energy that a window edge at {@code x} splits by the power shape alone,
     * for the device where that stretch is longest; null where no device has a counter with a
     * power shape there.
     * <ul>
     *   <li>{@code x} between two counter points of a device ({@code a <= x < b}): that interval
     *       {@code [a, b]}, whose counter energy the shape splits at {@code x};</li>
     *   <li>{@code x} after the device's last counter point: {@code [last point, x]}, the stretch
     *       the signal carries on to the last read at the last interval's ratio of counter energy
     *       to shape energy, so all of it rests on the shape (recognised by {@code b == x}).</li>
     * </ul>
     * The interval is where the counter's points lie, not clipped to the domain: a value's update
     * moment precedes the read that showed it, so {@code a} may lie up to an update period before
     * {@link #startNanos()} ({@link EnergyBudget} counts that part too).
     */
    public long[] shapedCounterIntervalAround(long x) {
        long[] best = null;
        for (long[] pts : shapedCounterPoints) {
            int i = Arrays.binarySearch(pts, x);
            int k = i >= 0 ? i : -i - 2; // the last point at or before x
            if (k < 0) {
                continue;
            }
            long a = pts[k];
            long b = k + 1 < pts.length ? pts[k + 1] : x;
            if (b > a && (best == null || b - a > best[1] - best[0])) {
                best = new long[] {a, b};
            }
        }
        return best;
    }

    private static void requireSamples(Series s, String device, int needed) {
        if (s.t.length < needed) {
            throw new IllegalArgumentException("channel '" + s.name + "' of device " + device + " has " + s.t.length
                    + " valid sample(s) in this trace; " + needed + " are needed to know its energy: sample the window"
                    + " from before it opens to after it closes");
        }
    }

    /** Counter intervals scaled to the power shape inside them. */
    private static Piece fused(Series c, Piece p, String device, String powerName, long maxGap, List<SampleGap> gaps) {
        // every segment starts at a counter reading or at a power sample strictly inside an interval
        int cap = c.t.length + p.t.length + 1;
        long[] bt = new long[cap];
        double[] bl = new double[cap];
        double[] br = new double[cap];
        int n = 0;
        int j = 0; // power segment cursor
        for (int k = 0; k + 1 < c.t.length; k++) {
            long a = c.t[k];
            long b = c.t[k + 1];
            double delta = c.v[k + 1] - c.v[k];
            boolean covered = p.t.length >= 2 && p.t[0] <= a && p.t[p.t.length - 1] >= b;
            double shape = Double.NaN;
            if (covered) {
                while (j < p.t.length - 2 && p.t[j + 1] <= a) {
                    j++;
                }
                shape = p.integral(j, a, b);
            }
            if (covered && shape > 0 && Double.isFinite(shape)) {
                double scale = delta / shape;
                long x = a;
                int s = j;
                while (x < b) {
                    long y = Math.min(p.t[s + 1], b);
                    if (y > x) {
                        bt[n] = x;
                        bl[n] = p.value(s, x) * scale;
                        br[n] = p.value(s, y) * scale;
                        n++;
                    }
                    x = y;
                    if (x < b) {
                        s++;
                    }
                }
            } else {
                double watts = delta / ((b - a) * 1e-9);
                bt[n] = a;
                bl[n] = watts;
                br[n] = watts;
                n++;
                if (b - a > maxGap) {
                    gaps.add(new SampleGap(device, powerName, a, b));
                }
            }
        }
        long[] t = Arrays.copyOf(bt, n + 1);
        t[n] = c.t[c.t.length - 1];
        return new Piece(t, Arrays.copyOf(bl, n), Arrays.copyOf(br, n));
    }

    /** Sums device pieces over the intersection of their spans. */
    private static PowerSignal sum(List<Piece> pieces, List<SignalSource> sources, List<SampleGap> gaps, long maxGap,
                                   CounterTiming timing, List<long[]> shapedPoints) {
        long from = Long.MIN_VALUE;
        long to = Long.MAX_VALUE;
        int total = 0;
        for (Piece p : pieces) {
            from = Math.max(from, p.t[0]);
            to = Math.min(to, p.t[p.t.length - 1]);
            total += p.t.length;
        }
        if (to < from) {
            throw new IllegalArgumentException("the devices' samples do not overlap in time (the latest first sample is "
                    + from + " ns, the earliest last sample " + to + " ns): sample every device through the window");
        }
        long[] u;
        if (pieces.size() == 1) {
            u = pieces.get(0).t;
        } else {
            long[] all = new long[total];
            int k = 0;
            for (Piece p : pieces) {
                System.arraycopy(p.t, 0, all, k, p.t.length);
                k += p.t.length;
            }
            Arrays.sort(all);
            int m = 0;
            for (long x : all) {
                if (x >= from && x <= to && (m == 0 || all[m - 1] != x)) {
                    all[m++] = x;
                }
            }
            u = Arrays.copyOf(all, m);
        }
        int segments = Math.max(0, u.length - 1);
        double[] l = new double[segments];
        double[] r = new double[segments];
        for (Piece p : pieces) {
            int k = 0;
            for (int j = 0; j < segments; j++) {
                long x = u[j];
                long y = u[j + 1];
                while (k < p.left.length - 1 && p.t[k + 1] <= x) {
                    k++;
                }
                l[j] += p.value(k, x);
                r[j] += p.value(k, y);
            }
        }
        return new PowerSignal(u, l, r, sources, gaps, maxGap, timing, shapedPoints);
    }

    /** First instant of the domain. */
    public long startNanos() {
        return t[0];
    }

    /** Last instant of the domain. */
    public long endNanos() {
        return t[t.length - 1];
    }

    /** True when {@code [fromNanos, toNanos]} is a window inside the domain. */
    public boolean covers(long fromNanos, long toNanos) {
        return fromNanos <= toNanos && fromNanos >= t[0] && toNanos <= t[t.length - 1];
    }

    /** Number of linear pieces the signal is made of. */
    public int segments() {
        return left.length;
    }

    /** How each device contributes. */
    public List<SignalSource> sources() {
        return sources;
    }

    /** Every recorded gap, over the whole trace. */
    public List<SampleGap> gaps() {
        return gaps;
    }

    /** The gaps that overlap {@code [fromNanos, toNanos]}. */
    public List<SampleGap> gapsIn(long fromNanos, long toNanos) {
        return gaps.stream().filter(g -> g.overlaps(fromNanos, toNanos)).toList();
    }

    /** Which instant this signal gave its counter values; the same timing builds its per-scope signals. */
    public CounterTiming counterTiming() {
        return timing;
    }

    /** The signal's power at {@code x} (its right limit where it steps), in watts. */
    public double wattsAt(long x) {
        requireCovered(x, x);
        return left.length == 0 ? 0.0 : value(segmentAt(x), x);
    }

    /**
     * How much the power moves across the piece that holds {@code x}: {|right − left| in watts,
     * its length in nanoseconds}. A power change is only located to within one such piece (one
     * sampling period), which is the sampling term of an edge in {@link EnergyBudget}.
     */
    double[] pieceAt(long x) {
        requireCovered(x, x);
        if (left.length == 0) {
            return new double[] {0.0, 0.0};
        }
        int i = segmentAt(x);
        return new double[] {Math.abs(right[i] - left[i]), t[i + 1] - t[i]};
    }

    /** Spacing of valid samples above which a gap is recorded. */
    public long maxGapNanos() {
        return maxGapNanos;
    }

    /** True when any device's energy is a model rather than a meter. */
    public boolean estimated() {
        return sources.stream().anyMatch(s -> s.method() == Method.ESTIMATED);
    }

    /** {@code estimated} if any source is estimated, else the sources' methods joined with {@code +}. */
    public String methodLabel() {
        if (estimated()) {
            return Method.ESTIMATED.label();
        }
        return sources.stream().map(s -> s.method().label()).distinct().reduce((a, b) -> a + "+" + b).orElse("none");
    }

    /**
     * Energy in joules over {@code [fromNanos, toNanos]}.
     *
     * @throws IllegalArgumentException if the window is reversed or not inside the domain
     */
    public double energyJoules(long fromNanos, long toNanos) {
        requireCovered(fromNanos, toNanos);
        if (fromNanos == toNanos) {
            return 0.0;
        }
        CompensatedSum sum = new CompensatedSum();
        for (int i = segmentAt(fromNanos); i < left.length && t[i] < toNanos; i++) {
            long x = Math.max(t[i], fromNanos);
            long y = Math.min(t[i + 1], toNanos);
            if (y > x) {
                sum.add(piece(i, x, y));
            }
        }
        return sum.value();
    }

    /**
     * Mean power in watts over {@code [fromNanos, toNanos]}.
     *
     * @throws IllegalArgumentException if the window is empty, reversed or not inside the domain
     */
    public double averageWatts(long fromNanos, long toNanos) {
        if (toNanos <= fromNanos) {
            throw new IllegalArgumentException("window [" + fromNanos + ", " + toNanos + "] ns is empty or reversed;"
                    + " a mean power needs a window that ends after it starts");
        }
        return energyJoules(fromNanos, toNanos) / ((toNanos - fromNanos) * 1e-9);
    }

    /**
     * Highest power in watts anywhere in {@code [fromNanos, toNanos]}. The signal is piecewise
     * linear, so the peak lies at a segment end or at a window edge. For a counter-only sensor
     * this is the highest mean power between two counter readings, not an instantaneous peak.
     *
     * @throws IllegalArgumentException if the window is empty, reversed or not inside the domain
     */
    public double peakWatts(long fromNanos, long toNanos) {
        if (toNanos <= fromNanos) {
            throw new IllegalArgumentException("window [" + fromNanos + ", " + toNanos + "] ns is empty or reversed;"
                    + " a peak power needs a window that ends after it starts");
        }
        requireCovered(fromNanos, toNanos);
        double peak = Double.NEGATIVE_INFINITY;
        for (int i = segmentAt(fromNanos); i < left.length && t[i] < toNanos; i++) {
            long x = Math.max(t[i], fromNanos);
            long y = Math.min(t[i + 1], toNanos);
            if (y <= x) {
                continue;
            }
            double span = t[i + 1] - t[i];
            double atX = left[i] + (right[i] - left[i]) * ((x - t[i]) / span);
            double atY = left[i] + (right[i] - left[i]) * ((y - t[i]) / span);
            peak = Math.max(peak, Math.max(atX, atY));
        }
        return peak;
    }

    /** A cursor that integrates forward from {@code fromNanos}, for sweeps. */
    Cursor cursor(long fromNanos) {
        requireCovered(fromNanos, fromNanos);
        return new Cursor(fromNanos);
    }

    /** Integrates the signal forward in time, one window after the other, without searching. */
    final class Cursor {
        private int i;
        private long pos;

        private Cursor(long from) {
            this.pos = from;
            this.i = segmentAt(from);
        }

        /** Joules from the previous position to {@code x}, which must not be before it nor past the domain. */
        double advanceTo(long x) {
            if (x < pos || x > t[t.length - 1]) {
                throw new IllegalArgumentException("cursor at " + pos + " ns cannot move to " + x + " ns (domain ends at "
                        + t[t.length - 1] + " ns)");
            }
            double s = 0;
            while (i < left.length - 1 && t[i + 1] <= x) {
                if (t[i + 1] > pos) {
                    s += piece(i, pos, t[i + 1]);
                    pos = t[i + 1];
                }
                i++;
            }
            if (x > pos) {
                s += piece(i, pos, x);
                pos = x;
            }
            return s;
        }
    }

    /** Index of the segment holding {@code x} (the last segment for the domain's end). */
    private int segmentAt(long x) {
        if (left.length == 0) {
            return 0;
        }
        int i = Arrays.binarySearch(t, x);
        if (i < 0) {
            i = -i - 2;
        }
        return Math.max(0, Math.min(i, left.length - 1));
    }

    private double value(int i, long x) {
        double span = t[i + 1] - t[i];
        return left[i] + (right[i] - left[i]) * ((x - t[i]) / span);
    }

    private double piece(int i, long x, long y) {
        return 0.5 * (value(i, x) + value(i, y)) * ((y - x) * 1e-9);
    }

    private void requireCovered(long from, long to) {
        if (to < from) {
            throw new IllegalArgumentException("window [" + from + ", " + to + "] ns ends before it starts:"
                    + " pass the earlier System.nanoTime() first");
        }
        long first = t[0];
        long last = t[t.length - 1];
        if (from < first || to > last) {
            StringBuilder why = new StringBuilder();
            if (from < first) {
                why.append(String.format(Locale.ROOT, "starts %.3f ms before", (first - from) / 1e6));
            }
            if (to > last) {
                why.append(why.length() > 0 ? " and " : "")
                        .append(String.format(Locale.ROOT, "ends %.3f ms after", (to - last) / 1e6));
            }
            throw new IllegalArgumentException("window [" + from + ", " + to + "] ns is outside the power signal, which"
                    + " spans [" + first + ", " + last + "] ns: the window " + why + " it, and a signal is never"
                    + " extrapolated; sample from before the window opens to after it closes");
        }
    }

    /** Valid (non-NaN) samples of one channel. */
    private static final class Series {
        final long[] t;
        final double[] v;
        final String name;

        private Series(long[] t, double[] v, String name) {
            this.t = t;
            this.v = v;
            this.name = name;
        }

        static Series valid(long[] times, double[] values, String name) {
            int n = 0;
            for (double x : values) {
                if (!Double.isNaN(x)) {
                    n++;
                }
            }
            long[] t = new long[n];
            double[] v = new double[n];
            int k = 0;
            for (int i = 0; i < values.length; i++) {
                if (!Double.isNaN(values[i])) {
                    t[k] = times[i];
                    v[k] = values[i];
                    k++;
                }
            }
            return new Series(t, v, name);
        }

        /** The series with its first value held back to {@code from} and its last held on to {@code to}. */
        Series heldOver(long from, long to) {
            int n = t.length;
            boolean before = n > 0 && from < t[0];
            boolean after = n > 0 && to > t[n - 1];
            if (!before && !after) {
                return this;
            }
            long[] nt = new long[n + (before ? 1 : 0) + (after ? 1 : 0)];
            double[] nv = new double[nt.length];
            int k = 0;
            if (before) {
                nt[k] = from;
                nv[k++] = v[0];
            }
            System.arraycopy(t, 0, nt, k, n);
            System.arraycopy(v, 0, nv, k, n);
            k += n;
            if (after) {
                nt[k] = to;
                nv[k] = v[n - 1];
            }
            return new Series(nt, nv, name);
        }

        /**
         * Counter points continued to {@code to} (the last read) past the last update moment, at the
         * last interval's ratio of counter energy to shape energy ({@code shape}), or its mean rate
         * without a shape; unchanged when the last point is already at {@code to} or there is one point.
         */
        Series extendedTo(long to, Piece shape) {
            int n = t.length;
            if (n < 2 || t[n - 1] >= to) {
                return this;
            }
            double delta = v[n - 1] - v[n - 2];
            double added;
            double shapeLast = shape == null ? Double.NaN : shape.integral(0, t[n - 2], t[n - 1]);
            if (shape != null && shapeLast > 0 && Double.isFinite(shapeLast)) {
                added = delta / shapeLast * shape.integral(0, t[n - 1], to);
            } else {
                added = delta / (t[n - 1] - t[n - 2]) * (to - t[n - 1]);
            }
            long[] nt = Arrays.copyOf(t, n + 1);
            double[] nv = Arrays.copyOf(v, n + 1);
            nt[n] = to;
            nv[n] = v[n - 1] + added;
            return new Series(nt, nv, name);
        }

        /** Readings at equal times collapse to the last one (a counter's latest value). */
        Series dedupLast() {
            int m = 0;
            long[] nt = new long[t.length];
            double[] nv = new double[t.length];
            for (int i = 0; i < t.length; i++) {
                if (m > 0 && nt[m - 1] == t[i]) {
                    nv[m - 1] = v[i];
                } else {
                    nt[m] = t[i];
                    nv[m] = v[i];
                    m++;
                }
            }
            return new Series(Arrays.copyOf(nt, m), Arrays.copyOf(nv, m), name);
        }

        void addGaps(String device, long maxGap, List<SampleGap> out) {
            for (int i = 0; i + 1 < t.length; i++) {
                if (t[i + 1] - t[i] > maxGap) {
                    out.add(new SampleGap(device, name, t[i], t[i + 1]));
                }
            }
        }
    }

    /** One device's power: segment {@code k} is {@code [t[k], t[k+1]]}, linear from left to right. */
    private record Piece(long[] t, double[] left, double[] right) {

        /** Constant Δjoules/Δt between readings; a single reading makes a zero-length piece. */
        static Piece ofCounter(Series c) {
            int n = c.t.length;
            double[] w = new double[Math.max(0, n - 1)];
            for (int k = 0; k + 1 < n; k++) {
                w[k] = (c.v[k + 1] - c.v[k]) / ((c.t[k + 1] - c.t[k]) * 1e-9);
            }
            return new Piece(c.t, w, w.clone());
        }

        /**
         * Piecewise linear between valid samples. Samples at equal times make a step: the segment
         * before uses the first value at that time, the segment after the last.
         */
        static Piece ofPower(Series p) {
            int n = p.t.length;
            long[] t = new long[n];
            double[] l = new double[n];
            double[] r = new double[n];
            int m = 0; // unique times so far
            for (int i = 0; i < n; i++) {
                if (m == 0 || t[m - 1] != p.t[i]) {
                    if (m > 0) {
                        r[m - 1] = p.v[i];
                    }
                    t[m] = p.t[i];
                    m++;
                }
                l[m - 1] = p.v[i]; // the last value at this time starts the next segment
            }
            int segments = Math.max(0, m - 1);
            return new Piece(Arrays.copyOf(t, m), Arrays.copyOf(l, segments), Arrays.copyOf(r, segments));
        }

        /** The piece restricted to {@code [from, to]} (both inside its span). */
        Piece clip(long from, long to) {
            if (t.length < 2 || (from <= t[0] && to >= t[t.length - 1])) {
                return this;
            }
            int n = left.length;
            long[] nt = new long[t.length + 2];
            double[] nl = new double[n + 1];
            double[] nr = new double[n + 1];
            int m = 0;
            for (int k = 0; k < n; k++) {
                long x = Math.max(t[k], from);
                long y = Math.min(t[k + 1], to);
                if (y <= x) {
                    continue;
                }
                nt[m] = x;
                nl[m] = value(k, x);
                nr[m] = value(k, y);
                m++;
                nt[m] = y;
            }
            if (m == 0) {
                return new Piece(new long[] {from}, new double[0], new double[0]);
            }
            return new Piece(Arrays.copyOf(nt, m + 1), Arrays.copyOf(nl, m), Arrays.copyOf(nr, m));
        }

        double value(int k, long x) {
            if (left.length == 0) {
                return 0.0; // a single reading: zero-length domain, nothing to integrate
            }
            double span = t[k + 1] - t[k];
            return left[k] + (right[k] - left[k]) * ((x - t[k]) / span);
        }

        /** Integral over {@code [a, b]}, starting the search at segment {@code j} (holding {@code a}). */
        double integral(int j, long a, long b) {
            double s = 0;
            for (int k = j; k < left.length && t[k] < b; k++) {
                long x = Math.max(t[k], a);
                long y = Math.min(t[k + 1], b);
                if (y > x) {
                    s += 0.5 * (value(k, x) + value(k, y)) * ((y - x) * 1e-9);
                }
            }
            return s;
        }
    }
}
