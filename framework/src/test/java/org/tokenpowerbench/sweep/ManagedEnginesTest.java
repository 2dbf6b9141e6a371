package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.launch.LaunchAxes;
import org.tokenpowerbench.engine.launch.LaunchCommand;
import org.tokenpowerbench.engine.launch.LaunchedEngines;
import org.tokenpowerbench.engine.launch.FakeEngine;
import org.tokenpowerbench.report.EngineRow;
import org.tokenpowerbench.report.FailureRecord;

/**
 * The host's managed engines over a sweep of trials, against a real child ({@link FakeEngine}):
 * the axes a trial's fork will use, the fork's JVM arguments, reuse across trials whose launch
 * command is the same, a start that fails only its trial (its log tail in {@code failures.jsonl}),
 * and every start, reuse, failure and stop as a row of {@code engines.jsonl}.
 */
class ManagedEnginesTest {

    @TempDir
    Path runDir;

    private static final String BENCH = LaunchedBench_Energy.class.getName() + ".wave";
    private final List<LaunchAxes> seen = new ArrayList<>();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();

    private static Trial trial(String... pairs) {
        Map<String, String> p = new LinkedHashMap<>(Map.of("model", "synthetic:llama-tiny", "quantization", "f16",
                "batch", "4", "inputTokens", "100", "outputTokens", "20", "prompts", "8", "engine", "launch:fake"));
        for (int i = 0; i < pairs.length; i += 2) {
            p.put(pairs[i], pairs[i + 1]);
        }
        return new Trial(BENCH, p);
    }

