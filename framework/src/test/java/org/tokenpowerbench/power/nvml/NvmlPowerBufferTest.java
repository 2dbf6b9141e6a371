package org.tokenpowerbench.power.nvml;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.nvml.NvmlMetadata.PowerSource;

/**
 * {@code -prof nvml:power=buffer}: the driver's own buffered power samples, fetched every
 * {@code bufferPeriod}, each placed at the driver's wall-clock stamp. Runs the real
 * {@link PowerSampler} on {@link System#nanoTime()}, with a fake driver whose wall clock is the
 * same clock moved by a constant, so a sample placed at the wrong instant shows as wrong energy.
 */
class NvmlPowerBufferTest {

    static final long MS = 1_000_000L;
    static final String U0 = "GPU-11111111-aaaa-bbbb-cccc-000000000000";
    /** Power swings 300 ± 200 W with this period: energy depends on where each sample is placed in time. */
    static final double SWING_S = 0.37;

    /** A GPU whose power is 300 + 200 sin(2π t / 0.37 s), t from {@code origin}, with a 20 ms sample buffer. */
    private static FakeNvml.Gpu swingingGpu(long origin, boolean counter) {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        g.counter = counter;
        g.counterUpdateNanos = 100 * MS;
        g.bufferSpacingNanos = 20 * MS;
        g.joulesAt = t -> joules(origin, t);
        return g;
    }

    /** A fake driver on {@link System#nanoTime()} with one {@link #swingingGpu} whose swing starts now. */
    private static FakeNvml swinging(boolean counter) {
        return new FakeNvml(System::nanoTime, swingingGpu(System.nanoTime(), counter));
    }

    static double joules(long origin, long t) {
        double s = (t - origin) / 1e9;
        return 1000 + 300 * s - 200 * SWING_S / (2 * Math.PI) * Math.cos(2 * Math.PI * s / SWING_S);
    }

    /** The sensor on the fake, on {@link System#nanoTime()} and the fake's wall clock. */
    private static NvmlSensor open(FakeNvml nvml, Map<String, String> options) throws Exception {
        return NvmlSensor.open(nvml, NvmlOptions.parse(options), Map.of(), System::nanoTime, nvml::wallNanos);
    }

