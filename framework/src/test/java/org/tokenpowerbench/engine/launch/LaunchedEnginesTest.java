package org.tokenpowerbench.engine.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.EngineException;

/**
 * The managed-engine lifecycle against real child processes ({@link FakeEngine}, run with this
 * JVM's {@code java}): ready only once health and a one-token probe answer, a crash at start and a
 * never-ready engine failing with the log's tail, a port taken between pick and bind, an engine
 * that ignores SIGTERM, one whose child must die too, reuse by identity and a fresh engine after a
 * death.
 */
class LaunchedEnginesTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    private final PrintStream console = new PrintStream(consoleBytes, true, StandardCharsets.UTF_8);
    private final List<LaunchedEngines> opened = new ArrayList<>();
    private final List<LaunchedEngines.Ended> ended = new ArrayList<>();

    private static final LaunchAxes AXES = new LaunchAxes("synthetic:llama-tiny", "f16", 1, 1, 1, 4, 256, 1);

    @AfterEach
    void stopAll() {
        opened.forEach(LaunchedEngines::close);
    }

    static LaunchCommand fake(int port, String identity, String... flags) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), FakeEngine.class.getName(), Integer.toString(port)));
        argv.addAll(List.of(flags));
        return new LaunchCommand(argv, Map.of(), "/health", "fake-model", List.of(), "/version", null, null, identity);
    }

    private LaunchedEngines engines(LaunchedEngines.Commands commands, Duration ready, Duration stopGrace) {
        LaunchedEngines e = new LaunchedEngines(commands, new LaunchedEngines.Timing(ready, stopGrace,
                Duration.ofMillis(200)), console, ended::add);
        opened.add(e);
        return e;
    }

    private String console() {
        return consoleBytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aSlowStartIsWaitedForWithProgressAndMeasured() {
        LaunchedEngines engines = engines((v, a, port) -> fake(port, "A", "delayMs=1500"), Duration.ofSeconds(60),
                Duration.ofSeconds(10));
        LaunchedEngines.Served s = engines.serve("launch:fake", AXES, dir.resolve("engines/t1.log"),
                () -> () -> Map.of("nvml", 12.5));
        assertFalse(s.reused());
        assertTrue(s.startupSeconds() >= 1.5, "ready only after the health path answers 2xx: " + s.startupSeconds());
        assertEquals(Map.of("nvml", 12.5), s.startupJoules());
        assertEquals("{\"version\":\"fake-1.2\"}", s.version());
        assertTrue(console().contains("waiting for java on :" + s.engine().port()), console());
        assertTrue(console().contains("log: " + dir.resolve("engines/t1.log")), console());
        assertTrue(s.engine().alive());
    }

    @Test
    void anEngineThatExitsWhileStartingFailsWithItsLogTail() {
        LaunchedEngines engines = engines((v, a, port) -> fake(port, "A", "crash"), Duration.ofSeconds(60),
                Duration.ofSeconds(10));
        EngineException e = assertThrows(EngineProcess.Exited.class, () -> engines.serve("launch:fake", AXES,
                dir.resolve("t.log"), StartupMeter.NONE));
        assertTrue(e.getMessage().contains("exited with status 3 while starting"), e.getMessage());
        assertTrue(e.getMessage().contains("error: unknown argument --no-such-flag"), e.getMessage());
        assertNull(engines.current());
    }

    /** An engine that prints its environment and fails: the tail a failure quotes carries no secret. */
    @Test
    void secretsOfTheEnginesEnvironmentAreRedactedFromTheQuotedLogTail() {
        Map<String, String> env = Map.of("HF_TOKEN", "hf_abcDEF123456789", "OPENAI_API_KEY", "sk-proj-0123456789abcdef",
                "DB_Password", "correct horse battery", "SHORT_KEY", "abc", "MODEL_DIR", "/models/llama-3-8b-instruct");
        LaunchedEngines engines = engines((v, a, port) -> new LaunchCommand(List.of("/bin/sh", "-c",
                "echo \"HF_TOKEN=$HF_TOKEN\"; echo \"key: $OPENAI_API_KEY and again $OPENAI_API_KEY\";"
                        + " echo \"pw=$DB_Password\"; echo \"short=$SHORT_KEY dir=$MODEL_DIR\"; exit 1"),
                env, "/health", "m", List.of(), null, null, null, "S"), Duration.ofSeconds(30), Duration.ofSeconds(1));
        EngineException e = assertThrows(EngineProcess.Exited.class, () -> engines.serve("launch:fake", AXES,
                dir.resolve("t.log"), StartupMeter.NONE));
        String m = e.getMessage();
        for (String secret : List.of("hf_abcDEF123456789", "sk-proj-0123456789abcdef", "correct horse battery")) {
            assertFalse(m.contains(secret), "secret in the message: " + m);
        }
        assertTrue(m.contains("HF_TOKEN=<redacted>"), m);
        assertTrue(m.contains("key: <redacted> and again <redacted>"), m);
        assertTrue(m.contains("pw=<redacted>"), m);
        assertTrue(m.contains("short=abc dir=/models/llama-3-8b-instruct"), "short values and other names stay: " + m);
    }

    @Test
    void secretLookingNamesAndLengths() {
        EnvironmentSecrets s = EnvironmentSecrets.of(Map.of("hf_token", "12345678", "X_AUTH_HEADER", "Bearer abcdefgh",
                "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI", "PGPASSWD", "hunter22", "GCP_CREDENTIALS", "/etc/gcp.json",
                "API_KEY", "1234567", "HOME", "/home/someone/abc"));
        assertEquals("a=<redacted> b=<redacted> c=<redacted> d=<redacted> e=<redacted> f=1234567 g=/home/someone/abc",
                s.apply("a=12345678 b=Bearer abcdefgh c=wJalrXUtnFEMI d=hunter22 e=/etc/gcp.json f=1234567"
                        + " g=/home/someone/abc"));
        assertEquals("nothing", EnvironmentSecrets.NONE.apply("nothing"));
    }

    @Test
    void anEngineNeverReadyTimesOutWithItsLogTailAndIsStopped() {
        AtomicInteger port = new AtomicInteger();
        LaunchedEngines engines = engines((v, a, p) -> {
            port.set(p);
            return fake(p, "A", "neverReady");
        }, Duration.ofSeconds(3), Duration.ofSeconds(10));
        EngineException e = assertThrows(EngineException.class, () -> engines.serve("launch:fake", AXES,
                dir.resolve("t.log"), StartupMeter.NONE));
        assertTrue(e.getMessage().contains("was not ready on :" + port.get() + " after 3 s"), e.getMessage());
        assertTrue(e.getMessage().contains("-Dtpb.launch.readySeconds"), e.getMessage());
        assertTrue(e.getMessage().contains("listening on :" + port.get()), "the log's tail: " + e.getMessage());
        assertNull(engines.current());
        assertTrue(portFree(port.get()), "the never-ready engine was stopped");
    }

    @Test
    void aPortTakenBetweenPickAndBindIsRetriedOnceOnANewPort() throws IOException {
        List<ServerSocket> thieves = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        LaunchedEngines engines = engines((v, a, p) -> {
            ports.add(p);
            if (ports.size() == 1) { // another program binds the port after we picked it
                thieves.add(bind(p));
            }
            return fake(p, "A");
        }, Duration.ofSeconds(60), Duration.ofSeconds(10));
        try {
            LaunchedEngines.Served s = engines.serve("launch:fake", AXES, dir.resolve("t.log"), StartupMeter.NONE);
            assertEquals(2, ports.size());
            assertNotEquals(ports.get(0), ports.get(1));
            assertEquals(ports.get(1), s.engine().port());
            assertTrue(console().contains("port " + ports.get(0) + " was taken"), console());
        } finally {
            for (ServerSocket s : thieves) {
                s.close();
            }
        }
    }

    /**
     * Another program's server answers on the picked port while the engine still loads: once the
     * sweep took that server for the engine and measured it with exit 0. The engine, binding late,
     * finds the port taken and exits; the retry runs on a new port, and the engine that is ready is
     * the one that listens there.
     */
    @Test
    void aServerOfAnotherProgramOnThePortIsNeverTakenForTheEngine() throws IOException {
        List<com.sun.net.httpserver.HttpServer> squatters = new ArrayList<>();
        List<Integer> ports = new ArrayList<>();
        LaunchedEngines engines = engines((v, a, p) -> {
            ports.add(p);
            if (ports.size() == 1) {
                squatters.add(squatter(p));
            }
            return fake(p, "A", "bindAfterMs=1500");
        }, Duration.ofSeconds(60), Duration.ofSeconds(10));
        try {
            LaunchedEngines.Served s = engines.serve("launch:fake", AXES, dir.resolve("t.log"), StartupMeter.NONE);
            assertEquals(2, ports.size(), console());
            assertEquals(ports.get(1), s.engine().port(), "the engine that answers is ours, on the second port");
            assertTrue(console().contains("port " + ports.get(0) + " was taken"), console());
        } finally {
            squatters.forEach(x -> x.stop(0));
        }
    }

    /** A server of another program: health and completions answer 200. */
    private static com.sun.net.httpserver.HttpServer squatter(int port) {
        try {
            com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                    new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 16);
            com.sun.net.httpserver.HttpHandler ok = x -> {
                byte[] b = "{\"choices\":[{\"text\":\"x\"}]}".getBytes(StandardCharsets.UTF_8);
                x.sendResponseHeaders(200, b.length);
                try (var out = x.getResponseBody()) {
                    out.write(b);
                }
            };
            server.createContext("/health", ok);
            server.createContext("/v1/completions", ok);
            server.start();
            return server;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void aPortTakenTwiceFailsWithOneClearLine() throws IOException {
        List<ServerSocket> thieves = new ArrayList<>();
        LaunchedEngines engines = engines((v, a, p) -> {
            thieves.add(bind(p));
            return fake(p, "A");
        }, Duration.ofSeconds(60), Duration.ofSeconds(10));
        try {
            EngineException e = assertThrows(EngineException.class, () -> engines.serve("launch:fake", AXES,
                    dir.resolve("t.log"), StartupMeter.NONE));
            assertTrue(e.getMessage().startsWith("the engine could not bind a free loopback port twice"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), e.getMessage());
        } finally {
            for (ServerSocket s : thieves) {
                s.close();
            }
        }
    }

    @Test
    void anEngineThatIgnoresSigtermIsKilledAfterTheGrace() {
        LaunchedEngines engines = engines((v, a, port) -> fake(port, "A", "ignoreTerm"), Duration.ofSeconds(60),
                Duration.ofSeconds(1));
        LaunchedEngines.Served s = engines.serve("launch:fake", AXES, dir.resolve("t.log"), StartupMeter.NONE);
        ProcessHandle engine = ProcessHandle.of(s.engine().pid()).orElseThrow();
        LaunchedEngines.Ended end = engines.stop("test");
        assertTrue(console().contains("tokenpowerbench: stopping engine java (pid " + engine.pid() + ", :"
                + s.engine().port() + "): SIGTERM sent, waiting up to 1 s for it to exit before SIGKILL"
                + " (-Dtpb.launch.stopSeconds)\n"), "the wait is said as it begins: " + console());
        assertTrue(end.stopped().killed(), "SIGKILL was needed");
        assertFalse(engine.isAlive());
        assertEquals(137, end.stopped().exitStatus(), "128 + SIGKILL");
        assertEquals(List.of(end), ended);
        // one TERM, then KILL: a second TERM reads as "force" to some servers and skips their clean shutdown
        long terms;
        try {
            terms = Files.readAllLines(dir.resolve("t.log")).stream().filter(l -> l.contains("ignoring SIGTERM")).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertEquals(1, terms, "SIGTERMs the engine received");
    }

    @Test
    void theEnginesChildrenDieWithIt() throws Exception {
        LaunchedEngines engines = engines((v, a, port) -> fake(port, "A", "spawnChild"), Duration.ofSeconds(60),
                Duration.ofSeconds(10));
        Path log = dir.resolve("t.log");
        LaunchedEngines.Served s = engines.serve("launch:fake", AXES, log, StartupMeter.NONE);
        long child = Files.readAllLines(log).stream().filter(l -> l.startsWith("CHILD ")).map(l -> Long.parseLong(l.substring(6)))
                .findFirst().orElseThrow();
        ProcessHandle handle = ProcessHandle.of(child).orElseThrow();
        assertTrue(handle.isAlive());
        LaunchedEngines.Ended end = engines.stop("test");
        assertFalse(handle.isAlive(), "the engine's child " + child + " was stopped with it");
        assertFalse(end.stopped().killed(), "SIGTERM was enough");
        assertEquals(143, end.stopped().exitStatus(), "128 + SIGTERM");
        assertFalse(s.engine().alive());
    }

    /**
     * A process the engine double-forks into a session of its own has left both the engine's tree
     * (re-parented) and its group ({@code setsid}); the stop finds it by the engine's mark and stops it.
     */
    @Test
    void aProcessThatEscapedTheTreeAndTheGroupIsStoppedToo() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(Path.of("/proc/self/environ")), "Linux only");
        Path pidFile = dir.resolve("escaped.pid");
        LaunchCommand command = new LaunchCommand(List.of("/bin/sh", "-c", "(setsid /bin/sh -c 'echo $$ > " + pidFile
                + "; exec sleep 300' &); exec sleep 300"), Map.of(), "/health", "m", List.of(), null, null, null, "E");
        EngineProcess engine = EngineProcess.start(command, 1, dir.resolve("e.log"));
        ProcessHandle escaped = null;
        try {
            long until = System.nanoTime() + 10_000_000_000L;
            while (!(Files.exists(pidFile) && !Files.readString(pidFile).isBlank()) && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            escaped = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).trim())).orElseThrow();
            long escapedPid = escaped.pid();
            // the subshell between them exits, and the escaped process is re-parented out of the engine's tree
            ProcessHandle root = ProcessHandle.of(engine.pid()).orElseThrow();
            long reparented = System.nanoTime() + 10_000_000_000L;
            while (root.descendants().anyMatch(h -> h.pid() == escapedPid) && System.nanoTime() < reparented) {
                Thread.sleep(20);
            }
            assertTrue(escaped.isAlive());
            assertTrue(root.descendants().noneMatch(h -> h.pid() == escapedPid), "out of the engine's tree");
            EngineProcess.Stopped stopped = engine.stop(Duration.ofSeconds(5));
            assertTrue(escaped.onExit().isDone() || waitGone(escaped), "the escaped process " + escapedPid + " is gone");
            assertEquals(1, stopped.escaped(), stopped.toString());
            assertTrue(stopped.pids().contains(escapedPid), stopped.toString());
            assertFalse(stopped.killed(), "SIGTERM was enough");
        } finally {
            if (escaped != null) {
                escaped.destroyForcibly();
            }
            engine.stop(Duration.ofSeconds(1));
        }
    }

    private static boolean waitGone(ProcessHandle p) throws InterruptedException {
        try {
            p.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
            return true;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return !p.isAlive();
        }
    }

    /** An engine that hangs between trials (here SIGSTOP) is stopped and a fresh one serves the next trial. */
    @Test
    void aRunningEngineThatNoLongerAnswersIsNotReused() throws Exception {
        LaunchedEngines engines = engines((v, a, port) -> fake(port, "A"), Duration.ofSeconds(60), Duration.ofSeconds(2));
        LaunchedEngines.Served first = engines.serve("launch:fake", AXES, dir.resolve("1.log"), StartupMeter.NONE);
        assertTrue(new ProcessBuilder("kill", "-STOP", Long.toString(first.engine().pid())).start().waitFor() == 0);
        LaunchedEngines.Served second = engines.serve("launch:fake", AXES, dir.resolve("2.log"), StartupMeter.NONE);
        assertFalse(second.reused(), console());
        assertNotSame(first.engine(), second.engine());
        assertFalse(first.engine().alive(), "the hung engine was stopped");
        assertEquals("it no longer answered its health path", ended.get(0).why());
    }

    @Test
    void anEqualIdentityReusesTheRunningEngineAndAnotherStopsIt() {
        AtomicInteger starts = new AtomicInteger();
        LaunchedEngines engines = engines((v, a, port) -> {
            starts.incrementAndGet();
            return fake(port, a.quantization()); // the identity follows a launch-side axis
        }, Duration.ofSeconds(60), Duration.ofSeconds(10));
        LaunchedEngines.Served first = engines.serve("launch:fake", AXES, dir.resolve("1.log"), () -> () -> Map.of("nvml", 3.0));
        LaunchedEngines.Served second = engines.serve("launch:fake", AXES, dir.resolve("2.log"), () -> () -> Map.of("nvml", 5.0));
        assertTrue(second.reused());
        assertSame(first.engine(), second.engine());
        assertEquals(0, second.startupSeconds(), "a reused engine cost the trial nothing to start");
        assertEquals(Map.of(), second.startupJoules());
        assertTrue(console().contains("reusing the running engine on :" + first.engine().port()), console());
        assertFalse(Files.exists(dir.resolve("2.log")), "no second engine was started");

        LaunchAxes q8 = new LaunchAxes("synthetic:llama-tiny", "q8_0", 1, 1, 1, 4, 256, 1);
        LaunchedEngines.Served third = engines.serve("launch:fake", q8, dir.resolve("3.log"), StartupMeter.NONE);
        assertFalse(third.reused());
        assertEquals(1, ended.size());
        assertSame(first.engine(), ended.get(0).engine());
        assertFalse(first.engine().alive(), "the engine of another launch command was stopped first");
        assertEquals("the next trial needs another launch command", ended.get(0).why());
    }

    @Test
    void anEngineThatDiedIsRecordedAndAFreshOneServesTheNextTrial() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        LaunchedEngines engines = engines((v, a, port) -> starts.incrementAndGet() == 1
                ? fake(port, "A", "dieAfterMs=300") : fake(port, "A"), Duration.ofSeconds(60), Duration.ofSeconds(10));
        LaunchedEngines.Served first = engines.serve("launch:fake", AXES, dir.resolve("1.log"), StartupMeter.NONE);
        first.engine().waitForExit();
        LaunchedEngines.Served next = engines.serve("launch:fake", AXES, dir.resolve("2.log"), StartupMeter.NONE);
        assertFalse(next.reused(), "a dead engine is never reused");
        assertEquals("it had died (exit status 9)", ended.get(0).why());
        assertTrue(Files.readString(dir.resolve("1.log")).contains("illegal memory access"), "its log is kept");
        assertTrue(next.engine().alive());
    }

    private static ServerSocket bind(int port) {
        try {
            return new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean portFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aProgramThatCannotBeExecutedIsOneLine() {
        LaunchedEngines engines = engines((v, a, port) -> new LaunchCommand(List.of(dir.resolve("no-such-server").toString()),
                Map.of(), "/health", "m", List.of(), null, null, null, "X"), Duration.ofSeconds(5), Duration.ofSeconds(1));
        EngineException e = assertThrows(EngineException.class, () -> engines.serve("launch:fake", AXES,
                dir.resolve("t.log"), StartupMeter.NONE));
        // setsid itself runs and reports the missing program: the engine "exits while starting"
        assertInstanceOf(EngineException.class, e);
        assertTrue(e.getMessage().contains("no-such-server"), e.getMessage());
        assertFalse(e.getMessage().startsWith("java"), e.getMessage());
    }
}
