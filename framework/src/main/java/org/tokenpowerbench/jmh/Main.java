package org.tokenpowerbench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Defaults;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.UnCloseablePrintStream;
import org.openjdk.jmh.util.Utils;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.OpenEngine;
import org.tokenpowerbench.report.RunDirectory;

/**
 * Entry point of {@code benchmarks.jar}: JMH's own command line, plus
 * <ul>
 *   <li>short profiler names: {@code -prof cpu}, {@code -prof rapl}, {@code -prof nvml},
 *       {@code -prof tpb} (with options after a colon, as in JMH);</li>
 *   <li>the request metrics profiler added to every run, so latency and token metrics are always
 *       reported;</li>
 *   <li>an error for a {@code -p} name that no selected benchmark has (JMH ignores those), and
 *       before the first fork a check of every trial's engine, model, counts, open-loop values and
 *       dataset files ({@link ParameterCheck}): exit status 2 with one line;</li>
 *   <li>a run folder ({@code tpb-results/<time>}, or {@code -Dtpb.runDir=...}) that every fork
 *       appends to as it measures;</li>
 *   <li>the sweep run one trial at a time ({@link Sweep}: JMH's cartesian product, in JMH's
 *       order), each trial recorded in the run folder's {@link TrialLedger} and
 *       {@code summary.json} rewritten as soon as it ends; JMH's result file ({@code -rf},
 *       {@code -rff}) and end-of-run table cover the whole sweep;</li>
 *   <li>{@code --resume DIR}: the same sweep again in run folder {@code DIR}, skipping the trials
 *       complete there (their recorded results are reported with the new ones);</li>
 *   <li>exit status 1 when a trial of this run failed, with the one-line reason of each failure.</li>
 * </ul>
 */
public final class Main {

    static final Map<String, String> SHORT_PROFILERS = Map.of(
            "tpb", RequestMetricsProfiler.class.getName(),
            "cpu", CpuEstimateProfiler.class.getName(),
            "rapl", RaplProfiler.class.getName(),
            "nvml", NvmlProfiler.class.getName());

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs and returns the exit status: 0 success, 1 a trial failed, 2 bad command line. */
    public static int run(String[] args) {
        List<String> rewritten;
        Path resume;
        String[] plain;
        try {
            resume = resumeDir(args);
            plain = withoutResume(args);
            rewritten = rewrite(plain);
        } catch (IllegalArgumentException e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 2;
        }
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(rewritten.toArray(new String[0]));
        } catch (CommandLineOptionException e) {
            System.err.println("tokenpowerbench: " + e.getMessage() + " (see -h)");
            return 2;
        }
        try {
            if (cmd.shouldHelp()) {
                cmd.showHelp();
                System.out.println();
                System.out.println("TokenPowerBench adds: -prof cpu | rapl | nvml | tpb (short names, options after ':'),");
                System.out.println("  -Dtpb.runDir=DIR before -jar to choose the run folder (default tpb-results/<time>),");
                System.out.println("  --resume DIR to go on with the sweep recorded in run folder DIR (its complete trials are skipped).");
                return 0;
            }
            if (cmd.shouldListProfilers()) {
                cmd.listProfilers();
                System.out.println("TokenPowerBench profilers: " + new TreeSet<>(SHORT_PROFILERS.keySet()));
                return 0;
            }
            if (cmd.shouldListResultFormats()) {
                cmd.listResultFormats();
                return 0;
            }
            if (cmd.shouldList()) {
                new Runner(cmd).list();
                return 0;
            }
            if (cmd.shouldListWithParams()) {
                new Runner(cmd).listWithParams(cmd);
                return 0;
            }
        } catch (IOException e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 2;
        }

