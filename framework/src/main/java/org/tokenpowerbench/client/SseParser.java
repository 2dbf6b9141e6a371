package org.tokenpowerbench.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Incremental parser of a {@code text/event-stream} body, fed raw bytes as they arrive.
 *
 * <p>Bytes are buffered until a line ends, so an event split across reads, several events in one
 * read and a multi-byte UTF-8 character split across reads all decode correctly. Lines may end in
 * LF, CR or CRLF (a CR at the very end of a read is held until the next byte tells). Comment lines
 * ({@code :keep-alive}) and fields other than {@code data} are ignored; several {@code data} lines
 * of one event are joined with LF, as the SSE specification says.
 *
 * <p>Each event is handed to the listener with the {@link System#nanoTime()} of the read that
 * completed it: that is when the client could first have seen it.
 *
 * <p>It works on bytes: a line that lies whole in one read is examined where it lies, only a line
 * split across reads is copied aside, and an event's data is handed over as UTF-8 bytes to a
 * {@link RawListener} (the stream recorder) or decoded once into a String for a {@link Listener}.
 * Field names, the colon and the line ends are ASCII, which never occurs inside a multi-byte UTF-8
 * sequence, so working on bytes splits lines and fields exactly where decoding first would.
 *
 * <p>A line, and an event's data, may be at most {@code maxLineBytes} long (default
 * {@link #DEFAULT_MAX_LINE_BYTES}): a server that sends a line without end would otherwise fill the
 * heap, and every stream of the wave, with its rows, would be lost with the JVM. Past the limit the
 * parser stops: it delivers nothing more and {@link #overflow()} says what happened, for the client
 * to fail the request with {@value #LINE_TOO_LONG}.
 */
public final class SseParser {

    /** Receives each complete event's data. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String data, long arrivalNanos);
    }

    /**
     * Receives each complete event's data as UTF-8 bytes, {@code data[offset, offset + length)},
     * never empty; the array is the parser's and is only valid during the call.
     */
    @FunctionalInterface
    interface RawListener {
        void onEvent(byte[] data, int offset, int length, long arrivalNanos);
    }

    /** A chunk of a streamed completion is a few hundred bytes; a whole non-streamed answer fits too. */
    public static final int DEFAULT_MAX_LINE_BYTES = 1 << 20;

    /** The error class of a request whose stream had a line or event over the limit. */
    public static final String LINE_TOO_LONG = "line-too-long";

    private final RawListener listener;
    private final int maxLineBytes;
    /** Why the parser stopped, or null while it reads. */
    private String overflow;
    /** The start of a line that the last feed did not finish. */
    private byte[] line = new byte[256];
    private int lineLength;
    /** The data of the event being read: its data lines' values joined with LF. */
    private byte[] data = new byte[256];
    private int dataLength;
    private boolean hasData;
    private boolean lastWasCr;
    private long events;

    public SseParser(Listener listener) {
        this(listener, DEFAULT_MAX_LINE_BYTES);
    }

    /** @param maxLineBytes the longest line, and the most data of one event, in bytes */
    public SseParser(Listener listener, int maxLineBytes) {
        this((bytes, offset, length, arrivalNanos) ->
                listener.onEvent(new String(bytes, offset, length, StandardCharsets.UTF_8), arrivalNanos), maxLineBytes);
    }

    SseParser(RawListener listener) {
        this(listener, DEFAULT_MAX_LINE_BYTES);
    }

    SseParser(RawListener listener, int maxLineBytes) {
        if (maxLineBytes < 16) {
            throw new IllegalArgumentException("a line limit of " + maxLineBytes + " bytes cannot hold an event");
        }
        this.listener = listener;
        this.maxLineBytes = maxLineBytes;
    }

    /**
     * Why the parser stopped reading (a line or an event's data over the limit), or null while it
     * reads.
     */
    public String overflow() {
        return overflow;
    }

    /** Feeds {@code length} bytes of {@code buffer} that arrived at {@code arrivalNanos}. */
    public void feed(byte[] buffer, int offset, int length, long arrivalNanos) {
        if (overflow != null) {
            return;
        }
        int end = offset + length;
        int i = offset;
        if (lastWasCr && i < end) {
            lastWasCr = false;
            if (buffer[i] == '\n') {
                i++; // the LF of a CRLF: the line already ended at the CR
            }
        }
        while (i < end) {
            int j = i;
            byte b = 0;
            while (j < end) {
                b = buffer[j];
                if (b == '\n' || b == '\r') {
                    break;
                }
                j++;
            }
            if (j == end) {
                keep(buffer, i, end - i); // the line goes on in a later read
                return;
            }
            if (lineLength == 0) {
                if (tooLong(j - i)) {
                    return;
                }
                endLine(buffer, i, j - i, arrivalNanos);
            } else {
                if (!keep(buffer, i, j - i)) {
                    return;
                }
                int n = lineLength;
                lineLength = 0;
                endLine(line, 0, n, arrivalNanos);
            }
            i = j + 1;
            if (overflow != null) {
                return;
            }
            if (b == '\r') {
                if (i < end) {
                    if (buffer[i] == '\n') {
                        i++;
                    }
                } else {
                    lastWasCr = true;
                }
            }
        }
    }

    /** Delivers an event left open when the stream ended without a blank line. */
    public void finish(long arrivalNanos) {
        if (overflow != null) {
            return;
        }
        if (lineLength > 0) {
            int n = lineLength;
            lineLength = 0;
            endLine(line, 0, n, arrivalNanos);
        }
        dispatch(arrivalNanos);
    }

    /** Whether a line or data of {@code length} bytes is over the limit; if so the parser stops. */
    private boolean tooLong(long length) {
        if (length <= maxLineBytes) {
            return false;
        }
        overflow = "a stream line or event of more than " + maxLineBytes + " bytes: the server sent a line"
                + " without end (or an event far larger than any chunk); set -Dtpb.maxSseLineBytes=... if it is real";
        lineLength = 0;
        dataLength = 0;
        hasData = false;
        line = new byte[0];
        data = new byte[0];
        return true;
    }

    /** Keeps part of a line for the next read; false when that makes it too long (then the parser stopped). */
    private boolean keep(byte[] buffer, int from, int length) {
        if (tooLong((long) lineLength + length)) {
            return false;
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, lineLength + length));
        }
        System.arraycopy(buffer, from, line, lineLength, length);
        lineLength += length;
        return true;
    }

    /** One line, without its end, is {@code bytes[from, from + length)}. */
    private void endLine(byte[] bytes, int from, int length, long arrivalNanos) {
        if (length == 0) {
            dispatch(arrivalNanos);
            return;
        }
        if (bytes[from] == ':') {
            return; // comment, e.g. keep-alive
        }
        // the field is "data" when the line is "data" or starts with "data:"
        if (length < 4 || bytes[from] != 'd' || bytes[from + 1] != 'a' || bytes[from + 2] != 't' || bytes[from + 3] != 'a') {
            return;
        }
        int value;
        if (length == 4) {
            value = from + 4;
        } else if (bytes[from + 4] == ':') {
            value = from + 5;
            if (value < from + length && bytes[value] == ' ') {
                value++;
            }
        } else {
            return; // another field that starts with "data", e.g. "database:"
        }
        int valueLength = from + length - value;
        int needed = dataLength + (hasData ? 1 : 0) + valueLength;
        if (tooLong(needed)) {
            return;
        }
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.max(data.length * 2, needed));
        }
        if (hasData) {
            data[dataLength++] = '\n';
        }
        System.arraycopy(bytes, value, data, dataLength, valueLength);
        dataLength += valueLength;
        hasData = true;
    }

    private void dispatch(long arrivalNanos) {
        if (!hasData) {
            return;
        }
        int n = dataLength;
        dataLength = 0;
        hasData = false;
        if (n == 0) {
            return; // SSE: an event whose data buffer is empty (a lone "data:") is not dispatched
        }
        events++;
        listener.onEvent(data, 0, n, arrivalNanos);
    }

    /** Events dispatched so far: what a stream has delivered, as opposed to bytes (a comment, a trickle). */
    public long events() {
        return events;
    }
}
