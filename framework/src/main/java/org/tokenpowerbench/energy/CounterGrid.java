package org.tokenpowerbench.energy;

/**
 * Where a counter's updates fall, as a sensor learned it from reads made before the trace at hand:
 * one update at {@code anchorNanos} and one every {@code periodNanos} either side of it.
 *
 * <p><b>Why.</b> {@link CounterUpdates#learn} learns update moments from the tight brackets inside
 * one trace. A sensor told to read its counter only on window boundaries (NVML's
 * {@code counterSchedule=boundaries}) leaves a trace with two reads and no bracket, and each value
 * would sit at its read, up to one update (100 ms on an H200) after the update that produced it
 * (on an H200, llama-server waves of 5-7 s came out up to 0.9 % off that way, and waves of 1-3 s
 * under a load stepping every second up to 7.7 %; docs/gpu-proof.md). The sensor's own grid,
 * learned once while it hunted densely, places those values at their updates instead.
 *
 * <p><b>Limits.</b> The grid holds as long as the period does: an H200's counter updated every
 * 100.001 ms in one 45 s check, so a grid with the nominal 100 ms drifts about 0.6 ms a minute.
 * The sensor re-centres it with every tight bracket it still makes (edge checks at boundaries),
 * and starts learning again when a bracket misses it.
 *
 * @param anchorNanos one update moment, on the trace's clock ({@link System#nanoTime()})
 * @param periodNanos time between updates, positive
 * @param sigmaNanos  standard uncertainty of a moment the grid gives (its phase interval over √12, scatter included)
 * @param source      who learned it and from what, for {@link CounterUpdates#describe()}
 */
public record CounterGrid(long anchorNanos, double periodNanos, double sigmaNanos, String source) {

    public CounterGrid {
        if (!(periodNanos > 0) || !Double.isFinite(periodNanos)) {
            throw new IllegalArgumentException("periodNanos=" + periodNanos + " must be positive");
        }
        if (!(sigmaNanos >= 0) || !Double.isFinite(sigmaNanos)) {
            throw new IllegalArgumentException("sigmaNanos=" + sigmaNanos + " must be zero or more");
        }
        if (source == null || source.isBlank()) {
            throw new IllegalArgumentException("source must say who learned the grid");
        }
    }
}
