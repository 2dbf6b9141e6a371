package org.tokenpowerbench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.Tokenizer;
import org.tokenpowerbench.engine.EngineException;
import org.tokenpowerbench.engine.OpenEngine;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Everything one trial (one point of a sweep) needs, opened by the generated harness in
 * {@code @Setup(Level.Trial)} and always closed in {@code @TearDown(Level.Trial)}: the engine
 * (started if embedded), the prompt set in the served model's tokenizer, the client and the
 * closed-loop driver. One {@link #runWave()} per JMH invocation.
 *
 * <p>System properties: {@code tpb.requestTimeoutSeconds} (default 600),
 * {@code tpb.maxErrorRate} (share of failed requests a wave may have before the iteration fails;
 * default 0).
 */
public final class InferenceSession implements AutoCloseable {

    private final BenchmarkSpec spec;
    private final OpenEngine engine;
    private final StreamingClient client;
    private final ClosedLoopDriver driver;
    private final PromptSet prompts;
    private final String promptTokenization;
    private final RunDirectory runDirectory = RunDirectory.current();
    private String iterationLabel = "unknown";
    private int iterationNumber;

    private InferenceSession(BenchmarkSpec spec, OpenEngine engine, StreamingClient client, ClosedLoopDriver driver,
                             PromptSet prompts, String promptTokenization) {
        this.spec = spec;
        this.engine = engine;
        this.client = client;
        this.driver = driver;
        this.prompts = prompts;
        this.promptTokenization = promptTokenization;
    }

    /** Opens a session; a user error becomes a {@link BenchmarkFailure} and is written to the run folder. */
    public static InferenceSession open(BenchmarkSpec spec) {
        OpenEngine engine = null;
        try {
            validate(spec);
            Api api = Api.parse(spec.api());
            String apiKey = apiKey(spec.apiKeyEnv());
            engine = OpenEngine.open(spec.engine(), spec.model(), spec.quantization(), spec.batch(),
                    spec.inputTokens() + spec.outputTokens() + 8, apiKey);
            Tokenizer tokenizer = engine.endpoint().tokenizer();
            PromptSet prompts;
            String tokenization;
            if (tokenizer != null) {
                prompts = PromptSet.synthetic(tokenizer, spec.prompts(), spec.inputTokens(), spec.seed());
                tokenization = "exact: " + tokenizer.description();
            } else {
                prompts = PromptSet.uncontrolled(spec.prompts(), spec.inputTokens(), spec.seed());
                tokenization = "not controlled: the server has no tokenize endpoint; prompts are "
                        + spec.inputTokens() + " words, prompt token counts come from the server's usage";
                System.err.println("tokenpowerbench: " + tokenization);
            }
            Duration timeout = Duration.ofSeconds(Long.getLong("tpb.requestTimeoutSeconds", 600));
            StreamingClient client = new StreamingClient(engine.endpoint(), api, spec.batch(), timeout);
            ClosedLoopDriver driver = new ClosedLoopDriver(client, spec.batch());
            System.err.println("tokenpowerbench: " + engine.description());
            return new InferenceSession(spec, engine, client, driver, prompts, tokenization);
        } catch (EngineException | IllegalArgumentException e) {
            if (engine != null) {
                engine.close();
            }
            throw recordFailure(spec, e.getMessage());
        }
    }

    private static void validate(BenchmarkSpec spec) {
        positive("batch", spec.batch());
        positive("inputTokens", spec.inputTokens());
        positive("outputTokens", spec.outputTokens());
        positive("prompts", spec.prompts());
    }

    private static void positive(String name, int value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + "=" + value + " is not allowed: it must be at least 1 (-p " + name + "=...)");
        }
    }

    private static String apiKey(String env) {
        if (env == null || env.isEmpty()) {
            return null;
        }
        String key = System.getenv(env);
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("environment variable " + env + " (named by @Engine(apiKeyEnv)) is not set: "
                    + "export it with the server's API key");
        }
        return key;
    }

    private static BenchmarkFailure recordFailure(BenchmarkSpec spec, String message) {
        RunDirectory dir = RunDirectory.current();
        ObjectNode node = dir.newObject();
        node.put("benchmark", spec.benchmarkClass());
        node.put("trial", spec.describe());
        node.put("message", message);
        try {
            dir.appendJsonLine("failures.jsonl", node);
        } catch (RuntimeException ignored) {
            // the message still reaches the user through JMH's failure report
        }
        return new BenchmarkFailure(message);
    }

    /** Called by the harness before each iteration: {@code warmup} or {@code measurement}. */
    public void beginIteration(String kind) {
        if (!kind.equals(iterationLabel)) {
            iterationNumber = 0;
        }
        iterationLabel = kind;
        iterationNumber++;
    }

    /** Sends the whole prompt set once, {@code batch} requests in flight, and records the wave. */
    public WaveRecord runWave() {
        WaveRecord wave = driver.run(prompts, spec.outputTokens());
        WaveLedger.publish(new WaveLedger.Entry(spec, wave, promptTokenization));
        runDirectory.appendRequests(spec.describe(), iterationLabel + "-" + iterationNumber, wave);
        long failed = wave.failedRequests();
        double maxErrorRate = Double.parseDouble(System.getProperty("tpb.maxErrorRate", "0"));
        if (failed > 0 && failed > maxErrorRate * wave.requests().size()) {
            RequestTimeline first = wave.requests().stream().filter(r -> !r.succeeded()).findFirst().orElseThrow();
            throw recordFailure(spec, failed + " of " + wave.requests().size() + " requests failed (allowed share "
                    + maxErrorRate + ", set -jvmArgsAppend -Dtpb.maxErrorRate=...); first: [" + first.errorClass() + "] "
                    + first.error());
        }
        return wave;
    }

    public BenchmarkSpec spec() {
        return spec;
    }

    public String engineDescription() {
        return engine.description();
    }

    @Override
    public void close() {
        try {
            driver.close();
            client.close();
        } finally {
            engine.close();
        }
    }
}
