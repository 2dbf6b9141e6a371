package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tokenpowerbench.energy.AttributionFlags;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.WaveEnergy;

/**
 * The {@code "kind":"energy"} line of {@code iterations.jsonl}: one per measured iteration and
 * sensor, with every figure of {@link IterationEnergy}, every attribution policy and the flags.
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
     * @param samplerCpuNanos CPU time the sampler spent inside the sensor
     * @param baselineMissing why the trial has no idle baseline; null when it has one
     */
    public record Context(String trial, String benchmark, String group, String iteration, int number, int samples,
                          long samplerCpuNanos, String baselineMissing) {
    }

    private EnergyRow() {
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
        json.put("benchmark", c.benchmark());
        json.put("group", c.group());
        json.put("iteration", c.iteration());
        json.put("iterationNumber", c.number());
        json.put("method", e.method());
        json.put("signal", e.signal());
        json.put("seconds", e.seconds());
        json.put("energyJ", e.totalJ());
        e.byScope().forEach((scope, joules) -> json.put("energyJ." + scope.label(), joules));
        json.put("promptTokens", e.promptTokens());
        json.put("outputTokens", e.outputTokens());
        if (e.goodOutputTokens() >= 0) {
            json.put("goodOutputTokens", e.goodOutputTokens());
            putFinite(json, "joulesPerGoodOutputToken", e.joulesPerGoodOutputToken());
        }
        json.put("decodeTokens", chosen.decodeTokens());
        json.put("samples", c.samples());
        json.put("samplerCpuNanosInSensor", c.samplerCpuNanos());
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
        if (e.baseline() != null) {
            ObjectNode b = json.putObject("idleBaseline");
            b.put("watts", e.baseline().watts());
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
        } else {
            json.put("steadyStateMissing", e.steadyMissing());
        }
        return json;
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
