package org.tokenpowerbench.sweep;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.UnCloseablePrintStream;
import org.openjdk.jmh.util.Utils;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.engine.Engines;
import org.tokenpowerbench.report.RunDirectory;

/**
 * A sweep checked and ready to run: every check that can be made before the first fork has
 * passed (parameter names, profilers, every trial's values, launch-only axes against a fixed server
 * and a managed engine's flags, engines and models, JMH's lock, the
 * result file, the run folder, its room and its lock, a resume's compatibility), so that a mistake costs one line and exit status 2, not a fork.
 *
 * @param line       the command line
 * @param trials     the trials, in JMH's order
 * @param runDir     the run folder
 * @param resume     whether this command goes on with the sweep recorded in {@code runDir}
 * @param jvmArgs    what every fork's JVM gets appended (the run folder, the invocation, ...)
 * @param ledger     the run folder's trial ledger
 * @param settings   the measurement flags a resume must match
 * @param resultFile JMH's result file ({@code -rf}/{@code -rff}), or null
 * @param output     JMH's console output for the whole sweep
 */
record SweepPlan(CommandLine line, List<Trial> trials, Path runDir, boolean resume, List<String> jvmArgs,
                 TrialLedger ledger, MeasurementSettings settings, String resultFile, SweepOutputFormat output) {

    /**
     * Checks everything and plans the sweep.
     *
     * @throws UserError with one line for the first thing that is wrong
     */
    static SweepPlan of(CommandLine line, ProfilerNames profilers) {
        CommandLineOptions cmd = line.options();
        Path resume = line.resume();
        if (resume != null && !TrialLedger.exists(resume)) {
            throw new UserError("--resume " + resume + ": no sweep recorded there; give the run folder of an earlier"
                    + " run, the one that holds " + TrialLedger.FILE + " (each run prints it at the end)");
        }
        SortedSet<BenchmarkListEntry> selected = selected(cmd);
        checkParameterNames(selected, line.parameterNames());
        profilers.check(cmd.getProfilers());
        List<Trial> trials = Sweep.trials(selected, name -> cmd.getParameter(name).orElse(null));
        if (trials.isEmpty()) {
            throw new UserError("no benchmark matches " + cmd.getIncludes() + ": list them with -l");
        }
        ParameterCheck.check(trials);
        LaunchOnlyAxes.check(trials);
        ManagedEngines.check(trials);
        checkEngines(cmd, selected);
        JmhLock.ofThisJvm().checkFree();
        String resultFile = line.resultFile();
        if (resultFile != null) {
            checkWritable(Path.of(resultFile));
        }

        Path runDir = resume != null ? resume : Path.of(System.getProperty("tpb.runDir",
                "tpb-results/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        List<String> jvmArgs = new ArrayList<>(cmd.getJvmArgsAppend().orElse(List.of()));
        jvmArgs.add("-Dtpb.runDir=" + runDir.toAbsolutePath());
        // every row this command writes says so: a resumed sweep's folder holds several commands' rows
        String invocation = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-pid"
                + ProcessHandle.current().pid();
        jvmArgs.add("-D" + RunDirectory.INVOCATION + "=" + invocation);
        System.setProperty(RunDirectory.INVOCATION, invocation);
        if (!line.mentions("jmh.shutdownTimeout")) {
            // llama.cpp's Java binding leaves a native thread attached to the JVM (non-daemon) once
            // its model is closed, and JMH waits 30 s at the end of every fork for such threads.
            // By then the fork has sent its results and our run folder is written: 1 s loses nothing.
            jvmArgs.add("-Djmh.shutdownTimeout=1");
        }
        System.setProperty("tpb.runDir", runDir.toAbsolutePath().toString());

        TrialLedger ledger;
        RunFolderRoom.check(runDir);
        RunFolderLock.hold(runDir);
        try {
            ledger = new TrialLedger(runDir);
        } catch (IOException e) {
            throw new UserError("cannot read " + runDir.resolve(TrialLedger.FILE) + " (" + e + "): choose another run"
                    + " folder with -Dtpb.runDir=DIR before -jar");
        }
        MeasurementSettings settings = MeasurementSettings.of(cmd, ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (resume != null) {
            TrialLedger.Entry other = ledger.measuredOtherwise(trials, settings);
            if (other != null) {
                // skipped and new trials must be comparable: the same iterations, forks, profilers, ...
                throw new UserError("--resume " + resume + ": trial " + other.number() + " there was measured with "
                        + new MeasurementSettings(other.settings()).describe() + "; this command gives "
                        + settings.describe() + ": resume with the same flags, or start a new run folder");
            }
        }
        return new SweepPlan(line, trials, runDir, resume != null, List.copyOf(jvmArgs), ledger, settings, resultFile,
                new SweepOutputFormat(outputFormat(cmd)));
    }

    private static SortedSet<BenchmarkListEntry> selected(CommandLineOptions cmd) {
        return BenchmarkList.defaultList().find(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), cmd.getIncludes(), cmd.getExcludes());
    }

    /** Throws when a name given with {@code -p} is a parameter of no selected benchmark. */
    static void checkParameterNames(SortedSet<BenchmarkListEntry> entries, List<String> names) {
        if (names.isEmpty()) {
            return;
        }
        TreeSet<String> known = new TreeSet<>();
        for (BenchmarkListEntry e : entries) {
            if (e.getParams().hasValue()) {
                known.addAll(e.getParams().get().keySet());
            }
        }
        for (String name : names) {
            if (!known.contains(name)) {
                throw new UserError("unknown parameter '" + name + "' in -p " + name + "=...: the selected "
                        + "benchmarks take " + (known.isEmpty() ? "no parameters" : String.join(", ", known)));
            }
        }
    }

    /** Checks every model and engine value the sweep will use, before any fork starts. */
    private static void checkEngines(CommandLineOptions cmd, SortedSet<BenchmarkListEntry> selected) {
        for (BenchmarkListEntry e : selected) {
            if (!e.getParams().hasValue() || !e.getParams().get().containsKey("engine")) {
                continue;
            }
            Map<String, String[]> defaults = e.getParams().get();
            for (String engine : values(cmd, defaults, "engine")) {
                for (String model : values(cmd, defaults, "model")) {
                    for (String quantization : values(cmd, defaults, "quantization")) {
                        Engines.check(engine, model, quantization);
                    }
                }
            }
        }
    }

    private static Collection<String> values(CommandLineOptions cmd, Map<String, String[]> defaults, String name) {
        if (cmd.getParameter(name).hasValue()) {
            return cmd.getParameter(name).get();
        }
        String[] d = defaults.get(name);
        return d == null ? List.of("") : List.of(d);
    }

    /**
     * Checks that the result file can be written without touching it: an existing file stays as
     * it is until the sweep replaces it whole, so an interrupted or wholly failed sweep does not
     * leave it empty.
     */
    static void checkWritable(Path file) {
        Path abs = file.toAbsolutePath();
        try {
            if (Files.isDirectory(abs)) {
                throw new IOException("it is a folder");
            }
            if (Files.exists(abs) && !Files.isWritable(abs)) {
                throw new IOException("it is read-only");
            }
            Files.deleteIfExists(Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp"));
        } catch (IOException e) {
            String why = e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null
                    ? fs.getFile() + ": " + fs.getReason() : e.getMessage();
            throw new UserError("cannot write the result file " + file + " (" + why + "): give a writable path with -rff");
        }
    }

    /** The output JMH would make for these options ({@code -o FILE} or the console), made once for the whole sweep. */
    private static OutputFormat outputFormat(CommandLineOptions cmd) {
        PrintStream stream;
        try {
            stream = cmd.getOutput().hasValue()
                    ? new PrintStream(cmd.getOutput().get(), Utils.guessConsoleEncoding())
                    : new UnCloseablePrintStream(System.out, Utils.guessConsoleEncoding());
        } catch (IOException e) {
            throw new UserError("cannot write the output file " + cmd.getOutput().get() + " (" + e
                    + "): give a writable path with -o");
        }
        return OutputFormatFactory.createFormatInstance(stream, cmd.verbosity().orElse(Defaults.VERBOSITY));
    }
}
