package org.tokenpowerbench.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Test;

class PowerSamplerTest {

    /** A sensor with a 50 W "counter" derived from the clock, and a channel read only on boundaries. */
    private static final class FakeSensor implements PowerSensor {
        final List<Boolean> boundaries = new ArrayList<>();
        final List<Thread> threads = new ArrayList<>();
        final long origin = System.nanoTime();
        volatile int calls;
        volatile boolean threw;
        int failOnCall = -1;
        long busyNanos = 20_000;
        /** How long an edge sample's read takes; below 0: {@link #busyNanos}. */
        long edgeBusyNanos = -1;
        boolean innerEdges;
        /** How long a sample after {@link #closesWindow} parks (not reading), and what each sample was told. */
        long closeParkNanos;
        boolean closing;
        final List<Boolean> closes = new ArrayList<>();
        long waited;

        @Override
        public boolean readsInnerEdges() {
            return innerEdges;
        }

        @Override
        public void closesWindow() {
            closing = true;
        }

        @Override
        public long waitedNanos() {
            return waited;
        }

        @Override
        public String id() {
            return "fake";
        }

        @Override
        public List<PowerChannel> channels() {
            return List.of(
                    new PowerChannel("fake.counter", "dev0", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES),
                    new PowerChannel("fake.slow", "dev0", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES));
        }

        @Override
        public void sample(double[] out, boolean boundary) {
            int call = calls + 1;
            calls = call;
            boundaries.add(boundary);
            threads.add(Thread.currentThread());
            closes.add(closing);
            if (closing && closeParkNanos > 0) {
                long t = System.nanoTime();
                java.util.concurrent.locks.LockSupport.parkNanos(closeParkNanos);
                waited += System.nanoTime() - t;
            }
            closing = false;
            if (call == failOnCall) {
                threw = true;
                throw new IllegalStateException("device fell off the bus");
            }
            long now = System.nanoTime();
            double joules = (now - origin) * 1e-9 * 50.0;
            long end = now + (boundary && edgeBusyNanos >= 0 ? edgeBusyNanos : busyNanos);
            while (System.nanoTime() - end < 0) {
                Thread.onSpinWait();
            }
            out[0] = joules;
            if (boundary) {
                out[1] = joules;
            }
        }

        @Override
        public Duration updatePeriod() {
            return Duration.ofMillis(1);
        }

        @Override
        public void close() {
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(1);
        }
    }

