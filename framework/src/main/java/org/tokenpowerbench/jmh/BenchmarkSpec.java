package org.tokenpowerbench.jmh;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.StringJoiner;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.axes.AxisValues;
import org.tokenpowerbench.client.RequestBodyFields;
import org.tokenpowerbench.engine.launch.LaunchAxes;
import org.tokenpowerbench.workload.ArrivalProcess;
import org.tokenpowerbench.workload.LengthDistribution;
import org.tokenpowerbench.workload.PromptSource;
import org.tokenpowerbench.workload.Slo;

/**
 * One point of a sweep, as the generated harness passes it to {@link InferenceSession}: the
 * values of every JMH {@code @Param} plus the constants of the annotated class, each set by its
 * {@link Axis} name and read back typed through the axis table. What each axis means, its
 * default, its check, whether it separates result groups and when it is described are the
 * table's; this class adds only what the trial derives from several axes at once.
 *
 * <pre>{@code
 * BenchmarkSpec.builder("demo.MyBench").set("model", model).set("batch", batch).set("seed", 7L).build()
 * }</pre>
 */
public final class BenchmarkSpec implements AxisValues {

    private final String benchmarkClass;
    private final Map<Axis, Object> values;

    private BenchmarkSpec(String benchmarkClass, Map<Axis, Object> values) {
        this.benchmarkClass = benchmarkClass;
        this.values = Collections.unmodifiableMap(new EnumMap<>(values));
    }

    /** Starts a point of the benchmark class {@code benchmarkClass} (its qualified source name). */
    public static Builder builder(String benchmarkClass) {
        return new Builder(benchmarkClass);
    }

    /**
     * Collects values by axis name. A name the table does not know, a value of the wrong type, a
     * name set twice or a required axis left out is a bug of the code that calls it (generated code
     * from a processor of another version, say) and throws {@link IllegalArgumentException}.
     */
    public static final class Builder {
        private final String benchmarkClass;
        private final Map<Axis, Object> values = new EnumMap<>(Axis.class);

        private Builder(String benchmarkClass) {
            this.benchmarkClass = Objects.requireNonNull(benchmarkClass, "benchmarkClass");
        }

        /** Sets the axis called {@code name}; {@code value} has the axis's type (boxed). */
        public Builder set(String name, Object value) {
            Axis axis = Axis.named(name);
            if (axis == null) {
                throw new IllegalArgumentException("no axis is called '" + name + "' (axes: " + Axis.names()
                        + "): the generated class and the framework disagree; compile the benchmark against this "
                        + "framework's annotation processor");
            }
            if (!axis.type().holds(value)) {
                throw new IllegalArgumentException("axis '" + name + "' takes " + axis.type().javaName() + ", not "
                        + (value == null ? "null" : value.getClass().getSimpleName() + " " + value));
            }
            if (values.putIfAbsent(axis, value) != null) {
                throw new IllegalArgumentException("axis '" + name + "' is set twice");
            }
            return this;
        }

        public BenchmarkSpec build() {
            for (Axis a : Axis.values()) {
                if (a.presence() == Axis.Presence.REQUIRED && !values.containsKey(a)) {
                    throw new IllegalArgumentException("axis '" + a.paramName() + "' has no default and was not set");
                }
            }
            return new BenchmarkSpec(benchmarkClass, values);
        }
    }

    @Override
    public boolean has(Axis axis) {
        return values.containsKey(axis);
    }

    @Override
    public Object get(Axis axis) {
        Object v = values.get(axis);
        return v != null ? v : axis.defaultValue();
    }

    private int integer(Axis axis) {
        return (Integer) get(axis);
    }

    private double number(Axis axis) {
        return (Double) get(axis);
    }

    private String text(Axis axis) {
        Object v = get(axis);
        return v == null ? "" : (String) v;
    }

    /**
     * Checks every value against its axis's rule, and what only the framework can check
     * (the arrival process the open-loop values make, the SLO, the request fields), before an
     * engine starts.
     *
     * @throws UserError with one line naming the first value that is not allowed
     */
    public void check() {
        for (Axis a : Axis.values()) {
            Object v = get(a);
            String complaint = v == null ? null : a.complaint(v);
            if (complaint != null) {
                throw new UserError(complaint);
            }
        }
        try {
            if (openLoop()) {
                arrivalProcess(); // the combination: Poisson arrivals with a burstiness, say
            }
            slo();
            requestBodyFields(); // names the field the benchmark controls
            LengthDistribution.parse(Axis.INPUT_LENGTHS.paramName(), inputLengths());
            LengthDistribution.parse(Axis.OUTPUT_LENGTHS.paramName(), outputLengths());
        } catch (IllegalArgumentException e) {
            throw new UserError(e.getMessage()); // these parsers say what is wrong with the user's value
        }
    }

    public String benchmarkClass() {
        return benchmarkClass;
    }

    public String model() {
        return text(Axis.MODEL);
    }

    public String quantization() {
        return text(Axis.QUANTIZATION);
    }

    /** Closed loop: streams in flight (see {@link Axis#BATCH}); the server's slots are {@link #slots()}. */
    public int batch() {
        return integer(Axis.BATCH);
    }

    /** Tensor-parallel size for a managed engine (see {@link Axis#TENSOR_PARALLEL}); 1 without {@code @Parallelism}. */
    public int tensorParallel() {
        return integer(Axis.TENSOR_PARALLEL);
    }

    /** Pipeline-parallel size for a managed engine (see {@link Axis#PIPELINE_PARALLEL}); 1 without {@code @Parallelism}. */
    public int pipelineParallel() {
        return integer(Axis.PIPELINE_PARALLEL);
    }

