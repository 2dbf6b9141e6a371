package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.engine.ServeEmbedded;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * A real engine process — the embedded llama.cpp engine in a JVM of its own, reached over HTTP as
 * a user's server is — killed while a wave streams from it. Every request of the wave must be
 * recorded with an error class, the iteration must fail loudly with one line, and what was
 * measured must already be on disk.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class EngineDeathTest {

    /**
     * What a dying server can look like from the client: cut mid-stream, or gone before the
     * request; and, once the wave sees it is gone, cut by the wave or not sent at all.
     */
    private static final Set<String> DEATH_CLASSES = Set.of("io", "truncated-stream", "connect", "wave-stopped",
            "not-sent");

    @TempDir
    Path dir;

    private String oldRunDir;
    private String oldIdle;
    private String oldStall;
    private String oldGone;
    private Process engine;

    @BeforeEach
    void runFolder() {
        oldRunDir = System.getProperty("tpb.runDir");
        oldIdle = System.getProperty(InferenceSession.IDLE_SECONDS);
        oldStall = System.getProperty("tpb.stallSeconds");
        oldGone = System.getProperty("tpb.serverGoneAfter");
        System.setProperty("tpb.runDir", dir.resolve("run").toString());
        System.setProperty(InferenceSession.IDLE_SECONDS, "0");
    }

    @AfterEach
    void cleanUp() {
        if (engine != null) {
            signal("CONT"); // a stopped process cannot die of SIGKILL until it runs again on some systems
            engine.destroyForcibly();
        }
        restore("tpb.runDir", oldRunDir);
        restore("tpb.stallSeconds", oldStall);
        restore("tpb.serverGoneAfter", oldGone);
        restore(InferenceSession.IDLE_SECONDS, oldIdle);
        WaveLedger.clear();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }

    /** Sends SIGSTOP or SIGCONT to the engine process: a server that stops answering, and comes back. */
    private void signal(String name) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(engine.pid())).inheritIO().start();
            kill.waitFor(10, TimeUnit.SECONDS);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts the embedded engine in a process of its own; returns its URL and model id. */
    private String[] startEngine() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        engine = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), ServeEmbedded.class.getName(),
                "synthetic:llama-tiny", "2", "1600")
                .redirectError(dir.resolve("engine.log").toFile())
                .redirectOutput(dir.resolve("engine.out").toFile()) // llama.cpp writes there too: never let a pipe fill
                .start();
        String line = null;
        for (long until = System.nanoTime() + 120_000_000_000L; line == null && System.nanoTime() < until; ) {
            assertTrue(engine.isAlive(), () -> "the engine process died: " + read(dir.resolve("engine.log")));
            line = Files.readAllLines(dir.resolve("engine.out")).stream().filter(l -> l.startsWith("URL "))
                    .findFirst().orElse(null);
            Thread.sleep(50);
        }
        assertTrue(line != null, () -> "the engine process did not start: " + read(dir.resolve("engine.log")));
        return new String[] {line.split(" ")[1], line.split(" ")[3]};
    }

    @Test
    void theEngineProcessStopsAnsweringMidIteration() throws Exception {
        String[] started = startEngine();
        // the thresholds a test can wait for: silent for 1 s is stalled, 2 stalls in a row end the wave
        System.setProperty("tpb.stallSeconds", "1");
        System.setProperty("tpb.serverGoneAfter", "2");
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Stops").set("model", started[1]).set("batch", 2)
                .set("inputTokens", 16).set("outputTokens", 1500).set("prompts", 8).set("engine", started[0]).build();
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            Thread stopper = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    return;
                }
                signal("STOP"); // the process is there, its port accepts, and nothing answers
            });
            stopper.start();
            BenchmarkFailure failure = assertThrows(BenchmarkFailure.class, session::runWave,
                    "an iteration whose engine stopped answering must fail");
            stopper.join();
            assertTrue(failure.getMessage().startsWith("the wave stopped early: the server is gone: 2 requests in a row"
                    + " could not connect or stalled (last: no event from " + started[0] + " for 1 s"), failure.getMessage());

            WaveRecord wave = WaveLedger.latest().wave();
            assertEquals(8, wave.requests().size(), "every request of the wave is recorded, sent or not");
            assertTrue(wave.notSentRequests() >= 1, "the prompts left were not sent to a server that is gone");
            assertTrue(failure.getMessage().contains(wave.notSentRequests() + " of 8 requests not sent"), failure.getMessage());
            for (RequestTimeline r : wave.requests()) {
                if (!r.succeeded()) {
                    assertTrue(Set.of("stalled", "wave-stopped", "not-sent").contains(r.errorClass()),
                            r.errorClass() + ": " + r.error());
                }
            }
            List<String> rows = Files.readAllLines(dir.resolve("run/requests.csv"));
            assertEquals(1 + 8, rows.size(), "header plus one row per request, the unsent ones included");
        } finally {
            signal("CONT");
        }
    }

    @Test
    void theEngineProcessDiesMidIteration() throws Exception {
        String[] started = startEngine();
        String url = started[0];
        String model = started[1];

        // 8 requests of 1,500 tokens, 2 at a time: seconds of streaming, far longer than the 1.5 s
        // after which the engine is killed
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Dies").set("model", model).set("batch", 2).set("inputTokens", 16)
                .set("outputTokens", 1500).set("prompts", 8).set("engine", url).build();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (InferenceSession session = InferenceSession.open(spec)) {
            session.beginIteration("measurement");
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(1500);
                } catch (InterruptedException e) {
                    return;
                }
                engine.destroyForcibly();
            });
            killer.start();
            BenchmarkFailure failure = assertThrows(BenchmarkFailure.class, session::runWave,
                    "an iteration whose engine died must fail");
            killer.join();
            assertTrue(failure.getMessage().matches("\\d+ of 8 requests failed .*first: \\[[a-z-]+\\] .*")
                    || failure.getMessage().startsWith("the wave stopped early: the server is gone: 3 requests in a row"),
                    failure.getMessage());

            WaveRecord wave = WaveLedger.latest().wave();
            assertEquals(8, wave.requests().size(), "every request of the wave is recorded, failed ones included");
            long failed = wave.failedRequests();
            assertTrue(failed >= 1, "the kill cut at least the requests in flight");
            for (RequestTimeline r : wave.requests()) {
                if (!r.succeeded()) {
                    assertTrue(DEATH_CLASSES.contains(r.errorClass()), r.errorClass() + ": " + r.error());
                } else {
                    assertEquals(1500, r.outputTokens(), "a request that finished before the kill is whole");
                }
            }
            // the wave is on disk: one row per request with its error class, and the failure line
            List<String> rows = Files.readAllLines(dir.resolve("run/requests.csv"));
            assertEquals(1 + 8, rows.size(), "header plus one row per request");
            long failedRows = rows.stream().skip(1).map(r -> r.split(",", 20)[18]).filter(DEATH_CLASSES::contains).count();
            assertEquals(failed, failedRows, String.join("\n", rows));
            String failures = Files.readString(dir.resolve("run/failures.jsonl"));
            assertTrue(failures.contains(failure.getMessage().substring(0, 40)), failures);

            // the next iteration, with the engine gone, stops after 3 refused connects; the rest are not sent
            session.beginIteration("measurement");
            BenchmarkFailure gone = assertThrows(BenchmarkFailure.class, session::runWave);
            assertTrue(gone.getMessage().startsWith("the wave stopped early: the server is gone: 3 requests in a row"
                    + " could not connect"), gone.getMessage());
            WaveRecord next = WaveLedger.latest().wave();
            assertEquals(8, next.requests().size());
            assertEquals(8, next.failedRequests());
            assertTrue(next.requests().stream().filter(r -> r.errorClass().equals("connect")).count() >= 3);
            assertTrue(next.notSentRequests() >= 1, "no full timeout each for the prompts left");
            assertTrue(next.requests().stream().allMatch(r -> Set.of("connect", "wave-stopped", "not-sent")
                    .contains(r.errorClass())), next.requests().get(0).errorClass() + ": " + next.requests().get(0).error());
        }
        assertTrue(engine.waitFor(10, TimeUnit.SECONDS));
    }
}
