package org.tokenpowerbench.engine.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SGLang's server, {@code python3 -m sglang.launch_server}. Source of every flag: SGLang's
 * "Server Arguments" reference (docs.sglang.ai, {@code python3 -m sglang.launch_server --help}).
 *
 * <pre>
 * --model-path MODEL                     a model id or folder (a synthetic shape: our config folder)
 * --host, --port                         loopback and the trial's port
 * --served-model-name MODEL              the name requests carry
 * --tp-size, --pp-size, --dp-size        the parallelism axes
 * --max-running-requests SLOTS           requests in flight
 * --context-length CONTEXT               tokens one sequence holds
 * --disable-radix-cache                  no prefix reuse: every wave prefills in full
 * --enable-metrics                       Prometheus /metrics (sglang:*), off by default
 * --dtype T | --quantization Q           the quantization axis ({@link WeightPrecision})
 * --load-format dummy                    synthetic shapes: random weights in the real architecture
 * </pre>
 *
 * {@code /health} answers once the engine serves; {@code /get_server_info} carries its version.
 * {@code bin=} replaces {@code python3} (e.g. a virtual environment's interpreter).
 */
final class SglangPreset implements LaunchPreset {

    @Override
    public String name() {
        return "sglang";
    }

    @Override
    public List<String> defaultProgram() {
        return List.of("python3", "-m", "sglang.launch_server");
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
        argv.addAll(List.of("--model-path", model.hfModel(value, axes), "--host", HOST, "--port", PORT,
                "--served-model-name", axes.model().trim(),
                "--tp-size", Integer.toString(axes.tensorParallel()),
                "--pp-size", Integer.toString(axes.pipelineParallel()),
                "--dp-size", Integer.toString(axes.dataParallel()),
                "--max-running-requests", Integer.toString(axes.slots()),
                "--context-length", Integer.toString(axes.contextPerSlot()),
                "--disable-radix-cache", "--enable-metrics"));
        argv.addAll(WeightPrecision.flags(value, axes.quantization(), "--dtype", "--quantization"));
        if (LaunchModel.synthetic(axes)) {
            argv.addAll(List.of("--load-format", "dummy"));
        }
        argv.addAll(value.args());
        return new LaunchCommand(argv, Map.of(), "/health", axes.model().trim(),
                List.of(program.get(0), "-c", "import sglang; print(sglang.__version__)"), "/get_server_info",
                model.tokenizer(value, axes), "/metrics", "");
    }
}
