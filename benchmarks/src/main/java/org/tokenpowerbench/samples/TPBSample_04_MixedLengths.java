package org.tokenpowerbench.samples;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.tokenpowerbench.annotations.Batch;
import org.tokenpowerbench.annotations.Model;
import org.tokenpowerbench.annotations.Prompts;
import org.tokenpowerbench.annotations.Workload;

/**
 * Sample 04: mixed lengths and timed waves — a workload that looks like traffic.
 *
 * <p>Samples 01 to 03 send prompts that are all exactly as long as each other and ask for exactly
 * as many tokens each. That is the right tool to measure one point of a curve; it is the wrong
 * picture of a service, whose requests differ. With equal lengths every request of a batch starts
 * and ends together, so the server fills and drains in lock-step; with mixed lengths short
 * requests leave while long ones still decode, new ones arrive into the gaps, and prefill of one
 * request overlaps decode of the others — the case the per-request phase attribution exists for.
 *
 * <p>{@code inputLengths = "uniform:0.5"} draws every prompt's length uniformly from half to one
 * and a half times {@code inputTokens}; {@code outputLengths = "normal:0.5:8:96"} draws every
 * output length from a normal around {@code outputTokens} with a standard deviation of half of it,
 * kept within 8..96 tokens. Each prompt is still built to its own exact length in the served
 * model's tokenizer, and the server is still made to produce exactly its own output length, so
 * every token count stays exact; the lengths come from {@code @Prompts(seed)}, so a rerun sends the
 * same set. {@code inputTokens} and {@code outputTokens} stay the means, and stay sweepable.
 *
 * <p>{@code @Workload(waveSeconds = 5)} makes each wave (one JMH iteration) five seconds of
 * back-to-back requests instead of one pass over the prompt set: the {@code batch} workers keep
 * sending, cycling through the prompts, until the time is up, and the requests still in flight
 * are waited for. A wave of fixed duration keeps ramp-up and drain a small, constant part of the
 * window whatever the lengths; a power profiler's {@code steady} figures (the part of the wave
 * where the pipeline is full) beside its whole-window ones show how small. In a timed
 * closed-loop wave a request becomes due when a worker is free to send it, so {@code queue} is
 * only the client's own delay.
 *
 * <p>Run it (from the project root, after building):
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar TPBSample_04 -prof cpu
 *   java -jar benchmarks/target/benchmarks.jar TPBSample_04 -p inputLengths=fixed,uniform:0.5 -p waveSeconds=5
 * </pre>
 * The second line puts equal and mixed prompt lengths side by side in one run: compare their
 * {@code ttft} and {@code itl} percentiles and the energy per prompt and per decode token.
 */
@Model("synthetic:llama-tiny")
@Prompts(inputTokens = 64, outputTokens = 32, count = 32, inputLengths = "uniform:0.5",
        outputLengths = "normal:0.5:8:96")
@Batch(4)
@Workload(waveSeconds = 5)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class TPBSample_04_MixedLengths {
}
