package org.tokenpowerbench.jmh;

import java.util.Locale;

/**
 * What one live progress line says about the wave under way, and its text. Only counts the fork
 * has: requests come in as they finish, so tokens per second is the rate of finished requests'
 * output tokens over the wave so far.
 *
 * @param trial           this trial's number, from 1; 0 when the host did not say (JMH's own launcher, a test)
 * @param trials          trials in the sweep; 0 when unknown
 * @param kind            {@code warmup} or {@code measurement}, as JMH names the iteration
 * @param iteration       the iteration's number within its kind, from 1
 * @param iterations      iterations of that kind; 0 when unknown
 * @param done            requests finished in this wave
 * @param total           requests the wave sends; -1 for a timed wave, whose count is not known before
 * @param elapsedNanos    since the wave started
 * @param waveNanos       a timed wave's length; 0 for a wave of one pass over its prompts
 * @param outputTokens    output tokens of the finished requests
 * @param etaSeconds      the sweep's remaining time, estimated by the host; -1 before a trial has finished
 * @param power           the sensors' power now, per scope ({@link PowerNow}); empty without a power profiler
 */
record ProgressLine(int trial, int trials, String kind, int iteration, int iterations, long done, long total,
                    long elapsedNanos, long waveNanos, long outputTokens, long etaSeconds,
                    java.util.List<PowerNow.ScopePower> power) {

    /** The prefix every line of ours carries, so that the console's readers know whose line it is. */
    static final String PREFIX = "tokenpowerbench: progress: ";

    String text() {
        StringBuilder s = new StringBuilder(PREFIX);
        if (trial > 0) {
            s.append("trial ").append(trial);
            if (trials > 0) {
                s.append('/').append(trials);
            }
            s.append(", ");
        }
        s.append(kind.equals("warmup") ? "warm-up" : kind).append(' ').append(iteration);
        if (iterations > 0) {
            s.append(" of ").append(iterations);
        }
        s.append(", requests ").append(done);
        if (total >= 0) {
            s.append('/').append(total);
        } else {
            s.append(" done, ").append(duration(elapsedNanos / 1_000_000_000L)).append(" of ")
                    .append(duration(waveNanos / 1_000_000_000L));
        }
        double seconds = elapsedNanos / 1e9;
        s.append(", ").append(seconds > 0 ? String.format(Locale.ROOT, "%.1f", outputTokens / seconds) : "0.0")
                .append(" output tokens/s");
        if (!power.isEmpty()) {
            s.append(", ").append(PowerNow.text(power));
        }
        s.append(", ").append(etaSeconds < 0 ? "ETA unknown" : "ETA " + duration(etaSeconds));
        return s.toString();
    }

    /** {@code 45s}, {@code 3m05s}, {@code 2h07m}: short enough for one line. */
    static String duration(long seconds) {
        if (seconds < 60) {
            return seconds + "s";
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, seconds % 3600 / 60);
    }
}
