package org.tokenpowerbench.engine.launch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tokenpowerbench.engine.EngineException;

/**
 * Turns an engine value {@code launch:<preset>;bin=...;args=...} and a trial's {@link LaunchAxes}
 * into the {@link LaunchCommand} that starts that engine. The one place that knows engines' flags:
 * one {@link LaunchPreset} per engine ({@code llama-server}, {@code vllm}, {@code sglang},
 * {@code tgi}) and the generic {@code command} template; docs/engines.md tables them.
 */
public final class LaunchCommands {

    private static final Map<String, LaunchPreset> PRESETS = Map.of(
            "llama-server", new LlamaServerPreset(), "vllm", new VllmPreset(), "sglang", new SglangPreset(),
            "tgi", new TgiPreset(), "command", new CommandTemplatePreset());

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
        check(engineValue, axes, System.getenv("PATH"));
    }

    static void check(String engineValue, LaunchAxes axes, String pathVariable) {
        LaunchValue value = LaunchValue.parse(engineValue);
        LaunchPreset preset = PRESETS.get(value.preset());
        program(value, preset, pathVariable);
        preset.check(value, axes);
    }

    /**
     * The command for one trial on {@code port}, preparing model files it needs (a synthetic GGUF or
     * config folder) under the cache.
     *
     * @throws EngineException with one line naming the value and what to do
     */
    public static LaunchCommand command(String engineValue, LaunchAxes axes, int port) {
        return command(engineValue, axes, port, System.getenv("PATH"), LaunchModel.inUserCache());
    }

    static LaunchCommand command(String engineValue, LaunchAxes axes, int port, String pathVariable, LaunchModel model) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port " + port + " is not a TCP port");
        }
        LaunchValue value = LaunchValue.parse(engineValue);
        LaunchPreset preset = PRESETS.get(value.preset());
        List<String> program = program(value, preset, pathVariable);
        preset.check(value, axes);
        LaunchCommand draft = preset.command(value, axes, program, model);
        List<String> argv = new ArrayList<>();
        for (String a : draft.argv()) {
            argv.add(a.replace(LaunchPreset.PORT, Integer.toString(port)));
        }
        return new LaunchCommand(argv, draft.environment(), draft.healthPath(), draft.servedModel(), draft.versionArgv(),
                draft.versionPath(), draft.tokenizer(), draft.metricsPath(), identity(draft));
    }

    /**
     * Everything that makes the engine what it is, but not its port: the argv with the port's
     * placeholder, then the added environment in name order, one per line.
     */
    private static String identity(LaunchCommand draft) {
        StringBuilder s = new StringBuilder(String.join("\n", draft.argv()));
        for (Map.Entry<String, String> e : new TreeMap<>(draft.environment()).entrySet()) {
            s.append("\n").append(e.getKey()).append('=').append(e.getValue());
        }
        return s.toString();
    }

    /** The program and its leading arguments, its first element found on this machine. */
    private static List<String> program(LaunchValue value, LaunchPreset preset, String pathVariable) {
        List<String> program = new ArrayList<>(value.preset().equals("command")
                ? List.of(CommandTemplatePreset.program(value)) : preset.defaultProgram());
        String executable = value.bin() != null ? value.bin() : program.get(0);
        String hint = Path.of(program.get(0)).getFileName().toString();
        program.set(0, ProgramPath.find(value.text(), executable, hint, pathVariable).toString());
        return program;
    }
}
