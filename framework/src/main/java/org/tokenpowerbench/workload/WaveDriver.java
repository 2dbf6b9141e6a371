package org.tokenpowerbench.workload;

/**
 * Sends one wave of requests and records it: {@link ClosedLoopDriver} ({@code batch} requests in
 * flight) or {@link OpenLoopDriver} (arrivals at a rate).
 */
public interface WaveDriver extends AutoCloseable {

    /** Sends every prompt of {@code prompts} once and returns the measured wave. */
    default WaveRecord run(PromptSet prompts, int outputTokens) {
        return run(prompts, outputTokens, 0);
    }

    /**
     * Sends requests for {@code waveNanos} (cycling through the prompts: request {@code i} uses
     * prompt {@code i mod size}; requests in flight at the end are waited for and counted), or,
     * with {@code waveNanos == 0}, every prompt of {@code prompts} once.
     *
     * @param outputTokens tokens to generate for a prompt that has no output length of its own
     */
    WaveRecord run(PromptSet prompts, int outputTokens, long waveNanos);

    @Override
    void close();
}
