package org.tokenpowerbench.energy;

/**
 * The error budget of one energy figure: its named parts as standard uncertainties (1 σ, joules)
 * and their combination into a 95 % half-width, so a reader knows ± what.
 *
 * <p><b>Terms.</b>
 * <ul>
 *   <li>{@code counterJ}: counter staleness and resolution. Each window edge's counter value sits
 *       in time with the counter timing's standard uncertainty σ<sub>t</sub>
 *       ({@link CounterUpdates#uncertaintyNanos()}: the learned model's residual, or period/√12 for
 *       read instants); an edge misplaced by σ<sub>t</sub> moves {@code power × σ_t} joules across
 *       it. The counter's resolution step q (1 mJ on NVML) adds q/√12 per edge. Two independent
 *       edges: √2 × √((P σ<sub>t</sub>)² + q²/12). 0 without a counter.</li>
 *   <li>{@code samplingJ}: for power-field-only signals, the interpolation between samples. Between
 *       two samples Δt apart the true power may lie anywhere between them; linear interpolation is
 *       off by at most |ΔP| Δt / 2 over the interval, taken as uniform (σ = |ΔP| Δt / (2√3)), the
 *       intervals independent. Where a counter carries the energy the power only shapes it: at
 *       each window edge the smaller part of the counter interval around it, E over T seconds,
 *       rests on the shape, with σ = {@link #SHAPE_SHARE_5S} × E × √(5 s / T) (T at least 0.1 s,
 *       so a split inside one 100 ms update costs about 7 % of its smaller part). This holds for
 *       a long interval (counters read on boundaries only) and for one update alike. The interval
 *       is where the counter's points lie: the first value's update moment comes before the first
 *       read, so a window opening just after that read still splits the interval from that moment
 *       (that part taken at the power of the trace's first instant). An edge after the last
 *       counter point (the signal carries the last value on to the last read by the shape) rests
 *       on the shape for all of the stretch since that point.</li>
 *   <li>{@code accuracy}: the sensor's own accuracy ({@link SensorAccuracy}), read as a 95 % bound on
 *       the share of the energy, so σ = share × E / 1.96; left out (and said so) where not stated.</li>
 * </ul>
 * <b>Rule.</b> The terms are independent, so σ = √(counter² + sampling² + accuracy²) and the 95 %
 * half-width is 1.96 σ. The spread over iterations and, with several forks, the spread between
 * runs are combined later, per trial, the same way ({@link TrialBudget}).
 *
 * @param joules    the figure the budget belongs to
 * @param counterJ  counter timing and resolution, 1 σ
 * @param samplingJ interpolation between power samples, 1 σ
 * @param accuracy  the sensor's stated accuracy (NaN share when not stated)
 */
public record EnergyBudget(double joules, double counterJ, double samplingJ, SensorAccuracy accuracy) {

    /** The 95 % coverage factor of a normal distribution. */
    public static final double K95 = 1.96;
    /**
     * How far a power shape's energy strays from the counter's over 5 s between exactly placed
     * counter updates, 1 σ: 1 %. Measured on an H200 (driver 580.159.04) for the driver's power
     * buffer against the counter's own updates, in three independent counter logs of llama-server
     * sweeps (session 13, docs/gpu-proof.md): over 5 s windows above 140 W the counter-to-buffer
     * ratio strayed from 1 by 0.70 % rms (55 windows), by 0.95 % for the 8B shape alone (23
     * windows; 1.86 % over 1 s, 0.56 % over 10 s, about as 1/√T), up to 2.7 %. It is not a bias:
     * the means per power level lie within 0.5 % of 1. A 1B-only sweep had said 0.37 % (session 9).
     * Inside one 100 ms update the formula gives 7 % of the smaller part; the same buffer
     * integrated to each whole update within 1.64 J rms under loads of 110-930 W
     * (tools/nvml-crosscheck/README.md), a few per cent of an update's energy. Field 186's spread
     * was not measured over seconds; the same share is used for it.
     */
    public static final double SHAPE_SHARE_5S = 0.01;
    /** NVML's counter resolution: whole millijoules. */
    public static final double COUNTER_STEP_J = 1e-3;

