package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.IterationResultMetaData;
import org.openjdk.jmh.results.ResultRole;
import org.openjdk.jmh.results.SingleShotResult;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.WorkloadParams;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * What a fork prints while JMH's iteration line is open (as JMH's link writes it, to this JVM's
 * {@code System.err}) comes after the line's result, not in the middle of it.
 */
class IterationLineHoldTest {

    private static final IterationParams MEASUREMENT = new IterationParams(IterationType.MEASUREMENT, 2, TimeValue.NONE, 1);
    private static final BenchmarkParams BENCHMARK = new BenchmarkParams("demo.B.wave", "demo.B_jmhTest", false, 1,
            new int[] {1}, List.of(), 1, 0, new IterationParams(IterationType.WARMUP, 0, TimeValue.NONE, 1), MEASUREMENT,
            Mode.SingleShotTime, new WorkloadParams(), TimeUnit.MILLISECONDS, 1, "java", List.of(), "17", "vm", "17",
            "1.37", TimeValue.minutes(10));

    private final PrintStream systemOut = System.out;
    private final PrintStream systemErr = System.err;
    /** The terminal: JMH's format and both of the JVM's streams, in the order they were written. */
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private PrintStream terminal;
    private SweepOutputFormat format;

    @BeforeEach
    void setUp() {
        terminal = new PrintStream(console, true, StandardCharsets.UTF_8);
        System.setOut(terminal);
        System.setErr(terminal);
        format = new SweepOutputFormat(OutputFormatFactory.createFormatInstance(terminal, VerboseMode.NORMAL));
    }

    @AfterEach
    void tearDown() {
        System.setOut(systemOut);
        System.setErr(systemErr);
    }

    /** The console as a terminal shows it: a carriage return goes back to the line's start, ESC [K clears to its end. */
    private List<String> lines() {
        List<String> shown = new java.util.ArrayList<>();
        for (String raw : console.toString(StandardCharsets.UTF_8).split("\n", -1)) {
            StringBuilder line = new StringBuilder();
            int col = 0;
            for (int i = 0; i < raw.length(); i++) {
                char c = raw.charAt(i);
                if (c == '\r') {
                    col = 0;
                } else if (c == '\033' && raw.startsWith("[K", i + 1)) {
                    line.setLength(col);
                    i += 2;
                } else {
                    if (col < line.length()) {
                        line.setCharAt(col, c);
                    } else {
                        line.append(c);
                    }
                    col++;
                }
            }
            shown.add(line.toString());
        }
        if (shown.get(shown.size() - 1).isEmpty()) {
            shown.remove(shown.size() - 1);
        }
        return shown;
    }

    private static IterationResult result(long millis) {
        IterationResult r = new IterationResult(BENCHMARK, MEASUREMENT, new IterationResultMetaData(0, 0));
        r.addResult(new SingleShotResult(ResultRole.PRIMARY, "wave", millis * 1_000_000, TimeUnit.MILLISECONDS));
        return r;
    }

    @Test
    void aWarningPrintedInTheIterationFollowsItsResultLine() {
        try (IterationLineHold hold = format.holdForkOutput(60_000)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            System.err.println("tokenpowerbench: the hypervisor gave 1.9 % of this host's CPU time to other guests");
            System.out.println("tokenpowerbench: a second line, on standard output");
            format.iterationResult(BENCHMARK, MEASUREMENT, 1, result(12));
        }
        List<String> lines = lines();
        assertTrue(lines.get(0).matches("Iteration +1: [0-9.]+ ms/op"), "the line in one piece: " + lines);
        assertEquals("tokenpowerbench: the hypervisor gave 1.9 % of this host's CPU time to other guests", lines.get(1));
        assertEquals("tokenpowerbench: a second line, on standard output", lines.get(2), "in the order written");
    }

    @Test
    void outputBetweenIterationsIsPrintedAtOnce() {
        try (IterationLineHold hold = format.holdForkOutput(60_000)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            format.iterationResult(BENCHMARK, MEASUREMENT, 1, result(12));
            System.err.println("tokenpowerbench: between waves");
            assertTrue(lines().contains("tokenpowerbench: between waves"), "not held: " + lines());
        }
        assertSame(terminal, System.err, "the JVM's stream given back");
    }

