package org.tokenpowerbench.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Readings that carry their own time, as a Prometheus or BMC source gives them: the sampler keeps
 * when each value was true beside when it was read, drops a reading it has already seen, and the
 * trace computes energy on the times the values were true.
 */
class TimedReadingsTest {

    private static final long MS = 1_000_000L;

    /**
     * A 200 W counter published every 20 ms (on a grid of its own) and seen 7 ms later: each read
     * returns the latest published value with its publication time, so most reads repeat one.
     */
    private static final class ScrapedCounter implements PowerSensor {
        final long origin = System.nanoTime();
        int reads;

        @Override
        public String id() {
            return "scraped";
        }

        @Override
        public List<PowerChannel> channels() {
            return List.of(new PowerChannel("node.energy", "node-a", Scope.NODE, Method.COUNTER,
                    PowerChannel.Kind.ENERGY_JOULES));
        }

        @Override
        public void sample(double[] out, boolean boundary) {
            throw new UnsupportedOperationException("the sampler calls sample(Readings, boolean)");
        }

        @Override
        public void sample(Readings out, boolean boundary) {
            reads++;
            long seen = System.nanoTime() - origin - 7 * MS;
            long published = Math.max(0, seen - Math.floorMod(seen, 20 * MS));
            out.set(0, 200.0 * published / 1e9, origin + published);
        }

        @Override
        public Duration updatePeriod() {
            return Duration.ofMillis(20);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void energyIsPlacedWhereItWasMeasuredAndRepeatsAreDropped() throws Exception {
        ScrapedCounter sensor = new ScrapedCounter();
        PowerTrace trace;
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(2))) {
            sampler.start();
            Thread.sleep(150);
            trace = sampler.stop();
        }
        assertTrue(trace.hasOwnTimes(0));
        long[] when = trace.timestampsNanos(0);
        double[] joules = trace.values(0);
        int kept = 0;
        long first = 0;
        long last = 0;
        double firstJ = 0;
        double lastJ = 0;
        for (int i = 0; i < when.length; i++) {
            if (Double.isNaN(joules[i])) {
                continue;
            }
            if (kept == 0) {
                first = when[i];
                firstJ = joules[i];
            }
            assertTrue(when[i] <= trace.timestampNanos(i), "a reading is never true after it was read");
            last = when[i];
            lastJ = joules[i];
            kept++;
        }
        assertTrue(kept >= 3, "a few publications in 150 ms: " + kept);
        assertTrue(kept < sensor.reads, "repeated readings are not kept: " + kept + " of " + sensor.reads);
        assertEquals(200.0 * (last - first) / 1e9, trace.energyJoules(0, first, last), 1e-9,
                "between two publications, exactly what the counter says, at the times it was true");
        assertEquals(lastJ - firstJ, trace.energyJoules(0, first, last), 1e-9);
        long age = trace.maxAgeNanos(0);
        assertTrue(age >= 7 * MS, "each reading is at least 7 ms old when read: " + age);

        StringWriter csv = new StringWriter();
        trace.writeCsv(csv);
        assertTrue(csv.toString().startsWith("t_ns,node.energy,node.energy.measured_t_ns\n"), csv.toString());
    }

    /**
     * A driver that buffers a 300 W power sample every 5 ms and is fetched on each read: each fetch
     * adds every sample newer than the last one it handed over, plus one it had already handed over
     * (a buffer fetched from slightly too far back), beside a counter set once per read.
     */
    private static final class BufferedPower implements PowerSensor {
        final long origin = System.nanoTime();
        long handedOver = -1;

        @Override
        public String id() {
            return "buffered";
        }

        @Override
        public List<PowerChannel> channels() {
            return List.of(new PowerChannel("gpu.counter", "gpu-a", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("gpu.power-buffer", "gpu-a", Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS));
        }

        @Override
        public void sample(Readings out, boolean boundary) {
            long now = System.nanoTime() - origin;
            out.set(0, 300.0 * now / 1e9);
            long newest = now / (5 * MS);
            for (long k = Math.max(0, handedOver); k <= newest; k++) { // k == handedOver: one seen before
                out.add(1, 300.0, origin + k * 5 * MS);
            }
            handedOver = newest;
        }

        @Override
        public Duration updatePeriod() {
            return Duration.ofMillis(5);
        }

        @Override
        public void close() {
        }
    }

    @Test
    void severalReadingsOfAChannelInOneSampleEachBecomeASampleAtTheirOwnTimeAndRepeatsAreDropped() throws Exception {
        everyBufferedSampleOnce(0);
    }

    @Test
    void roomMadeBeforehandHoldsTheSameTraceWhetherTooLittleTooMuchOrNone() throws Exception {
        // the profiler makes room for as many samples as the last iteration held (over 2,000 for eight GPUs a 5 s wave)
        for (int room : new int[] {-1, 3, 40, 41, 300, 5_000_000}) {
            everyBufferedSampleOnce(room);
        }
    }

    private static void everyBufferedSampleOnce(int room) throws Exception {
        BufferedPower sensor = new BufferedPower();
        PowerTrace trace;
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(40), room)) {
            sampler.start();
            Thread.sleep(200);
            trace = sampler.stop();
        }
        assertEquals(trace.size(), trace.timestampsNanos(0).length, "room " + room + ": the trace holds its samples only");
        long[] when = trace.timestampsNanos(1);
        double[] watts = trace.values(1);
        List<Long> kept = new java.util.ArrayList<>();
        for (int i = 0; i < when.length; i++) {
            if (!Double.isNaN(watts[i])) {
                kept.add(when[i] - sensor.origin);
                assertTrue(Double.isNaN(trace.values(0)[i]) || when[i] - sensor.origin == 0,
                        "an added reading's sample leaves the other channels unread");
            }
        }
        assertTrue(kept.size() >= 30, "a sample every 5 ms over 200 ms: " + kept.size());
        for (int i = 0; i < kept.size(); i++) {
            assertEquals(i * 5 * MS, kept.get(i), "every buffered sample once, in order, at its own time");
        }
        long counterReads = java.util.Arrays.stream(trace.values(0)).filter(v -> !Double.isNaN(v)).count();
        assertTrue(counterReads < kept.size(), "one counter value a read, many power samples: " + counterReads);
        assertEquals(300.0, trace.averageWatts(1, sensor.origin + 20 * MS, sensor.origin + 120 * MS), 1e-9);
    }

    @Test
    void aSensorWithoutOwnTimesKeepsTheReadTime() {
        PowerTrace trace = new PowerTrace(List.of(new PowerChannel("c", "d", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES)), new long[] {10, 20}, new double[][] {{1, 2}});
        assertFalse(trace.hasOwnTimes(0));
        assertEquals(0, trace.maxAgeNanos(0));
        assertEquals(List.of(10L, 20L), List.of(trace.timestampsNanos(0)[0], trace.timestampsNanos(0)[1]));
    }

    @Test
    void readingsThatGoBackInTimeAreRefusedByName() {
        List<PowerChannel> channel = List.of(new PowerChannel("c", "d", Scope.NODE, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new PowerTrace(channel,
                new long[] {100, 200}, new double[][] {{1, 2}}, new long[][] {{90, 80}}));
        assertTrue(e.getMessage().contains("channel 'c'"), e.getMessage());
        PowerTrace atRead = new PowerTrace(channel, new long[] {100, 200}, new double[][] {{1, 2}},
                new long[][] {{90, Readings.AT_READ}});
        assertEquals(200, atRead.timestampsNanos(0)[1], "AT_READ is the sample's own time");
        assertEquals(10, atRead.maxAgeNanos(0), "the first reading was 10 ns old when read");
    }
}
