package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Prompts from a file instead of synthetic ones. Becomes the JMH parameter {@code dataset}, so
 * {@code -p dataset=/data/a.jsonl,/data/b.json} sweeps files. Each wave sends
 * {@link Prompts#count()} entries sampled from the file without replacement, seeded by
 * {@link Prompts#seed()}: the same seed gives the same entries in the same order.
 *
 * <p>Two formats, told apart by the first character of the file:
 * <ul>
 *   <li><b>JSONL</b> — one JSON object per line: {@code {"prompt": "..."}} or a chat
 *       {@code {"messages": [{"role": "user", "content": "..."}, ...]}}, optionally with
 *       {@code "output_tokens": 128}. Chat messages are sent as they are to
 *       {@code @Engine(api = "chat")}; to the completions API their contents are joined with
 *       blank lines. Blank lines are skipped.</li>
 *   <li><b>ShareGPT JSON</b> — a list of {@code {"conversations": [{"from": "human", "value":
 *       "..."}, {"from": "gpt", "value": "..."}, ...]}}: the prompt is the first human turn, the
 *       output length the token count (in the served model's tokenizer) of the first gpt turn
 *       after it, as common serving benchmarks do. Conversations without such a pair are skipped
 *       and counted.</li>
 * </ul>
 * An entry without its own output length gets {@link Prompts#outputTokens()}. Entries whose
 * prompt plus output tokens exceed {@link #maxTokens()} are skipped (the served tokenizer decides;
 * without one nothing is skipped, output lengths fall back to {@code outputTokens}, and the
 * results say so). A missing or malformed file stops the trial with one line naming the path and
 * line. A relative path is resolved against the directory {@code java -jar} runs in.
 *
 * <p>With a dataset, {@link Prompts#inputTokens()} does not apply (a compile error if given), and
 * neither does {@link ContextLength}. Defaults: there is none for the path; {@code maxTokens}
 * 2048. Limits: at least one path, none blank, none with a blank at
 * its start or end; {@code maxTokens} at least 2.
 *
 * <pre>{@code
 * @Dataset("data/sharegpt-sample.json")
 * @Prompts(count = 64, outputTokens = 128, seed = 1)
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Dataset {

    /** Path of a JSONL or ShareGPT JSON file; several make a sweep. */
    String[] value();

    /**
     * Largest prompt plus output length, in tokens, of an entry that is used; longer ones are
     * skipped. The embedded engine sizes each slot's context to it.
     */
    int maxTokens() default 2048;
}
