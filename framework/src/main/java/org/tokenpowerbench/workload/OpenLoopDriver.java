package org.tokenpowerbench.workload;

import org.tokenpowerbench.UserError;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.tokenpowerbench.client.CompletionRequest;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;

/**
 * Open-loop load: requests arrive on a schedule drawn from an {@link ArrivalProcess}, whether or
 * not the server has answered the earlier ones.
 *
 * <p>Each request is <em>due</em> at its scheduled arrival, and that is what its timeline records
 * as {@code queuedNanos}. One dispatcher (the calling thread) waits for each due time in order,
 * then for a free slot when {@code maxConcurrency} bounds the requests in flight, and sends the
 * request without waiting for its answer. Everything between due and the
 * moment the request's bytes go out — a full client, a late dispatch, a connection being opened —
 * is queue time, so a slow server can never thin out the load it is measured under (coordinated
 * omission). Requests wait first come, first served.
 *
 * <p>A wave is the {@code warmup} prompts (unmeasured) followed by the measured ones, on one
 * schedule: every prompt once, or in a timed wave every arrival due within the wave's time after
 * the first measured one (prompts in turn). The wave's window runs from the moment the first measured request is due to the end
 * of the last measured one; {@link WaveRecord#concurrency()} is {@code maxConcurrency}, or without
 * a bound the most requests that were in flight at once. Every wave of a driver draws the next
 * schedule from the seed, so a trial is reproducible wave by wave.
 *
 * <p>Senders: the dispatcher hands each request to {@link StreamingClient#sendAsync}; with the
 * default selector transport no thread waits for a stream, so unbounded concurrency costs sockets,
 * not threads (with OkHttp, a thread per request in flight).
 *
 * <p>When the server is gone ({@link ServerGone}) or the dispatcher is interrupted (JMH's iteration
 * timeout), the wave stops: requests in flight are cut, and every arrival not dispatched yet is
 * recorded as not sent, so the record has every request of the schedule.
 */
public final class OpenLoopDriver implements WaveDriver {

    private final StreamingClient client;
    private final ArrivalProcess arrivals;
    private final int maxConcurrency;
    private final PromptSet warmup;
    private final long seed;
    private final int serverGoneAfter;
    private int waves;
    private final Semaphore slots;
    private volatile List<RequestTimeline> lastWarmup = List.of();

    /**
     * @param maxConcurrency most requests in flight at once; 0 for no bound
     * @param warmup         prompts sent at the start of every wave and not measured (may be empty)
     * @param seed           seed of the arrival schedules
     */
    public OpenLoopDriver(StreamingClient client, ArrivalProcess arrivals, int maxConcurrency, PromptSet warmup,
                          long seed) {
        this(client, arrivals, maxConcurrency, warmup, seed, ServerGone.DEFAULT_LIMIT);
    }

    /**
     * @param serverGoneAfter requests in a row that could not connect or stalled before a wave
     *                        stops ({@link ServerGone}); 0 never
     */
    public OpenLoopDriver(StreamingClient client, ArrivalProcess arrivals, int maxConcurrency, PromptSet warmup,
                          long seed, int serverGoneAfter) {
        this.serverGoneAfter = serverGoneAfter;
        if (maxConcurrency < 0) {
            throw new UserError("maxConcurrency=" + maxConcurrency + " is not allowed: give the most"
                    + " requests in flight at once, or 0 for no bound (-p maxConcurrency=...)");
        }
        this.client = client;
        this.arrivals = arrivals;
        this.maxConcurrency = maxConcurrency;
        this.warmup = warmup == null ? new PromptSet(List.of(), -1, "none") : warmup;
        this.seed = seed;
        this.slots = maxConcurrency > 0 ? new Semaphore(maxConcurrency, true) : null;
    }

    public ArrivalProcess arrivals() {
        return arrivals;
    }

    /** The timelines of the last wave's warm-up requests (not part of the wave). */
    public List<RequestTimeline> lastWarmup() {
        return lastWarmup;
    }

    /**
     * Sends the warm-up prompts and then every prompt of {@code prompts} once, each at its
     * scheduled arrival, and returns the measured part of the wave.
     */
    @Override
    public WaveRecord run(PromptSet prompts, int outputTokens, long waveNanos) {
        if (waveNanos < 0) {
            throw new IllegalArgumentException("a wave cannot last " + waveNanos + " ns");
        }
        int w = warmup.size();
        long waveSeed = waveSeed(seed, waves++);
        long[] offsets = waveNanos == 0 ? arrivals.offsetsNanos(w + prompts.size(), waveSeed)
                : arrivals.offsetsWithinNanos(w, waveNanos, waveSeed);
        return run(prompts, outputTokens, offsets);
    }

    /**
     * The arrival offsets (nanoseconds after the first) of wave {@code wave} (0 for the first) of
     * a driver with this seed: warm-up requests first, then the measured ones.
     */
    public static long[] schedule(ArrivalProcess arrivals, long seed, int wave, int requests) {
        return arrivals.offsetsNanos(requests, waveSeed(seed, wave));
    }

