package ${package};

import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Warmup;
import org.tokenpowerbench.annotations.Batch;
import org.tokenpowerbench.annotations.Model;
import org.tokenpowerbench.annotations.Prompts;
import org.tokenpowerbench.annotations.Quantization;

/**
 * Your energy benchmark: a class with annotations and no code. The build turns it into the JMH
 * benchmark {@code MyEnergyBenchmark_Energy.wave}.
 *
 * <p>As written it runs a tiny llama-shaped model with random weights that TokenPowerBench
 * writes itself (energy depends on a network's shape, not its weights), on llama.cpp embedded in
 * the benchmark's JVM: no GPU, no server, no download. Point it at your own model and server on
 * the command line, no rebuild needed:
 * <pre>
 *   java -jar target/benchmarks.jar -prof nvml -p engine=http://gpu-host:8000 -p model=my-model -p quantization=auto
 * </pre>
 */
@Model("synthetic:llama-tiny")
@Prompts(inputTokens = 128, outputTokens = 64, count = 16)
@Batch({1, 4})
@Quantization("f16")
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(1)
public class MyEnergyBenchmark {
}
