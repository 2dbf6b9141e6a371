package org.tokenpowerbench.engine;

import java.util.Set;
import org.tokenpowerbench.client.Endpoint;
import org.tokenpowerbench.engine.launch.LaunchAxes;
import org.tokenpowerbench.engine.launch.LaunchCommands;
import org.tokenpowerbench.engine.launch.LaunchedEndpoint;

/**
 * {@code launch:<preset>;...}: an engine that TokenPowerBench's {@code Main} starts on the host
 * before the trial's fork ({@code engine.launch.LaunchedEngines}), because one running engine may
 * serve several trials and its start-up is measured before the fork exists. In the fork this
 * provider only connects, as to any server, to the URL the host passed
 * ({@link LaunchedEndpoint}); it stops nothing, since it started nothing.
 */
public final class LaunchEngineProvider implements EngineProvider {

    @Override
    public Set<String> schemes() {
        return Set.of("launch");
    }

    @Override
    public String example() {
        return "launch:llama-server;bin=/path/llama-server (an engine started per trial with the trial's values)";
    }

    /**
     * The preset, its options and its binary ({@link LaunchCommands#check}); the values only the
     * trial knows (slots, context, parallelism) are checked per trial by the sweep before its first
     * fork, so here they are the smallest allowed.
     */
    @Override
    public void check(EngineRequest request) {
        LaunchCommands.check(request.engine(), new LaunchAxes(request.model(), request.quantization(), 1, 1, 1, 1, 1, 0));
    }

    @Override
    public RunningEngine open(EngineRequest request) {
        LaunchedEndpoint launched = LaunchedEndpoint.fromSystemProperties();
        if (launched == null) {
            throw new EngineException("engine '" + request.engine() + "' is started by TokenPowerBench's Main before"
                    + " each trial, and this JVM was not given one: run the benchmark with java -jar benchmarks.jar"
                    + " (not JMH's own Main, an IDE runner or a fork started by hand)");
        }
        String value = launched.url() + (launched.tokenizer() == null ? ""
                : ";" + RemoteEngineValue.TOKENIZER + "=" + launched.tokenizer());
        RemoteEngine remote = RemoteEngine.connect(value, launched.servedModel(), request.apiKey());
        String description = "managed engine " + request.engine() + " at " + launched.url() + " serving "
                + launched.servedModel() + (launched.reused() ? " (reused: started for an earlier trial)"
                : String.format(java.util.Locale.ROOT, " (ready %.1f s after launch)", launched.startupSeconds()));
        return new RunningEngine() {
            @Override
            public Endpoint endpoint() {
                return remote.endpoint();
            }

            @Override
            public String description() {
                return description;
            }

            @Override
            public long pid() {
                return launched.pid();
            }

            /** As any server's: a preset turns the engine's metrics on; one that has none answers 404 once. */
            @Override
            public String metricsPath() {
                return remote.metricsPath();
            }

            @Override
            public void close() {
                remote.close(); // our client and tokenizer; the engine is the host's to stop
            }
        };
    }
}
