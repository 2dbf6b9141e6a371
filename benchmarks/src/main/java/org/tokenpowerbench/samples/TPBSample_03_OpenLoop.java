package org.tokenpowerbench.samples;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.tokenpowerbench.annotations.Model;
import org.tokenpowerbench.annotations.Prompts;
import org.tokenpowerbench.annotations.Slo;
import org.tokenpowerbench.annotations.Workload;

/**
 * Sample 03: open loop — load that does not wait for the server.
 *
 * <p>Samples 01 and 02 run a closed loop: {@code batch} workers each send their next request when
 * the previous one has finished. A batch job behaves like that; the users of a service do not:
 * they arrive when they arrive. In a closed loop a slow server slows down its own load — while it
 * stalls, no new request comes, so the stall is seen by a handful of requests instead of by every
 * request that would have arrived meanwhile. That is <em>coordinated omission</em>, and it makes
 * latency percentiles look better than what users get.
 *
 * <p>{@code @Workload(rate = ...)} sends requests at a rate, on a Poisson schedule drawn from
 * {@code @Prompts(seed)}: every request is due at its arrival time whether or not the earlier ones
 * have finished. When it cannot go out at once — here {@code maxConcurrency = 8} keeps at most
 * eight in flight from the client — the wait is its {@code queue} time, and {@code latency} (due
 * to last token, that is queue plus E2E) is what the user waited. TTFT and E2E keep their
 * definitions (from the moment the request was sent); nothing is hidden, it is reported beside.
 *
 * <p>The sweep is over the arrival rate. Below the server's capacity, {@code latency} stays close
 * to E2E and {@code requests/s} follows the offered rate; joules per output token fall as the
 * busier server spreads its fixed power over more tokens. Past capacity, {@code requests/s} stops
 * following, queue time grows with every request of the wave, and {@code goodput.share} — the share
 * of requests that met the {@code @Slo}, queue time included — drops. The highest rate that keeps
 * goodput near 1 is the useful capacity of this set-up, and the energy per <em>good</em> token
 * there is its honest cost.
 *
 * <p>Four warm-up requests open every wave on the same schedule, unmeasured, so that the measured
 * window starts on a server that is already busy; it ends when the last measured request ends.
 * The embedded engine gets {@code max(batch, maxConcurrency)} = 8 parallel slots, so the server
 * could take everything the client lets through.
 *
 * <p>Run it (from the project root, after building):
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar TPBSample_03 -prof cpu
 *   java -jar benchmarks/target/benchmarks.jar TPBSample_03 -p rate=10,40,160,640 -p arrivals=gamma -p burstiness=0.5
 * </pre>
 * The second line sweeps other rates with bursty arrivals (gamma gaps of shape 0.5: the same mean,
 * more bunching), which a server with a small batch absorbs worse than Poisson arrivals.
 */
@Model("synthetic:llama-tiny")
@Prompts(inputTokens = 64, outputTokens = 32, count = 32)
@Workload(rate = {10, 40, 160}, maxConcurrency = 8, warmupRequests = 4)
@Slo(ttftMs = 200, tpotMs = 20)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class TPBSample_03_OpenLoop {
}
