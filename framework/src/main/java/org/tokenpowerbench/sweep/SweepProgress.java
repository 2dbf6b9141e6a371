package org.tokenpowerbench.sweep;

import java.util.List;
import org.tokenpowerbench.jmh.ProgressSettings;

/**
 * The host's part of the live progress: what each fork is told so that its wave lines can say
 * {@code trial i/N} and the sweep's ETA, and whether the console is a terminal (a fork's own
 * output is a pipe to the host, so the fork cannot tell). The ETA is the mean time of the trials
 * run so far by this process times the trials left, this one included; before the first trial has
 * ended there is none ("ETA unknown").
 */
final class SweepProgress {

    private final boolean terminal;
    private long ranMillis;
    private int ran;

    SweepProgress(boolean terminal) {
        this.terminal = terminal;
    }

    /**
     * Whether the host's console is one a person watches: a console and a terminal that can
     * rewrite a line; also checks {@code tpb.progress} and {@code tpb.progressSeconds} before any fork.
     */
    static SweepProgress ofThisProcess() {
        ProgressSettings.on(System.getProperty(ProgressSettings.PROGRESS));
        ProgressSettings.seconds(System.getProperty(ProgressSettings.SECONDS));
        String term = System.getenv("TERM");
        return new SweepProgress(System.console() != null && term != null && !term.isBlank() && !term.equals("dumb"));
    }

    /** A trial that ran (not one skipped on resume) took {@code millis}. */
    void trialRan(long millis) {
        ranMillis += millis;
        ran++;
    }

    /**
     * The fork's arguments for trial {@code index} (from 0) of {@code trials}, at {@code nowMillis}.
     */
    List<String> forkArgs(int index, int trials, long nowMillis) {
        List<String> args = new java.util.ArrayList<>(List.of("-D" + ProgressSettings.TERMINAL + "=" + terminal,
                "-D" + ProgressSettings.TRIAL + "=" + (index + 1), "-D" + ProgressSettings.TRIALS + "=" + trials));
        if (ran > 0) {
            long left = trials - index;
            args.add("-D" + ProgressSettings.ETA_AT + "=" + (nowMillis + ranMillis / ran * left));
        }
        return args;
    }
}
