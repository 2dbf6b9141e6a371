package org.tokenpowerbench.engine.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.gguf.GgufFile;
import org.tokenpowerbench.engine.gguf.GgufQuantization;
import org.tokenpowerbench.engine.gguf.GgufReader;
import org.tokenpowerbench.engine.gguf.SyntheticModel;

/**
 * Every preset's command line for a table of trials, flag by flag as its engine's reference
 * documents them (the preset classes name the source), plus the refusals: a missing program,
 * an axis the engine cannot honour, a bad option or placeholder. No engine runs here: the
 * programs are empty executable files on a PATH of the test's own.
 */
class LaunchCommandsTest {

    @TempDir
    static Path dir;
    static Path bin;
    static String path;
    static LaunchModel cache;
    static Path q8File;

    @BeforeAll
    static void programs() throws IOException {
        bin = Files.createDirectories(dir.resolve("bin"));
        for (String name : List.of("llama-server", "vllm", "python3", "text-generation-launcher", "my-server")) {
            Path p = Files.writeString(bin.resolve(name), "#!/bin/sh\nexit 0\n");
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(bin.resolve("not-executable"), "");
        path = dir.resolve("empty") + ":" + bin;
        cache = new LaunchModel(dir.resolve("cache"));
        q8File = dir.resolve("tiny-q8.gguf");
        SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.Q8_0, 7, q8File);
    }

    private static LaunchAxes axes(String model, String quantization, int tp, int pp, int dp, int slots, int context) {
        return new LaunchAxes(model, quantization, tp, pp, dp, slots, context, 42);
    }

    private static LaunchCommand command(String value, LaunchAxes axes) {
        return LaunchCommands.command(value, axes, 31234, path, cache);
    }

    private static List<String> argv(String program, String... rest) {
        List<String> l = new ArrayList<>();
        l.add(bin.resolve(program).toString());
        l.addAll(List.of(rest));
        return l;
    }

    private static String fail(String value, LaunchAxes axes) {
        return assertThrows(EngineException.class, () -> LaunchCommands.check(value, axes, path)).getMessage();
    }

    // llama-server (llama.cpp tools/server/README.md)

    @Test
    void llamaServerOnAGgufFileOfItsOwnType() {
        LaunchCommand c = command("launch:llama-server", axes(q8File.toString(), "q8_0", 1, 1, 1, 8, 320));
        assertEquals(argv("llama-server", "-m", q8File.toString(), "--host", "127.0.0.1", "--port", "31234",
                "-ngl", "99", "-np", "8", "-c", "2560", "--alias", q8File.toString(), "--metrics",
                "--no-cache-prompt", "--cache-ram", "0"), c.argv());
        assertEquals("/health", c.healthPath());
        assertEquals("/metrics", c.metricsPath());
        assertEquals("/props", c.versionPath());
        assertEquals(List.of(bin.resolve("llama-server").toString(), "--version"), c.versionArgv());
        assertEquals(q8File.toString(), c.servedModel());
        assertNull(c.tokenizer(), "a real model: the server's usage counts");
    }

    @Test
    void llamaServerTable() {
        // batch -> -np, batch x (prompt + output) -> -c
        int[][] rows = {{1, 192}, {8, 192}, {32, 1024}};
        for (int[] r : rows) {
            LaunchCommand c = command("launch:llama-server", axes(q8File.toString(), "q8_0", 1, 1, 1, r[0], r[1]));
            int np = c.argv().indexOf("-np");
            assertEquals(Integer.toString(r[0]), c.argv().get(np + 1));
            assertEquals(Integer.toString(r[0] * r[1]), c.argv().get(c.argv().indexOf("-c") + 1));
        }
    }

    @Test
    void llamaServerRefusesAQuantizationThatIsNotTheFilesOwn() {
        String m = fail("launch:llama-server", axes(q8File.toString(), "f16", 1, 1, 1, 1, 64));
        assertEquals("engine 'launch:llama-server': model " + q8File + " is q8_0, so quantization=f16 would only be a"
                + " label; give -p quantization=q8_0, or a GGUF file of that type (llama-server loads the file as it is)", m);
    }

