package org.tokenpowerbench.engine.launch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (SIGINT) or SIGTERM to a benchmark JVM that holds a managed engine leaves no process
 * behind: neither the engine nor the child it spawned. A real JVM ({@link HoldsAnEngine}), a
 * real engine process and a real signal.
 */
class NoOrphanTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"INT", "TERM"})
    void aSignalToTheBenchmarkLeavesNoEngineRunning(String signal) throws Exception {
        Assumptions.assumeFalse(ignoredHere(signal), "SIG" + signal + " is ignored by whatever started this build (a"
                + " background job or nohup), and every child inherits that, so the benchmark JVM cannot receive it;"
                + " the other signal covers the same path");
        Process benchmark = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldsAnEngine.class.getName(), dir.resolve("e.log").toString())
                .redirectErrorStream(true).start();
        ProcessHandle engine = null;
        ProcessHandle child = null;
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(benchmark.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("READY ")) {
                // progress lines
            }
            assertTrue(line != null, "the benchmark JVM ended before its engine was ready");
            String[] pids = line.split(" ");
            engine = ProcessHandle.of(Long.parseLong(pids[1])).orElseThrow();
            child = ProcessHandle.of(Long.parseLong(pids[2])).orElseThrow();
            Process kill = new ProcessBuilder("kill", "-s", signal, Long.toString(benchmark.pid())).start();
            assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0);
            assertTrue(benchmark.waitFor(60, TimeUnit.SECONDS), "the benchmark JVM ends on SIG" + signal);
            assertFalse(engine.isAlive(), "the engine " + engine.pid() + " is gone");
            assertTrue(child.onExit().isDone() || waitGone(child), "the engine's child " + child.pid() + " is gone");
        } finally {
            for (ProcessHandle p : List.of(benchmark.toHandle())) {
                p.destroyForcibly();
            }
            if (engine != null) {
                engine.destroyForcibly();
            }
            if (child != null) {
                child.destroyForcibly();
            }
        }
    }

    /**
     * Whether this JVM started with {@code signal} ignored ({@code SigIgn} in {@code /proc/self/status}):
     * a shell without job control starts background jobs with SIGINT ignored, and a process that
     * starts with a signal ignored keeps it so, the JVM included.
     */
    private static boolean ignoredHere(String signal) throws java.io.IOException {
        int number = signal.equals("INT") ? 2 : signal.equals("TERM") ? 15 : 0;
        Path status = Path.of("/proc/self/status");
        if (number == 0 || !java.nio.file.Files.exists(status)) {
            return false;
        }
        for (String line : java.nio.file.Files.readAllLines(status)) {
            if (line.startsWith("SigIgn:")) {
                return (new java.math.BigInteger(line.substring(7).trim(), 16).testBit(number - 1));
            }
        }
        return false;
    }

    /** A re-parented child is reaped by init a moment after it dies; this waits for that, not for a timing. */
    private static boolean waitGone(ProcessHandle p) throws InterruptedException {
        for (int i = 0; i < 100 && p.isAlive(); i++) {
            Thread.sleep(50);
        }
        return !p.isAlive();
    }
}
