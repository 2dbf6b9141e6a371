package org.tokenpowerbench.client;

/**
 * Hears the arrival of every content-carrying chunk, for tools that need raw per-chunk stamps
 * (the client-ceiling benchmark compares them with the server's send times). A benchmark run
 * installs none: its timelines keep summaries, not one stamp per token.
 *
 * <p>Called on the thread that reads the stream, once per chunk, in arrival order; it must be
 * cheap and thread-safe across streams.
 */
@FunctionalInterface
public interface ContentChunkObserver {

    /**
     * @param promptIndex  the request's prompt index ({@link CompletionRequest#promptIndex()})
     * @param arrivalNanos when the chunk's last byte was read, on {@link System#nanoTime()}
     */
    void onContentChunk(int promptIndex, long arrivalNanos);
}
