package org.tokenpowerbench.engine;

import org.tokenpowerbench.client.Endpoint;

/**
 * An engine that is up and serving: the endpoint a trial sends its requests to, and whatever
 * must be stopped when the trial ends (a model in this JVM, a tokenizer we loaded, a process we
 * started). An {@link EngineProvider} opens it; {@link Engines#open} finds the provider.
 */
public interface RunningEngine extends AutoCloseable {

    Endpoint endpoint();

    /** One line for the results, e.g. {@code embedded llama.cpp (4 slots) serving /path/model.gguf}. */
    String description();

    /**
     * The path of the engine's Prometheus metrics on its endpoint ({@code /metrics}), read during
     * every wave ({@code prometheus.EngineMetricsScraper}); null when it serves none (the embedded
     * engine). A path that answers 404 turns the scraping off for the trial with one line.
     */
    default String metricsPath() {
        return null;
    }

    /**
     * The engine's process id on this host where the benchmark launched it (its CPU is then
     * counted per wave, {@code workload.HostCpu}); -1 otherwise (a remote server, the embedded
     * engine in this JVM).
     */
    default long pid() {
        return -1;
    }

    /** Stops what this engine started; never throws for a server that someone else runs. */
    @Override
    void close();
}
