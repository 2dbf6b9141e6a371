package org.tokenpowerbench.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SseParserTest {

    private record Event(String data, long arrival) {
    }

    private final List<Event> events = new ArrayList<>();
    private final SseParser parser = new SseParser((d, t) -> events.add(new Event(d, t)));

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void feed(byte[] bytes, int from, int to, long at) {
        parser.feed(bytes, from, to - from, at);
    }

    private void feed(String s, long at) {
        byte[] b = utf8(s);
        parser.feed(b, 0, b.length, at);
    }

    private List<String> datas() {
        return events.stream().map(Event::data).toList();
    }

    @Test
    void singleEventInOneFeed() {
        feed("data: {\"a\":1}\n\n", 7);
        assertEquals(List.of(new Event("{\"a\":1}", 7)), events);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void eventSplitAtEveryBytePositionDecodesTheSame(String eol) {
        String stream = "data: {\"text\":\"héllo € 😀\"}" + eol + eol
                + ": keep-alive" + eol + eol
                + "data: second" + eol + eol;
        byte[] bytes = utf8(stream);
        for (int cut = 0; cut <= bytes.length; cut++) {
            events.clear();
            SseParser p = new SseParser((d, t) -> events.add(new Event(d, t)));
            p.feed(bytes, 0, cut, 1);
            p.feed(bytes, cut, bytes.length - cut, 2);
            p.finish(3);
            assertEquals(List.of("{\"text\":\"héllo € 😀\"}", "second"), datas(), "cut at byte " + cut + " with EOL " + escape(eol));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void byteByByteFeedingDecodesEverything(String eol) {
        String stream = "data: 1" + eol + eol + "data: é€😀" + eol + "data: x" + eol + eol + "data: [DONE]" + eol + eol;
        byte[] bytes = utf8(stream);
        for (int i = 0; i < bytes.length; i++) {
            parser.feed(bytes, i, 1, i);
        }
        parser.finish(bytes.length);
        assertEquals(List.of("1", "é€😀\nx", "[DONE]"), datas());
    }

    @Test
    void multiByteCharacterSplitInsideItsBytes() {
        byte[] bytes = utf8("data: a😀b€c\n\n");
        int emoji = 7; // "data: a" is 7 bytes; the emoji takes 4, the euro sign 3
        for (int cut = emoji + 1; cut < emoji + 4; cut++) {
            events.clear();
            SseParser p = new SseParser((d, t) -> events.add(new Event(d, t)));
            p.feed(bytes, 0, cut, 1);
            p.feed(bytes, cut, bytes.length - cut, 2);
            assertEquals(List.of("a😀b€c"), datas());
        }
        int euro = emoji + 4 + 1;
        for (int cut = euro + 1; cut < euro + 3; cut++) {
            events.clear();
            SseParser p = new SseParser((d, t) -> events.add(new Event(d, t)));
            p.feed(bytes, 0, cut, 1);
            p.feed(bytes, cut, bytes.length - cut, 2);
            assertEquals(List.of("a😀b€c"), datas());
        }
    }

    @Test
    void severalEventsInOneFeed() {
        feed("data: a\n\ndata: b\n\ndata: c\n\n", 5);
        assertEquals(List.of(new Event("a", 5), new Event("b", 5), new Event("c", 5)), events);
    }

    @Test
    void mixedLineEndingsInOneStream() {
        feed("data: a\r\n\r\ndata: b\r\rdata: c\n\ndata: d\r\n\n", 1);
        assertEquals(List.of("a", "b", "c", "d"), datas());
    }

    @Test
    void crlfSplitBetweenCrAndLfDoesNotMakeAnExtraBlankLine() {
        // If the LF after a held CR were taken as a second line end, "data: a\r" + "\ndata: b\r\n\r\n"
        // would dispatch "a" and "b" as two events instead of one event "a\nb".
        feed("data: a\r", 1);
        feed("\ndata: b\r", 2);
        feed("\n\r", 3);
        feed("\n", 4);
        assertEquals(List.of(new Event("a\nb", 3)), events);
    }

    @Test
    void commentsAndKeepAlivesAreIgnored() {
        feed(": keep-alive\n\n:\n\n: ping\ndata: x\n: another\n\n", 1);
        assertEquals(List.of("x"), datas());
    }

    @Test
    void otherFieldsAreIgnored() {
        feed("event: message\nid: 7\nretry: 100\ndata: x\n\nevent: only\n\n", 1);
        assertEquals(List.of("x"), datas());
    }

    @Test
    void multiLineDataIsJoinedWithLf() {
        feed("data: line1\ndata: line2\ndata:line3\n\n", 1);
        assertEquals(List.of("line1\nline2\nline3"), datas());
    }

    @Test
    void onlyOneLeadingSpaceIsRemoved() {
        feed("data:  two spaces\n\n", 1);
        assertEquals(List.of(" two spaces"), datas());
    }

    @Test
    void doneMarkerIsDelivered() {
        feed("data: {\"x\":1}\n\ndata: [DONE]\n\n", 1);
        assertEquals(List.of("{\"x\":1}", "[DONE]"), datas());
    }

    @Test
    void arrivalIsThatOfTheFeedCompletingTheEvent() {
        feed("data: {\"te", 100);
        feed("xt\":\"a\"}\n", 200);
        assertTrue(events.isEmpty(), "an event without its blank line is not complete yet");
        feed("\n", 300);
        feed("data: b\n\nda", 400);
        feed("ta: c\n\n", 500);
        assertEquals(List.of(new Event("{\"text\":\"a\"}", 300), new Event("b", 400), new Event("c", 500)), events);
    }

    @Test
    void arrivalWithCrOnlyIsTheFeedHoldingTheSecondCr() {
        feed("data: a\r", 10);
        feed("\r", 20);
        assertEquals(List.of(new Event("a", 20)), events);
    }

    @Test
    void finishFlushesAnEventWithoutTrailingBlankLine() {
        feed("data: a\n\ndata: last", 1);
        assertEquals(List.of("a"), datas());
        parser.finish(9);
        assertEquals(List.of(new Event("a", 1), new Event("last", 9)), events);
    }

    @Test
    void finishFlushesAnEventWhoseLastLineEnded() {
        feed("data: last\n", 1);
        assertTrue(events.isEmpty());
        parser.finish(9);
        assertEquals(List.of(new Event("last", 9)), events);
    }

    @Test
    void finishWithNothingPendingDeliversNothing() {
        feed("data: a\n\n: comment", 1);
        parser.finish(2);
        assertEquals(List.of("a"), datas());
    }

    @Test
    void emptyDataIsNotDispatched() {
        // SSE: an event whose data buffer is empty is not dispatched.
        feed("data:\n\ndata: \n\ndata: x\n\n", 1);
        assertEquals(List.of("x"), datas());
    }

    @Test
    void honoursOffsetAndLength() {
        byte[] b = utf8("XXXdata: a\n\nYYY");
        parser.feed(b, 3, b.length - 6, 1);
        assertEquals(List.of("a"), datas());
    }

    /** A parser with a 64-byte limit, recording into {@link #events}. */
    private SseParser limited() {
        return new SseParser((d, t) -> events.add(new Event(d, t)), 64);
    }

    @Test
    void aLineWithoutEndStopsTheParserInsteadOfFillingTheHeap() {
        SseParser p = limited();
        byte[] ok = utf8("data: first\n\n");
        p.feed(ok, 0, ok.length, 1);
        byte[] chunk = utf8("x".repeat(40));
        for (int i = 0; i < 1000; i++) { // 40 KB of one line, 40 bytes a read
            p.feed(chunk, 0, chunk.length, 2);
        }
        assertTrue(p.overflow() != null && p.overflow().contains("more than 64 bytes"), p.overflow());
        byte[] later = utf8("\n\ndata: after\n\n");
        p.feed(later, 0, later.length, 3);
        p.finish(4);
        assertEquals(List.of("first"), datas(), "nothing after the overflow is delivered");
    }

    @Test
    void aLongLineInOneReadAndLongEventDataAreOverTheLimitToo() {
        SseParser whole = limited();
        byte[] line = utf8("data: " + "y".repeat(100) + "\n\n");
        whole.feed(line, 0, line.length, 1);
        assertTrue(whole.overflow() != null, "a line that lies whole in one read is held to the limit");
        SseParser lines = limited();
        byte[] many = utf8("data: " + "a".repeat(35) + "\ndata: " + "b".repeat(35) + "\n\n"); // 41-byte lines, 71 bytes of data
        lines.feed(many, 0, many.length, 1);
        assertTrue(lines.overflow() != null, "an event's data lines together are held to the limit");
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void aLineAtTheLimitIsRead() {
        SseParser p = limited();
        String data = "z".repeat(58); // "data: " + 58 = 64 bytes
        byte[] b = utf8("data: " + data + "\n\n");
        p.feed(b, 0, 10, 1);
        p.feed(b, 10, b.length - 10, 2);
        assertNull(p.overflow());
        assertEquals(List.of(data), datas());
    }

    private static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }
}
