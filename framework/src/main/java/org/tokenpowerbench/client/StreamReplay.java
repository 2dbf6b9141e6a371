package org.tokenpowerbench.client;

/**
 * A streamed completion's bytes, fed as they would arrive, through the same SSE parser and stream
 * recorder that {@link StreamingClient} runs on a response body, to the same {@link RequestTimeline}.
 *
 * <p>Why it is public: tools outside this package measure or check the client's parsing without HTTP
 * (the benchmarks' {@code ParseCost} measures its CPU per chunk from memory) or replay a captured
 * stream; they should drive exactly the client's path, and not reach into the package for it.
 *
 * <pre>{@code
 * StreamReplay replay = new StreamReplay(Api.COMPLETIONS);
 * replay.feed(bytes, 0, bytes.length, System.nanoTime());
 * RequestTimeline t = replay.finish(sentNanos, System.nanoTime(), 256);
 * }</pre>
 * One replay reads one stream; it is not thread-safe.
 */
public final class StreamReplay {

    private final StreamRecorder recorder;
    private final SseParser parser;
    private boolean finished;
    private long received;

    /**
     * A replay that counts tokens only from the stream's {@code usage}, as the client does when its
     * endpoint has no tokenizer: a stream without usage gets {@link TokenCountSource#NONE}.
     *
     * @param api the route the stream answered, which decides where a chunk's text is
     */
    public StreamReplay(Api api) {
        this.recorder = new StreamRecorder(api, false, null, 0);
        this.parser = new SseParser(recorder);
    }

    /** Feeds {@code length} bytes of {@code buffer} as one read that completed at {@code arrivalNanos}. */
    public void feed(byte[] buffer, int offset, int length, long arrivalNanos) {
        if (finished) {
            throw new IllegalStateException("this replay is finished: start a new StreamReplay for another stream");
        }
        received += length;
        parser.feed(buffer, offset, length, arrivalNanos);
    }

    /**
     * Ends the stream at {@code doneNanos} and returns its timeline, judged as the client judges a
     * response body: a stream without {@code data: [DONE]} is a {@code truncated-stream} failure, a
     * line over the parser's limit a {@code line-too-long} one, and usage that cannot be true for
     * the bytes fed an {@code implausible-usage} one.
     *
     * @param sentNanos       when the request was sent (TTFT is measured from it)
     * @param requestedTokens the {@code max_tokens} the request asked for
     */
    public RequestTimeline finish(long sentNanos, long doneNanos, int requestedTokens) {
        if (finished) {
            throw new IllegalStateException("this replay is finished: finish is called once per stream");
        }
        finished = true;
        parser.finish(doneNanos);
        if (parser.overflow() != null) {
            recorder.fail(SseParser.LINE_TOO_LONG, parser.overflow());
        } else if (!recorder.sawDone()) {
            recorder.fail("truncated-stream", "the stream ended without 'data: [DONE]'");
        }
        return recorder.toTimeline(0, 0, sentNanos, sentNanos, doneNanos, requestedTokens, null, null, -1, received);
    }
}