        List<Trial> trials;
        try {
            if (resume != null && !TrialLedger.exists(resume)) {
                throw new IllegalArgumentException("--resume " + resume + ": no sweep recorded there; give the run "
                        + "folder of an earlier run, the one that holds " + TrialLedger.FILE + " (each run prints it "
                        + "at the end)");
            }
            SortedSet<BenchmarkListEntry> selected = selected(cmd);
            checkParameterNames(selected, parameterNames(plain));
            checkProfilers(rewritten);
            trials = Sweep.trials(selected, name -> cmd.getParameter(name).orElse(null));
            if (trials.isEmpty()) {
                throw new IllegalArgumentException("no benchmark matches " + cmd.getIncludes() + ": list them with -l");
            }
            ParameterCheck.check(trials);
            checkEngines(cmd, selected);
        } catch (IllegalArgumentException | org.tokenpowerbench.UserError e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 2;
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
        if (!mentions(cmd, "jmh.shutdownTimeout")) {
            // llama.cpp's Java binding leaves a native thread attached to the JVM (non-daemon) once
            // its model is closed, and JMH waits 30 s at the end of every fork for such threads.
            // By then the fork has sent its results and our run folder is written: 1 s loses nothing.
            jvmArgs.add("-Djmh.shutdownTimeout=1");
        }
        System.setProperty("tpb.runDir", runDir.toAbsolutePath().toString());

        TrialLedger ledger;
        String resultFile = resultFile(cmd);
        try {
            Files.createDirectories(runDir);
            ledger = new TrialLedger(runDir);
        } catch (IOException e) {
            System.err.println("tokenpowerbench: cannot use the run folder " + runDir + " (" + e + "): choose a writable "
                    + "one with -Dtpb.runDir=DIR before -jar");
            return 2;
        }
        MeasurementSettings settings = MeasurementSettings.of(cmd,
                java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (resume != null) {
            TrialLedger.Entry other = ledger.measuredOtherwise(trials, settings);
            if (other != null) {
                // skipped and new trials must be comparable: the same iterations, forks, profilers, ...
                System.err.println("tokenpowerbench: --resume " + resume + ": trial " + other.number() + " there was measured"
                        + " with " + new MeasurementSettings(other.settings()).describe() + "; this command gives "
                        + settings.describe() + ": resume with the same flags, or start a new run folder");
                return 2;
            }
        }
        OutputFormat output;
        try {
            if (resultFile != null) {
                touch(Path.of(resultFile));
            }
            output = outputFormat(cmd);
        } catch (IOException e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 2;
        }
        return runSweep(cmd, trials, ledger, runDir, resume != null, jvmArgs, resultFile, new SweepOutputFormat(output),
                settings);
    }

    /**
     * Runs the trials one JMH run each, recording every trial in the ledger and rewriting
     * {@code summary.json} as soon as it ends; with {@code resume}, trials complete in the ledger
     * are not run again and their recorded results take their place.
     */
    private static int runSweep(CommandLineOptions cmd, List<Trial> trials, TrialLedger ledger, Path runDir,
                                boolean resume, List<String> jvmArgs, String resultFile, SweepOutputFormat out,
                                MeasurementSettings settings) {
        List<RunResult> results = new ArrayList<>();
        List<Trial> failed = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        String stopped = null;
        int ran = 0;
        for (int i = 0; i < trials.size() && stopped == null; i++) {
            Trial trial = trials.get(i);
            if (resume) {
                try {
                    List<RunResult> recorded = ledger.completeResults(trial);
                    if (recorded != null) {
                        System.out.println("tokenpowerbench: resume: skipping " + trial + " (complete in " + runDir + ")");
                        results.addAll(recorded);
                        continue;
                    }
                } catch (IOException e) {
                    System.out.println("tokenpowerbench: resume: running " + trial + " again: its recorded results "
                            + "cannot be read (" + e.getMessage() + ")");
                }
            }
            System.out.println("tokenpowerbench: trial " + (i + 1) + " of " + trials.size() + ": " + trial);
            int failuresBefore = failures(runDir).size();
            Collection<RunResult> trialResults = List.of();
            try {
                trialResults = new Runner(new TrialOptions(cmd, trial, jvmArgs), out).run();
            } catch (NoBenchmarksException e) {
                stopped = "no benchmark matches " + trial.benchmark() + " any more: list them with -l";
            } catch (RunnerException | RuntimeException e) {
                stopped = e.getMessage() != null ? e.getMessage() : e.toString();
            }
            ran++;
            List<String> all = failures(runDir);
            List<String> mine = all.subList(Math.min(failuresBefore, all.size()), all.size());
            boolean complete = stopped == null && !trialResults.isEmpty() && mine.isEmpty();
            if (!complete) {
                failed.add(trial);
                reasons.addAll(mine.isEmpty()
                        ? List.of(trial + ": " + (stopped != null ? stopped : "no result (see JMH's output above)"))
                        : mine);
            }
            if (stopped != null && i + 1 < trials.size()) {
                reasons.add("the sweep stopped there (" + stopped + "): " + (trials.size() - i - 1)
                        + " trial(s) after it did not run");
            }
            results.addAll(trialResults);
            try {
                ledger.record(trial, complete, trialResults, settings);
            } catch (IOException e) {
                System.err.println("tokenpowerbench: cannot record the trial in " + runDir.resolve(TrialLedger.FILE)
                        + ": " + e.getMessage());
            }
            writeSummary(runDir, results, failed);
        }
        if (ran == 0) {
            writeSummary(runDir, results, failed);
        }
        out.endSweep(results);
        if (resultFile != null) {
            ResultFormatType format = cmd.getResultFormat().orElse(Defaults.RESULT_FORMAT);
            ResultFormatFactory.getInstance(format, resultFile).writeOut(results);
            System.out.println();
            System.out.println("Benchmark result is saved to " + resultFile);
        }
        System.out.println();
        System.out.println("TokenPowerBench run folder: " + runDir.toAbsolutePath());
        if (!failed.isEmpty()) {
            System.err.println("tokenpowerbench: " + failed.size() + " trial(s) failed; measured trials are kept in "
                    + runDir + "; run them again with the same command line plus --resume " + runDir);
            reasons.forEach(f -> System.err.println("  " + f));
            return 1;
        }
        return 0;
    }

    /** JMH's result file, as JMH names it: {@code -rff}, else {@code jmh-result.<format>} when {@code -rf} is given. */
    static String resultFile(CommandLineOptions cmd) {
        if (!cmd.getResult().hasValue() && !cmd.getResultFormat().hasValue()) {
            return null;
        }
        return cmd.getResult().orElse(Defaults.RESULT_FILE_PREFIX + "."
                + cmd.getResultFormat().orElse(Defaults.RESULT_FORMAT).toString().toLowerCase(Locale.ROOT));
    }

    private static void touch(Path file) throws IOException {
        try {
            Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND).close();
        } catch (IOException e) {
            throw new IOException("cannot write the result file " + file + " (" + e + "): give a writable path with -rff");
        }
    }

