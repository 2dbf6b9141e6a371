package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Weight format. Becomes the JMH parameter {@code quantization}.
 *
 * <p>For a {@code synthetic:} model it chooses the tensor type the project writes: {@code f32},
 * {@code f16}, {@code q8_0} or {@code q4_0}. With a managed engine ({@code launch:...}) it becomes
 * the engine's own flag (vLLM's {@code --dtype} or {@code --quantization}, ...; for a GGUF file on
 * {@code launch:llama-server} it must be the file's own type). For a GGUF file on the embedded
 * engine or a remote server it is a label recorded with the results (the file or the server
 * decides the real format); use {@code auto} there to say so. A sweep of several values against
 * such a fixed server is refused before the first trial: it would measure one server.
 *
 * <p>Default (annotation absent): {@code {"f16"}}. Limits: at least one value, none blank, none with a
 * blank at its start or end.
 *
 * <pre>{@code
 * @Quantization({"f16", "q8_0", "q4_0"})
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Quantization {
    /** One or more weight formats; several make a sweep. */
    String[] value();
}
