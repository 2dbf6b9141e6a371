package org.tokenpowerbench.report.compare;

/**
 * One metric of one trial, base against new.
 *
 * @param trial    the trial ({@code Benchmark.method batch=8 ...})
 * @param metric   the metric's label ({@code nvml.J/outputToken}, {@code ttft.p50}, {@code wave})
 * @param base     the base run's figures
 * @param now      the new run's figures
 * @param interval Welch's 95 % interval of {@code new − base}; null with {@link Verdict#NO_INTERVAL}
 * @param overForks whether the interval's samples are the forks' means (both sides ran two forks or
 *                  more), so it holds the between-runs spread; else they are the iterations
 * @param verdict  what it amounts to
 */
record Change(String trial, String metric, IterationStats base, IterationStats now, WelchInterval interval,
              boolean overForks, Verdict verdict) {

    /**
     * Whether the metric is measured once a run and repeated in every iteration: the managed engine's
     * start-up ({@code engine.startup.*}, {@code <sensor>.engine.startup.J}), which the host measures
     * before the first fork ({@code RequestMetricsProfiler.startup}). Welch's interval over such
     * repeats has no width, and would call one measurement against another a certain change.
     */
    static boolean onceARun(String metric) {
        return metric.startsWith("engine.startup.") || metric.contains(".engine.startup.");
    }

    /** The change relative to the base mean ({@code 0.2} for +20 %); NaN when the base is 0. */
    double relative() {
        return base.mean() == 0 ? Double.NaN : (now.mean() - base.mean()) / Math.abs(base.mean());
    }

    /** The interval's ends relative to the base mean. */
    double relativeLow() {
        return interval == null || base.mean() == 0 ? Double.NaN : interval.low() / Math.abs(base.mean());
    }

    double relativeHigh() {
        return interval == null || base.mean() == 0 ? Double.NaN : interval.high() / Math.abs(base.mean());
    }

    /**
     * The verdict for a base and a new figure under {@code threshold} (a fraction, 0.02 for 2 %).
     *
     * <p>Where both sides ran two forks or more, Welch's interval takes the forks' means as its
     * samples ({@link IterationStats#overForks()}). A fork is a fresh JVM, and the GPU's clocks,
     * temperature and the server's state move between forks but hardly within one, so iterations
     * of one fork are not independent draws of a rerun: on an H200 five reruns of one point were
     * ± 4 % apart while each run's own interval was under 1 % ({@link org.tokenpowerbench.energy.TrialBudget}).
     * A fork's mean is such a draw, its variance σ²(between) + σ²(within)/m for m iterations, and
     * the sample variance of k fork means estimates exactly that, so the interval holds both terms
     * without a model of how they split. With k forks and the same spread s on both sides its
     * half-width is t · s · √(2/k), the form of the trial budget's between-runs term, on 2(k − 1)
     * degrees of freedom where the budget, which sees one side, has k − 1. The price is few degrees
     * of freedom: with two or three forks the interval is wide, as it should be for so few reruns.
     * Where a side ran one fork nothing measures the between-runs spread, and the iterations are
     * the samples, as before; the Markdown says so.
     */
    static Change of(String trial, String metric, IterationStats base, IterationStats now, double threshold) {
        if (onceARun(metric)) {
            return new Change(trial, metric, base, now, null, false, Verdict.ONCE_A_RUN);
        }
        boolean overForks = base.hasForkSpread() && now.hasForkSpread();
        IterationStats b = overForks ? base.overForks() : base;
        IterationStats n = overForks ? now.overForks() : now;
        if (!b.hasSpread() || !n.hasSpread()) {
            return new Change(trial, metric, base, now, null, false, Verdict.NO_INTERVAL);
        }
        WelchInterval interval = WelchInterval.of(b, n, WelchInterval.LEVEL);
        Change c = new Change(trial, metric, base, now, interval, overForks, Verdict.NO_DIFFERENCE);
        double relative = c.relative();
        boolean beyond = base.mean() == 0 ? interval.difference() != 0 : Math.abs(relative) >= threshold;
        if (!interval.excludesZero() || !beyond) {
            return c;
        }
        boolean up = interval.difference() > 0;
        Verdict verdict = switch (Direction.of(metric, base.unit())) {
            case LOWER_IS_BETTER -> up ? Verdict.WORSE : Verdict.BETTER;
            case HIGHER_IS_BETTER -> up ? Verdict.BETTER : Verdict.WORSE;
            case NEITHER -> up ? Verdict.UP : Verdict.DOWN;
        };
        return new Change(trial, metric, base, now, interval, overForks, verdict);
    }
}