    @Test
    void llamaServerRefusesParallelSizesItHasNoFlagFor() {
        assertTrue(fail("launch:llama-server", axes(q8File.toString(), "q8_0", 2, 1, 1, 1, 64))
                .contains("llama-server has no tensor- or pipeline-parallel size (tensorParallel=2, pipelineParallel=1)"));
        assertTrue(fail("launch:llama-server", axes(q8File.toString(), "q8_0", 1, 2, 1, 1, 64))
                .contains("pipelineParallel=2"));
        assertTrue(fail("launch:llama-server", axes(q8File.toString(), "q8_0", 1, 1, 4, 1, 64))
                .contains("llama-server has no data-parallel replicas (dataParallel=4)"));
    }

    @Test
    void llamaServerOnASyntheticShapeLoadsOurServerVariantInTheTrialsQuantization() throws IOException {
        for (String q : List.of("f16", "q8_0", "q4_0")) {
            LaunchCommand c = command("launch:llama-server;args=--threads 2",
                    axes("synthetic:llama-tiny", q, 1, 1, 1, 4, 256));
            Path gguf = Path.of(c.argv().get(c.argv().indexOf("-m") + 1));
            assertEquals("llama-tiny-" + q + "-seed42-server-v1.gguf", gguf.getFileName().toString());
            GgufFile file = GgufReader.read(gguf, false);
            assertEquals(GgufQuantization.parse(q).fileType(), file.fileType().getAsLong());
            assertEquals(SyntheticModel.SERVER_VARIANT, file.getString(SyntheticModel.VARIANT_KEY).orElseThrow());
            assertEquals(List.of("--threads", "2"), c.argv().subList(c.argv().size() - 2, c.argv().size()));
            assertEquals("synthetic:llama-tiny", c.servedModel());
            assertTrue(Files.isRegularFile(c.tokenizer()), "the synthetic vocabulary's tokenizer.json: " + c.tokenizer());
        }
        assertTrue(fail("launch:llama-server", axes("synthetic:llama-tiny", "fp8", 1, 1, 1, 1, 64))
                .contains("quantization=fp8 is not one our GGUF writer makes"));
    }

    // vLLM (docs.vllm.ai engine arguments)

    @Test
    void vllmTable() {
        LaunchCommand c = command("launch:vllm", axes("meta-llama/Llama-3.1-8B", "bf16", 2, 1, 1, 32, 2048));
        assertEquals(argv("vllm", "serve", "meta-llama/Llama-3.1-8B", "--host", "127.0.0.1", "--port", "31234",
                "--served-model-name", "meta-llama/Llama-3.1-8B", "--tensor-parallel-size", "2",
                "--pipeline-parallel-size", "1", "--data-parallel-size", "1", "--max-num-seqs", "32",
                "--max-model-len", "2048", "--no-enable-prefix-caching", "--dtype", "bfloat16"), c.argv());
        assertEquals("/version", c.versionPath());
        assertEquals("/metrics", c.metricsPath());

        c = command("launch:vllm;bin=" + bin.resolve("vllm") + ";args=--gpu-memory-utilization 0.85",
                axes("/models/qwen", "fp8", 1, 2, 2, 8, 512));
        assertEquals(argv("vllm", "serve", "/models/qwen", "--host", "127.0.0.1", "--port", "31234",
                "--served-model-name", "/models/qwen", "--tensor-parallel-size", "1",
                "--pipeline-parallel-size", "2", "--data-parallel-size", "2", "--max-num-seqs", "8",
                "--max-model-len", "512", "--no-enable-prefix-caching", "--quantization", "fp8",
                "--gpu-memory-utilization", "0.85"), c.argv());
        assertEquals(List.of("--dtype", "float16"), tail(command("launch:vllm", axes("m", "f16", 1, 1, 1, 1, 64)), 2));
    }

    @Test
    void vllmOnASyntheticShapeLoadsDummyWeightsInOurConfigFolder() throws IOException {
        LaunchCommand c = command("launch:vllm", axes("synthetic:llama-tiny", "f16", 1, 1, 1, 4, 256));
        Path folder = Path.of(c.argv().get(2));
        assertEquals("llama-tiny-v1", folder.getFileName().toString());
        assertTrue(Files.isRegularFile(folder.resolve("config.json")));
        assertEquals(List.of("--load-format", "dummy"), c.argv().subList(c.argv().size() - 2, c.argv().size()));
        assertEquals(folder.resolve("tokenizer.json"), c.tokenizer());
    }

