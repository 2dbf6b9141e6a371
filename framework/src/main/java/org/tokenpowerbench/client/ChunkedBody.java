package org.tokenpowerbench.client;

import java.io.IOException;

/**
 * Decodes an HTTP/1.1 {@code Transfer-Encoding: chunked} body as its bytes arrive, in pieces of
 * any size: a chunk-size line split across reads, a chunk's data split across reads, trailers.
 * Data is handed on in place (no copy) to the caller's sink; the decoder keeps only a few counters
 * and the size line in progress, so a stream costs it a few dozen bytes.
 */
final class ChunkedBody {

    /** Receives decoded body bytes: {@code buffer[offset, offset + length)}, valid during the call. */
    @FunctionalInterface
    interface Sink {
        /** @return false to stop decoding (the caller closes the connection) */
        boolean accept(byte[] buffer, int offset, int length) throws IOException;
    }

    private enum State { SIZE, DATA, DATA_END, TRAILER, DONE }

    /** The longest chunk-size line (hex size and extensions) accepted. */
    private static final int MAX_SIZE_LINE = 1024;

    private State state = State.SIZE;
    private long remaining;
    private final StringBuilder line = new StringBuilder();
    /** Whether the trailer line being read has had a byte other than CR (an empty line ends the body). */
    private boolean trailerHasText;

    /** Whether the last chunk and the trailers have been read: the body is complete. */
    boolean done() {
        return state == State.DONE;
    }

    /**
     * Decodes {@code buffer[offset, offset + length)}.
     *
     * @return the bytes of the input consumed; less than {@code length} only when the body ended
     *         (the rest is not this body's) or the sink asked to stop
     */
    int feed(byte[] buffer, int offset, int length, Sink sink) throws IOException {
        int i = offset;
        int end = offset + length;
        while (i < end && state != State.DONE) {
            switch (state) {
                case SIZE -> {
                    byte b = buffer[i++];
                    if (b == '\n') {
                        remaining = size(line);
                        line.setLength(0);
                        state = remaining == 0 ? State.TRAILER : State.DATA;
                        trailerHasText = false;
                    } else if (b != '\r') {
                        if (line.length() >= MAX_SIZE_LINE) {
                            throw new IOException("a chunk-size line of the answer is longer than " + MAX_SIZE_LINE + " bytes");
                        }
                        line.append((char) (b & 0xff));
                    }
                }
                case DATA -> {
                    int n = (int) Math.min(remaining, end - i);
                    boolean more = sink.accept(buffer, i, n);
                    i += n;
                    remaining -= n;
                    if (remaining == 0) {
                        state = State.DATA_END;
                    }
                    if (!more) {
                        return i - offset;
                    }
                }
                case DATA_END -> {
                    byte b = buffer[i++];
                    if (b == '\n') {
                        state = State.SIZE;
                    } else if (b != '\r') {
                        throw new IOException("a chunk of the answer does not end in CRLF");
                    }
                }
                case TRAILER -> {
                    byte b = buffer[i++];
                    if (b == '\n') {
                        if (!trailerHasText) {
                            state = State.DONE;
                        }
                        trailerHasText = false;
                    } else if (b != '\r') {
                        trailerHasText = true;
                    }
                }
                default -> throw new IllegalStateException(state.name());
            }
        }
        return i - offset;
    }

    private static long size(StringBuilder line) throws IOException {
        int semicolon = line.indexOf(";");
        String hex = (semicolon >= 0 ? line.substring(0, semicolon) : line.toString()).trim();
        try {
            long n = Long.parseLong(hex, 16);
            if (n < 0) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IOException("a chunk size of the answer is not a hexadecimal number: '"
                    + (hex.length() > 40 ? hex.substring(0, 40) + "..." : hex) + "'");
        }
    }
}
