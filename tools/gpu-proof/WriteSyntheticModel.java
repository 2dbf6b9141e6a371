import java.nio.file.Path;
import org.tokenpowerbench.engine.gguf.GgufQuantization;
import org.tokenpowerbench.engine.gguf.GgufWriter;
import org.tokenpowerbench.engine.gguf.ModelShape;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.gguf.SyntheticVocabulary;

/**
 * Writes a random-weight llama-shaped GGUF for serving with an external engine (llama.cpp's
 * {@code llama-server}) in the GPU proof (docs/gpu-proof.md), through the framework's public GGUF API.
 *
 * <p>The file is the framework's server variant, {@link SyntheticModel#serverWriter} (what a
 * managed {@code launch:llama-server} loads too): the rows of {@code output.weight} that belong to
 * the special tokens and the 256 byte-fallback tokens (ids 0..258 of the {@link SyntheticVocabulary})
 * are zero, so greedy decoding never emits them; a random model that emits lone byte tokens produces
 * invalid UTF-8, which recent {@code llama-server} builds reject mid-stream. The work per token is
 * unchanged. The file records the change as {@code tokenpowerbench.synthetic.variant}.
 *
 * <p>Usage, as a single-file program on the framework's classes (benchmarks.jar holds them):
 * {@code java -cp benchmarks/target/benchmarks.jar tools/gpu-proof/WriteSyntheticModel.java OUT.gguf [SHAPE] [QUANT] [SEED]}
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

    /** The framework's server variant ({@link SyntheticModel#serverWriter}): the output rows of ids 0..258 zeroed. */
    static GgufWriter writer(ModelShape shape, GgufQuantization quantization, long seed) {
        return SyntheticModel.serverWriter(shape, quantization, seed);
    }
}
