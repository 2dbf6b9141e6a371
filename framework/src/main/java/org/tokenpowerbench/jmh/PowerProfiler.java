package org.tokenpowerbench.jmh;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.energy.AttributionPolicy;
import org.tokenpowerbench.energy.IdleBaseline;
import org.tokenpowerbench.energy.IterationEnergy;
import org.tokenpowerbench.energy.PhaseAttribution;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.energy.ScopeNesting;
import org.tokenpowerbench.energy.SteadyStateWindow;
import org.tokenpowerbench.energy.WaveEnergy;
import org.tokenpowerbench.power.OperatingConditions;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.SensorUnavailableException;
import org.tokenpowerbench.report.ConditionsRow;
import org.tokenpowerbench.report.CounterGridFile;
import org.tokenpowerbench.report.EnergyRow;
import org.tokenpowerbench.report.FailureRecord;
import org.tokenpowerbench.report.IdleBaselineRow;
import org.tokenpowerbench.report.PowerTraceFile;
import org.tokenpowerbench.report.RequestEnergyFile;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.SensorRow;
import org.tokenpowerbench.report.TrialKey;
import org.tokenpowerbench.workload.Goodput;

/**
 * {@code -prof <sensor id>}: samples one {@link PowerSensor} on its own thread through every iteration (the first one
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
 * <p>One class serves every sensor that {@code ServiceLoader} finds: the command line turns
 * {@code -prof nvml:period=5ms} into this profiler with {@code sensor=nvml;period=5ms}. The figures
 * are computed by {@link IterationEnergy} (energy room), mapped to JMH results by
 * {@link EnergyResults}, and written to the run folder by the {@code report} room's rows; this
 * class only samples, keeps the trial's idle baseline, and publishes.
 *
 * <p>Results, where {@code <s>} is the sensor id plus {@code .estimated} when any of its energy is
 * a model rather than a meter:
 * <ul>
 *   <li>{@code <s>.energy}, {@code <s>.J/token}, {@code <s>.J/outputToken}, {@code <s>.avgPower},
 *       {@code <s>.<scope>.energy} (several scopes) — the measured total, as before;</li>
 *   <li>{@code <s>.prefill.J}, {@code <s>.decode.J} (policy in the unit), {@code <s>.idle.J};</li>
 *   <li>{@code <s>.J/promptToken} = prefill J / prompt tokens, {@code <s>.J/decodeToken} = decode J /
 *       decode tokens ({@code outputTokens - 1} per request), successful requests only;</li>
 *   <li>{@code <s>.idleBaseline.power} (with {@code <s>.idleBaseline.power.uncertainty}, its 1 σ in watts) and {@code <s>.dynamic.energy} = total − baseline × seconds,
 *       only when the trial measured an idle baseline (never a 0 in its place);</li>
 *   <li>{@code <s>.steady.J/token}: J per prompt-or-output token over the steady-state window
 *       ({@link SteadyStateWindow}), only when the wave has one.</li>
 * </ul>
 * Files in the run folder: {@code iterations.jsonl} (one {@code "kind":"energy"} line per
 * iteration with every figure, every policy and the flags), {@code request-energy.csv} (prefill
 * and decode joules of every request), {@code sensors.jsonl},
 * {@code idle-baselines.jsonl} and the raw traces {@code power-<sensor>-<pid>-<n>.csv} (with the
 * power the energy figures integrate, {@code power_W}); docs/run-folder.md has their columns.
 *
 * <p>Options (after the profiler name): {@code period=10ms} sampling period,
 * {@code attribution=token-weighted|equal-share}, plus the sensor's own.
 */
public class PowerProfiler implements InternalProfiler {

    /** The option that names the sensor: {@code -prof nvml} arrives here as {@code sensor=nvml}. */
    public static final String SENSOR = "sensor";

    /**
     * The system property that fails an iteration whose devices were throttled (a power or
     * thermal limit held the clocks back during the wave), instead of only flagging it.
     */
    public static final String REQUIRE_STABLE = "tpb.requireStable";

    private final String sensorId;
    private final Map<String, String> sensorOptions;
    private final Duration period;
    private final AttributionPolicy policy;
    private PowerSensor sensor;
    private PowerSampler sampler;
    /** When the sampler of this iteration started, System.nanoTime(): its own cost is read per second of its run. */
    private long samplingFrom;
    /** How many samples the last iteration's trace held: the next sampler's room ({@link PowerSampler}). */
    private int lastTraceSamples;
    private int iterations;
    private final Map<String, Integer> iterationsByKind = new HashMap<>();
    private IdleBaseline baseline;
    private WaveLedger.IdleWindow baselineWindow;
    private String noBaseline = "no idle window was measured in this trial";
    private boolean noBaselineSaid;
    /** When this fork last wrote its counter grids ({@link CounterGridFile}); MIN_VALUE: not yet. */
    private long gridsWritten = Long.MIN_VALUE;
    private static final long GRIDS_REWRITE_NANOS = 60_000_000_000L;

