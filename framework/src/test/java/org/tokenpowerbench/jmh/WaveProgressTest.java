package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.Scope;

/** The progress line's text and how often it is printed, on a clock the test moves by hand. */
class WaveProgressTest {

    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong nanos = new AtomicLong(5 * SECOND);
    private final AtomicLong wallMillis = new AtomicLong(1_000_000);
    private final AtomicLong requests = new AtomicLong(7); // counted before this wave: not its own
    private final AtomicLong tokens = new AtomicLong(700);
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong powerReads = new AtomicLong();
    private List<PowerNow.ScopePower> power = List.of(); // no power profiler

    private WaveProgress progress(ProgressSettings settings, long total, long waveNanos) {
        return new WaveProgress(settings, nanos::get, wallMillis::get, new PrintStream(bytes, true, StandardCharsets.UTF_8),
                "measurement", 2, 3, total, waveNanos, new WaveProgress.Counts() {
                    @Override
                    public long requests() {
                        return requests.get();
                    }

                    @Override
                    public long outputTokens() {
                        return tokens.get();
                    }
                }, () -> {
                    powerReads.incrementAndGet();
                    return power;
                });
    }

    private String printed() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static ProgressSettings plain(long etaAtMillis) {
        return new ProgressSettings(true, false, 10 * SECOND, 2, 6, etaAtMillis);
    }

    @Test
    void aPlainLineSaysTrialWaveRequestsRateAndEta() {
        WaveProgress p = progress(plain(1_000_000 + 250_000), 32, 0);
        nanos.addAndGet(10 * SECOND);
        requests.addAndGet(12);
        tokens.addAndGet(1234);
        p.tick();
        assertEquals("tokenpowerbench: progress: trial 2/6, measurement 2 of 3, requests 12/32, 123.4 output tokens/s,"
                + " ETA 4m10s\n", printed());
    }

    @Test
    void theSensorsPowerNowComesBeforeTheEtaAndIsReadOnlyWhenALineIsPrinted() {
        power = List.of(new PowerNow.ScopePower(Scope.GPU, false, 312.4));
        WaveProgress p = progress(plain(1_000_000 + 250_000), 32, 0);
        nanos.addAndGet(5 * SECOND);
        p.tick();
        assertEquals(0, powerReads.get(), "no line due, so the sensors are not read");
        nanos.addAndGet(5 * SECOND);
        requests.addAndGet(12);
        tokens.addAndGet(1234);
        p.tick();
        p.tick();
        assertEquals(1, powerReads.get(), "read once, for the one line printed");
        assertEquals("tokenpowerbench: progress: trial 2/6, measurement 2 of 3, requests 12/32, 123.4 output tokens/s,"
                + " power now: gpu 312 W, ETA 4m10s\n", printed());
    }

    @Test
    void powerNowNamesEachScopeSaysEstimateAndAddsUpOnlyScopesThatDoNotNest() {
        PowerNow.ScopePower gpu = new PowerNow.ScopePower(Scope.GPU, false, 312.4);
        PowerNow.ScopePower cpuModel = new PowerNow.ScopePower(Scope.CPU, true, 45.25);
        PowerNow.ScopePower node = new PowerNow.ScopePower(Scope.NODE, false, 520);
        assertEquals("power now: cpu 45.3 W (estimate)", PowerNow.text(List.of(cpuModel)));
        assertEquals("power now: 358 W (estimate) = gpu 312 W + cpu 45.3 W estimate", PowerNow.text(List.of(gpu, cpuModel)));
        assertEquals("power now: gpu 312 W, node 520 W", PowerNow.text(List.of(gpu, node)),
                "a node's reading holds its GPUs: no total");
        assertEquals("", PowerNow.text(List.of()));
        assertEquals(List.of(), PowerNow.read(), "no power profiler running in this JVM: nothing to show");
    }

    @Test
    void beforeATrialHasEndedTheEtaIsUnknownAndATimedWaveShowsItsClock() {
        WaveProgress p = progress(plain(0), -1, 60 * SECOND);
        nanos.addAndGet(12 * SECOND);
        requests.addAndGet(3);
        p.tick();
        assertEquals("tokenpowerbench: progress: trial 2/6, measurement 2 of 3, requests 3 done, 12s of 1m00s,"
                + " 0.0 output tokens/s, ETA unknown\n", printed());
    }

    @Test
    void withoutTheHostsPropertiesTheLineLeavesOutTheTrialAndTheCount() {
        ProgressLine line = new ProgressLine(0, 0, "warmup", 1, 0, 4, 8, 2 * SECOND, 0, 10, -1, List.of());
        assertEquals("tokenpowerbench: progress: warm-up 1, requests 4/8, 5.0 output tokens/s, ETA unknown", line.text());
        assertEquals("2h07m", ProgressLine.duration(2 * 3600 + 7 * 60 + 59));
    }

    @Test
    void aPlainLineIsPrintedOnceAnIntervalHasPassedAndNotBefore() {
        WaveProgress p = progress(plain(0), 32, 0);
        nanos.addAndGet(10 * SECOND - 1);
        p.tick();
        assertEquals("", printed(), "nothing before the first interval: a short wave prints no line");
        nanos.addAndGet(1);
        p.tick();
        p.tick();
        assertEquals(1, printed().lines().count(), printed());
        nanos.addAndGet(9 * SECOND);
        p.tick();
        assertEquals(1, printed().lines().count(), "the next one only an interval after the last: " + printed());
        nanos.addAndGet(SECOND);
        p.tick();
        assertEquals(2, printed().lines().count(), printed());
        p.finish();
        assertEquals(2, printed().lines().count(), "a plain line is never wiped");
    }

    @Test
    void onATerminalOneLineIsRewrittenAtMostFourTimesASecondAndGivesJmhsLabelBack() {
        WaveProgress p = progress(new ProgressSettings(true, true, ProgressSettings.TERMINAL_INTERVAL_NANOS, 1, 1, 0), 8, 0);
        for (int step = 0; step < 20; step++) { // one second in steps of 50 ms
            nanos.addAndGet(SECOND / 20);
            p.tick();
        }
        String out = printed();
        assertEquals(4, out.chars().filter(c -> c == '\r').count(), out);
        assertEquals(-1, out.indexOf('\n'), "one line, rewritten in place");
        p.finish();
        String last = printed().substring(out.length());
        assertEquals("\r\033[KIteration   2: ", last);
        assertEquals("# Warmup Iteration  12: ", WaveProgress.jmhLabel("warmup", 12));
    }

    @Test
    void offPrintsNothingAndBadValuesAreRefusedWithTheirName() {
        WaveProgress p = progress(new ProgressSettings(false, false, SECOND, 1, 1, 0), 8, 0);
        nanos.addAndGet(100 * SECOND);
        p.tick();
        p.finish();
        assertEquals("", printed());
        assertEquals(false, ProgressSettings.on("off"));
        assertEquals(true, ProgressSettings.on(null));
        assertEquals(10.0, ProgressSettings.seconds(null));
        UserError e = assertThrows(UserError.class, () -> ProgressSettings.on("quiet"));
        assertEquals("tpb.progress=quiet is neither on nor off: give -Dtpb.progress=off to hide the live progress"
                + " lines, or leave it out", e.getMessage());
        assertThrows(UserError.class, () -> ProgressSettings.seconds("0.5"));
        assertThrows(UserError.class, () -> ProgressSettings.seconds("ten"));
    }
}
