package org.tokenpowerbench.samples;

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.tokenpowerbench.annotations.Batch;
import org.tokenpowerbench.annotations.Model;
import org.tokenpowerbench.annotations.Prompts;

/**
 * Sample 02: how batch size moves the cost of a token.
 *
 * <p>Decoding one token reads every weight of the model once, whether one request or many share
 * that step; running requests together spreads that fixed cost over more tokens, until the
 * hardware runs out of compute. So joules per output token usually fall as the batch grows, and
 * latency per request (TPOT, E2E) rises. Where the curve flattens is the point of this sweep.
 *
 * <p>Each value of {@code @Batch} is a separate trial with its own engine (as many parallel slots
 * as the batch), because JMH's cartesian product of parameters is the sweep. The same sweep can
 * be set from the command line without recompiling, which overrides the annotation:
 * <pre>
 *   java -jar benchmarks/target/benchmarks.jar TPBSample_02 -prof cpu -p batch=1,2,4,8,16
 * </pre>
 * A parameter name that the benchmark does not have ({@code -p batchsize=4}) is an error that
 * lists the names it does have; JMH alone would silently ignore it.
 *
 * <p>Read the results side by side: {@code cpu.estimated.J/outputToken} against
 * {@code tpot.p50} and {@code output.tokens/s}. Add {@code -rf json} to keep them in JMH's JSON;
 * every request and every iteration is also in the run folder that the run prints at the end.
 */
@Model("synthetic:llama-tiny")
@Prompts(inputTokens = 64, outputTokens = 64, count = 32)
@Batch({1, 2, 4, 8})
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class TPBSample_02_BatchSweep {
}
