package org.tokenpowerbench.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.google.testing.compile.Compilation;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Pins the whole generated {@code <Class>_Energy} source, character for character, for samples
 * that use every annotation the processor reads: the other compile tests check what the generated
 * class means, this one that a change to the processor's code (a refactoring, a new axis) does not
 * move a single character of what existing users get. The golden files were produced by the
 * processor as it was before it was split into reader and writer; a deliberate change to the
 * generated source updates them in the same commit.
 */
class GeneratedSourceTest {

    /** Every annotation at once, with @ContextLength, values that need escaping, and a nested class. */
    @Test
    void richSample() {
        JavaFileObject src = EnergyBenchmarkProcessorTest.source("Outer",
                "public class Outer {",
                "    @Model({\"meta-llama/Llama-3.1-8B-Instruct\", \"/models/a \\\"b\\\"\\\\c.gguf\", \"m\\u00e9t\\u00e9o\"})",
                "    @Prompts(outputTokens = {32, 64}, count = 8, seed = 7, outputLengths = {\"fixed\", \"normal:0.25:16:256\"})",
                "    @Batch({1, 4, 16})",
                "    @Quantization({\"f16\", \"q8_0\"})",
                "    @Parallelism(tensor = {1, 2}, data = 2)",
                "    @Engine(value = {\"embedded\", \"http://localhost:8000\"}, api = \"chat\", apiKeyEnv = \"OPENAI_API_KEY\")",
                "    @Workload(rate = {0.5, 2}, arrivals = \"gamma\", burstiness = {0.25, 1}, maxConcurrency = {0, 4},",
                "              warmupRequests = 3, waveSeconds = {0, 30.5})",
                "    @ContextLength({512, 2048})",
                "    @RequestFields({\"temperature=0\", \"{\\\"stop\\\": [\\\"a\\\", \\\"b\\\"]}\"})",
                "    @Slo(ttftMs = 250, tpotMs = 12.5, e2eMs = 1500)",
                "    @Warmup(iterations = 2)",
                "    @Measurement(iterations = 5, time = 2, timeUnit = java.util.concurrent.TimeUnit.SECONDS)",
                "    @Fork(value = 2, jvmArgsAppend = {\"-Dx=\\\"quoted\\\"\", \"-Xmx1g\"})",
                "    @Timeout(time = 5, timeUnit = java.util.concurrent.TimeUnit.MINUTES)",
                "    public static class Rich {",
                "    }",
                "}");
        assertGenerated("Outer_Rich_Energy", src);
    }

    /** @Dataset instead of synthetic prompts, input lengths and a single @Slo objective; every JMH default overridden. */
    @Test
    void datasetSample() {
        JavaFileObject src = EnergyBenchmarkProcessorTest.source("FromFile",
                "@Model(\"synthetic:llama-tiny\")",
                "@Dataset(value = {\"data/a.jsonl\", \"/abs/sharegpt.json\"}, maxTokens = 512)",
                "@Prompts(outputTokens = 32, count = 4)",
                "@Slo(e2eMs = 1500.5)",
                "@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)",
                "@Fork(3)",
                "@Measurement(iterations = 7)",
                "@Warmup(iterations = 0)",
                "public class FromFile {",
                "}");
        assertGenerated("FromFile_Energy", src);
    }

    /** Only @Model: every axis and every JMH annotation is the default. */
    @Test
    void minimalSample() {
        JavaFileObject src = EnergyBenchmarkProcessorTest.source("Minimal",
                "@Model(\"synthetic:llama-tiny\")",
                "public class Minimal {",
                "}");
        assertGenerated("Minimal_Energy", src);
    }

    private static void assertGenerated(String simpleName, JavaFileObject src) {
        Compilation c = EnergyBenchmarkProcessorTest.compile(src);
        assertThat(c).succeeded();
        assertEquals(golden(simpleName + ".golden"), EnergyBenchmarkProcessorTest.generated(c, "demo." + simpleName));
    }

    private static String golden(String name) {
        try (InputStream in = GeneratedSourceTest.class.getResourceAsStream(name)) {
            assertNotNull(in, () -> "no golden file " + name + " beside " + GeneratedSourceTest.class.getName());
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
