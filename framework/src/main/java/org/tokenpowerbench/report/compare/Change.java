package org.tokenpowerbench.report.compare;

/**
 * One metric of one trial, base against new.
 *
 * @param trial    the trial ({@code Benchmark.method batch=8 ...})
 * @param metric   the metric's label ({@code nvml.J/outputToken}, {@code ttft.p50}, {@code wave})
 * @param base     the base run's figures
 * @param now      the new run's figures
 * @param interval Welch's 95 % interval of {@code new − base}; null with {@link Verdict#NO_INTERVAL}
 * @param verdict  what it amounts to
 */
record Change(String trial, String metric, IterationStats base, IterationStats now, WelchInterval interval,
              Verdict verdict) {

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

    /** The verdict for a base and a new figure under {@code threshold} (a fraction, 0.02 for 2 %). */
    static Change of(String trial, String metric, IterationStats base, IterationStats now, double threshold) {
        if (!base.hasSpread() || !now.hasSpread()) {
            return new Change(trial, metric, base, now, null, Verdict.NO_INTERVAL);
        }
        WelchInterval interval = WelchInterval.of(base, now, WelchInterval.LEVEL);
        Change c = new Change(trial, metric, base, now, interval, Verdict.NO_DIFFERENCE);
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
        return new Change(trial, metric, base, now, interval, verdict);
    }
}