    @Test
    void recentWattsIsTheCountersGainOverTheLastWindowWhileRunningAndNaNOnceStopped() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(1))) {
            sampler.start();
            await(() -> sampler.sampleCount() >= 300, "300 samples");
            assertEquals(50.0, sampler.recentWatts(0, Duration.ofSeconds(1).toNanos()), 2.5,
                    "the fake counter gains 50 J a second");
            assertTrue(Double.isNaN(sampler.recentWatts(1, Duration.ofSeconds(1).toNanos())),
                    "one boundary reading of a counter tells no power");
            sampler.stop();
            assertTrue(Double.isNaN(sampler.recentWatts(0, Duration.ofSeconds(1).toNanos())), "stopped: nothing live");
        }
    }

    @Test
    void meanWattsIsAWattsChannelsMeanReadingOverASpanWhileRunning() throws InterruptedException {
        java.util.concurrent.atomic.AtomicBoolean high = new java.util.concurrent.atomic.AtomicBoolean();
        PowerSensor stepping = new PowerSensor() {
            @Override
            public String id() {
                return "stepping";
            }

            @Override
            public List<PowerChannel> channels() {
                return List.of(new PowerChannel("s.power", "dev0", Scope.GPU, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS),
                        new PowerChannel("s.counter", "dev0", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES));
            }

            @Override
            public void sample(double[] out, boolean boundary) {
                out[0] = high.get() ? 200 : 100;
                out[1] = System.nanoTime() * 1e-9;
            }

            @Override
            public Duration updatePeriod() {
                return Duration.ofMillis(1);
            }

            @Override
            public void close() {
            }
        };
        try (PowerSampler sampler = new PowerSampler(stepping, Duration.ofMillis(1))) {
            long from = System.nanoTime();
            sampler.start();
            await(() -> sampler.sampleCount() >= 50, "50 samples");
            long step = System.nanoTime();
            high.set(true);
            await(() -> sampler.sampleCount() >= 100, "100 samples");
            long to = System.nanoTime();
            long margin = 5_000_000L; // a sample stamped just before the step may read it
            assertEquals(100, sampler.meanWatts(0, from, step - margin), 0, "before the step");
            assertEquals(200, sampler.meanWatts(0, step + margin, to), 0, "after it");
            double across = sampler.meanWatts(0, from, to);
            assertTrue(across > 100 && across < 200, "across it: " + across);
            assertTrue(Double.isNaN(sampler.meanWatts(0, to + 1_000_000_000L, to + 2_000_000_000L)), "a span with no reading");
            assertTrue(Double.isNaN(sampler.meanWatts(1, from, to)), "a counter's readings are no power");
        }
    }

    @Test
    void samplesPeriodicallyWithBoundaryFlagsOnlyAtBothEnds() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        PowerTrace trace;
        long from;
        long to;
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(1))) {
            sampler.start();
            assertTrue(sampler.sampleCount() >= 1, "start() takes the first sample before it returns");
            from = System.nanoTime();
            await(() -> sampler.sampleCount() >= 8 && System.nanoTime() - from > 50_000_000L,
                    "8 samples and 50 ms");
            to = System.nanoTime();
            trace = sampler.stop();
            assertEquals(trace.size(), sampler.sampleCount());
            assertTrue(sampler.sensorNanos() >= trace.size() * sensor.busyNanos,
                    "sensorNanos " + sampler.sensorNanos() + " for " + trace.size() + " samples");
            assertSame(trace, sampler.stop());
        }
        int n = trace.size();
        assertTrue(n >= 9, "samples: " + n);
        assertEquals(n, sensor.boundaries.size());
        assertTrue(sensor.boundaries.get(0));
        assertTrue(sensor.boundaries.get(n - 1));
        for (int i = 1; i < n - 1; i++) {
            assertFalse(sensor.boundaries.get(i), "sample " + i + " flagged as boundary");
        }
        for (int i = 1; i < n; i++) {
            assertTrue(trace.timestampNanos(i) >= trace.timestampNanos(i - 1), "timestamps go back at " + i);
        }
        // the middle samples come from one dedicated thread, not the caller's
        Thread sampling = sensor.threads.get(1);
        assertTrue(sampling.isDaemon());
        for (int i = 1; i < n - 1; i++) {
            assertSame(sampling, sensor.threads.get(i));
        }
        assertFalse(sampling == Thread.currentThread());

        // the slow channel is read only on boundary samples, yet gives the same total
        assertTrue(Double.isNaN(trace.value(1, 1)));
        assertEquals(2, trace.samplesIn(1, trace.startNanos(), trace.endNanos()));
        // generous bounds: a preempted read shifts a value against its timestamp
        double seconds = (to - from) * 1e-9;
        assertEquals(50.0 * seconds, trace.energyJoules(0, from, to), 50.0 * seconds * 0.05);
        double whole = (trace.endNanos() - trace.startNanos()) * 1e-9;
        assertEquals(50.0 * whole, trace.energyJoules(1, trace.startNanos(), trace.endNanos()), 50.0 * whole * 0.05);
    }

    @Test
    void anInnerEdgeIsABoundarySampleTakenOnTheSamplingThreadBeforeSampleEdgeReturns() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        sensor.innerEdges = true;
        PowerTrace trace;
        // a 10 s period: no tick falls inside this test, so every sample after the first is the edge or the last
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofSeconds(10))) {
            assertFalse(sampler.sampleEdge(Duration.ofSeconds(1)), "not started: nothing to ask");
            sampler.start();
            assertTrue(sampler.sampleEdge(Duration.ofSeconds(20)), "the sampling thread took the edge sample");
            assertEquals(2, sampler.sampleCount(), "taken before sampleEdge returned, ahead of the 10 s tick");
            trace = sampler.stop();
            assertFalse(sampler.sampleEdge(Duration.ofSeconds(1)), "stopped: nothing to ask");
        }
        assertEquals(List.of(true, true, true), sensor.boundaries);
        assertFalse(sensor.threads.get(1) == Thread.currentThread(), "the inner edge is read on the sampling thread");
        assertSame(Thread.currentThread(), sensor.threads.get(2));
        assertFalse(Double.isNaN(trace.value(1, 1)), "the channel read only on boundaries is read at the inner edge");
    }

    @Test
    void aCloseIsAnnouncedToTheSensorAndItsParkingIsNotCountedAsReading() {
        // told a window closes, the sensor parks 80 ms inside that sample (as NVML's closeStraddle waits for an update)
        FakeSensor sensor = new FakeSensor();
        sensor.closeParkNanos = 80_000_000L;
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofSeconds(10))) {
            sampler.start();
            sampler.stop();
            assertEquals(List.of(false, true), sensor.closes, "only the last sample closes the window");
            assertTrue(sensor.waited >= 80_000_000L, "parked " + sensor.waited);
            assertTrue(sampler.sensorNanos() < 40_000_000L, "the parking was counted as reading: " + sampler.sensorNanos());
        }
    }

    @Test
    void theReadsOnTheSamplersOwnScheduleAreCountedApartFromTheEdgeReads() throws InterruptedException {
        // edge reads that busy-wait 30 ms (eight GPUs' counters at a close), scheduled ones 20 us
        FakeSensor edgesOnly = new FakeSensor();
        edgesOnly.innerEdges = true;
        edgesOnly.edgeBusyNanos = 30_000_000L;
        try (PowerSampler sampler = new PowerSampler(edgesOnly, Duration.ofSeconds(10))) {
            sampler.start();
            assertTrue(sampler.sampleEdge(Duration.ofSeconds(20)));
            sampler.stop();
            assertEquals(List.of(true, true, true), edgesOnly.boundaries, "no tick inside the 10 s period");
            assertEquals(0, sampler.scheduledSensorNanos(), "start, an inner edge and stop are all edge reads");
            assertTrue(sampler.sensorNanos() >= 3 * 30_000_000L, "yet all three count in the total: " + sampler.sensorNanos());
        }

        // edges of 100 ms here: a margin no preempted 20 us read adds up to
        FakeSensor ticking = new FakeSensor();
        ticking.edgeBusyNanos = 100_000_000L;
        try (PowerSampler sampler = new PowerSampler(ticking, Duration.ofMillis(1))) {
            sampler.start();
            await(() -> sampler.sampleCount() >= 12, "12 samples");
            PowerTrace trace = sampler.stop();
            int scheduled = trace.size() - 2;
            long inScheduled = sampler.scheduledSensorNanos();
            assertTrue(inScheduled >= scheduled * ticking.busyNanos, inScheduled + " ns for " + scheduled + " scheduled reads");
            assertTrue(inScheduled < 100_000_000L, "neither 100 ms edge read is in it: " + inScheduled);
            assertTrue(sampler.sensorNanos() - inScheduled >= 2 * 100_000_000L,
                    "the two edges are the rest: " + sampler.sensorNanos() + " against " + inScheduled);
        }
    }

    @Test
    void aSensorThatFailsAtAnInnerEdgeReleasesTheCallerAndTheFailureSurfacesOnStop() {
        FakeSensor sensor = new FakeSensor();
        sensor.innerEdges = true;
        sensor.failOnCall = 2; // the inner edge, on the sampling thread
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofSeconds(10))) {
            sampler.start();
            long asked = System.nanoTime();
            assertFalse(sampler.sampleEdge(Duration.ofSeconds(20)), "a failed edge is not taken");
            assertTrue(System.nanoTime() - asked < Duration.ofSeconds(10).toNanos(),
                    "the caller is released when the sensor fails, not at the timeout");
            IllegalStateException e = assertThrows(IllegalStateException.class, sampler::stop);
            assertTrue(e.getMessage().contains("fake") && e.getMessage().contains("device fell off the bus"), e.getMessage());
        }
    }

    @Test
    void aSensorThatDoesNotReadInnerEdgesIsNeverGivenABoundaryInsideItsWindow() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofSeconds(10))) {
            sampler.start();
            assertFalse(sampler.sampleEdge(Duration.ofSeconds(1)));
            assertEquals(1, sampler.sampleCount());
            sampler.stop();
        }
        assertEquals(List.of(true, true), sensor.boundaries);
    }

    @Test
    void growsBeyondItsInitialCapacity() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        sensor.busyNanos = 0;
        try (PowerSampler sampler = new PowerSampler(sensor, PowerSampler.MIN_PERIOD)) {
            sampler.start();
            await(() -> sampler.sampleCount() >= 600, "600 samples");
            PowerTrace trace = sampler.stop();
            assertTrue(trace.size() >= 601);
            assertEquals(sensor.calls, trace.size());
        }
    }

    @Test
    void sensorFailureSurfacesOnStopWithSensorIdAndMessage() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        sensor.failOnCall = 3;
        PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(1));
        sampler.start();
        await(() -> sensor.threw, "the sensor to fail");
        IllegalStateException e = assertThrows(IllegalStateException.class, sampler::stop);
        assertTrue(e.getMessage().contains("'fake'"), e.getMessage());
        assertTrue(e.getMessage().contains("device fell off the bus"), e.getMessage());
        assertEquals("device fell off the bus", e.getCause().getMessage());
        assertThrows(IllegalStateException.class, sampler::stop);
        sampler.close();
        sampler.close();
    }

    @Test
    void failureOfTheFirstSampleFailsStart() {
        FakeSensor sensor = new FakeSensor();
        sensor.failOnCall = 1;
        PowerSampler sampler = new PowerSampler(sensor);
        IllegalStateException e = assertThrows(IllegalStateException.class, sampler::start);
        assertTrue(e.getMessage().contains("fake"), e.getMessage());
        sampler.close();
    }

    @Test
    void lifecycleMisuseIsReported() throws InterruptedException {
        FakeSensor sensor = new FakeSensor();
        PowerSampler neverStarted = new PowerSampler(sensor);
        assertThrows(IllegalStateException.class, neverStarted::stop);
        neverStarted.close();
        neverStarted.close();
        assertThrows(IllegalStateException.class, neverStarted::start);

        PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(2));
        sampler.start();
        assertThrows(IllegalStateException.class, sampler::start);
        await(() -> sampler.sampleCount() >= 2, "2 samples");
        sampler.close();
        int after = sensor.calls;
        sampler.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, sampler::stop);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        Thread.sleep(20);
        assertEquals(after, sensor.calls, "the sampling thread kept reading after close()");
    }

    @Test
    void defaultAndMinimumPeriods() {
        FakeSensor sensor = new FakeSensor();
        assertEquals(Duration.ofMillis(10), new PowerSampler(sensor).period());
        assertEquals(Duration.ofMillis(1), new PowerSampler(sensor, Duration.ofMillis(1)).period());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PowerSampler(sensor, Duration.ofNanos(999_999)));
        assertTrue(e.getMessage().contains("1 ms"), e.getMessage());
    }
}