    private ManagedEngines engines() {
        return new ManagedEngines(runDir, (value, axes, port) -> {
            seen.add(axes);
            List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), FakeEngine.class.getName(), Integer.toString(port)));
            if (axes.quantization().equals("bad")) {
                argv.add("crash");
            }
            return new LaunchCommand(argv, Map.of(), "/health", "served-" + axes.quantization(), List.of(), "/version",
                    null, null, axes.quantization());
        }, new LaunchedEngines.Timing(Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofSeconds(5)),
                () -> () -> Map.of("rapl", 7.0), new PrintStream(console, true, StandardCharsets.UTF_8), () -> null);
    }

    @Test
    void theAxesAreTheForksOwnConstantsIncluded() {
        LaunchAxes axes = ManagedEngines.axes(trial("tensorParallel", "2"), TrialSpec.of(trial("tensorParallel", "2")));
        assertEquals(new LaunchAxes("synthetic:llama-tiny", "f16", 2, 1, 1, 4, 100 + 20 + 8, 42), axes,
                "slots from batch, context as the fork's prompt source makes it, the class's seed, tp by name");
    }

    @Test
    void oneEngineServesTrialsOfOneLaunchCommandAndEveryEventIsARow() throws Exception {
        List<String> first;
        List<String> second;
        List<String> third;
        try (ManagedEngines engines = engines()) {
            first = engines.before(trial());
            engines.after();
            second = engines.before(trial("prompts", "16")); // a client-side axis only
            engines.after();
            third = engines.before(trial("quantization", "q8_0"));
            engines.after();
        }
        String url = first.stream().filter(a -> a.startsWith("-Dtpb.launch.url=")).findFirst().orElseThrow();
        assertTrue(url.matches("-Dtpb\\.launch\\.url=http://127\\.0\\.0\\.1:\\d+"), url);
        assertTrue(first.contains("-Dtpb.launch.model=served-f16"), first.toString());
        assertTrue(first.contains("-Dtpb.launch.reused=false") && first.contains("-Dtpb.launch.startupJ=rapl=7.000000"),
                first.toString());
        assertTrue(second.contains(url) && second.contains("-Dtpb.launch.reused=true")
                && second.contains("-Dtpb.launch.startupSeconds=0.0") && second.contains("-Dtpb.launch.startupJ="),
                "a reused engine reports no start-up of its own: " + second);
        assertTrue(third.contains("-Dtpb.launch.model=served-q8_0"), third.toString());

        List<EngineRow> rows = EngineRow.read(runDir);
        assertEquals(List.of("ready", "reused", "stopped", "ready", "stopped"), rows.stream().map(EngineRow::event).toList());
        EngineRow ready = rows.get(0);
        assertTrue(ready.startupSeconds() > 0, "measured: " + ready.startupSeconds());
        assertEquals(Map.of("rapl", 7.0), ready.startupJoules());
        assertEquals("{\"version\":\"fake-1.2\"}", ready.version());
        assertTrue(ready.log().endsWith("engines/" + ready.trialId() + ".log") && Files.exists(Path.of(ready.log())));
        assertTrue(ready.command().contains(FakeEngine.class.getName()), ready.command());
        assertEquals(0.0, rows.get(1).startupSeconds());
        assertTrue(rows.get(1).message().contains("started for trial " + ready.trialId()), rows.get(1).message());
        assertEquals(ready.trialId(), rows.get(2).trialId(), "a stop is the row of the trial that started the engine");
        assertEquals("the next trial needs another launch command", rows.get(2).message());
        assertEquals(143, rows.get(2).exitStatus());
        assertEquals(0, rows.get(2).escapedProcesses(), "nothing had left the engine's tree and group");
        assertNull(ready.escapedProcesses(), "only a stop says");
        assertEquals("the sweep ended", rows.get(4).message());
        assertTrue(console.toString(StandardCharsets.UTF_8).contains("reusing the running engine"));
    }

    @Test
    void aStartThatFailsFailsItsTrialWithTheLogTailAndTheNextTrialGetsAFreshEngine() throws Exception {
        try (ManagedEngines engines = engines()) {
            engines.before(trial());
            assertThrows(EngineException.class, () -> engines.before(trial("quantization", "bad")));
            List<String> next = engines.before(trial());
            assertTrue(next.contains("-Dtpb.launch.reused=false"), "a fresh engine, not the stopped one: " + next);
        }
        List<FailureRecord> failures = FailureRecord.read(runDir);
        assertEquals(1, failures.size());
        assertTrue(failures.get(0).trial().contains("quantization=bad") || failures.get(0).trial().contains("bad"),
                failures.get(0).trial());
        assertTrue(failures.get(0).message().contains("exited with status 3 while starting"), failures.get(0).message());
        assertTrue(failures.get(0).message().contains("error: unknown argument --no-such-flag"), failures.get(0).message());
        List<String> events = EngineRow.read(runDir).stream().map(EngineRow::event).toList();
        assertEquals(List.of("ready", "stopped", "failed", "ready", "stopped"), events);
        List<EngineRow> rows = EngineRow.read(runDir);
        EngineRow failed = rows.get(2);
        EngineRow ready = rows.get(0);
        assertTrue(failed.message().startsWith("engine java exited with status 3"), failed.message());
        // a failed start names what was started, as a start that went well does
        assertTrue(failed.command().contains(FakeEngine.class.getName()) && failed.command().endsWith(" crash"),
                "the command: " + failed.command());
        assertTrue(failed.port() > 0, "the port it was given: " + failed.port());
        assertTrue(failed.command().contains(" " + failed.port() + " "), failed.command());
        assertEquals(3, failed.exitStatus(), "it had started, and exited with 3");
        assertEquals("launch:fake", failed.engine());
        assertEquals("synthetic:llama-tiny", failed.model());
        assertTrue(failed.log().endsWith("engines/" + failed.trialId() + ".log"), failed.log());
        for (EngineRow r : rows) {
            assertEquals("launch:fake", r.engine(), r.event());
            assertEquals("synthetic:llama-tiny", r.model(), r.event());
        }
        assertNull(ready.exitStatus(), "running");
    }

    /** A start that fails before any process ran (its command could not be made) still names engine, model and port. */
    @Test
    void aStartWhoseCommandCannotBeMadeIsARowWithTheTrialsEngineAndModel() throws Exception {
        ManagedEngines engines = new ManagedEngines(runDir, (value, axes, port) -> {
            throw new EngineException("engine 'launch:fake': the program 'fake' was not found on PATH");
        }, new LaunchedEngines.Timing(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(5)),
                () -> () -> Map.of(), new PrintStream(console, true, StandardCharsets.UTF_8), () -> null);
        try (engines) {
            assertThrows(EngineException.class, () -> engines.before(trial()));
        }
        EngineRow failed = EngineRow.read(runDir).get(0);
        assertEquals("failed", failed.event());
        assertEquals("launch:fake", failed.engine());
        assertEquals("synthetic:llama-tiny", failed.model());
        assertEquals("", failed.command(), "no command was made");
        assertTrue(failed.port() > 0, "the port it was picked: " + failed.port());
        assertNull(failed.exitStatus(), "nothing ran");
        assertEquals("engine 'launch:fake': the program 'fake' was not found on PATH", failed.message());
    }

    @Test
    void aTrialWithoutALaunchedEngineGetsNoArgumentsAndStopsARunningOne() throws Exception {
        try (ManagedEngines engines = engines()) {
            engines.before(trial());
            assertEquals(List.of(), engines.before(trial("engine", "http://localhost:8000")));
        }
        assertEquals(List.of("ready", "stopped"), EngineRow.read(runDir).stream().map(EngineRow::event).toList());
        assertEquals(1, seen.size());
    }
}
