package org.tokenpowerbench.jmh;

import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.RequestBodyFields;
import org.tokenpowerbench.workload.ArrivalProcess;
import org.tokenpowerbench.workload.LengthDistribution;
import org.tokenpowerbench.workload.PromptSource;
import org.tokenpowerbench.workload.Slo;

/**
 * One point of a sweep, as the generated harness passes it to {@link InferenceSession}: the
 * values of every JMH {@code @Param} plus the constants of the annotated class. Generated code
 * calls the canonical constructor positionally: a new component goes at the end, together with
 * the processor's generated call.
 *
 * @param inputTokens       prompt length in tokens: {@code @Prompts(inputTokens)}, or
 *                          {@code @ContextLength} when {@code contextLengthAxis}; 0 with a dataset
 * @param rate              open-loop requests per second ({@code @Workload}); 0: closed loop
 * @param arrivals          {@code poisson} or {@code gamma}
 * @param burstiness        gamma shape; 1 for Poisson
 * @param maxConcurrency    open loop: most requests in flight; 0: no bound
 * @param warmupRequests    open loop: unmeasured requests at the start of every wave
 * @param dataset           path of a {@code @Dataset} file; empty for synthetic prompts
 * @param datasetMaxTokens  largest prompt plus output tokens of a dataset entry that is used
 * @param contextLengthAxis whether {@code inputTokens} came from {@code @ContextLength}
 * @param sloTtftMs         {@code @Slo(ttftMs)}, 0 for none
 * @param sloTpotMs         {@code @Slo(tpotMs)}, 0 for none
 * @param sloE2eMs          {@code @Slo(e2eMs)}, 0 for none
 * @param inputLengths      how synthetic prompt lengths spread around {@code inputTokens}
 *                          ({@link LengthDistribution}); {@code fixed} by default
 * @param outputLengths     how output lengths spread around {@code outputTokens}
 * @param waveSeconds       how long a wave keeps sending, cycling through the prompts; 0: one
 *                          pass over the prompt set
 * @param requestFields     extra request-body fields ({@code @RequestFields}); empty for none
 */
