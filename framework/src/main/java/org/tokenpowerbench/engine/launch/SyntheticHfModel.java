package org.tokenpowerbench.engine.launch;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.tokenpowerbench.engine.gguf.HfArchitecture;
import org.tokenpowerbench.engine.gguf.LlamaTokenizerJson;
import org.tokenpowerbench.engine.gguf.ModelShape;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.gguf.SyntheticVocabulary;

/**
 * A synthetic model for an engine that builds the real architecture from a Hugging Face folder
 * and fills it with random weights ({@code --load-format dummy}: vLLM, SGLang): a
 * {@code config.json} with the shape's dimensions and its published architecture
 * ({@link SyntheticModel#hfArchitecture}), and a tokenizer of our own making for the
 * {@link SyntheticVocabulary} ({@code tokenizer.json} from {@link LlamaTokenizerJson},
 * {@code tokenizer_config.json}). No file of the published model is copied: energy depends on the
 * shape, not on the weights or the vocabulary's text.
 *
 * <p>Kept under the synthetic model cache, {@code hf/<shape>-v<N>}, written once per machine into
 * a temporary folder beside it and renamed, so that a concurrent writer or a killed one leaves no
 * half-written folder behind.
 */
final class SyntheticHfModel {

    /** Raise when the written files change, so that cached folders are written again. */
    static final int FORMAT_VERSION = 1;

    private SyntheticHfModel() {
    }

    /** The folder for {@code shape} under {@code cacheRoot}, written first if it is not there. */
    static Path resolve(ModelShape shape, Path cacheRoot) throws IOException {
        Path target = cacheRoot.resolve("hf").resolve(folderName(shape)).toAbsolutePath();
        if (Files.isRegularFile(target.resolve("config.json"))) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".");
        try {
            write(shape, tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // another process finished first: its folder holds the same files
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the cache folder " + target.getParent() + " does not support atomic renames", e);
            }
        } finally {
            deleteTree(tmp);
        }
        return target;
    }

    static String folderName(ModelShape shape) {
        return shape.name().replaceAll("[^A-Za-z0-9._-]", "_") + "-v" + FORMAT_VERSION;
    }

    /** Writes the three files into {@code folder}. */
    static void write(ModelShape shape, Path folder) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        json.writeValue(folder.resolve("config.json").toFile(), config(json, shape));
        LlamaTokenizerJson.write(SyntheticVocabulary.generate(shape.nVocab()), folder.resolve("tokenizer.json"));
        ObjectNode tc = json.createObjectNode();
        tc.put("tokenizer_class", "PreTrainedTokenizerFast");
        tc.put("bos_token", "<s>");
        tc.put("eos_token", "</s>");
        tc.put("unk_token", "<unk>");
        tc.put("add_bos_token", true);
        tc.put("model_max_length", shape.contextLength());
        json.writeValue(folder.resolve("tokenizer_config.json").toFile(), tc);
    }

    /** The {@code config.json} of {@code shape}: the published model's fields, our dimensions and vocabulary ids. */
    static ObjectNode config(ObjectMapper json, ModelShape shape) {
        HfArchitecture a = SyntheticModel.hfArchitecture(shape);
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add(a.architecture());
        c.put("model_type", a.modelType());
        c.put("hidden_size", shape.nEmbd());
        c.put("intermediate_size", shape.nFf());
        c.put("num_hidden_layers", shape.nLayer());
        c.put("num_attention_heads", shape.nHead());
        c.put("num_key_value_heads", shape.nHeadKv());
        c.put("head_dim", shape.headDim());
        c.put("vocab_size", shape.nVocab());
        c.put("max_position_embeddings", shape.contextLength());
        c.put("hidden_act", "silu");
        c.put("rms_norm_eps", (double) SyntheticModel.RMS_EPS);
        c.put("rope_theta", a.ropeTheta());
        if (a.llama3RopeFactor() > 0) {
            ObjectNode r = c.putObject("rope_scaling");
            r.put("rope_type", "llama3");
            r.put("factor", a.llama3RopeFactor());
            r.put("low_freq_factor", 1.0);
            r.put("high_freq_factor", 4.0);
            r.put("original_max_position_embeddings", 8192);
        } else {
            c.putNull("rope_scaling");
        }
        if (a.modelType().equals("qwen2")) {
            c.put("use_sliding_window", false);
        }
        c.put("tie_word_embeddings", a.tiedEmbeddings());
        c.put("torch_dtype", "float16");
        c.put("bos_token_id", SyntheticVocabulary.BOS_ID);
        c.put("eos_token_id", SyntheticVocabulary.EOS_ID);
        ObjectNode ours = c.putObject("tokenpowerbench_synthetic");
        ours.put("shape", shape.name());
        ours.put("format_version", FORMAT_VERSION);
        ours.put("weights", "none: load with --load-format dummy (random values in the real architecture)");
        if (a.source() != null) {
            ours.put("dimensions_from", a.source());
        }
        return c;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
