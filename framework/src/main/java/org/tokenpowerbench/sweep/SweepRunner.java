package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.report.FailedTrial;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.Metric;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.WholeFile;
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

    /** Why a trial that was running at Ctrl-C or SIGTERM failed, in the ledger and the summary. */
    static final String INTERRUPTED = "interrupted (Ctrl-C or SIGTERM) before it finished";

    private final SweepPlan plan;
    private final SweepListeners listeners;

    SweepRunner(SweepPlan plan, SweepListeners listeners) {
        this.plan = plan;
        this.listeners = listeners;
    }

    /**
     * Runs the sweep; returns the exit status: 0 every trial complete, 1 a trial failed, could not
     * be recorded, or did not run. On Ctrl-C the trial under way is stopped and the sweep ends as
     * if it had failed there: every file is written and the resume line printed before the JVM halts.
     */
    int run() {
        try (Interruption interruption = Interruption.watch(GRACE); ManagedEngines engines = ManagedEngines.of(plan)) {
            return run(interruption, engines);
        }
    }

    /** How long an interrupted JVM waits for the sweep to record what it measured. */
    private static final java.time.Duration GRACE = java.time.Duration.ofSeconds(30);

    private int run(Interruption interruption, ManagedEngines engines) {
        List<Trial> trials = plan.trials();
        List<RunResult> results = new ArrayList<>();
        List<FailedTrial> failed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        List<String> unrecorded = new ArrayList<>();
        String stopped = null;
        int done = 0;
        int ran = 0;
        SweepProgress progress = SweepProgress.ofThisProcess();
        tell(l -> l.sweepStarted(state(0, results, failed)));
        for (int i = 0; i < trials.size() && stopped == null; i++) {
            Trial trial = trials.get(i);
            if (interruption.interrupted()) {
                stopped = "interrupted";
                reasons.add("interrupted before " + trial + ": " + (trials.size() - i) + " trial(s) did not run");
                break;
            }
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
            plan.output().trial(i + 1, trials.size());
            int failuresBefore = failures().size();
            Collection<RunResult> trialResults = List.of();
            String error = null;
            long trialStart = System.currentTimeMillis();
            List<String> jvmArgs = new ArrayList<>(plan.jvmArgs());
            jvmArgs.addAll(progress.forkArgs(i, trials.size(), trialStart));
            boolean engineStarted = true;
            try {
                jvmArgs.addAll(engines.before(trial)); // a managed engine starts here, before the fork
            } catch (EngineException e) {
                engineStarted = false; // recorded in failures.jsonl with the engine's log tail; the next trial goes on
            }
            plan.output().startTrial();
            try {
                if (engineStarted) {
                    // what the fork prints in an iteration waits for JMH's result line, not cutting it in two
                    try (IterationLineHold hold = plan.output().holdForkOutput()) {
                        trialResults = new Runner(new TrialOptions(plan.line().options(), trial, jvmArgs), plan.output()).run();
                    }
                }
            } catch (NoBenchmarksException e) {
                stopped = "no benchmark matches " + trial.benchmark() + " any more: list them with -l";
                error = stopped;
            } catch (RunnerException | RuntimeException e) {
                error = e.getMessage() != null ? e.getMessage() : e.toString();
                stopped = error;
            }
            ran++;
            progress.trialRan(System.currentTimeMillis() - trialStart);
            engines.after();
            if (interruption.interrupted() && stopped == null) {
                stopped = "interrupted";
            }
            List<String> all = failures();
            List<String> why = new ArrayList<>(all.subList(Math.min(failuresBefore, all.size()), all.size()));
            if (why.isEmpty()) {
                why.addAll(plan.output().failures().stream().map(f -> trial + ": " + f).toList());
            }
            String shortBy = TrialCompleteness.missing(trialResults);
            if (why.isEmpty() && shortBy != null) {
                why.add(trial + ": " + shortBy);
            }
            if (why.isEmpty() && (error != null || (trialResults.isEmpty() && !interruption.interrupted()))) {
                why.add(trial + ": " + (error != null ? error : "no result (see JMH's output above)"));
            }
            boolean complete = why.isEmpty() && !interruption.interrupted();
            if (!complete) {
                if (interruption.interrupted()) {
                    // first: what the fork then says (exit code 143, its requests cut) follows from it
                    why.add(0, trial + ": " + INTERRUPTED);
                }
                failed.add(new FailedTrial(trial.benchmark(), trial.params(), why));
                reasons.addAll(why);
            } else {
                results.addAll(trialResults); // a failed trial's iterations stay in its rows, not in the results
            }
            try {
                plan.ledger().record(trial, complete, trialResults, plan.settings(), complete ? List.of() : why);
            } catch (IOException e) {
                String line = "cannot record " + trial + " in " + plan.runDir().resolve(TrialLedger.FILE) + ": "
                        + e.getMessage();
                System.err.println("tokenpowerbench: " + line);
                unrecorded.add(line);
                if (complete) {
                    results.removeAll(trialResults); // not kept: a resume would not find it
                    failed.add(new FailedTrial(trial.benchmark(), trial.params(), List.of(line)));
                }
                stopped = stopped != null ? stopped : "the run folder cannot be written";
            }
            if (stopped != null && i + 1 < trials.size()) {
                reasons.add("the sweep stopped there (" + stopped + "): " + (trials.size() - i - 1)
                        + " trial(s) after it did not run");
            }
            done++;
            int d = done;
            tell(l -> l.trialEnded(state(d, results, failed)));
        }
        int d = done;
        plan.output().endSweep(results);
        // after JMH's table: the listeners' last word (the console summary among them) follows it
        tell(l -> l.sweepEnded(state(d, results, failed)));
        writeResultFile(results);
        System.out.println();
        System.out.println("TokenPowerBench run folder: " + plan.runDir().toAbsolutePath());
        int status = 0;
        if (!failed.isEmpty() || !unrecorded.isEmpty() || stopped != null) {
            System.err.println("tokenpowerbench: " + (interruption.interrupted() ? "interrupted; " : "")
                    + failed.size() + " trial(s) failed"
                    + "; " + kept());
            reasons.forEach(f -> System.err.println("  " + f));
            status = 1;
        }
        interruption.sweepFinished();
        return status;
    }

    /**
     * What the run folder really holds and how to go on: the trials its ledger has complete (read
     * back, not assumed), and the resume line only when there is a ledger to resume.
     */
    private String kept() {
        long complete;
        try {
            TrialLedger now = new TrialLedger(plan.runDir());
            complete = plan.trials().stream().map(now::last).filter(e -> e != null && e.complete()).count();
        } catch (IOException e) {
            return "the trial record " + plan.runDir().resolve(TrialLedger.FILE) + " cannot be read (" + e.getMessage()
                    + "): run the whole command again";
        }
        if (!TrialLedger.exists(plan.runDir())) {
            return "nothing was recorded in " + plan.runDir() + ": run the whole command again";
        }
        return complete + " of " + plan.trials().size() + " trial(s) are recorded complete in " + plan.runDir()
                + "; run the rest with the same command line plus --resume " + plan.runDir();
    }

    /**
     * JMH's result file over the complete trials, replaced whole; left as it was when no trial is
     * complete (an earlier run's file is not replaced by an empty list) or when it cannot be written.
     */
    private void writeResultFile(List<RunResult> results) {
        if (plan.resultFile() == null) {
            return;
        }
        Path file = Path.of(plan.resultFile());
        System.out.println();
        if (results.isEmpty()) {
            System.out.println("No trial is complete: the result file " + file + " is left as it was");
            return;
        }
        ResultFormatType format = plan.line().options().getResultFormat().orElse(Defaults.RESULT_FORMAT);
        try {
            WholeFile.replace(file, out -> {
                PrintStream print = new PrintStream(out, false, StandardCharsets.UTF_8);
                ResultFormatFactory.getInstance(format, print).writeOut(results);
                print.flush();
                if (print.checkError()) {
                    throw new IOException("the result could not be written to " + file);
                }
            });
            System.out.println("Benchmark result is saved to " + plan.resultFile());
        } catch (IOException e) {
            System.err.println("tokenpowerbench: " + RunDirectory.cannotWrite(file, e).replace(
                    "choose a writable folder with -Dtpb.runDir=DIR before -jar", "give another path with -rff"));
        }
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
            metrics.put(e.getKey(), metric(e.getValue(), forkMeans(rr, e.getKey())));
        }
        List<Double> waveForks = rr.getBenchmarkResults().stream().map(b -> b.getPrimaryResult().getScore()).toList();
        return new TrialResult(rr.getParams().getBenchmark(), params, metric(rr.getPrimaryResult(), waveForks), metrics);
    }

    /**
     * The figure {@code label} in each fork of the trial (JMH keeps one {@code BenchmarkResult} per
     * fork): their spread is the error budget's between-runs term. NaN for a fork that lacks it.
     */
    private static List<Double> forkMeans(RunResult rr, String label) {
        List<Double> means = new ArrayList<>();
        for (BenchmarkResult fork : rr.getBenchmarkResults()) {
            Result<?> r = fork.getSecondaryResults().get(label);
            means.add(r == null ? Double.NaN : r.getScore());
        }
        return means;
    }

    private static Metric metric(Result<?> r, List<Double> forkMeans) {
        return new Metric(r.getScore(), r.getScoreError(), r.getScoreUnit(), r.getSampleCount(), forkMeans);
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
