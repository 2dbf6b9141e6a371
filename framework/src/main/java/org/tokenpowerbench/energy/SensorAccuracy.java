package org.tokenpowerbench.energy;

import java.util.Locale;

import org.tokenpowerbench.UserError;

/**
 * A sensor's own accuracy as its vendor states it, as a share of the energy it reports, or
 * "not stated" (NaN) where no vendor figure exists, so an error budget never carries an invented
 * number.
 *
 * <p><b>What is known.</b> NVML: NVIDIA's NVML reference documents the power reading as accurate
 * to ±5 % of the current draw for some older boards (Fermi/Kepler era) and states nothing for later
 * generations, Hopper included, so it is "not stated by the vendor". RAPL: Intel documents no
 * accuracy for its energy counters (they are a model on client parts, measured on some server
 * parts), so "not stated by the vendor". Estimates (e.g. {@code cpu.estimated}): a model with no
 * stated accuracy. The user who knows better (a calibration against a meter) gives it with the
 * system property {@value #PROPERTY}, e.g. {@code -Dtpb.sensorAccuracy=nvml:2%,rapl:5%}.
 *
 * @param share  the stated accuracy as a share of the energy (0.02 for 2 %), read as a 95 % bound; NaN when not stated
 * @param source where the figure comes from, or why there is none
 */
public record SensorAccuracy(double share, String source) {

    /** The system property with user-given accuracies: {@code sensor:percent%}, comma separated. */
    public static final String PROPERTY = "tpb.sensorAccuracy";

    /** Whether a figure is stated (by the vendor or the user). */
    public boolean stated() {
        return Double.isFinite(share);
    }

    /** The accuracy of sensor {@code id}: the user's from {@value #PROPERTY}, else what the vendor states. */
    public static SensorAccuracy of(String id) {
        return of(id, System.getProperty(PROPERTY, ""));
    }

    /**
     * The accuracy of sensor {@code id} given the property's value {@code given}.
     *
     * @throws UserError when an entry of {@code given} is not {@code sensor:percent%}
     */
    static SensorAccuracy of(String id, String given) {
        for (String entry : given.split(",")) {
            String e = entry.strip();
            if (e.isEmpty()) {
                continue;
            }
            int colon = e.indexOf(':');
            if (colon <= 0 || !e.endsWith("%")) {
                throw new UserError("-D" + PROPERTY + " entry '" + e + "' is not sensor:percent%; write e.g. nvml:2%");
            }
            if (!e.substring(0, colon).equals(id)) {
                continue;
            }
            double pct;
            try {
                pct = Double.parseDouble(e.substring(colon + 1, e.length() - 1));
            } catch (NumberFormatException ex) {
                throw new UserError("-D" + PROPERTY + " entry '" + e + "' has no number before %; write e.g. nvml:2%");
            }
            if (!(pct >= 0 && pct < 100)) {
                throw new UserError("-D" + PROPERTY + " entry '" + e + "': the accuracy must be from 0 % to under 100 %");
            }
            return new SensorAccuracy(pct / 100, String.format(Locale.ROOT, "given by the user (-D%s, %s%%)", PROPERTY,
                    e.substring(colon + 1, e.length() - 1)));
        }
        String base = id.endsWith(".estimated") ? "estimated" : id;
        return switch (base) {
            case "nvml" -> new SensorAccuracy(Double.NaN, "not stated by the vendor for this generation (NVIDIA"
                    + " documents ±5 % of draw for some older boards only); give one with -D" + PROPERTY + "=nvml:2%");
            case "rapl" -> new SensorAccuracy(Double.NaN, "not stated by the vendor (Intel documents no accuracy"
                    + " for RAPL energy counters); give one with -D" + PROPERTY + "=rapl:5%");
            default -> new SensorAccuracy(Double.NaN, "not stated for sensor '" + id + "'; give one with -D"
                    + PROPERTY + "=" + id + ":5%");
        };
    }
}