    @Test
    void outputHeldTooLongBreaksTheLineAndThePrefixComesAgainBeforeTheResult() throws InterruptedException {
        try (IterationLineHold hold = format.holdForkOutput(50)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            System.err.println("tokenpowerbench: no token for 30 s");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!lines().contains("tokenpowerbench: no token for 30 s") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(lines().contains("tokenpowerbench: no token for 30 s"), "shown while the wave runs: " + lines());
            System.err.println("tokenpowerbench: a later line, held again");
            format.iterationResult(BENCHMARK, MEASUREMENT, 1, result(12));
        }
        List<String> lines = lines();
        assertEquals("Iteration   1:", lines.get(0).strip(), lines.toString());
        assertEquals("tokenpowerbench: no token for 30 s", lines.get(1));
        assertTrue(lines.get(2).matches("Iteration +1: [0-9.]+ ms/op"), "the result with its prefix: " + lines);
        assertEquals("tokenpowerbench: a later line, held again", lines.get(3));
        assertEquals(4, lines.size(), lines.toString());
    }

    /**
     * On a terminal the fork rewrites the open line with its live progress and writes JMH's label
     * back at the wave's end (jmh.WaveProgress): those writes pass at once, the warnings after them
     * wait, and the terminal shows the result line whole.
     */
    @Test
    void aProgressLineRewrittenInPlacePassesAndTheResultLineIsWholeOnTheTerminal() {
        try (IterationLineHold hold = format.holdForkOutput(60_000)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            System.err.print("\rtpb: trial 1/2 measurement 1/2: 3 of 16 requests\033[K");
            System.err.flush();
            assertEquals(List.of("tpb: trial 1/2 measurement 1/2: 3 of 16 requests"), lines(), "shown at once");
            System.err.print("\r\033[KIteration   1: ");
            System.err.flush();
            System.err.println("tokenpowerbench: the hypervisor gave 1.9 % of this host's CPU time to other guests");
            format.iterationResult(BENCHMARK, MEASUREMENT, 1, result(12));
        }
        List<String> lines = lines();
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).matches("Iteration +1: [0-9.]+ ms/op"), "the line in one piece: " + lines);
        assertEquals("tokenpowerbench: the hypervisor gave 1.9 % of this host's CPU time to other guests", lines.get(1));
    }

    /** A warning held too long while the terminal shows the progress line: the progress stays above it, the result below. */
    @Test
    void aWarningHeldTooLongUnderAProgressLineGoesBelowIt() {
        try (IterationLineHold hold = format.holdForkOutput(60_000)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            System.err.print("\rtpb: 3 of 16 requests\033[K");
            System.err.println("tokenpowerbench: no token for 30 s");
            hold.holdExpired(); // as the timer would after a minute (the test above waits for the real one)
            System.err.print("\rtpb: 16 of 16 requests\033[K");
            System.err.print("\r\033[KIteration   1: ");
            format.iterationResult(BENCHMARK, MEASUREMENT, 1, result(12));
        }
        List<String> lines = lines();
        assertEquals("tpb: 3 of 16 requests", lines.get(0), lines.toString());
        assertEquals("tokenpowerbench: no token for 30 s", lines.get(1));
        assertTrue(lines.get(2).matches("Iteration +1: [0-9.]+ ms/op"), "the result line whole: " + lines);
        assertEquals(3, lines.size(), lines.toString());
    }

    @Test
    void aFailureReportEndsTheLineAndWhatWasHeldFollowsIt() {
        try (IterationLineHold hold = format.holdForkOutput(60_000)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            System.err.println("tokenpowerbench: the engine closed the stream");
            format.println("<failure>");
        }
        List<String> lines = lines();
        assertEquals("Iteration   1: <failure>", lines.get(0), lines.toString());
        assertEquals("tokenpowerbench: the engine closed the stream", lines.get(1));
    }

    @Test
    void whatIsHeldWhenTheTrialEndsWithoutAResultIsPrintedThen() {
        try (IterationLineHold hold = format.holdForkOutput(60_000)) {
            format.iteration(BENCHMARK, MEASUREMENT, 1);
            System.err.println("tokenpowerbench: last words of a fork that was killed");
            assertTrue(!lines().contains("tokenpowerbench: last words of a fork that was killed"), "held: " + lines());
        }
        assertTrue(lines().contains("tokenpowerbench: last words of a fork that was killed"), lines().toString());
        assertSame(terminal, System.out, "the JVM's stream given back");
    }
}
