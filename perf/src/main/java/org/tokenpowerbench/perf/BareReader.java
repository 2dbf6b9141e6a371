package org.tokenpowerbench.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The floor under the paced measurement: the least a Java reader can do with the same streams.
 * One thread, non-blocking sockets, one request per connection; it parses nothing but counts
 * event ends ({@code \n\n}) and stamps each read as it returns. {@code spin} polls without ever
 * sleeping (a whole CPU, so no wake-up is ever waited for); otherwise it blocks in the selector
 * like the client's loop. Whatever error remains here is the server's write, the kernel's loopback
 * delivery and the scheduler of this machine, not the client.
 */
final class BareReader {

    private final boolean spin;

    BareReader(boolean spin) {
        this.spin = spin;
    }

    private static final class Stream {
        final int prompt;
        final long[] arrivals;
        int events;
        byte last;
        boolean done;

        Stream(int prompt, int tokens) {
            this.prompt = prompt;
            this.arrivals = new long[tokens];
        }
    }

    /** Arrival of each token event of each prompt, {@code p<base + i>} for i below streams. */
    Map<Integer, long[]> run(int port, int streams, int tokens, int base, long[] startEnd) throws IOException {
        Map<Integer, long[]> out = new HashMap<>();
        byte[] buffer = new byte[64 * 1024];
        ByteBuffer bb = ByteBuffer.wrap(buffer);
        try (Selector selector = Selector.open()) {
            startEnd[0] = System.nanoTime();
            for (int i = 0; i < streams; i++) {
                SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                String body = "{\"model\":\"m\",\"prompt\":\"p" + (base + i) + "\",\"max_tokens\":" + tokens + ",\"stream\":true}";
                String req = "POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
                ch.write(ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII)));
                ch.configureBlocking(false);
                ch.register(selector, SelectionKey.OP_READ, new Stream(base + i, tokens));
            }
            int open = streams;
            while (open > 0) {
                if (spin) {
                    selector.selectNow();
                } else {
                    selector.select(1000);
                }
                Iterator<SelectionKey> it = selector.selectedKeys().iterator();
                while (it.hasNext()) {
                    SelectionKey key = it.next();
                    it.remove();
                    Stream s = (Stream) key.attachment();
                    SocketChannel ch = (SocketChannel) key.channel();
                    bb.clear();
                    int n = ch.read(bb);
                    long at = System.nanoTime();
                    if (n < 0) {
                        key.cancel();
                        ch.close();
                        open--;
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        byte b = buffer[i];
                        if (b == '\n' && s.last == '\n') {
                            if (s.events < tokens) {
                                s.arrivals[s.events] = at;
                            }
                            s.events++;
                        }
                        s.last = b;
                    }
                    if (!s.done && s.events >= tokens + 2) { // the tokens, the usage chunk and [DONE]
                        s.done = true;
                        out.put(s.prompt, s.arrivals);
                        key.cancel();
                        ch.close();
                        open--;
                    }
                }
            }
            startEnd[1] = System.nanoTime();
        }
        return out;
    }
}
