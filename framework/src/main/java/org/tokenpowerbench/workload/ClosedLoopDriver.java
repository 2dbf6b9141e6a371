package org.tokenpowerbench.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
    private final ExecutorService workers;

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
        this.workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "tpb-worker");
            t.setDaemon(true);
            return t;
        });
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
        AtomicInteger next = new AtomicInteger();
        List<RequestTimeline> done = Collections.synchronizedList(new ArrayList<>(prompts.size()));
        ServerGone gone = new ServerGone(serverGoneAfter, client::replicaUpBesides);
        AtomicReference<WaveRecord.Stop> stop = new AtomicReference<>();
        long start = System.nanoTime();
        long stopAt = start + waveNanos;
        int size = prompts.size();
        List<Future<?>> futures = new ArrayList<>(concurrency);
        for (int w = 0; w < concurrency; w++) {
            futures.add(workers.submit(() -> {
                while (true) {
                    long due = waveNanos == 0 ? start : System.nanoTime();
                    if (waveNanos > 0 && due - stopAt >= 0) {
                        return;
                    }
                    int i = next.getAndIncrement();
                    if (waveNanos == 0 && i >= size) {
                        return;
                    }
                    CompletionRequest request = prompts.request(i % size, outputTokens);
                    WaveRecord.Stop stopped = stop.get();
                    if (stopped != null) {
                        if (waveNanos == 0) {
                            done.add(notSent(request, i, due, stopped));
                        }
                        return;
                    }
                    RequestTimeline t = client.send(request, i, due);
                    done.add(t);
                    String reason = gone.record(t);
                    if (reason != null && stop.compareAndSet(null, new WaveRecord.Stop(reason, false))) {
                        client.cutInFlight(ServerGone.WAVE_STOPPED, "cut when the wave stopped: " + reason);
                    }
                }
            }));
        }
        for (Future<?> f : futures) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    // JMH's iteration timeout: cut what is in flight, let the workers end, record the wave
                    stop.compareAndSet(null, new WaveRecord.Stop(ServerGone.INTERRUPTED_REASON, true));
                    client.cutInFlight(ServerGone.INTERRUPTED, "cut when the iteration was interrupted");
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a client worker failed: " + e.getCause(), e.getCause());
                }
            }
        }
        long end = System.nanoTime();
        WaveRecord.Stop stopped = stop.get();
        if (stopped != null && waveNanos == 0) {
            for (int i = next.get(); i < size; i++) { // the prompts no worker took
                done.add(notSent(prompts.request(i, outputTokens), i, start, stopped));
            }
        }
        List<RequestTimeline> ordered = new ArrayList<>(done);
        ordered.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new WaveRecord(start, end, concurrency, ordered, stopped);
    }

    private static RequestTimeline notSent(CompletionRequest request, int index, long due, WaveRecord.Stop stop) {
        return RequestTimeline.notSent(index, request.promptIndex(), due, System.nanoTime(), request.maxTokens(),
                ServerGone.NOT_SENT, "not sent: the wave stopped early, " + stop.reason());
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
