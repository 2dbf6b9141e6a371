package org.tokenpowerbench.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.stats.Distribution;
import org.tokenpowerbench.stats.LatencyHistogram;

/**
 * The client-lag probe against a clock the test drives: the client is starved by a known amount
 * (the clock's wait returns that much late), so the lag it must report is known exactly.
 */
class ClientLagTest {

    private static final long MS = 1_000_000L;

    /** A clock whose wait returns {@code lateBy(tick)} after the deadline. */
    private static final class StarvedClock implements ClientLag.Clock {
        long now = 5_000 * MS; // any origin: nanoTime's is arbitrary
        final java.util.function.IntToLongFunction lateBy;
        int ticks;

        StarvedClock(java.util.function.IntToLongFunction lateBy) {
            this.lateBy = lateBy;
        }

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void parkUntil(long deadline) {
            now = Math.max(now, deadline) + lateBy.applyAsLong(ticks++);
        }
    }

    @Test
    void aPunctualClientHasNoLagAndNoWarning() {
        StarvedClock clock = new StarvedClock(t -> 0);
        ClientLag probe = ClientLag.onClock(clock, MS);
        for (int i = 0; i < 1000; i++) {
            probe.tick();
        }
        ClientLag.Reading r = probe.stop();
        assertEquals(1000, r.lagMs().count());
        assertEquals(0.0, r.lagMs().max());
        assertNull(r.warning(2.0));
    }

    @Test
    void aClientStarvedByAKnownDelayReportsIt() {
        // every wake-up 3 ms late, ticks every 1 ms: each also stands for the ticks due since (2, 1 and 0 ms late)
        StarvedClock clock = new StarvedClock(t -> 3 * MS);
        ClientLag probe = ClientLag.onClock(clock, MS);
        for (int i = 0; i < 500; i++) {
            probe.tick();
        }
        ClientLag.Reading r = probe.stop();
        assertEquals(2000, r.lagMs().count(), "each late wake-up counts the ticks it swallowed");
        assertEquals(3.0, r.lagMs().max(), 1e-9);
        assertEquals(3.0, r.lagMs().p99(), 3 * 0.005);
        assertEquals(1.5, r.lagMs().mean(), 1e-9, "3, 2, 1 and 0 ms late in equal numbers");
        String warning = r.warning(10.0);
        assertNotNull(warning, "3 ms against a 10 ms median gap distorts ITL by 30 %");
        assertTrue(warning.startsWith("the client fell behind: its threads woke up to 3.0 ms late (p99; max 3.0 ms)"),
                warning);
        assertTrue(warning.contains("client-bound"), warning);
    }

    @Test
    void oneLongStallWeighsAsTheTicksItSwallowed() {
        // 1,000 punctual ticks and one 50 ms stall: counted once, p99 would stay 0
        StarvedClock clock = new StarvedClock(t -> t == 500 ? 50 * MS : 0);
        ClientLag probe = ClientLag.onClock(clock, MS);
        for (int i = 0; i < 1000; i++) {
            probe.tick();
        }
        ClientLag.Reading r = probe.stop();
        assertEquals(1000 + 50, r.lagMs().count(), "the stalled wake-up counts 51 ticks (50 ms late to 0)");
        assertEquals(50.0, r.lagMs().max(), 1e-9);
        assertTrue(r.lagMs().p99() >= 30, "the stall's 50 ticks are 4.8 % of the 1,050: p99 is deep in it, " + r.lagMs());
    }

    @Test
    void aLagSmallAgainstTheGapsBetweenTokensIsNotWarnedAbout() {
        ClientLag.Reading r = new ClientLag.Reading(new Distribution(100, 1.5, 1.5, 1.5, 1.5, 1.5), 0.5);
        assertNull(r.warning(100.0), "1.5 ms against 100 ms gaps");
        assertNotNull(r.warning(10.0), "1.5 ms against 10 ms gaps");
        assertNotNull(r.warning(Double.NaN), "no gaps to compare with: the absolute floor decides");
        assertTrue(r.warning(Double.NaN).contains("using 50 % of every core"), r.warning(Double.NaN));
        assertNull(new ClientLag.Reading(new Distribution(100, 0.9, 0.9, 0.9, 0.9, 0.9), 1.0).warning(Double.NaN),
                "under 1 ms: no warning");
    }

    @Test
    void selectorReadersFallingBehindAreWarnedAboutEvenWhenTheProbeWakesOnTime() {
        Distribution punctual = new Distribution(1000, 0.05, 0.05, 0.05, 0.1, 0.2);
        ClientLag.Reading behind = new ClientLag.Reading(punctual, 0.3, new Distribution(50_000, 0.4, 0.2, 1.5, 3.0, 5.7));
        String warning = behind.warning(10.0);
        assertNotNull(warning, "reads waited 3 ms at p99 behind other ready sockets, against 10 ms gaps");
        assertTrue(warning.contains("reader threads fell behind") && warning.contains("3.0 ms")
                && warning.contains("-Dtpb.client.readers"), warning);
        assertNull(behind.warning(100.0), "3 ms against 100 ms gaps is not worth a warning");
        ClientLag.Reading quick = new ClientLag.Reading(punctual, 0.3, new Distribution(50_000, 0.01, 0.01, 0.05, 0.1, 0.9));
        assertNull(quick.warning(10.0));
        assertEquals(0, new ClientLag.Reading(punctual, 0.3).readerLagMs().count(), "no selector: no reader lag");
    }

    @Test
    void theWaveCarriesTheReadingIntoItsMetricsAndWarning() {
        LatencyHistogram itl = new LatencyHistogram();
        itl.record(10.0, 7);
        RequestTimeline ok = new RequestTimeline(0, 0, 0, MS, 5 * MS, 75 * MS, 76 * MS, 10, 8, 8,
                TokenCountSource.SERVER_USAGE, 8, itl, null, null);
        ClientLag.Reading starved = new ClientLag.Reading(new Distribution(1000, 2, 2, 3, 4, 9), 0.97);
        WaveMetrics m = WaveMetrics.of(new WaveRecord(0, 80 * MS, 1, List.of(ok)).withClientLag(starved), false, Slo.NONE);
        assertEquals(starved, m.clientLag());
        assertNotNull(m.clientLagWarning(), "4 ms p99 against 10 ms gaps");
        assertTrue(m.clientLagWarning().contains("97 %"), m.clientLagWarning());
        assertNull(WaveMetrics.of(new WaveRecord(0, 80 * MS, 1, List.of(ok)), false, Slo.NONE).clientLagWarning(),
                "not measured: nothing said");
    }

    @Test
    void theRealProbeRunsAndStops() throws Exception {
        ClientLag probe = ClientLag.start();
        Thread.sleep(30);
        ClientLag.Reading r = probe.stop();
        assertTrue(r.lagMs().count() > 0, "it ticked: " + r.lagMs());
        assertTrue(Double.isNaN(r.cpuShare()) || r.cpuShare() >= 0, "a share: " + r.cpuShare());
    }
}
