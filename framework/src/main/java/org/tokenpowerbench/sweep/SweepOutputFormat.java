package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.format.OutputFormat;

/**
 * JMH's console output for a sweep that {@link Main} runs one trial at a time: passes every
 * trial's progress through, but holds back what JMH prints when a run ends (its advice and the
 * table of results) and the closing of the stream, so that the table is printed once, over every
 * trial, by {@link #endSweep}. It also keeps what JMH reports of a trial's failures ({@link #failures}):
 * a fork that catches an exception in an iteration prints {@code <failure>} and the exception,
 * then ends normally with the iterations before it, so the results alone look like a short,
 * successful trial.
 */
final class SweepOutputFormat implements OutputFormat {

    private final OutputFormat out;
    /** The trial now running and the sweep's count, for JMH's progress line; 0 before the first. */
    private int trial;
    private int trials;
    private final List<String> failures = new ArrayList<>();
    private boolean failureFollows;
    private String iteration = "before the first iteration";
    /** What forks print while an iteration line is open waits here; passes through outside {@link #holdForkOutput}. */
    private volatile IterationLineHold hold = IterationLineHold.passingThrough();
    /** Prints the open iteration line's prefix again; null when no line is open. Guarded by {@link #hold}. */
    private Runnable openPrefix;

    SweepOutputFormat(OutputFormat out) {
        this.out = out;
    }

    /**
     * Routes {@code System.out} and {@code System.err}, where JMH writes what a fork prints,
     * through an {@link IterationLineHold} until the returned hold is closed: one trial's run.
     */
    IterationLineHold holdForkOutput() {
        return holdForkOutput(IterationLineHold.HOLD_MILLIS);
    }

    /** {@link #holdForkOutput()} with output held at most {@code holdMillis} before it breaks the line. */
    IterationLineHold holdForkOutput(long holdMillis) {
        IterationLineHold h = new IterationLineHold(System.out, System.err, () -> out.println(""), holdMillis);
        h.install();
        hold = h;
        return h;
    }

    /**
     * Runs one call on JMH's format with the hold's line closed first (JMH's {@code <failure>}
     * completes the open line, its prefix printed again if something came in between); held
     * output follows it.
     */
    private void closingTheLine(Runnable print) {
        IterationLineHold h = hold;
        synchronized (h) {
            if (h.closeLine() && openPrefix != null) {
                openPrefix.run();
            }
            openPrefix = null;
            print.run();
            h.release();
        }
    }

    /** What JMH prints at the end of a run, over the whole sweep; then closes the output. */
    void endSweep(Collection<RunResult> results) {
        if (!results.isEmpty()) {
            out.endRun(results);
        }
        out.flush();
        out.close();
    }

    /** Forgets the failures seen so far: called before each trial. */
    synchronized void startTrial() {
        failures.clear();
        failureFollows = false;
        iteration = "before the first iteration";
    }

    /**
     * What JMH reported as failed since {@link #startTrial}, one line each: the iteration it
     * happened in and the exception's first line ({@code measurement iteration 2 of 4:
     * java.lang.OutOfMemoryError: Java heap space}), or a fork that ended badly.
     */
    synchronized List<String> failures() {
        return List.copyOf(failures);
    }

    /** Watches one line JMH prints for a failure report. */
    private synchronized void watch(String s) {
        if (s == null) {
            return;
        }
        String line = s.strip();
        if (line.equals("<failure>")) {
            failureFollows = true;
        } else if (failureFollows && !line.isEmpty()) {
            failureFollows = false;
            String first = line.lines().findFirst().orElse(line);
            failures.add(iteration + ": " + first);
        } else if (line.startsWith("<forked VM failed") || line.startsWith("<failed to invoke the VM")
                || line.startsWith("<host VM has been interrupted")) {
            failures.add(line.substring(1, line.length() - (line.endsWith(">") ? 1 : 0)));
        }
    }

    @Override
    public void endRun(Collection<RunResult> result) {
        // held back for endSweep
    }

    @Override
    public void close() {
        out.flush(); // the runner closes its output after every trial; the sweep goes on
    }

    @Override
    public void iteration(BenchmarkParams benchParams, IterationParams params, int iteration) {
        synchronized (this) {
            this.iteration = params.getType().name().toLowerCase(java.util.Locale.ROOT) + " iteration " + iteration
                    + " of " + params.getCount();
        }
        IterationLineHold h = hold;
        synchronized (h) {
            openPrefix = null;
            closingTheLine(() -> { }); // what is still held goes out before the new prefix
            out.iteration(benchParams, params, iteration);
            out.flush();
            openPrefix = () -> out.iteration(benchParams, params, iteration);
            h.openLine();
        }
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration, IterationResult data) {
        // output that came in between has the prefix printed again first (openPrefix)
        closingTheLine(() -> {
            out.iterationResult(benchParams, params, iteration, data);
            out.flush();
        });
    }

    @Override
    public void startBenchmark(BenchmarkParams benchParams) {
        closingTheLine(() -> out.startBenchmark(benchParams));
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        closingTheLine(() -> out.endBenchmark(result));
    }

    @Override
    public void startRun() {
        out.startRun();
    }

    @Override
    public void print(String s) {
        out.print(s);
    }

    @Override
    public void println(String s) {
        watch(s);
        closingTheLine(() -> {
            out.println(plainer(s));
            out.flush();
        });
    }

    /** The trial about to run, for the progress line JMH prints at the start of each run. */
    void trial(int number, int of) {
        this.trial = number;
        this.trials = of;
    }

    /**
     * JMH's lines that mislead under a sweep run one trial at a time, said plainly: its "Run
     * progress" is always 0 % (each JMH run is one trial), and a fork held up by llama.cpp's
     * native thread reports a negative wait after its results are already sent.
     */
    String plainer(String s) {
        if (s == null) {
            return null;
        }
        if (s.startsWith("# Run progress:") && trials > 0) {
            return "# Run progress: trial " + trial + " of " + trials + " (TokenPowerBench runs JMH once per trial)";
        }
        if (s.contains("forked VM did not exit") && s.contains("Waiting -")) {
            return "tokenpowerbench: JMH had finished; the forked VM is still closing a native thread (llama.cpp's):"
                    + " its results are already in, and it is being stopped";
        }
        return s;
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void verbosePrintln(String s) {
        closingTheLine(() -> out.verbosePrintln(s));
    }

    @Override
    public void write(int b) {
        out.write(b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        out.write(b);
    }
}
