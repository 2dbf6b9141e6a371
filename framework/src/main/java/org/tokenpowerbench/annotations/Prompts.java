package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The synthetic prompt set of every measured wave: {@link #count()} prompts of exactly
 * {@link #inputTokens()} tokens in the served model's tokenizer, each asking for exactly
 * {@link #outputTokens()} generated tokens. Becomes the JMH parameters {@code inputTokens},
 * {@code outputTokens} and {@code prompts}.
 *
 * <p>Input length is exact where the tokenizer is reachable (the embedded engine always; a
 * remote server through its {@code /tokenize} endpoint); the prompt token count in the results
 * comes from the server's {@code usage} and says so. Output length is forced with
 * {@code max_tokens} plus {@code ignore_eos} / {@code min_tokens}; the results report how many
 * tokens were actually produced.
 *
 * <p>Lengths may spread around those values instead of being fixed:
 * {@link #inputLengths()} and {@link #outputLengths()} (JMH parameters of the same names) take
 * {@code fixed}, {@code uniform:W} (lengths uniform in mean·(1−W)..mean·(1+W)), {@code normal:S}
 * (standard deviation S·mean, redrawn within three deviations) or {@code normal:S:MIN:MAX}
 * (redrawn within MIN..MAX tokens). Each prompt is still built to its own exact length; the
 * lengths are drawn from {@link #seed()}, so the same seed gives the same set.
 *
 * <p>Defaults: 128 input tokens, 64 output tokens, 16 prompts, seed 42, fixed lengths. Limits:
 * every number at least 1; {@code inputTokens} (and every drawn length) at least 2 where the
 * tokenizer adds a begin-of-sequence token; {@code inputLengths} does not combine with
 * {@code @ContextLength} (whose lengths are exact by definition) and neither applies with
 * {@code @Dataset} (whose entries bring their own).
 *
 * <pre>{@code
 * @Prompts(inputTokens = 512, outputTokens = 128, count = 64)
 * @Prompts(inputTokens = 512, inputLengths = "uniform:0.5", outputLengths = "normal:0.25:16:256")
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Prompts {
    /** Prompt length in tokens, including the begin-of-sequence token the server adds. */
    int[] inputTokens() default {128};

    /** Tokens to generate per request. */
    int[] outputTokens() default {64};

    /** Prompts (and so requests) per measured wave. */
    int count() default 16;

    /** Seed of the prompt text generator: the same seed gives the same prompts. */
    long seed() default 42;

    /**
     * How prompt lengths spread around {@link #inputTokens()}: {@code fixed}, {@code uniform:W},
     * {@code normal:S} or {@code normal:S:MIN:MAX}; several make a sweep.
     */
    String[] inputLengths() default {"fixed"};

    /** How output lengths spread around {@link #outputTokens()}; same forms as {@link #inputLengths()}. */
    String[] outputLengths() default {"fixed"};
}
