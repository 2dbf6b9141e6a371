package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.energy.AttributionFlags;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.WaveEnergy;

/**
 * The {@code "kind":"energy"} line of {@code iterations.jsonl}: one per measured iteration and
 * sensor, with every figure of {@link IterationEnergy}, every attribution policy and the flags;
 * {@code trialId} and {@code iterationId} join it to the CSVs' {@code trial_id} and
 * {@code iteration}, and {@code windowFromUnixMs} / {@code windowToUnixMs} are the wave's window
 * (first send to last answer) on the run folder's clock ({@link RunClock}).
 * {@link RegressionFile} reads these lines back (forks are separate JVMs, so the run folder is
 * where iterations of several trials meet).
 */
public final class EnergyRow {

    public static final String FILE = "iterations.jsonl";

    /**
     * Where the iteration belongs.
     *
     * @param trial           the trial's description
     * @param benchmark       the benchmark class
     * @param group           the serving configuration (trials that differ only in prompt count and lengths)
     * @param iteration       {@code warmup} or {@code measurement}
     * @param number          the iteration's number within its kind, from 1
     * @param samples         samples in the iteration's trace
     * @param samplerCpuNanos time the sampler spent inside the sensor's reads, boundary samples
     *                        included (wall time around each read: for a driver call that
     *                        busy-waits, as NVML's counter read does, close to its CPU time);
     *                        written as {@code samplerCpuNanosInSensor}
     * @param samplerScheduledNanos of {@code samplerCpuNanos}, the reads the sampling thread made on its
     *                        own schedule while the iteration ran (its wave and any idle window; edge
     *                        reads left out); written as {@code samplerCpuNanosInScheduledReads}
     * @param samplingNanos   how long the sampler ran, from its start to its stop (the iteration,
     *                        which holds the wave's window); 0 where not known
     * @param baselineMissing why the trial has no idle baseline; null when it has one
     */
    public record Context(String trial, String benchmark, String group, String iteration, int number, int samples,
                          long samplerCpuNanos, long samplerScheduledNanos, long samplingNanos,
                          String baselineMissing) {
    }

    /**
     * An attribution policy's figures for the successful requests of a wave, as read back.
     *
     * @param prefillJ            joules given to prefill phases
     * @param decodeJ             joules given to decode phases
     * @param prefillShareSeconds seconds of prefill, each instant divided among the requests then in a phase
     * @param decodeShareSeconds  seconds of decode, divided likewise
     */
    public record PolicyFigures(double prefillJ, double decodeJ, double prefillShareSeconds, double decodeShareSeconds) {
    }

    /**
     * An energy line as read back: what the regression cross-check and a report need.
     *
     * @param idleBaselineW the trial's idle baseline, NaN when none was measured
     * @param policies      every policy's figures, by label, in the order written
     */
    public record Line(String invocation, String sensor, String benchmark, String trial, String group, String iteration,
                       String method, double seconds, double energyJ, double promptTokens, double decodeTokens,
                       double idleBaselineW, Map<String, PolicyFigures> policies) {

        public Line {
            policies = Collections.unmodifiableMap(new LinkedHashMap<>(policies));
        }

        public boolean measurement() {
            return "measurement".equals(iteration);
        }
    }

    private EnergyRow() {
    }

    /**
     * Every energy line of a run folder's {@code iterations.jsonl}, in the order written; other
     * kinds of line, and lines written before these fields existed, are skipped.
     *
     * @throws UncheckedIOException when the file exists but cannot be read
     */
    public static List<Line> read(Path runDir) {
        Path in = runDir.resolve(FILE);
        List<Line> out = new ArrayList<>();
        for (JsonNode n : JsonLines.read(in)) {
            if (!"energy".equals(n.path("kind").asText()) || !n.has("decodeTokens") || !n.has("policies")) {
                continue;
            }
            Map<String, PolicyFigures> policies = new LinkedHashMap<>();
            n.path("policies").fields().forEachRemaining(p -> policies.put(p.getKey(), new PolicyFigures(
                    p.getValue().path("prefillJ").asDouble(), p.getValue().path("decodeJ").asDouble(),
                    p.getValue().path("prefillShareSeconds").asDouble(),
                    p.getValue().path("decodeShareSeconds").asDouble())));
            out.add(new Line(n.path("invocation").asText(""), n.path("sensor").asText(), n.path("benchmark").asText(),
                    n.path("trial").asText(), n.path("group").asText(), n.path("iteration").asText(),
                    n.path("method").asText(), n.path("seconds").asDouble(), n.path("energyJ").asDouble(),
                    n.path("promptTokens").asDouble(), n.path("decodeTokens").asDouble(),
                    n.has("idleBaseline") ? n.path("idleBaseline").path("watts").asDouble() : Double.NaN,
                    policies));
        }
        return out;
    }

