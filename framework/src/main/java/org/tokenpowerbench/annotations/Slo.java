package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Service-level objectives per request, for goodput: the results add {@code goodput.share} (share
 * of the wave's requests that succeeded and met every objective given), {@code goodput.requests/s}
 * (those requests per second of the wave's window) and {@code goodput.outputTokens/s}; the run
 * folder gets the number of good requests and their output tokens, which the power profilers use
 * for energy per <em>good</em> output token.
 *
 * <p>Times are checked as the user sees them: {@link #ttftMs()} against queue + TTFT and
 * {@link #e2eMs()} against queue + E2E, so time spent waiting for a client slot or for a late
 * dispatch counts against the objective (coordinated omission is never hidden). {@link #tpotMs()}
 * is checked against TPOT; a request with a single output token has no TPOT and passes it. In a
 * closed loop ({@link Batch}) every request is due when its wave starts, so later requests carry
 * the wait for earlier ones: goodput is most meaningful in open loop ({@link Workload}).
 *
 * <p>Defaults: every objective 0, which means none. Limits: each &gt;= 0, at least one &gt; 0.
 * They are constants of the benchmark, not sweep axes.
 *
 * <pre>{@code
 * @Slo(ttftMs = 500, tpotMs = 50)
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Slo {

    /** Most milliseconds from due to the first token (queue + TTFT); 0: no objective. */
    double ttftMs() default 0;

    /** Most milliseconds per output token after the first (TPOT); 0: no objective. */
    double tpotMs() default 0;

    /** Most milliseconds from due to the last token (queue + E2E); 0: no objective. */
    double e2eMs() default 0;
}
