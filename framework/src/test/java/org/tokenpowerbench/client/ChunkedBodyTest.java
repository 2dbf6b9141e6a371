package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ChunkedBodyTest {

    private static final String MIDDLE = "data: {\"x\":1}\n\ndata: [DON";
    private static final String WIRE = "5;ext=1\r\nhello\r\n" + Integer.toHexString(MIDDLE.length()) + "\r\n" + MIDDLE
            + "\r\n3\r\nE]\n\r\n0\r\nTrailer: t\r\n\r\n";
    private static final String BODY = "hello" + "data: {\"x\":1}\n\ndata: [DON" + "E]\n";

    /** Decodes {@code wire} fed in pieces cut at {@code cuts}; returns the body and how much of the input was taken. */
    private static String decode(byte[] wire, int... cuts) throws IOException {
        ChunkedBody body = new ChunkedBody();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int from = 0;
        for (int k = 0; k <= cuts.length; k++) {
            int to = k < cuts.length ? cuts[k] : wire.length;
            int taken = body.feed(wire, from, to - from, (b, o, l) -> {
                out.write(b, o, l);
                return true;
            });
            assertEquals(to - from, taken, "every byte of the body is taken");
            from = to;
        }
        assertTrue(body.done(), "the last chunk and the trailers end the body");
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void decodesWholeAndCutAtEveryPointAndEveryPairOfPoints() throws IOException {
        byte[] wire = WIRE.getBytes(StandardCharsets.US_ASCII);
        assertEquals(BODY, decode(wire));
        for (int i = 1; i < wire.length; i++) {
            assertEquals(BODY, decode(wire, i), "cut at " + i);
            for (int j = i + 1; j < wire.length; j += 7) {
                assertEquals(BODY, decode(wire, i, j), "cut at " + i + " and " + j);
            }
        }
    }

    @Test
    void stopsAtTheBodysEndAndLeavesWhatFollows() throws IOException {
        byte[] wire = "2\r\nok\r\n0\r\n\r\nHTTP/1.1 200 OK".getBytes(StandardCharsets.US_ASCII);
        ChunkedBody body = new ChunkedBody();
        int taken = body.feed(wire, 0, wire.length, (b, o, l) -> true);
        assertTrue(body.done());
        assertEquals(wire.length - "HTTP/1.1 200 OK".length(), taken);
    }

    @Test
    void aSinkThatStopsEndsTheFeed() throws IOException {
        byte[] wire = "4\r\nabcd\r\n4\r\nefgh\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        ChunkedBody body = new ChunkedBody();
        int taken = body.feed(wire, 0, wire.length, (b, o, l) -> false);
        assertEquals(7, taken, "the size line and the first chunk's data");
        assertFalse(body.done());
    }

    @Test
    void aSizeThatIsNotHexOrALineWithoutEndIsAnError() {
        byte[] bad = "zz\r\n".getBytes(StandardCharsets.US_ASCII);
        IOException e = assertThrows(IOException.class, () -> new ChunkedBody().feed(bad, 0, bad.length, (b, o, l) -> true));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
        byte[] endless = "1".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> new ChunkedBody().feed(endless, 0, endless.length, (b, o, l) -> true));
        byte[] noCrlf = "1\r\naX".getBytes(StandardCharsets.US_ASCII);
        assertThrows(IOException.class, () -> new ChunkedBody().feed(noCrlf, 0, noCrlf.length, (b, o, l) -> true));
    }
}
