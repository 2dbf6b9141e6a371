package org.tokenpowerbench.engine.launch;

import org.tokenpowerbench.engine.EngineException;

/**
 * Turns an engine value {@code launch:<preset>;bin=...;args=...} and a trial's {@link LaunchAxes}
 * into the {@link LaunchCommand} that starts that engine. The one place that knows engines' flags.
 */
public final class LaunchCommands {

    private LaunchCommands() {
    }

    /** Whether an engine value asks for a managed engine ({@code launch:...}). */
    public static boolean isLaunch(String engineValue) {
        return engineValue != null && engineValue.trim().regionMatches(true, 0, "launch:", 0, 7);
    }

    /**
     * Checks, before any fork, what can be checked without starting anything: the preset is known,
     * its options are allowed, the binary exists, the axes are ones the engine can honour.
     *
     * @throws EngineException with one line naming the value and what to do
     */
    public static void check(String engineValue, LaunchAxes axes) {
        throw new EngineException("engine '" + engineValue + "': managed engines are not built yet");
    }

    /**
     * The command for one trial on {@code port}, preparing model files it needs (a synthetic GGUF or
     * config folder) under the cache.
     *
     * @throws EngineException with one line naming the value and what to do
     */
    public static LaunchCommand command(String engineValue, LaunchAxes axes, int port) {
        throw new EngineException("engine '" + engineValue + "': managed engines are not built yet");
    }
}
