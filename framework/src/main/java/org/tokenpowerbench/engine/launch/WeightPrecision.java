package org.tokenpowerbench.engine.launch;

import java.util.List;
import java.util.Locale;
import org.tokenpowerbench.engine.EngineException;

/**
 * The quantization axis as engines that load Hugging Face weights take it: a floating-point type
 * ({@code f16}, {@code bf16}, {@code f32}, {@code auto}) is their {@code --dtype}; any other value
 * (e.g. {@code fp8}, {@code awq}, {@code gptq}, {@code bitsandbytes}) is their quantization
 * method, passed on for the engine to judge. llama.cpp's GGUF types ({@code q4_0}, {@code q8_0},
 * {@code q4_k_m}, ...) are refused: these engines have no flag that makes them.
 */
final class WeightPrecision {

    private WeightPrecision() {
    }

    /** The {@code --dtype} value of a floating-point type, or null for a quantization method. */
    static String dtype(String quantization) {
        return switch (quantization.trim().toLowerCase(Locale.ROOT)) {
            case "f16", "fp16", "float16", "half" -> "float16";
            case "bf16", "bfloat16" -> "bfloat16";
            case "f32", "fp32", "float32", "float" -> "float32";
            case "auto" -> "auto";
            default -> null;
        };
    }

    /**
     * The flags for {@code quantization}: {@code dtypeFlag value} or {@code quantizationFlag value}.
     *
     * @throws EngineException for a GGUF type, which these engines cannot make
     */
    static List<String> flags(LaunchValue value, String quantization, String dtypeFlag, String quantizationFlag) {
        String q = quantization.trim().toLowerCase(Locale.ROOT);
        String dtype = dtype(q);
        if (dtype != null) {
            return List.of(dtypeFlag, dtype);
        }
        if (q.matches("i?q\\d.*|tq\\d.*")) {
            throw new EngineException("engine '" + value.text() + "': quantization=" + quantization + " is a llama.cpp GGUF type;"
                    + " launch:" + value.preset() + " takes a dtype (f16, bf16, f32) or its own " + quantizationFlag
                    + " method (e.g. fp8, awq, gptq): use one of those, or launch:llama-server for GGUF types");
        }
        return List.of(quantizationFlag, q);
    }
}
