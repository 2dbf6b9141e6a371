package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * The command line of {@code benchmarks.jar}, in-process, against the samples of this module
 * (their {@code META-INF/BenchmarkList} is on the test class path). Nothing here starts a
 * benchmark: every {@link Main#run} call is one that returns before JMH's runner would.
 */
class MainTest {

    static final String SAMPLE_01 = "org.tokenpowerbench.samples.TPBSample_01_FirstJoules_Energy";
    static final String SAMPLE_02 = "org.tokenpowerbench.samples.TPBSample_02_BatchSweep_Energy";
    static final String METRICS = RequestMetricsProfiler.class.getName();
    static final String CPU = CpuEstimateProfiler.class.getName();

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
            assertTrue(o.out().contains("-prof cpu | rapl | nvml | tpb"), o.out());
        }

        @Test
        void listProfilersNamesOurs() {
            Outcome o = run("-lprof");
            assertEquals(0, o.status(), o.err());
            assertTrue(o.out().contains("TokenPowerBench profilers: [cpu, nvml, rapl, tpb]"), o.out());
        }
    }

    // --- the parameter check ------------------------------------------------------------------------

    @Nested
    class ParameterNames {

        @Test
        void everySpellingJmhAccepts() {
            assertEquals(List.of("batch"), Main.parameterNames(new String[] {"-p", "batch=1,2"}));
            assertEquals(List.of("batch"), Main.parameterNames(new String[] {"-pbatch=1,2"}));
            assertEquals(List.of("batch"), Main.parameterNames(new String[] {"-p=batch=1,2"}));
            assertEquals(List.of("batch"), Main.parameterNames(new String[] {"--p", "batch=1,2"}));
            assertEquals(List.of("batch"), Main.parameterNames(new String[] {"--p=batch=1,2"}));
            // a parameter whose name starts with 'r' or 'rof', glued to -p
            assertEquals(List.of("rate"), Main.parameterNames(new String[] {"-prate=3"}));
        }

        @Test
        void severalInOrder() {
            assertEquals(List.of("batch", "model", "engine"), Main.parameterNames(new String[] {
                    "TPBSample_01", "-p", "batch=1", "-f", "1", "-pmodel=a,b", "-prof", "cpu", "-p", "engine=http://h:8000"}));
        }

        @Test
        void profilerOptionsAreNotParameters() {
            assertEquals(List.of(), Main.parameterNames(new String[] {"-prof", "cpu"}));
            assertEquals(List.of(), Main.parameterNames(new String[] {"-prof", "cpu:wattsPerCore=5"}));
            assertEquals(List.of(), Main.parameterNames(new String[] {"-prof=cpu:wattsPerCore=5"}));
            assertEquals(List.of(), Main.parameterNames(new String[] {"--prof", "cpu"}));
            // jopt-simple takes -pr and -pro as abbreviations of -prof
            assertEquals(List.of(), Main.parameterNames(new String[] {"-pro", "cpu"}));
            assertEquals(List.of(), Main.parameterNames(new String[] {"-pr", "cpu"}));
            // a profiler spec that looks like -p is the spec, not a parameter
            assertEquals(List.of(), Main.parameterNames(new String[] {"-prof", "-pfoo=1"}));
        }

        @Test
        void noParameters() {
            assertEquals(List.of(), Main.parameterNames(new String[] {}));
            assertEquals(List.of(), Main.parameterNames(new String[] {"TPBSample_01", "-f", "1", "-wi", "0"}));
            assertEquals(List.of(), Main.parameterNames(new String[] {"-p"})); // JMH reports the missing value
        }

        @Test
        void notNameEqualsValues() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Main.parameterNames(new String[] {"-p", "batch"}));
            assertTrue(e.getMessage().contains("-p batch is not name=values"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Main.parameterNames(new String[] {"-p", "=1"}));
        }

        @Test
        void knownNamesAreAccepted() {
            SortedSet<BenchmarkListEntry> sample01 = selected("TPBSample_01");
            assertEquals(1, sample01.size(), sample01::toString);
            assertDoesNotThrow(() -> Main.checkParameterNames(sample01, Main.parameterNames(new String[] {
                    "-p", "batch=1,2", "TPBSample_01"})));
            assertDoesNotThrow(() -> Main.checkParameterNames(sample01, Main.parameterNames(new String[] {
                    "-p=batch=1,2", "-pmodel=synthetic:llama-tiny", "--p", "quantization=q8_0"})));
            for (String name : List.of("api", "batch", "engine", "inputTokens", "model", "outputTokens", "prompts",
                    "quantization")) {
                assertDoesNotThrow(() -> Main.checkParameterNames(sample01, List.of(name)), name);
            }
            assertDoesNotThrow(() -> Main.checkParameterNames(sample01, List.of()));
        }

        @Test
        void allBenchmarksWhenNoIncludeIsGiven() {
            SortedSet<BenchmarkListEntry> all = selected();
            assertTrue(all.size() >= 2, all::toString);
            assertDoesNotThrow(() -> Main.checkParameterNames(all, List.of("batch")));
        }

        @Test
        void unknownNameIsRejectedWithTheKnownOnes() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Main.checkParameterNames(selected("TPBSample_01"), List.of("batch", "batchsize")));
            assertEquals("unknown parameter 'batchsize' in -p batchsize=...: the selected benchmarks take "
                    + "api, batch, engine, inputTokens, model, outputTokens, prompts, quantization", e.getMessage());
        }

        @Test
        void parameterNamesAreCaseSensitive() {
            assertThrows(IllegalArgumentException.class,
                    () -> Main.checkParameterNames(selected("TPBSample_01"), List.of("Batch")));
        }

        @Test
        void noBenchmarkSelectedMeansNoParameters() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Main.checkParameterNames(selected("NoSuchBenchmarkAnywhere"), List.of("batch")));
            assertTrue(e.getMessage().endsWith("take no parameters"), e.getMessage());
        }
    }

    // --- profiler rewriting -------------------------------------------------------------------------

    @Nested
    class Rewrite {

        @Test
        void shortNameBecomesTheClass() {
            assertEquals(List.of("TPBSample_01", "-prof", CPU, "-prof", METRICS),
                    Main.rewrite(new String[] {"TPBSample_01", "-prof", "cpu"}));
        }

        @Test
        void optionsAfterTheColonAreKept() {
            assertEquals(List.of("-prof", CPU + ":wattsPerCore=5", "-prof", METRICS),
                    Main.rewrite(new String[] {"-prof", "cpu:wattsPerCore=5"}));
            assertEquals(List.of("-prof", CPU + ":wattsPerCore=5;idleWatts=2", "-prof", METRICS),
                    Main.rewrite(new String[] {"-prof", "cpu:wattsPerCore=5;idleWatts=2"}));
        }

        @Test
        void everyShortName() {
            assertEquals(RaplProfiler.class.getName(), Main.rewrite(new String[] {"-prof", "rapl"}).get(1));
            assertEquals(NvmlProfiler.class.getName(), Main.rewrite(new String[] {"-prof", "nvml"}).get(1));
            assertEquals(METRICS, Main.rewrite(new String[] {"-prof", "tpb"}).get(1));
            assertEquals(Main.SHORT_PROFILERS.keySet(), java.util.Set.of("cpu", "rapl", "nvml", "tpb"));
        }

        @Test
        void metricsProfilerIsAlwaysAddedOnce() {
            assertEquals(List.of("-prof", METRICS), Main.rewrite(new String[] {}));
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
                List<String> out = Main.rewrite(args);
                long metrics = out.stream().filter(a -> a.startsWith(METRICS)).count();
                assertEquals(1, metrics, () -> List.of(args) + " -> " + out);
            }
        }

        @Test
        void jmhProfilersAndOtherArgumentsPassThrough() {
            assertEquals(List.of("TPBSample_02", "-f", "1", "-prof", "gc", "-p", "batch=1,2", "-prof", "stack:lines=3",
                            "-prof", METRICS),
                    Main.rewrite(new String[] {"TPBSample_02", "-f", "1", "-prof", "gc", "-p", "batch=1,2",
                            "-prof", "stack:lines=3"}));
        }

        @Test
        void otherSpellingsOfProfAreNormalised() {
            for (String[] args : List.of(
                    new String[] {"-prof=cpu:wattsPerCore=5"},
                    new String[] {"--prof", "cpu:wattsPerCore=5"},
                    new String[] {"--prof=cpu:wattsPerCore=5"},
                    new String[] {"-pro", "cpu:wattsPerCore=5"},
                    new String[] {"-pr", "cpu:wattsPerCore=5"})) {
                assertEquals(List.of("-prof", CPU + ":wattsPerCore=5", "-prof", METRICS), Main.rewrite(args),
                        () -> List.of(args).toString());
            }
        }

        @Test
        void parametersAreNotProfilers() {
            assertEquals(List.of("-pbatch=1", "-p", "prompts=4", "-prof", METRICS),
                    Main.rewrite(new String[] {"-pbatch=1", "-p", "prompts=4"}));
        }

        @Test
        void missingProfilerName() {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Main.rewrite(new String[] {"TPBSample_01", "-prof"}));
            assertTrue(e.getMessage().contains("-prof needs a profiler name"), e.getMessage());
        }

        @Test
        void rewrittenCommandLineParsesAsJmhOptions() throws Exception {
            List<String> out = Main.rewrite(new String[] {"TPBSample_01", "-prof", "cpu:wattsPerCore=5", "-p", "batch=1,2"});
            org.openjdk.jmh.runner.options.CommandLineOptions cmd =
                    new org.openjdk.jmh.runner.options.CommandLineOptions(out.toArray(new String[0]));
            assertEquals(List.of("TPBSample_01"), cmd.getIncludes());
            assertEquals(2, cmd.getProfilers().size(), cmd.getProfilers()::toString);
            assertEquals(CPU, cmd.getProfilers().get(0).getKlass());
            assertEquals("wattsPerCore=5", cmd.getProfilers().get(0).getOpts());
            assertEquals(METRICS, cmd.getProfilers().get(1).getKlass());
            assertEquals(List.of("1", "2"), List.copyOf(cmd.getParameter("batch").get()));
        }
    }
}