    /** Appends the line for {@code e} to the run folder's {@code iterations.jsonl}. */
    public static void append(RunDirectory dir, Context c, IterationEnergy e) {
        dir.appendJsonLine(FILE, json(dir, c, e));
    }

    static ObjectNode json(RunDirectory dir, Context c, IterationEnergy e) {
        WaveEnergy chosen = e.chosen();
        ObjectNode json = dir.newObject();
        json.put("kind", "energy");
        json.put("sensor", e.sensor());
        json.put("trial", c.trial());
        json.put("trialId", new TrialKey(c.benchmark(), c.trial()).id());
        json.put("benchmark", c.benchmark());
        json.put("group", c.group());
        json.put("iteration", c.iteration());
        json.put("iterationNumber", c.number());
        json.put("iterationId", c.iteration() + "-" + c.number()); // the CSVs' iteration column
        RunClock clock = RunClock.of(dir);
        json.put("windowFromUnixMs", clock.unixMillis(e.fromNanos()));
        json.put("windowToUnixMs", clock.unixMillis(e.toNanos()));
        json.put("method", e.method());
        json.put("signal", e.signal());
        if (e.counterTiming() != null) {
            json.put("counterTiming", e.counterTiming());
        }
        json.put("seconds", e.seconds());
        json.put("energyJ", e.totalJ());
        e.byScope().forEach((scope, joules) -> json.put("energyJ." + scope.label(), joules));
        double other = org.tokenpowerbench.energy.ScopeNesting.nodeOther(e.byScope());
        if (Double.isFinite(other)) {
            json.put("energyJ.node.other", other);
        }
        json.put("promptTokens", e.promptTokens());
        json.put("outputTokens", e.outputTokens());
        if (e.goodOutputTokens() >= 0) {
            json.put("goodOutputTokens", e.goodOutputTokens());
            putFinite(json, "joulesPerGoodOutputToken", e.joulesPerGoodOutputToken());
        }
        json.put("decodeTokens", chosen.decodeTokens());
        json.put("samples", c.samples());
        json.put("samplerCpuNanosInSensor", c.samplerCpuNanos());
        json.put("samplerCpuNanosInScheduledReads", c.samplerScheduledNanos());
        if (c.samplingNanos() > 0) {
            json.put("samplingSeconds", c.samplingNanos() / 1e9);
        }
        json.put("windowShorterThanSensorUpdate", e.shorterThanUpdate());
        json.put("policy", e.policy().label());
        json.put("prefillJ", chosen.prefillJ());
        json.put("decodeJ", chosen.decodeJ());
        json.put("idleJ", chosen.idleJ());
        json.put("idleSeconds", chosen.idleSeconds());
        json.put("failedJ", chosen.failedJ());
        putFinite(json, "jPerPromptToken", chosen.joulesPerPromptToken());
        putFinite(json, "jPerDecodeToken", chosen.joulesPerDecodeToken());
        json.put("conservationError", chosen.conservationError());
        tokenKinds(json, chosen);
        ObjectNode policies = json.putObject("policies");
        e.policies().forEach((p, w) -> {
            ObjectNode node = policies.putObject(p.label());
            node.put("prefillJ", w.succeededPrefillJ());
            node.put("decodeJ", w.succeededDecodeJ());
            node.put("prefillShareSeconds", w.succeededPrefillShareSeconds());
            node.put("decodeShareSeconds", w.succeededDecodeShareSeconds());
            putFinite(node, "jPerPromptToken", w.joulesPerPromptToken());
            putFinite(node, "jPerDecodeToken", w.joulesPerDecodeToken());
            if (e.baseline() != null) {
                putFinite(node, "dynamicJPerPromptToken", w.joulesPerPromptTokenAbove(e.baseline().watts()));
                putFinite(node, "dynamicJPerDecodeToken", w.joulesPerDecodeTokenAbove(e.baseline().watts()));
            }
        });
        flags(json.putObject("flags"), chosen.flags());
        budget(json.putObject("errorBudget"), e);
        if (e.baseline() != null) {
            ObjectNode b = json.putObject("idleBaseline");
            b.put("watts", e.baseline().watts());
            b.put("uncertaintyWatts", e.baseline().uncertaintyWatts());
            b.put("seconds", e.baseline().seconds());
            b.put("method", e.baseline().method());
            b.put("gaps", e.baseline().gaps());
            json.put("dynamicEnergyJ", e.dynamicJ());
        } else {
            json.put("idleBaselineMissing", c.baselineMissing());
        }
        if (e.steady() != null) {
            ObjectNode s = json.putObject("steadyState");
            s.put("fromSecondsAfterWaveStart", (e.steady().window().fromNanos() - e.fromNanos()) / 1e9);
            s.put("seconds", e.steady().window().seconds());
            s.put("energyJ", e.steady().joules());
            s.put("promptTokens", e.steady().promptTokens());
            s.put("outputTokens", e.steady().outputTokens());
            putFinite(s, "jPerToken", e.steady().joulesPerToken());
            putFinite(s, "jPerOutputToken", e.steady().joulesPerOutputToken());
            if (e.steadyNote() != null) {
                s.put("jPerTokenOmitted", e.steadyNote());
            }
        } else {
            json.put("steadyStateMissing", e.steadyMissing());
        }
        return json;
    }