    /** The budget of {@code signal}'s energy {@code joules} over {@code [from, to]}. */
    public static EnergyBudget of(PowerSignal signal, long from, long to, double joules, SensorAccuracy accuracy) {
        double timing = 0;
        boolean counter = false;
        for (SignalSource s : signal.sources()) {
            if (s.counterChannel() != null) {
                counter = true;
                timing = Math.max(timing, s.counterTimingUncertaintyNanos());
            }
        }
        double counterJ = 0;
        double samplingJ = 0;
        if (counter) {
            double edge = Math.max(Math.abs(signal.wattsAt(from)), Math.abs(signal.wattsAt(to))) * timing * 1e-9;
            counterJ = Math.sqrt(2 * (edge * edge + COUNTER_STEP_J * COUNTER_STEP_J / 12));
            double sum = 0;
            for (long x : new long[] {from, to}) {
                long[] around = signal.shapedCounterIntervalAround(x);
                if (around == null) {
                    continue;
                }
                double part;
                long span;
                if (around[1] == x) { // past the last counter point: the whole stretch is the shape's
                    part = Math.abs(energyReaching(signal, around[0], x));
                    span = x - around[0];
                } else {
                    double before = Math.abs(energyReaching(signal, around[0], x));
                    double after = Math.abs(energyReaching(signal, x, around[1]));
                    part = Math.min(before, after);
                    span = before <= after ? x - around[0] : around[1] - x;
                }
                double term = part * SHAPE_SHARE_5S * Math.sqrt(5e9 / Math.max(100_000_000L, span));
                sum += term * term;
            }
            samplingJ = Math.sqrt(sum);
        } else {
            long step = Math.max(1, signal.counterTiming().nominalPeriodNanos());
            double sum = 0;
            double before = signal.wattsAt(from);
            for (long t = from + step; t < to + step; t += step) {
                long at = Math.min(t, to);
                double now = signal.wattsAt(at);
                double part = Math.abs(now - before) * (at - (t - step)) * 1e-9 / (2 * Math.sqrt(3));
                sum += part * part;
                before = now;
            }
            samplingJ = Math.sqrt(sum);
        }
        return new EnergyBudget(joules, counterJ, samplingJ, accuracy);
    }

    /**
     * The signal's energy over {@code [a, b]}, where a counter interval may reach outside the
     * signal's domain (its first value's update moment lies before the first read): the part
     * outside is taken at the power of the domain's nearest edge. A magnitude for the shape term,
     * not a measurement of the energy out there.
     */
    private static double energyReaching(PowerSignal signal, long a, long b) {
        long lo = Math.max(a, signal.startNanos());
        long hi = Math.min(b, signal.endNanos());
        double inside = hi > lo ? signal.energyJoules(lo, hi) : 0;
        double early = a < signal.startNanos() ? Math.abs(signal.wattsAt(signal.startNanos())) * (signal.startNanos() - a) * 1e-9 : 0;
        double late = b > signal.endNanos() ? Math.abs(signal.wattsAt(signal.endNanos())) * (b - signal.endNanos()) * 1e-9 : 0;
        return inside + early + late;
    }

    /** The accuracy term as 1 σ in joules; 0 when not stated (and {@link #accuracy()} says so). */
    public double accuracyJ() {
        return accuracy.stated() ? accuracy.share() * Math.abs(joules) / K95 : 0;
    }

    /** Combined standard uncertainty: the terms in quadrature. */
    public double sigmaJ() {
        return Math.sqrt(counterJ * counterJ + samplingJ * samplingJ + accuracyJ() * accuracyJ());
    }

    /** The 95 % half-width in joules: 1.96 σ. */
    public double halfWidthJ() {
        return K95 * sigmaJ();
    }

    /** The 95 % half-width as a share of the figure; NaN for a zero figure. */
    public double relativeHalfWidth() {
        return joules != 0 ? halfWidthJ() / Math.abs(joules) : Double.NaN;
    }

    /** The 95 % half-width of {@code value}, a figure proportional to this energy (J/token: tokens are counted exactly). */
    public double halfWidthOf(double value) {
        double r = relativeHalfWidth();
        return Double.isFinite(r) ? Math.abs(value) * r : Double.NaN;
    }

    /**
     * A trial's 95 % half-width from the spread over its iterations ({@code spreadHalfWidth}, the
     * 95 % interval of the mean) and the mean per-wave measurement half-width: in quadrature. The
     * measurement term is kept whole (not divided by √n) because its stated-accuracy part is the
     * same in every wave and does not average out. {@link TrialBudget} adds the between-runs term
     * where a trial has several forks.
     */
    public static double trialHalfWidth(double spreadHalfWidth, double measurementHalfWidth) {
        return Math.hypot(Double.isFinite(spreadHalfWidth) ? spreadHalfWidth : 0,
                Double.isFinite(measurementHalfWidth) ? measurementHalfWidth : 0);
    }
}