public record BenchmarkSpec(
        String benchmarkClass,
        String model,
        String quantization,
        int batch,
        int inputTokens,
        int outputTokens,
        int prompts,
        long seed,
        String engine,
        String api,
        String apiKeyEnv,
        double rate,
        String arrivals,
        double burstiness,
        int maxConcurrency,
        int warmupRequests,
        String dataset,
        int datasetMaxTokens,
        boolean contextLengthAxis,
        double sloTtftMs,
        double sloTpotMs,
        double sloE2eMs,
        String inputLengths,
        String outputLengths,
        double waveSeconds,
        String requestFields) {

    /** A point with fixed lengths and one pass over the prompts per wave. */
    public BenchmarkSpec(String benchmarkClass, String model, String quantization, int batch, int inputTokens,
                         int outputTokens, int prompts, long seed, String engine, String api, String apiKeyEnv,
                         double rate, String arrivals, double burstiness, int maxConcurrency, int warmupRequests,
                         String dataset, int datasetMaxTokens, boolean contextLengthAxis, double sloTtftMs,
                         double sloTpotMs, double sloE2eMs) {
        this(benchmarkClass, model, quantization, batch, inputTokens, outputTokens, prompts, seed, engine, api,
                apiKeyEnv, rate, arrivals, burstiness, maxConcurrency, warmupRequests, dataset, datasetMaxTokens,
                contextLengthAxis, sloTtftMs, sloTpotMs, sloE2eMs, "fixed", "fixed", 0, "");
    }

    /** A point without extra request fields. */
    public BenchmarkSpec(String benchmarkClass, String model, String quantization, int batch, int inputTokens,
                         int outputTokens, int prompts, long seed, String engine, String api, String apiKeyEnv,
                         double rate, String arrivals, double burstiness, int maxConcurrency, int warmupRequests,
                         String dataset, int datasetMaxTokens, boolean contextLengthAxis, double sloTtftMs,
                         double sloTpotMs, double sloE2eMs, String inputLengths, String outputLengths,
                         double waveSeconds) {
        this(benchmarkClass, model, quantization, batch, inputTokens, outputTokens, prompts, seed, engine, api,
                apiKeyEnv, rate, arrivals, burstiness, maxConcurrency, warmupRequests, dataset, datasetMaxTokens,
                contextLengthAxis, sloTtftMs, sloTpotMs, sloE2eMs, inputLengths, outputLengths, waveSeconds, "");
    }

    /** A closed-loop point with synthetic prompts and no SLO. */
    public BenchmarkSpec(String benchmarkClass, String model, String quantization, int batch, int inputTokens,
                         int outputTokens, int prompts, long seed, String engine, String api, String apiKeyEnv) {
        this(benchmarkClass, model, quantization, batch, inputTokens, outputTokens, prompts, seed, engine, api,
                apiKeyEnv, 0, "poisson", 1, 0, 0, "", 2048, false, 0, 0, 0);
    }

    public BenchmarkSpec {
        arrivals = arrivals == null ? "poisson" : arrivals;
        dataset = dataset == null ? "" : dataset;
        inputLengths = inputLengths == null || inputLengths.isBlank() ? "fixed" : inputLengths;
        outputLengths = outputLengths == null || outputLengths.isBlank() ? "fixed" : outputLengths;
        requestFields = requestFields == null ? "" : requestFields;
    }

    /** The extra request-body fields; throws with one line for a value that does not make them. */
    public RequestBodyFields requestBodyFields() {
        return RequestBodyFields.parse("requestFields", requestFields);
    }

    /** Whether requests arrive at a rate ({@code @Workload(rate > 0)}) rather than from {@code batch} workers. */
    public boolean openLoop() {
        return rate != 0;
    }

    /** The open-loop arrival schedule; throws with one line when the values do not make one. */
    public ArrivalProcess arrivalProcess() {
        return ArrivalProcess.of(rate, arrivals, burstiness);
    }

    /** The service-level objectives; {@link Slo#NONE} when none is set. */
    public Slo slo() {
        return new Slo(sloTtftMs, sloTpotMs, sloE2eMs);
    }

    /** {@code contextLength} or {@code inputTokens}: the parameter that sets the prompt length. */
    public String promptLengthName() {
        return contextLengthAxis ? "contextLength" : "inputTokens";
    }

    /** Where the trial's prompts come from; reads and checks a dataset file, so call it before starting an engine. */
    public PromptSource promptSource() {
        return new PromptSource(dataset, prompts, openLoop() ? warmupRequests : 0, inputTokens, promptLengthName(),
                datasetMaxTokens, seed, LengthDistribution.parse("inputLengths", inputLengths),
                LengthDistribution.parse("outputLengths", outputLengths));
    }

    /**
     * The wave's duration in nanoseconds, 0 for one pass over the prompts; throws with one line
     * for a value that is not a duration.
     */
    public long waveNanos() {
        if (!(waveSeconds >= 0) || waveSeconds > 86_400) {
            throw new UserError("waveSeconds=" + waveSeconds + " is not a wave length: give seconds from 0"
                    + " to 86400 (0 sends the prompt set once) with -p waveSeconds=...");
        }
        return Math.round(waveSeconds * 1e9);
    }

    /** Requests the server must run at once: {@code batch}, or in open loop at least {@code maxConcurrency}. */
    public int slots() {
        return openLoop() ? Math.max(batch, maxConcurrency) : batch;
    }

    /** The parameter values, for file names and result rows; never includes the API key. */
    public String describe() {
        String promptLength = !dataset.isEmpty() ? "dataset=" + dataset : promptLengthName() + "=" + inputTokens;
        String s = "model=" + model + " quantization=" + quantization + " batch=" + batch + " " + promptLength
                + " outputTokens=" + outputTokens + " prompts=" + prompts + " engine=" + engine + " api=" + api;
        if (!inputLengths.equals("fixed")) {
            s += " inputLengths=" + inputLengths;
        }
        if (!outputLengths.equals("fixed")) {
            s += " outputLengths=" + outputLengths;
        }
        if (waveSeconds != 0) {
            s += " waveSeconds=" + number(waveSeconds);
        }
        if (!requestFields.isBlank()) {
            s += " requestFields=" + requestFields.trim();
        }
        if (openLoop()) {
            s += " rate=" + number(rate) + " arrivals=" + arrivals
                    + (burstiness != 1 ? " burstiness=" + number(burstiness) : "")
                    + " maxConcurrency=" + maxConcurrency + " warmupRequests=" + warmupRequests;
        }
        return s;
    }

    /**
     * The serving configuration this point belongs to: its description without the prompt count
     * and lengths ({@code inputTokens}, {@code contextLength}, {@code outputTokens}, {@code prompts},
     * {@code dataset}), so every other axis (batch, rate, model, ...) separates groups. The
     * regression cross-check fits each group on its own.
     */
    public String group() {
        return describe().replaceAll("(^| )(inputTokens|contextLength|outputTokens|prompts|dataset)=\\S*", "").trim();
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }
}
