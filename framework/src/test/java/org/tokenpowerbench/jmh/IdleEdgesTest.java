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
}
