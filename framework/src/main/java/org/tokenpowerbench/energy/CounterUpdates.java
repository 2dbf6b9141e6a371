package org.tokenpowerbench.energy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * When a cumulative energy counter really took the values its reads show.
 *
 * <p><b>Why.</b> NVML's total-energy counter on an H200 advances in steps about every 100 ms; a
 * read returns the value of the latest step, which may be up to one step old. Taking the value as
 * the energy at the instant of the read moves up to one step of energy (≈ 44 J at 440 W) across
 * each window edge. This class learns the counter's update moments from the reads themselves and
 * gives every counter value its true time, the update moment at which it appeared.
 *
 * <p><b>How.</b> A read that shows a new value bounds an update between the previous read and
 * itself: a <em>bracket</em>. Brackets narrower than half the nominal update period are
 * <em>tight</em> (they hold exactly one update). For every tight bracket, the tight brackets
 * within {@link #PERIOD_NEIGHBOURHOOD_NANOS} of it fix a local period (the line through their
 * brackets that leaves the most room, numbered with the nominal period over ±1.5 s first, then with
 * the local period, so a slowly drifting period is tracked), but only where the nominal period
 * does not fit them within the steps' scatter and they span enough updates to measure another;
 * else the nominal period is kept. Those within
 * {@link #NEIGHBOURHOOD_NANOS} fix a local phase (the intersection of every neighbour's bracket
 * moved onto this one by whole periods; its centre, or the line that violates them least where
 * an outlier leaves it empty). A
 * value then gets the latest modelled update at or before its first read, from the nearest anchor,
 * kept after the read before it (the hard bound). Where later reads still show the value after
 * the next modelled update, that update really came before the value's first read (a read taken
 * within the model's jitter of a step), and the value is placed at its first read.
 *
 * <p><b>A sensor's grid.</b> A trace with fewer than three tight brackets may still get update
 * moments from a {@link CounterGrid} its sensor learned before the trace (reads on window boundaries
 * only, say): the same placement, from the grid's anchor and period.
 *
 * <p><b>When it cannot learn</b> (and no grid is given) it keeps the read instants and says why ({@link #describe()}):
 * fewer than three tight brackets (the counter was not read densely enough), or a counter that
 * changes at every read closer than the period (older GPUs whose counter is fresh at each read:
 * then the read instant <em>is</em> the update moment).
 *
 * @see PowerSignal
 */
public final class CounterUpdates {

    /** How far around a bracket its neighbours are taken for the local phase. */
    public static final long NEIGHBOURHOOD_NANOS = 2_000_000_000L;
    /** How far around a bracket its neighbours are taken for the local period (it drifts slowly). */
    public static final long PERIOD_NEIGHBOURHOOD_NANOS = 10_000_000_000L;
    /** Neighbours over which the nominal period numbers updates safely even if it is 3 % off. */
    private static final long FIRST_PASS_NANOS = 1_500_000_000L;
    /**
     * The most a period measured between two brackets may be off, as a share of the nominal one,
     * for {@code numbered} to count gaps with it: 0.5 %, a tenth of a period over a 2 s gap. Two
     * 32 ms brackets 300 ms apart measure the period only to ±11 %, and counting a few seconds with
     * such a period put a grid's updates 50 ms off (a fake driver, eight GPUs with 4 ms reads).
     */
    private static final double PERIOD_ESTIMATE_TOLERANCE = 0.005;
    /**
     * How far a step may lie off its grid's line: ±3 ms on an H200 and an H100 (the dense counter
     * logs of docs/gpu-proof.md). A local period is fitted only where the nominal one misses the
     * brackets by more than this ({@code nominalFits}) and the brackets span enough updates that
     * this at either end, with their own widths, leaves the fit within
     * {@link #PERIOD_ESTIMATE_TOLERANCE} ({@code periodMeasurable}). Three brackets within 0.4 s of
     * a fork's start gave 98.333 ms on an H100 (session 27), which dated a 4.6 s wave's edges tens
     * of ms off.
     */
    private static final double STEP_SCATTER_NANOS = 3_000_000;

    private final long[] times;
    private final double[] values;
    private final boolean learned;
    private final double periodNanos;
    private final double uncertaintyNanos;
    private final String description;
    /** Whether the points' moments come from a fitted model (the trace's brackets or a grid), not from reads. */
    private final boolean fitted;

    private CounterUpdates(long[] times, double[] values, boolean learned, double periodNanos, double uncertaintyNanos,
                           String description) {
        this(times, values, learned, periodNanos, uncertaintyNanos, description, false);
    }

    private CounterUpdates(long[] times, double[] values, boolean learned, double periodNanos, double uncertaintyNanos,
                           String description, boolean fitted) {
        this.fitted = fitted;
        this.times = times;
        this.values = values;
        this.learned = learned;
        this.periodNanos = periodNanos;
        this.uncertaintyNanos = uncertaintyNanos;
        this.description = description;
    }

    /**
     * The counter's values at their read instants, as the reads show them: what the signal did
     * before this class existed ({@code -Dtpb.counterTiming=read}). Equal consecutive values are
     * kept (each read is a point).
     */
    public static CounterUpdates atReads(long[] t, double[] v, long nominalPeriodNanos, String why) {
        return new CounterUpdates(t.clone(), v.clone(), false, nominalPeriodNanos,
                nominalPeriodNanos / Math.sqrt(12), "counter values at their read instants (" + why + ")");
    }

    /**
     * Learns the update moments from reads {@code t} (strictly increasing, nanoseconds) of values
     * {@code v} (non-decreasing), given the period the sensor nominally updates at.
     *
     * @param nominalPeriodNanos the sensor's update period, e.g. 100 ms for NVML; positive
     */
    public static CounterUpdates learn(long[] t, double[] v, long nominalPeriodNanos) {
        return learn(t, v, nominalPeriodNanos, null);
    }

    /**
     * As {@link #learn(long[], double[], long)}, but where the reads hold fewer than three tight
     * brackets and {@code grid} is given, each value is placed on that grid instead of at its read:
     * at the latest grid moment not after its first read, by the same rules as learned moments.
     *
     * @param grid the sensor's grid for this counter, learned before the trace; null for none
     */
    public static CounterUpdates learn(long[] t, double[] v, long nominalPeriodNanos, CounterGrid grid) {
        if (nominalPeriodNanos <= 0) {
            throw new IllegalArgumentException("nominalPeriodNanos=" + nominalPeriodNanos + " must be positive");
        }
        if (t.length != v.length) {
            throw new IllegalArgumentException(t.length + " read times but " + v.length + " values");
        }
        int n = t.length;
        // brackets: reads showing a new value, with the read before them
        List<Integer> tight = new ArrayList<>();
        int closePairs = 0;
        int closeUnchanged = 0;
        for (int i = 1; i < n; i++) {
            long width = t[i] - t[i - 1];
            if (2 * width <= nominalPeriodNanos) {
                closePairs++;
                if (v[i] == v[i - 1]) {
                    closeUnchanged++;
                } else {
                    tight.add(i);
                }
            }
        }
        if (closePairs >= 3 && closeUnchanged == 0) {
            return atReads(t, v, nominalPeriodNanos, "it changed at every one of " + closePairs
                    + " reads closer than half its update period, so it is fresh at each read")
                    .withUncertainty(0, true);
        }
        if (tight.size() < 3 && grid != null && n > 0) {
            double[] model = {grid.anchorNanos(), grid.periodNanos()};
            Placed points = place(t, v, x -> model);
            String d = String.format(Locale.ROOT, "update moments from %s (this trace has %d tight bracket(s)):"
                    + " period %.3f ms, an update moment known to ±%.2f ms (1 σ)", grid.source(), tight.size(),
                    grid.periodNanos() / 1e6, grid.sigmaNanos() / 1e6);
            return new CounterUpdates(points.times, points.values, true, grid.periodNanos(), grid.sigmaNanos(), d, true);
        }
        if (tight.size() < 3) {
            return atReads(t, v, nominalPeriodNanos, "only " + tight.size() + " read(s) caught an update within half"
                    + " an update period of the read before, 3 are needed to learn its update moments");
        }
        int m = tight.size();
        double[] lo = new double[m];
        double[] hi = new double[m];
        for (int k = 0; k < m; k++) {
            lo[k] = t[tight.get(k) - 1];
            hi[k] = t[tight.get(k)];
        }
        double[] number = numbered(lo, hi, nominalPeriodNanos);
        double[] anchor = new double[m];
        double[] period = new double[m];
        double[] sigma = new double[m];
        for (int j = 0; j < m; j++) {
            fitAround(j, lo, hi, number, nominalPeriodNanos, anchor, period, sigma);
        }
        int[] cursor = {0};
        Placed points = place(t, v, x -> {
            while (cursor[0] + 1 < m && Math.abs(hi[cursor[0] + 1] - x) <= Math.abs(hi[cursor[0]] - x)) {
                cursor[0]++;
            }
            return new double[] {anchor[cursor[0]], period[cursor[0]] > 0 ? period[cursor[0]] : nominalPeriodNanos};
        });
        double meanPeriod = 0;
        double sigmaSq = 0;
        for (int j = 0; j < m; j++) {
            meanPeriod += period[j] / m;
            sigmaSq += sigma[j] * sigma[j] / m;
        }
        double u = Math.sqrt(sigmaSq);
        String d = String.format(Locale.ROOT, "update moments learned from %d tight brackets: period %.3f ms,"
                + " an update moment known to ±%.2f ms (1 σ)", m, meanPeriod / 1e6, u / 1e6);
        return new CounterUpdates(points.times, points.values, true, meanPeriod, u, d, true);
    }

    /** The counter's points: one per run of equal values. */
    private record Placed(long[] times, double[] values) {
    }

    /**
     * One point per run of equal values, at the latest modelled update not after its first read.
     * {@code model} gives {anchor, period} near a read instant; it is asked in increasing time.
     */
    private static Placed place(long[] t, double[] v, java.util.function.LongFunction<double[]> model) {
        int n = t.length;
        long[] ut = new long[n];
        double[] uv = new double[n];
        int[] first = new int[n];
        int runs = 0;
        for (int i = 0; i < n; i++) {
            if (i > 0 && v[i] == v[i - 1]) {
                continue;
            }
            double[] ap = model.apply(t[i]);
            double p = ap[1];
            double u = ap[0] + p * Math.floor((t[i] - ap[0]) / p);
            long moment = (long) Math.floor(u);
            if (moment > t[i]) {
                moment = t[i];
            }
            int last = i;
            while (last + 1 < n && v[last + 1] == v[i]) {
                last++;
            }
            if (u + p <= t[last] && t[last] - (u + p) >= (u + p) - t[i]) {
                // the reads still show this value after the next modelled update, and that update would have had
                // to come later than that more than it would have had to come early before the first read: it
                // really came before the first read (the model is off by its jitter here), so the value is that fresh
                moment = t[i];
            }
            if (i > 0 && moment <= t[i - 1]) {
                // the value changed between the two reads, yet the model has no update there: the real one is
                // the modelled update just before them (come late) or just after (come early), whichever is nearer
                boolean late = t[i - 1] - u <= u + p - t[i];
                moment = late ? t[i - 1] + 1 : t[i];
                if (late && runs > 0 && ut[runs - 1] >= (long) Math.floor(u)) {
                    // that late update came after the read before, so the value read there (placed at it) came
                    // from the update before it: no earlier than its own first read's predecessor, nor its run's
                    int f = first[runs - 1];
                    long bound = Math.max(f > 0 ? t[f - 1] + 1 : Long.MIN_VALUE, runs > 1 ? ut[runs - 2] + 1 : Long.MIN_VALUE);
                    ut[runs - 1] = Math.max(bound, (long) Math.floor(u - p));
                }
            }
            if (runs > 0 && moment <= ut[runs - 1]) {
                moment = ut[runs - 1] + 1;
            }
            ut[runs] = moment;
            uv[runs] = v[i];
            first[runs] = i;
            runs++;
        }
        return new Placed(Arrays.copyOf(ut, runs), Arrays.copyOf(uv, runs));
    }

    /**
     * The grid a sensor's own tight brackets give ({@code lo[k] < update ≤ hi[k]}, in time order):
     * the brackets numbered with the nominal period and moved onto the latest one by whole nominal
     * periods; the update there is the middle of their intersection (or, where the steps' scatter
     * leaves none, of the least violation). Its uncertainty: the intersection's width over √12 and
     * the steps' own scatter about the grid (the spread of the brackets' middles around it less what
     * their widths explain, or the violation as a uniform ± where that is larger), in quadrature.
     * The nominal period, not a fitted one, carries it forward: a period fitted over a few seconds
     * of brackets is less sure than the nominal one is right (an H200's was 100.001 ms), and it
     * would carry its error a whole run.
     *
     * @param source who made the brackets, for {@link #describe()}
     * @return null for fewer than three brackets
     */
    public static CounterGrid gridFrom(long[] lo, long[] hi, long nominalPeriodNanos, String source) {
        int m = Math.min(lo.length, hi.length);
        if (m < 3) {
            return null;
        }
        double[] l = new double[m];
        double[] h = new double[m];
        for (int k = 0; k < m; k++) {
            l[k] = lo[k];
            h[k] = hi[k];
        }
        double[] number = numbered(l, h, nominalPeriodNanos);
        double[] r = room(nominalPeriodNanos, m - 1, 0, m - 1, l, h, number);
        double width = r[1] >= r[0] ? (r[1] - r[0]) / Math.sqrt(12) : 0.0;
        double violation = r[1] < r[0] ? 0.5 * (r[0] - r[1]) : 0.0;
        double anchor = 0.5 * (r[0] + r[1]);
        // each step also scatters about the grid (±3 ms on an H200): the brackets' middles spread by that and by
        // their own widths (uniform within a bracket: width²/12), so what is left of their spread is the scatter's
        double spread = 0;
        double widths = 0;
        for (int k = 0; k < m; k++) {
            double d = 0.5 * (l[k] + h[k]) - (anchor + nominalPeriodNanos * (number[k] - number[m - 1]));
            spread += d * d / m;
            widths += (h[k] - l[k]) * (h[k] - l[k]) / 12.0 / m;
        }
        double scatter = Math.max(0, spread - widths);
        return new CounterGrid((long) Math.floor(anchor), nominalPeriodNanos,
                Math.sqrt(width * width + Math.max(scatter, violation * violation / 3)), source + " (" + m + " tight brackets)");
    }

    /**
     * These points with their moments' uncertainty raised to at least {@code nanos}: where the
     * device's updates are known to scatter about their grid by that much, a fitted moment is
     * never known better. Points at read instants or from a counter fresh at every read are
     * returned as they are.
     */
    CounterUpdates withUncertaintyAtLeast(double nanos) {
        if (!fitted || uncertaintyNanos >= nanos) {
            return this;
        }
        return new CounterUpdates(times, values, learned, periodNanos, nanos, description
                + String.format(Locale.ROOT, ", raised to ±%.2f ms, the device's measured scatter of its updates", nanos / 1e6),
                true);
    }

    private CounterUpdates withUncertainty(double nanos, boolean fresh) {
        return new CounterUpdates(times, values, fresh, periodNanos, nanos, description);
    }

    /**
     * Numbers the tight brackets' updates in order: each one the previous number plus the whole
     * periods between their midpoints, counted with the period of the last few brackets (the
     * nominal one to begin with), so that a drifting period never miscounts a gap of a few seconds.
     */
    private static double[] numbered(double[] lo, double[] hi, double nominal) {
        int m = lo.length;
        double[] n = new double[m];
        double p = nominal;
        int base = 0;
        for (int k = 1; k < m; k++) {
            double gap = 0.5 * (lo[k] + hi[k]) - 0.5 * (lo[k - 1] + hi[k - 1]);
            n[k] = n[k - 1] + Math.max(1, Math.rint(gap / p));
            while (base < k - 1 && 0.5 * (lo[k] + hi[k]) - 0.5 * (lo[base] + hi[base]) > FIRST_PASS_NANOS * 4) {
                base++;
            }
            if (n[k] > n[base]) {
                double span = 0.5 * (lo[k] + hi[k]) - 0.5 * (lo[base] + hi[base]);
                double estimate = span / (n[k] - n[base]);
                // a bracket's step may lie anywhere in it: the estimate is off by up to this much
                double error = 0.5 * ((hi[k] - lo[k]) + (hi[base] - lo[base])) / (n[k] - n[base]);
                if (Math.abs(estimate / nominal - 1) < 0.1 && error < PERIOD_ESTIMATE_TOLERANCE * nominal) {
                    p = estimate;
                }
            }
        }
        return n;
    }

    /**
     * The local update moment and period at tight bracket {@code j}: among the lines
     * {@code u(n) = φ + p·n} through the neighbours' brackets, the one that leaves the most room
     * (the largest smallest slack to a bracket's ends, a minimax fit: found by ternary search over
     * {@code p}, since the room is a concave function of it); its moment at {@code j} is the middle
     * of the room. Where jitter or an outlier leaves no room, the same line violates the brackets
     * least, by the violation, which then counts as jitter in the uncertainty.
     */
    private static void fitAround(int j, double[] lo, double[] hi, double[] number, double nominal, double[] anchor,
                                  double[] period, double[] sigma) {
        int[] wide = neighbours(j, lo, hi, PERIOD_NEIGHBOURHOOD_NANOS);
        int[] near = neighbours(j, lo, hi, NEIGHBOURHOOD_NANOS);
        double p = nominal;
        if (!nominalFits(j, wide[0], wide[1], lo, hi, number, nominal)
                && periodMeasurable(wide[0], wide[1], lo, hi, number, nominal)) {
            double a = 0.9 * nominal;
            double b = 1.1 * nominal;
            for (int it = 0; it < 100; it++) {
                double m1 = a + (b - a) / 3;
                double m2 = b - (b - a) / 3;
                if (room(m1, j, wide[0], wide[1], lo, hi, number)[2] < room(m2, j, wide[0], wide[1], lo, hi, number)[2]) {
                    a = m1;
                } else {
                    b = m2;
                }
            }
            // the room is flat where bracket j's own width limits it: take the middle of that plateau
            double best = room(0.5 * (a + b), j, wide[0], wide[1], lo, hi, number)[2] - 1_000;
            double left = plateauEdge(0.9 * nominal, 0.5 * (a + b), best, j, wide, lo, hi, number);
            double right = plateauEdge(1.1 * nominal, 0.5 * (a + b), best, j, wide, lo, hi, number);
            p = 0.5 * (left + right);
        }
        int from = near[0];
        int to = near[1];
        double[] r = room(p, j, from, to, lo, hi, number);
        double low = r[0];
        double high = r[1];
        double u = Math.max(lo[j] + 1, Math.min(hi[j], 0.5 * (low + high))); // the step came after lo[j]
        double s = Math.abs(high - low) / Math.sqrt(12);
        double jitter = high < low ? 0.5 * (low - high) : 0.0;
        anchor[j] = u;
        period[j] = p;
        sigma[j] = Math.sqrt(s * s + jitter * jitter);
    }

    /**
     * Whether the nominal period fits brackets {@code from..to}: some line at that period passes
     * through every bracket widened by the steps' scatter ({@link #STEP_SCATTER_NANOS}) on each
     * side. Then no fitted period is taken, however many brackets there are: a device's period is
     * known far better than a few seconds of scattered steps measure it (an H200's and an H100's
     * were 100.000 ms in every counter log), and steps that came early at one end and late at the
     * other tilt a fitted line by 0.2 % over 3 s, 10 ms at a 5 s wave's far edge.
     */
    private static boolean nominalFits(int j, int from, int to, double[] lo, double[] hi, double[] number, double nominal) {
        return room(nominal, j, from, to, lo, hi, number)[2] >= -2 * STEP_SCATTER_NANOS;
    }

    /**
     * Whether brackets {@code from..to} span enough updates to measure the period within
     * {@link #PERIOD_ESTIMATE_TOLERANCE}, given where in them their steps may lie and how far the
     * steps scatter ({@link #STEP_SCATTER_NANOS}) at either end.
     */
    private static boolean periodMeasurable(int from, int to, double[] lo, double[] hi, double[] number, double nominal) {
        double updates = number[to] - number[from];
        if (updates <= 0) {
            return false;
        }
        double error = (0.5 * ((hi[from] - lo[from]) + (hi[to] - lo[to])) + 2 * STEP_SCATTER_NANOS) / updates;
        return error < PERIOD_ESTIMATE_TOLERANCE * nominal;
    }

    /** Bisects from {@code inside} (room ≥ best) towards {@code outside} for where the room falls below best. */
    private static double plateauEdge(double outside, double inside, double best, int j, int[] wide, double[] lo,
                                      double[] hi, double[] number) {
        if (room(outside, j, wide[0], wide[1], lo, hi, number)[2] >= best) {
            return outside;
        }
        for (int it = 0; it < 60; it++) {
            double m = 0.5 * (outside + inside);
            if (room(m, j, wide[0], wide[1], lo, hi, number)[2] >= best) {
                inside = m;
            } else {
                outside = m;
            }
        }
        return inside;
    }

    /** {first, last} tight bracket whose midpoint lies within {@code reach} of bracket j's. */
    private static int[] neighbours(int j, double[] lo, double[] hi, long reach) {
        double mid = 0.5 * (lo[j] + hi[j]);
        int from = j;
        int to = j;
        while (from > 0 && mid - 0.5 * (lo[from - 1] + hi[from - 1]) <= reach) {
            from--;
        }
        while (to + 1 < lo.length && 0.5 * (lo[to + 1] + hi[to + 1]) - mid <= reach) {
            to++;
        }
        return new int[] {from, to};
    }

    /** {lowest, highest moment at j consistent with brackets from..to under period p, their difference}. */
    private static double[] room(double p, int j, int from, int to, double[] lo, double[] hi, double[] number) {
        double low = Double.NEGATIVE_INFINITY;
        double high = Double.POSITIVE_INFINITY;
        for (int k = from; k <= to; k++) {
            double shift = p * (number[k] - number[j]);
            low = Math.max(low, lo[k] - shift);
            high = Math.min(high, hi[k] - shift);
        }
        return new double[] {low, high, high - low};
    }

    /** The instants of the points: update moments when learned, else the reads. */
    public long[] times() {
        return times.clone();
    }

    /** The counter's value at each of {@link #times()}. */
    public double[] values() {
        return values.clone();
    }

    /** Whether the points sit at update moments (learned, or a counter fresh at every read). */
    public boolean atUpdateMoments() {
        return learned;
    }

    /** The (mean local) update period in nanoseconds: learned, or the nominal one. */
    public double periodNanos() {
        return periodNanos;
    }

    /**
     * Standard uncertainty of a point's instant in nanoseconds: the residual of the learned model,
     * 0 for a counter fresh at every read, and period / √12 for read instants (the staleness of a
     * read, uniform over one period).
     */
    public double uncertaintyNanos() {
        return uncertaintyNanos;
    }

    /** One line on what the points' instants are and how well they are known. */
    public String describe() {
        return description;
    }
}
