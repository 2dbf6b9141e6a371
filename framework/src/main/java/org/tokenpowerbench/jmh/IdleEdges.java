package org.tokenpowerbench.jmh;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.tokenpowerbench.power.PowerSampler;

/**
 * Reads the fork's power sensors at the idle window's edges: each {@link PowerProfiler} shows its
 * sampler here while an iteration runs, and {@link InferenceSession} asks every one for a boundary
 * sample ({@link PowerSampler#sampleEdge}) just before the idle window opens and just after it
 * closes. A sensor that reads its energy counter only at a window's edges then has a read on both
 * sides of the idle window, and the baseline is the counter's own energy between them rather than
 * a share of the whole iteration's energy split by the power shape.
 */
final class IdleEdges {

    /** How long one edge may wait for a sensor: a boundary sample of eight GPUs takes tens of milliseconds. */
    static final Duration WAIT = Duration.ofSeconds(2);

    private static final Map<String, PowerSampler> RUNNING = new ConcurrentHashMap<>();

    private IdleEdges() {
    }

    static void show(String sensorId, PowerSampler sampler) {
        RUNNING.put(sensorId, sampler);
    }

    static void hide(String sensorId) {
        RUNNING.remove(sensorId);
    }

    /**
     * A boundary sample from every running sampler whose sensor reads inner edges, one after
     * another. One not taken within {@link #WAIT} leaves that edge to the shape, and the
     * baseline's {@code samplingWatts} says how much rests on it.
     */
    static void sample() {
        for (PowerSampler sampler : RUNNING.values()) {
            sampler.sampleEdge(WAIT);
        }
    }

    /** The samplers running now, for {@link IdleSettling}'s look at the window just measured. */
    static java.util.Collection<PowerSampler> running() {
        return List.copyOf(RUNNING.values());
    }
}
