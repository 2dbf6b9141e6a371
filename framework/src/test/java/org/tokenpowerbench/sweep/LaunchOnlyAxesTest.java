package org.tokenpowerbench.sweep;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.engine.EngineException;

/** Several values of a launch-only axis against one fixed server are refused; what a server really honours is not. */
class LaunchOnlyAxesTest {

    private static final String B = "demo.Bench_Energy.wave";

    private static Trial trial(String engine, String model, String quantization, String... more) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("batch", "1");
        p.put("engine", engine);
        p.put("model", model);
        p.put("quantization", quantization);
        for (int i = 0; i < more.length; i += 2) {
            p.put(more[i], more[i + 1]);
        }
        return new Trial(B, p);
    }

    private static List<Trial> sweep(String engine, String model, String axis, String... values) {
        List<Trial> trials = new ArrayList<>();
        for (String v : values) {
            trials.add(axis.equals("quantization") ? trial(engine, model, v) : trial(engine, model, "f16", axis, v));
        }
        return trials;
    }

    @Test
    void severalQuantizationsAgainstAServerAreOneServerMeasuredTwice() {
        UserError e = assertThrows(UserError.class, () -> LaunchOnlyAxes.check(
                sweep("http://gpu-host:8000", "llama", "quantization", "f16", "q8_0")));
        assertEquals("-p quantization=f16,q8_0 against http://gpu-host:8000: these would all measure the same server;"
                + " launch the engine per trial with -p engine=launch:<preset> or sweep one value", e.getMessage());
        e = assertThrows(UserError.class, () -> LaunchOnlyAxes.check(
                sweep("https://api.example.com/v1;tokenizer=/t.json", "m", "tensorParallel", "1", "2")));
        assertTrue(e.getMessage().startsWith("-p tensorParallel=1,2 against https://api.example.com/v1;tokenizer=/t.json:"),
                e.getMessage());
    }

    @Test
    void theEmbeddedEngineHonoursQuantizationForSyntheticModelsOnly() {
        LaunchOnlyAxes.check(sweep("embedded", "synthetic:llama-tiny", "quantization", "f16", "q8_0", "q4_0"));
        UserError e = assertThrows(UserError.class, () -> LaunchOnlyAxes.check(
                sweep("embedded", "/models/x.gguf", "quantization", "f16", "q8_0")));
        assertEquals("-p quantization=f16,q8_0 against the embedded engine with model /models/x.gguf: these would all"
                + " measure the same server; launch the engine per trial with -p engine=launch:<preset> or sweep one"
                + " value", e.getMessage());
        assertThrows(UserError.class, () -> LaunchOnlyAxes.check(
                sweep("embedded", "synthetic:llama-tiny", "dataParallel", "1", "2")));
    }

    @Test
    void oneValuePerServerOrOnePerModelIsFine() {
        LaunchOnlyAxes.check(sweep("http://h:8000", "m", "quantization", "auto", "auto"));
        LaunchOnlyAxes.check(List.of(trial("http://h:8000", "a", "f16"), trial("http://h:8000", "b", "q8_0"),
                trial("http://other:8000", "a", "q4_0")));
        LaunchOnlyAxes.check(sweep("myengine:foo", "m", "quantization", "f16", "q8_0")); // another jar's engine decides
    }

    @Test
    void aManagedEngineIsAskedWhetherItCanHonourTheTrial(@TempDir Path dir) throws IOException {
        EngineException e = assertThrows(EngineException.class, () -> LaunchOnlyAxes.check(
                List.of(trial("launch:vllm;bin=/no/such/vllm", "m", "f16"))));
        assertTrue(e.getMessage().startsWith("engine 'launch:vllm;bin=/no/such/vllm': the program '/no/such/vllm' does not"
                + " exist"), e.getMessage());
        Path server = Files.writeString(dir.resolve("llama-server"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(server, PosixFilePermissions.fromString("rwxr-xr-x"));
        String engine = "launch:llama-server;bin=" + server;
        LaunchOnlyAxes.check(List.of(trial(engine, "synthetic:llama-tiny", "q8_0"),
                trial(engine, "synthetic:llama-tiny", "q4_0"))); // a managed engine makes each quantization for real
        e = assertThrows(EngineException.class, () -> LaunchOnlyAxes.check(List.of(
                trial(engine, "synthetic:llama-tiny", "f16", "tensorParallel", "1"),
                trial(engine, "synthetic:llama-tiny", "f16", "tensorParallel", "2"))));
        assertTrue(e.getMessage().contains("llama-server has no tensor- or pipeline-parallel size (tensorParallel=2"),
                e.getMessage());
    }
}
