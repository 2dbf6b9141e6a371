package org.tokenpowerbench.energy;

import java.util.Locale;

/**
 * A measured power channel's mean over the first and the second half of an idle window: whether
 * the device's power held still while its baseline was taken. Written for every GPU power channel
 * on every idle baseline ({@code idleHalves} in {@code idle-baselines.jsonl}), so that how far
 * settled GPUs' halves differ, and so where a limit on them belongs, can be read from runs.
 *
 * @param sensor       the sensor's id, e.g. {@code nvml}
 * @param channel      the channel's name, e.g. {@code gpu0.power-buffer}
 * @param firstWatts   the mean of its readings over the window's first half
 * @param secondWatts  the mean over the second half
 */
public record IdleHalves(String sensor, String channel, double firstWatts, double secondWatts) {

    /** {@code gpu0.power-buffer 140.2 W then 127.1 W}. */
    public String describe() {
        return String.format(Locale.ROOT, "%s %.1f W then %.1f W", channel, firstWatts, secondWatts);
    }
}
