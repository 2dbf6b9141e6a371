package org.tokenpowerbench.power;

import java.util.ArrayList;
import java.util.List;

/** Lets tests outside this package call {@link PowerSensor#sample(Readings, boolean)} as the sampler does. */
public final class ReadingsForTests {

    private ReadingsForTests() {
    }

    /** Empty readings for {@code channels} channels. */
    public static Readings create(int channels) {
        return new Readings(channels);
    }

    /** Empties them again, as the sampler does before each sample. */
    public static void clear(Readings readings) {
        readings.clear();
    }

    /**
     * Channel {@code channel}'s readings in them as {time, value} pairs: the value set (its time
     * {@link Readings#AT_READ} where it was set without one), then those added, in order.
     */
    public static List<double[]> of(Readings readings, int channel) {
        List<double[]> out = new ArrayList<>();
        if (!Double.isNaN(readings.values[channel])) {
            out.add(new double[] {readings.measuredAt[channel], readings.values[channel]});
        }
        for (int i = 0; i < readings.extraCount; i++) {
            if (readings.extraChannels[i] == channel) {
                out.add(new double[] {readings.extraTimes[i], readings.extraValues[i]});
            }
        }
        return out;
    }
}
