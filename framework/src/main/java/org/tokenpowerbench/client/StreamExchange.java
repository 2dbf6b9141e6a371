package org.tokenpowerbench.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;

/**
 * One HTTP/1.1 request and its streamed answer over a non-blocking socket, moved on by the
 * {@link SocketReaders} thread that owns it: connect (or take an idle connection), write the
 * request, read the head, then hand the body's bytes on as they arrive, each read stamped with
 * {@link System#nanoTime()} taken just before it (an upper bound on when its bytes arrived, never
 * earlier than they did).
 *
 * <p>Why it exists: a blocking reader needs a thread per stream, and a thread costs about 110 KiB
 * of committed stack and a wake-up per token; 10,000 streams then need more than a gigabyte and
 * ten thousand runnable threads (docs/reliability.md). Here a few threads read every socket.
 *
 * <p>An idle connection the server has closed is found out when it is taken (a read returns the
 * end of stream) or when the request on it gets no byte of answer before the connection ends: the
 * request is then sent again on a new connection, as OkHttp does, and the attempt is counted.
 * Never after a byte of answer: a request the server has started to answer is never sent twice.
 *
 * <p>Not thread-safe: every method runs on the owning reader thread.
 */
final class StreamExchange {

    /** What the exchange tells its client, always on the reader thread. */
    interface Listener {
        /** The request's bytes start to go out on an open connection; {@code attempt} counts from 1. */
        void sending(long nanos, int attempt);

        /** The answer's head arrived. */
        void head(ResponseHead head, long nanos);

        /**
         * Bytes of the answer's body (de-chunked), {@code buffer[offset, offset + length)}, valid
         * only during the call, read at {@code nanos}.
         *
         * @return false to stop reading: the connection is closed and the exchange ends cleanly
         */
        boolean body(byte[] buffer, int offset, int length, long nanos);

        /**
         * The exchange is over: {@code failure} is null when the body was read to its end (or the
         * listener stopped it), else what went wrong. Called exactly once.
         */
        void ended(IOException failure);
    }

    private enum State { CONNECTING, WRITING, HEAD, BODY, ENDED }

    private final SocketReaders.Reader reader;
    private final InetSocketAddress address;
    private final ByteBuffer request;
    private final Listener listener;
    /** The idle connection to try first; null once taken (or when there was none). */
    private SocketChannel idle;
    private State state = State.CONNECTING;
    private SocketChannel channel;
    private SelectionKey key;
    private boolean reused;
    private int attempts;
    private boolean answered;
    private byte[] head = new byte[512];
    private int headLength;
    private ResponseHead response;
    private ChunkedBody chunked;
    /** Body bytes still to come under Content-Length; -1 when the body runs to the connection's end (or is chunked). */
    private long remaining = -1;

    /** @param idle an idle connection to {@code address} of {@code reader}'s to try first, or null */
    StreamExchange(SocketReaders.Reader reader, SocketChannel idle, InetSocketAddress address, byte[] request,
                   Listener listener) {
        this.reader = reader;
        this.idle = idle;
        this.address = address;
        this.request = ByteBuffer.wrap(request);
        this.listener = listener;
    }

    SocketReaders.Reader reader() {
        return reader;
    }

    /** Takes an idle connection or opens one, and starts the request. */
    void start() {
        try {
            channel = null;
            if (idle != null) {
                SocketChannel c = idle;
                idle = null;
                if (reader.alive(c)) {
                    channel = c;
                } else {
                    SelectionKey k = c.keyFor(reader.selector());
                    if (k != null) {
                        k.cancel();
                    }
                    try {
                        c.close();
                    } catch (IOException ignored) {
                        // a dead idle connection: nothing to learn from closing it
                    }
                }
            }
            reused = channel != null;
            if (channel == null) {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                boolean connected = channel.connect(address);
                key = reader.register(channel, connected ? 0 : SelectionKey.OP_CONNECT, this);
                if (!connected) {
                    return;
                }
            } else {
                key = reader.register(channel, 0, this);
            }
            connected();
        } catch (IOException | RuntimeException e) {
            fail(e instanceof IOException io ? io : new IOException(e.toString(), e));
        }
    }

    /** The selector says the socket is ready for what it waited for. */
    void ready(SelectionKey k) {
        if (state == State.ENDED) {
            return;
        }
        try {
            if (k.isConnectable()) {
                channel.finishConnect();
                connected();
            } else if (k.isWritable()) {
                write();
            } else if (k.isReadable()) {
                read();
            }
        } catch (IOException | RuntimeException e) {
            IOException io = e instanceof IOException x ? x : new IOException(e.toString(), e);
            if (!answered && reused && state != State.CONNECTING) {
                retry();
            } else {
                fail(io);
            }
        }
    }

