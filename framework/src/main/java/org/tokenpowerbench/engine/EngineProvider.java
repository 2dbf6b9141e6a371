package org.tokenpowerbench.engine;

import java.util.Set;

/**
 * One kind of engine, found by the scheme of the engine value ({@code embedded},
 * {@code http}/{@code https}, ...). Registered in
 * {@code META-INF/services/org.tokenpowerbench.engine.EngineProvider}, so that an engine kind
 * from another jar on the class path works like ours. {@link Engines} finds the provider; a
 * provider needs a public no-argument constructor and may be created more than once.
 *
 * <p>Two steps, because a sweep checks every engine value on the host before the first fork
 * starts, and opens one engine per trial inside the fork.
 */
public interface EngineProvider {

    /**
     * The schemes this provider serves, in lower case, without {@code :}: e.g. {@code embedded},
     * or {@code http} and {@code https}. A value's scheme is compared without regard to case.
     */
    Set<String> schemes();

    /**
     * One example value and, in parentheses, what it starts, for the line that answers an unknown
     * value: e.g. {@code http://localhost:8000 (the base URL of an OpenAI-compatible server)}.
     */
    String example();

    /**
     * Checks cheaply, before any fork starts, what can be checked without opening the engine: the
     * value's options, a model file, that a server answers at all. Slots, context and key are not
     * known yet ({@link EngineRequest#beforeFork}).
     *
     * @throws EngineException with one line that names the value and says what to do
     */
    void check(EngineRequest request);

    /**
     * Opens the engine for one trial and returns it ready to serve (loaded, listening, answering).
     *
     * @throws EngineException with one line that names the value and says what to do
     */
    RunningEngine open(EngineRequest request);
}
