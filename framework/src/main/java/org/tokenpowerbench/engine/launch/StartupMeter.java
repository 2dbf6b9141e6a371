package org.tokenpowerbench.engine.launch;

import java.util.Map;

/**
 * Measures the energy of an engine's start-up window, from launch to ready. The lifecycle opens a
 * window around every start and knows nothing of sensors; the host's implementation reads the
 * trial's power sensors, so start-up joules carry the same labels as the trial's energy figures.
 */
public interface StartupMeter {

    /** Measures nothing: no power sensor was asked for. */
    StartupMeter NONE = () -> Map::of;

    /** Starts measuring now. */
    Window open();

    /** A window being measured. */
    interface Window {
        /** Ends the window: joules per sensor label over it (empty when nothing measured it). */
        Map<String, Double> close();
    }
}
