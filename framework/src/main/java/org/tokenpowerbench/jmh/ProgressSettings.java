package org.tokenpowerbench.jmh;

import org.tokenpowerbench.UserError;

/**
 * How a fork shows a wave's progress, from system properties: the user's {@code tpb.progress}
 * ({@code on}, the default, or {@code off}) and {@code tpb.progressSeconds} (how often a plain line
 * is printed, default 10), and what the host adds to each fork's JVM arguments (the fork's own
 * output is a pipe, so only the host can tell whether a person watches a terminal; and only the
 * host knows the trial's place in the sweep and how long trials take).
 *
 * @param on            whether lines are printed at all
 * @param terminal      one line rewritten in place ({@code \r}) rather than a line every interval
 * @param intervalNanos the least time between two lines: a quarter second on a terminal
 * @param trial         this trial's number from 1; 0 when unknown
 * @param trials        trials in the sweep; 0 when unknown
 * @param etaAtMillis   when the host expects the sweep to end (Unix ms); 0 before a trial has finished
 */
public record ProgressSettings(boolean on, boolean terminal, long intervalNanos, int trial, int trials, long etaAtMillis) {

    public static final String PROGRESS = "tpb.progress";
    public static final String SECONDS = "tpb.progressSeconds";
    /** Set by the host: {@code true} when its console is a terminal. */
    public static final String TERMINAL = "tpb.progress.terminal";
    /** Set by the host: this trial's number, from 1. */
    public static final String TRIAL = "tpb.progress.trial";
    /** Set by the host: the sweep's trials. */
    public static final String TRIALS = "tpb.progress.trials";
    /** Set by the host once a trial has finished: the sweep's expected end, Unix ms. */
    public static final String ETA_AT = "tpb.progress.etaAt";

    /** A terminal's line is rewritten at most four times a second. */
    static final long TERMINAL_INTERVAL_NANOS = 250_000_000L;

    static ProgressSettings fromSystemProperties() {
        boolean on = on(System.getProperty(PROGRESS));
        boolean terminal = Boolean.parseBoolean(System.getProperty(TERMINAL));
        long interval = terminal ? TERMINAL_INTERVAL_NANOS : Math.round(seconds(System.getProperty(SECONDS)) * 1e9);
        return new ProgressSettings(on, terminal, interval, Integer.getInteger(TRIAL, 0), Integer.getInteger(TRIALS, 0),
                Long.getLong(ETA_AT, 0));
    }

    /**
     * {@code tpb.progress}: absent or {@code on} shows progress, {@code off} hides it.
     *
     * @throws UserError for any other value, naming it
     */
    public static boolean on(String value) {
        if (value == null || value.trim().equalsIgnoreCase("on")) {
            return true;
        }
        if (value.trim().equalsIgnoreCase("off")) {
            return false;
        }
        throw new UserError(PROGRESS + "=" + value + " is neither on nor off: give -D" + PROGRESS
                + "=off to hide the live progress lines, or leave it out");
    }

    /**
     * {@code tpb.progressSeconds}: absent is 10.
     *
     * @throws UserError for anything but a number of seconds from 1 to 3600
     */
    public static double seconds(String value) {
        if (value == null) {
            return 10;
        }
        double seconds;
        try {
            seconds = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 1 && seconds <= 3600)) {
            throw new UserError(SECONDS + "=" + value + " is not a number of seconds from 1 to 3600: give how often a"
                    + " progress line is printed when the console is not a terminal, e.g. -D" + SECONDS + "=30");
        }
        return seconds;
    }
}