    /** The output JMH would make for these options ({@code -o FILE} or the console), made once for the whole sweep. */
    private static OutputFormat outputFormat(CommandLineOptions cmd) throws IOException {
        PrintStream stream;
        if (cmd.getOutput().hasValue()) {
            try {
                stream = new PrintStream(cmd.getOutput().get(), Utils.guessConsoleEncoding());
            } catch (IOException e) {
                throw new IOException("cannot write the output file " + cmd.getOutput().get() + " (" + e
                        + "): give a writable path with -o");
            }
        } else {
            stream = new UnCloseablePrintStream(System.out, Utils.guessConsoleEncoding());
        }
        return OutputFormatFactory.createFormatInstance(stream, cmd.verbosity().orElse(Defaults.VERBOSITY));
    }

    /**
     * The spellings of {@code -prof} that JMH's parser (jopt-simple) accepts: one or two dashes,
     * the abbreviations {@code -pr} and {@code -pro}, the profiler in the next argument or after
     * {@code =} (group 1).
     */
    private static final Pattern PROF = Pattern.compile("--?(?:prof|pro|pr)(?:=(.*))?", Pattern.DOTALL);

    /** {@code -p} or {@code --p}, the pair in the next argument or after {@code =} (group 1). */
    private static final Pattern PARAM = Pattern.compile("--?p(?:=(.*))?", Pattern.DOTALL);

