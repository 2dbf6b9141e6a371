import java.nio.file.Path;
import org.tokenpowerbench.engine.gguf.GgmlType;
import org.tokenpowerbench.engine.gguf.GgufQuantization;
import org.tokenpowerbench.engine.gguf.GgufWriter;
import org.tokenpowerbench.engine.gguf.ModelShape;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.gguf.SyntheticModelCache;
import org.tokenpowerbench.engine.gguf.SyntheticVocabulary;

/**
 * Writes a random-weight llama-shaped GGUF for serving with an external engine (llama.cpp's
 * {@code llama-server}) in the GPU proof (docs/gpu-proof.md), through the framework's public GGUF API.
 *
 * <p>The file is {@link SyntheticModel#writer}'s model with one change: the rows of
 * {@code output.weight} that belong to the special tokens and the 256 byte-fallback tokens (ids
 * 0..258 of the {@link SyntheticVocabulary}) are zero, so their logits are exactly 0 while the
 * maximum over the other ~31,700 random logits is positive: greedy decoding never emits them. A
 * random model that emits lone byte tokens produces invalid UTF-8, which recent {@code llama-server}
 * builds reject mid-stream ("The model produced output that does not match the expected
 * Content-only format"). The work per token (shapes, matrix sizes) is unchanged. The file records
 * the change as {@code tokenpowerbench.synthetic.variant}.
 *
 * <p>Usage: {@code java -cp benchmarks.jar:CLASSES WriteSyntheticModel OUT.gguf [SHAPE] [QUANT] [SEED]}
 * where SHAPE is a known shape ({@code llama-tiny}, {@code llama-100m}) or {@code llama-1.1b}:
 * TinyLlama's dimensions (embedding 2048, 22 blocks, 32 heads, 4 KV heads, feed-forward 5632,
 * vocabulary 32,000, context 2048). QUANT defaults to {@code f16}, SEED to 42.
 */
public final class WriteSyntheticModel {

    /** TinyLlama-1.1B's shape: 1,100,048,384 parameters. */
    static final ModelShape LLAMA_1_1B = new ModelShape("llama-1.1b", 2048, 22, 32, 4, 5632, 32000, 2048);

    private WriteSyntheticModel() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: WriteSyntheticModel OUT.gguf [llama-1.1b|llama-100m|llama-tiny] [f16|q8_0|q4_0|f32] [seed]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        String name = args.length > 1 ? args[1] : LLAMA_1_1B.name();
        ModelShape shape = name.equals(LLAMA_1_1B.name()) ? LLAMA_1_1B : SyntheticModel.shape(name);
        GgufQuantization quant = GgufQuantization.parse(args.length > 2 ? args[2] : "f16");
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 42L;
        long t0 = System.nanoTime();
        long bytes = writer(shape, quant, seed).write(out);
        System.out.printf("wrote %s: shape %s (%,d parameters), %s, seed %d, %,d bytes in %.1f s%n", out, shape,
                shape.parameterCount(), quant.label(), seed, bytes, (System.nanoTime() - t0) / 1e9);
    }

    /** {@link SyntheticModel#writer}'s metadata and tensors, with the output rows of ids 0..258 zeroed. */
    static GgufWriter writer(ModelShape shape, GgufQuantization quantization, long seed) {
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
                .putFloat32("llama.rope.freq_base", SyntheticModel.ROPE_FREQ_BASE)
                .putUInt32("llama.attention.head_count", shape.nHead())
                .putUInt32("llama.attention.head_count_kv", shape.nHeadKv())
                .putFloat32("llama.attention.layer_norm_rms_epsilon", SyntheticModel.RMS_EPS)
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
                .putString("tokenpowerbench.synthetic.variant", "output rows of ids 0.." + (SyntheticVocabulary.MIN_SIZE - 1)
                        + " zeroed (no special or byte tokens under greedy decoding)")
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
        // output.weight [nEmbd, nVocab]: element k belongs to token k / nEmbd
        GgufWriter.TensorValues out = SyntheticModel.gaussian(seed, "output.weight", SyntheticModel.WEIGHT_STD);
        long zeroEnd = e * SyntheticVocabulary.MIN_SIZE;
        w.addTensor("output.weight", mt, new long[] {e, shape.nVocab()}, (start, dst, count) -> {
            out.fill(start, dst, count);
            for (int i = 0; i < count && start + i < zeroEnd; i++) {
                dst[i] = 0f;
            }
        });
        return w;
    }

    private static void matrix(GgufWriter w, String name, GgmlType type, long seed, long ne0, long ne1) {
        w.addTensor(name, type, new long[] {ne0, ne1}, SyntheticModel.gaussian(seed, name, SyntheticModel.WEIGHT_STD));
    }
}
