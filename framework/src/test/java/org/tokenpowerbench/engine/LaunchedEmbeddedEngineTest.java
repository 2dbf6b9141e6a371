package org.tokenpowerbench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.engine.launch.LaunchAxes;
import org.tokenpowerbench.engine.launch.LaunchCommand;
import org.tokenpowerbench.engine.launch.LaunchedEndpoint;
import org.tokenpowerbench.engine.launch.LaunchedEngines;
import org.tokenpowerbench.engine.launch.StartupMeter;

/**
 * A real llama.cpp engine through the whole managed path: the embedded engine served as a process
 * of its own ({@link ServeEmbeddedOnPort}) is launched on a free port, found ready by health and a
 * one-token completion, reached by the fork-side {@code launch} provider from the host's system
 * properties (model list and {@code /tokenize} answered by llama.cpp), and stopped with SIGTERM.
 */
class LaunchedEmbeddedEngineTest {

    @TempDir
    Path dir;

    @Test
    void aLlamaCppServerLaunchedServesAndStops() throws Exception {
        String model = "synthetic:llama-tiny";
        LaunchedEngines.Commands command = (value, axes, port) -> new LaunchCommand(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dtpb.embedded.port=" + port,
                "-Dtpb.embedded.threads=2", "-cp", System.getProperty("java.class.path"),
                ServeEmbeddedOnPort.class.getName(), axes.model(), Integer.toString(axes.slots()),
                Integer.toString(axes.contextPerSlot())), Map.of(), "/health", model, List.of(), "/v1/models", null,
                null, "embedded " + axes.model());
        List<LaunchedEngines.Ended> ended = new ArrayList<>();
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        try (LaunchedEngines engines = new LaunchedEngines(command, new LaunchedEngines.Timing(Duration.ofSeconds(120),
                Duration.ofSeconds(30), Duration.ofSeconds(5)), new PrintStream(console, true, StandardCharsets.UTF_8),
                ended::add)) {
            LaunchedEngines.Served s = engines.serve("launch:embedded-test", new LaunchAxes(model, "f16", 1, 1, 1, 2, 256, 1),
                    dir.resolve("engines/t.log"), StartupMeter.NONE);
            assertTrue(s.startupSeconds() > 0);
            assertTrue(s.version().contains(model), "the version path's body: " + s.version());
            LaunchedEndpoint endpoint = new LaunchedEndpoint(s.engine().url(), model, null, false, s.startupSeconds(),
                    Map.of(), s.engine().pid());
            List<String> args = endpoint.jvmArgs();
            try {
                args.forEach(a -> System.setProperty(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1)));
                try (RunningEngine fork = Engines.open(new EngineRequest("launch:embedded-test", model, "f16", 2, 256, null))) {
                    assertEquals(s.engine().url(), fork.endpoint().baseUrl());
                    assertTrue(fork.endpoint().tokenizer() != null, "llama.cpp's /tokenize counts: " + fork.description());
                    assertEquals(s.engine().pid(), fork.pid(), "the fork knows the engine's process");
                    org.tokenpowerbench.workload.HostCpu host = org.tokenpowerbench.workload.HostCpu.start(fork.pid());
                    assertTrue(fork.endpoint().tokenizer().encode("Hello world").length > 0);
                    Thread.sleep(50); // at least a few of the kernel's 10 ms ticks
                    org.tokenpowerbench.workload.HostCpu.Reading cpu = host.stop();
                    assertTrue(cpu != null && Double.isFinite(cpu.engineShare()) && cpu.engineShare() >= 0,
                            "the engine's own CPU is read from its /proc entry: " + cpu);
                    assertTrue(fork.description().startsWith("managed engine launch:embedded-test at " + s.engine().url()),
                            fork.description());
                }
                assertTrue(s.engine().alive(), "the fork's close stops nothing it did not start");
            } finally {
                args.forEach(a -> System.clearProperty(a.substring(2, a.indexOf('='))));
            }
            engines.stop("test");
            assertFalse(s.engine().alive());
            assertEquals(143, ended.get(0).stopped().exitStatus(), "ended on SIGTERM");
        }
    }
}
