package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.util.Collection;
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
 * trial, by {@link #endSweep}.
 */
final class SweepOutputFormat implements OutputFormat {

    private final OutputFormat out;

    SweepOutputFormat(OutputFormat out) {
        this.out = out;
    }

    /** What JMH prints at the end of a run, over the whole sweep; then closes the output. */
    void endSweep(Collection<RunResult> results) {
        if (!results.isEmpty()) {
            out.endRun(results);
        }
        out.flush();
        out.close();
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
        out.iteration(benchParams, params, iteration);
    }

    @Override
    public void iterationResult(BenchmarkParams benchParams, IterationParams params, int iteration, IterationResult data) {
        out.iterationResult(benchParams, params, iteration, data);
    }

    @Override
    public void startBenchmark(BenchmarkParams benchParams) {
        out.startBenchmark(benchParams);
    }

    @Override
    public void endBenchmark(BenchmarkResult result) {
        out.endBenchmark(result);
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
        out.println(s);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void verbosePrintln(String s) {
        out.verbosePrintln(s);
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
