package org.tokenpowerbench.report;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.nio.file.Path;
import java.util.StringJoiner;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.power.OptionLine;

/**
 * Latency objectives a configuration must meet to be chosen, each on one of a trial's latency
 * percentiles (the mean over the measured waves of each wave's percentile, as the sweep table
 * shows them). Written {@code ttft=500ms,tpot=50ms,e2e=2s}: a bare name means its median
 * ({@code p50}), the figure a person reads first and the most stable over few waves; a tail
 * objective names its percentile, {@code ttft.p99=800ms} ({@code p50}, {@code p90}, {@code p99}
 * are measured).
 *
 * @param objectives every objective, in the order given
 * @param source     where they came from ({@code --slo}, {@code @Slo})
 */
public record ServiceObjectives(List<Objective> objectives, String source) {

    /** The latencies a trial reports percentiles of, in ms. */
    static final List<String> LATENCIES = List.of("ttft", "tpot", "itl", "e2e", "queue", "latency", "ttfat");
    static final List<String> PERCENTILES = List.of("p50", "p90", "p99");

    /**
     * One objective.
     *
     * @param metric  the trial's metric label, e.g. {@code ttft.p50}
     * @param limitMs the most milliseconds it may be
     */
    public record Objective(String metric, double limitMs) {

        /** Whether the trial's figure meets it; a trial that did not measure it does not. */
        boolean metBy(TrialResult t) {
            Metric m = t.metrics().get(metric);
            return m != null && Double.isFinite(m.score()) && m.score() <= limitMs;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s ≤ %s ms", metric, number(limitMs));
        }
    }

    public ServiceObjectives {
        objectives = List.copyOf(objectives);
    }

    public static ServiceObjectives none() {
        return new ServiceObjectives(List.of(), "none");
    }

    public boolean isEmpty() {
        return objectives.isEmpty();
    }

    /**
     * {@code ttft=500ms,tpot=50ms,e2e=2s,ttft.p99=800ms}.
     *
     * @throws UserError with the part that is wrong and what is accepted
     */
    public static ServiceObjectives parse(String text) {
        List<Objective> out = new ArrayList<>();
        for (String part : text.split(",")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part.strip() : part.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            String[] words = name.split("\\.");
            if (eq < 0 || words.length > 2 || !LATENCIES.contains(words[0])
                    || (words.length == 2 && !PERCENTILES.contains(words[1]))) {
                throw new UserError("report --slo: " + part.strip() + " is no objective; write name=limit with name one of "
                        + String.join(", ", LATENCIES) + ", optionally with a percentile (" + String.join(", ", PERCENTILES)
                        + "; p50 when none), e.g. --slo ttft=500ms,tpot.p99=80ms,e2e=2s");
            }
            double ms = OptionLine.duration("report --slo", name, part.substring(eq + 1)).toNanos() / 1e6;
            if (ms <= 0) {
                throw new UserError("report --slo: " + part.strip() + " allows no time at all; give a limit above 0");
            }
            out.add(new Objective(words.length == 2 ? name : name + ".p50", ms));
        }
        return new ServiceObjectives(out, "--slo " + text);
    }

    /**
     * The benchmark's {@code @Slo}, from the axes {@code trial-axes.csv} records ({@code sloTtftMs},
     * {@code sloTpotMs}, {@code sloE2eMs}; 0 means none), on the medians; none when the run had no
     * {@code @Slo} or its trials disagree (two benchmarks with different objectives).
     */
    public static ServiceObjectives fromRunFolder(Path runDir) throws IOException {
        ServiceObjectives found = null;
        for (Map<String, String> row : TrialAxesFile.read(runDir)) {
            List<Objective> out = new ArrayList<>();
            add(out, row, Axis.SLO_TTFT_MS, "ttft.p50");
            add(out, row, Axis.SLO_TPOT_MS, "tpot.p50");
            add(out, row, Axis.SLO_E2E_MS, "e2e.p50");
            ServiceObjectives these = new ServiceObjectives(out, "@Slo");
            if (found != null && !found.equals(these)) {
                return none();
            }
            found = these;
        }
        return found == null ? none() : found;
    }

    private static void add(List<Objective> out, Map<String, String> row, Axis axis, String metric) {
        String text = row.get(axis.paramName());
        if (text == null || text.isBlank()) {
            return;
        }
        try {
            double ms = Double.parseDouble(text);
            if (ms > 0) {
                out.add(new Objective(metric, ms));
            }
        } catch (NumberFormatException e) {
            // the fork wrote the axis value; a cell that is no number is no objective
        }
    }

    /** Whether {@code t} meets every objective. */
    public boolean metBy(TrialResult t) {
        return objectives.stream().allMatch(o -> o.metBy(t));
    }

    @Override
    public String toString() {
        StringJoiner s = new StringJoiner(", ");
        objectives.forEach(o -> s.add(o.toString()));
        return s + " (" + source + ")";
    }

    /** Four significant digits without trailing zeros ({@code 500}, {@code 0.6}, {@code 0.1235}). */
    static String number(double v) {
        if (!Double.isFinite(v)) {
            return String.valueOf(v);
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(4)).stripTrailingZeros().toPlainString();
    }
}