    /** The seed of wave {@code wave}'s schedule: each wave of a trial draws its own, reproducibly. */
    private static long waveSeed(long seed, int wave) {
        return new SplittableRandom(seed + wave * 0x9E3779B97F4A7C15L).nextLong();
    }

    private WaveRecord run(PromptSet prompts, int outputTokens, long[] offsets) {
        int w = warmup.size();
        int total = offsets.length;
        List<Future<RequestTimeline>> futures = new ArrayList<>(total);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ServerGone gone = new ServerGone(serverGoneAfter, client::replicaUpBesides);
        AtomicReference<WaveRecord.Stop> stop = new AtomicReference<>();
        Thread dispatcher = Thread.currentThread();
        long t0 = System.nanoTime();
        try {
            for (int i = 0; i < total && stop.get() == null; i++) {
                long due = t0 + offsets[i];
                if (!waitUntil(due, stop)) {
                    break;
                }
                if (slots != null) {
                    slots.acquire();
                    if (stop.get() != null) { // it stopped while this arrival waited for a slot
                        slots.release();
                        break;
                    }
                }
                boolean measured = i >= w;
                int index = measured ? i - w : i;
                CompletionRequest request = request(prompts, outputTokens, i);
                peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                java.util.concurrent.CompletableFuture<RequestTimeline> sent;
                try {
                    sent = client.sendAsync(request, index, due);
                } catch (RuntimeException e) {
                    inFlight.decrementAndGet();
                    if (slots != null) {
                        slots.release();
                    }
                    throw e;
                }
                futures.add(sent.whenComplete((t, failure) -> {
                    inFlight.decrementAndGet();
                    if (slots != null) {
                        slots.release();
                    }
                    if (t != null) {
                        String reason = gone.record(t);
                        if (reason != null && stop.compareAndSet(null, new WaveRecord.Stop(reason, false))) {
                            client.cutInFlight(ServerGone.WAVE_STOPPED, "cut when the wave stopped: " + reason);
                            LockSupport.unpark(dispatcher); // it may be waiting for the next arrival
                        }
                    }
                }));
            }
        } catch (InterruptedException e) {
            interrupted(stop);
        }
        RequestTimeline[] all = new RequestTimeline[total];
        for (int i = 0; i < futures.size(); i++) {
            while (all[i] == null) {
                try {
                    all[i] = futures.get(i).get();
                } catch (InterruptedException e) {
                    interrupted(stop);
                } catch (ExecutionException e) {
                    throw new IllegalStateException("a client sender failed: " + e.getCause(), e.getCause());
                }
            }
        }
        WaveRecord.Stop stopped = stop.get();
        for (int i = futures.size(); i < total; i++) { // the arrivals not dispatched
            CompletionRequest request = request(prompts, outputTokens, i);
            all[i] = RequestTimeline.notSent(i >= w ? i - w : i, request.promptIndex(), t0 + offsets[i], System.nanoTime(),
                    request.maxTokens(), ServerGone.NOT_SENT, "not sent: the wave stopped early, " + stopped.reason());
        }
        lastWarmup = List.of(Arrays.copyOfRange(all, 0, w));
        RequestTimeline[] done = Arrays.copyOfRange(all, w, total);
        long start = t0 + (total > w ? offsets[w] : 0);
        long end = Arrays.stream(done).filter(RequestTimeline::wasSent).mapToLong(RequestTimeline::doneNanos)
                .max().orElse(start);
        int concurrency = maxConcurrency > 0 ? maxConcurrency : peak.get();
        return new WaveRecord(start, Math.max(start, end), concurrency, List.of(done), stopped);
    }

    /** The request of arrival {@code i}: a warm-up prompt, then the measured ones in turn. */
    private CompletionRequest request(PromptSet prompts, int outputTokens, int i) {
        int w = warmup.size();
        return i >= w ? prompts.request((i - w) % prompts.size(), outputTokens) : warmup.request(i, outputTokens);
    }

    /** JMH's iteration timeout: the wave stops, and what is in flight is cut so that it ends now. */
    private void interrupted(AtomicReference<WaveRecord.Stop> stop) {
        stop.compareAndSet(null, new WaveRecord.Stop(ServerGone.INTERRUPTED_REASON, true));
        client.cutInFlight(ServerGone.INTERRUPTED, "cut when the iteration was interrupted");
    }

    /**
     * Parks until {@link System#nanoTime()} reaches {@code due}; overshoot becomes queue time.
     * Returns false, early, when the wave has stopped.
     */
    private static boolean waitUntil(long due, AtomicReference<WaveRecord.Stop> stop) throws InterruptedException {
        long left;
        while ((left = due - System.nanoTime()) > 0) {
            if (stop.get() != null) {
                return false;
            }
            LockSupport.parkNanos(left);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return stop.get() == null;
    }

    /** Nothing to close: requests go out on the client's threads, which its owner closes. */
    @Override
    public void close() {
    }
}
