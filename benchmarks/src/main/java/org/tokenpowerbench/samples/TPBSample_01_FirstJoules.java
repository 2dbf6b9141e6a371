package org.tokenpowerbench.samples;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.tokenpowerbench.annotations.Batch;
import org.tokenpowerbench.annotations.Model;
import org.tokenpowerbench.annotations.Prompts;
import org.tokenpowerbench.annotations.Quantization;

/**
 * Sample 01: your first joules per token.
 *
 * <p>An energy benchmark is a class with annotations and no code. {@code @Model} says what runs:
 * here a tiny llama-shaped model that the project writes itself with random weights, because the
 * energy of inference depends on the shape of the network (its matrix sizes), not on the values
 * of its weights, and a generated model needs no download. {@code @Prompts} says what each
 * measured wave sends: 16 prompts of exactly 128 tokens, each generating exactly 64 tokens.
 * {@code @Batch} says how many requests are in flight at once; two values make a sweep of two
 * trials. {@code @Quantization} picks the weight format the model is written in.
 *
 * <p>Nothing here names an engine, so the default is used: llama.cpp embedded in the benchmark's
 * own JVM, behind an OpenAI-compatible streaming HTTP endpoint on a loopback port. The client
 * talks to it exactly as it would to vLLM on a GPU server, so the HTTP path is part of what is
 * measured.
 *
 * <p>JMH's own {@code @Warmup}, {@code @Measurement} and {@code @Fork} work as usual. One
 * iteration is one wave (JMH's single-shot mode): the first wave warms caches and the engine's
 * allocator, three more are measured, and JMH reports their mean with a confidence interval.
 *
 * <p>Run it (from the project root, after building):
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar TPBSample_01 -prof cpu
 * </pre>
 * {@code -prof cpu} estimates the CPU energy of the embedded engine from its CPU seconds; every
 * number it gives says {@code estimated}. On a machine where you can read RAPL counters, use
 * {@code -prof rapl} for a measurement; on an NVIDIA GPU host, {@code -prof nvml}.
 */
@Model("synthetic:llama-tiny")
@Prompts(inputTokens = 128, outputTokens = 64, count = 16)
@Batch({1, 4})
@Quantization("f16")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class TPBSample_01_FirstJoules {
}
