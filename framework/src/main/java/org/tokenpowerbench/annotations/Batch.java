package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requests in flight at once (closed loop): each of {@code batch} client workers sends a request,
 * waits for its last token, and sends the next, until the wave's prompts are used up. Becomes the
 * JMH parameter {@code batch}; {@code -p batch=1,8,32} sweeps it. The embedded engine opens as
 * many parallel slots as the batch, so the server really runs them together.
 *
 * <p>Time a request waits for a free worker is reported as queue time, never as prefill.
 *
 * <p>Default (annotation absent): {@code {1}}. Limits: at least one value, each at least 1.
 *
 * <pre>{@code
 * @Batch({1, 4, 16})
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Batch {
    /** One or more concurrency levels; several make a sweep. */
    int[] value();
}
