package org.tokenpowerbench.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.Iterator;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A few threads that read every stream of a client: each owns a {@link Selector}, the sockets of
 * the {@link StreamExchange}s given to it, and a pool of its idle kept-alive connections. Requests
 * are dealt to the threads in turn.
 *
 * <p>How many: {@value #PROPERTY} ({@code -Dtpb.client.readers=N}), by default half the
 * processors this JVM may use, at least 2 and at most 8. More threads stamp a burst of arrivals
 * (every stream's token on the same decode step) sooner, since each reads its sockets one after
 * another; fewer cost less when streams are few.
 */
final class SocketReaders implements AutoCloseable {

    /** The system property that sets the number of reader threads. */
    static final String PROPERTY = "tpb.client.readers";

    private final Reader[] readers;
    private final AtomicInteger turn = new AtomicInteger();
    /**
     * Idle kept-alive connections by server, each with the reader whose selector holds it; the
     * most recently released last. Shared by the readers, so that a request finds a connection
     * whichever reader released it.
     */
    private final java.util.concurrent.ConcurrentHashMap<InetSocketAddress, java.util.concurrent.ConcurrentLinkedDeque<Idle>> idle =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** An idle connection and the reader it belongs to. */
    record Idle(SocketChannel channel, Reader reader) {
    }

    SocketReaders(int threads) {
        readers = new Reader[threads];
        for (int i = 0; i < threads; i++) {
            try {
                readers[i] = new Reader(i + 1);
            } catch (IOException e) {
                close();
                throw new IllegalStateException("cannot open a selector for the client's readers: " + e, e);
            }
            readers[i].thread.start();
        }
    }

    /** The reader count from {@value #PROPERTY}, else the default the class comment gives. */
    static int defaultThreads() {
        String v = System.getProperty(PROPERTY);
        if (v != null && !v.isBlank()) {
            try {
                int n = Integer.parseInt(v.trim());
                if (n >= 1 && n <= 256) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // fall through to the error
            }
            throw new org.tokenpowerbench.UserError("-D" + PROPERTY + "=" + v + " is not a thread count: give 1 to 256"
                    + " (the threads that read every stream; leave it out for half the processors, 2 to 8)");
        }
        return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors() / 2));
    }

    /**
     * Where the next request to {@code address} goes: an idle connection to it (the most recently
     * released, the least likely to have been closed since) with its reader, or, when there is
     * none, no connection and the next reader in turn. The connection may still turn out dead: the
     * exchange checks it on its reader's thread.
     */
    Idle lease(InetSocketAddress address) {
        java.util.concurrent.ConcurrentLinkedDeque<Idle> q = idle.get(address);
        Idle i = q == null ? null : q.pollLast();
        return i != null ? i : new Idle(null, readers[Math.floorMod(turn.getAndIncrement(), readers.length)]);
    }

    /**
     * How long each read since the last call waited behind the other sockets that were ready in
     * the same round of its reader (from the moment the selector returned to the read), in ms;
     * and starts counting afresh. A read's stamp is late by at least that much: this is the
     * readers' own lag, which a probe thread woken on time cannot see.
     */
    org.tokenpowerbench.stats.LatencyHistogram takeReadLag() {
        org.tokenpowerbench.stats.LatencyHistogram all = new org.tokenpowerbench.stats.LatencyHistogram();
        for (Reader r : readers) {
            if (r != null) {
                synchronized (r) {
                    all.addAll(r.readLag);
                    r.readLag = new org.tokenpowerbench.stats.LatencyHistogram();
                }
            }
        }
        return all;
    }

    @Override
    public void close() {
        for (Reader r : readers) {
            if (r != null) {
                r.close();
            }
        }
    }

    /** One reader thread: its selector, its tasks from other threads, its idle connections. */
    final class Reader {
        private final Selector selector;
        private final Thread thread;
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        /** One read buffer for every socket of this thread: a read is handled whole before the next. */
        private final ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        private volatile boolean open = true;
        /** Each read's wait behind its round's other ready sockets, ms; replaced under this reader's lock. */
        private org.tokenpowerbench.stats.LatencyHistogram readLag = new org.tokenpowerbench.stats.LatencyHistogram();

        Reader(int number) throws IOException {
            selector = Selector.open();
            thread = new Thread(this::loop, "tpb-reader-" + number);
            thread.setDaemon(true);
        }

        /** Runs {@code task} on this reader's thread, soon. */
        void execute(Runnable task) {
            tasks.add(task);
            selector.wakeup();
        }

        ByteBuffer buffer() {
            return buffer;
        }

        Selector selector() {
            return selector;
        }

        SelectionKey register(SocketChannel channel, int ops, StreamExchange exchange) throws IOException {
            return channel.register(selector, ops, exchange);
        }

        /** An idle connection is alive when a read finds nothing to read: no end of stream, no stray bytes. */
        boolean alive(SocketChannel c) {
            try {
                buffer.clear();
                return c.isOpen() && c.read(buffer) == 0;
            } catch (IOException e) {
                return false;
            }
        }

        /** Keeps a connection whose answer was read whole for the next request to {@code address}. */
        void release(InetSocketAddress address, SocketChannel channel, SelectionKey key) {
            key.attach(null);
            key.interestOps(SelectionKey.OP_READ); // so that a server closing it is seen, and its descriptor freed, at once
            idle.computeIfAbsent(address, a -> new java.util.concurrent.ConcurrentLinkedDeque<>()).addLast(new Idle(channel, this));
        }

        private void loop() {
            try {
                while (open) {
                    selector.select();
                    long round = System.nanoTime();
                    Runnable task;
                    while ((task = tasks.poll()) != null) {
                        task.run();
                    }
                    Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                    while (keys.hasNext()) {
                        SelectionKey k = keys.next();
                        keys.remove();
                        Object exchange = k.attachment();
                        if (!k.isValid()) {
                            continue;
                        }
                        if (exchange instanceof StreamExchange x) {
                            if (k.isReadable()) {
                                double waitedMs = (System.nanoTime() - round) / 1e6;
                                synchronized (this) {
                                    readLag.record(waitedMs);
                                }
                            }
                            x.ready(k);
                        } else {
                            // an idle connection the server closed or wrote to: drop it
                            k.cancel();
                            quietClose((SocketChannel) k.channel()); // left in its queue: a lease of it finds it closed
                        }
                    }
                }
            } catch (IOException | ClosedSelectorException e) {
                if (open) {
                    System.err.println("tokenpowerbench: a client reader thread stopped: " + e);
                }
            } finally {
                for (SelectionKey k : selector.keys()) {
                    if (k.attachment() instanceof StreamExchange x) {
                        x.cut(new IOException("the client was closed"));
                    }
                    quietClose((SocketChannel) k.channel());
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // nothing left to read
                }
            }
        }

        void close() {
            open = false;
            selector.wakeup();
        }

        private static void quietClose(SocketChannel c) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing a connection nobody uses any more
            }
        }
    }
}
