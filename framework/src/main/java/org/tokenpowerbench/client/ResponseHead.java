package org.tokenpowerbench.client;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The status line and headers of an HTTP/1.1 answer, as {@link StreamExchange} reads them off a
 * socket: what the client needs to decide how the body is framed and what it means.
 *
 * @param version the protocol of the status line ({@code HTTP/1.1}, {@code HTTP/1.0})
 * @param code    the status code
 * @param headers header values by lower-case name; a repeated header keeps its last value
 */
record ResponseHead(String version, int code, Map<String, String> headers) {

    /** The longest head read: a server that sends headers without end is not an HTTP server. */
    static final int MAX_BYTES = 64 * 1024;

    /** A header's value, or {@code otherwise} when absent. */
    String header(String name, String otherwise) {
        String v = headers.get(name.toLowerCase(Locale.ROOT));
        return v == null ? otherwise : v;
    }

    /** Whether the status is a success (2xx): only then is the body the stream. */
    boolean successful() {
        return code >= 200 && code < 300;
    }

    boolean chunked() {
        return header("transfer-encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
    }

    /** The body's length from Content-Length, or -1 when the head does not give one. */
    long contentLength() throws java.io.IOException {
        String v = headers.get("content-length");
        if (v == null || chunked()) {
            return -1;
        }
        try {
            long n = Long.parseLong(v.trim());
            if (n < 0) {
                throw new java.io.IOException("the answer's Content-Length is negative: " + v);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new java.io.IOException("the answer's Content-Length is not a number: " + v);
        }
    }

    /** Whether the connection may carry another request once this answer's body has been read whole. */
    boolean keepsAlive() {
        String connection = header("connection", "").toLowerCase(Locale.ROOT);
        if ("HTTP/1.0".equals(version)) {
            return connection.contains("keep-alive");
        }
        return !connection.contains("close");
    }

    /**
     * Parses a head: {@code bytes[0, length)} holds the status line and header lines, each ending
     * in CRLF (a bare LF is accepted), without the empty line that ends the head.
     */
    static ResponseHead parse(byte[] bytes, int length) throws java.io.IOException {
        String text = new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
        String[] lines = text.split("\r?\n");
        String status = lines[0];
        // "HTTP/1.1 200 OK": the version, a space, three digits, then an optional reason
        int space = status.indexOf(' ');
        if (!status.startsWith("HTTP/") || space < 0 || status.length() < space + 4) {
            throw new java.io.IOException("the answer is not HTTP: it begins '" + abbreviate(status) + "'");
        }
        int code;
        try {
            code = Integer.parseInt(status.substring(space + 1, space + 4));
        } catch (NumberFormatException e) {
            throw new java.io.IOException("the answer's status line has no status code: '" + abbreviate(status) + "'");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                continue; // not a header line; OkHttp ignores these too
            }
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        return new ResponseHead(status.substring(0, space), code, headers);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
