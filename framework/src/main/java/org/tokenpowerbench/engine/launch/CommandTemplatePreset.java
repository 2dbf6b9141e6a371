package org.tokenpowerbench.engine.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tokenpowerbench.engine.EngineException;

/**
 * Any other server: {@code launch:command;cmd=my-server --model {model} --port {port} --tp {tensorParallel}}.
 * The template is split at spaces into the program and its arguments; then each placeholder is
 * replaced by the trial's value (inside an argument too, e.g. {@code --listen=127.0.0.1:{port}}):
 * {@code {model}} (a synthetic shape: our GGUF in the trial's quantization), {@code {quantization}},
 * {@code {tensorParallel}}, {@code {pipelineParallel}}, {@code {dataParallel}}, {@code {contextLength}}
 * (tokens per sequence), {@code {batch}} (requests in flight) and {@code {port}}. The server must
 * listen on the port it is given; its health path ({@code health=}, default {@code /health}) must
 * answer 2xx once it serves; {@code metrics=} names its Prometheus path, if any.
 */
final class CommandTemplatePreset implements LaunchPreset {

    static final List<String> PLACEHOLDERS = List.of("model", "quantization", "tensorParallel", "pipelineParallel",
            "dataParallel", "contextLength", "batch", "port");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}]*)}");

    @Override
    public String name() {
        return "command";
    }

    /** The template's first word: the command preset has no program of its own. */
    @Override
    public List<String> defaultProgram() {
        throw new IllegalStateException("the command preset's program is its template's first word");
    }

    /** The template's first word, the program. */
    static String program(LaunchValue value) {
        return LaunchValue.words(value.template()).get(0);
    }

    @Override
    public void check(LaunchValue value, LaunchAxes axes) {
        for (String word : LaunchValue.words(value.template())) {
            Matcher m = PLACEHOLDER.matcher(word);
            while (m.find()) {
                if (!PLACEHOLDERS.contains(m.group(1))) {
                    throw new EngineException("engine '" + value.text() + "': {" + m.group(1) + "} is not a placeholder;"
                            + " the template may use {" + String.join("} {", PLACEHOLDERS) + "}");
                }
            }
        }
        if (!value.template().contains("{port}")) {
            // the port is picked per trial and reaches the server only this way: without it no trial is ever ready
            throw new EngineException("engine '" + value.text() + "': the template has no {port}; the benchmark picks a"
                    + " free port for each trial and the server must listen on it, e.g. cmd=my-server --port {port}");
        }
        if (LaunchModel.synthetic(axes)) {
            LaunchModel.checkGguf(value, axes);
        }
    }

    @Override
    public LaunchCommand command(LaunchValue value, LaunchAxes axes, List<String> program, LaunchModel model) {
        check(value, axes);
        String modelText = LaunchModel.synthetic(axes) ? model.gguf(value, axes).toString() : axes.model().trim();
        Map<String, String> values = Map.of("model", modelText, "quantization", axes.quantization().trim(),
                "tensorParallel", Integer.toString(axes.tensorParallel()),
                "pipelineParallel", Integer.toString(axes.pipelineParallel()),
                "dataParallel", Integer.toString(axes.dataParallel()),
                "contextLength", Integer.toString(axes.contextPerSlot()),
                "batch", Integer.toString(axes.slots()), "port", PORT);
        List<String> words = LaunchValue.words(value.template());
        List<String> argv = new ArrayList<>(program);
        for (String word : words.subList(1, words.size())) {
            argv.add(PLACEHOLDER.matcher(word).replaceAll(m -> Matcher.quoteReplacement(values.get(m.group(1)))));
        }
        argv.addAll(value.args());
        return new LaunchCommand(argv, Map.of(), value.health(), axes.model().trim(), List.of(), null,
                model.tokenizer(value, axes), value.metrics(), "");
    }
}
