package org.tokenpowerbench.report;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.UserError;

/**
 * Grams of CO2-equivalent per kWh of electricity, given as a number or as a region code from a
 * small table typed in here (no data file is copied).
 *
 * <p>The table: yearly average lifecycle carbon intensity of electricity <em>generation</em> in
 * 2023, from Ember's Yearly Electricity Data, as tabled by Our World in Data, "Carbon intensity of
 * electricity generation" (https://ourworldindata.org/grapher/carbon-intensity-electricity);
 * {@code WORLD}, {@code NO} and {@code PL} from Ember's 2023 figures as quoted by Statista
 * (statistics 943137 and the EU 2023 ranking). Codes are ISO 3166-1 alpha-2. A yearly average
 * is not the marginal intensity of the hour you ran in; for that, give the number yourself.
 *
 * @param gramsPerKWh the intensity
 * @param source      where it came from, as the page and {@code emissions.csv} say it
 * @param country     the country's name for a region code; empty for a number
 * @param isoCode     the country's ISO 3166-1 alpha-3 code (CodeCarbon's {@code country_iso_code}); empty for a number
 */
public record GridIntensity(double gramsPerKWh, String source, String country, String isoCode) {

    static final String TABLE_SOURCE = "Ember 2023 (via Our World in Data / Statista)";

    private record Region(String name, String iso3, double grams) {
    }

    private static final Map<String, Region> REGIONS = new LinkedHashMap<>();

    static {
        region("WORLD", "World", "", 481);
        region("AT", "Austria", "AUT", 111);
        region("AU", "Australia", "AUS", 549);
        region("BE", "Belgium", "BEL", 138);
        region("BR", "Brazil", "BRA", 98);
        region("CA", "Canada", "CAN", 170);
        region("CN", "China", "CHN", 582);
        region("CZ", "Czechia", "CZE", 450);
        region("DE", "Germany", "DEU", 381);
        region("DK", "Denmark", "DNK", 152);
        region("FI", "Finland", "FIN", 79);
        region("FR", "France", "FRA", 56);
        region("GR", "Greece", "GRC", 337);
        region("IE", "Ireland", "IRL", 291);
        region("IN", "India", "IND", 713);
        region("NO", "Norway", "NOR", 30);
        region("PL", "Poland", "POL", 662);
    }

    private static void region(String code, String name, String iso3, double grams) {
        REGIONS.put(code, new Region(name, iso3, grams));
    }

    /** The largest intensity taken, gCO2e/kWh: twice a coal-fired grid's, so a typing mistake is caught. */
    static final double MAX_GRAMS = 2000;

    /**
     * {@code 380} (gCO2e/kWh) or a region code such as {@code DE}.
     *
     * @throws UserError for anything else, with the known codes
     */
    public static GridIntensity parse(String text) {
        String t = text.strip();
        try {
            double grams = Double.parseDouble(t);
            if (grams > MAX_GRAMS && Double.isFinite(grams)) {
                throw new UserError("report --carbon: " + text + " gCO2e/kWh is above " + (int) MAX_GRAMS + "; the most"
                        + " carbon-intensive grids are about 1,000: give one such as --carbon 380, or a region code");
            }
            if (grams >= 0 && Double.isFinite(grams)) {
                return new GridIntensity(grams, t + " gCO2e/kWh (given)", "", "");
            }
        } catch (NumberFormatException e) {
            // a region code, then
        }
        Region r = REGIONS.get(t.toUpperCase(Locale.ROOT));
        if (r == null) {
            throw new UserError("report --carbon: " + text + " is neither gCO2e/kWh (0 or more) nor a region code;"
                    + " give a number such as --carbon 380, or one of " + String.join(", ", REGIONS.keySet())
                    + " (" + TABLE_SOURCE + ")");
        }
        return new GridIntensity(r.grams(), t.toUpperCase(Locale.ROOT) + ": " + ServiceObjectives.number(r.grams())
                + " gCO2e/kWh, " + TABLE_SOURCE, r.name(), r.iso3());
    }
}