    /**
     * Made by JMH (in the host to check, and in every fork) from the options after the
     * profiler's name; {@code sensor=<id>} picks the sensor (the command line puts it first when
     * the user writes {@code -prof <id>}). Refused with one line under JMH's own Main
     * ({@link SweepLaunch}).
     */
    public PowerProfiler(String initLine) throws ProfilerException {
        SweepLaunch.require(PowerProfiler.class.getName());
        String id = sensorOf(initLine);
        this.sensorId = id;
        try {
            OptionLine options = OptionLine.parse("-prof " + sensorId, initLine);
            this.period = options.duration("period", PowerSampler.DEFAULT_PERIOD);
            if (period.compareTo(PowerSampler.MIN_PERIOD) < 0) {
                throw new UserError("-prof " + sensorId + ": period=" + options.get("period", null)
                        + " is below the minimum " + PowerSampler.MIN_PERIOD.toMillis() + "ms; sample less often");
            }
            String a = options.get("attribution", null);
            this.policy = a == null ? AttributionPolicy.fromSystemProperty() : AttributionPolicy.parse(a);
            this.sensorOptions = options.without(SENSOR, "period", "attribution").values();
            // Open once here, so that an unavailable sensor stops the run before the first trial.
            PowerSensors.open(sensorId, sensorOptions).close();
        } catch (SensorUnavailableException | IllegalArgumentException e) { // UserError among them
            throw new ProfilerException(e.getMessage());
        }
    }

    public PowerProfiler() throws ProfilerException {
        this("");
    }

