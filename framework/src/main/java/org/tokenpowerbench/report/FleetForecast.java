package org.tokenpowerbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a day of traffic costs on one measured configuration: each row of the day asks for
 * {@code requests_per_s × mean_output_tokens} output tokens per second; the {@link LoadCurve} read
 * at that load gives J/outputToken (and its lower and upper curves), so the row's energy is
 * J/outputToken × load × the row's seconds. The day's sum × 365 is the year; × PUE, grid
 * intensity and price (when {@code --carbon}/{@code --price} are given) it becomes kWh, tCO2e
 * and dollars. The range is the lower and upper curves carried through the same sums. Rows whose
 * load lies outside the measured range are clamped and carry a note; so do rows whose prompt mix
 * (prompt tokens per output token) lies outside the measured trials', because J/outputToken
 * carries the measured mix.
 *
 * @param curve   the measured curve
 * @param traffic the day
 * @param cost    grid, PUE and price; null when not given (kWh at PUE 1.0 then)
 * @param rows    one forecast per row of the day
 */
public record FleetForecast(LoadCurve curve, TrafficProfile traffic, CostInputs cost, List<RowForecast> rows) {

    public static final double DAYS_PER_YEAR = 365;

    /**
     * One row of the day on the curve.
     *
     * @param row     the traffic row
     * @param reading the curve at the row's load
     * @param joules  its energy: J/outputToken × load × seconds
     * @param lower   the same on the lower curve
     * @param upper   the same on the upper curve
     * @param notes   what the reader must know about this row (clamped, prompt mix); empty when none
     */
    public record RowForecast(TrafficProfile.Row row, LoadCurve.Reading reading, double joules, double lower,
                              double upper, List<String> notes) {
    }

    /**
     * Three figures: the forecast and its range.
     *
     * @param value the forecast
     * @param lower from the lower curve
     * @param upper from the upper curve
     */
    public record Range(double value, double lower, double upper) {

        Range times(double f) {
            return new Range(value * f, lower * f, upper * f);
        }

        /** {@code 12.3 (11.0–13.5)} with {@link ServiceObjectives#number}'s digits. */
        public String words() {
            return ServiceObjectives.number(value) + " (" + ServiceObjectives.number(lower) + "–"
                    + ServiceObjectives.number(upper) + ")";
        }
    }

    public FleetForecast {
        rows = List.copyOf(rows);
    }

    public static FleetForecast of(LoadCurve curve, TrafficProfile traffic, CostInputs cost) {
        double[] mix = curve.promptPerOutputRange();
        List<RowForecast> out = new ArrayList<>();
        for (TrafficProfile.Row r : traffic.rows()) {
            double load = r.outputTokensPerS();
            LoadCurve.Reading at = curve.at(load);
            List<String> notes = new ArrayList<>();
            if (at.position() == LoadCurve.Position.BELOW) {
                notes.add(String.format(Locale.ROOT, "%s output tokens/s is below the lowest measured load, %s:"
                                + " clamped to its %s J/outputToken (idle power between requests not counted)",
                        ServiceObjectives.number(load), ServiceObjectives.number(curve.lowestLoad()),
                        ServiceObjectives.number(at.jPerOutputToken())));
            } else if (at.position() == LoadCurve.Position.ABOVE) {
                notes.add(String.format(Locale.ROOT, "%s output tokens/s is above the highest measured load, %s:"
                                + " clamped to its %s J/outputToken (as if %.1f servers shared it)",
                        ServiceObjectives.number(load), ServiceObjectives.number(curve.highestLoad()),
                        ServiceObjectives.number(at.jPerOutputToken()), load / curve.highestLoad()));
            }
            if (r.meanOutputTokens() > 0 && Double.isFinite(mix[0])) {
                double ratio = r.meanPromptTokens() / r.meanOutputTokens();
                if (ratio < mix[0] * (1 - 1e-9) || ratio > mix[1] * (1 + 1e-9)) {
                    notes.add(String.format(Locale.ROOT, "%s prompt tokens per output token, outside the measured"
                                    + " %s–%s: the J/outputToken carries the measured mix",
                            ServiceObjectives.number(ratio), ServiceObjectives.number(mix[0]),
                            ServiceObjectives.number(mix[1])));
                }
            }
            double tokens = load * r.durationS();
            out.add(new RowForecast(r, at, at.jPerOutputToken() * tokens, at.lower() * tokens,
                    at.upper() * tokens, notes));
        }
        return new FleetForecast(curve, traffic, cost, out);
    }