    /** {@code --resume DIR} or {@code --resume=DIR}: ours, not JMH's. */
    static final String RESUME = "--resume";

    /**
     * The run folder given with {@code --resume DIR} or {@code --resume=DIR}, or null without one.
     *
     * @throws IllegalArgumentException when the folder is missing or given twice
     */
    static Path resumeDir(String[] args) {
        String dir = null;
        for (int i = 0; i < args.length; i++) {
            String value;
            if (args[i].equals(RESUME)) {
                value = i + 1 < args.length ? args[++i] : "";
            } else if (args[i].startsWith(RESUME + "=")) {
                value = args[i].substring(RESUME.length() + 1);
            } else {
                continue;
            }
            if (value.isBlank() || value.startsWith("-")) {
                throw new IllegalArgumentException(RESUME + " needs the run folder of an earlier run, e.g. "
                        + RESUME + " tpb-results/20261127-101500");
            }
            if (dir != null && !dir.equals(value)) {
                throw new IllegalArgumentException(RESUME + " is given twice (" + dir + ", " + value + "): give one run folder");
            }
            dir = value;
        }
        return dir == null ? null : Path.of(dir);
    }

    /** The arguments without {@code --resume DIR} / {@code --resume=DIR}, for JMH's parser. */
    static String[] withoutResume(String[] args) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals(RESUME)) {
                i++; // its folder
            } else if (!args[i].startsWith(RESUME + "=")) {
                out.add(args[i]);
            }
        }
        return out.toArray(new String[0]);
    }

    /**
     * Maps short profiler names to classes, adds the request metrics profiler and drops
     * {@code --resume} (see {@link #resumeDir}).
     */
    static List<String> rewrite(String[] all) {
        String[] args = withoutResume(all);
        List<String> out = new ArrayList<>();
        boolean metrics = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            Matcher prof = PROF.matcher(a);
            if (prof.matches()) {
                String spec = prof.group(1);
                if (spec == null) {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("-prof needs a profiler name, e.g. -prof cpu");
                    }
                    spec = args[++i];
                }
                int colon = spec.indexOf(':');
                String name = colon < 0 ? spec : spec.substring(0, colon);
                String cls = SHORT_PROFILERS.get(name);
                String full = cls == null ? spec : cls + (colon < 0 ? "" : spec.substring(colon));
                metrics |= (cls == null ? name : cls).equals(RequestMetricsProfiler.class.getName());
                out.add("-prof");
                out.add(full);
            } else {
                out.add(a);
            }
        }
        if (!metrics) {
            out.add("-prof");
            out.add(RequestMetricsProfiler.class.getName());
        }
        return out;
    }

    /**
     * Names given with {@code -p name=values}, in every spelling JMH accepts: also
     * {@code -pname=values}, {@code -p=name=values} and {@code --p name=values}.
     */
    static List<String> parameterNames(String[] args) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String pair = null;
            Matcher prof = PROF.matcher(a);
            Matcher param = PARAM.matcher(a);
            if (prof.matches()) {
                if (prof.group(1) == null) {
                    i++; // the profiler spec
                }
                continue;
            } else if (param.matches()) {
                if (param.group(1) != null) {
                    pair = param.group(1);
                } else if (i + 1 < args.length) {
                    pair = args[++i];
                }
            } else if (a.startsWith("-p") && a.length() > 2) {
                pair = a.substring(2);
            }
            if (pair != null) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("-p " + pair + " is not name=values: write e.g. -p batch=1,8");
                }
                names.add(pair.substring(0, eq));
            }
        }
        return names;
    }

    private static SortedSet<BenchmarkListEntry> selected(CommandLineOptions cmd) {
        return BenchmarkList.defaultList().find(
                OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT), cmd.getIncludes(), cmd.getExcludes());
    }

    /**
     * Instantiates our power profilers once here, so that an unavailable sensor (no NVML driver,
     * unreadable RAPL) stops the run before the first trial with the sensor's own one-line reason.
     */
    static void checkProfilers(List<String> rewritten) {
        for (int i = 0; i + 1 < rewritten.size(); i++) {
            if (!rewritten.get(i).equals("-prof")) {
                continue;
            }
            String spec = rewritten.get(i + 1);
            int colon = spec.indexOf(':');
            String cls = colon < 0 ? spec : spec.substring(0, colon);
            String options = colon < 0 ? "" : spec.substring(colon + 1);
            if (!cls.startsWith("org.tokenpowerbench.jmh.") || cls.equals(RequestMetricsProfiler.class.getName())) {
                continue;
            }
            try {
                Class.forName(cls).getConstructor(String.class).newInstance(options);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new IllegalArgumentException(e.getCause().getMessage());
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("-prof " + spec + ": " + e);
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
                        OpenEngine.check(engine, model, quantization);
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

    /** Whether the user's fork JVM options already set {@code property}. */
    static boolean mentions(CommandLineOptions cmd, String property) {
        List<String> all = new ArrayList<>();
        all.addAll(cmd.getJvmArgs().orElse(List.of()));
        all.addAll(cmd.getJvmArgsPrepend().orElse(List.of()));
        all.addAll(cmd.getJvmArgsAppend().orElse(List.of()));
        return all.stream().anyMatch(a -> a.startsWith("-D" + property + "="));
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
                throw new IllegalArgumentException("unknown parameter '" + name + "' in -p " + name + "=...: the selected "
                        + "benchmarks take " + (known.isEmpty() ? "no parameters" : String.join(", ", known)));
            }
        }
    }

    /**
     * Writes {@code summary.json}: every trial's results so far (recorded ones included when
     * resuming) and the trials that failed in this run. Replaced atomically, after every trial.
     */
    static void writeSummary(Path runDir, Collection<RunResult> results, Collection<Trial> failed) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("tool", "TokenPowerBench for Java");
        ArrayNode trials = root.putArray("trials");
        for (RunResult rr : results) {
            ObjectNode t = trials.addObject();
            t.put("benchmark", rr.getParams().getBenchmark());
            ObjectNode params = t.putObject("params");
            for (String k : rr.getParams().getParamsKeys()) {
                params.put(k, rr.getParams().getParam(k));
            }
            Result<?> primary = rr.getPrimaryResult();
            ObjectNode p = t.putObject("wave");
            p.put("score", primary.getScore());
            p.put("error", primary.getScoreError());
            p.put("unit", primary.getScoreUnit());
            ObjectNode secondary = t.putObject("metrics");
            for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
                ObjectNode m = secondary.putObject(e.getKey());
                m.put("score", e.getValue().getScore());
                m.put("error", e.getValue().getScoreError());
                m.put("unit", e.getValue().getScoreUnit());
                m.put("samples", e.getValue().getSampleCount());
            }
        }
        ArrayNode failedTrials = root.putArray("failed");
        for (Trial f : failed) {
            ObjectNode t = failedTrials.addObject();
            t.put("benchmark", f.benchmark());
            ObjectNode params = t.putObject("params");
            f.params().forEach(params::put);
        }
        try {
            Files.createDirectories(runDir);
            Path tmp = runDir.resolve("summary.json.tmp");
            json.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            TrialLedger.move(tmp, runDir.resolve("summary.json"));
        } catch (IOException e) {
            System.err.println("tokenpowerbench: cannot write " + runDir.resolve("summary.json") + ": " + e.getMessage());
        }
    }

    private static List<String> failures(Path runDir) {
        Path file = runDir.resolve("failures.jsonl");
        List<String> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        ObjectMapper json = new ObjectMapper();
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.isBlank()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                out.add(n.path("trial").asText() + ": " + n.path("message").asText());
            }
        } catch (IOException e) {
            out.add("cannot read " + file + ": " + e.getMessage());
        }
        return out;
    }
}
