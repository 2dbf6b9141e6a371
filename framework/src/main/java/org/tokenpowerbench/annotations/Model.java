package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The model (or models) to benchmark. Becomes the JMH parameter {@code model}, so
 * {@code -p model=a,b} sweeps it from the command line.
 *
 * <p>A value is one of:
 * <ul>
 *   <li>{@code synthetic:<shape>} — a GGUF file the project writes itself, with random weights in
 *       the exact shape of a named architecture ({@code llama-tiny}, {@code llama-100m}); served by
 *       the embedded engine. Energy depends on shape, not on weight values, so no download is
 *       needed. Cached under {@code ~/.cache/tokenpowerbench/models};</li>
 *   <li>a path to a {@code .gguf} file, served by the embedded engine;</li>
 *   <li>with {@link Engine} set to a URL: the model id the server serves
 *       (for example {@code meta-llama/Llama-3.1-8B-Instruct}).</li>
 * </ul>
 *
 * <p>Default: there is none; the annotation is required. Limits: at least one value, none blank, none
 * with a blank at its start or end (a compile error, and the same from {@code -p model=a, b}, whose second
 * value is {@code " b"}). The class must be top level or nested: a local class (declared inside a
 * method) is not shown to annotation processors, so it is skipped without a word.
 *
 * <pre>{@code
 * @Model({"synthetic:llama-tiny", "synthetic:llama-100m"})
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Model {
    /** One or more model specifications; several make a sweep. */
    String[] value();
}
