package org.tokenpowerbench.energy;

/**
 * A stretch between two consecutive valid samples of the channel that gives a device's shape
 * that is longer than the bound the {@link PowerSignal} was built with. The signal still
 * interpolates across it (linearly for a power channel, at the average rate for a counter), but
 * every result whose window touches it is flagged, because what happened inside is not known.
 *
 * @param device    the device whose samples are missing
 * @param channel   the channel with the gap
 * @param fromNanos last valid sample before the gap
 * @param toNanos   first valid sample after it
 */
public record SampleGap(String device, String channel, long fromNanos, long toNanos) {

    public SampleGap {
        if (toNanos < fromNanos) {
            throw new IllegalArgumentException("gap [" + fromNanos + ", " + toNanos + "] ns of channel '" + channel
                    + "' ends before it starts");
        }
    }

    /** Length of the gap in nanoseconds. */
    public long nanos() {
        return toNanos - fromNanos;
    }

    /** True when the gap and {@code [from, to]} share more than a point. */
    public boolean overlaps(long from, long to) {
        return fromNanos < to && toNanos > from;
    }
}
