package org.tokenpowerbench.engine.launch;

import java.util.List;

/**
 * One engine's command line: how the axes of a trial become that engine's documented flags. Each
 * implementation names its source (the engine's CLI reference) beside the flags, so that a reader
 * can check every mapping against the engine's own words.
 */
interface LaunchPreset {

    /** Stands for the trial's port in an argv until {@link LaunchCommands} puts the port in. */
    String PORT = "{port}";

    /** The loopback address every preset binds: the benchmark is the only client. */
    String HOST = "127.0.0.1";

    /** The preset's name after {@code launch:}. */
    String name();

    /** The program and its leading arguments when no {@code bin=} is given; {@code bin=} replaces the first. */
    List<String> defaultProgram();

    /**
     * Refuses, with one line, what this engine cannot honour (a parallelism it lacks, a
     * quantization it has no flag for, a model it cannot load), before anything starts.
     *
     * @throws org.tokenpowerbench.engine.EngineException naming the value and what to do
     */
    void check(LaunchValue value, LaunchAxes axes);

    /**
     * The command, with {@link #PORT} where the port goes and an empty identity: {@link LaunchCommands}
     * fills both. Prepares the model files it needs (a synthetic GGUF or config folder).
     *
     * @param program the resolved program and its leading arguments ({@link #defaultProgram()} with
     *                the first replaced by the executable's absolute path)
     * @param model   where synthetic model files are written
     */
    LaunchCommand command(LaunchValue value, LaunchAxes axes, List<String> program, LaunchModel model);
}
