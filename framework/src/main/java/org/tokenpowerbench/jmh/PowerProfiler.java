package org.tokenpowerbench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.energy.AttributionFlags;
import org.tokenpowerbench.energy.AttributionPolicy;
import org.tokenpowerbench.energy.IdleBaseline;
import org.tokenpowerbench.energy.PhaseAttribution;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.energy.RequestEnergy;
import org.tokenpowerbench.energy.SignalSource;
import org.tokenpowerbench.energy.SteadyStateEnergy;
import org.tokenpowerbench.energy.SteadyStateWindow;
import org.tokenpowerbench.energy.WaveEnergy;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.workload.Goodput;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Samples one {@link PowerSensor} on its own thread through every iteration (the first one
 * includes the trial's set-up and its idle window), and reports the energy of the measured wave's
 * own window ({@code [wave start, last answer]}), split into the prefill and decode phases of its
 * requests and idle time.
 *
 * <p><b>Energy</b> comes from a {@link PowerSignal}: per device, the counter where one exists
 * (fused with the power channel's shape where both exist), else the power channel, summed over
 * devices. <b>Attribution</b> ({@link PhaseAttribution}) runs under every {@link AttributionPolicy}
 * each iteration; the JMH results use the chosen one ({@code -prof cpu:attribution=equal-share}, or
 * the system property {@code tpb.attribution}; default {@link AttributionPolicy#DEFAULT}) and
 * name it in their unit, e.g. {@code J/token (token-weighted)}; the run folder keeps all of them.
 *
 * <p>Results, where {@code <s>} is the sensor id plus {@code .estimated} when any of its energy is
 * a model rather than a meter:
 * <ul>
 *   <li>{@code <s>.energy}, {@code <s>.J/token}, {@code <s>.J/outputToken}, {@code <s>.avgPower},
 *       {@code <s>.<scope>.energy} (several scopes) — the measured total, as before;</li>
 *   <li>{@code <s>.prefill.J}, {@code <s>.decode.J} (policy in the unit), {@code <s>.idle.J};</li>
 *   <li>{@code <s>.J/promptToken} = prefill J / prompt tokens, {@code <s>.J/decodeToken} = decode J /
 *       decode tokens ({@code outputTokens - 1} per request), successful requests only;</li>
 *   <li>{@code <s>.idleBaseline.power} and {@code <s>.dynamic.energy} = total − baseline × seconds,
 *       only when the trial measured an idle baseline (never a 0 in its place);</li>
 *   <li>{@code <s>.steady.J/token}: J per prompt-or-output token over the steady-state window
 *       ({@link SteadyStateWindow}), only when the wave has one.</li>
 * </ul>
 * Files in the run folder: {@code iterations.jsonl} (one {@code "kind":"energy"} line per
 * iteration with every figure, every policy and the flags), {@code request-energy.csv} (prefill
 * and decode joules of every request), {@code regression.json} (refit after every iteration from
 * {@code iterations.jsonl}, see {@link RegressionRefit}), {@code sensors.jsonl},
 * {@code idle-baselines.jsonl} and the raw traces {@code power-<sensor>-<pid>-<n>.csv}.
 *
 * <p>Options (after the profiler name): {@code period=10ms} sampling period,
 * {@code attribution=token-weighted|equal-share}, plus the sensor's own.
 */
public abstract class PowerProfiler implements InternalProfiler {

    private final String sensorId;
    private final Map<String, String> sensorOptions;
    private final Duration period;
    private final AttributionPolicy policy;
    private PowerSensor sensor;
    private PowerSampler sampler;
    private int iterations;
    private final Map<String, Integer> iterationsByKind = new HashMap<>();
    private IdleBaseline baseline;
    private WaveLedger.IdleWindow baselineWindow;
    private String noBaseline = "no idle window was measured in this trial";
    private boolean noBaselineSaid;

    protected PowerProfiler(String sensorId, String initLine) throws ProfilerException {
        this.sensorId = sensorId;
        try {
            OptionLine options = OptionLine.parse("-prof " + sensorId, initLine);
            this.period = options.duration("period", PowerSampler.DEFAULT_PERIOD);
            if (period.compareTo(PowerSampler.MIN_PERIOD) < 0) {
                throw new UserError("-prof " + sensorId + ": period=" + options.get("period", null)
                        + " is below the minimum " + PowerSampler.MIN_PERIOD.toMillis() + "ms; sample less often");
            }
            String a = options.get("attribution", null);
            this.policy = a == null ? AttributionPolicy.fromSystemProperty() : AttributionPolicy.parse(a);
            this.sensorOptions = options.without("period", "attribution").values();
            // Open once here, so that an unavailable sensor stops the run before the first trial.
            PowerSensors.open(sensorId, sensorOptions).close();
        } catch (SensorUnavailableException | UserError | IllegalArgumentException e) {
            throw new ProfilerException(e.getMessage());
        }
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (sensor == null) {
            try {
                sensor = PowerSensors.open(sensorId, sensorOptions);
            } catch (SensorUnavailableException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(sensor::close, "tpb-sensor-close"));
            writeEnvironment();
        }
        sampler = new PowerSampler(sensor, period);
        sampler.start();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        PowerTrace trace = sampler.stop();
        long samplerNanos = sampler.sensorNanos();
        sampler.close();
        iterations++;
        String kind = iterationParams.getType().name().toLowerCase(Locale.ROOT);
        int number = iterationsByKind.merge(kind, 1, Integer::sum);
        long maxGap = PowerSignal.defaultMaxGapNanos(period, sensor.updatePeriod());
        PowerSignal signal;
        try {
            signal = PowerSignal.of(trace, maxGap);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("sensor '" + sensorId + "': " + e.getMessage(), e);
        }
        updateBaseline(signal);
        WaveLedger.Entry entry = WaveLedger.latest();
        if (entry == null) {
            return List.of();
        }
        WaveRecord wave = entry.wave();
        long from = Math.max(wave.startNanos(), signal.startNanos());
        long to = Math.min(wave.endNanos(), signal.endNanos());
        if (to <= from) {
            throw new IllegalStateException("sensor '" + sensorId + "': its trace [" + signal.startNanos() + ", "
                    + signal.endNanos() + "] ns does not cover the wave [" + wave.startNanos() + ", " + wave.endNanos()
                    + "] ns; this is a bug in the profiler's sampling");
        }
        double seconds = (to - from) / 1e9;
        double total = signal.energyJoules(from, to);
        Map<Scope, Double> byScope = new EnumMap<>(Scope.class);
        for (SignalSource s : signal.sources()) {
            byScope.computeIfAbsent(s.scope(), scope ->
                    PowerSignal.of(trace, maxGap, c -> c.scope() == scope).energyJoules(from, to));
        }
        boolean estimated = signal.estimated();
        String label = estimated ? sensorId + ".estimated" : sensorId;
        long tokens = wave.promptTokens() + wave.outputTokens();
        long outTokens = wave.outputTokens();
        boolean tooShort = (to - from) < sensor.updatePeriod().toNanos();

        Map<AttributionPolicy, WaveEnergy> all = new EnumMap<>(AttributionPolicy.class);
        for (AttributionPolicy p : AttributionPolicy.values()) {
            all.put(p, PhaseAttribution.attribute(signal, wave.requests(), from, to, p, sensor.updatePeriod()));
        }
        WaveEnergy chosen = all.get(policy);
        Optional<SteadyStateWindow> steadyWindow = SteadyStateWindow.find(wave.requests(), wave.concurrency())
                .filter(w -> signal.covers(w.fromNanos(), w.toNanos()));
        SteadyStateEnergy steady = steadyWindow.map(w -> w.measure(signal, wave.requests())).orElse(null);

        String by = " (" + policy.label() + ")";
        List<Result> results = new ArrayList<>();
        results.add(new ScalarResult(label + ".energy", total, "J", AggregationPolicy.AVG));
        if (tokens > 0) {
            results.add(new ScalarResult(label + ".J/token", total / tokens, "J/token", AggregationPolicy.AVG));
        }
        if (outTokens > 0) {
            results.add(new ScalarResult(label + ".J/outputToken", total / outTokens, "J/token", AggregationPolicy.AVG));
        }
        Goodput goodput = entry.goodput();
        if (goodput != null && goodput.goodOutputTokens() > 0) {
            // energy of the whole wave per token that met every SLO: what a useful token cost
            results.add(new ScalarResult(label + ".J/goodOutputToken", total / goodput.goodOutputTokens(), "J/token",
                    AggregationPolicy.AVG));
        }
        results.add(new ScalarResult(label + ".avgPower", total / seconds, "W", AggregationPolicy.AVG));
        results.add(new ScalarResult(label + ".peakPower", signal.peakWatts(from, to), "W", AggregationPolicy.MAX));
        Map<String, Double> byDevice = perDevice(trace, maxGap, signal, from, to);
        if (byDevice.size() > 1) {
            int n = 0;
            for (Map.Entry<String, Double> d : byDevice.entrySet()) {
                // devices by position (their ids, e.g. GPU UUIDs, are in sensors.jsonl): labels stay short
                results.add(new ScalarResult(label + ".device" + n++ + ".energy", d.getValue(), "J", AggregationPolicy.AVG));
            }
        }
        if (byScope.size() > 1) {
            byScope.forEach((scope, joules) ->
                    results.add(new ScalarResult(label + "." + scope.label() + ".energy", joules, "J", AggregationPolicy.AVG)));
        }
        results.add(new ScalarResult(label + ".prefill.J", chosen.prefillJ(), "J" + by, AggregationPolicy.AVG));
        results.add(new ScalarResult(label + ".decode.J", chosen.decodeJ(), "J" + by, AggregationPolicy.AVG));
        results.add(new ScalarResult(label + ".idle.J", chosen.idleJ(), "J", AggregationPolicy.AVG));
        if (chosen.promptTokens() > 0) {
            results.add(new ScalarResult(label + ".J/promptToken", chosen.joulesPerPromptToken(), "J/token" + by,
                    AggregationPolicy.AVG));
        }
        if (chosen.decodeTokens() > 0) {
            results.add(new ScalarResult(label + ".J/decodeToken", chosen.joulesPerDecodeToken(), "J/token" + by,
                    AggregationPolicy.AVG));
        }
        if (baseline != null) {
            results.add(new ScalarResult(label + ".idleBaseline.power", baseline.watts(), "W", AggregationPolicy.AVG));
            results.add(new ScalarResult(label + ".dynamic.energy", baseline.dynamicJoules(total, seconds), "J",
                    AggregationPolicy.AVG));
        }
        if (steady != null && steady.tokens() > 0) {
            results.add(new ScalarResult(label + ".steady.J/token", steady.joulesPerToken(), "J/token",
                    AggregationPolicy.AVG));
        }

        RunDirectory dir = RunDirectory.current();
        ObjectNode json = dir.newObject();
        json.put("kind", "energy");
        json.put("sensor", sensorId);
        json.put("trial", entry.spec().describe());
        json.put("benchmark", entry.spec().benchmarkClass());
        json.put("group", RegressionRefit.group(entry.spec()));
        json.put("iteration", kind);
        json.put("iterationNumber", number);
        json.put("method", signal.methodLabel());
        json.put("signal", signal.sources().stream().map(s -> s.device() + ":" + s.model()).reduce((x, y) -> x + " " + y)
                .orElse(""));
        json.put("seconds", seconds);
        json.put("energyJ", total);
        byScope.forEach((scope, joules) -> json.put("energyJ." + scope.label(), joules));
        json.put("promptTokens", wave.promptTokens());
        json.put("outputTokens", outTokens);
        if (goodput != null) {
            json.put("goodOutputTokens", goodput.goodOutputTokens());
            if (goodput.goodOutputTokens() > 0) {
                json.put("joulesPerGoodOutputToken", total / goodput.goodOutputTokens());
            }
        }
        json.put("decodeTokens", chosen.decodeTokens());
        json.put("samples", trace.size());
        json.put("samplerCpuNanosInSensor", samplerNanos);
        json.put("windowShorterThanSensorUpdate", tooShort);
        json.put("policy", policy.label());
        json.put("prefillJ", chosen.prefillJ());
        json.put("decodeJ", chosen.decodeJ());
        json.put("idleJ", chosen.idleJ());
        json.put("idleSeconds", chosen.idleSeconds());
        json.put("failedJ", chosen.failedJ());
        putFinite(json, "jPerPromptToken", chosen.joulesPerPromptToken());
        putFinite(json, "jPerDecodeToken", chosen.joulesPerDecodeToken());
        json.put("conservationError", chosen.conservationError());
        ObjectNode policies = json.putObject("policies");
        all.forEach((p, w) -> {
            ObjectNode node = policies.putObject(p.label());
            node.put("prefillJ", w.succeededPrefillJ());
            node.put("decodeJ", w.succeededDecodeJ());
            node.put("prefillShareSeconds", w.succeededPrefillShareSeconds());
            node.put("decodeShareSeconds", w.succeededDecodeShareSeconds());
            putFinite(node, "jPerPromptToken", w.joulesPerPromptToken());
            putFinite(node, "jPerDecodeToken", w.joulesPerDecodeToken());
            if (baseline != null) {
                putFinite(node, "dynamicJPerPromptToken", w.joulesPerPromptTokenAbove(baseline.watts()));
                putFinite(node, "dynamicJPerDecodeToken", w.joulesPerDecodeTokenAbove(baseline.watts()));
            }
        });
        putFlags(json.putObject("flags"), chosen.flags());
        if (baseline != null) {
            ObjectNode b = json.putObject("idleBaseline");
            b.put("watts", baseline.watts());
            b.put("seconds", baseline.seconds());
            b.put("method", baseline.method());
            b.put("gaps", baseline.gaps());
            json.put("dynamicEnergyJ", baseline.dynamicJoules(total, seconds));
        } else {
            json.put("idleBaselineMissing", noBaseline);
            if (!noBaselineSaid) {
                noBaselineSaid = true;
                System.err.println("tokenpowerbench: " + sensorId + ": " + noBaseline
                        + ", so no dynamic energy is reported for this trial");
            }
        }
        if (steady != null) {
            ObjectNode s = json.putObject("steadyState");
            s.put("fromSecondsAfterWaveStart", (steady.window().fromNanos() - wave.startNanos()) / 1e9);
            s.put("seconds", steady.window().seconds());
            s.put("energyJ", steady.joules());
            s.put("promptTokens", steady.promptTokens());
            s.put("outputTokens", steady.outputTokens());
            putFinite(s, "jPerToken", steady.joulesPerToken());
            putFinite(s, "jPerOutputToken", steady.joulesPerOutputToken());
        } else {
            String why = SteadyStateWindow.whyNone(wave.requests(), wave.concurrency());
            json.put("steadyStateMissing", why != null ? why : "the steady-state window is not inside the power trace");
        }
        dir.appendJsonLine("iterations.jsonl", json);
        if (tooShort) {
            System.err.println("tokenpowerbench: the wave lasted " + Math.round(seconds * 1000) + " ms, shorter than "
                    + sensorId + "'s update period of " + sensor.updatePeriod().toMillis()
                    + " ms: its energy is not directly measurable; use more prompts or longer outputs");
        }
        if (!chosen.flags().gaps().isEmpty() || chosen.conservationError() > 1e-9) {
            System.err.println("tokenpowerbench: " + sensorId + " attribution flags (" + kind + " " + number + "): "
                    + chosen.flags().summary() + String.format(Locale.ROOT, "; conservation error %.2e",
                    chosen.conservationError()));
        }
        writeRequests(dir, entry, kind + "-" + number, chosen, signal.methodLabel());
        writeTrace(dir, trace, entry);
        try {
            RegressionRefit.update(dir);
        } catch (RuntimeException e) {
            System.err.println("tokenpowerbench: cannot refit " + RegressionRefit.FILE + ": " + e.getMessage());
        }
        return results;
    }

    /** Measures the idle baseline once per idle window, from the trace that covers it. */
    private void updateBaseline(PowerSignal signal) {
        WaveLedger.IdleWindow window = WaveLedger.idleWindow();
        if (window == null) {
            if (baseline == null) {
                noBaseline = "no idle window was measured in this trial (-D" + InferenceSession.IDLE_SECONDS
                        + "=0, or the session was not opened)";
            }
            return;
        }
        if (window.equals(baselineWindow)) {
            return;
        }
        baselineWindow = window;
        if (!signal.covers(window.fromNanos(), window.toNanos())) {
            baseline = null;
            noBaseline = "the idle window was not inside the power trace of the iteration that followed it";
            return;
        }
        baseline = IdleBaseline.measure(signal, window.fromNanos(), window.toNanos());
        RunDirectory dir = RunDirectory.current();
        ObjectNode json = dir.newObject();
        json.put("kind", "idleBaseline");
        json.put("sensor", sensorId);
        json.put("trial", window.spec().describe());
        json.put("watts", baseline.watts());
        json.put("seconds", baseline.seconds());
        json.put("method", baseline.method());
        json.put("gaps", baseline.gaps());
        dir.appendJsonLine("idle-baselines.jsonl", json);
        System.err.println("tokenpowerbench: " + sensorId + " idle baseline " + baseline.describe());
    }

    private static void putFinite(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        }
    }

    private static void putFlags(ObjectNode node, AttributionFlags f) {
        node.put("summary", f.summary());
        node.put("updatePeriodMs", f.updatePeriodNanos() / 1e6);
        node.put("shortPhases", f.shortPhases());
        node.put("failedBeforeFirstToken", f.failedBeforeFirstToken());
        node.put("failedAfterFirstToken", f.failedAfterFirstToken());
        node.put("noOutputTokens", f.noOutputTokens());
        node.put("singleTokenRequests", f.singleTokenRequests());
        node.put("unknownTokenCounts", f.unknownTokenCounts());
        node.put("notSent", f.notSent());
        node.put("clippedPhases", f.clippedPhases());
        node.put("equalShareFallbackSegments", f.equalShareFallbackSegments());
        node.put("sampleGaps", f.gaps().size());
    }

    private void writeRequests(RunDirectory dir, WaveLedger.Entry entry, String iteration, WaveEnergy w, String method) {
        StringBuilder sb = new StringBuilder();
        String trial = entry.spec().describe();
        for (RequestEnergy r : w.requests()) {
            sb.append(trial).append(',').append(iteration).append(',').append(sensorId).append(',').append(method)
                    .append(',').append(w.policy().label()).append(',').append(r.index()).append(',')
                    .append(r.outcome().label()).append(',').append(r.promptTokens()).append(',')
                    .append(r.outputTokens()).append(',')
                    .append(String.format(Locale.ROOT, "%.3f,%.3f,%.6g,%.6g,%.6g,%.6g", r.prefillNanos() / 1e6,
                            r.decodeNanos() / 1e6, r.prefillJ(), r.decodeJ(), r.prefillShareSeconds(),
                            r.decodeShareSeconds()))
                    .append('\n');
        }
        dir.append("request-energy.csv", "trial,iteration,sensor,method,policy,request,outcome,prompt_tokens,"
                + "output_tokens,prefill_ms,decode_ms,prefill_J,decode_J,prefill_share_s,decode_share_s\n", sb.toString());
    }

    private void writeEnvironment() {
        RunDirectory dir = RunDirectory.current();
        ObjectNode json = dir.newObject();
        json.put("kind", "sensor");
        json.put("sensor", sensorId);
        json.put("updatePeriodMs", sensor.updatePeriod().toNanos() / 1e6);
        json.put("samplingPeriodMs", period.toNanos() / 1e6);
        json.put("maxGapMs", PowerSignal.defaultMaxGapNanos(period, sensor.updatePeriod()) / 1e6);
        json.put("attributionPolicy", policy.label());
        ObjectNode channels = json.putObject("channels");
        for (PowerChannel c : sensor.channels()) {
            channels.put(c.name(), c.device() + " " + c.scope().label() + " " + c.method().label() + " " + c.kind());
        }
        ObjectNode env = json.putObject("environment");
        sensor.environment().forEach(env::put);
        dir.appendJsonLine("sensors.jsonl", json);
    }

    private void writeTrace(RunDirectory dir, PowerTrace trace, WaveLedger.Entry entry) {
        StringWriter w = new StringWriter();
        try {
            trace.writeCsv(w);
        } catch (IOException e) {
            return;
        }
        String file = "power-" + sensorId + "-" + ProcessHandle.current().pid() + "-" + iterations + ".csv";
        dir.append(file, "# trial: " + entry.spec().describe() + "\n", w.toString());
    }

    /** The attribution policy of this profiler's results. */
    public AttributionPolicy policy() {
        return policy;
    }

    /** Energy of each device (e.g. each GPU) over the window, in the sensor's channel order. */
    private static Map<String, Double> perDevice(PowerTrace trace, long maxGap, PowerSignal all, long from, long to) {
        Map<String, Double> out = new java.util.LinkedHashMap<>();
        for (SignalSource s : all.sources()) {
            out.computeIfAbsent(s.device(), device ->
                    PowerSignal.of(trace, maxGap, c -> c.device().equals(device)).energyJoules(from, to));
        }
        return out;
    }

    @Override
    public String getDescription() {
        return "TokenPowerBench energy per token from the '" + sensorId + "' sensor, prefill/decode attribution "
                + policy.label();
    }
}
