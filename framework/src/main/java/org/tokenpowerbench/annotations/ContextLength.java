package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A context-length sweep: prompts of exactly this many tokens in the served model's tokenizer
 * (the begin-of-sequence token the server adds included), built as {@link Prompts} builds them.
 * Becomes the JMH parameter {@code contextLength}, so {@code -p contextLength=1024,4096,16384}
 * sweeps it.
 *
 * <p>It is the prompt-length axis under a name that says what is being swept: when present, it
 * replaces {@link Prompts#inputTokens()} (the generated benchmark has a {@code contextLength}
 * parameter and no {@code inputTokens} one, and giving both is a compile error).
 * {@link Prompts#outputTokens()}, {@code count} and {@code seed} still apply; the embedded engine
 * sizes each slot for {@code contextLength + outputTokens}. A model whose trained context is
 * shorter will still be asked for it: that is the point of the sweep, and the server's answer
 * (an error, or degraded output) is recorded.
 *
 * <p>Default: there is none; without this annotation the prompt length is
 * {@code @Prompts(inputTokens)}. Limits: at least one value, each at least 1 (at least 2 where the
 * tokenizer adds a begin-of-sequence token); not together with {@link Dataset}.
 *
 * <pre>{@code
 * @ContextLength({512, 2048, 8192})
 * @Prompts(outputTokens = 64, count = 8)
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface ContextLength {
    /** Prompt lengths in tokens; several make a sweep. */
    int[] value();
}
