package org.tokenpowerbench.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Energy, carbon and cost per million output tokens of one trial under one energy label, from
 * the measured J/outputToken only (× PUE): kWh = J × 10⁶ / 3.6 × 10⁶, gCO2e = kWh × intensity,
 * $ = kWh × price; the hardware's share is its price per hour over the hours a million output
 * tokens took at the trial's output tokens/s. An estimate-labelled energy
 * ({@code cpu.estimated}) gives estimate-labelled carbon and cost.
 *
 * @param trial               the trial
 * @param label               the energy label
 * @param kWhPerMillion       kWh per million output tokens
 * @param gramsPerMillion     gCO2e per million output tokens
 * @param energyCostPerMillion $ of electricity per million output tokens; NaN without a price
 * @param hardwareCostPerMillion $ of hardware time per million output tokens; NaN without a price or tokens/s
 */
public record Footprint(TrialResult trial, String label, double kWhPerMillion, double gramsPerMillion,
                        double energyCostPerMillion, double hardwareCostPerMillion) {

    static final double JOULES_PER_KWH = 3.6e6;

    public boolean estimated() {
        return label.endsWith(".estimated");
    }

    /** One footprint per trial and energy label with a J/outputToken. */
    public static List<Footprint> of(List<TrialResult> trials, CostInputs in) {
        List<Footprint> out = new ArrayList<>();
        for (TrialResult t : trials) {
            for (String key : t.metrics().keySet()) {
                if (!key.endsWith(".J/outputToken")) {
                    continue;
                }
                String label = key.substring(0, key.length() - ".J/outputToken".length());
                double j = t.metrics().get(key).score();
                double kWh = j * 1e6 / JOULES_PER_KWH * in.pue();
                Metric rate = t.metrics().get("output.tokens/s");
                double hours = rate == null || !(rate.score() > 0) ? Double.NaN : 1e6 / rate.score() / 3600;
                out.add(new Footprint(t, label, kWh, kWh * in.grid().gramsPerKWh(), kWh * in.pricePerKWh(),
                        in.hardwarePerHour() * hours));
            }
        }
        return out;
    }

    /** For the console: the figures with units, marked when estimated. */
    public String line(String name) {
        String est = estimated() ? " (estimated)" : "";
        return String.format(Locale.ROOT, "%s [%s]: %s kWh%s, %s gCO2e%s%s%s per million output tokens", name, label,
                ServiceObjectives.number(kWhPerMillion), est, ServiceObjectives.number(gramsPerMillion), est,
                Double.isNaN(energyCostPerMillion) ? "" : ", $" + ServiceObjectives.number(energyCostPerMillion)
                        + " electricity" + est,
                Double.isNaN(hardwareCostPerMillion) ? "" : ", $" + ServiceObjectives.number(hardwareCostPerMillion)
                        + " hardware");
    }
}
