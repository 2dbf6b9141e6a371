package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Extra fields for the body of every request: sampling settings ({@code temperature},
 * {@code top_p}, {@code top_k}, {@code seed}, {@code stop}, penalties) and fields only one engine
 * knows ({@code repetition_penalty}, {@code cache_prompt}, {@code chat_template_kwargs}, ...),
 * passed to the server as given. Becomes the JMH parameter {@code requestFields}; several values
 * make a sweep, e.g. greedy against sampled decoding.
 *
 * <p>Each value is a JSON object, {@code {"temperature": 0.7, "stop": ["\n\n", "END"]}}, or
 * {@code name=value} pairs separated by {@code ;}, {@code temperature=0.7;top_p=0.9;seed=7},
 * which also survives {@code -p requestFields=...} on the command line (JMH splits {@code -p}
 * values at commas; quote the value for the shell). A pair's value is JSON where it is JSON and a
 * string otherwise.
 *
 * <p>Default (annotation absent): no extra fields; the client sends {@code temperature 0} so that
 * runs are comparable. Limits: the fields that make the measurement cannot be set here —
 * {@code model}, {@code prompt}, {@code messages}, {@code stream}, {@code stream_options},
 * {@code max_tokens}, {@code max_completion_tokens}, {@code min_tokens}, {@code ignore_eos},
 * {@code n}, {@code best_of} — and a trial that tries stops before its engine starts, with one line.
 * A {@code stop} sequence can end a request before its output length: the results then report
 * fewer produced than requested tokens and warn.
 *
 * <pre>{@code
 * @RequestFields({"temperature=0", "temperature=0.8;top_p=0.95;seed=7"})
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface RequestFields {

    /** One set of fields per sweep point, as a JSON object or {@code name=value;...} pairs. */
    String[] value();
}
