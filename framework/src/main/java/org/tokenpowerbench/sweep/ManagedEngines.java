package org.tokenpowerbench.sweep;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.launch.EngineProcess;
import org.tokenpowerbench.engine.launch.LaunchAxes;
import org.tokenpowerbench.engine.launch.LaunchCommand;
import org.tokenpowerbench.engine.launch.LaunchCommands;
import org.tokenpowerbench.engine.launch.LaunchedEndpoint;
import org.tokenpowerbench.engine.launch.LaunchedEngines;
import org.tokenpowerbench.engine.launch.StartupMeter;
import org.tokenpowerbench.jmh.BenchmarkSpec;
import org.tokenpowerbench.report.EngineRow;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.TrialKey;

/**
 * The managed engines of a sweep, on the host: before each trial whose engine value is
 * {@code launch:...}, the trial's {@link LaunchAxes}, an engine for them (the running one when its
 * launch command is the same, else a fresh one, its start-up measured), and the fork's JVM
 * arguments that point it there; each start, reuse, failure and stop as a row of
 * {@code engines.jsonl}, its output in {@code engines/<trial id>.log}. A start that fails fails
 * only its trial, with the engine's last log lines in {@code failures.jsonl}.
 */
final class ManagedEngines implements AutoCloseable {

    /** The parallelism axes, read by name: absent (an older axis table, a benchmark without them) is 1. */
    static final String TENSOR_PARALLEL = "tensorParallel";
    static final String PIPELINE_PARALLEL = "pipelineParallel";
    static final String DATA_PARALLEL = "dataParallel";

    private final RunDirectory runDir;
    private final LaunchedEngines engines;
    private final StartupMeter meter;
    private final PrintStream console;
    private TrialKey running; // the trial that started the running engine
    private BenchmarkSpec runningSpec; // and its values

    /** How long the GPUs may take to give an engine's memory back before the next trial goes on anyway. */
    static final Duration SETTLE = Duration.ofSeconds(60);

    private final Supplier<GpuMemorySettle> settleOpener;
    private GpuMemorySettle settle;
    private boolean settleOpened;

    /**
     * @param settleOpener the GPUs' levels before the first engine starts (null: not an NVIDIA host),
     *                     asked once, just before the first launch
     */
    ManagedEngines(Path runDir, LaunchedEngines.Commands commands, LaunchedEngines.Timing timing, StartupMeter meter,
                   PrintStream console, Supplier<GpuMemorySettle> settleOpener) {
        this.runDir = new RunDirectory(runDir);
        this.engines = new LaunchedEngines(commands, timing, console, this::ended);
        this.meter = meter;
        this.console = console;
        this.settleOpener = settleOpener;
    }

    /**
     * The sweep's: presets' commands, the timing from system properties, the sensors of {@code -prof},
     * and on an NVIDIA host the wait for GPU memory between engines.
     */
    static ManagedEngines of(SweepPlan plan) {
        return new ManagedEngines(plan.runDir(), LaunchCommands::command, LaunchedEngines.Timing.fromSystemProperties(),
                StartupPower.of(plan.line().options().getProfilers(), System.out), System.out,
                () -> GpuMemorySettle.open(System.out));
    }

    /**
     * Checks every launched trial's values with its preset, before the first fork: a value an
     * engine cannot honour is one line then, not a failure hours into the sweep.
     *
     * @throws EngineException naming the value and what to do
     */
    static void check(List<Trial> trials) {
        for (Trial t : trials) {
            String engine = t.params().get("engine");
            if (LaunchCommands.isLaunch(engine)) {
                BenchmarkSpec spec = TrialSpec.of(t);
                if (spec != null) {
                    LaunchCommands.check(spec.engine(), axes(t, spec));
                }
            }
        }
    }

    /** A trial's launch axes: its model and quantization, parallelism, the slots and context its fork will use. */
    static LaunchAxes axes(Trial trial, BenchmarkSpec spec) {
        return new LaunchAxes(spec.model(), spec.quantization(), parallel(trial, TENSOR_PARALLEL),
                parallel(trial, PIPELINE_PARALLEL), parallel(trial, DATA_PARALLEL), spec.slots(),
                spec.promptSource().contextPerSlot(spec.outputTokens()), spec.seed());
    }

