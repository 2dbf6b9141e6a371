package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.tokenpowerbench.jmh.PowerProfiler;
import org.tokenpowerbench.jmh.RequestMetricsProfiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.results.SingleShotResult;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The command line of {@code benchmarks.jar}, in-process, against the samples of this module
 * (their {@code META-INF/BenchmarkList} is on the test class path). Nothing here starts a
 * benchmark: every {@link Main#run} call is one that returns before JMH's runner would.
 */
class MainTest {

    static final String SAMPLE_01 = "org.tokenpowerbench.samples.TPBSample_01_FirstJoules_Energy";
    static final String SAMPLE_02 = "org.tokenpowerbench.samples.TPBSample_02_BatchSweep_Energy";
    static final String SAMPLE_03 = "org.tokenpowerbench.samples.TPBSample_03_OpenLoop_Energy";
    static final String METRICS = RequestMetricsProfiler.class.getName();
    static final String CPU = PowerProfiler.class.getName() + ":sensor=cpu";
    static final ProfilerNames NAMES = new ProfilerNames();

    /** Exit status plus what {@link Main#run} wrote to System.out and System.err. */
    record Outcome(int status, String out, String err) {
    }

    static synchronized Outcome run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            status = Main.run(args);
            System.out.flush();
            System.err.flush();
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
        return new Outcome(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** The benchmarks a command line's includes select, as Main looks them up. */
    static SortedSet<BenchmarkListEntry> selected(String... includes) {
        return BenchmarkList.defaultList().find(OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT),
                List.of(includes), Collections.emptyList());
    }

    static int count(List<String> list, String value) {
        return Collections.frequency(list, value);
    }

    // --- Main.run, in-process ---------------------------------------------------------------------

    @Nested
    class Run {

        @Test
        void listNamesTheGeneratedBenchmarks() {
            Outcome o = run("-l");
            assertEquals(0, o.status(), o.err());
            assertTrue(o.out().contains(SAMPLE_01 + ".wave"), o.out());
            assertTrue(o.out().contains(SAMPLE_02 + ".wave"), o.out());
        }

        @Test
        void listFiltersByIncludePattern() {
            Outcome o = run("-l", "TPBSample_01");
            assertEquals(0, o.status(), o.err());
            assertTrue(o.out().contains("TPBSample_01_FirstJoules_Energy.wave"), o.out());
            assertFalse(o.out().contains("TPBSample_02"), o.out());
        }

        @Test
        void listWithParamsShowsTheAxes() {
            Outcome o = run("-lp", "TPBSample_02");
            assertEquals(0, o.status(), o.err());
            assertTrue(o.out().contains("TPBSample_02_BatchSweep_Energy.wave"), o.out());
            assertTrue(o.out().contains("batch"), o.out());
            assertTrue(o.out().contains("quantization"), o.out());
        }

        @Test
        void unknownParameterIsAnErrorThatListsTheKnownOnes() {
            Outcome o = run("-p", "batchsize=4", "TPBSample_01");
            assertEquals(2, o.status(), o.out());
            assertTrue(o.err().contains("'batchsize'"), o.err());
            for (String known : List.of("api", "batch", "engine", "inputTokens", "model", "outputTokens", "prompts",
                    "quantization")) {
                assertTrue(o.err().contains(known), () -> known + " missing from: " + o.err());
            }
            assertTrue(o.err().contains("batch, engine"), o.err()); // sorted, comma-separated
            assertFalse(o.out().contains("TokenPowerBench run folder"), o.out());
        }

        @Test
        void unknownParameterInEverySpellingJmhAccepts() {
            for (String[] args : List.of(
                    new String[] {"-pbatchsize=4", "TPBSample_01"},
                    new String[] {"-p=batchsize=4", "TPBSample_01"},
                    new String[] {"--p", "batchsize=4", "TPBSample_01"},
                    new String[] {"TPBSample_01", "-p", "batch=1", "-p", "batchsize=4"})) {
                Outcome o = run(args);
                assertEquals(2, o.status(), () -> List.of(args) + ": " + o.err());
                assertTrue(o.err().contains("'batchsize'"), () -> List.of(args) + ": " + o.err());
            }
        }

        @Test
        void parameterOfABenchmarkThatIsNotSelectedIsUnknown() {
            Outcome o = run("-p", "batch=1", "NoSuchBenchmarkAnywhere");
            assertEquals(2, o.status(), o.out());
            assertTrue(o.err().contains("'batch'"), o.err());
            assertTrue(o.err().contains("no parameters"), o.err());
        }

        @Test
        void malformedParameterIsABadCommandLine() {
            Outcome o = run("-p", "batch", "TPBSample_01");
            assertEquals(2, o.status(), o.out());
            assertTrue(o.err().startsWith("tokenpowerbench: "), o.err());
        }

        @Test
        void profWithoutNameIsABadCommandLine() {
            Outcome o = run("TPBSample_01", "-prof");
            assertEquals(2, o.status());
            assertTrue(o.err().contains("-prof needs a profiler name"), o.err());
        }

        @Test
        void unknownOptionIsABadCommandLine() {
            Outcome o = run("-no-such-option", "TPBSample_01");
            assertEquals(2, o.status());
            assertTrue(o.err().contains("(see -h)"), o.err());
        }

        @Test
        void helpMentionsTheShortProfilerNames() {
            Outcome o = run("-h");
            assertEquals(0, o.status(), o.err());
            assertTrue(o.out().contains("-prof cpu | ipmi | nvml | prometheus | rapl | redfish | tpb"), o.out());
        }

        @Test
        void listProfilersNamesOurs() {
            Outcome o = run("-lprof");
            assertEquals(0, o.status(), o.err());
            assertTrue(o.out().contains("TokenPowerBench profilers: [cpu, ipmi, nvml, prometheus, rapl, redfish, tpb]"), o.out());
            assertTrue(o.out().contains("nvml: NVIDIA GPU energy"), "each sensor with its description: " + o.out());
        }

        @Test
        void reportRebuildsThePageOfARunFolderWithoutASweep(@TempDir Path dir) throws Exception {
            Outcome missing = run("report", dir.resolve("no-such-run").toString());
            assertEquals(2, missing.status(), missing.out() + missing.err());
            assertFalse(missing.out().contains("# Fork"), "no sweep ran");
            Outcome none = run("report");
            assertEquals(2, none.status(), "a folder is needed: " + none.err());
        }

        @Test
        void reportCompareRefusesBadInputWithOneLineAndExitTwo(@TempDir Path dir) {
            Outcome one = run("report", "--compare", dir.toString());
            assertEquals(2, one.status(), one.out() + one.err());
            assertEquals(1, one.err().strip().lines().count(), "one line: " + one.err());
            assertTrue(one.err().contains("give two runs, BASE then NEW"), one.err());
            Path a = dir.resolve("a");
            Path b = dir.resolve("b");
            try {
                java.nio.file.Files.createDirectories(a);
                java.nio.file.Files.createDirectories(b);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Outcome none = run("report", "--compare", a.toString(), b.toString()); // two folders, neither a run's
            Outcome same = run("report", "--compare", a.toString(), a.toString());
            assertEquals(2, same.status(), same.out() + same.err());
            assertTrue(same.err().contains("BASE and NEW are the same run"), same.err());
            assertEquals(2, none.status(), none.out() + none.err());
            assertTrue(none.err().strip().endsWith("or a JMH JSON file") && none.err().contains("has no summary.json"),
                    none.err());
            assertFalse(none.out().contains("# Fork"), "no sweep ran");
        }

        @Test
        void unknownProfilerIsRefusedBeforeTheRunWithOursAndJmhs() {
            String line = rejected("TPBSample_01", "-prof", "gpu");
            assertTrue(line.contains("-prof gpu: no such profiler"), line);
            assertTrue(line.contains("ours are cpu, ipmi, nvml, prometheus, rapl, redfish, tpb"), line);
            assertTrue(line.contains("gc") && line.contains("stack"), "JMH's names too: " + line);
        }

        @Test
        void aSensorIdReachesThePowerProfilerWithItsOptions() {
            // no sensor option check needs hardware: a bad period is refused by the profiler itself, before the run
            String line = rejected("TPBSample_01", "-prof", "cpu:period=0.1ms");
            assertTrue(line.contains("period=0.1ms is below the minimum"), line);
        }
    }

    // --- the parameter check ------------------------------------------------------------------------

    @Nested
    class ParameterNames {

        @Test
        void everySpellingJmhAccepts() {
            assertEquals(List.of("batch"), CommandLine.parameterNames(new String[] {"-p", "batch=1,2"}));
            assertEquals(List.of("batch"), CommandLine.parameterNames(new String[] {"-pbatch=1,2"}));
            assertEquals(List.of("batch"), CommandLine.parameterNames(new String[] {"-p=batch=1,2"}));
            assertEquals(List.of("batch"), CommandLine.parameterNames(new String[] {"--p", "batch=1,2"}));
            assertEquals(List.of("batch"), CommandLine.parameterNames(new String[] {"--p=batch=1,2"}));
            // a parameter whose name starts with 'r' or 'rof', glued to -p
            assertEquals(List.of("rate"), CommandLine.parameterNames(new String[] {"-prate=3"}));
        }

        @Test
        void severalInOrder() {
            assertEquals(List.of("batch", "model", "engine"), CommandLine.parameterNames(new String[] {
                    "TPBSample_01", "-p", "batch=1", "-f", "1", "-pmodel=a,b", "-prof", "cpu", "-p", "engine=http://h:8000"}));
        }

        @Test
        void profilerOptionsAreNotParameters() {
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-prof", "cpu"}));
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-prof", "cpu:wattsPerCore=5"}));
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-prof=cpu:wattsPerCore=5"}));
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"--prof", "cpu"}));
            // jopt-simple takes -pr and -pro as abbreviations of -prof
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-pro", "cpu"}));
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-pr", "cpu"}));
            // a profiler spec that looks like -p is the spec, not a parameter
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-prof", "-pfoo=1"}));
        }

        @Test
        void noParameters() {
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {}));
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"TPBSample_01", "-f", "1", "-wi", "0"}));
            assertEquals(List.of(), CommandLine.parameterNames(new String[] {"-p"})); // JMH reports the missing value
        }

        @Test
        void notNameEqualsValues() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CommandLine.parameterNames(new String[] {"-p", "batch"}));
            assertTrue(e.getMessage().contains("-p batch is not name=values"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> CommandLine.parameterNames(new String[] {"-p", "=1"}));
        }

        @Test
        void knownNamesAreAccepted() {
            SortedSet<BenchmarkListEntry> sample01 = selected("TPBSample_01");
            assertEquals(1, sample01.size(), sample01::toString);
            assertDoesNotThrow(() -> SweepPlan.checkParameterNames(sample01, CommandLine.parameterNames(new String[] {
                    "-p", "batch=1,2", "TPBSample_01"})));
            assertDoesNotThrow(() -> SweepPlan.checkParameterNames(sample01, CommandLine.parameterNames(new String[] {
                    "-p=batch=1,2", "-pmodel=synthetic:llama-tiny", "--p", "quantization=q8_0"})));
            for (String name : List.of("api", "batch", "engine", "inputTokens", "model", "outputTokens", "prompts",
                    "quantization")) {
                assertDoesNotThrow(() -> SweepPlan.checkParameterNames(sample01, List.of(name)), name);
            }
            assertDoesNotThrow(() -> SweepPlan.checkParameterNames(sample01, List.of()));
        }

        @Test
        void allBenchmarksWhenNoIncludeIsGiven() {
            SortedSet<BenchmarkListEntry> all = selected();
            assertTrue(all.size() >= 2, all::toString);
            assertDoesNotThrow(() -> SweepPlan.checkParameterNames(all, List.of("batch")));
        }

        @Test
        void unknownNameIsRejectedWithTheKnownOnes() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweepPlan.checkParameterNames(selected("TPBSample_01"), List.of("batch", "batchsize")));
            // the benchmark's parameters, sorted and comma-separated (the processor may add axes over time)
            List<String> known = new ArrayList<>(new TreeSet<>(selected("TPBSample_01").first().getParams().get().keySet()));
            assertTrue(known.containsAll(List.of("api", "batch", "engine", "inputTokens", "model", "outputTokens", "prompts",
                    "quantization")), known::toString);
            assertEquals("unknown parameter 'batchsize' in -p batchsize=...: the selected benchmarks take "
                    + String.join(", ", known), e.getMessage());
        }

        @Test
        void parameterNamesAreCaseSensitive() {
            assertThrows(IllegalArgumentException.class,
                    () -> SweepPlan.checkParameterNames(selected("TPBSample_01"), List.of("Batch")));
        }

        @Test
        void noBenchmarkSelectedMeansNoParameters() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> SweepPlan.checkParameterNames(selected("NoSuchBenchmarkAnywhere"), List.of("batch")));
            assertTrue(e.getMessage().endsWith("take no parameters"), e.getMessage());
        }
    }

    // --- profiler rewriting -------------------------------------------------------------------------

    @Nested
    class Rewrite {

        @Test
        void shortNameBecomesTheClass() {
            assertEquals(List.of("TPBSample_01", "-prof", CPU, "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"TPBSample_01", "-prof", "cpu"}, NAMES));
        }

        @Test
        void optionsAfterTheColonAreKept() {
            assertEquals(List.of("-prof", CPU + ";wattsPerCore=5", "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"-prof", "cpu:wattsPerCore=5"}, NAMES));
            assertEquals(List.of("-prof", CPU + ";wattsPerCore=5;idleWatts=2", "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"-prof", "cpu:wattsPerCore=5;idleWatts=2"}, NAMES));
        }

        @Test
        void everyShortName() {
            assertEquals(PowerProfiler.class.getName() + ":sensor=rapl", CommandLine.rewrite(new String[] {"-prof", "rapl"}, NAMES).get(1));
            assertEquals(PowerProfiler.class.getName() + ":sensor=nvml", CommandLine.rewrite(new String[] {"-prof", "nvml"}, NAMES).get(1));
            assertEquals(METRICS, CommandLine.rewrite(new String[] {"-prof", "tpb"}, NAMES).get(1));
            assertEquals(PowerProfiler.class.getName() + ":sensor=prometheus;url=http://prom:9090;selector={job=\"dcgm\"}",
                    CommandLine.rewrite(new String[] {"-prof", "prometheus:url=http://prom:9090;selector={job=\"dcgm\"}"},
                            NAMES).get(1), "a URL's colon stays in the options");
            assertEquals(NAMES.ours().keySet(), java.util.Set.of("cpu", "rapl", "nvml", "prometheus", "ipmi", "redfish",
                    "tpb"));
        }

        @Test
        void metricsProfilerIsAlwaysAddedOnce() {
            assertEquals(List.of("-prof", METRICS), CommandLine.rewrite(new String[] {}, NAMES));
            for (String[] args : List.of(
                    new String[] {"TPBSample_01"},
                    new String[] {"-prof", "cpu"},
                    new String[] {"-prof", "tpb"},
                    new String[] {"-prof", "tpb:someOption=1"},
                    new String[] {"-prof", METRICS},
                    new String[] {"-prof", METRICS + ":someOption=1"},
                    new String[] {"-prof", "cpu", "-prof", "tpb", "-prof", "gc"},
                    new String[] {"-prof=tpb"},
                    new String[] {"--prof", "tpb"})) {
                List<String> out = CommandLine.rewrite(args, NAMES);
                long metrics = out.stream().filter(a -> a.startsWith(METRICS)).count();
                assertEquals(1, metrics, () -> List.of(args) + " -> " + out);
            }
        }

        @Test
        void jmhProfilersAndOtherArgumentsPassThrough() {
            assertEquals(List.of("TPBSample_02", "-f", "1", "-prof", "gc", "-p", "batch=1,2", "-prof", "stack:lines=3",
                            "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"TPBSample_02", "-f", "1", "-prof", "gc", "-p", "batch=1,2",
                            "-prof", "stack:lines=3"}, NAMES));
        }

        @Test
        void otherSpellingsOfProfAreNormalised() {
            for (String[] args : List.of(
                    new String[] {"-prof=cpu:wattsPerCore=5"},
                    new String[] {"--prof", "cpu:wattsPerCore=5"},
                    new String[] {"--prof=cpu:wattsPerCore=5"},
                    new String[] {"-pro", "cpu:wattsPerCore=5"},
                    new String[] {"-pr", "cpu:wattsPerCore=5"})) {
                assertEquals(List.of("-prof", CPU + ";wattsPerCore=5", "-prof", METRICS), CommandLine.rewrite(args, NAMES),
                        () -> List.of(args).toString());
            }
        }

        @Test
        void parametersAreNotProfilers() {
            assertEquals(List.of("-pbatch=1", "-p", "prompts=4", "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"-pbatch=1", "-p", "prompts=4"}, NAMES));
        }

        @Test
        void missingProfilerName() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CommandLine.rewrite(new String[] {"TPBSample_01", "-prof"}, NAMES));
            assertTrue(e.getMessage().contains("-prof needs a profiler name"), e.getMessage());
        }

        @Test
        void rewrittenCommandLineParsesAsJmhOptions() throws Exception {
            List<String> out = CommandLine.rewrite(new String[] {"TPBSample_01", "-prof", "cpu:wattsPerCore=5", "-p", "batch=1,2"}, NAMES);
            org.openjdk.jmh.runner.options.CommandLineOptions cmd =
                    new org.openjdk.jmh.runner.options.CommandLineOptions(out.toArray(new String[0]));
            assertEquals(List.of("TPBSample_01"), cmd.getIncludes());
            assertEquals(2, cmd.getProfilers().size(), cmd.getProfilers()::toString);
            assertEquals(PowerProfiler.class.getName(), cmd.getProfilers().get(0).getKlass());
            assertEquals("sensor=cpu;wattsPerCore=5", cmd.getProfilers().get(0).getOpts());
            assertEquals(METRICS, cmd.getProfilers().get(1).getKlass());
            assertEquals(List.of("1", "2"), List.copyOf(cmd.getParameter("batch").get()));
        }
    }

    // --- the sweep, one trial at a time ----------------------------------------------------------

    /** The trials Main would run for a command line (its -p values over the selected benchmarks). */
    static List<Trial> trials(String... args) throws Exception {
        CommandLineOptions cmd = new CommandLineOptions(args);
        return Sweep.trials(selected(cmd.getIncludes().toArray(new String[0])),
                name -> cmd.getParameter(name).orElse(null));
    }

    static List<String> values(List<Trial> trials, String name) {
        return trials.stream().map(t -> t.params().get(name)).toList();
    }

    @Nested
    class Trials {

        @Test
        void defaultsOfTheBenchmarkInTheirOrder() throws Exception {
            List<Trial> t = trials("TPBSample_02");
            assertEquals(List.of("1", "2", "4", "8"), values(t, "batch"));
            for (Trial trial : t) {
                assertEquals(SAMPLE_02 + ".wave", trial.benchmark());
                assertEquals(new TreeSet<>(selected("TPBSample_02").first().getParams().get().keySet()),
                        trial.params().keySet(), "every parameter, one value each");
                assertEquals(new ArrayList<>(new TreeSet<>(trial.params().keySet())),
                        new ArrayList<>(trial.params().keySet()), "parameters in JMH's order: by name");
                assertEquals("synthetic:llama-tiny", trial.params().get("model"));
            }
        }

        @Test
        void overridesReplaceDefaultsAndTheFirstNameVariesSlowest() throws Exception {
            List<Trial> t = trials("TPBSample_01", "-p", "quantization=q8_0,f16", "-p", "batch=8,1");
            assertEquals(4, t.size(), t::toString);
            // batch < quantization by name: batch varies slowest, values in the order given
            assertEquals(List.of("8", "8", "1", "1"), values(t, "batch"));
            assertEquals(List.of("q8_0", "f16", "q8_0", "f16"), values(t, "quantization"));
            assertEquals(List.of("16", "16", "16", "16"), values(t, "prompts"), "the other parameters keep their default");
        }

        @Test
        void threeAxesMakeTheCartesianProductInOrder() throws Exception {
            List<Trial> t = trials("TPBSample_01", "-p", "prompts=2,3", "-p", "batch=1,2", "-p", "model=a,b");
            List<String> order = t.stream()
                    .map(x -> x.params().get("batch") + x.params().get("model") + x.params().get("prompts")).toList();
            assertEquals(List.of("1a2", "1a3", "1b2", "1b3", "2a2", "2a3", "2b2", "2b3"), order);
        }

        @Test
        void severalBenchmarksOneAfterTheOther() throws Exception {
            List<Trial> t = trials("TPBSample_0[12]", "-p", "prompts=2");
            assertEquals(2 + 4, t.size(), t::toString);
            assertEquals(List.of(SAMPLE_01 + ".wave", SAMPLE_01 + ".wave", SAMPLE_02 + ".wave", SAMPLE_02 + ".wave",
                    SAMPLE_02 + ".wave", SAMPLE_02 + ".wave"), t.stream().map(Trial::benchmark).toList());
            assertEquals(List.of("1", "4", "1", "2", "4", "8"), values(t, "batch"));
            assertTrue(t.stream().allMatch(x -> x.params().get("prompts").equals("2")), t::toString);
        }

        @Test
        void aParameterOnlyOneBenchmarkHasIsOverriddenThereOnly() throws Exception {
            List<Trial> t = trials("TPBSample_0[13]", "-p", "rate=5");
            assertEquals(2 + 1, t.size(), t::toString);
            assertFalse(t.get(0).params().containsKey("rate"));
            assertEquals("5", t.get(2).params().get("rate"));
        }

        @Test
        void trialNamesItsValues() {
            Trial t = new Trial("b.wave", new LinkedHashMap<>(Map.of("batch", "1")));
            assertEquals("b.wave {batch=1}", t.toString());
        }
    }

    /** A result as JMH returns it for a trial (one measured single-shot iteration plus one secondary metric). */
    static RunResult result(Trial trial, double millis, double joulesPerToken) {
        WorkloadParams wp = new WorkloadParams();
        trial.params().forEach((k, v) -> wp.put(k, v, 0));
        IterationParams warmup = new IterationParams(IterationType.WARMUP, 0, TimeValue.NONE, 1);
        IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.NONE, 1);
        BenchmarkParams bp = new BenchmarkParams(trial.benchmark(), trial.benchmark() + "_jmhTest", false, 1,
                new int[] {1}, List.of(), 1, 0, warmup, measurement, Mode.SingleShotTime, wp, TimeUnit.MILLISECONDS, 1,
                "java", List.of(), "17", "vm", "17", "1.37", TimeValue.minutes(10));
        IterationResult ir = new IterationResult(bp, measurement, new IterationResultMetaData(1, 1));
        ir.addResult(new SingleShotResult(ResultRole.PRIMARY, "wave", Math.round(millis * 1e6), TimeUnit.MILLISECONDS));
        ir.addResult(new ScalarResult("cpu.estimated.J/token", joulesPerToken, "J/token", AggregationPolicy.AVG));
        return new RunResult(bp, List.of(new BenchmarkResult(bp, List.of(ir))));
    }

    static Trial trial(String batch) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("batch", batch);
        p.put("model", "synthetic:llama-tiny");
        return new Trial(SAMPLE_01 + ".wave", p);
    }

    @Nested
    class Ledger {

        @Test
        void completeTrialsReadBackWithTheirResults(@TempDir Path dir) throws Exception {
            TrialLedger ledger = new TrialLedger(dir);
            assertFalse(TrialLedger.exists(dir));
            ledger.record(trial("1"), true, List.of(result(trial("1"), 120, 0.25)));
            ledger.record(trial("2"), false, List.of(), null, List.of("batch=2: interrupted"));
            assertTrue(TrialLedger.exists(dir));

            TrialLedger again = new TrialLedger(dir);
            List<RunResult> back = again.completeResults(trial("1"));
            assertNotNull(back);
            assertEquals(1, back.size());
            RunResult r = back.get(0);
            assertEquals(SAMPLE_01 + ".wave", r.getParams().getBenchmark());
            assertEquals("1", r.getParams().getParam("batch"));
            assertEquals(120, r.getPrimaryResult().getScore(), 1e-9);
            assertEquals(0.25, r.getSecondaryResults().get("cpu.estimated.J/token").getScore(), 1e-12);
            assertNull(again.completeResults(trial("2")), "failed: runs again");
            assertNull(again.completeResults(trial("4")), "never run");
            assertNull(again.completeResults(new Trial(SAMPLE_02 + ".wave", trial("1").params())), "another benchmark");

            List<String> lines = Files.readAllLines(dir.resolve("trials.jsonl"));
            assertEquals(2, lines.size());
            JsonNode first = new ObjectMapper().readTree(lines.get(0));
            assertEquals(1, first.get("trial").asInt());
            assertEquals(SAMPLE_01 + ".wave", first.get("benchmark").asText());
            assertEquals("1", first.get("params").get("batch").asText());
            assertEquals("complete", first.get("status").asText());
            assertEquals("trials/001.ser", first.get("file").asText());
            assertTrue(Files.isRegularFile(dir.resolve("trials/001.ser")));
            JsonNode second = new ObjectMapper().readTree(lines.get(1));
            assertEquals("failed", second.get("status").asText());
            assertTrue(second.get("file").isNull(), "a trial without results has no file");
            assertEquals("batch=2: interrupted", second.get("reasons").get(0).asText(), "a failed line says why");
            assertFalse(first.has("reasons"), "a complete one has nothing to say");
        }

        @Test
        void theLastRecordOfATrialCounts(@TempDir Path dir) throws Exception {
            TrialLedger ledger = new TrialLedger(dir);
            ledger.record(trial("1"), false, List.of(result(trial("1"), 1, 1)));
            ledger.record(trial("1"), true, List.of(result(trial("1"), 2, 2)));
            assertEquals(2, new TrialLedger(dir).completeResults(trial("1")).get(0).getPrimaryResult().getScore(), 1e-9);
            assertTrue(Files.isRegularFile(dir.resolve("trials/002.ser")), "numbers follow the lines");
            ledger.record(trial("1"), false, List.of());
            assertNull(new TrialLedger(dir).completeResults(trial("1")), "failed again: runs again");
        }

        @Test
        void paramsMatchWhateverTheirOrderInTheFile(@TempDir Path dir) throws Exception {
            Files.writeString(dir.resolve("trials.jsonl"), "{\"trial\":1,\"benchmark\":\"" + SAMPLE_01 + ".wave\","
                    + "\"params\":{\"model\":\"synthetic:llama-tiny\",\"batch\":\"1\"},\"status\":\"failed\",\"file\":null}\n");
            assertEquals("failed", new TrialLedger(dir).last(trial("1")).status());
        }

        @Test
        void aLineCutShortIsIgnoredAndTheNextStartsOnItsOwnLine(@TempDir Path dir) throws Exception {
            new TrialLedger(dir).record(trial("1"), true, List.of(result(trial("1"), 1, 1)));
            Files.writeString(dir.resolve("trials.jsonl"), "{\"trial\":2,\"bench", java.nio.file.StandardOpenOption.APPEND);
            TrialLedger ledger = new TrialLedger(dir);
            assertEquals(1, ledger.entries().size());
            ledger.record(trial("2"), true, List.of(result(trial("2"), 1, 1)));
            TrialLedger again = new TrialLedger(dir);
            assertEquals(2, again.entries().size(), again.entries()::toString);
            assertEquals(3, again.entries().get(1).number(), "the cut line keeps its number");
            assertNotNull(again.completeResults(trial("2")));
        }

        @Test
        void resultsThatCannotBeReadAreAnError(@TempDir Path dir) throws Exception {
            new TrialLedger(dir).record(trial("1"), true, List.of(result(trial("1"), 1, 1)));
            Files.write(dir.resolve("trials/001.ser"), new byte[] {1, 2, 3});
            assertThrows(IOException.class, () -> new TrialLedger(dir).completeResults(trial("1")));
            Files.delete(dir.resolve("trials/001.ser"));
            assertThrows(IOException.class, () -> new TrialLedger(dir).completeResults(trial("1")));
        }

        @Test
        void onlyResultsAreReadBack(@TempDir Path dir) throws Exception {
            Path file = dir.resolve("x.ser");
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
                out.writeObject(new ArrayList<>(List.of(new java.text.SimpleDateFormat())));
            }
            assertThrows(IOException.class, () -> TrialLedger.read(file), "java.text objects are not results");
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(file))) {
                out.writeObject(new ArrayList<>(List.of("a string")));
            }
            IOException e = assertThrows(IOException.class, () -> TrialLedger.read(file));
            assertTrue(e.getMessage().contains("java.lang.String"), e.getMessage());
        }

        @Test
        void eachFigureKeepsItsMeanPerForkForTheBetweenRunsTerm() {
            double[][] perFork = {{0.24, 0.26}, {0.30, 0.30}, {0.20, 0.22}};
            WorkloadParams wp = new WorkloadParams();
            trial("1").params().forEach((k, v) -> wp.put(k, v, 0));
            IterationParams warmup = new IterationParams(IterationType.WARMUP, 0, TimeValue.NONE, 1);
            IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, 2, TimeValue.NONE, 1);
            BenchmarkParams bp = new BenchmarkParams(trial("1").benchmark(), trial("1").benchmark() + "_jmhTest", false, 1,
                    new int[] {1}, List.of(), 3, 0, warmup, measurement, Mode.SingleShotTime, wp, TimeUnit.MILLISECONDS, 1,
                    "java", List.of(), "17", "vm", "17", "1.37", TimeValue.minutes(10));
            List<BenchmarkResult> forks = new ArrayList<>();
            for (double[] values : perFork) {
                List<IterationResult> irs = new ArrayList<>();
                for (double v : values) {
                    IterationResult ir = new IterationResult(bp, measurement, new IterationResultMetaData(1, 1));
                    ir.addResult(new SingleShotResult(ResultRole.PRIMARY, "wave", 1_000_000, TimeUnit.MILLISECONDS));
                    ir.addResult(new ScalarResult("cpu.estimated.J/token", v, "J/token", AggregationPolicy.AVG));
                    irs.add(ir);
                }
                forks.add(new BenchmarkResult(bp, irs));
            }
            org.tokenpowerbench.report.Metric m = SweepRunner.result(new RunResult(bp, forks)).metrics()
                    .get("cpu.estimated.J/token");
            assertEquals(6, m.samples());
            assertEquals(1.52 / 6, m.score(), 1e-12);
            assertEquals(3, m.forkMeans().size());
            assertEquals(0.25, m.forkMeans().get(0), 1e-12);
            assertEquals(0.30, m.forkMeans().get(1), 1e-12);
            assertEquals(0.21, m.forkMeans().get(2), 1e-12);
            assertEquals(List.of(0.25), SweepRunner.result(result(trial("1"), 120, 0.25)).metrics()
                    .get("cpu.estimated.J/token").forkMeans(), "one fork, one mean");
        }

        @Test
        void summaryListsResultsAndFailedTrials(@TempDir Path dir) throws Exception {
            Trial failed = trial("2");
            org.tokenpowerbench.report.SummaryFile.write(new org.tokenpowerbench.report.SweepState(dir, 2, 2,
                    List.of(SweepRunner.result(result(trial("1"), 120, 0.25))),
                    List.of(new org.tokenpowerbench.report.FailedTrial(failed.benchmark(), failed.params(),
                            List.of("why")))));
            JsonNode summary = new ObjectMapper().readTree(dir.resolve("summary.json").toFile());
            assertEquals(1, summary.get("trials").size());
            assertEquals("1", summary.get("trials").get(0).get("params").get("batch").asText());
            assertEquals(120, summary.get("trials").get(0).get("wave").get("score").asDouble(), 1e-9);
            assertEquals("2", summary.get("failed").get(0).get("params").get("batch").asText());
            assertFalse(Files.exists(dir.resolve("summary.json.tmp")));
        }
    }

    @Nested
    class PerTrialOptions {

        @Test
        void forksGetAShortShutdownWaitUnlessTheUserSetOne() throws Exception {
            // the llama.cpp binding leaves a non-daemon native thread behind: JMH would wait 30 s per fork
            assertFalse(CommandLine.mentions(new CommandLineOptions("TPBSample_01"), "jmh.shutdownTimeout"));
            assertFalse(CommandLine.mentions(new CommandLineOptions("-jvmArgsAppend", "-Dother=1"), "jmh.shutdownTimeout"));
            assertTrue(CommandLine.mentions(new CommandLineOptions("-jvmArgsAppend", "-Djmh.shutdownTimeout=5"),
                    "jmh.shutdownTimeout"));
            assertTrue(CommandLine.mentions(new CommandLineOptions("-jvmArgs", "-Xmx1g -Djmh.shutdownTimeout=9"),
                    "jmh.shutdownTimeout"));
            assertFalse(CommandLine.mentions(new CommandLineOptions("-jvmArgsAppend", "-Djmh.shutdownTimeout.step=2"),
                    "jmh.shutdownTimeout"), "another property of the same stem");
        }

        @Test
        void narrowToOneTrialAndKeepTheRest() throws Exception {
            CommandLineOptions cmd = new CommandLineOptions(CommandLine.rewrite(new String[] {"TPBSample_0", "-e", "02",
                    "-p", "batch=1,4", "-i", "3", "-f", "2", "-rf", "json", "-rff", "x.json", "-prof", "cpu",
                    "-jvmArgsAppend", "-Dfoo=1"}, NAMES).toArray(new String[0]));
            Trial t = trial("4");
            Options o = new TrialOptions(cmd, t, List.of("-Dfoo=1", "-Dtpb.runDir=/r"));
            assertEquals(List.of("^\\Q" + SAMPLE_01 + ".wave\\E$"), o.getIncludes());
            assertTrue(o.getExcludes().isEmpty());
            assertEquals(1, selected(o.getIncludes().toArray(new String[0])).size());
            assertEquals(List.of("4"), List.copyOf(o.getParameter("batch").get()));
            assertEquals(List.of("synthetic:llama-tiny"), List.copyOf(o.getParameter("model").get()));
            assertFalse(o.getParameter("prompts").hasValue(), "a parameter the trial does not fix");
            assertFalse(o.getResult().hasValue());
            assertFalse(o.getResultFormat().hasValue());
            assertEquals(List.of("-Dfoo=1", "-Dtpb.runDir=/r"), List.copyOf(o.getJvmArgsAppend().get()));
            assertEquals(3, o.getMeasurementIterations().get());
            assertEquals(2, o.getForkCount().get());
            assertEquals(cmd.getProfilers(), o.getProfilers());

            // JMH sends the options to every fork
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(o);
            }
            Options back;
            try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
                back = (Options) in.readObject();
            }
            assertEquals(o.getIncludes(), back.getIncludes());
            assertEquals(List.of("4"), List.copyOf(back.getParameter("batch").get()));
        }

        @Test
        void resultFileIsNamedAsJmhNamesIt() throws Exception {
            assertNull(CommandLine.resultFile(new CommandLineOptions()));
            assertEquals("jmh-result.json", CommandLine.resultFile(new CommandLineOptions("-rf", "json")));
            assertEquals("jmh-result.csv", CommandLine.resultFile(new CommandLineOptions("-rff", "jmh-result.csv")));
            assertEquals("out.json", CommandLine.resultFile(new CommandLineOptions("-rf", "json", "-rff", "out.json")));
        }

        @Test
        void theTableIsPrintedOnceAtTheEndOfTheSweep() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            SweepOutputFormat out = new SweepOutputFormat(OutputFormatFactory.createFormatInstance(stream, VerboseMode.NORMAL));
            List<RunResult> first = List.of(result(trial("1"), 120, 0.25));
            out.endRun(first);
            out.close();
            out.println("still open");
            assertFalse(bytes.toString(StandardCharsets.UTF_8).contains("REMEMBER"), "no table per trial");
            assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("still open"));
            out.endSweep(List.of(first.get(0), result(trial("4"), 90, 0.5)));
            String text = bytes.toString(StandardCharsets.UTF_8);
            assertTrue(text.contains("REMEMBER"), text);
            assertEquals(2, text.lines().filter(l -> l.startsWith("TPBSample_01_FirstJoules_Energy.wave ")).count(), text);
        }
    }

    // --- faults: failed iterations, failed writes, the run folder, JMH's lock ---------------------------

    /** A trial's results as JMH returns them when {@code iterations} were asked for in each of {@code forks} and {@code got} came. */
    static RunResult shortResult(Trial trial, int forks, int iterations, int... got) {
        WorkloadParams wp = new WorkloadParams();
        trial.params().forEach((k, v) -> wp.put(k, v, 0));
        IterationParams warmup = new IterationParams(IterationType.WARMUP, 0, TimeValue.NONE, 1);
        IterationParams measurement = new IterationParams(IterationType.MEASUREMENT, iterations, TimeValue.NONE, 1);
        BenchmarkParams bp = new BenchmarkParams(trial.benchmark(), trial.benchmark() + "_jmhTest", false, 1,
                new int[] {1}, List.of(), forks, 0, warmup, measurement, Mode.SingleShotTime, wp, TimeUnit.MILLISECONDS, 1,
                "java", List.of(), "17", "vm", "17", "1.37", TimeValue.minutes(10));
        List<BenchmarkResult> perFork = new ArrayList<>();
        for (int n : got) {
            List<IterationResult> irs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                IterationResult ir = new IterationResult(bp, measurement, new IterationResultMetaData(1, 1));
                ir.addResult(new SingleShotResult(ResultRole.PRIMARY, "wave", 1_000_000, TimeUnit.MILLISECONDS));
                irs.add(ir);
            }
            perFork.add(new BenchmarkResult(bp, irs));
        }
        return new RunResult(bp, perFork);
    }

    /** A run folder's file that fails every write as a full disk does: a link to {@code /dev/full}. */
    static Path full(Path dir, String file) throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(Path.of("/dev/full")), "needs /dev/full (Linux)");
        return Files.createSymbolicLink(dir.resolve(file), Path.of("/dev/full"));
    }

    @Nested
    class Faults {

        @Test
        void anIterationThatFailsAfterTheFirstFailsTheTrialWhateverItsType() {
            // a fork that catches an OutOfMemoryError in iteration 2 of 4 sends iteration 1 and ends normally
            assertEquals("fork 1 ended after 1 of 4 measurement iteration(s) (see JMH's output above)",
                    TrialCompleteness.missing(List.of(shortResult(trial("1"), 1, 4, 1))));
            assertEquals("1 of 2 fork(s) sent no results (see JMH's output above)",
                    TrialCompleteness.missing(List.of(shortResult(trial("1"), 2, 3, 3))));
            assertEquals("fork 2 ended after 2 of 3 measurement iteration(s) (see JMH's output above)",
                    TrialCompleteness.missing(List.of(shortResult(trial("1"), 2, 3, 3, 2))));
            assertNull(TrialCompleteness.missing(List.of(shortResult(trial("1"), 2, 3, 3, 3))));
            assertNull(TrialCompleteness.missing(List.of(shortResult(trial("1"), 0, 2, 2))), "-f 0 runs in the host: one result");
        }

        @Test
        void jmhsFailureReportIsKeptWithItsIteration() {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            SweepOutputFormat out = new SweepOutputFormat(OutputFormatFactory.createFormatInstance(
                    new PrintStream(bytes, true, StandardCharsets.UTF_8), VerboseMode.NORMAL));
            RunResult r = shortResult(trial("1"), 1, 4, 1);
            out.startTrial();
            out.iteration(r.getParams(), r.getParams().getMeasurement(), 2);
            // what a fork prints when an iteration throws (BaseRunner.doSingle), line by line
            out.println("<failure>");
            out.println("");
            out.println("java.lang.OutOfMemoryError: Java heap space\n\tat x.Bench.wave(Bench.java:1)\n");
            assertEquals(List.of("measurement iteration 2 of 4: java.lang.OutOfMemoryError: Java heap space"),
                    out.failures());
            out.println("<forked VM failed with exit code 137>");
            assertEquals("forked VM failed with exit code 137", out.failures().get(1));
            assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("OutOfMemoryError"), "still printed");
            out.startTrial();
            assertTrue(out.failures().isEmpty(), "per trial");
        }

        @Test
        void aFullDiskFailsTheAppendWithOneLineThatNamesTheWayOut(@TempDir Path dir) throws Exception {
            full(dir, "requests.csv");
            org.tokenpowerbench.report.RunDirectory run = new org.tokenpowerbench.report.RunDirectory(dir);
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                    () -> run.append("requests.csv", "a,b\n", "1,2\n"));
            assertEquals("cannot write " + dir.resolve("requests.csv") + ": No space left on device (free room there,"
                    + " or choose a writable folder with -Dtpb.runDir=DIR before -jar)", e.getMessage());
            assertFalse(e.getMessage().contains("-rd"), "no such flag");
            // a folder where the file should be fails the same way, and the good files stay whole
            run.append("iterations.jsonl", null, "{\"a\":1}\n");
            Files.createDirectories(dir.resolve("power.csv"));
            assertThrows(java.io.UncheckedIOException.class, () -> run.append("power.csv", null, "x\n"));
            assertEquals("{\"a\":1}\n", Files.readString(dir.resolve("iterations.jsonl")));
        }

        @Test
        void theLedgerLineCarriesItsInvocationAndAFailedWriteIsAnError(@TempDir Path dir) throws Exception {
            String before = System.getProperty(org.tokenpowerbench.report.RunDirectory.INVOCATION);
            System.setProperty(org.tokenpowerbench.report.RunDirectory.INVOCATION, "20261204-101500-pid7");
            try {
                new TrialLedger(dir).record(trial("1"), true, List.of(result(trial("1"), 120, 0.25)));
                JsonNode line = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("trials.jsonl")).get(0));
                assertEquals("20261204-101500-pid7", line.get("invocation").asText());
            } finally {
                if (before == null) {
                    System.clearProperty(org.tokenpowerbench.report.RunDirectory.INVOCATION);
                } else {
                    System.setProperty(org.tokenpowerbench.report.RunDirectory.INVOCATION, before);
                }
            }
            Path other = Files.createDirectories(dir.resolve("other"));
            TrialLedger ledger = new TrialLedger(other);
            full(other, "trials.jsonl"); // the disk fills after the ledger was read
            IOException e = assertThrows(IOException.class,
                    () -> ledger.record(trial("1"), true, List.of(result(trial("1"), 120, 0.25))));
            assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        }

        @Test
        void aWholeFileIsReplacedOrLeftAsItWas(@TempDir Path dir) throws Exception {
            Path file = Files.writeString(dir.resolve("summary.json"), "old");
            assertThrows(IOException.class, () -> org.tokenpowerbench.report.WholeFile.replace(file, out -> {
                out.write("half".getBytes(StandardCharsets.UTF_8));
                throw new IOException("No space left on device");
            }));
            assertEquals("old", Files.readString(file), "the old file stays");
            try (var files = Files.list(dir)) {
                assertEquals(List.of(file), files.toList(), "no temporary file left behind");
            }
            org.tokenpowerbench.report.WholeFile.replace(file, out -> {
                out.write("new".getBytes(StandardCharsets.UTF_8));
                out.close(); // writers such as Jackson close their stream
            });
            assertEquals("new", Files.readString(file));
        }

        @Test
        void theSummaryOfAFolderThatCannotBeWrittenIsAnErrorNamingIt(@TempDir Path dir) throws Exception {
            Path notAFolder = Files.writeString(dir.resolve("file"), "x");
            java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                    () -> org.tokenpowerbench.report.SummaryFile.write(new org.tokenpowerbench.report.SweepState(
                            notAFolder.resolve("run"), 1, 0, List.of(), List.of())));
            assertTrue(e.getMessage().startsWith("cannot write " + notAFolder.resolve("run").resolve("summary.json")),
                    e.getMessage());
        }

        @Test
        void aRunFolderWithoutRoomIsRefusedBeforeTheFirstTrial(@TempDir Path dir) throws Exception {
            String m = assertThrows(org.tokenpowerbench.UserError.class,
                    () -> RunFolderRoom.check(dir, 10L * 1024 * 1024)).getMessage();
            assertEquals("the run folder " + dir + " has 10.0 MiB free; a sweep needs 64.0 MiB (a trial writes about"
                    + " 65 kB per 16 requests, more with long waves and fine power traces): free room there, or choose"
                    + " another folder with -Dtpb.runDir=DIR before -jar", m);
            assertDoesNotThrow(() -> RunFolderRoom.check(dir, RunFolderRoom.NEEDED));
            Path file = Files.writeString(dir.resolve("file"), "x");
            m = assertThrows(org.tokenpowerbench.UserError.class, () -> RunFolderRoom.check(file.resolve("run")))
                    .getMessage();
            assertTrue(m.startsWith("cannot write in the run folder " + file.resolve("run") + " ("), m);
            assertTrue(m.endsWith("): choose a writable folder with -Dtpb.runDir=DIR before -jar"), m);
            assertDoesNotThrow(() -> RunFolderRoom.check(dir.resolve("new")));
            try (var files = Files.list(dir.resolve("new"))) {
                assertEquals(0, files.count(), "the probe is removed");
            }
        }

        @Test
        void aRunFolderUnderAFileIsOneLineBeforeAnyFork(@TempDir Path dir) throws Exception {
            Path file = Files.writeString(dir.resolve("file"), "x");
            String before = System.getProperty("tpb.runDir");
            System.setProperty("tpb.runDir", file.resolve("run").toString());
            try {
                assertTrue(rejected("TPBSample_01", "-p", "batch=1").startsWith("tokenpowerbench: cannot write in the run"
                        + " folder " + file.resolve("run")));
            } finally {
                if (before == null) {
                    System.clearProperty("tpb.runDir");
                } else {
                    System.setProperty("tpb.runDir", before);
                }
            }
        }

        @Test
        void aRunFolderAnotherRunWritesIsOneLineBeforeAnyFork(@TempDir Path dir) throws Exception {
            Path run = Files.createDirectories(dir.resolve("run"));
            String before = System.getProperty("tpb.runDir");
            System.setProperty("tpb.runDir", run.toString());
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(run.resolve(RunFolderLock.FILE),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                 java.nio.channels.FileLock held = ch.lock()) {
                assertEquals("tokenpowerbench: the run folder " + run.toAbsolutePath() + " is being written by another run"
                        + " (it holds " + run.toAbsolutePath().resolve(RunFolderLock.FILE) + "): wait until that run"
                        + " ends, or choose another folder with -Dtpb.runDir=DIR before -jar",
                        rejected("TPBSample_01", "-p", "batch=1"));
            } finally {
                if (before == null) {
                    System.clearProperty("tpb.runDir");
                } else {
                    System.setProperty("tpb.runDir", before);
                }
            }
        }

        @Test
        void aHeldJmhLockIsOneLineNamingItAndBothWaysOut(@TempDir Path dir) throws Exception {
            JmhLock lock = new JmhLock(dir.resolve("jmh.lock"));
            assertDoesNotThrow(lock::checkFree, "no lock file yet");
            Files.createFile(lock.file());
            assertDoesNotThrow(lock::checkFree, "a lock file nobody holds");
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(lock.file().toFile(), "rw");
                 java.nio.channels.FileLock held = raf.getChannel().lock()) {
                String m = assertThrows(org.tokenpowerbench.UserError.class, lock::checkFree).getMessage();
                assertEquals("another JMH run holds JMH's machine-wide lock " + lock.file() + ": wait until it ends, or"
                        + " run with -Djmh.ignoreLock=true before -jar if the two runs may measure at the same time", m);
                System.setProperty(JmhLock.IGNORE, "true");
                try {
                    assertDoesNotThrow(lock::checkFree, "JMH's own escape");
                } finally {
                    System.clearProperty(JmhLock.IGNORE);
                }
            }
            assertDoesNotThrow(lock::checkFree, "released");
        }

        @Test
        void theResultFileIsCheckedWithoutTouchingIt(@TempDir Path dir) throws Exception {
            Path earlier = Files.writeString(dir.resolve("result.json"), "[ {\"earlier\": 1} ]");
            SweepPlan.checkWritable(earlier);
            assertEquals("[ {\"earlier\": 1} ]", Files.readString(earlier), "not emptied before the sweep");
            SweepPlan.checkWritable(dir.resolve("new.json"));
            assertFalse(Files.exists(dir.resolve("new.json")), "not created before the sweep");
            try (var files = Files.list(dir)) {
                assertEquals(List.of(earlier), files.toList(), "no probe left");
            }
            String m = assertThrows(org.tokenpowerbench.UserError.class, () -> SweepPlan.checkWritable(dir)).getMessage();
            assertEquals("cannot write the result file " + dir + " (it is a folder): give a writable path with -rff", m);
            Path under = earlier.resolve("x.json");
            m = assertThrows(org.tokenpowerbench.UserError.class, () -> SweepPlan.checkWritable(under)).getMessage();
            assertTrue(m.startsWith("cannot write the result file " + under + " ("), m);
        }
    }

    // --- --resume ----------------------------------------------------------------------------------

    @Nested
    class Resume {

        @Test
        void bothSpellingsAndStrippedForJmh() {
            assertEquals(Path.of("runs/a"), CommandLine.resumeDir(new String[] {"TPBSample_01", "--resume", "runs/a", "-f", "1"}));
            assertEquals(Path.of("runs/a"), CommandLine.resumeDir(new String[] {"--resume=runs/a", "TPBSample_01"}));
            assertNull(CommandLine.resumeDir(new String[] {"TPBSample_01", "-f", "1"}));
            assertEquals(List.of("TPBSample_01", "-f", "1"),
                    List.of(CommandLine.withoutResume(new String[] {"TPBSample_01", "--resume", "runs/a", "-f", "1"})));
            assertEquals(List.of("TPBSample_01", "-prof", CPU, "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"--resume=runs/a", "TPBSample_01", "-prof", "cpu"}, NAMES));
            assertEquals(List.of("TPBSample_01", "-prof", METRICS),
                    CommandLine.rewrite(new String[] {"TPBSample_01", "--resume", "runs/a"}, NAMES));
        }

        @Test
        void theFolderIsRequiredAndOnlyOnce() {
            for (String[] args : List.of(new String[] {"TPBSample_01", "--resume"}, new String[] {"--resume="},
                    new String[] {"--resume", "-f", "1"})) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CommandLine.resumeDir(args));
                assertTrue(e.getMessage().startsWith("--resume needs the run folder"), e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> CommandLine.resumeDir(new String[] {"--resume", "a", "--resume=b"}));
            assertTrue(e.getMessage().contains("given twice"), e.getMessage());
            assertEquals(Path.of("a"), CommandLine.resumeDir(new String[] {"--resume", "a", "--resume=a"}));
        }

        @Test
        void aFolderWithoutASweepIsABadCommandLine(@TempDir Path dir) {
            Path missing = dir.resolve("no-such-run");
            for (Path p : List.of(missing, dir)) {
                Outcome o = run("TPBSample_01", "--resume", p.toString());
                assertEquals(2, o.status(), o.out() + o.err());
                assertEquals("tokenpowerbench: --resume " + p + ": no sweep recorded there; give the run folder of an "
                        + "earlier run, the one that holds trials.jsonl (each run prints it at the end)", o.err().strip());
                assertFalse(o.out().contains("TokenPowerBench run folder"), o.out());
            }
            assertFalse(Files.exists(missing), "nothing created");
        }

        @Test
        void measurementSettingsListWhatTheUserGaveAndNotOurOwnProperties() throws Exception {
            assertEquals("", MeasurementSettings.of(new CommandLineOptions("TPBSample_01"), List.of()).text(),
                    "nothing given: the benchmarks' own settings");
            MeasurementSettings s = MeasurementSettings.of(new CommandLineOptions(CommandLine.rewrite(new String[] {
                    "TPBSample_01", "-i", "5", "-wi", "2", "-f", "1", "-prof", "cpu", "-p", "batch=1,2",
                    "-jvmArgsAppend", "-Dtpb.maxErrorRate=0.1"}, NAMES).toArray(new String[0])),
                    List.of("-Dtpb.runDir=/x", "-Dtpb.invocation=y", "-Dtpb.idleSeconds=0", "-Xmx2g"));
            assertEquals("-wi 2 -i 5 -f 1 -prof " + CPU + " -prof " + METRICS + " -jvmArgsAppend -Dtpb.maxErrorRate=0.1"
                    + " -Dtpb.idleSeconds=0", s.text());
        }

        @Test
        void resumingWithOtherMeasurementSettingsIsRefused(@TempDir Path dir) throws Exception {
            // the first run measured with -i 3; resuming with -i 5 would mix waves of two designs
            Trial first = trials("TPBSample_01").get(0);
            new TrialLedger(dir).record(first, true, List.of(), new MeasurementSettings("-i 3"), List.of());
            Outcome o = run("TPBSample_01", "-i", "5", "--resume", dir.toString());
            assertEquals(2, o.status(), o.out() + o.err());
            assertEquals("tokenpowerbench: --resume " + dir + ": trial 1 there was measured with -i 3; this command"
                    + " gives -i 5 -prof " + METRICS + ": resume with the same flags, or start a new run folder",
                    o.err().strip());
            assertFalse(o.out().contains("# Fork"), "nothing ran");
        }

        @Test
        void missingFolderIsABadCommandLine() {
            Outcome o = run("TPBSample_01", "--resume");
            assertEquals(2, o.status());
            assertTrue(o.err().contains("--resume needs the run folder"), o.err());
        }
    }

    // --- parameter values, before the first fork ---------------------------------------------------------

    /** Runs Main with an error expected before any fork: exit 2, and one line without a stack trace. */
    static String rejected(String... args) {
        Outcome o = run(args);
        assertEquals(2, o.status(), () -> List.of(args) + ": " + o.out() + o.err());
        assertEquals(1, o.err().strip().lines().count(), o.err());
        assertTrue(o.err().startsWith("tokenpowerbench: "), o.err());
        assertFalse(o.err().contains("\tat ") || o.out().contains("\tat "), o.err());
        assertFalse(o.out().contains("# Fork") || o.out().contains("TokenPowerBench run folder"), o.out());
        return o.err().strip();
    }

    static Trial ours(String... pairs) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("engine", "embedded");
        for (int i = 0; i < pairs.length; i += 2) {
            p.put(pairs[i], pairs[i + 1]);
        }
        return new Trial("x.Bench_Energy.wave", p);
    }

    static String checkFails(Trial... trials) {
        return assertThrows(org.tokenpowerbench.UserError.class, () -> ParameterCheck.check(List.of(trials))).getMessage();
    }

    @Nested
    class Values {

        @Test
        void requestFieldsAreCheckedBeforeTheFirstFork() {
            assertTrue(checkFails(ours("requestFields", "ignore_eos=false")).startsWith(
                    "requestFields sets 'ignore_eos', which the benchmark controls"));
            assertTrue(checkFails(ours("requestFields", "{\"temperature\":")).startsWith(
                    "requestFields={\"temperature\": is not a JSON object"));
            assertDoesNotThrow(() -> ParameterCheck.check(List.of(ours("requestFields", "temperature=0.7;seed=1"))));
        }

        @Test
        void badRateStopsTheRunBeforeAnyFork() {
            // the axis table's words: what is wrong, what to do, then the option, as for every axis
            assertEquals("tokenpowerbench: rate=-1.0 is not an arrival rate: give requests per second > 0, or 0 for a"
                    + " closed loop (-p rate=...)", rejected("TPBSample_03", "-p", "rate=-1"));
            assertTrue(rejected("TPBSample_03", "-p", "rate=10,Infinity").contains("rate=Infinity"));
            assertTrue(rejected("TPBSample_03", "-p", "rate=NaN").contains("rate=NaN"));
            assertTrue(rejected("TPBSample_03", "-p", "rate=fast").contains("rate=fast is not a number"));
        }

        @Test
        void otherOpenLoopValues() {
            assertTrue(rejected("TPBSample_03", "-p", "arrivals=uniform").contains("arrivals=uniform is not known: use "
                    + "poisson or gamma"));
            assertTrue(rejected("TPBSample_03", "-p", "arrivals=gamma", "-p", "burstiness=0")
                    .contains("burstiness=0.0 is not a gamma shape"));
            assertTrue(rejected("TPBSample_03", "-p", "burstiness=2").contains("burstiness=2.0 needs arrivals=gamma"));
            assertTrue(rejected("TPBSample_03", "-p", "maxConcurrency=-1").contains("maxConcurrency=-1 is not allowed"));
            assertTrue(rejected("TPBSample_03", "-p", "warmupRequests=-2").contains("warmupRequests=-2 is not allowed"));
        }

        @Test
        void countsOfEveryTrial() {
            assertEquals("tokenpowerbench: batch=0 is not allowed: it must be at least 1 (-p batch=...)",
                    rejected("TPBSample_01", "-p", "batch=1,0"));
            assertTrue(rejected("TPBSample_01", "-p", "prompts=0").contains("prompts=0 is not allowed"));
            assertTrue(rejected("TPBSample_01", "-p", "outputTokens=-5").contains("outputTokens=-5 is not allowed"));
            assertTrue(rejected("TPBSample_01", "-p", "inputTokens=0").contains("inputTokens=0 is not allowed"));
            assertTrue(rejected("TPBSample_01", "-p", "batch=two").contains("batch=two is not a whole number"));
        }

        @Test
        void goodValuesPass() {
            assertDoesNotThrow(() -> ParameterCheck.check(trials("TPBSample_0", "-p", "batch=1,64", "-p", "prompts=1")));
            assertDoesNotThrow(() -> ParameterCheck.check(trials("TPBSample_03", "-p", "rate=0.5,0", "-p",
                    "maxConcurrency=0", "-p", "arrivals=gamma", "-p", "burstiness=0.25")));
            // closed loop (rate 0) ignores the arrival shape, as the trial does
            assertDoesNotThrow(() -> ParameterCheck.check(List.of(ours("rate", "0", "arrivals", "poisson",
                    "burstiness", "2"))));
        }

        @Test
        void lengthDistributionsAndWaveLength() {
            assertTrue(checkFails(ours("inputLengths", "zipf")).startsWith("inputLengths=zipf"), checkFails(ours("inputLengths", "zipf")));
            assertTrue(checkFails(ours("outputLengths", "uniform:2")).startsWith("outputLengths=uniform:2"));
            assertTrue(checkFails(ours("waveSeconds", "-1")).startsWith("waveSeconds=-1.0 is not a wave length"));
            assertTrue(checkFails(ours("waveSeconds", "soon")).startsWith("waveSeconds=soon is not a number"));
            assertDoesNotThrow(() -> ParameterCheck.check(List.of(ours("inputLengths", "uniform:0.5", "outputLengths",
                    "fixed", "waveSeconds", "5"))));
        }

        @Test
        void contextLength() {
            assertTrue(checkFails(ours("contextLength", "0")).startsWith("contextLength=0 is not allowed"));
            assertDoesNotThrow(() -> ParameterCheck.check(List.of(ours("contextLength", "4096"))));
        }

        @Test
        void datasetFileMustExistAndParse(@TempDir Path dir) throws Exception {
            Path missing = dir.resolve("prompts.jsonl");
            String m = checkFails(ours("dataset", missing.toString()));
            assertTrue(m.startsWith("dataset file '" + missing + "' does not exist"), m);
            assertEquals(1, m.lines().count());

            Files.writeString(missing, "{\"prompt\": \"Hello there\"}\n{\"prompt\": 42, \n");
            m = checkFails(ours("dataset", missing.toString()));
            assertTrue(m.startsWith("dataset " + missing + ":2: "), m);

            Files.writeString(missing, "{\"prompt\": \"Hello there\"}\n{\"messages\": [{\"role\": \"user\", "
                    + "\"content\": \"Hi\"}]}\n");
            assertDoesNotThrow(() -> ParameterCheck.check(List.of(ours("dataset", missing.toString()))));
            assertTrue(checkFails(ours("dataset", missing.toString()), ours("dataset", dir.toString()))
                    .contains("is not a readable file"), "every value of the sweep");
        }

        @Test
        void onlyBenchmarksOfOurs() {
            Trial plain = new Trial("x.PlainJmh.measure", Map.of("batch", "0", "rate", "-1", "dataset", "/no/such"));
            assertDoesNotThrow(() -> ParameterCheck.check(List.of(plain)));
        }
    }
}
