package org.tokenpowerbench.engine.launch;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A managed engine's start, fully resolved for one trial: what to execute, how to tell it is
 * ready, what name its requests use. Made by a preset ({@link LaunchCommands}); started, watched
 * and stopped by the lifecycle, which knows nothing of any engine's flags.
 *
 * @param argv         the program and its arguments, the first resolved to an executable
 * @param environment  variables added to the inherited environment (never a secret)
 * @param healthPath   the path that answers 2xx once the engine is up, e.g. {@code /health}
 * @param servedModel  the model name requests must carry
 * @param versionArgv  a command that prints the engine's version (e.g. {@code llama-server --version}),
 *                     or empty when the engine has none
 * @param versionPath  an HTTP path that answers with version information once ready (e.g.
 *                     {@code /version}, {@code /props}), or null
 * @param tokenizer    a tokenizer file the client counts tokens with (a synthetic model's
 *                     vocabulary), or null when the server's own counts are used
 * @param metricsPath  the engine's Prometheus path ({@code /metrics}), or null when it has none on
 * @param identity     what makes two starts the same engine: equal identities may share one
 *                     running process across trials (the port is not part of it)
 */
public record LaunchCommand(List<String> argv, Map<String, String> environment, String healthPath, String servedModel,
                            List<String> versionArgv, String versionPath, Path tokenizer, String metricsPath,
                            String identity) {

    public LaunchCommand {
        argv = List.copyOf(argv);
        environment = Map.copyOf(environment);
        versionArgv = List.copyOf(versionArgv);
        if (argv.isEmpty()) {
            throw new IllegalArgumentException("a launch command needs a program");
        }
    }
}