    /** Data-parallel replicas for a managed engine (see {@link Axis#DATA_PARALLEL}); 1 without {@code @Parallelism}. */
    public int dataParallel() {
        return integer(Axis.DATA_PARALLEL);
    }

    /**
     * What a managed engine ({@code launch:...}) is started with for this trial: the model, the
     * quantization, the parallel sizes, the slots and the tokens one slot holds (the longest prompt
     * plus the output). Reads a dataset file, as {@link #promptSource()} does.
     */
    public LaunchAxes launchAxes() {
        return new LaunchAxes(model(), quantization(), tensorParallel(), pipelineParallel(), dataParallel(), slots(),
                promptSource().contextPerSlot(outputTokens()), seed());
    }

    /** The prompt length: {@code contextLength} when the benchmark has that axis, else {@code inputTokens}; 0 with a dataset. */
    public int inputTokens() {
        return has(Axis.DATASET) ? 0 : integer(promptLengthAxis());
    }

    public int outputTokens() {
        return integer(Axis.OUTPUT_TOKENS);
    }

    public int prompts() {
        return integer(Axis.PROMPTS);
    }

    public long seed() {
        return (Long) get(Axis.SEED);
    }

    public String engine() {
        return text(Axis.ENGINE);
    }

    public String api() {
        return text(Axis.API);
    }

    public String apiKeyEnv() {
        return text(Axis.API_KEY_ENV);
    }

    public double rate() {
        return number(Axis.RATE);
    }

    public String arrivals() {
        return text(Axis.ARRIVALS);
    }

    public double burstiness() {
        return number(Axis.BURSTINESS);
    }

    /** Open loop: the most requests in flight, 0 for no bound (see {@link Axis#MAX_CONCURRENCY}). */
    public int maxConcurrency() {
        return integer(Axis.MAX_CONCURRENCY);
    }

    public int warmupRequests() {
        return integer(Axis.WARMUP_REQUESTS);
    }

    /** The dataset file's path; empty for synthetic prompts. */
    public String dataset() {
        return text(Axis.DATASET);
    }

    public int datasetMaxTokens() {
        return integer(Axis.DATASET_MAX_TOKENS);
    }

    public String inputLengths() {
        return text(Axis.INPUT_LENGTHS);
    }

    public String outputLengths() {
        return text(Axis.OUTPUT_LENGTHS);
    }

    public double waveSeconds() {
        return number(Axis.WAVE_SECONDS);
    }

    public String requestFields() {
        return text(Axis.REQUEST_FIELDS);
    }

    /** The extra request-body fields; throws with one line for a value that does not make them. */
    public RequestBodyFields requestBodyFields() {
        return RequestBodyFields.parse(Axis.REQUEST_FIELDS.paramName(), requestFields());
    }

    /** The open-loop arrival schedule; throws with one line when the values do not make one. */
    public ArrivalProcess arrivalProcess() {
        return ArrivalProcess.of(rate(), arrivals(), burstiness());
    }

    /** The service-level objectives; {@link Slo#NONE} when none is set. */
    public Slo slo() {
        return new Slo(number(Axis.SLO_TTFT_MS), number(Axis.SLO_TPOT_MS), number(Axis.SLO_E2E_MS));
    }

    private Axis promptLengthAxis() {
        return has(Axis.CONTEXT_LENGTH) ? Axis.CONTEXT_LENGTH : Axis.INPUT_TOKENS;
    }

    /** {@code contextLength} or {@code inputTokens}: the parameter that sets the prompt length. */
    public String promptLengthName() {
        return promptLengthAxis().paramName();
    }

    /** Where the trial's prompts come from; reads and checks a dataset file, so call it before starting an engine. */
    public PromptSource promptSource() {
        return new PromptSource(dataset(), prompts(), openLoop() ? warmupRequests() : 0, inputTokens(),
                promptLengthName(), datasetMaxTokens(), seed(),
                LengthDistribution.parse(Axis.INPUT_LENGTHS.paramName(), inputLengths()),
                LengthDistribution.parse(Axis.OUTPUT_LENGTHS.paramName(), outputLengths()));
    }

    /** The wave's duration in nanoseconds, 0 for one pass over the prompts ({@link #check()} bounds it). */
    public long waveNanos() {
        return Math.round(waveSeconds() * 1e9);
    }

    /**
     * Requests the server must hold at once: {@code batch} streams in closed loop; in open loop
     * at least {@code maxConcurrency} (and never fewer than {@code batch}, which sizes the engine
     * the same way for both loops of one benchmark).
     */
    public int slots() {
        return openLoop() ? Math.max(batch(), maxConcurrency()) : batch();
    }

    /**
     * The parameter values, for file names and result rows and as the run folder's key for a trial
     * (resume compares it): every axis the table shows for this point, in the table's order. Never
     * includes the API key (only the name of its variable is an axis, and it is not shown).
     */
    public String describe() {
        return join(false);
    }

    /**
     * The result group of this point: its description without the axes that do not separate
     * groups (prompt count and lengths), so points of one serving configuration share it. The
     * regression cross-check fits each group apart; {@code iterations.jsonl} records it.
     */
    public String group() {
        return join(true);
    }

    private String join(boolean groupsOnly) {
        StringJoiner s = new StringJoiner(" ");
        for (Axis a : Axis.values()) {
            if ((!groupsOnly || a.groups()) && a.shownIn(this)) {
                s.add(a.describe(get(a)));
            }
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BenchmarkSpec other && benchmarkClass.equals(other.benchmarkClass)
                && values.equals(other.values);
    }

    @Override
    public int hashCode() {
        return Objects.hash(benchmarkClass, values);
    }

    @Override
    public String toString() {
        return benchmarkClass + " " + describe();
    }
}
