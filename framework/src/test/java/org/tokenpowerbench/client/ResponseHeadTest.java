package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseHeadTest {

    private static ResponseHead parse(String head) throws IOException {
        byte[] b = head.getBytes(StandardCharsets.ISO_8859_1);
        return ResponseHead.parse(b, b.length);
    }

    @Test
    void readsStatusHeadersAndFraming() throws IOException {
        ResponseHead h = parse("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\nX-A:  b ");
        assertEquals(200, h.code());
        assertEquals("text/event-stream", h.header("content-type", ""));
        assertEquals("b", h.header("X-A", ""));
        assertTrue(h.chunked());
        assertEquals(-1, h.contentLength(), "a chunked body has no length");
        assertTrue(h.keepsAlive());
        ResponseHead closed = parse("HTTP/1.1 429 Too Many Requests\nContent-Length: 12\nConnection: close");
        assertEquals(429, closed.code());
        assertEquals(12, closed.contentLength());
        assertFalse(closed.keepsAlive());
        assertFalse(parse("HTTP/1.0 200 OK").keepsAlive(), "HTTP/1.0 closes unless it says keep-alive");
        assertTrue(parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive").keepsAlive());
    }

    @Test
    void whatIsNotHttpSaysHowItBegins() {
        IOException e = assertThrows(IOException.class, () -> parse("SSH-2.0-OpenSSH_9.6"));
        assertTrue(e.getMessage().contains("SSH-2.0"), e.getMessage());
        assertThrows(IOException.class, () -> parse("HTTP/1.1 abc"));
        assertThrows(IOException.class, () -> parse("HTTP/1.1 200 OK\r\nContent-Length: -3").contentLength());
    }
}