    @Test
    void hfEnginesRefuseGgufTypes() {
        assertTrue(fail("launch:vllm", axes("m", "q4_0", 1, 1, 1, 1, 64))
                .startsWith("engine 'launch:vllm': quantization=q4_0 is a llama.cpp GGUF type;"));
        assertTrue(fail("launch:sglang", axes("m", "Q4_K_M", 1, 1, 1, 1, 64)).contains("is a llama.cpp GGUF type"));
    }

    // SGLang (docs.sglang.ai server arguments)

    @Test
    void sglangTable() {
        LaunchCommand c = command("launch:sglang", axes("Qwen/Qwen2.5-7B", "f16", 4, 1, 2, 16, 4096));
        assertEquals(argv("python3", "-m", "sglang.launch_server", "--model-path", "Qwen/Qwen2.5-7B", "--host",
                "127.0.0.1", "--port", "31234", "--served-model-name", "Qwen/Qwen2.5-7B", "--tp-size", "4",
                "--pp-size", "1", "--dp-size", "2", "--max-running-requests", "16", "--context-length", "4096",
                "--disable-radix-cache", "--enable-metrics", "--dtype", "float16"), c.argv());
        assertEquals("/get_server_info", c.versionPath());
        assertEquals(List.of(bin.resolve("python3").toString(), "-c", "import sglang; print(sglang.__version__)"),
                c.versionArgv());
        c = command("launch:sglang", axes("synthetic:llama-tiny", "awq", 1, 1, 1, 1, 64));
        assertEquals(List.of("--quantization", "awq", "--load-format", "dummy"),
                c.argv().subList(c.argv().size() - 4, c.argv().size()));
    }

    // TGI (huggingface.co/docs/text-generation-inference/reference/launcher)

    @Test
    void tgiTable() {
        LaunchCommand c = command("launch:tgi", axes("mistralai/Mistral-7B-v0.3", "bf16", 2, 1, 1, 8, 1024));
        assertEquals(argv("text-generation-launcher", "--model-id", "mistralai/Mistral-7B-v0.3", "--hostname",
                "127.0.0.1", "--port", "31234", "--num-shard", "2", "--max-concurrent-requests", "8",
                "--max-input-tokens", "1023", "--max-total-tokens", "1024", "--dtype", "bfloat16"), c.argv());
        assertEquals(Map.of("PREFIX_CACHING", "0"), c.environment());
        assertEquals("/info", c.versionPath());
        assertNull(c.metricsPath());
        assertEquals(List.of("--quantize", "awq"), tail(command("launch:tgi", axes("m", "awq", 1, 1, 1, 1, 64)), 2));
        assertEquals("--max-total-tokens", tail(command("launch:tgi", axes("m", "auto", 1, 1, 1, 1, 64)), 2).get(0));
    }

    @Test
    void tgiRefusesWhatItCannotDo() {
        assertTrue(fail("launch:tgi", axes("m", "f16", 1, 2, 1, 1, 64)).contains("TGI has no pipeline- or data-parallel size"));
        assertTrue(fail("launch:tgi", axes("m", "f16", 1, 1, 2, 1, 64)).contains("dataParallel=2"));
        assertTrue(fail("launch:tgi", axes("synthetic:llama-tiny", "f16", 1, 1, 1, 1, 64)).contains("cannot load random weights"));
        assertTrue(fail("launch:tgi", axes("m", "f32", 1, 1, 1, 1, 64)).contains("takes float16 or bfloat16, not f32"));
    }

    private static List<String> tail(LaunchCommand c, int n) {
        return c.argv().subList(c.argv().size() - n, c.argv().size());
    }

    // the generic template

    /** Without {port} the server cannot listen where the benchmark looks: once a full ready wait per trial. */
    @Test
    void aCommandTemplateWithoutItsPortIsRefusedBeforeAnyTrial() {
        String message = fail("launch:command;cmd=my-server --model {model}", axes("/m/x.bin", "int4", 1, 1, 1, 1, 600));
        assertTrue(message.contains("the template has no {port}"), message);
    }

