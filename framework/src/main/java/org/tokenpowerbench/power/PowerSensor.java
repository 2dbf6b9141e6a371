package org.tokenpowerbench.power;

import java.time.Duration;
import java.util.List;

/**
 * A source of power or energy readings: RAPL, NVML, a CPU-time estimate, a Prometheus query.
 *
 * <p>The {@link PowerSampler} calls {@link #sample} from one dedicated thread, so an
 * implementation need not be thread-safe. Implementations are found by {@code ServiceLoader}
 * through {@link PowerSensorProvider}.
 */
public interface PowerSensor extends AutoCloseable {

    /** Short name used on the command line, e.g. {@code rapl}, {@code nvml}, {@code cpu}. */
    String id();

    /** The channels, in the order {@link #sample} fills them. Fixed for the sensor's life. */
    List<PowerChannel> channels();

    /**
     * Reads every channel once into {@code out} (length {@code channels().size()}).
     *
     * @param boundary true for the first and last sample of a window: the sensor must then read
     *                 even its expensive channels (an energy counter that costs milliseconds),
     *                 which it may skip on other samples by writing {@link Double#NaN}
     */
    default void sample(double[] out, boolean boundary) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " places its readings itself:"
                + " call sample(Readings, boolean)");
    }

    /**
     * Says that the next boundary sample opens a window: the {@link PowerSampler} calls it just
     * before its first sample. A sensor whose reads cost milliseconds may then give, for a channel
     * it read shortly before (the last window's closing sample, say), that reading with its own
     * time ({@link Readings#set(int, double, long)}) instead of reading again; the trace then
     * holds a value from just before the window, as a trace's first value may anyway. Ignored by
     * default: the boundary sample reads everything.
     */
    default void opensWindow() {
    }

    /**
     * Says that the next boundary sample closes a window: the {@link PowerSampler} calls it in
     * {@link PowerSampler#stop()}, after its sampling thread has ended and just before the last
     * sample. A sensor may then read on past the window's end within that sample (the NVML sensor
     * reads each counter again after its next update, {@code closeStraddle}); the sample's own
     * time stays the window's end. Ignored by default.
     */
    default void closesWindow() {
    }

    /**
     * Nanoseconds this sensor has spent parked inside its samples so far (waiting for a reading
     * to be due, not reading): the {@link PowerSampler} leaves them out of its read time. 0 by
     * default.
     */
    default long waitedNanos() {
        return 0;
    }

    /**
     * Reads every channel once, saying when each value was true where the source knows (a
     * Prometheus sample's timestamp, a BMC's averaging window). The sampler calls this one; by
     * default it calls {@link #sample(double[], boolean)}, whose values are true at the moment of
     * the read. A sensor whose readings carry their own time overrides this method; the sampler
     * then never calls {@link #sample(double[], boolean)}, whose default throws
     * {@link UnsupportedOperationException}.
     */
    default void sample(Readings out, boolean boundary) {
        sample(out.valuesAtRead(), boundary);
    }

    /**
     * How often the hardware behind this sensor refreshes its values. A window shorter than this
     * cannot be measured directly and is flagged.
     */
    Duration updatePeriod();

    /**
     * What the results should record about the hardware behind this sensor (device names,
     * driver versions, power limits, which readings worked). Empty by default.
     */
    default java.util.Map<String, String> environment() {
        return java.util.Map.of();
    }

    /**
     * How the devices ran since the last call ({@link DeviceCondition}: throttle reasons,
     * temperature, clock), read by the sensor on its own schedule while sampling, and forgotten
     * once returned. Called between sampling runs, never during one. Empty for a sensor that does
     * not read them (the default).
     */
    default java.util.List<DeviceCondition> drainConditions() {
        return java.util.List.of();
    }

    /**
     * The update grids this sensor has learned for its energy counters, by counter channel name
     * ({@link org.tokenpowerbench.energy.CounterGrid}), for traces too sparse to learn their own
     * (counters read on boundaries only). Called between sampling runs, never during one. Empty for
     * a sensor that learns none (the default).
     */
    default java.util.Map<String, org.tokenpowerbench.energy.CounterGrid> counterGrids() {
        return java.util.Map.of();
    }

    /**
     * How far each energy counter's updates scatter about a regular grid, as measured for this kind
     * of device: 1 σ in nanoseconds, by counter channel name. A counter value placed at a learned
     * update moment is never taken to be known better than that. Empty (the default) for a sensor
     * that states none.
     */
    default java.util.Map<String, Double> counterScatterNanos() {
        return java.util.Map.of();
    }

    /**
     * Grids an earlier fork of this run learned for these counters ({@link #counterGrids()}, on
     * this host's {@link System#nanoTime()} clock, by counter channel name), handed to a sensor
     * just opened so that it may confirm them with a few reads instead of learning from nothing.
     * A sensor must treat them as a guess: a grid its own reads contradict is dropped. Called
     * before the first sampling run. Ignored by default.
     */
    default void startFrom(java.util.Map<String, org.tokenpowerbench.energy.CounterGrid> earlier) {
    }

    /**
     * How long from now this sensor has nothing to read, in nanoseconds: the sampler skips its
     * ticks until then (a sensor whose power arrives in fetched batches and whose counter needs no
     * reads between boundaries, say). Called on the sampling thread right after each sample;
     * boundary samples are taken regardless. 0 (the default): sample on every tick.
     */
    default long idleNanos() {
        return 0;
    }

    /**
     * Whether a boundary sample may also be taken inside a window, at an instant a result is
     * measured from ({@link PowerSampler#sampleEdge}: an idle window's start and end), so that the
     * sensor reads there what it otherwise reads only at a window's edges. A sensor whose
     * expensive channel it skips between boundaries (an energy counter read only at a window's
     * edges) says true: without such a read an inner instant's energy is a share of a long
     * counter interval split by the power shape, which on an H200 strayed from the counter by
     * 0.7 % rms over 5 s. False by default: a sensor that takes a boundary to open or close its
     * window (a Prometheus sensor waits for the scrape after a close) is never given one inside.
     */
    default boolean readsInnerEdges() {
        return false;
    }

    /** Releases native handles. Never throws for a sensor that is already closed. */
    @Override
    void close();
}
