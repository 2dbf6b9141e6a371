package org.tokenpowerbench.workload;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;

/**
 * Closed-loop load: {@code concurrency} workers, each sending its next request as soon as its
 * previous one has finished, until every prompt of the set has been sent once. Every request
 * becomes due when the wave starts, so the time it waits for a free worker is its queue time.
 */
public final class ClosedLoopDriver implements WaveDriver {

    private final StreamingClient client;
    private final int concurrency;
    private final ExecutorService workers;

    public ClosedLoopDriver(StreamingClient client, int concurrency) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("batch must be at least 1, was " + concurrency);
        }
        this.client = client;
        this.concurrency = concurrency;
        this.workers = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "tpb-worker");
            t.setDaemon(true);
            return t;
        });
    }

    /** Sends every prompt once, {@code concurrency} at a time, and returns the wave. */
    @Override
    public WaveRecord run(PromptSet prompts, int outputTokens) {
        AtomicInteger next = new AtomicInteger();
        List<RequestTimeline> done = Collections.synchronizedList(new ArrayList<>(prompts.size()));
        long start = System.nanoTime();
        List<Future<?>> futures = new ArrayList<>(concurrency);
        for (int w = 0; w < concurrency; w++) {
            futures.add(workers.submit(() -> {
                int i;
                while ((i = next.getAndIncrement()) < prompts.size()) {
                    done.add(client.send(prompts.request(i, outputTokens), i, start));
                }
            }));
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the wave", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("a client worker failed: " + e.getCause(), e.getCause());
            }
        }
        long end = System.nanoTime();
        List<RequestTimeline> ordered = new ArrayList<>(done);
        ordered.sort((a, b) -> Integer.compare(a.index(), b.index()));
        return new WaveRecord(start, end, concurrency, ordered);
    }

    @Override
    public void close() {
        workers.shutdownNow();
    }
}
