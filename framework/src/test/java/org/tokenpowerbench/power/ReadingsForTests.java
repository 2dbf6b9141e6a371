package org.tokenpowerbench.power;

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
}
