package org.tokenpowerbench.client;

import java.util.Arrays;

/**
 * How many content chunks of one stream arrived in each 100 ms step of the monotonic clock, for
 * a wave's peak throughput. Its size grows with how long the stream lasted (one count per 100 ms),
 * not with how many tokens it carried.
 *
 * @param firstStep the step ({@code nanoTime / STEP_NANOS}) of {@code counts[0]}
 * @param counts    content chunks per step, from {@code firstStep} on; empty for no content
 */
public record ChunkArrivals(long firstStep, int[] counts) {

    /** The length of one step. */
    public static final long STEP_NANOS = 100_000_000L;

    /** No content arrived. */
    public static final ChunkArrivals NONE = new ChunkArrivals(0, new int[0]);

    public ChunkArrivals {
        counts = counts.clone();
    }

    @Override
    public int[] counts() {
        return counts.clone();
    }

    /** Content chunks in all steps. */
    public long chunks() {
        return Arrays.stream(counts).asLongStream().sum();
    }

    /** Counts chunks as they arrive; one per stream, on the thread that reads it. */
    static final class Counter {
        private long first = Long.MIN_VALUE;
        private int[] counts = new int[8];
        private int used;

        void add(long arrivalNanos) {
            long step = Math.floorDiv(arrivalNanos, STEP_NANOS);
            if (first == Long.MIN_VALUE) {
                first = step;
            }
            int at = (int) Math.max(0, Math.min(Integer.MAX_VALUE - 8, step - first));
            if (at >= counts.length) {
                counts = Arrays.copyOf(counts, Math.max(at + 1, counts.length * 2));
            }
            counts[at]++;
            used = Math.max(used, at + 1);
        }

        ChunkArrivals done() {
            return used == 0 ? NONE : new ChunkArrivals(first, Arrays.copyOf(counts, used));
        }
    }
}