    /**
     * The energy's error budget: each term as 1 σ in joules, the rule, and the 95 % half-widths of
     * the total and the per-token figures (tokens are exact, so they carry the total's relative width).
     */
    private static void budget(ObjectNode node, IterationEnergy e) {
        org.tokenpowerbench.energy.EnergyBudget b = e.budget();
        node.put("counterJ", b.counterJ());
        node.put("samplingJ", b.samplingJ());
        putFinite(node, "accuracyShare", b.accuracy().share());
        node.put("accuracyJ", b.accuracyJ());
        node.put("accuracySource", b.accuracy().source());
        node.put("rule", "sigma = root-sum-square of independent terms; 95 % half-width = 1.96 sigma");
        node.put("energyJHalfWidth95", b.halfWidthJ());
        putFinite(node, "jPerTokenHalfWidth95", b.halfWidthOf(e.joulesPerToken()));
        putFinite(node, "jPerOutputTokenHalfWidth95", b.halfWidthOf(e.joulesPerOutputToken()));
        if (e.baseline() != null) {
            putFinite(node, "dynamicEnergyJHalfWidth95", e.dynamicHalfWidthJ());
        }
    }

    /**
     * Energy per kind of token, only where the wave has the kind: {@code reasoningJ + answerJ ==
     * decodeJ}; the token steps and the reasoning count's source; the cached and computed prompt
     * tokens with J per computed prompt token. docs/attribution.md, "Energy per kind of token".
     */
    private static void tokenKinds(ObjectNode json, WaveEnergy chosen) {
        if (chosen.reasoningTokens() > 0 || chosen.reasoningJ() > 0) {
            ObjectNode k = json.putObject("reasoning");
            k.put("reasoningJ", chosen.reasoningJ());
            k.put("answerJ", chosen.answerJ());
            k.put("reasoningTokens", chosen.reasoningTokens());
            k.put("answerTokens", chosen.answerTokens());
            k.put("reasoningTokenSource", chosen.reasoningTokenSource());
            putFinite(k, "jPerReasoningToken", chosen.joulesPerReasoningToken());
            putFinite(k, "jPerAnswerToken", chosen.joulesPerAnswerToken());
        }
        if (chosen.draftTokens() > 0) {
            ObjectNode k = json.putObject("speculative");
            k.put("draftTokens", chosen.draftTokens());
            k.put("acceptedDraftTokens", chosen.acceptedDraftTokens());
            k.put("acceptance", chosen.draftAcceptance());
            k.put("source", "server-reported per request (llama-server timings.draft_n, draft_n_accepted)");
        }
        if (chosen.cachedPromptTokens() > 0) {
            ObjectNode k = json.putObject("promptCache");
            k.put("cachedPromptTokens", chosen.cachedPromptTokens());
            k.put("computedPromptTokens", chosen.computedPromptTokens());
            putFinite(k, "jPerComputedPromptToken", chosen.joulesPerComputedPromptToken());
        }
    }

    private static void putFinite(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        }
    }

    private static void flags(ObjectNode node, AttributionFlags f) {
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
}
