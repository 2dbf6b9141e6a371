package org.tokenpowerbench.report.compare;

/** What a change amounts to, in the words the Markdown and the page print. */
enum Verdict {
    /** The interval excludes 0 and the change passes the threshold, the good way. */
    BETTER("better"),
    /** The interval excludes 0 and the change passes the threshold, the bad way. */
    WORSE("worse"),
    /** A metric with no good direction moved up, beyond the threshold and the interval. */
    UP("up"),
    /** A metric with no good direction moved down, beyond the threshold and the interval. */
    DOWN("down"),
    /** The interval includes 0, or the change is within the threshold. */
    NO_DIFFERENCE("no difference"),
    /** One side has fewer than two iterations or no spread: no interval, no verdict. */
    NO_INTERVAL("no interval"),
    /**
     * A figure measured once a run and repeated in every iteration (the engine's start-up): its
     * iterations agree exactly, which is no spread to judge a change by, so no interval, no verdict.
     */
    ONCE_A_RUN("measured once a run: no interval");

    private final String words;

    Verdict(String words) {
        this.words = words;
    }

    String words() {
        return words;
    }
}
