package org.tokenpowerbench.workload;

/**
 * Sends one wave of requests and records it: {@link ClosedLoopDriver} ({@code batch} requests in
 * flight) or {@link OpenLoopDriver} (arrivals at a rate).
 */
public interface WaveDriver extends AutoCloseable {

    /**
     * Sends every prompt of {@code prompts} once and returns the measured wave.
     *
     * @param outputTokens tokens to generate for a prompt that has no output length of its own
     */
    WaveRecord run(PromptSet prompts, int outputTokens);

    @Override
    void close();
}
