package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.tokenpowerbench.report.FailedTrial;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.SweepListener;
import org.tokenpowerbench.report.SweepState;
import org.tokenpowerbench.report.TrialResult;

/**
 * Runs a {@link SweepPlan} one JMH run per trial, so that a finished trial is recorded in the
 * {@link TrialLedger} before the next one starts (JMH itself returns results only at the end of
 * a whole run), and tells every {@link SweepListener} after each trial. With a resume, trials
 * complete in the ledger are not run again and their recorded results take their place.
 */
final class SweepRunner {

    private final SweepPlan plan;
    private final SweepListeners listeners;

    SweepRunner(SweepPlan plan, SweepListeners listeners) {
        this.plan = plan;
        this.listeners = listeners;
    }

    /** Runs the sweep; returns the exit status: 0 every trial complete, 1 a trial failed. */
    int run() {
        List<Trial> trials = plan.trials();
        List<RunResult> results = new ArrayList<>();
        List<FailedTrial> failed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        String stopped = null;
        int done = 0;
        tell(l -> l.sweepStarted(state(0, results, failed)));
        for (int i = 0; i < trials.size() && stopped == null; i++) {
            Trial trial = trials.get(i);
            List<RunResult> recorded = plan.resume() ? recorded(trial) : null;
            if (recorded != null) {
                System.out.println("tokenpowerbench: resume: skipping " + trial + " (complete in " + plan.runDir() + ")");
                results.addAll(recorded);
                done++;
                int d = done;
                tell(l -> l.trialEnded(state(d, results, failed)));
                continue;
            }
            System.out.println("tokenpowerbench: trial " + (i + 1) + " of " + trials.size() + ": " + trial);
            int failuresBefore = failures().size();
            Collection<RunResult> trialResults = List.of();
            try {
                trialResults = new Runner(new TrialOptions(plan.line().options(), trial, plan.jvmArgs()), plan.output()).run();
            } catch (NoBenchmarksException e) {
                stopped = "no benchmark matches " + trial.benchmark() + " any more: list them with -l";
            } catch (RunnerException | RuntimeException e) {
                stopped = e.getMessage() != null ? e.getMessage() : e.toString();
            }
            List<String> all = failures();
            List<String> mine = all.subList(Math.min(failuresBefore, all.size()), all.size());
            boolean complete = stopped == null && !trialResults.isEmpty() && mine.isEmpty();
            if (!complete) {
                List<String> why = mine.isEmpty()
                        ? List.of(trial + ": " + (stopped != null ? stopped : "no result (see JMH's output above)"))
                        : List.copyOf(mine);
                failed.add(new FailedTrial(trial.benchmark(), trial.params(), why));
                reasons.addAll(why);
            }
            if (stopped != null && i + 1 < trials.size()) {
                reasons.add("the sweep stopped there (" + stopped + "): " + (trials.size() - i - 1)
                        + " trial(s) after it did not run");
            }
            results.addAll(trialResults);
            try {
                plan.ledger().record(trial, complete, trialResults, plan.settings());
            } catch (IOException e) {
                System.err.println("tokenpowerbench: cannot record the trial in " + plan.runDir().resolve(TrialLedger.FILE)
                        + ": " + e.getMessage());
            }
            done++;
            int d = done;
            tell(l -> l.trialEnded(state(d, results, failed)));
        }
        int d = done;
        tell(l -> l.sweepEnded(state(d, results, failed)));
        plan.output().endSweep(results);
        if (plan.resultFile() != null) {
            ResultFormatType format = plan.line().options().getResultFormat().orElse(Defaults.RESULT_FORMAT);
            ResultFormatFactory.getInstance(format, plan.resultFile()).writeOut(results);
            System.out.println();
            System.out.println("Benchmark result is saved to " + plan.resultFile());
        }
        System.out.println();
        System.out.println("TokenPowerBench run folder: " + plan.runDir().toAbsolutePath());
        if (!failed.isEmpty()) {
            System.err.println("tokenpowerbench: " + failed.size() + " trial(s) failed; measured trials are kept in "
                    + plan.runDir() + "; run them again with the same command line plus --resume " + plan.runDir());
            reasons.forEach(f -> System.err.println("  " + f));
            return 1;
        }
        return 0;
    }

    /** A trial's recorded results when the ledger has it complete; null to run it (again). */
    private List<RunResult> recorded(Trial trial) {
        try {
            return plan.ledger().completeResults(trial);
        } catch (IOException e) {
            System.out.println("tokenpowerbench: resume: running " + trial + " again: its recorded results "
                    + "cannot be read (" + e.getMessage() + ")");
            return null;
        }
    }

    private SweepState state(int done, List<RunResult> results, List<FailedTrial> failed) {
        return new SweepState(plan.runDir(), plan.trials().size(), done, results.stream().map(SweepRunner::result).toList(),
                failed);
    }

    /** JMH's results of one trial as plain data. */
    static TrialResult result(RunResult rr) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String k : rr.getParams().getParamsKeys()) {
            params.put(k, rr.getParams().getParam(k));
        }
        Map<String, Metric> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
            metrics.put(e.getKey(), metric(e.getValue()));
        }
        return new TrialResult(rr.getParams().getBenchmark(), params, metric(rr.getPrimaryResult()), metrics);
    }

    private static Metric metric(Result<?> r) {
        return new Metric(r.getScore(), r.getScoreError(), r.getScoreUnit(), r.getSampleCount());
    }

    private void tell(java.util.function.Consumer<SweepListener> event) {
        listeners.tell(event);
    }

    private List<String> failures() {
        try {
            return FailureRecord.read(plan.runDir()).stream().map(FailureRecord::line).toList();
        } catch (IOException e) {
            return List.of("cannot read " + plan.runDir().resolve(FailureRecord.FILE) + ": " + e.getMessage());
        }
    }
}