    private static int parallel(Trial trial, String name) {
        String v = trial.params().get(name);
        return v == null ? 1 : Integer.parseInt(v.trim()); // checked by the axis table before the sweep
    }

    /**
     * Readies the engine of {@code trial}: the fork's extra JVM arguments, empty for a trial whose
     * engine is not launched.
     *
     * @throws EngineException when its engine could not be started; the failure is recorded already
     */
    List<String> before(Trial trial) {
        String engine = trial.params().get("engine");
        if (!LaunchCommands.isLaunch(engine)) {
            engines.stop("the next trial's engine is not launched");
            return List.of();
        }
        BenchmarkSpec spec = TrialSpec.of(trial);
        TrialKey key = new TrialKey(spec.benchmarkClass(), spec.describe());
        if (!settleOpened) { // the GPUs' levels before any engine of ours
            settleOpened = true;
            settle = settleOpener.get();
        }
        Path log = runDir.root().resolve("engines").resolve(key.id() + ".log");
        LaunchedEngines.Served served;
        try {
            served = engines.serve(spec.engine(), axes(trial, spec), log, meter);
        } catch (EngineException e) {
            // the same fields as a start that went well: which engine, model, command and port, and why
            LaunchedEngines.Attempt tried = engines.lastAttempt();
            LaunchCommand command = tried == null ? null : tried.command();
            new EngineRow(RunDirectory.invocation(), key.id(), key.description(), "failed", spec.engine(), spec.model(),
                    command == null ? "" : String.join(" ", command.argv()), tried == null ? 0 : tried.port(), null,
                    Double.NaN, Map.of(), Double.NaN, tried == null || tried.process() == null ? null
                    : tried.process().exitStatus(), log.toString(), firstLine(e.getMessage()), null).appendTo(runDir);
            new FailureRecord(RunDirectory.invocation(), key.benchmark(), key.description(), e.getMessage())
                    .appendTo(runDir);
            throw e;
        }
        EngineProcess p = served.engine();
        new EngineRow(RunDirectory.invocation(), key.id(), key.description(), served.reused() ? "reused" : "ready",
                spec.engine(), spec.model(), String.join(" ", p.command().argv()), p.port(), served.version(), served.startupSeconds(),
                served.startupJoules(), Double.NaN, null, p.log().toString(), served.reused()
                ? "started for trial " + running.id() + "; only client-side values differ" : null, null).appendTo(runDir);
        if (!served.reused()) {
            running = key;
            runningSpec = spec;
        }
        return new LaunchedEndpoint(p.url(), p.command().servedModel(), p.command().tokenizer(), served.reused(),
                served.startupSeconds(), served.startupJoules(), p.pid()).jvmArgs();
    }

    /** After a trial: an engine that died during it is recorded now, so the next trial starts a fresh one. */
    void after() {
        EngineProcess p = engines.current();
        if (p != null && !p.alive()) {
            console.println("tokenpowerbench: the engine on :" + p.port() + " exited during the trial (status "
                    + p.exitStatus() + "); its log: " + p.log());
            engines.stop("it had died");
        }
    }

    /** Records how an engine ended (nothing when none had run). */
    private void ended(LaunchedEngines.Ended ended) {
        if (ended == null || running == null) {
            return;
        }
        EngineProcess p = ended.engine();
        new EngineRow(RunDirectory.invocation(), running.id(), running.description(), "stopped",
                runningSpec.engine(), runningSpec.model(), String.join(" ", p.command().argv()), p.port(), null, Double.NaN, Map.of(), ended.stopped().seconds(),
                ended.stopped().exitStatus(), p.log().toString(), ended.why(), ended.stopped().escaped()).appendTo(runDir);
        running = null;
        runningSpec = null;
        if (settle != null) {
            settle.await(ended.stopped().pids(), SETTLE);
        }
    }

    /** Stops the running engine and records it. */
    @Override
    public void close() {
        engines.stop("the sweep ended");
        if (settle != null) {
            settle.close();
        }
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
