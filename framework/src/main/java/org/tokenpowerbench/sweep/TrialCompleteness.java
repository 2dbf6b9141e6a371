package org.tokenpowerbench.sweep;

import java.util.Collection;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.RunResult;

/**
 * Whether JMH's results of a trial hold every iteration that was asked for. A fork that catches an
 * exception in an iteration (an {@code OutOfMemoryError}, a disk that fills, any bug) prints it
 * and ends normally with the iterations before it; a fork that fails in its first iteration sends
 * none. Either way the results are short, and short results are a failed trial, whatever the
 * exception's type.
 */
final class TrialCompleteness {

    private TrialCompleteness() {
    }

    /**
     * What is missing from {@code results}, in one line, or null when every fork sent every
     * measurement iteration (also null for no results at all: the caller says why there are none).
     */
    static String missing(Collection<RunResult> results) {
        for (RunResult rr : results) {
            BenchmarkParams params = rr.getParams();
            int forks = Math.max(1, params.getForks());
            int iterations = params.getMeasurement().getCount();
            Collection<BenchmarkResult> perFork = rr.getBenchmarkResults();
            if (perFork.size() < forks) {
                return (forks - perFork.size()) + " of " + forks + " fork(s) sent no results (see JMH's output above)";
            }
            int fork = 0;
            for (BenchmarkResult br : perFork) {
                fork++;
                int got = br.getIterationResults().size();
                if (got < iterations) {
                    return "fork " + fork + " ended after " + got + " of " + iterations
                            + " measurement iteration(s) (see JMH's output above)";
                }
            }
        }
        return null;
    }
}
