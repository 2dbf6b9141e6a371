package org.tokenpowerbench.engine.launch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.gguf.GgufQuantization;
import org.tokenpowerbench.engine.gguf.LlamaTokenizerJson;
import org.tokenpowerbench.engine.gguf.SyntheticModel;
import org.tokenpowerbench.engine.gguf.SyntheticVocabulary;

/** The Hugging Face folder of a synthetic shape: the config's fields, and a tokenizer that is the GGUF's. */
class SyntheticHfModelTest {

    @TempDir
    Path dir;

    /** A large shape's config is checked field by field; its weights are never written (dummy load format). */
    @Test
    void configOfAPublishedShapeCarriesItsArchitectureAndDimensions() {
        JsonNode c = SyntheticHfModel.config(new ObjectMapper(), SyntheticModel.LLAMA_3_1_70B);
        assertEquals("LlamaForCausalLM", c.get("architectures").get(0).asText());
        assertEquals("llama", c.get("model_type").asText());
        assertEquals(8192, c.get("hidden_size").asInt());
        assertEquals(80, c.get("num_hidden_layers").asInt());
        assertEquals(64, c.get("num_attention_heads").asInt());
        assertEquals(8, c.get("num_key_value_heads").asInt());
        assertEquals(28672, c.get("intermediate_size").asInt());
        assertEquals(128256, c.get("vocab_size").asInt());
        assertEquals(500000.0, c.get("rope_theta").asDouble());
        assertEquals("llama3", c.get("rope_scaling").get("rope_type").asText());
        assertEquals(8.0, c.get("rope_scaling").get("factor").asDouble());
        assertEquals("https://huggingface.co/meta-llama/Llama-3.1-70B/blob/main/config.json",
                c.get("tokenpowerbench_synthetic").get("dimensions_from").asText());
        JsonNode q = SyntheticHfModel.config(new ObjectMapper(), SyntheticModel.QWEN_2_5_7B);
        assertEquals("Qwen2ForCausalLM", q.get("architectures").get(0).asText());
        assertTrue(q.get("rope_scaling").isNull());
        assertTrue(SyntheticHfModel.config(new ObjectMapper(), SyntheticModel.LLAMA_3_2_1B).get("tie_word_embeddings")
                .asBoolean());
    }

    @Test
    void folderIsWrittenOnceWithATokenizerEqualToTheGgufVocabularys() throws IOException {
        Path folder = SyntheticHfModel.resolve(SyntheticModel.LLAMA_TINY, dir);
        assertEquals(dir.resolve("hf").resolve("llama-tiny-v1").toAbsolutePath(), folder);
        JsonNode c = new ObjectMapper().readTree(folder.resolve("config.json").toFile());
        assertEquals(64, c.get("hidden_size").asInt());
        assertEquals(SyntheticVocabulary.BOS_ID, c.get("bos_token_id").asInt());
        assertEquals("PreTrainedTokenizerFast", new ObjectMapper().readTree(folder.resolve("tokenizer_config.json").toFile())
                .get("tokenizer_class").asText());
        // the same vocabulary as the GGUF's, so the client counts what llama.cpp counts
        Path gguf = dir.resolve("tiny.gguf");
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F16, 42, gguf);
        Path fromGguf = LlamaTokenizerJson.write(gguf, dir.resolve("from-gguf.json"));
        assertArrayEquals(Files.readAllBytes(fromGguf), Files.readAllBytes(folder.resolve("tokenizer.json")));
        long written = Files.getLastModifiedTime(folder.resolve("config.json")).toMillis();
        assertEquals(folder, SyntheticHfModel.resolve(SyntheticModel.LLAMA_TINY, dir));
        assertEquals(written, Files.getLastModifiedTime(folder.resolve("config.json")).toMillis());
        try (var left = Files.list(folder.getParent())) {
            assertEquals(1, left.count(), "no temporary folder is left beside it");
        }
    }
}
