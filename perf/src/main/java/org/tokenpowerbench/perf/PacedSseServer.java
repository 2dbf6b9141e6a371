package org.tokenpowerbench.perf;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback-only {@code /v1/completions} server that writes one SSE event per token at a known
 * cadence, and records the {@link System#nanoTime()} just before each event's {@code write}: the
 * paced half of {@link ClientCeiling}. One thread, non-blocking NIO, HTTP/1.1 keep-alive with
 * chunked bodies (as uvicorn sends them).
 *
 * <p>{@code System.nanoTime()} is {@code CLOCK_MONOTONIC} on Linux, one clock for every process
 * of the machine, so these send times compare directly with the client's arrival times in
 * another JVM.
 *
 * <p>Each request's {@code max_tokens} and the number in its prompt ({@code "p123"}) are read
 * from its body; the first token goes out one cadence after the request (phase {@code spread}:
 * plus a random fraction of a cadence per stream; phase {@code aligned}: on a global grid of
 * cadence ticks, as an engine's decode step emits a token for every sequence of its batch at once).
 * {@code POST /shutdown}, or the time limit, writes the send times to the dump file and exits.
 *
 * <pre>
 *   java -cp perf.jar org.tokenpowerbench.perf.PacedSseServer cadence-ms=20 phase=aligned \
 *        dump=/tmp/sends.bin max-seconds=120
 * </pre>
 * It prints {@code PORT <n>} once it listens on 127.0.0.1.
 */
public final class PacedSseServer {

    private static final byte[] HEADERS = ("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            + "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SHUTDOWN_OK = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
            .getBytes(StandardCharsets.US_ASCII);

    private final long cadenceNanos;
    private final boolean aligned;
    private final String dumpFile;
    private final long deadline;
    private final long origin = System.nanoTime();
    private final SplittableRandom random = new SplittableRandom(42);
    private final PriorityQueue<Stream> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextDue, b.nextDue));
    private final List<Stream> finished = new ArrayList<>();
    private final List<Stream> all = new ArrayList<>();
    /** frames[k]: the chunked-encoding frame of content token k, not the last one. */
    private final byte[][] frames;
    private final String id = RecordedStream.id(7);
    private final String[] texts;
    private boolean stop;

    private PacedSseServer(long cadenceNanos, boolean aligned, String dumpFile, long maxSeconds) {
        this.cadenceNanos = cadenceNanos;
        this.aligned = aligned;
        this.dumpFile = dumpFile;
        this.deadline = origin + maxSeconds * 1_000_000_000L;
        this.texts = RecordedStream.tokenTexts(4096, 7);
        this.frames = new byte[texts.length][];
        for (int k = 0; k < texts.length; k++) {
            frames[k] = chunk(RecordedStream.contentEvent(id, texts[k], false));
        }
    }

    private static byte[] chunk(String event) {
        byte[] data = event.getBytes(StandardCharsets.UTF_8);
        byte[] head = (Integer.toHexString(data.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[head.length + data.length + 2];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(data, 0, out, head.length, data.length);
        out[out.length - 2] = '\r';
        out[out.length - 1] = '\n';
        return out;
    }

    /** One streamed response. */
    private static final class Stream {
        final Connection conn;
        final int prompt;
        final int tokens;
        final long[] sends;
        int sent;
        long nextDue;

        Stream(Connection conn, int prompt, int tokens) {
            this.conn = conn;
            this.prompt = prompt;
            this.tokens = tokens;
            this.sends = new long[tokens];
        }
    }

    private static final class Connection {
        final SocketChannel channel;
        final SelectionKey key;
        ByteBuffer in = ByteBuffer.allocate(4096);
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();

        Connection(SocketChannel channel, SelectionKey key) {
            this.channel = channel;
            this.key = key;
        }
    }

    public static void main(String[] args) throws IOException {
        double cadenceMs = 20;
        String phase = "aligned";
        String dump = null;
        long maxSeconds = 120;
        for (String a : args) {
            int eq = a.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("arguments are name=value, got '" + a + "'");
            }
            String v = a.substring(eq + 1);
            switch (a.substring(0, eq).replaceFirst("^--", "")) {
                case "cadence-ms" -> cadenceMs = Double.parseDouble(v);
                case "phase" -> phase = v.toLowerCase(Locale.ROOT);
                case "dump" -> dump = v;
                case "max-seconds" -> maxSeconds = Long.parseLong(v);
                default -> throw new IllegalArgumentException("unknown argument '" + a
                        + "': use cadence-ms=, phase=aligned|spread, dump=FILE, max-seconds=");
            }
        }
        if (!phase.equals("aligned") && !phase.equals("spread")) {
            throw new IllegalArgumentException("phase must be aligned or spread, was " + phase);
        }
        if (dump == null) {
            throw new IllegalArgumentException("dump=FILE is required: the send times are written there");
        }
        new PacedSseServer(Math.round(cadenceMs * 1e6), phase.equals("aligned"), dump, maxSeconds).serve();
    }

    private void serve() throws IOException {
        try (Selector selector = Selector.open(); ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
            server.configureBlocking(false);
            server.register(selector, SelectionKey.OP_ACCEPT);
            System.out.println("PORT " + server.socket().getLocalPort());
            System.out.flush();
            while (!stop && System.nanoTime() < deadline) {
                sendDue();
                long wait = due.isEmpty() ? 50_000_000L : due.peek().nextDue - System.nanoTime();
                if (wait > 2_000_000L) {
                    selector.select(Math.max(1, wait / 1_000_000L - 1));
                } else {
                    selector.selectNow();
                }
                handle(selector, server);
                if (!due.isEmpty()) {
                    long left = due.peek().nextDue - System.nanoTime();
                    if (left > 0 && left <= 2_000_000L) {
                        LockSupport.parkNanos(left);
                    }
                }
            }
        }
        dump();
    }

    private void sendDue() {
        long now = System.nanoTime();
        while (!due.isEmpty() && due.peek().nextDue <= now) {
            Stream s = due.poll();
            if (!s.conn.channel.isOpen()) {
                finished.add(s);
                continue;
            }
            int k = s.sent;
            boolean last = k == s.tokens - 1;
            byte[] frame = last ? lastFrame(s.tokens) : frames[k % frames.length];
            s.sends[k] = System.nanoTime();
            write(s.conn, frame);
            s.sent++;
            if (last) {
                finished.add(s);
            } else {
                s.nextDue += cadenceNanos;
                due.add(s);
            }
            now = System.nanoTime();
        }
    }

    private byte[] lastFrame(int tokens) {
        byte[] content = chunk(RecordedStream.contentEvent(id, texts[(tokens - 1) % texts.length], true));
        byte[] usage = chunk(RecordedStream.usageAndDone(id, tokens));
        byte[] end = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[content.length + usage.length + end.length];
        System.arraycopy(content, 0, out, 0, content.length);
        System.arraycopy(usage, 0, out, content.length, usage.length);
        System.arraycopy(end, 0, out, content.length + usage.length, end.length);
        return out;
    }

    private void write(Connection c, byte[] bytes) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (c.pending.isEmpty()) {
                c.channel.write(b);
                if (!b.hasRemaining()) {
                    return;
                }
            }
            c.pending.add(b);
            c.key.interestOps(c.key.interestOps() | SelectionKey.OP_WRITE);
        } catch (IOException e) {
            close(c);
        }
    }

    private void handle(Selector selector, ServerSocketChannel server) throws IOException {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            if (!key.isValid()) {
                continue;
            }
            if (key.isAcceptable()) {
                SocketChannel ch;
                while ((ch = server.accept()) != null) {
                    ch.configureBlocking(false);
                    ch.socket().setTcpNoDelay(true);
                    SelectionKey k = ch.register(selector, SelectionKey.OP_READ);
                    k.attach(new Connection(ch, k));
                }
                continue;
            }
            Connection c = (Connection) key.attachment();
            if (key.isWritable()) {
                flush(c);
            }
            if (key.isValid() && key.isReadable()) {
                read(c);
            }
        }
    }

    private void flush(Connection c) {
        try {
            while (!c.pending.isEmpty()) {
                ByteBuffer b = c.pending.peek();
                c.channel.write(b);
                if (b.hasRemaining()) {
                    return;
                }
                c.pending.poll();
            }
            c.key.interestOps(SelectionKey.OP_READ);
        } catch (IOException e) {
            close(c);
        }
    }

    private void read(Connection c) {
        try {
            if (!c.in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(c.in.capacity() * 2);
                c.in.flip();
                bigger.put(c.in);
                c.in = bigger;
            }
            int n = c.channel.read(c.in);
            if (n < 0) {
                close(c);
                return;
            }
            parseRequests(c);
        } catch (IOException e) {
            close(c);
        }
    }

    private void parseRequests(Connection c) {
        while (true) {
            byte[] a = c.in.array();
            int len = c.in.position();
            int headEnd = indexOf(a, len, "\r\n\r\n");
            if (headEnd < 0) {
                return;
            }
            String head = new String(a, 0, headEnd, StandardCharsets.ISO_8859_1);
            int contentLength = 0;
            for (String line : head.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                    contentLength = Integer.parseInt(line.substring(colon + 1).trim());
                }
            }
            int total = headEnd + 4 + contentLength;
            if (len < total) {
                return;
            }
            String body = new String(a, headEnd + 4, contentLength, StandardCharsets.UTF_8);
            // consume the request
            System.arraycopy(a, total, a, 0, len - total);
            c.in.position(len - total);
            if (head.startsWith("POST /shutdown")) {
                write(c, SHUTDOWN_OK);
                stop = true;
                return;
            }
            int prompt = intAfter(body, "\"prompt\":\"p");
            int tokens = intAfter(body, "\"max_tokens\":");
            if (prompt < 0 || tokens < 1) {
                write(c, ("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                continue;
            }
            write(c, HEADERS);
            Stream s = new Stream(c, prompt, tokens);
            long now = System.nanoTime();
            if (aligned) {
                long ticks = (now + cadenceNanos - origin + cadenceNanos - 1) / cadenceNanos;
                s.nextDue = origin + ticks * cadenceNanos;
            } else {
                s.nextDue = now + cadenceNanos + (long) (random.nextDouble() * cadenceNanos);
            }
            all.add(s);
            due.add(s);
        }
    }

    private static int intAfter(String s, String marker) {
        int i = s.indexOf(marker);
        if (i < 0) {
            return -1;
        }
        i += marker.length();
        int v = 0;
        int start = i;
        while (i < s.length() && Character.isDigit(s.charAt(i))) {
            v = v * 10 + (s.charAt(i++) - '0');
        }
        return i == start ? -1 : v;
    }

    private static int indexOf(byte[] a, int len, String marker) {
        outer:
        for (int i = 0; i + marker.length() <= len; i++) {
            for (int j = 0; j < marker.length(); j++) {
                if (a[i + j] != marker.charAt(j)) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static void close(Connection c) {
        c.key.cancel();
        try {
            c.channel.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    /** int streams; per stream: int prompt, int sent, long[sent] send nanos; then long server CPU nanos. */
    private void dump() throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(new FileOutputStream(dumpFile), 1 << 16))) {
            out.writeInt(all.size());
            for (Stream s : all) {
                out.writeInt(s.prompt);
                out.writeInt(s.sent);
                for (int k = 0; k < s.sent; k++) {
                    out.writeLong(s.sends[k]);
                }
            }
            long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            out.writeLong(cpu);
        }
    }
}
