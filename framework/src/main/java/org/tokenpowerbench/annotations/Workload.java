package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Open-loop load: requests arrive at {@link #rate()} per second on a seeded random schedule,
 * whether or not the server has answered the earlier ones, as users of a real service do. Each
 * member becomes a JMH parameter of the same name ({@code rate}, {@code arrivals},
 * {@code burstiness}, {@code maxConcurrency}, {@code warmupRequests}, {@code waveSeconds}), so
 * {@code -p rate=2,4,8} sweeps the arrival rate without recompiling.
 *
 * <p><b>Why open loop.</b> A closed loop ({@link Batch}) sends the next request only when one has
 * finished, so a slow server slows the load down and its worst moments are sampled less
 * (coordinated omission). Here every request is <em>due</em> at its scheduled arrival; the time
 * from due to the moment its bytes go out — waiting for a free slot under
 * {@link #maxConcurrency()}, or a late dispatch — is reported as {@code queue}, and
 * {@code latency} (due to last token, that is queue plus E2E) shows what the user waited. An
 * {@link Slo} is checked against that, so queueing is never hidden.
 *
 * <p>One wave (one JMH iteration) is {@link #warmupRequests()} unmeasured requests followed by
 * {@link Prompts#count()} measured ones, all on one schedule. The wave's window — where latency
 * and energy are measured — runs from the moment the first measured request is due to the end of
 * the last measured one. Arrival times are drawn from {@link Prompts#seed()}: the same seed gives
 * the same schedule; every wave of a trial draws the next one.
 *
 * <p>{@link Batch} keeps its meaning for the server: the embedded engine opens
 * {@code max(batch, maxConcurrency)} parallel slots; requests beyond those wait inside the server,
 * which shows in their TTFT.
 *
 * <p>Defaults (annotation absent, or member not given): rate 0 (closed loop, as without this
 * annotation), {@code poisson} arrivals, burstiness 1, unbounded concurrency, no warm-up requests,
 * one pass over the prompts per wave. Limits: rate &gt;= 0; arrivals {@code poisson} or
 * {@code gamma}; burstiness &gt; 0, and 1 unless arrivals are {@code gamma}; maxConcurrency &gt;= 0;
 * warmupRequests &gt;= 0 (used in open loop only; a closed loop warms up with JMH's warm-up
 * iterations); waveSeconds from 0 to 86,400.
 *
 * <pre>{@code
 * @Workload(rate = {1, 2, 4, 8}, arrivals = "gamma", burstiness = 0.5, maxConcurrency = 16, warmupRequests = 4)
 * @Workload(waveSeconds = 30) // closed loop, each wave 30 s of back-to-back requests
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Workload {

    /**
     * Requests per second, on average; several make a sweep. 0 is a closed loop driven by
     * {@link Batch}, so {@code {0, 2, 4}} compares both.
     */
    double[] rate() default {0};

    /**
     * {@code poisson}: exponential gaps between arrivals (independent users).
     * {@code gamma}: gamma-distributed gaps with shape {@link #burstiness()} and the same mean.
     */
    String arrivals() default "poisson";

    /**
     * Shape of the gamma distribution of gaps (the mean stays {@code 1/rate}): below 1 arrivals
     * come in bursts, above 1 they are more even, 1 is Poisson. Several make a sweep.
     */
    double[] burstiness() default {1};

    /**
     * Most requests in flight at once from the client; a request due while all are busy waits,
     * and that wait is its queue time. 0: no limit. Several make a sweep.
     */
    int[] maxConcurrency() default {0};

    /** Requests sent at the start of every wave, on the same schedule, and not measured. */
    int warmupRequests() default 0;

    /**
     * How long a wave (one JMH iteration) keeps sending, in seconds; 0 (the default) sends the
     * prompt set once. A timed wave cycles through the prompts (request {@code i} uses prompt
     * {@code i mod count}) and waits for the requests still in flight when the time is up; in
     * open loop it holds every arrival due within the time, in closed loop ({@code rate = 0})
     * every worker keeps sending until then. Several make a sweep; at most 86,400.
     */
    double[] waveSeconds() default {0};
}
