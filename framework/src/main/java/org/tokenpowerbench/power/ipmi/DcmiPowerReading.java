package org.tokenpowerbench.power.ipmi;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a BMC answers to DCMI's Get Power Reading (DCMI 1.5, section 6.6.1), as {@code ipmitool dcmi
 * power reading} prints it: the current power, the minimum, maximum and average over the BMC's
 * statistics period, the BMC's own timestamp, and whether power measurement is active.
 *
 * @param currentWatts  "Instantaneous power reading": on most BMCs itself an average of about a second
 * @param minWatts      minimum over the statistics period
 * @param maxWatts      maximum over the statistics period
 * @param averageWatts  average over the statistics period
 * @param period        the statistics ("sampling") period the BMC averages over
 * @param bmcTimestamp  the BMC's clock as printed, or "" when absent
 * @param active        "Power reading state is: activated"; a BMC that is not measuring says deactivated
 */
public record DcmiPowerReading(double currentWatts, double minWatts, double maxWatts, double averageWatts,
                               Duration period, String bmcTimestamp, boolean active) {

    private static final Pattern LINE = Pattern.compile("^\\s*([^:]+?)\\s*:\\s*(.*?)\\s*$", Pattern.MULTILINE);
    private static final Pattern WATTS = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*Watts?", Pattern.CASE_INSENSITIVE);
    private static final Pattern PERIOD = Pattern.compile("(\\d+)\\s*(Milliseconds?|Seconds?)", Pattern.CASE_INSENSITIVE);

    /**
     * Reads ipmitool's output.
     *
     * @throws IllegalArgumentException naming the missing field when the text has no instantaneous reading
     */
    public static DcmiPowerReading parse(String text) {
        double current = Double.NaN;
        double min = Double.NaN;
        double max = Double.NaN;
        double avg = Double.NaN;
        Duration period = Duration.ZERO;
        String stamp = "";
        boolean active = true;
        Matcher m = LINE.matcher(text);
        while (m.find()) {
            String key = m.group(1).toLowerCase(Locale.ROOT);
            String value = m.group(2);
            if (key.startsWith("instantaneous power reading")) {
                current = watts(value);
            } else if (key.startsWith("minimum during sampling period")) {
                min = watts(value);
            } else if (key.startsWith("maximum during sampling period")) {
                max = watts(value);
            } else if (key.startsWith("average power reading over sample period")) {
                avg = watts(value);
            } else if (key.startsWith("ipmi timestamp")) {
                stamp = value;
            } else if (key.startsWith("sampling period")) {
                Matcher p = PERIOD.matcher(value);
                if (p.find()) {
                    long n = Long.parseLong(p.group(1));
                    period = p.group(2).toLowerCase(Locale.ROOT).startsWith("milli") ? Duration.ofMillis(n)
                            : Duration.ofSeconds(n);
                }
            } else if (key.startsWith("power reading state is")) {
                active = !value.toLowerCase(Locale.ROOT).startsWith("deactivated");
            }
        }
        if (Double.isNaN(current)) {
            throw new IllegalArgumentException("no 'Instantaneous power reading: N Watts' line in the BMC's answer: "
                    + text.strip().replace('\n', ' '));
        }
        return new DcmiPowerReading(current, min, max, avg, period, stamp, active);
    }

    private static double watts(String value) {
        Matcher w = WATTS.matcher(value);
        return w.find() ? Double.parseDouble(w.group(1)) : Double.NaN;
    }
}