    /** The day's energy in joules, at the measured scope (no PUE). */
    public Range dailyJoules() {
        return new Range(rows.stream().mapToDouble(RowForecast::joules).sum(),
                rows.stream().mapToDouble(RowForecast::lower).sum(), rows.stream().mapToDouble(RowForecast::upper).sum());
    }

    public double pue() {
        return cost == null ? CostInputs.MEASURED_SCOPE_ONLY : cost.pue();
    }

    /** The PUE the kWh carry, in words: "measured scope only" unless {@code --pue} was given. */
    public String pueWords() {
        return cost == null ? "PUE 1.0 (measured scope only)" : cost.pueWords();
    }

    /** The day's kWh × PUE. */
    public Range dailyKWh() {
        return dailyJoules().times(pue() / Footprint.JOULES_PER_KWH);
    }

    /** The year's kWh × PUE: the day × 365. */
    public Range annualKWh() {
        return dailyKWh().times(DAYS_PER_YEAR);
    }

    /** The year's tonnes of CO2e; null without {@code --carbon}. */
    public Range annualTonnesCo2e() {
        return cost == null ? null : annualKWh().times(cost.grid().gramsPerKWh() / 1e6);
    }

    /** The year's electricity in dollars; null without {@code --price}. */
    public Range annualDollars() {
        return cost == null || Double.isNaN(cost.pricePerKWh()) ? null : annualKWh().times(cost.pricePerKWh());
    }

    /** How many rows were clamped to the measured range. */
    public long clampedRows() {
        return rows.stream().filter(r -> r.reading().position() != LoadCurve.Position.INSIDE).count();
    }

    /** The forecast for the console: one line of totals, then one line per row with a note. */
    /** The most row notes the console prints. */
    static final int CONSOLE_NOTES = 20;

    public List<String> lines(String name) {
        String est = curve.estimated() ? " (estimated)" : "";
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "%s [%s] over %s (%d rows, %s): daily %s kWh%s, annual %s kWh%s", name, curve.label(),
                traffic.file().getFileName(), rows.size(), pueWords(), dailyKWh().words(), est, annualKWh().words(), est));
        if (annualTonnesCo2e() != null) {
            s.append(", ").append(annualTonnesCo2e().words()).append(" tCO2e").append(est);
        }
        if (annualDollars() != null) {
            s.append(", $").append(annualDollars().words()).append(" electricity").append(est);
        }
        s.append("; range from the 95 % intervals of ").append(curve.points().size()).append(" measured load(s) ")
                .append(ServiceObjectives.number(curve.lowestLoad())).append("–")
                .append(ServiceObjectives.number(curve.highestLoad())).append(" output tokens/s");
        if (clampedRows() > 0) {
            s.append("; ").append(clampedRows()).append(" row(s) outside it, clamped");
        }
        List<String> out = new ArrayList<>();
        out.add(s.toString());
        long notes = 0;
        for (RowForecast r : rows) {
            for (String note : r.notes()) {
                if (++notes <= CONSOLE_NOTES) {
                    out.add("  line " + r.row().line() + " (" + r.row().time() + "): " + note);
                }
            }
        }
        if (notes > CONSOLE_NOTES) { // a day a second is 86,400 rows: their notes belong on the page, not the console
            out.add("  ... and " + (notes - CONSOLE_NOTES) + " more row notes, on the page");
        }
        return out;
    }
}
