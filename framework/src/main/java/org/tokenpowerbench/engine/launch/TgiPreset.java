package org.tokenpowerbench.engine.launch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.tokenpowerbench.engine.EngineException;

/**
 * Hugging Face Text Generation Inference, {@code text-generation-launcher}. Source of every flag:
 * TGI's "Text-generation-launcher arguments" reference (huggingface.co/docs/text-generation-inference,
 * {@code reference/launcher}).
 *
 * <pre>
 * --model-id MODEL                       a model id or folder
 * --hostname, --port                     loopback and the trial's port
 * --num-shard TP                         tensor parallelism: shards of one model
 * --max-concurrent-requests SLOTS        requests in flight
 * --max-input-tokens CONTEXT-1, --max-total-tokens CONTEXT   tokens one sequence holds
 * --dtype T | --quantize Q               the quantization axis (dtypes float16 and bfloat16 only)
 * PREFIX_CACHING=0 (environment)         no prefix reuse: every wave prefills in full
 * </pre>
 *
 * <p>TGI has no pipeline-parallel or data-parallel size and no random-weight load format: those
 * axes above 1, and {@code synthetic:} models, are refused. Recent launchers serve Prometheus
 * metrics on a port of their own ({@code --prometheus-port}), which the lifecycle does not scrape:
 * no metrics path is given. {@code /health} answers once ready; {@code /info} carries the version.
 */
final class TgiPreset implements LaunchPreset {

    @Override
    public String name() {
        return "tgi";
    }

    @Override
    public List<String> defaultProgram() {
        return List.of("text-generation-launcher");
    }

    @Override
    public void check(LaunchValue value, LaunchAxes axes) {
        if (axes.pipelineParallel() > 1 || axes.dataParallel() > 1) {
            throw new EngineException("engine '" + value.text() + "': TGI has no pipeline- or data-parallel size"
                    + " (pipelineParallel=" + axes.pipelineParallel() + ", dataParallel=" + axes.dataParallel()
                    + "); sweep 1, tensorParallel sets its --num-shard, or use launch:vllm");
        }
        if (LaunchModel.synthetic(axes)) {
            throw new EngineException("engine '" + value.text() + "': TGI cannot load random weights, so " + axes.model()
                    + " cannot run on it; give a model id or folder, or use launch:vllm, launch:sglang or launch:llama-server"
                    + " for synthetic shapes");
        }
        if (axes.contextPerSlot() < 2) {
            throw new EngineException("engine '" + value.text() + "': TGI needs at least 2 tokens per sequence"
                    + " (a prompt token and an output token)");
        }
        precision(value, axes);
    }

    private static List<String> precision(LaunchValue value, LaunchAxes axes) {
        String dtype = WeightPrecision.dtype(axes.quantization());
        if ("auto".equals(dtype)) {
            return List.of();
        }
        if ("float32".equals(dtype)) {
            throw new EngineException("engine '" + value.text() + "': TGI's --dtype takes float16 or bfloat16, not "
                    + axes.quantization() + "; use f16 or bf16");
        }
        return WeightPrecision.flags(value, axes.quantization().toLowerCase(Locale.ROOT), "--dtype", "--quantize");
    }

    @Override
    public LaunchCommand command(LaunchValue value, LaunchAxes axes, List<String> program, LaunchModel model) {
        List<String> argv = new ArrayList<>(program);
        argv.addAll(List.of("--model-id", axes.model().trim(), "--hostname", HOST, "--port", PORT,
                "--num-shard", Integer.toString(axes.tensorParallel()),
                "--max-concurrent-requests", Integer.toString(axes.slots()),
                "--max-input-tokens", Integer.toString(axes.contextPerSlot() - 1),
                "--max-total-tokens", Integer.toString(axes.contextPerSlot())));
        argv.addAll(precision(value, axes));
        argv.addAll(value.args());
        return new LaunchCommand(argv, Map.of("PREFIX_CACHING", "0"), "/health", axes.model().trim(),
                List.of(program.get(0), "--version"), "/info", null, null, "");
    }
}
