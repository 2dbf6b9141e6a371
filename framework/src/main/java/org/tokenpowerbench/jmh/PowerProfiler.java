package org.tokenpowerbench.jmh;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Samples one {@link PowerSensor} on its own thread through every iteration, and reports the
 * energy of the measured wave's own window ({@code [first send, last answer]}): total joules,
 * joules per token (prompt plus output), joules per output token and average watts, summed over
 * devices and split by scope.
 *
 * <p>Per device, energy comes from a counter channel where one exists (the counter fixes the
 * total) and from integrating a power channel otherwise, so that no device is counted twice. A
 * result whose energy includes any {@link Method#ESTIMATED} channel carries {@code estimated} in
 * its name. A wave shorter than the sensor's update period is flagged in the run folder and on
 * standard error.
 *
 * <p>Options (after the profiler name): {@code period=10ms} sampling period, plus the sensor's own.
 */
public abstract class PowerProfiler implements InternalProfiler {

    private final String sensorId;
    private final Map<String, String> sensorOptions;
    private final Duration period;
    private PowerSensor sensor;
    private PowerSampler sampler;
    private int iterations;

    protected PowerProfiler(String sensorId, String initLine) throws ProfilerException {
        this.sensorId = sensorId;
        try {
            Map<String, String> options = ProfilerOptions.parse(sensorId, initLine);
            String p = options.remove("period");
            this.period = p == null ? PowerSampler.DEFAULT_PERIOD : ProfilerOptions.duration(sensorId, "period", p);
            if (period.compareTo(PowerSampler.MIN_PERIOD) < 0) {
                throw new IllegalArgumentException("-prof " + sensorId + ": period=" + p + " is below the minimum "
                        + PowerSampler.MIN_PERIOD.toMillis() + "ms");
            }
            this.sensorOptions = new LinkedHashMap<>(options);
            // Open once here, so that an unavailable sensor stops the run before the first trial.
            PowerSensors.open(sensorId, sensorOptions).close();
        } catch (SensorUnavailableException | IllegalArgumentException e) {
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
        }
        sampler = new PowerSampler(sensor, period);
        sampler.start();
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        PowerTrace trace = sampler.stop();
        sampler.close();
        iterations++;
        WaveLedger.Entry entry = WaveLedger.latest();
        if (entry == null) {
            return List.of();
        }
        WaveRecord wave = entry.wave();
        long from = Math.max(wave.startNanos(), trace.startNanos());
        long to = Math.min(wave.endNanos(), trace.endNanos());
        double seconds = (to - from) / 1e9;

        Map<String, Integer> perDevice = chooseChannels(trace.channels());
        Map<Scope, Double> byScope = new EnumMap<>(Scope.class);
        boolean estimated = false;
        double total = 0;
        for (int channel : perDevice.values()) {
            PowerChannel c = trace.channels().get(channel);
            double joules = trace.energyJoules(channel, from, to);
            byScope.merge(c.scope(), joules, Double::sum);
            total += joules;
            estimated |= c.method() == Method.ESTIMATED;
        }
        String label = estimated ? sensorId + ".estimated" : sensorId;
        long tokens = wave.promptTokens() + wave.outputTokens();
        long outTokens = wave.outputTokens();
        boolean tooShort = (to - from) < sensor.updatePeriod().toNanos();

        List<Result> results = new ArrayList<>();
        results.add(new ScalarResult(label + ".energy", total, "J", AggregationPolicy.AVG));
        if (tokens > 0) {
            results.add(new ScalarResult(label + ".J/token", total / tokens, "J/token", AggregationPolicy.AVG));
        }
        if (outTokens > 0) {
            results.add(new ScalarResult(label + ".J/outputToken", total / outTokens, "J/token", AggregationPolicy.AVG));
        }
        results.add(new ScalarResult(label + ".avgPower", total / seconds, "W", AggregationPolicy.AVG));
        if (byScope.size() > 1) {
            byScope.forEach((scope, joules) ->
                    results.add(new ScalarResult(label + "." + scope.label() + ".energy", joules, "J", AggregationPolicy.AVG)));
        }

        RunDirectory dir = RunDirectory.current();
        ObjectNode json = dir.newObject();
        json.put("kind", "energy");
        json.put("sensor", sensorId);
        json.put("trial", entry.spec().describe());
        json.put("iteration", iterationParams.getType().name().toLowerCase());
        json.put("method", estimated ? "estimated" : methods(trace.channels(), perDevice.values()));
        json.put("seconds", seconds);
        json.put("energyJ", total);
        byScope.forEach((scope, joules) -> json.put("energyJ." + scope.label(), joules));
        json.put("promptTokens", wave.promptTokens());
        json.put("outputTokens", outTokens);
        json.put("samples", trace.size());
        json.put("samplerCpuNanosInSensor", sampler.sensorNanos());
        json.put("windowShorterThanSensorUpdate", tooShort);
        dir.appendJsonLine("iterations.jsonl", json);
        if (tooShort) {
            System.err.println("tokenpowerbench: the wave lasted " + Math.round(seconds * 1000) + " ms, shorter than "
                    + sensorId + "'s update period of " + sensor.updatePeriod().toMillis()
                    + " ms: its energy is not directly measurable; use more prompts or longer outputs");
        }
        writeTrace(dir, trace, entry);
        return results;
    }

    /** Per device: its counter (or estimate) channel if it has one, else its first power channel. */
    static Map<String, Integer> chooseChannels(List<PowerChannel> channels) {
        Map<String, Integer> chosen = new LinkedHashMap<>();
        for (int i = 0; i < channels.size(); i++) {
            PowerChannel c = channels.get(i);
            Integer current = chosen.get(c.device());
            if (current == null) {
                chosen.put(c.device(), i);
            } else if (channels.get(current).kind() == PowerChannel.Kind.POWER_WATTS
                    && c.kind() == PowerChannel.Kind.ENERGY_JOULES) {
                chosen.put(c.device(), i);
            }
        }
        return chosen;
    }

    private static String methods(List<PowerChannel> channels, Collection<Integer> used) {
        return used.stream().map(i -> channels.get(i).method().label()).distinct().reduce((a, b) -> a + "+" + b).orElse("none");
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

    @Override
    public String getDescription() {
        return "TokenPowerBench energy per token from the '" + sensorId + "' sensor";
    }
}
