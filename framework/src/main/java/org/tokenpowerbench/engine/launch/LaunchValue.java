package org.tokenpowerbench.engine.launch;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.engine.EngineException;

/**
 * An engine value that asks the benchmark to start the server itself:
 * {@code launch:<preset>;bin=/path/to/exe;args=--extra flags}. Options follow semicolons, as in an
 * {@code http} value, because JMH splits {@code -p} values at commas; on a command line the whole
 * value is quoted, since a shell ends a command at {@code ;}.
 *
 * <ul>
 *   <li>{@code bin=} the executable in place of the preset's default (a path, or a name looked up on
 *       {@code PATH});</li>
 *   <li>{@code args=} extra arguments appended after the preset's own, split at spaces (for a flag
 *       the preset does not set, e.g. {@code args=--gpu-memory-utilization 0.85});</li>
 *   <li>{@code cmd=} the command template of the {@code command} preset, and only of it;</li>
 *   <li>{@code health=} and {@code metrics=} the {@code command} preset's health and Prometheus
 *       paths (defaults {@code /health} and none).</li>
 * </ul>
 *
 * @param text     the value as given, trimmed (every message names it)
 * @param preset   the preset's name in lower case
 * @param bin      the executable given with {@code bin=}, or null for the preset's default
 * @param args     extra arguments, in order (empty when none)
 * @param template the {@code command} preset's template, or null
 * @param health   the {@code command} preset's health path
 * @param metrics  the {@code command} preset's Prometheus path, or null
 */
public record LaunchValue(String text, String preset, String bin, List<String> args, String template, String health,
                          String metrics) {

    /** The scheme of every managed engine value. */
    public static final String SCHEME = "launch:";

    /** The presets, in the order messages list them. */
    public static final List<String> PRESETS = List.of("llama-server", "vllm", "sglang", "tgi", "command");

    public LaunchValue {
        args = List.copyOf(args);
    }

    /**
     * Reads a {@code launch:} value.
     *
     * @throws EngineException with one line naming the part at fault and what to write instead
     */
    public static LaunchValue parse(String value) {
        String text = value == null ? "" : value.trim();
        if (!LaunchCommands.isLaunch(text)) {
            throw new IllegalArgumentException("not a launch value: " + text);
        }
        String[] parts = text.substring(SCHEME.length()).split(";", -1);
        String preset = parts[0].trim().toLowerCase(Locale.ROOT);
        if (!PRESETS.contains(preset)) {
            throw new EngineException("engine '" + text + "': '" + parts[0].trim() + "' is not a launch preset; use one of "
                    + String.join(", ", PRESETS) + ", e.g. -p 'engine=launch:vllm'");
        }
        String bin = null;
        List<String> args = List.of();
        String template = null;
        String health = "/health";
        String metrics = null;
        boolean argsSeen = false;
        for (int i = 1; i < parts.length; i++) {
            String option = parts[i].trim();
            if (option.isEmpty()) {
                continue;
            }
            int eq = option.indexOf('=');
            String key = eq < 0 ? option : option.substring(0, eq).trim();
            String v = eq < 0 ? "" : option.substring(eq + 1).trim();
            boolean commandOnly = key.equals("cmd") || key.equals("health") || key.equals("metrics");
            if (commandOnly && !preset.equals("command")) {
                throw new EngineException("engine '" + text + "': option '" + key + "=' belongs to the command preset;"
                        + " launch:" + preset + " takes bin= and args=");
            }
            if (!key.equals("bin") && !key.equals("args") && !commandOnly) {
                throw new EngineException("engine '" + text + "': option '" + option + "' is not known; launch:" + preset
                        + " takes " + (preset.equals("command") ? "cmd=, bin=, args=, health= and metrics=" : "bin= and args=")
                        + ", e.g. -p 'engine=launch:" + preset + ";bin=/opt/" + preset + "/bin/" + preset + "'");
            }
            if (v.isEmpty() && !key.equals("args") && !key.equals("metrics")) {
                throw new EngineException("engine '" + text + "': option '" + key + "=' is empty; give "
                        + switch (key) {
                            case "bin" -> "the executable's path, e.g. bin=/usr/local/bin/llama-server";
                            case "cmd" -> "the server's command line, e.g. cmd=my-server --model {model} --port {port}";
                            default -> "a path such as /health";
                        });
            }
            switch (key) {
                case "bin" -> bin = once(text, key, bin, v);
                case "cmd" -> template = once(text, key, template, v);
                case "health" -> health = path(text, key, v);
                case "metrics" -> metrics = v.isEmpty() ? null : path(text, key, v);
                default -> {
                    if (argsSeen) {
                        throw new EngineException("engine '" + text + "' gives args= twice: put every extra argument"
                                + " in one args=, separated by spaces");
                    }
                    argsSeen = true;
                    args = words(v);
                }
            }
        }
        if (preset.equals("command") && template == null) {
            throw new EngineException("engine '" + text + "': the command preset needs cmd=, e.g. -p 'engine=launch:command;"
                    + "cmd=my-server --model {model} --port {port}'");
        }
        return new LaunchValue(text, preset, bin, args, template, health, metrics);
    }

    /** Text split at runs of spaces, empty parts dropped. */
    static List<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty()).toList();
    }

    private static String once(String text, String key, String old, String v) {
        if (old != null) {
            throw new EngineException("engine '" + text + "' gives " + key + "= twice: give one");
        }
        return v;
    }

    private static String path(String text, String key, String v) {
        if (!v.startsWith("/")) {
            throw new EngineException("engine '" + text + "': " + key + "=" + v + " is not an HTTP path; give one that"
                    + " starts with /, e.g. " + key + "=/" + key);
        }
        return v;
    }
}
