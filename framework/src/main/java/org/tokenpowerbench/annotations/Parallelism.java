package org.tokenpowerbench.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a managed engine spreads the model over GPUs: {@code tensor} parallel size (each matrix
 * split across GPUs), {@code pipeline} parallel size (the layers split into stages) and
 * {@code data} parallel replicas (whole copies sharing the requests). Becomes the JMH parameters
 * {@code tensorParallel}, {@code pipelineParallel} and {@code dataParallel}, so
 * {@code -p tensorParallel=1,2,4} sweeps it; without this annotation the benchmark has no such
 * parameters and every trial runs at 1.
 *
 * <p>These axes need a different server process per value, so they mean something only with a
 * managed engine ({@code @Engine("launch:vllm")}, {@code -p engine=launch:...}), which passes them
 * as the engine's own flags (vLLM {@code --tensor-parallel-size}, SGLang {@code --tp-size}, TGI
 * {@code --num-shard}, ...). A sweep of several values against a fixed server is refused before the
 * first trial, and an engine without the flag (llama-server has none) refuses a value above 1.
 *
 * <p>Default (annotation absent, or a member left out): {@code {1}}. Limits: at least one value per
 * member, each at least 1. A trial's description shows a size only when it is not 1.
 *
 * <pre>{@code
 * @Engine("launch:vllm")
 * @Parallelism(tensor = {1, 2, 4}, pipeline = 1, data = 1)
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface Parallelism {
    /** Tensor-parallel sizes; several make a sweep. */
    int[] tensor() default {1};

    /** Pipeline-parallel sizes; several make a sweep. */
    int[] pipeline() default {1};

    /** Data-parallel replicas; several make a sweep. */
    int[] data() default {1};
}
