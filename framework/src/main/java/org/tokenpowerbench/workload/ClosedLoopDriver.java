package org.tokenpowerbench.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.tokenpowerbench.client.CompletionRequest;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;

/**
 * Closed-loop load: {@code concurrency} workers, each sending its next request as soon as its
 * previous one has finished, until every prompt of the set has been sent once (or, in a timed
 * wave, until the wave's time is up). In a one-pass wave every request becomes due when the wave
 * starts, so the time it waits for a free worker is its queue time.
 */
public final class ClosedLoopDriver implements WaveDriver {

    private final StreamingClient client;
    private final int concurrency;
    private final int serverGoneAfter;

    public ClosedLoopDriver(StreamingClient client, int concurrency) {
        this(client, concurrency, ServerGone.DEFAULT_LIMIT);
    }

    /** @param serverGoneAfter requests in a row that could not connect or stalled before a wave stops ({@link ServerGone}); 0 never */
    public ClosedLoopDriver(StreamingClient client, int concurrency, int serverGoneAfter) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + concurrency);
        }
        this.client = client;
        this.concurrency = concurrency;
        this.serverGoneAfter = serverGoneAfter;
    }

    /**
     * Sends every prompt once, {@code concurrency} at a time; or, for {@code waveNanos}, keeps
     * every worker sending (prompts in turn) until that time has passed since the wave started.
     *
     * <p>When a request is due: in a one-pass wave every request is due when the wave starts (the
     * set is the batch: waiting for a worker is queue time); in a timed wave a request is due when
     * a worker becomes free to send it, as for a user who asks again once answered, so its queue
     * time is only the client's own delay.
     *
     * <p>When the server is gone ({@link ServerGone}) or the thread is interrupted, the wave stops:
     * requests in flight are cut, and in a one-pass wave the prompts not sent yet are recorded as
     * not sent, so the record has every request of the set.
     */
    @Override
    public WaveRecord run(PromptSet prompts, int outputTokens, long waveNanos) {
        if (waveNanos < 0) {
            throw new IllegalArgumentException("a wave cannot last " + waveNanos + " ns");
        }
        Wave wave = new Wave(prompts, outputTokens, waveNanos);
        for (int w = 0; w < concurrency; w++) {
            wave.advance();
        }
        while (true) {
            try {
                wave.workers.await();
                break;
            } catch (InterruptedException e) {
                // JMH's iteration timeout: cut what is in flight, let the workers end, record the wave
                wave.stop.compareAndSet(null, new WaveRecord.Stop(ServerGone.INTERRUPTED_REASON, true));
                client.cutInFlight(ServerGone.INTERRUPTED, "cut when the iteration was interrupted");
            }
        }
        Throwable bug = wave.bug.get();
        if (bug != null) {
            throw new IllegalStateException("a client worker failed: " + bug, bug);
        }
        long end = System.nanoTime();
        WaveRecord.Stop stopped = wave.stop.get();
        int size = prompts.size();
        if (stopped != null && waveNanos == 0) {
            for (int i = wave.next.get(); i < size; i++) { // the prompts no worker took
                wave.done.add(notSent(prompts.request(i, outputTokens), i, wave.start, stopped));
            }
        }
        List<RequestTimeline> ordered = new ArrayList<>(wave.done);
        ordered.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new WaveRecord(wave.start, end, concurrency, ordered, stopped);
    }

    /**
     * One wave's workers. A worker is not a thread: it is a chain of requests, each sent when the
     * one before it has ended, on the client's threads ({@link StreamingClient#sendAsync}), so
     * 10,000 workers cost 10,000 sockets and no thread each.
     */
    private final class Wave {
        final PromptSet prompts;
        final int outputTokens;
        final long waveNanos;
        final AtomicInteger next = new AtomicInteger();
        final List<RequestTimeline> done;
        final ServerGone gone = new ServerGone(serverGoneAfter, client::replicaUpBesides);
        final AtomicReference<WaveRecord.Stop> stop = new AtomicReference<>();
        final AtomicReference<Throwable> bug = new AtomicReference<>();
        final CountDownLatch workers = new CountDownLatch(concurrency);
        final long start = System.nanoTime();
        final long stopAt;

        Wave(PromptSet prompts, int outputTokens, long waveNanos) {
            this.prompts = prompts;
            this.outputTokens = outputTokens;
            this.waveNanos = waveNanos;
            this.stopAt = start + waveNanos;
            this.done = Collections.synchronizedList(new ArrayList<>(prompts.size()));
        }

        /** A worker's next step: send its next request, or end. */
        void advance() {
            try {
                int size = prompts.size();
                long due = waveNanos == 0 ? start : System.nanoTime();
                if (waveNanos > 0 && due - stopAt >= 0) {
                    workers.countDown();
                    return;
                }
                int i = next.getAndIncrement();
                if (waveNanos == 0 && i >= size) {
                    workers.countDown();
                    return;
                }
                CompletionRequest request = prompts.request(i % size, outputTokens);
                stopIfGone(); // another worker's record may have found the server gone a moment ago
                WaveRecord.Stop stopped = stop.get();
                if (stopped != null) {
                    if (waveNanos == 0) {
                        done.add(notSent(request, i, due, stopped));
                    }
                    workers.countDown();
                    return;
                }
                // the next step runs on the client's threads, never inside this call: a chain of requests
                // that fail at once does not grow the stack
                client.sendAsync(request, i, due).whenCompleteAsync(this::ended, client.callbacks());
            } catch (RuntimeException | Error e) {
                bug.compareAndSet(null, e);
                workers.countDown();
            }
        }

        private void ended(RequestTimeline t, Throwable failure) {
            if (failure != null) {
                bug.compareAndSet(null, failure instanceof java.util.concurrent.CompletionException c && c.getCause() != null
                        ? c.getCause() : failure);
                workers.countDown();
                return;
            }
            done.add(t);
            gone.record(t);
            stopIfGone();
            advance();
        }

        /**
         * Stops the wave once the server is gone. Asked after every record and before every send,
         * so that no worker sends between another's record that found the server gone and its stop.
         */
        private void stopIfGone() {
            String reason = gone.reason();
            if (reason != null && stop.compareAndSet(null, new WaveRecord.Stop(reason, false))) {
                client.cutInFlight(ServerGone.WAVE_STOPPED, "cut when the wave stopped: " + reason);
            }
        }
    }

    private static RequestTimeline notSent(CompletionRequest request, int index, long due, WaveRecord.Stop stop) {
        return RequestTimeline.notSent(index, request.promptIndex(), due, System.nanoTime(), request.maxTokens(),
                ServerGone.NOT_SENT, "not sent: the wave stopped early, " + stop.reason());
    }

    /** Nothing to close: the workers are the client's, which its owner closes. */
    @Override
    public void close() {
    }
}