    private static String sensorOf(String initLine) throws ProfilerException {
        if (initLine != null) {
            for (String pair : initLine.split(";")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.substring(0, eq).trim().equals(SENSOR)) {
                    return pair.substring(eq + 1).trim();
                }
            }
        }
        throw new ProfilerException("TokenPowerBench's power profiler needs a sensor: write -prof <sensor id> (e.g. -prof "
                + "nvml) with TokenPowerBench's Main, or sensor=<id> in its options; known sensors: "
                + String.join(", ", PowerSensors.knownIds()));
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
            SensorRow.append(RunDirectory.current(), sensor, period, policy);
            // an earlier fork's counter grids: the sensor confirms them with a few reads instead of learning anew
            sensor.startFrom(CounterGridFile.recall(RunDirectory.current(), sensorId, sensor.channels(), System.nanoTime(),
                    wallNanos()));
        }
        // room for as many samples as the last iteration's trace held, and an eighth more: eight GPUs' buffered
        // power samples make over 2,000 a 5 s wave, and growing the arrays to them cost as much CPU as the rest
        sampler = new PowerSampler(sensor, period, lastTraceSamples + lastTraceSamples / 8);
        samplingFrom = System.nanoTime();
        sampler.start();
        PowerNow.show(sensorId, sampler);
        IdleEdges.show(sensorId, sampler);
    }

    @Override
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        PowerNow.hide(sensorId);
        IdleEdges.hide(sensorId);
        PowerTrace trace = sampler.stop();
        long samplingNanos = System.nanoTime() - samplingFrom;
        lastTraceSamples = trace.size();
        long samplerNanos = sampler.sensorNanos();
        long scheduledNanos = sampler.scheduledSensorNanos();
        sampler.close();
        iterations++;
        String kind = iterationParams.getType().name().toLowerCase(Locale.ROOT);
        int number = iterationsByKind.merge(kind, 1, Integer::sum);
        PowerSignal signal;
        try {
            // a node's reading already holds its GPUs and CPUs: the total is each node's outermost scope
            signal = PowerSignal.of(trace, PowerSignal.defaultMaxGapNanos(period, sensor.updatePeriod()),
                    ScopeNesting.outermost(trace.channels()),
                    org.tokenpowerbench.energy.CounterTiming.fromSystemProperty(sensor.updatePeriod())
                            .withGrids(sensor.counterGrids()).withScatter(sensor.counterScatterNanos()));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("sensor '" + sensorId + "': " + e.getMessage(), e);
        }
        RunDirectory dir = RunDirectory.current();
        rememberGrids(dir);
        updateBaseline(dir, signal);
        WaveLedger.Entry entry = WaveLedger.latest();
        if (entry == null) {
            return List.of();
        }
        Goodput goodput = entry.goodput();
        IterationEnergy energy = IterationEnergy.measure(sensorId, trace, signal, sensor.updatePeriod().toNanos(),
                entry.wave(), policy, baseline, goodput == null ? -1 : goodput.goodOutputTokens());
        TrialKey trial = new TrialKey(entry.spec().benchmarkClass(), entry.spec().describe());
        EnergyRow.append(dir, new EnergyRow.Context(trial.description(), trial.benchmark(),
                entry.spec().group(), kind, number, trace.size(), samplerNanos, scheduledNanos, samplingNanos,
                baseline == null ? noBaseline : null), energy);
        RequestEnergyFile.append(dir, trial, kind + "-" + number, sensorId, energy.method(), energy.chosen());
        PowerTraceFile.write(dir, sensorId, iterations, trial, kind + "-" + number, trace, signal);
        warn(energy, kind, number);
        List<Result> results = new java.util.ArrayList<>(EnergyResults.of(energy));
        results.add(EnergyResults.samplerReadTime(sensorId, samplerNanos, samplingNanos));
        results.add(EnergyResults.samplerReadTimeInWave(sensorId, scheduledNanos, samplingNanos));
        OperatingConditions conditions = OperatingConditions.of(sensor.drainConditions(), energy.fromNanos(),
                energy.toNanos());
        if (!conditions.isEmpty()) {
            ConditionsRow.append(dir, trial, kind + "-" + number, sensorId, conditions);
            results.addAll(EnergyResults.of(energy.label(), conditions));
            if (conditions.throttled()) {
                String line = sensorId + ": the devices were throttled during " + kind + " " + number + " ("
                        + conditions.describe() + "): its figures measure the limit as much as the work";
                if (Boolean.getBoolean(REQUIRE_STABLE)) {
                    // rows are written above: the wave's data is kept, only the iteration fails
                    new FailureRecord(RunDirectory.invocation(), entry.spec().benchmarkClass(), trial.description(),
                            line + " (-D" + REQUIRE_STABLE + "=true)").appendTo(dir);
                    throw new BenchmarkFailure(line + "; -D" + REQUIRE_STABLE + "=true fails such iterations");
                }
                System.err.println("tokenpowerbench: " + line + "; -jvmArgsAppend -D" + REQUIRE_STABLE
                        + "=true fails such iterations");
            }
        }
        return results;
    }

    /** Writes the sensor's counter grids for the run's next fork: once learned, then at most once a minute. */
    private void rememberGrids(RunDirectory dir) {
        long now = System.nanoTime();
        if (gridsWritten != Long.MIN_VALUE && now - gridsWritten < GRIDS_REWRITE_NANOS) {
            return;
        }
        Map<String, org.tokenpowerbench.energy.CounterGrid> grids = sensor.counterGrids();
        if (!grids.isEmpty()) {
            gridsWritten = now;
            try {
                CounterGridFile.append(dir, sensorId, sensor.channels(), grids, now, wallNanos());
            } catch (java.io.UncheckedIOException e) {
                // only a head start for the next fork: this wave's rows are what must not be lost
                System.err.println("tokenpowerbench: " + sensorId + ": the counter grids were not kept for the next fork ("
                        + e.getMessage() + "); it will learn them anew");
            }
        }
    }

    private static long wallNanos() {
        java.time.Instant t = java.time.Instant.now();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }

    /** What a person must know about this wave's figures, on the console (the run folder has it too). */
    private void warn(IterationEnergy e, String kind, int number) {
        if (baseline == null && !noBaselineSaid) {
            noBaselineSaid = true;
            System.err.println("tokenpowerbench: " + sensorId + ": " + noBaseline
                    + ", so no dynamic energy is reported for this trial");
        }
        if (e.shorterThanUpdate()) {
            System.err.println("tokenpowerbench: the wave lasted " + Math.round(e.seconds() * 1000) + " ms, shorter than "
                    + sensorId + "'s update period of " + sensor.updatePeriod().toMillis()
                    + " ms: its energy is not directly measurable; use more prompts or longer outputs");
        }
        WaveEnergy chosen = e.chosen();
        if (!chosen.flags().gaps().isEmpty() || chosen.conservationError() > 1e-9) {
            System.err.println("tokenpowerbench: " + sensorId + " attribution flags (" + kind + " " + number + "): "
                    + chosen.flags().summary() + String.format(Locale.ROOT, "; conservation error %.2e",
                    chosen.conservationError()));
        }
    }

    /** Measures the idle baseline once per idle window, from the trace that covers it. */
    private void updateBaseline(RunDirectory dir, PowerSignal signal) {
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
        IdleBaselineRow.append(dir, sensorId, new TrialKey(window.spec().benchmarkClass(), window.spec().describe()),
                window.fromNanos(), window.toNanos(), baseline, window.tries(), window.moved(),
                window.halves().stream().filter(h -> h.sensor().equals(sensorId)).toList());
        System.err.println("tokenpowerbench: " + sensorId + " idle baseline " + baseline.describe());
    }

    /** The attribution policy of this profiler's results. */
    public AttributionPolicy policy() {
        return policy;
    }

    @Override
    public String getDescription() {
        return "TokenPowerBench energy per token from the '" + sensorId + "' sensor, prefill/decode attribution "
                + policy.label();
    }
}
