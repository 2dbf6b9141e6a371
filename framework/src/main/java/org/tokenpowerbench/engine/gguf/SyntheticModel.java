package org.tokenpowerbench.engine.gguf;

import org.tokenpowerbench.UserError;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes llama-architecture GGUF models with seeded random weights in the exact shape of a named
 * {@link ModelShape}. Energy per token depends on the shape, not on the weight values, so such a
 * model stands in for a real one of the same shape, without a download.
 *
 * <p>A file holds the metadata llama.cpp needs for {@code general.architecture = llama}, a
 * {@link SyntheticVocabulary generated vocabulary}, and the llama tensor set, in this order
 * (dimensions innermost first): {@code token_embd.weight [nEmbd, nVocab]}; per block {@code i}:
 * {@code blk.i.attn_q.weight [nEmbd, nEmbd]}, {@code attn_k}/{@code attn_v [nEmbd, nEmbdKv]},
 * {@code attn_output [nEmbd, nEmbd]}, {@code ffn_gate}/{@code ffn_up [nEmbd, nFf]},
 * {@code ffn_down [nFf, nEmbd]}, {@code attn_norm [nEmbd]}, {@code ffn_norm [nEmbd]}; then
 * {@code output_norm.weight [nEmbd]} and {@code output.weight [nEmbd, nVocab]}. Matrices hold
 * normal(0, {@value #WEIGHT_STD}) values from a deterministic generator seeded by the seed and the
 * tensor name, encoded as the chosen {@link GgufQuantization}; norm weights are 1.0 in F32. The
 * same shape, quantization and seed always give the same bytes.
 *
 * <p>Model specs name a shape with the prefix {@value #SPEC_PREFIX}, e.g. {@code synthetic:llama-tiny}.
 */
public final class SyntheticModel {

    /** Prefix of model specs that name a synthetic shape. */
    public static final String SPEC_PREFIX = "synthetic:";

    /** Standard deviation of the random matrix weights. */
    public static final double WEIGHT_STD = 0.02;

    /** RMS norm epsilon written to the model. */
    public static final float RMS_EPS = 1e-5f;

    /** RoPE frequency base written to the model. */
    public static final float ROPE_FREQ_BASE = 10000f;

    /**
     * A model that runs in milliseconds on a CPU: embedding 64, 2 blocks, 4 heads, feed-forward 256,
     * vocabulary 4096, context 2048 — 655,680 parameters.
     */
    public static final ModelShape LLAMA_TINY = new ModelShape("llama-tiny", 64, 2, 4, 4, 256, 4096, 2048);

    /**
     * A model of about 100 million parameters with LLaMA proportions: embedding 640, 12 blocks,
     * 10 heads of 64, feed-forward 1792 (LLaMA's rule: 8/3 of the embedding rounded up to a multiple
     * of 256), the LLaMA-2 vocabulary size 32,000, context 2048 — exactly 101,924,480 parameters
     * ({@link ModelShape#parameterCount()}): 2·640·32,000 = 40,960,000 in the embedding and output
     * matrices, 12 × 5,080,320 = 60,963,840 in the blocks and 640 in the final norm. At F16 the file
     * is about 204 MB.
     */
    public static final ModelShape LLAMA_100M = new ModelShape("llama-100m", 640, 12, 10, 10, 1792, 32000, 2048);

    /** Llama 3.2 1B: https://huggingface.co/meta-llama/Llama-3.2-1B/blob/main/config.json */
    public static final ModelShape LLAMA_3_2_1B = new ModelShape("llama-3.2-1b", 2048, 16, 32, 8, 8192, 128256, 131072);
    /** Llama 3.2 3B: https://huggingface.co/meta-llama/Llama-3.2-3B/blob/main/config.json */
    public static final ModelShape LLAMA_3_2_3B = new ModelShape("llama-3.2-3b", 3072, 28, 24, 8, 8192, 128256, 131072);
    /** Llama 3.1 8B: https://huggingface.co/meta-llama/Llama-3.1-8B/blob/main/config.json */
    public static final ModelShape LLAMA_3_1_8B = new ModelShape("llama-3.1-8b", 4096, 32, 32, 8, 14336, 128256, 131072);
    /** Llama 3.1 70B: https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json */
    public static final ModelShape LLAMA_3_1_70B = new ModelShape("llama-3.1-70b", 8192, 80, 64, 8, 28672, 128256,
            131072);
    /**
     * Qwen2.5 7B: https://huggingface.co/Qwen/Qwen2.5-7B/blob/main/config.json. In a GGUF it is written
     * in llama's layout, without Qwen2's biases of the q, k and v projections (about 0.01 % of the
     * weights); vLLM and SGLang build the real {@code Qwen2ForCausalLM}.
     */
    public static final ModelShape QWEN_2_5_7B = new ModelShape("qwen2.5-7b", 3584, 28, 28, 4, 18944, 152064, 131072);
    /** Mistral 7B v0.3: https://huggingface.co/mistralai/Mistral-7B-v0.3/blob/main/config.json */
    public static final ModelShape MISTRAL_7B_V0_3 = new ModelShape("mistral-7b-v0.3", 4096, 32, 32, 8, 14336, 32768,
            32768);

    private static final Map<String, ModelShape> SHAPES;
    private static final Map<String, HfArchitecture> ARCHITECTURES;

    static {
        Map<String, ModelShape> m = new LinkedHashMap<>();
        for (ModelShape s : new ModelShape[] {LLAMA_TINY, LLAMA_100M, LLAMA_3_2_1B, LLAMA_3_2_3B, LLAMA_3_1_8B,
                LLAMA_3_1_70B, QWEN_2_5_7B, MISTRAL_7B_V0_3}) {
            m.put(s.name(), s);
        }
        SHAPES = Collections.unmodifiableMap(m);
        String hf = "https://huggingface.co/";
        ARCHITECTURES = Map.of(
                LLAMA_3_2_1B.name(), new HfArchitecture("LlamaForCausalLM", "llama", 500000, 32, true,
                        hf + "meta-llama/Llama-3.2-1B/blob/main/config.json"),
                LLAMA_3_2_3B.name(), new HfArchitecture("LlamaForCausalLM", "llama", 500000, 32, true,
                        hf + "meta-llama/Llama-3.2-3B/blob/main/config.json"),
                LLAMA_3_1_8B.name(), new HfArchitecture("LlamaForCausalLM", "llama", 500000, 8, false,
                        hf + "meta-llama/Llama-3.1-8B/blob/main/config.json"),
                LLAMA_3_1_70B.name(), new HfArchitecture("LlamaForCausalLM", "llama", 500000, 8, false,
                        hf + "meta-llama/Llama-3.1-70B/blob/main/config.json"),
                QWEN_2_5_7B.name(), new HfArchitecture("Qwen2ForCausalLM", "qwen2", 1000000, 0, false,
                        hf + "Qwen/Qwen2.5-7B/blob/main/config.json"),
                MISTRAL_7B_V0_3.name(), new HfArchitecture("MistralForCausalLM", "mistral", 1000000, 0, false,
                        hf + "mistralai/Mistral-7B-v0.3/blob/main/config.json"));
    }

    /**
     * What a Hugging Face {@code config.json} of {@code shape} says beyond its dimensions: the
     * published model's architecture for the published shapes, plain llama for our own.
     */
    public static HfArchitecture hfArchitecture(ModelShape shape) {
        return ARCHITECTURES.getOrDefault(shape.name(), HfArchitecture.OWN_LLAMA);
    }

    private SyntheticModel() {
    }

    /** @return the known shapes by name, in a fixed order */
    public static Map<String, ModelShape> shapes() {
        return SHAPES;
    }

    /**
     * @param name a shape name such as {@code llama-tiny}
     * @return the shape
     * @throws IllegalArgumentException naming the value and listing the known shapes, if unknown
     */
    public static ModelShape shape(String name) {
        ModelShape s = name == null ? null : SHAPES.get(name.trim());
        if (s == null) {
            throw new UserError("unknown synthetic model shape '" + name + "'; known shapes: "
                    + String.join(", ", SHAPES.keySet()));
        }
        return s;
    }

    /**
     * @param spec a model spec
     * @return whether it names a synthetic model (starts with {@value #SPEC_PREFIX})
     */
    public static boolean isSpec(String spec) {
        return spec != null && spec.startsWith(SPEC_PREFIX);
    }

    /**
     * Parses a spec such as {@code synthetic:llama-tiny}.
     *
     * @param spec the spec
     * @return the shape it names
     * @throws IllegalArgumentException if it lacks the prefix or names an unknown shape (the
     *                                  message names the value and lists the known shapes)
     */
    public static ModelShape parseSpec(String spec) {
        if (!isSpec(spec)) {
            throw new UserError("not a synthetic model spec: '" + spec + "' (expected "
                    + SPEC_PREFIX + "<shape>, shapes: " + String.join(", ", SHAPES.keySet()) + ")");
        }
        return shape(spec.substring(SPEC_PREFIX.length()));
    }

    /**
     * Writes a model file, replacing {@code target}. Not atomic; see {@link SyntheticModelCache} for that.
     *
     * @param shape        the dimensions
     * @param quantization encoding of the weight matrices
     * @param seed         seed of the weights
     * @param target       the file to write
     * @return the file size in bytes
     * @throws IOException on an I/O error
     * @throws IllegalArgumentException if a matrix's innermost dimension is not a multiple of the
     *                                  quantization's block size
     */
    public static long write(ModelShape shape, GgufQuantization quantization, long seed, Path target)
            throws IOException {
        return writer(shape, quantization, seed).write(target);
    }

    /**
     * Declares the whole model on a {@link GgufWriter} without writing anything yet.
     *
     * @param shape        the dimensions
     * @param quantization encoding of the weight matrices
     * @param seed         seed of the weights
     * @return a writer holding the model's metadata and tensors
     */
    public static GgufWriter writer(ModelShape shape, GgufQuantization quantization, long seed) {
        SyntheticVocabulary vocab = SyntheticVocabulary.generate(shape.nVocab());
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama")
                .putString("general.name", "TokenPowerBench synthetic " + shape.name())
                .putUInt32("general.file_type", quantization.fileType())
                .putUInt32("general.quantization_version", 2)
                .putUInt32("llama.context_length", shape.contextLength())
                .putUInt32("llama.embedding_length", shape.nEmbd())
                .putUInt32("llama.block_count", shape.nLayer())
                .putUInt32("llama.feed_forward_length", shape.nFf())
                .putUInt32("llama.rope.dimension_count", shape.headDim())
                .putFloat32("llama.rope.freq_base", ROPE_FREQ_BASE)
                .putUInt32("llama.attention.head_count", shape.nHead())
                .putUInt32("llama.attention.head_count_kv", shape.nHeadKv())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", RMS_EPS)
                .putUInt32("llama.vocab_size", shape.nVocab())
                .putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", vocab.tokens())
                .putFloat32Array("tokenizer.ggml.scores", vocab.scores())
                .putInt32Array("tokenizer.ggml.token_type", vocab.tokenTypes())
                .putUInt32("tokenizer.ggml.bos_token_id", SyntheticVocabulary.BOS_ID)
                .putUInt32("tokenizer.ggml.eos_token_id", SyntheticVocabulary.EOS_ID)
                .putUInt32("tokenizer.ggml.unknown_token_id", SyntheticVocabulary.UNK_ID)
                .putBool("tokenizer.ggml.add_bos_token", true)
                .putBool("tokenizer.ggml.add_eos_token", false)
                .putString("tokenpowerbench.synthetic.shape", shape.name())
                .putString("tokenpowerbench.synthetic.seed", Long.toString(seed))
                .putUInt32("tokenpowerbench.synthetic.format_version", SyntheticModelCache.FORMAT_VERSION);

        long e = shape.nEmbd();
        GgmlType mt = quantization.matrixType();
        matrix(w, "token_embd.weight", mt, seed, e, shape.nVocab());
        for (int i = 0; i < shape.nLayer(); i++) {
            String p = "blk." + i + ".";
            matrix(w, p + "attn_q.weight", mt, seed, e, e);
            matrix(w, p + "attn_k.weight", mt, seed, e, shape.nEmbdKv());
            matrix(w, p + "attn_v.weight", mt, seed, e, shape.nEmbdKv());
            matrix(w, p + "attn_output.weight", mt, seed, e, e);
            matrix(w, p + "ffn_gate.weight", mt, seed, e, shape.nFf());
            matrix(w, p + "ffn_up.weight", mt, seed, e, shape.nFf());
            matrix(w, p + "ffn_down.weight", mt, seed, shape.nFf(), e);
            w.addTensor(p + "attn_norm.weight", GgmlType.F32, new long[] {e}, GgufWriter.constant(1f));
            w.addTensor(p + "ffn_norm.weight", GgmlType.F32, new long[] {e}, GgufWriter.constant(1f));
        }
        w.addTensor("output_norm.weight", GgmlType.F32, new long[] {e}, GgufWriter.constant(1f));
        matrix(w, "output.weight", mt, seed, e, shape.nVocab());
        return w;
    }

    /**
     * The model a separate server such as {@code llama-server} can stream from: {@link #writer}'s
     * model with the rows of {@code output.weight} that belong to the special tokens and the 256
     * byte-fallback tokens (ids 0..{@value SyntheticVocabulary#MIN_SIZE} - 1) set to zero. Their
     * logits are then exactly 0 while the largest of the other random logits is positive, so greedy
     * decoding never picks them. Why: a random model otherwise emits lone byte tokens, which are
     * invalid UTF-8, and recent {@code llama-server} builds end such a stream with an error (see
     * docs/gpu-proof.md). The work per token is unchanged; the file says what was changed in
     * {@value #VARIANT_KEY}.
     */
    public static GgufWriter serverWriter(ModelShape shape, GgufQuantization quantization, long seed) {
        // output.weight [nEmbd, nVocab]: element k belongs to token k / nEmbd
        long zeroEnd = (long) shape.nEmbd() * SyntheticVocabulary.MIN_SIZE;
        return writer(shape, quantization, seed)
                .putString(VARIANT_KEY, SERVER_VARIANT)
                .transformTensor("output.weight", random -> (start, dst, count) -> {
                    random.fill(start, dst, count);
                    for (int i = 0; i < count && start + i < zeroEnd; i++) {
                        dst[i] = 0f;
                    }
                });
    }

    /** The metadata key that names a changed variant of the synthetic model. */
    public static final String VARIANT_KEY = "tokenpowerbench.synthetic.variant";

    /** What {@link #serverWriter} writes under {@link #VARIANT_KEY}. */
    public static final String SERVER_VARIANT = "output rows of ids 0.." + (SyntheticVocabulary.MIN_SIZE - 1)
            + " zeroed (no special or byte tokens under greedy decoding)";

    private static void matrix(GgufWriter w, String name, GgmlType type, long seed, long ne0, long ne1) {
        w.addTensor(name, type, new long[] {ne0, ne1}, gaussian(seed, name, WEIGHT_STD));
    }

    /**
     * Deterministic normal(0, std) values for one tensor. Elements are generated in pages of 4096,
     * each from its own SplitMix64 stream (seeded by seed, tensor name and page) through the
     * Marsaglia polar method, so any range can be produced independently.
     *
     * @param seed       the model seed
     * @param tensorName the tensor name, mixed into the seed
     * @param std        standard deviation
     * @return the values
     */
    public static GgufWriter.TensorValues gaussian(long seed, String tensorName, double std) {
        long base = mix64(seed ^ mix64(fnv1a64(tensorName.getBytes(StandardCharsets.UTF_8))));
        return (start, dst, count) -> {
            int filled = 0;
            long pos = start;
            while (filled < count) {
                long page = pos / PAGE;
                int within = (int) (pos % PAGE);
                int n = Math.min(PAGE - within, count - filled);
                GaussianStream g = new GaussianStream(mix64(base + page * GOLDEN));
                for (int i = 0; i < within; i++) {
                    g.next();
                }
                for (int i = 0; i < n; i++) {
                    dst[filled++] = (float) (g.next() * std);
                }
                pos += n;
            }
        };
    }

    private static final int PAGE = 4096;
    private static final long GOLDEN = 0x9E37_79B9_7F4A_7C15L;

    /** SplitMix64 uniform bits, turned into standard normal values by the polar method. */
    private static final class GaussianStream {
        private long state;
        private double spare;
        private boolean hasSpare;

        GaussianStream(long seed) {
            this.state = seed;
        }

        private double uniformSigned() {
            state += GOLDEN;
            return ((mix64(state) >>> 11) * 0x1p-53) * 2.0 - 1.0;
        }

        double next() {
            if (hasSpare) {
                hasSpare = false;
                return spare;
            }
            double u;
            double v;
            double s;
            do {
                u = uniformSigned();
                v = uniformSigned();
                s = u * u + v * v;
            } while (s >= 1.0 || s == 0.0);
            double m = Math.sqrt(-2.0 * StrictMath.log(s) / s);
            spare = v * m;
            hasSpare = true;
            return u * m;
        }
    }

    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }

    private static long fnv1a64(byte[] data) {
        long h = 0xCBF2_9CE4_8422_2325L;
        for (byte b : data) {
            h ^= b & 0xff;
            h *= 0x0100_0000_01B3L;
        }
        return h;
    }
}
