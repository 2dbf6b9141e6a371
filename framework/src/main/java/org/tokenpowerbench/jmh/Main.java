package org.tokenpowerbench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.Result;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.OpenEngine;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Entry point of {@code benchmarks.jar}: JMH's own command line, plus
 * <ul>
 *   <li>short profiler names: {@code -prof cpu}, {@code -prof rapl}, {@code -prof nvml},
 *       {@code -prof tpb} (with options after a colon, as in JMH);</li>
 *   <li>the request metrics profiler added to every run, so latency and token metrics are always
 *       reported;</li>
 *   <li>an error for a {@code -p} name that no selected benchmark has (JMH ignores those);</li>
 *   <li>a run folder ({@code tpb-results/<time>}, or {@code -Dtpb.runDir=...}) that every fork
 *       appends to as it measures, and a {@code summary.json} at the end;</li>
 *   <li>exit status 1 when a trial failed, with the one-line reason of each failure.</li>
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
        try {
            rewritten = rewrite(args);
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
                System.out.println("  -Dtpb.runDir=DIR before -jar to choose the run folder (default tpb-results/<time>).");
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

        try {
            SortedSet<BenchmarkListEntry> selected = selected(cmd);
            checkParameterNames(selected, parameterNames(args));
            checkProfilers(rewritten);
            checkEngines(cmd, selected);
        } catch (IllegalArgumentException | EngineException e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 2;
        }

        Path runDir = Path.of(System.getProperty("tpb.runDir",
                "tpb-results/" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))));
        List<String> jvmArgs = new ArrayList<>(cmd.getJvmArgsAppend().orElse(List.of()));
        jvmArgs.add("-Dtpb.runDir=" + runDir.toAbsolutePath());
        System.setProperty("tpb.runDir", runDir.toAbsolutePath().toString());
        OptionsBuilder options = new OptionsBuilder();
        options.parent(cmd);
        options.jvmArgsAppend(jvmArgs.toArray(new String[0]));

        Collection<RunResult> results;
        try {
            Files.createDirectories(runDir);
            results = new Runner(options.build()).run();
        } catch (NoBenchmarksException e) {
            System.err.println("tokenpowerbench: no benchmark matches " + cmd.getIncludes() + ": list them with -l");
            return 2;
        } catch (RunnerException | IOException e) {
            System.err.println("tokenpowerbench: " + e.getMessage());
            return 1;
        }
        writeSummary(runDir, results);
        List<String> failures = failures(runDir);
        System.out.println();
        System.out.println("TokenPowerBench run folder: " + runDir.toAbsolutePath());
        if (!failures.isEmpty()) {
            System.err.println("tokenpowerbench: " + failures.size() + " trial(s) failed; measured trials are kept in " + runDir);
            failures.forEach(f -> System.err.println("  " + f));
            return 1;
        }
        return 0;
    }

    /**
     * The spellings of {@code -prof} that JMH's parser (jopt-simple) accepts: one or two dashes,
     * the abbreviations {@code -pr} and {@code -pro}, the profiler in the next argument or after
     * {@code =} (group 1).
     */
    private static final Pattern PROF = Pattern.compile("--?(?:prof|pro|pr)(?:=(.*))?", Pattern.DOTALL);

    /** {@code -p} or {@code --p}, the pair in the next argument or after {@code =} (group 1). */
    private static final Pattern PARAM = Pattern.compile("--?p(?:=(.*))?", Pattern.DOTALL);

    /** Maps short profiler names to classes and adds the request metrics profiler. */
    static List<String> rewrite(String[] args) {
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

    private static void writeSummary(Path runDir, Collection<RunResult> results) {
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
        try {
            Files.createDirectories(runDir);
            json.writerWithDefaultPrettyPrinter().writeValue(runDir.resolve("summary.json").toFile(), root);
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
