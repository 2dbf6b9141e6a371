package org.tokenpowerbench.engine.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * vLLM's OpenAI-compatible server, {@code vllm serve}. Source of every flag: vLLM's engine
 * arguments reference (docs.vllm.ai, "Engine Arguments", and {@code vllm serve --help}).
 *
 * <pre>
 * vllm serve MODEL                       a model id or folder (a synthetic shape: our config folder)
 * --host, --port                         loopback and the trial's port
 * --served-model-name MODEL              the name requests carry
 * --tensor-parallel-size, --pipeline-parallel-size, --data-parallel-size   the parallelism axes
 * --max-num-seqs SLOTS                   sequences in one batch: the requests in flight
 * --max-model-len CONTEXT                tokens one sequence holds
 * --no-enable-prefix-caching             every wave prefills in full
 * --dtype T | --quantization Q           the quantization axis ({@link WeightPrecision})
 * --load-format dummy                    synthetic shapes: random weights in the real architecture
 * </pre>
 *
 * Prometheus metrics ({@code vllm:*}) are on by default at {@code /metrics}; {@code /health}
 * answers once the engine serves; {@code /version} names the version.
 */
final class VllmPreset implements LaunchPreset {

    @Override
    public String name() {
        return "vllm";
    }

    @Override
    public List<String> defaultProgram() {
        return List.of("vllm", "serve");
    }

    @Override
    public void check(LaunchValue value, LaunchAxes axes) {
        WeightPrecision.flags(value, axes.quantization(), "--dtype", "--quantization");
        if (LaunchModel.synthetic(axes)) {
            LaunchModel.shape(value, axes);
        }
    }

    @Override
    public LaunchCommand command(LaunchValue value, LaunchAxes axes, List<String> program, LaunchModel model) {
        List<String> argv = new ArrayList<>(program);
        argv.add(model.hfModel(value, axes));
        argv.addAll(List.of("--host", HOST, "--port", PORT, "--served-model-name", axes.model().trim(),
                "--tensor-parallel-size", Integer.toString(axes.tensorParallel()),
                "--pipeline-parallel-size", Integer.toString(axes.pipelineParallel()),
                "--data-parallel-size", Integer.toString(axes.dataParallel()),
                "--max-num-seqs", Integer.toString(axes.slots()),
                "--max-model-len", Integer.toString(axes.contextPerSlot()),
                "--no-enable-prefix-caching"));
        argv.addAll(WeightPrecision.flags(value, axes.quantization(), "--dtype", "--quantization"));
        if (LaunchModel.synthetic(axes)) {
            argv.addAll(List.of("--load-format", "dummy"));
        }
        argv.addAll(value.args());
        return new LaunchCommand(argv, Map.of(), "/health", axes.model().trim(), List.of(program.get(0), "--version"),
                "/version", model.tokenizer(value, axes), "/metrics", "");
    }
}
