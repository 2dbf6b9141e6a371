package org.tokenpowerbench.report;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;

/**
 * {@code power-<sensor>-<pid>-<n>.csv}: the samples of one iteration of one fork (the first
 * iteration's also cover the trial's set-up and idle window). A plain CSV, header first, no
 * comment lines; every row says which trial and iteration it belongs to, so the files of a run
 * can be concatenated.
 *
 * <p>Columns: {@code trial_id}, {@code iteration}, {@code t_unix_ms} (the sample's time on the run
 * folder's clock, {@link RunClock}, the same as {@code requests.csv}'s), {@code power_W} (the
 * sensor's power as the energy figures integrate it, summed over devices: the mean of the
 * {@link PowerSignal} over the interval that ends at this sample; empty on the first sample and
 * where the signal has no value), then one column per channel, its unit after the name
 * ({@code <channel>_J}: a cumulative energy counter; {@code <channel>_W}: instant power; empty
 * where the channel had no reading), {@code <channel>.measured_unix_ms} for a channel whose
 * readings carry their own time, and {@code invocation}.
 */
public final class PowerTraceFile {

    private PowerTraceFile() {
    }

    /** The file's name for a sensor's {@code n}-th iteration in this process. */
    public static String name(String sensor, int n) {
        return "power-" + sensor + "-" + ProcessHandle.current().pid() + "-" + n + ".csv";
    }

    /** Six significant digits, no exponent and no trailing zeros: {@code 14.3726}, {@code 0}. */
    static String watts(double w) {
        return new BigDecimal(w).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** The header of a trace with these channels. */
    static String header(PowerTrace trace) {
        StringBuilder h = new StringBuilder("trial_id,iteration,t_unix_ms,power_W");
        List<PowerChannel> channels = trace.channels();
        for (PowerChannel c : channels) {
            h.append(',').append(RunDirectory.csv(c.name() + (c.kind() == PowerChannel.Kind.ENERGY_JOULES ? "_J" : "_W")));
        }
        for (int c = 0; c < channels.size(); c++) {
            if (trace.hasOwnTimes(c)) {
                h.append(',').append(RunDirectory.csv(channels.get(c).name() + ".measured_unix_ms"));
            }
        }
        return h.append(",invocation\n").toString();
    }

    /**
     * Writes the trace of iteration {@code iteration} ({@code warmup-N}, {@code measurement-N}) as
     * the sensor's {@code n}-th file of this process.
     */
    public static void write(RunDirectory dir, String sensor, int n, TrialKey trial, String iteration, PowerTrace trace,
                             PowerSignal signal) {
        RunClock clock = RunClock.of(dir);
        String prefix = trial.id() + "," + iteration + ",";
        String invocation = RunDirectory.csv(RunDirectory.invocation());
        int channels = trace.channels().size();
        long[] t = trace.timestampsNanos();
        long[][] own = new long[channels][];
        for (int c = 0; c < channels; c++) {
            own[c] = trace.hasOwnTimes(c) ? trace.timestampsNanos(c) : null;
        }
        StringBuilder sb = new StringBuilder(64 * t.length);
        for (int i = 0; i < t.length; i++) {
            sb.append(prefix).append(clock.unixMillisText(t[i])).append(',');
            if (i > 0 && t[i] > t[i - 1] && signal.covers(t[i - 1], t[i])) {
                sb.append(watts(signal.averageWatts(t[i - 1], t[i])));
            }
            for (int c = 0; c < channels; c++) {
                sb.append(',');
                double v = trace.value(c, i);
                if (!Double.isNaN(v)) {
                    sb.append(v);
                }
            }
            for (int c = 0; c < channels; c++) {
                if (own[c] != null) {
                    sb.append(',');
                    if (!Double.isNaN(trace.value(c, i))) {
                        sb.append(clock.unixMillisText(own[c][i]));
                    }
                }
            }
            sb.append(',').append(invocation).append('\n');
        }
        dir.append(name(sensor, n), header(trace), sb.toString());
    }
}
