package org.tokenpowerbench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.Api;
import org.tokenpowerbench.client.DescriptorBudget;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.StreamLimits;
import org.tokenpowerbench.client.StreamingClient;
import org.tokenpowerbench.client.Tokenizer;
import org.tokenpowerbench.engine.EngineRequest;
import org.tokenpowerbench.engine.Engines;
import org.tokenpowerbench.engine.RunningEngine;
import org.tokenpowerbench.prometheus.EngineMetricsScraper;
import org.tokenpowerbench.prometheus.ServerWave;
import org.tokenpowerbench.prometheus.WaveScrapes;
import org.tokenpowerbench.report.EngineMetricsFile;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.RequestsFile;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.TrialAxesFile;
import org.tokenpowerbench.report.TrialKey;
import org.tokenpowerbench.workload.ClientLag;
import org.tokenpowerbench.workload.ClosedLoopDriver;
import org.tokenpowerbench.workload.HostCpu;
import org.tokenpowerbench.workload.OpenLoopDriver;
import org.tokenpowerbench.workload.PromptCache;
import org.tokenpowerbench.workload.PromptSet;
import org.tokenpowerbench.workload.PromptSource;
import org.tokenpowerbench.workload.ServerGone;
import org.tokenpowerbench.workload.WaveDriver;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Everything one trial (one point of a sweep) needs, opened by the generated harness in
 * {@code @Setup(Level.Trial)} and always closed in {@code @TearDown(Level.Trial)}: the engine
 * (started if embedded), the prompt set in the served model's tokenizer (or sampled from a
 * {@code @Dataset} file), the client and the driver: closed loop ({@code batch} workers) or, with
 * {@code @Workload(rate > 0)}, open loop. One {@link #driveWave()} per JMH invocation,
 * recorded by {@link #closeWave()} after JMH's timer stops.
 *
 * <p>System properties: {@code tpb.requestTimeoutSeconds} (default 600), {@code tpb.stallSeconds}
 * (a stream silent this long is stalled, default 120) and {@code tpb.maxSseLineBytes}
 * ({@link StreamLimits}); {@code tpb.serverGoneAfter} (requests in a row that could not connect or
 * stalled before a wave stops, default 3: {@link ServerGone});
 * {@code tpb.maxErrorRate} (share of failed requests a wave may have before the iteration fails;
 * default 0), {@code tpb.idleSeconds} (length of the idle window, default 2; 0 disables it).
 *
 * <p><b>A wave that stops early</b> (its server gone, or JMH's iteration timeout interrupting it)
 * is recorded like any other, every request with its row, sent or not, and then fails the
 * iteration with one line that says why.
 *
 * <p><b>Idle window.</b> Once the engine is up, {@link #open} waits {@code tpb.idleSeconds} with
 * nothing in flight and publishes that window through {@link WaveLedger#idleWindow()}; the power
 * profilers, which sample through the first iteration (trial set-up included), measure the
 * trial's idle baseline over it and report dynamic energy (total minus baseline × time) beside
 * the total. Just before the window opens and just after it closes, every running sampler takes a
 * boundary sample ({@link IdleEdges}), so a sensor that reads its energy counter only at edges
 * reads it on both sides of the window.
 *
 * <p><b>The engine's own metrics.</b> Where the engine serves Prometheus metrics
 * ({@link RunningEngine#metricsPath()}: http engines, launched ones), an
 * {@link EngineMetricsScraper} reads them around and during every wave on a thread of its own
 * ({@code -Dtpb.metricsMillis}, {@code -Dtpb.metrics}); the series go to
 * {@code engine-metrics.jsonl} and the wave's figures ({@link ServerWave}: the server's token counts
 * against ours, running and waiting requests, KV-cache use, prefix-cache hits) to the profilers.
 */
public final class InferenceSession implements AutoCloseable {

    private final BenchmarkSpec spec;
    private final RunningEngine engine;
    private final StreamingClient client;
    private final WaveDriver driver;
    private final PromptSet prompts;
    private final String promptTokenization;
    private final EngineMetricsScraper scraper;
    private final RunDirectory runDirectory = RunDirectory.current();
    private final ProgressSettings progressSettings = ProgressSettings.fromSystemProperties();
    private String iterationLabel = "unknown";
    private int iterationNumber;
    /** The host's CPU counts taken as the iteration began; the wave driven since, until it is closed. */
    private HostCpu openedHost;
    private WaveRecord openedWave;

    private InferenceSession(BenchmarkSpec spec, RunningEngine engine, StreamingClient client, WaveDriver driver,
                             PromptSet prompts, String promptTokenization, EngineMetricsScraper scraper) {
        this.spec = spec;
        this.scraper = scraper;
        this.engine = engine;
        this.client = client;
        this.driver = driver;
        this.prompts = prompts;
        this.promptTokenization = promptTokenization;
    }

    /**
     * Opens a session; a user error becomes a {@link BenchmarkFailure} and is written to the run
     * folder. Refused with one line when JMH's own Main started the run ({@link SweepLaunch}).
     */
    public static InferenceSession open(BenchmarkSpec spec) {
        String refusal = SweepLaunch.refusal("a TokenPowerBench benchmark runs");
        if (refusal != null) { // JMH's own Main: no request metrics, summary, resume; a 30 s wait per fork
            throw new BenchmarkFailure(refusal);
        }
        RunningEngine engine = null;
        // the trial's axes as columns, before anything can fail: every row and failure joins to them
        TrialAxesFile.append(RunDirectory.current(), trial(spec), spec);
        try {
            validate(spec);
            double idleSeconds = idleSeconds();
            StreamLimits limits = StreamLimits.fromSystemProperties();
            int serverGoneAfter = ServerGone.limitFromSystemProperties();
            Api api = Api.parse(spec.api());
            String apiKey = apiKey(spec);
            PromptSource source = spec.promptSource();
            source.fitsTheHeap(Runtime.getRuntime().maxMemory()); // before the engine: a load of minutes for nothing
            engine = Engines.open(new EngineRequest(spec.engine(), spec.model(), spec.quantization(), spec.slots(),
                    source.contextPerSlot(spec.outputTokens()), apiKey));
            Tokenizer tokenizer = engine.endpoint().tokenizer();
            // the run folder is what the trials' forks share: prompts built by an earlier trial are reused
            PromptCache cache = PromptCache.in(RunDirectory.current().root(),
                    spec.model() + " (quantization " + spec.quantization() + ")");
            PromptSource.Loaded loaded = source.load(tokenizer, spec.outputTokens(), cache);
            PromptSet prompts = loaded.measured();
            String tokenization = loaded.tokenization();
            StreamingClient client = new StreamingClient(engine.endpoint(), api, spec.slots(), limits, null,
                    spec.requestBodyFields());
            WaveDriver driver = spec.openLoop()
                    ? new OpenLoopDriver(client, spec.arrivalProcess(), spec.maxConcurrency(), loaded.warmup(), spec.seed(),
                            serverGoneAfter)
                    : new ClosedLoopDriver(client, spec.batch(), serverGoneAfter);
            System.err.println("tokenpowerbench: " + engine.description());
            // opened before the idle window, so that its opening scrape does not fall inside it
            EngineMetricsScraper scraper = EngineMetricsScraper.open(engine.endpoint().baseUrl(), engine.metricsPath(),
                    apiKey);
            idle(spec, idleSeconds);
            return new InferenceSession(spec, engine, client, driver, prompts, tokenization, scraper);
        } catch (IllegalArgumentException e) { // UserError and EngineException among them
            if (engine != null) {
                engine.close();
            }
            throw recordFailure(spec, e.getMessage());
        }
    }

    private static TrialKey trial(BenchmarkSpec spec) {
        return new TrialKey(spec.benchmarkClass(), spec.describe());
    }

    /** The system property that sets the idle window's length in seconds. */
    public static final String IDLE_SECONDS = "tpb.idleSeconds";

    private static double idleSeconds() {
        String value = System.getProperty(IDLE_SECONDS, "2");
        double seconds;
        try {
            seconds = Double.parseDouble(value.trim());
        } catch (NumberFormatException e) {
            seconds = Double.NaN;
        }
        if (!(seconds >= 0) || seconds > 3600) {
            throw new UserError(IDLE_SECONDS + "=" + value + " is not a number of seconds from 0 to 3600:"
                    + " give the idle window's length, e.g. -D" + IDLE_SECONDS + "=2 (0 disables the idle baseline)");
        }
        return seconds;
    }

    /** How many idle windows a trial measures at most while a GPU's power moves within them ({@link IdleSettling}). */
    static final int IDLE_TRIES = 3;

    /**
     * Waits with the engine loaded and nothing in flight, and publishes the window (or that there
     * is none). Where a GPU's power moved within the window ({@link IdleSettling}), it waits and
     * measures another, up to {@link #IDLE_TRIES} in all, and publishes the last with what moved.
     */
    static void idle(BenchmarkSpec spec, double seconds) {
        WaveLedger.publishIdle(null);
        if (seconds == 0) {
            return;
        }
        List<String> moved = new ArrayList<>();
        for (int tries = 1; ; tries++) {
            IdleEdges.sample(); // sensors that read their counters only at edges read them here, and again at the end
            long from = System.nanoTime();
            long until = from + Math.round(seconds * 1e9);
            long now;
            while ((now = System.nanoTime()) < until) {
                try {
                    Thread.sleep(Math.max(1, (until - now) / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return; // no baseline rather than a short one
                }
            }
            long to = System.nanoTime();
            IdleEdges.sample();
            List<org.tokenpowerbench.energy.IdleHalves> halves = IdleSettling.halves(IdleEdges.running(), from, to);
            List<String> settling = IdleSettling.moved(halves);
            moved.addAll(settling);
            if (settling.isEmpty() || tries == IDLE_TRIES) {
                if (!settling.isEmpty()) {
                    System.err.println("tokenpowerbench: the GPU's idle power still moved within the idle window after "
                            + tries + " tries (" + String.join("; ", settling) + "): the baseline is the last window's, and"
                            + " idle-baselines.jsonl says so (" + spec.describe() + ")");
                }
                WaveLedger.publishIdle(new WaveLedger.IdleWindow(spec, from, to, tries, moved, halves));
                return;
            }
            System.err.println("tokenpowerbench: the GPU's idle power moved within the idle window (" + String.join("; ", settling)
                    + "): measuring it again (" + spec.describe() + ")");
        }
    }

    /** Every value of the point, before the engine starts: one line naming the first one not allowed. */
    private static void validate(BenchmarkSpec spec) {
        spec.check();
        RequestMetricsProfiler.outputTolerance();
        ProgressSettings.fromSystemProperties(); // tpb.progress and tpb.progressSeconds, before the engine starts
        checkDescriptors(spec, DescriptorBudget.ofThisProcess());
    }

    /**
     * Refuses, with one line, a wave whose streams would not fit under the process's open-file
     * limit ({@link DescriptorBudget}); before the engine starts, so that nothing is measured in
     * vain. An embedded engine serves from this process, so each of its streams holds both ends.
     * An open-loop wave with no bound on concurrency and a duration rather than a prompt count
     * has no known most, and is not checked.
     */
    static void checkDescriptors(BenchmarkSpec spec, DescriptorBudget budget) {
        boolean onePass = spec.waveNanos() == 0;
        int perStream = spec.engine().regionMatches(true, 0, "embedded", 0, "embedded".length()) ? 2 : 1;
        if (!spec.openLoop()) {
            int streams = onePass ? Math.min(spec.batch(), spec.prompts()) : spec.batch();
            budget.check("batch=" + spec.batch(), streams, perStream);
        } else if (spec.maxConcurrency() > 0) {
            int streams = onePass ? Math.min(spec.maxConcurrency(), spec.prompts() + spec.warmupRequests())
                    : spec.maxConcurrency();
            budget.check("maxConcurrency=" + spec.maxConcurrency(), streams, perStream);
        } else if (onePass) {
            // no bound: at worst every request of the wave in flight at once
            budget.check("prompts=" + spec.prompts(), spec.prompts() + (long) spec.warmupRequests(), perStream);
        }
    }

    /**
     * The API key from the variable the engine value names ({@code ;apiKeyEnv=NAME}, for this run),
     * else from the one {@code @Engine(apiKeyEnv)} names; null when neither names one.
     */
    private static String apiKey(BenchmarkSpec spec) {
        String env = org.tokenpowerbench.engine.RemoteEngineProvider.apiKeyEnv(spec.engine());
        String namedBy = "named by apiKeyEnv in the engine value";
        if (env == null) {
            env = spec.apiKeyEnv();
            namedBy = "named by @Engine(apiKeyEnv)";
        }
        if (env == null || env.isEmpty()) {
            return null;
        }
        String key = System.getenv(env);
        if (key == null || key.isEmpty()) {
            throw new UserError("environment variable " + env + " (" + namedBy + ") is not set: "
                    + "export it with the server's API key");
        }
        return key;
    }

    private static BenchmarkFailure recordFailure(BenchmarkSpec spec, String message) {
        try {
            new FailureRecord(RunDirectory.invocation(), spec.benchmarkClass(), spec.describe(), message)
                    .appendTo(RunDirectory.current());
        } catch (RuntimeException ignored) {
            // the message still reaches the user through JMH's failure report
        }
        return new BenchmarkFailure(message);
    }

    /**
     * Called by the harness before each iteration ({@code warmup} or {@code measurement}), outside
     * JMH's timer: it also takes the host's opening CPU counts ({@link HostCpu}), a read of every
     * thread of the engine's processes that takes tens of milliseconds for an engine of hundreds of
     * threads and so stays out of the wave's time.
     */
    public void beginIteration(String kind) {
        if (!kind.equals(iterationLabel)) {
            iterationNumber = 0;
        }
        iterationLabel = kind;
        iterationNumber++;
        openedWave = null;
        openedHost = HostCpu.start(engine.pid());
    }

    /** The live progress of the wave about to start: every request the client sends counts, an open loop's warm-up ones too. */
    private WaveProgress progress() {
        long total = spec.waveNanos() > 0 ? -1 : prompts.size() + (long) (spec.openLoop() ? spec.warmupRequests() : 0);
        return new WaveProgress(progressSettings, System::nanoTime, System::currentTimeMillis, System.err, iterationLabel,
                iterationNumber, WaveProgress.announcedIterations(), total, spec.waveNanos(), new WaveProgress.Counts() {
                    @Override
                    public long requests() {
                        return client.answeredRequests();
                    }

                    @Override
                    public long outputTokens() {
                        return client.answeredOutputTokens();
                    }
                }, PowerNow::read);
    }

    /**
     * Sends the whole prompt set once — {@code batch} requests in flight, or in open loop at
     * their scheduled arrivals after the wave's warm-up requests — or, with {@code waveSeconds},
     * keeps sending for that long, then records the wave ({@link #closeWave()}). For callers that
     * are not the generated harness; the harness splits the two so that JMH times only the first.
     */
    public WaveRecord runWave() {
        WaveRecord wave = driveWave();
        closeWave();
        return wave;
    }

    /**
     * The part of a wave JMH times (the harness's {@code @Benchmark}): the requests, and nothing we
     * do around them. JMH's score is the wave's time, and a report compares it between runs, so the
     * host's closing CPU counts, the engine's closing scrape (which a slow {@code /metrics} can hold
     * for seconds) and the run folder's rows wait for {@link #closeWave()}.
     */
    public WaveRecord driveWave() {
        if (openedHost == null) { // a caller that did not begin the iteration
            openedHost = HostCpu.start(engine.pid());
        }
        if (scraper != null) {
            scraper.waveStarted();
        }
        client.takeReaderLag(); // counts from this wave's start
        ClientLag lag = ClientLag.start();
        WaveRecord wave;
        ClientLag.Reading reading;
        try (WaveProgress.Running shown = progress().start()) {
            wave = driver.run(prompts, spec.outputTokens(), spec.waveNanos());
        } finally {
            reading = lag.stop(client.takeReaderLag()); // never left running behind a wave that threw
        }
        openedWave = wave.withClientLag(reading);
        return openedWave;
    }

    /**
     * Records the wave {@link #driveWave()} drove, outside JMH's timer (the harness's
     * {@code @TearDown(Level.Iteration)}, which JMH runs before the profilers read the wave): the
     * host's CPU figures, the engine's closing scrape, the ledger entry, the requests' rows; then
     * fails the iteration with one line if the wave stopped early or too many requests failed.
     * Does nothing where no wave was driven since the iteration began.
     */
    public void closeWave() {
        WaveRecord wave = openedWave;
        HostCpu host = openedHost;
        openedWave = null;
        openedHost = null;
        if (wave == null) {
            return;
        }
        HostCpu.Reading hostCpu = host.stop();
        try {
            String iteration = iterationLabel + "-" + iterationNumber;
            ServerWave server = serverWave(wave, iteration);
            WaveLedger.publish(new WaveLedger.Entry(spec, wave, promptTokenization, server, engine.endpoint().replicas(),
                    hostCpu));
            RequestsFile.append(runDirectory, trial(spec), iteration, wave);
            long failed = wave.failedRequests();
            int size = wave.requests().size();
            if (wave.stop() != null) {
                long notSent = wave.notSentRequests();
                throw recordFailure(spec, "the wave stopped early: " + wave.stop().reason() + "; " + notSent + " of "
                        + size + " requests not sent, " + (failed - notSent) + " failed");
            }
            double maxErrorRate = Double.parseDouble(System.getProperty("tpb.maxErrorRate", "0"));
            if (failed > 0 && failed > maxErrorRate * size) {
                RequestTimeline first = wave.requests().stream().filter(r -> !r.succeeded()).findFirst().orElseThrow();
                throw recordFailure(spec, failed + " of " + size + " requests failed (allowed share "
                        + maxErrorRate + ", set -jvmArgsAppend -Dtpb.maxErrorRate=...); first: [" + first.errorClass() + "] "
                        + first.error());
            }
        } finally {
            if (wave.stop() != null && wave.stop().interrupted()) {
                Thread.currentThread().interrupt(); // the driver kept it clear so that the rows could be written
            }
        }
    }

    /**
     * The closing scrape and the wave as the engine counted it, its series written to the run
     * folder; null when the engine's metrics are not read. Ours are the tokens of every request
     * sent between the boundary scrapes: an open-loop wave's warm-up requests too.
     */
    private ServerWave serverWave(WaveRecord wave, String iteration) {
        if (scraper == null) {
            return null;
        }
        WaveScrapes scrapes = scraper.waveEnded();
        if (scrapes == null) {
            return null;
        }
        long prompt = wave.promptTokens();
        long output = wave.outputTokens();
        if (driver instanceof OpenLoopDriver open) {
            for (RequestTimeline r : open.lastWarmup()) {
                if (r.succeeded()) {
                    prompt += Math.max(0, r.promptTokens());
                    output += Math.max(0, r.outputTokens());
                }
            }
        }
        ServerWave server = ServerWave.of(scrapes, wave.startNanos(), wave.endNanos(), prompt, output);
        EngineMetricsFile.append(runDirectory, trial(spec), iteration, scraper.url(), scrapes, server);
        return server;
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
            if (scraper != null) {
                scraper.close();
            }
            driver.close();
            client.close();
        } finally {
            engine.close();
        }
    }
}
