package org.tokenpowerbench.engine.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.engine.EngineException;

/**
 * llama.cpp's {@code llama-server}. Source of every flag: llama.cpp {@code tools/server/README.md}
 * (the server's option table) and the flags docs/gpu-proof.md ran on an H200.
 *
 * <pre>
 * -m FILE               the GGUF (a synthetic shape: our writer's server variant in the trial's quantization)
 * --host, --port        loopback and the trial's port
 * -ngl 99               offload every layer to the GPU (--n-gpu-layers; a CPU build ignores it)
 * -np SLOTS             --parallel: one slot per request in flight
 * -c SLOTS*CONTEXT      --ctx-size is the total KV cache, shared by the slots
 * --alias MODEL         the model name the server answers to (--alias)
 * --metrics             Prometheus /metrics (llamacpp:*)
 * --no-cache-prompt --cache-ram 0   no prompt reuse, in a slot or from host RAM: every wave prefills in full
 * </pre>
 *
 * <p>Parallelism: llama-server has no tensor-, pipeline- or data-parallel size. It spreads one model
 * over every visible GPU ({@code --split-mode layer}, the default, by layers; {@code row} by rows),
 * which is neither a size nor the same thing; so a size above 1 is refused, and a multi-GPU run
 * names its GPUs with {@code CUDA_VISIBLE_DEVICES} and its split with {@code args=}.
 */
final class LlamaServerPreset implements LaunchPreset {

    @Override
    public String name() {
        return "llama-server";
    }

    @Override
    public List<String> defaultProgram() {
        return List.of("llama-server");
    }

    @Override
    public void check(LaunchValue value, LaunchAxes axes) {
        if (axes.tensorParallel() > 1 || axes.pipelineParallel() > 1) {
            throw new EngineException("engine '" + value.text() + "': llama-server has no tensor- or pipeline-parallel size"
                    + " (tensorParallel=" + axes.tensorParallel() + ", pipelineParallel=" + axes.pipelineParallel() + "); it"
                    + " splits a model over every visible GPU with --split-mode layer|row: sweep 1, and give the split with"
                    + " args= and CUDA_VISIBLE_DEVICES");
        }
        if (axes.dataParallel() > 1) {
            throw new EngineException("engine '" + value.text() + "': llama-server has no data-parallel replicas"
                    + " (dataParallel=" + axes.dataParallel() + "); sweep dataParallel=1, or use launch:vllm or launch:sglang");
        }
        totalContext(value, axes);
        LaunchModel.checkGguf(value, axes);
    }

    private static long totalContext(LaunchValue value, LaunchAxes axes) {
        long total = (long) axes.slots() * axes.contextPerSlot();
        if (total > Integer.MAX_VALUE) {
            throw new EngineException("engine '" + value.text() + "': " + axes.slots() + " slots of " + axes.contextPerSlot()
                    + " tokens need a context of " + total + " tokens, more than llama-server's -c takes; lower batch or"
                    + " the prompt and output lengths");
        }
        return total;
    }

    @Override
    public LaunchCommand command(LaunchValue value, LaunchAxes axes, List<String> program, LaunchModel model) {
        List<String> argv = new ArrayList<>(program);
        argv.addAll(List.of("-m", model.gguf(value, axes).toString(), "--host", HOST, "--port", PORT, "-ngl", "99",
                "-np", Integer.toString(axes.slots()), "-c", Long.toString(totalContext(value, axes)),
                "--alias", axes.model().trim(), "--metrics", "--no-cache-prompt", "--cache-ram", "0"));
        argv.addAll(value.args());
        return new LaunchCommand(argv, Map.of(), "/health", axes.model().trim(), List.of(program.get(0), "--version"),
                "/props", model.tokenizer(value, axes), "/metrics", "");
    }
}
