package org.tokenpowerbench.client;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

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
 */
public final class SseParser {

    /** Receives each complete event's data. */
    @FunctionalInterface
    public interface Listener {
        void onEvent(String data, long arrivalNanos);
    }

    private final Listener listener;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean lastWasCr;

    public SseParser(Listener listener) {
        this.listener = listener;
    }

    /** Feeds {@code length} bytes of {@code buffer} that arrived at {@code arrivalNanos}. */
    public void feed(byte[] buffer, int offset, int length, long arrivalNanos) {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            byte b = buffer[i];
            if (b == '\n') {
                if (lastWasCr) {
                    lastWasCr = false; // the LF of a CRLF: the line already ended at the CR
                    continue;
                }
                endLine(arrivalNanos);
            } else if (b == '\r') {
                lastWasCr = true;
                endLine(arrivalNanos);
            } else {
                lastWasCr = false;
                line.write(b);
            }
        }
    }

    /** Delivers an event left open when the stream ended without a blank line. */
    public void finish(long arrivalNanos) {
        if (line.size() > 0) {
            endLine(arrivalNanos);
        }
        dispatch(arrivalNanos);
    }

    private void endLine(long arrivalNanos) {
        if (line.size() == 0) {
            dispatch(arrivalNanos);
            return;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (text.charAt(0) == ':') {
            return; // comment, e.g. keep-alive
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        if (!field.equals("data")) {
            return;
        }
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (hasData) {
            data.append('\n');
        }
        data.append(value);
        hasData = true;
    }

    private void dispatch(long arrivalNanos) {
        if (!hasData) {
            return;
        }
        String event = data.toString();
        data.setLength(0);
        hasData = false;
        if (event.isEmpty()) {
            return; // SSE: an event whose data buffer is empty (a lone "data:") is not dispatched
        }
        listener.onEvent(event, arrivalNanos);
    }
}
