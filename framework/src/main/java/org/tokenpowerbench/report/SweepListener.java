package org.tokenpowerbench.report;

/**
 * Observes a sweep on the host, the way JUnit's {@code TestExecutionListener} observes a test
 * run: the summary file, and whatever else wants to show or keep results (a report, a console
 * summary, a dashboard), without the sweep knowing them. Found by {@link java.util.ServiceLoader}
 * through {@code META-INF/services/org.tokenpowerbench.report.SweepListener}; a third party's jar on
 * the class path adds its own.
 *
 * <p>Called from the sweep's one thread, in order. A listener that throws is reported on the
 * console and the sweep goes on: a listener never loses a measurement. Read run-folder files
 * through this package's typed readers ({@link SummaryFile}, {@link FailureRecord}), never by
 * scraping console text.
 */
public interface SweepListener {

    /** Before the first trial (also when every trial of a resume is already complete). */
    default void sweepStarted(SweepState state) {
    }

    /** After each trial this command ran or skipped, once its results are recorded. */
    default void trialEnded(SweepState state) {
    }

    /** After the last trial, or when the sweep stopped early. */
    default void sweepEnded(SweepState state) {
    }
}