    private static PowerTrace run(NvmlSensor sensor, long millis) throws InterruptedException {
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(10))) {
            sampler.start();
            Thread.sleep(millis);
            return sampler.stop();
        }
    }

    /**
     * The times of the power channel's kept readings, after checking that each follows the one
     * before by the driver's 20 ms (within the clocks' offset reading): every buffered sample once.
     */
    private static List<Long> everySampleOnce(PowerTrace trace, String why) {
        List<Long> times = new ArrayList<>();
        long[] when = trace.timestampsNanos(1);
        double[] watts = trace.values(1);
        for (int i = 0; i < when.length; i++) {
            if (Double.isNaN(watts[i])) {
                continue;
            }
            if (!times.isEmpty()) {
                assertEquals(20 * MS, when[i] - times.get(times.size() - 1), 20_000, why + " (" + times.size() + ")");
            }
            times.add(when[i]);
        }
        return times;
    }

    @Test
    void bufferedSamplesLandAtTheDriversStampsOncePerSampleAndFetchesAreFew() throws Exception {
        FakeNvml nvml = swinging(true);
        FakeNvml.Gpu g = nvml.gpus.get(0);
        PowerTrace trace;
        int fieldReadsAfterOpen;
        try (NvmlSensor s = open(nvml, Map.of("power", "buffer", "bufferPeriod", "200ms"))) {
            assertEquals(List.of("gpu0.counter", "gpu0.power-buffer"), s.channels().stream().map(c -> c.name()).toList());
            assertEquals(PowerSource.DRIVER_BUFFER, s.metadata().gpus().get(0).powerSource());
            assertTrue(s.environment().get("powerBuffer").contains("every 200 ms"), s.environment().toString());
            fieldReadsAfterOpen = g.fieldReads;
            g.bufferFetches = 0;
            trace = run(s, 700);
        }
        assertEquals(fieldReadsAfterOpen, g.fieldReads, "power=buffer reads no field on samples");
        assertTrue(g.bufferFetches >= 2 && g.bufferFetches <= 10,
                "about one fetch every 200 ms and one per boundary in 0.7 s, not one a sample: " + g.bufferFetches);
        assertTrue(trace.hasOwnTimes(1));
        long[] when = trace.timestampsNanos(1);
        double[] watts = trace.values(1);
        for (int i = 0; i < when.length; i++) {
            if (!Double.isNaN(watts[i])) {
                assertEquals(FakeNvml.wattsAt(g, when[i]), watts[i], 0.01, "sample " + i + " at its stamp");
            }
        }
        List<Long> times = everySampleOnce(trace, "each buffered sample once, none missed between fetches");
        assertTrue(times.size() >= 140, "the 2.4 s of history the first fetch finds, then a sample every 20 ms: " + times.size());
        long offGrid = Math.floorMod(times.get(0) + 10 * MS, 20 * MS) - 10 * MS;
        assertEquals(0, offGrid, 20_000, "placed on the driver's own 20 ms grid, within the clocks' offset reading");
    }

    @Test
    void energyFromTheBufferAloneFollowsPowerThatSwingsFasterThanTheSampler() throws Exception {
        long origin = System.nanoTime();
        FakeNvml nvml = new FakeNvml(System::nanoTime, swingingGpu(origin, false));
        PowerTrace trace;
        try (NvmlSensor s = open(nvml, Map.of("power", "buffer"))) {
            trace = run(s, 900);
        }
        PowerSignal signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(Duration.ofMillis(10), Duration.ofMillis(100)));
        long from = origin + 130 * MS;
        long[] when = trace.timestampsNanos(0);
        long lastSample = when[when.length - 1];
        for (long to = from + 250 * MS; to <= lastSample - 30 * MS; to += 110 * MS) {
            double truth = joules(origin, to) - joules(origin, from);
            double measured = signal.energyJoules(from, to);
            assertEquals(truth, measured, truth * 0.005,
                    "window of " + (to - from) / MS + " ms: trapezoids of samples 20 ms apart at their stamps");
        }
    }

    @Test
    void aTraceBegunRightAfterTheLastStillHoldsPowerFromBeforeItsFirstRead() throws Exception {
        FakeNvml nvml = swinging(true);
        try (NvmlSensor s = open(nvml, Map.of())) {
            run(s, 300);
            PowerTrace next = run(s, 300); // begun at once: its first fetch has next to nothing new
            long[] t = next.timestampsNanos(1);
            double[] v = next.values(1);
            long firstPower = Long.MAX_VALUE;
            for (int i = 0; i < t.length; i++) {
                if (!Double.isNaN(v[i])) {
                    firstPower = Math.min(firstPower, t[i]);
                }
            }
            long firstRead = next.timestampsNanos(0)[0];
            // a counter value's update may lie up to 100 ms before the first read: the shape must reach there
            assertTrue(firstRead - firstPower >= 150 * MS, "power begins " + (firstRead - firstPower) / MS
                    + " ms before the trace's first read");
        }
    }

    @Test
    void aWindowOpenedJustAfterTheLastClosedTakesTheSamplesFetchedThenInsteadOfFetching() throws Exception {
        FakeNvml nvml = swinging(true);
        FakeNvml.Gpu g = nvml.gpus.get(0);
        try (NvmlSensor s = open(nvml, Map.of("bufferPeriod", "200ms"))) {
            run(s, 300);
            assertEquals(0, s.replayedFetches(), "the first window had nothing before it to give");
            // JMH's next wave: opened a few ms after the last one closed (again, should a loaded host stall it 100 ms)
            PowerTrace next = null;
            for (int i = 0; i < 5 && next == null; i++) {
                long before = s.replayedFetches();
                PowerTrace t = run(s, 500);
                if (s.replayedFetches() == before + 1) {
                    next = t;
                }
            }
            assertTrue(next != null, "no opening of five gave the samples the close before it had fetched");
            List<Long> times = everySampleOnce(next, "the samples between the close and the next fetch come with that fetch");
            long firstRead = next.timestampsNanos(0)[0];
            assertTrue(firstRead - times.get(0) >= 150 * MS, "power begins " + (firstRead - times.get(0)) / MS
                    + " ms before the trace's first read, as after a fetch that reached back");
            assertTrue(times.get(times.size() - 1) - firstRead >= 400 * MS, "and runs on to the close");
            long[] when = next.timestampsNanos(1);
            double[] watts = next.values(1);
            for (int i = 0; i < when.length; i++) {
                if (!Double.isNaN(watts[i])) {
                    assertEquals(FakeNvml.wattsAt(g, when[i]), watts[i], 0.01, "sample " + i + " at its stamp");
                }
            }
        }
    }

    @Test
    void aWindowOpenedLongAfterTheLastFetchFetches() throws Exception {
        FakeNvml nvml = swinging(true);
        try (NvmlSensor s = open(nvml, Map.of("bufferPeriod", "200ms"))) {
            run(s, 300);
            Thread.sleep(NvmlSensor.CARRY_REACH_NANOS / MS + 50);
            PowerTrace next = run(s, 300);
            assertEquals(0, s.replayedFetches(), "the samples fetched last are too old to stand for a fetch");
            everySampleOnce(next, "each sample once");
        }
    }

    @Test
    void withNoOptionsPowerComesFromTheBufferWhereTheDriverKeepsOne() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        g.bufferSpacingNanos = 20 * MS;
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of()), Map.of(), System::nanoTime, nvml::wallNanos)) {
            assertEquals("gpu0.power-buffer", s.channels().get(1).name());
            assertEquals(PowerSource.DRIVER_BUFFER, s.metadata().gpus().get(0).powerSource());
            assertTrue(s.metadata().visibilityNotes().isEmpty(), s.metadata().visibilityNotes().toString());
        }
    }

    @Test
    void aBufferEmptyWhenTheSensorOpensIsNotReliedOn() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        g.bufferSpacingNanos = 20 * MS;
        g.bufferDepth = 0;
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of()), Map.of(), System::nanoTime, nvml::wallNanos)) {
            assertEquals("gpu0.power", s.channels().get(1).name());
            String notes = String.join("\n", s.metadata().visibilityNotes());
            assertTrue(notes.contains("held no power samples") && notes.contains("field 186"), notes);
        }
    }

    @Test
    void aDriverWithoutTheBufferKeepsFieldPowerAndSaysWhy() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of()), Map.of(), System::nanoTime)) {
            assertEquals("gpu0.power", s.channels().get(1).name());
            assertEquals(PowerSource.INSTANT_FIELD, s.metadata().gpus().get(0).powerSource());
            String notes = String.join("\n", s.metadata().visibilityNotes());
            assertTrue(notes.contains("power=buffer") && notes.contains("field 186"), notes);
            double[] out = new double[2];
            s.sample(out, false);
            assertEquals(100.0, out[1]);
        }
    }

    @Test
    void aBufferStampedOnAnotherClockIsNotUsed() throws Exception {
        FakeNvml.Gpu g = FakeNvml.h200(U0);
        g.bufferSpacingNanos = 20 * MS;
        FakeNvml nvml = new FakeNvml(System::nanoTime, g);
        // the driver stamps on its own clock; the host's wall clock reads an hour later
        try (NvmlSensor s = NvmlSensor.open(nvml, NvmlOptions.parse(Map.of("power", "buffer")), Map.of(), System::nanoTime,
                () -> nvml.wallNanos() + 3_600_000_000_000L)) {
            assertEquals("gpu0.power", s.channels().get(1).name());
            String notes = String.join("\n", s.metadata().visibilityNotes());
            assertTrue(notes.contains("-3600.0 s from this host's wall clock") && notes.contains("field 186"), notes);
        }
    }

    @Test
    void aFailedFetchIsCountedAndTheNextOneCatchesUpWithNothingLost() throws Exception {
        FakeNvml nvml = swinging(true);
        FakeNvml.Gpu g = nvml.gpus.get(0);
        PowerTrace trace;
        long errors;
        try (NvmlSensor s = open(nvml, Map.of("power", "buffer", "bufferPeriod", "100ms"))) {
            g.failingBufferFetches = 3; // the start boundary's fetch and the next two
            trace = run(s, 600);
            errors = s.readErrors();
            assertTrue(s.lastError().contains("GPU is lost"), s.lastError());
        }
        assertEquals(3, errors, "each failed fetch is a read error");
        int kept = everySampleOnce(trace, "the buffer held what the failed fetches missed").size();
        assertTrue(kept >= 120, "at least the buffer's depth (2.4 s), every sample once: " + kept);
    }

    /** A GPU with a buffer of {@code depth} samples 20 ms apart and no energy counter: only the buffer is fetched. */
    private static FakeNvml bufferOnly(int depth) {
        FakeNvml.Gpu g = swingingGpu(System.nanoTime(), false);
        g.bufferDepth = depth;
        return new FakeNvml(System::nanoTime, g);
    }

    /** The samples of the power channel (the only one here) at or after {@code from}. */
    private static List<Long> samplesFrom(PowerTrace trace, long from) {
        List<Long> times = new ArrayList<>();
        long[] when = trace.timestampsNanos(0);
        double[] watts = trace.values(0);
        for (int i = 0; i < when.length; i++) {
            if (!Double.isNaN(watts[i]) && when[i] >= from) {
                times.add(when[i]);
            }
        }
        return times;
    }

    /** Each time follows the one before by the driver's 20 ms (within the clocks' offset reading): none lost. */
    private static void assertEvery20Ms(List<Long> times, String why) {
        for (int i = 1; i < times.size(); i++) {
            assertEquals(20 * MS, times.get(i) - times.get(i - 1), 20_000, why + " (" + i + ")");
        }
    }

    @Test
    void theFetchPeriodIsLearnedFromWhatTheDriversBufferHoldsSoNoSampleIsLost() throws Exception {
        // a driver that keeps 1.6 s of samples (an H200's keeps about 2.4 s): the 2 s allowed would lose some
        FakeNvml nvml = bufferOnly(80);
        FakeNvml.Gpu g = nvml.gpus.get(0);
        PowerTrace trace;
        try (NvmlSensor s = open(nvml, Map.of("counterSchedule", "boundaries"))) {
            assertEquals(Duration.ofMillis(1600), s.metadata().bufferHeld(), "80 samples 20 ms apart");
            assertEquals(Duration.ofMillis(1200), s.metadata().bufferPeriod(), "three quarters of what it holds");
            assertEquals("1600", s.metadata().asProperties().get("nvml.bufferHeldMs"));
            assertTrue(s.environment().get("powerBuffer").contains("every 1200 ms (three quarters of the 1600 ms"),
                    s.environment().get("powerBuffer"));
            g.bufferFetches = 0;
            trace = run(s, 3000);
            assertEquals(0, s.bufferLosses(), "every sample fetched before the driver dropped it");
            assertEquals(Duration.ofMillis(1200), s.bufferPeriod(), "kept: nothing was lost");
        }
        List<Long> times = samplesFrom(trace, Long.MIN_VALUE);
        assertEvery20Ms(times, "each buffered sample once, none lost");
        assertTrue(times.size() >= 200, "1.6 s of history, then 3 s every 20 ms: " + times.size());
        assertTrue(g.bufferFetches >= 3 && g.bufferFetches <= 5,
                "a fetch every 1.2 s and one per boundary in 3 s: " + g.bufferFetches);
    }

    @Test
    void anH200sBufferGivesOneFetchEvery1800Ms() throws Exception {
        try (NvmlSensor s = open(bufferOnly(120), Map.of())) {
            assertEquals(Duration.ofMillis(2400), s.metadata().bufferHeld());
            assertEquals(Duration.ofMillis(500), s.metadata().bufferPeriod(), "auto without a counter runs dense: 500 ms");
        }
        FakeNvml withCounter = swinging(true);
        try (NvmlSensor s = open(withCounter, Map.of())) {
            assertEquals(Duration.ofMillis(1800), s.metadata().bufferPeriod(), "auto with a counter runs boundaries");
        }
    }

    @Test
    void aFetchThatFindsSamplesGoneIsCountedAndAGivenPeriodIsKept() throws Exception {
        FakeNvml nvml = bufferOnly(50);
        try (NvmlSensor s = open(nvml, Map.of("counterSchedule", "boundaries", "bufferPeriod", "2s"))) {
            run(s, 2600);
            assertTrue(s.bufferLosses() >= 1, "a fetch 2 s after the last, of a buffer that holds 1 s");
            long lostMs = s.bufferLost().toMillis();
            assertTrue(lostMs >= 800 && lostMs <= 1300, "about 1 s lost: " + lostMs + " ms");
            assertEquals(Duration.ofSeconds(2), s.bufferPeriod(), "the period given is the user's");
        }
    }

    @Test
    void aLearnedPeriodThatLosesSamplesIsShortened() throws Exception {
        FakeNvml nvml = bufferOnly(120);
        FakeNvml.Gpu g = nvml.gpus.get(0);
        PowerTrace trace;
        try (NvmlSensor s = open(nvml, Map.of("counterSchedule", "boundaries"))) {
            assertEquals(Duration.ofMillis(1800), s.metadata().bufferPeriod());
            g.bufferDepth = 60; // the driver now keeps 1.2 s: a fetch 1.8 s after the last finds 0.6 s gone
            long start = System.nanoTime();
            trace = run(s, 4000);
            assertTrue(s.bufferLosses() >= 1, "the first fetch after the change lost samples");
            assertTrue(s.bufferPeriod().compareTo(Duration.ofMillis(900)) <= 0,
                    "shortened to three quarters of the 1.2 s the buffer now holds: " + s.bufferPeriod());
            assertEquals(Duration.ofMillis(1800), s.metadata().bufferPeriod(), "the metadata says what it opened with");
            List<Long> late = samplesFrom(trace, start + 2200 * MS);
            assertEvery20Ms(late, "after shortening, every sample");
            assertTrue(late.size() >= 60, "the last 1.8 s, every 20 ms: " + late.size());
        }
    }
}
