package org.tokenpowerbench.power.nvml;

/**
 * Turns raw readings of NVML's energy counter (unsigned 64-bit millijoules since the driver was
 * loaded) into a cumulative, never-decreasing energy in joules, as
 * {@link org.tokenpowerbench.power.PowerChannel.Kind#ENERGY_JOULES} promises.
 *
 * <p>64 bits of millijoules do not wrap in practice (5.8e11 years at 1 kW), so a reading below
 * the previous one means the counter restarted from zero (a driver reload or GPU reset). The
 * energy before the restart is kept, and counting goes on from the new reading; what was used
 * between the last reading before the restart and the restart itself is unknowable and lost,
 * which {@link #restarts()} makes visible.
 */
final class CumulativeEnergy {
    private long segmentStart;
    private long last;
    private boolean started;
    private double earlierSegmentsMillijoules;
    private int restarts;

    /** Takes a raw counter reading (unsigned) and returns joules since the first reading. */
    double update(long rawMillijoules) {
        if (!started) {
            started = true;
            segmentStart = rawMillijoules;
        } else if (Long.compareUnsigned(rawMillijoules, last) < 0) {
            earlierSegmentsMillijoules += NvmlValueType.unsigned64(last - segmentStart);
            segmentStart = 0;
            restarts++;
        }
        last = rawMillijoules;
        // an unsigned difference of two readings in one segment is exact in long arithmetic
        return (earlierSegmentsMillijoules + NvmlValueType.unsigned64(rawMillijoules - segmentStart)) / 1000.0;
    }

    /** How many times the counter went backwards and was treated as a restart. */
    int restarts() {
        return restarts;
    }
}