    @Test
    void commandTemplateFillsEveryPlaceholder() {
        LaunchCommand c = command("launch:command;cmd=my-server --model {model} --q {quantization} --tp {tensorParallel}"
                        + " --pp {pipelineParallel} --dp {dataParallel} --ctx {contextLength} --slots {batch}"
                        + " --listen=127.0.0.1:{port};metrics=/prom",
                axes("/m/x.bin", "int4", 2, 3, 4, 5, 600));
        assertEquals(argv("my-server", "--model", "/m/x.bin", "--q", "int4", "--tp", "2", "--pp", "3", "--dp", "4",
                "--ctx", "600", "--slots", "5", "--listen=127.0.0.1:31234"), c.argv());
        assertEquals("/health", c.healthPath());
        assertEquals("/prom", c.metricsPath());
        assertEquals(List.of(), c.versionArgv());
    }

    @Test
    void commandTemplateRefusesAnUnknownPlaceholder() {
        assertEquals("engine 'launch:command;cmd=my-server --port {port} --gpus {gpus}': {gpus} is not a placeholder;"
                        + " the template may use {model} {quantization} {tensorParallel} {pipelineParallel} {dataParallel}"
                        + " {contextLength} {batch} {port}",
                fail("launch:command;cmd=my-server --port {port} --gpus {gpus}", axes("m", "f16", 1, 1, 1, 1, 64)));
    }

    // identity: what lets one running engine serve several trials

    @Test
    void identityIsEverythingButThePort() {
        LaunchAxes a = axes("m", "f16", 1, 1, 1, 8, 512);
        LaunchCommand one = LaunchCommands.command("launch:vllm", a, 40001, path, cache);
        LaunchCommand two = LaunchCommands.command("launch:vllm", a, 40002, path, cache);
        assertNotEquals(one.argv(), two.argv());
        assertEquals(one.identity(), two.identity());
        assertNotEquals(one.identity(), command("launch:vllm", axes("m", "f16", 1, 1, 1, 16, 512)).identity());
        assertNotEquals(command("launch:tgi", a).identity(),
                command("launch:tgi;args=--sharded false", a).identity());
    }

    // the program

    @Test
    void aMissingProgramIsOneLineThatSaysWhatToDo() {
        LaunchAxes a = axes("m", "f16", 1, 1, 1, 1, 64);
        assertEquals("engine 'launch:vllm': the program 'vllm' was not found on PATH; install it or give bin=/path/to/vllm",
                assertThrows(EngineException.class, () -> LaunchCommands.check("launch:vllm", a, dir.resolve("empty")
                        .toString())).getMessage());
        assertEquals("engine 'launch:sglang;bin=/nowhere/python3': the program '/nowhere/python3' does not exist;"
                        + " give bin= the path of the python3 executable",
                fail("launch:sglang;bin=/nowhere/python3", a));
        assertTrue(fail("launch:tgi;bin=" + bin.resolve("not-executable"), a).contains("is not an executable file"));
        assertTrue(fail("launch:command;cmd=no-such-server --port {port}", a)
                .contains("the program 'no-such-server' was not found on PATH"));
    }

    /** What was found, not "not found on PATH; give bin=/path/to/cd", which sends one looking for a cd program. */
    @Test
    void aBuiltinAnAssignmentOrAnUnexecutableFileIsSaidForWhatItIs() {
        LaunchAxes a = axes("m", "f16", 1, 1, 1, 1, 64);
        assertEquals("engine 'launch:command;cmd=cd /srv --port {port}': 'cd' is a shell builtin, not a program, and no"
                        + " shell runs the command; name an executable file (a script of yours may do the cd)",
                fail("launch:command;cmd=cd /srv --port {port}", a));
        assertEquals("engine 'launch:command;cmd=HF_HOME=/x my-server --port {port}': 'HF_HOME=/x' is a variable"
                        + " assignment, not a program, and no shell runs the command; name an executable file (a script"
                        + " of yours may set it)",
                fail("launch:command;cmd=HF_HOME=/x my-server --port {port}", a));
        assertEquals("engine 'launch:command;cmd=not-executable --port {port}': the program 'not-executable' is on PATH"
                        + " only as " + bin.resolve("not-executable").toAbsolutePath() + ", which is not executable;"
                        + " give bin=/path/to/not-executable",
                fail("launch:command;cmd=not-executable --port {port}", a));
        assertTrue(fail("launch:vllm;bin=source", a).startsWith("engine 'launch:vllm;bin=source': 'source' is a shell"
                + " builtin, not a program"));
    }
}
