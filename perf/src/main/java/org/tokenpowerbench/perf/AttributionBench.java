package org.tokenpowerbench.perf;

import org.tokenpowerbench.stats.LatencyHistogram;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.energy.AttributionPolicy;
import org.tokenpowerbench.energy.PhaseAttribution;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.energy.WaveEnergy;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerTrace;

/**
 * How long the profiler's per-iteration energy work takes for a big wave: {@code requests}
 * requests (closed loop, {@code inFlight} in flight, random prompt and output lengths) over a trace
 * of {@code samples} samples of one fused GPU (a power channel on every sample, a counter every
 * 100th) — building the {@link PowerSignal} and attributing the wave under a policy, the two
 * steps {@code PowerProfiler.afterIteration} runs per policy.
 *
 * <pre>
 *   java -jar perf/target/perf.jar AttributionBench -f 1 -wi 3 -i 5
 * </pre>
 * The claim it backs (docs/attribution.md): 10,000 requests and 100,000 samples in well under a
 * second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AttributionBench {

    @Param("10000")
    public int requests;

    @Param("100000")
    public int samples;

    @Param("64")
    public int inFlight;

    @Param({"token-weighted", "equal-share"})
    public String policy;

    private PowerTrace trace;
    private PowerSignal signal;
    private List<RequestTimeline> timelines;
    private long from;
    private long to;
    private AttributionPolicy chosen;

    @Setup
    public void setUp() {
        Random rnd = new Random(42);
        long t0 = 1_000_000_000_000L;
        long period = 10_000_000L; // 10 ms
        long[] t = new long[samples];
        double[] counter = new double[samples];
        double[] power = new double[samples];
        double joules = 0;
        for (int i = 0; i < samples; i++) {
            t[i] = t0 + i * period + rnd.nextInt(200_000);
            power[i] = 150 + 400 * rnd.nextDouble();
            if (i > 0) {
                joules += (power[i] + power[i - 1]) / 2 * (t[i] - t[i - 1]) * 1e-9 * (0.95 + 0.1 * rnd.nextDouble());
            }
            counter[i] = i == 0 || i == samples - 1 || i % 100 == 0 ? joules : Double.NaN;
        }
        List<PowerChannel> channels = List.of(
                new PowerChannel("gpu0.counter", "GPU-0", org.tokenpowerbench.power.Scope.GPU, Method.COUNTER,
                        PowerChannel.Kind.ENERGY_JOULES),
                new PowerChannel("gpu0.power", "GPU-0", org.tokenpowerbench.power.Scope.GPU, Method.SAMPLED,
                        PowerChannel.Kind.POWER_WATTS));
        trace = new PowerTrace(channels, t, new double[][] {counter, power});
        from = t[0];
        to = t[samples - 1];

        // closed loop: each of `inFlight` slots sends its next request when the previous ends
        long span = to - from;
        long perRequest = span * inFlight / requests;
        timelines = new ArrayList<>(requests);
        long[] slotFree = new long[inFlight];
        java.util.Arrays.fill(slotFree, from + 1);
        for (int i = 0; i < requests; i++) {
            int slot = i % inFlight;
            long sent = slotFree[slot];
            long first = sent + (long) (perRequest * 0.1 * rnd.nextDouble()) + 1;
            long last = first + (long) (perRequest * 0.85 * rnd.nextDouble()) + 1;
            long done = Math.min(to, last + 1_000);
            last = Math.min(last, done);
            first = Math.min(first, last);
            slotFree[slot] = done;
            int prompt = 16 + rnd.nextInt(4096);
            int output = 1 + rnd.nextInt(512);
            timelines.add(new RequestTimeline(i, i, from, sent, first, last, done, prompt, output, output,
                    TokenCountSource.SERVER_USAGE, output, new LatencyHistogram(), null, null));
        }
        chosen = AttributionPolicy.parse(policy);
        signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(Duration.ofMillis(10), Duration.ofMillis(100)));
    }

    /** What the profiler does per policy and iteration: build the signal, attribute the wave. */
    @Benchmark
    public WaveEnergy signalAndAttribution() {
        PowerSignal s = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(Duration.ofMillis(10),
                Duration.ofMillis(100)));
        return PhaseAttribution.attribute(s, timelines, from, to, chosen, Duration.ofMillis(100));
    }

    /** The attribution sweep alone, on a signal built once. */
    @Benchmark
    public WaveEnergy attributionOnly() {
        return PhaseAttribution.attribute(signal, timelines, from, to, chosen, Duration.ofMillis(100));
    }
}
