package org.tokenpowerbench.report;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Whether a trial's forks ran its engine at different paces: their TPOT p50 {@link #RATIO} or more
 * apart. A host can change the speed of the core an engine is paced by between two forks of one run
 * (session 25 on an H100, docs/gpu-proof.md: a run's first fork at TPOT 14.8 ms, the next two at 9.8
 * and 9.6); J/outputToken, which carries the idle power over the wave's time, follows it, and the
 * between-runs term of its interval grows with it (±54 % there). The closing summary and the report
 * say so, with each fork's figures, so that a wide interval comes with its reason.
 */
public final class ForkPace {

    /**
     * How far apart the forks' TPOT p50 may be before the pace counts as changed: 25 %. A judgement
     * from session 25's sixteen reruns of one point: within one pace their forks' means were at most
     * 17 % apart; the run whose forks straddled a change of pace, 54 %.
     */
    public static final double RATIO = 1.25;

    /** What a change of pace between forks means for the figures, and what to compare by. */
    public static final String CONSEQUENCE = "J/outputToken's between-runs term, and so its interval, holds that"
            + " change; compare by dynamic.energy/outputToken, which follows the work";

    private ForkPace() {
    }

    /**
     * The forks' figures where the trial's forks ran at different paces, e.g. {@code TPOT p50 by fork
     * 14.8, 9.83, 9.61 ms; nvml.J/outputToken 0.183, 0.143, 0.141; nvml.dynamic.energy/outputToken
     * 0.0597, 0.0614, 0.0619}; null where they did not, or fewer than two forks' TPOT are known.
     *
     * @param energy the sensor's {@code <s>.J/outputToken} label, whose fork means (and those of its
     *               {@code dynamic.energy/outputToken}) are added where known; null for none
     */
    public static String describe(TrialResult trial, String energy) {
        double[] tpot = forkMeans(trial.metrics().get("tpot.p50"));
        if (tpot.length < 2) {
            return null;
        }
        double low = Arrays.stream(tpot).min().orElseThrow();
        double high = Arrays.stream(tpot).max().orElseThrow();
        if (!(low > 0) || high < RATIO * low) {
            return null;
        }
        StringBuilder b = new StringBuilder("TPOT p50 by fork ").append(joined(tpot)).append(" ms");
        if (energy != null) {
            for (String label : List.of(energy, energy.replace(".J/outputToken", ".dynamic.energy/outputToken"))) {
                double[] v = forkMeans(trial.metrics().get(label));
                if (v.length == tpot.length) {
                    b.append("; ").append(label).append(' ').append(joined(v));
                }
            }
        }
        return b.toString();
    }

    /** The metric's fork means, every one finite; empty where the metric or any mean is missing. */
    private static double[] forkMeans(Metric m) {
        if (m == null) {
            return new double[0];
        }
        double[] v = m.forkMeanArray();
        return Arrays.stream(v).allMatch(Double::isFinite) ? v : new double[0];
    }

    private static String joined(double[] values) {
        List<String> out = new ArrayList<>();
        for (double v : values) {
            out.add(String.format(Locale.ROOT, "%.3g", v));
        }
        return String.join(", ", out);
    }
}
