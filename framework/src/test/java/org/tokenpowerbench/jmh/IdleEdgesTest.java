package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Scope;

/**
 * The idle window lies between two boundary samples of every running sampler whose sensor reads
 * inner edges: one just before it opens, one just after it closes, so a counter read only at
 * edges is read on both sides of it (an H200 baseline without them came out 1.6 % high).
 */
class IdleEdgesTest {

    /** Records when each boundary sample began; a counter that only boundaries read. */
    private static final class EdgeSensor implements PowerSensor {
        final List<Long> boundaryTimes = new CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "edges";
        }

        @Override
        public List<PowerChannel> channels() {
            return List.of(new PowerChannel("edges.counter", "dev0", Scope.GPU, Method.COUNTER,
                    PowerChannel.Kind.ENERGY_JOULES));
        }

        @Override
        public void sample(double[] out, boolean boundary) {
            long now = System.nanoTime();
            out[0] = boundary ? now * 1e-9 : Double.NaN;
            if (boundary) {
                boundaryTimes.add(now);
            }
        }

        @Override
        public boolean readsInnerEdges() {
            return true;
        }

        @Override
        public Duration updatePeriod() {
            return Duration.ofMillis(100);
        }

        @Override
        public void close() {
        }
    }

    @AfterEach
    void tearDown() {
        IdleEdges.hide("edges");
        WaveLedger.publishIdle(null);
    }

    @Test
    void theIdleWindowOpensJustAfterOneEdgeSampleAndClosesJustBeforeAnother() {
        EdgeSensor sensor = new EdgeSensor();
        BenchmarkSpec spec = BenchmarkSpec.builder("demo.Idle").set("model", "m").set("batch", 1).set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 1).set("seed", 1L).build();
        WaveLedger.IdleWindow window;
        // a 10 s period: between start and stop only the idle window's edges are sampled
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofSeconds(10))) {
            sampler.start();
            IdleEdges.show("edges", sampler);
            InferenceSession.idle(spec, 0.05);
            window = WaveLedger.idleWindow();
            sampler.stop();
        }
        assertNotNull(window, "the idle window was published");
        List<Long> t = sensor.boundaryTimes;
        assertEquals(4, t.size(), "start, the idle window's two edges, stop: " + t);
        assertTrue(t.get(1) <= window.fromNanos(), "the first edge is read before the window opens");
        assertTrue(t.get(2) >= window.toNanos(), "the second edge is read after the window closes");
        assertTrue(window.toNanos() - window.fromNanos() >= 50_000_000L, "the window lasts its 50 ms");
    }

    /**
     * A GPU power channel read every sample: 140 W until 50 ms into the first idle window (the
     * second boundary sample, the first being the sampler's start), 127 W after; with
     * {@code drifting}, falling by 0.5 W a millisecond all along, so that it never settles. Scope
     * and method as given.
     */
    private static class SettlingSensor implements PowerSensor {
        final Scope scope;
        final Method method;
        final boolean drifting;
        final long t0 = System.nanoTime();
        volatile long stepAt = Long.MAX_VALUE;
        int boundaries;

        SettlingSensor(Scope scope, Method method, boolean drifting) {
            this.scope = scope;
            this.method = method;
            this.drifting = drifting;
        }

        @Override
        public String id() {
            return "settling";
        }

        @Override
        public List<PowerChannel> channels() {
            return List.of(new PowerChannel("gpu0.power", "dev0", scope, method, PowerChannel.Kind.POWER_WATTS));
        }

        @Override
        public void sample(double[] out, boolean boundary) {
            long now = System.nanoTime();
            if (boundary && ++boundaries == 2) {
                stepAt = now + 50_000_000L;
            }
            out[0] = drifting ? 200 - 0.5 * (now - t0) / 1e6 : now < stepAt ? 140 : 127;
        }

        @Override
        public boolean readsInnerEdges() {
            return true;
        }

        @Override
        public Duration updatePeriod() {
            return Duration.ofMillis(5);
        }

        @Override
        public void close() {
        }
    }

    private static BenchmarkSpec idleSpec() {
        return BenchmarkSpec.builder("demo.Idle").set("model", "m").set("batch", 1).set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 1).set("seed", 1L).build();
    }

    /**
     * Runs the idle window of 200 ms over {@code sensor}, sampled every 2 ms, and returns what it
     * published (halves of 100 ms: a host that stalls the sampler for tens of ms still fills both).
     */
    private static WaveLedger.IdleWindow idleOver(PowerSensor sensor) {
        try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(2))) {
            sampler.start();
            IdleEdges.show("edges", sampler);
            InferenceSession.idle(idleSpec(), 0.2);
            sampler.stop();
            return WaveLedger.idleWindow();
        }
    }

    @Test
    void anIdleWindowInWhichTheGpusPowerMovedIsMeasuredAgain() {
        SettlingSensor sensor = new SettlingSensor(Scope.GPU, Method.SAMPLED, false);
        WaveLedger.IdleWindow window = idleOver(sensor);
        assertEquals(2, window.tries(), "the first window held the step from 140 to 127 W: " + window);
        assertEquals(1, window.moved().size(), window.moved().toString());
        assertTrue(window.moved().get(0).startsWith("gpu0.power 1"), window.moved().get(0));
        assertTrue(window.moved().get(0).endsWith(" then 127.0 W"), window.moved().get(0));
        assertTrue(window.fromNanos() > sensor.stepAt, "the window published is the one after the step");
        assertEquals(1, window.halves().size(), "the published window's halves: " + window.halves());
        assertEquals("gpu0.power", window.halves().get(0).channel());
        assertEquals(sensor.id(), window.halves().get(0).sensor());
        assertEquals(127.0, window.halves().get(0).firstWatts(), 1e-9, "settled at 127 W in both halves");
        assertEquals(127.0, window.halves().get(0).secondWatts(), 1e-9);
    }

    @Test
    void aGpuThatNeverSettlesGetsThreeTriesAndTheLastWindowSaysWhatMoved() {
        WaveLedger.IdleWindow window = idleOver(new SettlingSensor(Scope.GPU, Method.SAMPLED, true));
        assertEquals(InferenceSession.IDLE_TRIES, window.tries());
        assertEquals(InferenceSession.IDLE_TRIES, window.moved().size(), "each window's move: " + window.moved());
    }

    @Test
    void onlyMeasuredGpuPowerIsChecked() {
        assertEquals(1, idleOver(new SettlingSensor(Scope.CPU, Method.SAMPLED, false)).tries(),
                "a CPU package's idle power wanders on its own");
        assertEquals(1, idleOver(new SettlingSensor(Scope.GPU, Method.ESTIMATED, false)).tries(), "an estimate");
        assertEquals(List.of(), idleOver(new SettlingSensor(Scope.CPU, Method.SAMPLED, false)).halves(), "nor its halves kept");
    }

    @Test
    void halvesThatDifferByLessThanTwoPercentOrOneWattHoldStill() {
        assertEquals(1, idleOver(new SettlingSensor(Scope.GPU, Method.SAMPLED, false) {
            @Override
            public void sample(double[] out, boolean boundary) {
                out[0] = 127 + 0.45 * Math.sin(System.nanoTime() / 1e7); // halves within 0.9 W: under the 1 W floor
            }
        }).tries());
    }
}
