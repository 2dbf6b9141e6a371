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
 * {@code f16}, {@code q8_0} or {@code q4_0}. For a GGUF file or a remote server it is a label
 * recorded with the results (the file or the server decides the real format); use
 * {@code auto} there to say so.
 *
 * <p>Default (annotation absent): {@code {"f16"}}. Limits: at least one value, none blank.
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
