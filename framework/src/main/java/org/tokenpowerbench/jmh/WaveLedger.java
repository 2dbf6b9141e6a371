package org.tokenpowerbench.jmh;

import org.tokenpowerbench.workload.WaveRecord;

/**
 * Hands the wave just measured from the benchmark method to the profilers' {@code afterIteration},
 * which run in the same forked JVM right after it.
 */
public final class WaveLedger {

    /** The wave and the sweep point it belongs to. */
    public record Entry(BenchmarkSpec spec, WaveRecord wave, String promptTokenization) {
    }

    private static volatile Entry latest;

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
}
