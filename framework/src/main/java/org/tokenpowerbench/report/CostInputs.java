package org.tokenpowerbench.report;

import org.tokenpowerbench.UserError;

/**
 * What turns measured energy into carbon and money: the grid's intensity, the power usage
 * effectiveness (PUE, default 1.0: the measured scope only, no cooling or conversion losses
 * added), and optionally an electricity price and a hardware price per hour.
 *
 * @param grid          the grid's carbon intensity
 * @param pue           the factor on measured energy, 1 or more
 * @param pricePerKWh   $ per kWh; NaN when not given
 * @param hardwarePerHour $ per hour of the hardware; NaN when not given
 */
public record CostInputs(GridIntensity grid, double pue, double pricePerKWh, double hardwarePerHour) {

    public static final double MEASURED_SCOPE_ONLY = 1.0;
    /** The largest PUE taken: beyond it a figure is a typing mistake, not a facility. */
    static final double MAX_PUE = 10;

    public CostInputs {
        if (pue > MAX_PUE && Double.isFinite(pue)) {
            throw new UserError("report --pue " + pue + " is above " + MAX_PUE + "; a data centre's PUE is 1.0 to about 3:"
                    + " give one such as --pue 1.2");
        }
        if (!(pue >= 1) || !Double.isFinite(pue)) {
            throw new UserError("report --pue " + pue + " is below 1 or no number; a PUE is facility energy over IT"
                    + " energy, 1.0 (the measured scope only) or more, e.g. --pue 1.2");
        }
    }

    /** Reads a price option: a number of dollars, 0 or more. */
    public static double price(String option, String text) {
        try {
            double v = Double.parseDouble(text.strip().replace("$", ""));
            if (v >= 0 && Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // the line below says what is accepted
        }
        throw new UserError("report " + option + " " + text + " is no price; give dollars, 0 or more, e.g. " + option
                + " 0.12");
    }

    /** Reads {@code --pue}. */
    public static double pue(String text) {
        try {
            return Double.parseDouble(text.strip());
        } catch (NumberFormatException e) {
            throw new UserError("report --pue " + text + " is no number; give 1.0 (the measured scope only) or more,"
                    + " e.g. --pue 1.2");
        }
    }

    public String pueWords() {
        return pue == MEASURED_SCOPE_ONLY ? "PUE 1.0 (measured scope only)" : "PUE " + ServiceObjectives.number(pue);
    }
}
