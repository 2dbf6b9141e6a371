package org.tokenpowerbench.jmh;

import java.util.List;
import org.tokenpowerbench.prometheus.ServerWave;
import org.tokenpowerbench.workload.Goodput;
import org.tokenpowerbench.workload.Slo;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Hands the wave just measured from the benchmark method to the profilers' {@code afterIteration},
 * which run in the same forked JVM right after it; and the trial's idle window from
 * {@link InferenceSession#open} to the power profilers, which sample through it (trial set-up runs
 * inside the first iteration) and measure the idle baseline from it.
 */
public final class WaveLedger {

    /**
     * The wave and the sweep point it belongs to.
     *
     * @param server the wave as the engine's own {@code /metrics} counted it, or null when it was not read
     * @param replicaUrls the engine's replicas, in the order a row's {@code replica} indexes them
     */
    public record Entry(BenchmarkSpec spec, WaveRecord wave, String promptTokenization, ServerWave server,
                        java.util.List<String> replicaUrls, org.tokenpowerbench.workload.HostCpu.Reading hostCpu) {

        public Entry {
            replicaUrls = replicaUrls == null ? java.util.List.of() : java.util.List.copyOf(replicaUrls);
        }

        public Entry(BenchmarkSpec spec, WaveRecord wave, String promptTokenization, ServerWave server,
                     java.util.List<String> replicaUrls) {
            this(spec, wave, promptTokenization, server, replicaUrls, null);
        }

        public Entry(BenchmarkSpec spec, WaveRecord wave, String promptTokenization, ServerWave server) {
            this(spec, wave, promptTokenization, server, null);
        }

        public Entry(BenchmarkSpec spec, WaveRecord wave, String promptTokenization) {
            this(spec, wave, promptTokenization, null, null);
        }

        /**
         * The wave's goodput under the benchmark's {@code @Slo}, or null when it sets none. Energy
         * per good output token is the wave's energy over {@link Goodput#goodOutputTokens()}.
         */
        public Goodput goodput() {
            Slo slo = spec.slo();
            return slo.isSet() ? Goodput.of(wave, slo) : null;
        }
    }

    /**
     * A stretch with the engine loaded and nothing in flight, on {@link System#nanoTime()}.
     *
     * @param spec      the trial it belongs to
     * @param fromNanos when it began
     * @param toNanos   when it ended
     * @param tries     how many windows were measured to get this one (1, or more where the GPU's power
     *                  had moved within the earlier ones, {@link IdleSettling})
     * @param moved     what moved within the earlier windows, or within this one where the tries ran out;
     *                  empty when nothing did
     * @param halves    this window's measured GPU power channels, each one's mean over either half
     */
    public record IdleWindow(BenchmarkSpec spec, long fromNanos, long toNanos, int tries, List<String> moved,
                             List<org.tokenpowerbench.energy.IdleHalves> halves) {

        public IdleWindow {
            moved = List.copyOf(moved);
            halves = List.copyOf(halves);
        }

        /** A window measured once, in which nothing moved and no half was read. */
        public IdleWindow(BenchmarkSpec spec, long fromNanos, long toNanos) {
            this(spec, fromNanos, toNanos, 1, List.of(), List.of());
        }
    }

    private static volatile Entry latest;
    private static volatile IdleWindow idle;

    private WaveLedger() {
    }

    static void publish(Entry entry) {
        latest = entry;
    }

    /** The last wave published in this JVM, or null if none has been. */
    public static Entry latest() {
        return latest;
    }

    static void clear() {
        latest = null;
    }

    /** Records the idle window of the trial being opened; null when none was measured. */
    static void publishIdle(IdleWindow window) {
        idle = window;
    }

    /** The idle window of the latest trial opened in this JVM, or null when it measured none. */
    public static IdleWindow idleWindow() {
        return idle;
    }
}