    private void connected() throws IOException {
        state = State.WRITING;
        attempts++;
        listener.sending(System.nanoTime(), attempts);
        write();
    }

    private void write() throws IOException {
        channel.write(request);
        if (request.hasRemaining()) {
            key.interestOps(SelectionKey.OP_WRITE);
        } else {
            state = State.HEAD;
            key.interestOps(SelectionKey.OP_READ);
        }
    }

    private void read() throws IOException {
        ByteBuffer buffer = reader.buffer();
        buffer.clear();
        long nanos = System.nanoTime();
        int n = channel.read(buffer);
        if (n < 0) {
            endOfStream();
            return;
        }
        if (n > 0) {
            answered = true;
            take(buffer.array(), buffer.arrayOffset(), n, nanos);
        }
    }

    /** The bytes of one read, in whatever state the answer is in. */
    private void take(byte[] bytes, int offset, int length, long nanos) throws IOException {
        int i = offset;
        int end = offset + length;
        while (i < end && state != State.ENDED) {
            if (state == State.HEAD) {
                i = takeHead(bytes, i, end, nanos);
            } else if (chunked != null) {
                i += chunked.feed(bytes, i, end - i, (b, o, l) -> listener.body(b, o, l, nanos) || stop());
                if (state != State.ENDED && chunked.done()) {
                    complete(i == end);
                }
            } else {
                int n = remaining >= 0 ? (int) Math.min(remaining, end - i) : end - i;
                boolean more = listener.body(bytes, i, n, nanos);
                i += n;
                if (remaining >= 0) {
                    remaining -= n;
                }
                if (!more) {
                    stop();
                } else if (remaining == 0) {
                    complete(i == end);
                }
            }
        }
    }

    /** Reads head bytes up to the empty line; returns where the body starts (or {@code end}). */
    private int takeHead(byte[] bytes, int from, int end, long nanos) throws IOException {
        int i = from;
        while (i < end) {
            byte b = bytes[i++];
            if (headLength == head.length) {
                if (head.length >= ResponseHead.MAX_BYTES) {
                    throw new IOException("the answer's head is longer than " + ResponseHead.MAX_BYTES + " bytes");
                }
                head = java.util.Arrays.copyOf(head, head.length * 2);
            }
            head[headLength++] = b;
            if (b == '\n' && endsHead()) {
                int textLength = headLength - (headLength >= 4 && head[headLength - 2] == '\r' ? 4 : 2);
                ResponseHead h = ResponseHead.parse(head, Math.max(0, textLength));
                headLength = 0;
                if (h.code() >= 100 && h.code() < 200) {
                    continue; // an interim answer (100 Continue): the real one follows
                }
                response = h;
                state = State.BODY;
                if (h.chunked()) {
                    chunked = new ChunkedBody();
                } else {
                    remaining = h.contentLength();
                }
                listener.head(h, nanos);
                if (remaining == 0) {
                    complete(i == end);
                }
                return i;
            }
        }
        return i;
    }

    private boolean endsHead() {
        int n = headLength;
        return (n >= 2 && head[n - 2] == '\n') || (n >= 4 && head[n - 2] == '\r' && head[n - 3] == '\n');
    }

    private void endOfStream() throws IOException {
        if (state == State.BODY && chunked == null && remaining < 0) {
            response = null; // the body ran to the connection's end: complete, and the connection is spent
            end(null, false);
        } else if (!answered && reused) {
            retry();
        } else {
            throw new IOException(answered ? "unexpected end of stream: the server closed the connection mid-answer"
                    : "the server closed the connection without answering");
        }
    }

    /** A reused connection turned out dead before any answer: the request goes again on a new one. */
    private void retry() {
        closeChannel();
        request.rewind();
        state = State.CONNECTING;
        reused = false;
        start();
    }

    private boolean stop() {
        end(null, false);
        return false;
    }

    /** The body was read to its end; {@code nothingMore} when the read held no byte beyond it. */
    private void complete(boolean nothingMore) {
        end(null, nothingMore && response != null && response.keepsAlive());
    }

    /** Ends the exchange from another cause than the socket: the client cut it. */
    void cut(IOException why) {
        if (state != State.ENDED) {
            fail(why);
        }
    }

    private void fail(IOException e) {
        end(e, false);
    }

    private void end(IOException failure, boolean keep) {
        if (state == State.ENDED) {
            return;
        }
        state = State.ENDED;
        if (keep) {
            reader.release(address, channel, key);
        } else {
            closeChannel();
        }
        listener.ended(failure);
    }

    private void closeChannel() {
        if (key != null) {
            key.cancel();
            key = null;
        }
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a socket that failed: nothing more to learn from it
            }
            channel = null;
        }
    }
}
