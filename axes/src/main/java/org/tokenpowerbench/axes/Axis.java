package org.tokenpowerbench.axes;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every axis of a TokenPowerBench sweep point, described once: its name (the JMH {@code @Param}
 * name, the {@code -p} name, and the name generated code passes a value by), its {@link ValueType},
 * its default, the {@link Rule} its values must keep, whether it separates result groups of the
 * regression cross-check, and when it appears in the trial's description.
 *
 * <p>Users of the table: the annotation processor (the {@code @Param} fields, their defaults when
 * an annotation is absent, the checks of annotation values), the framework's
 * {@code BenchmarkSpec} (typed values by name, {@code describe()}, the group key), its
 * {@code ParameterCheck} (every {@code -p} value before the first fork) and the session (every
 * value as the trial starts). So a new axis is one entry here, its annotation, and the processor
 * reading that annotation.
 *
 * <p>The order of the entries is the order of the trial's description
 * ({@code model=... quantization=... batch=...}); the description's text is the run folder's key
 * for a trial (resume compares it), so an entry's place, name and display never change.
 *
 * <p>Three numbers of in-flight requests, named apart: {@link #BATCH} is the number of closed-loop
 * streams, each sending its next request as its last one ends; {@link #MAX_CONCURRENCY} is the
 * open-loop bound on requests in flight (0: none); the framework's <em>slots</em> are what the
 * server must hold at once, the larger of the two in open loop and {@code batch} in closed loop.
 */
public enum Axis {

    /** A GGUF path, {@code synthetic:NAME}, or the served model's name ({@code @Model}); no default. */
    MODEL("model", ValueType.STRING, null, Presence.REQUIRED,
            Rule.nonBlank("give a model: a GGUF path, synthetic:NAME or the name a server serves"),
            true, Shown.ALWAYS),
    /** The weights' quantization ({@code @Quantization}). */
    QUANTIZATION("quantization", ValueType.STRING, "f16", Presence.DEFAULTED,
            Rule.nonBlank("give a quantization, e.g. f16 or q8_0"), true, Shown.ALWAYS),
    /**
     * GPUs one model's layers are split across, each holding a slice of every matrix
     * ({@code @Parallelism(tensor)}): a launch-only axis, honoured by a managed engine that has the
     * flag. Shown only when not 1, so trials of runs before it keep their descriptions.
     */
    TENSOR_PARALLEL("tensorParallel", ValueType.INT, 1, Presence.DEFAULTED, Parallel.RULE, true, Shown.UNLESS_DEFAULT),
    /** Stages one model's layers are split into, one GPU group each ({@code @Parallelism(pipeline)}); launch-only. */
    PIPELINE_PARALLEL("pipelineParallel", ValueType.INT, 1, Presence.DEFAULTED, Parallel.RULE, true,
            Shown.UNLESS_DEFAULT),
    /** Replicas of the whole model serving the requests between them ({@code @Parallelism(data)}); launch-only. */
    DATA_PARALLEL("dataParallel", ValueType.INT, 1, Presence.DEFAULTED, Parallel.RULE, true, Shown.UNLESS_DEFAULT),
    /** Closed loop: streams in flight, each sending its next request when its last one ends ({@code @Batch}). */
    BATCH("batch", ValueType.INT, 1, Presence.DEFAULTED, Rule.atLeast(1, "is not allowed", "it must be at least 1"),
            true, Shown.ALWAYS),
    /** A JSONL or ShareGPT file whose entries are the prompts ({@code @Dataset}); replaces the prompt length. */
    DATASET("dataset", ValueType.STRING, null, Presence.OPTIONAL,
            Rule.nonBlank("give the path of a JSONL or ShareGPT JSON file"), false, (a, v) -> v.has(a)),
    /** The prompt length under its serving name ({@code @ContextLength}); replaces {@code inputTokens}. */
    CONTEXT_LENGTH("contextLength", ValueType.INT, null, Presence.OPTIONAL,
            Rule.atLeast(1, "is not allowed", "it must be at least 1"), false,
            (a, v) -> v.has(a) && !v.has(DATASET)),
    /** Synthetic prompt length in the served tokenizer ({@code @Prompts(inputTokens)}). */
    INPUT_TOKENS("inputTokens", ValueType.INT, 128, Presence.DEFAULTED,
            Rule.atLeast(1, "is not allowed", "it must be at least 1"), false,
            (a, v) -> !v.has(DATASET) && !v.has(CONTEXT_LENGTH)),
    /** Tokens generated per request ({@code @Prompts(outputTokens)}). */
    OUTPUT_TOKENS("outputTokens", ValueType.INT, 64, Presence.DEFAULTED,
            Rule.atLeast(1, "is not allowed", "it must be at least 1"), false, Shown.ALWAYS),
    /** Prompts per wave ({@code @Prompts(count)}). */
    PROMPTS("prompts", ValueType.INT, 16, Presence.DEFAULTED,
            Rule.atLeast(1, "is not allowed", "it must be at least 1"), false, Shown.ALWAYS),
    /**
     * Where the endpoint comes from ({@code @Engine}): a scheme, then options or an address after
     * {@code :} or {@code ;} — {@code embedded}, {@code http://host:8000;tokenizer=...}, or a kind
     * another jar's engine provider adds. Only its shape is checked here (the annotation processor
     * cannot see the user's run-time class path); which schemes exist is checked before the first
     * fork by the framework's engine lookup, with the known ones listed.
     */
    ENGINE("engine", ValueType.STRING, "embedded", Presence.DEFAULTED,
            new Rule("is not an engine value", "use embedded, a base URL such as http://localhost:8000, or"
                    + " <scheme>:<options> of an engine on the class path", v ->
                    EngineValue.SHAPE.matcher(((String) v).trim()).matches()), true, Shown.ALWAYS),
    /** The OpenAI-compatible route: completions or chat ({@code @Engine(api)}). */
    API("api", ValueType.STRING, "completions", Presence.DEFAULTED,
            Rule.oneOf(Set.of("completions", "completion", "chat", "chat-completions"),
                    "use \"completions\" or \"chat\""), true, Shown.ALWAYS),
    /** How synthetic prompt lengths spread around the prompt length ({@code @Prompts(inputLengths)}). */
    INPUT_LENGTHS("inputLengths", ValueType.STRING, "fixed", Presence.DEFAULTED, Lengths.RULE, true,
            Lengths.SHOWN),
    /** How output lengths spread around {@code outputTokens} ({@code @Prompts(outputLengths)}). */
    OUTPUT_LENGTHS("outputLengths", ValueType.STRING, "fixed", Presence.DEFAULTED, Lengths.RULE, true,
            Lengths.SHOWN),
    /** Seconds a wave keeps sending, cycling through the prompts; 0: one pass ({@code @Workload(waveSeconds)}). */
    WAVE_SECONDS("waveSeconds", ValueType.DOUBLE, 0.0, Presence.DEFAULTED,
            Rule.between(0, 86_400, "is not a wave length", "give seconds from 0 to 86400 (0 sends the prompt set once)"),
            true, Shown.UNLESS_DEFAULT),
    /** Extra request-body fields, JSON or {@code name=value;...} ({@code @RequestFields}); shown trimmed. */
    REQUEST_FIELDS("requestFields", ValueType.STRING, "", Presence.DEFAULTED,
            new Rule("is neither a JSON object nor name=value pairs",
                    "write {\"temperature\": 0.7} or temperature=0.7;top_p=0.9", v -> {
                        String t = ((String) v).trim();
                        return t.isEmpty() || t.startsWith("{") || t.contains("=");
                    }), true, (a, v) -> !((String) v.get(a)).isBlank(), v -> ((String) v).trim()),
    /** Open loop: requests per second; 0 is a closed loop of {@code batch} streams ({@code @Workload(rate)}). */
    RATE("rate", ValueType.DOUBLE, 0.0, Presence.DEFAULTED,
            Rule.between(0, Double.MAX_VALUE, "is not an arrival rate",
                    "give requests per second > 0, or 0 for a closed loop"), true, Shown.OPEN_LOOP),
    /** Open loop: {@code poisson} or {@code gamma} arrivals ({@code @Workload(arrivals)}). */
    ARRIVALS("arrivals", ValueType.STRING, "poisson", Presence.DEFAULTED,
            Rule.oneOf(Set.of("poisson", "gamma"), "use poisson or gamma"), true, Shown.OPEN_LOOP),
    /** Open loop: the gamma shape, 1 for Poisson ({@code @Workload(burstiness)}). */
    BURSTINESS("burstiness", ValueType.DOUBLE, 1.0, Presence.DEFAULTED,
            Rule.above(0, "is not a gamma shape", "give a number > 0 (1 is Poisson, below 1 bursty)"), true,
            (a, v) -> v.openLoop() && (Double) v.get(a) != 1),
    /** Open loop: the most requests in flight at once, 0 for no bound ({@code @Workload(maxConcurrency)}). */
    MAX_CONCURRENCY("maxConcurrency", ValueType.INT, 0, Presence.DEFAULTED,
            Rule.atLeast(0, "is not allowed", "give the most requests in flight at once, or 0 for no bound"), true,
            Shown.OPEN_LOOP),
    /** Open loop: unmeasured requests at the start of every wave ({@code @Workload(warmupRequests)}). */
    WARMUP_REQUESTS("warmupRequests", ValueType.INT, 0, Presence.DEFAULTED,
            Rule.atLeast(0, "is not allowed", "give 0 or more"), true, Shown.OPEN_LOOP),
    /** Seed of prompt text, sampled lengths, dataset sampling and arrivals ({@code @Prompts(seed)}); a constant. */
    SEED("seed", ValueType.LONG, 42L, Presence.DEFAULTED, Rule.ANY, false, Shown.NEVER),
    /** The environment variable that holds the server's API key ({@code @Engine(apiKeyEnv)}); a constant. */
    API_KEY_ENV("apiKeyEnv", ValueType.STRING, "", Presence.DEFAULTED,
            new Rule("is not an environment variable name", "give the variable's name, never the key itself",
                    v -> ((String) v).matches("|[A-Za-z_][A-Za-z0-9_]*")), false, Shown.NEVER),
    /** Largest prompt plus output tokens of a dataset entry that is used ({@code @Dataset(maxTokens)}); a constant. */
    DATASET_MAX_TOKENS("datasetMaxTokens", ValueType.INT, 2048, Presence.DEFAULTED,
            Rule.atLeast(2, "leaves no room for a prompt and its output", "give at least 2 (default 2048)"), false,
            Shown.NEVER),
    /** Objective on time to first token, ms, 0 for none ({@code @Slo(ttftMs)}); a constant. */
    SLO_TTFT_MS("sloTtftMs", ValueType.DOUBLE, 0.0, Presence.DEFAULTED, Slos.RULE, false, Shown.NEVER),
    /** Objective on time per output token, ms, 0 for none ({@code @Slo(tpotMs)}); a constant. */
    SLO_TPOT_MS("sloTpotMs", ValueType.DOUBLE, 0.0, Presence.DEFAULTED, Slos.RULE, false, Shown.NEVER),
    /** Objective on end-to-end latency, ms, 0 for none ({@code @Slo(e2eMs)}); a constant. */
    SLO_E2E_MS("sloE2eMs", ValueType.DOUBLE, 0.0, Presence.DEFAULTED, Slos.RULE, false, Shown.NEVER);

    /** Whether a sweep point must, may or need not set an axis. */
    public enum Presence {
        /** No default: generated code always sets it. */
        REQUIRED,
        /** Not set means its default. */
        DEFAULTED,
        /** Not set means absent (no dataset, no context-length axis); other axes take its place. */
        OPTIONAL
    }

    /** When an axis appears in the trial's description. */
    @FunctionalInterface
    public interface Shown {
        Shown ALWAYS = (a, v) -> true;
        Shown NEVER = (a, v) -> false;
        /** Numbers compare as numbers ({@code -0.0} is the default 0). */
        Shown UNLESS_DEFAULT = (a, v) -> v.get(a) instanceof Number n && a.defaultValue() instanceof Number d
                ? n.doubleValue() != d.doubleValue() : !v.get(a).equals(a.defaultValue());
        Shown OPEN_LOOP = (a, v) -> v.openLoop();

        boolean in(Axis axis, AxisValues values);
    }

    private static final Map<String, Axis> BY_NAME = Arrays.stream(values())
            .collect(Collectors.toUnmodifiableMap(Axis::paramName, a -> a));

    private final String paramName;
    private final ValueType type;
    private final Object defaultValue;
    private final Presence presence;
    private final Rule rule;
    private final boolean groups;
    private final Shown shown;
    private final Function<Object, String> display;

    Axis(String paramName, ValueType type, Object defaultValue, Presence presence, Rule rule, boolean groups,
         Shown shown) {
        this(paramName, type, defaultValue, presence, rule, groups, shown, ValueType::text);
    }

    Axis(String paramName, ValueType type, Object defaultValue, Presence presence, Rule rule, boolean groups,
         Shown shown, Function<Object, String> display) {
        this.paramName = paramName;
        this.type = type;
        this.defaultValue = defaultValue;
        this.presence = presence;
        this.rule = rule;
        this.groups = groups;
        this.shown = shown;
        this.display = display;
    }

    /** The axis called {@code name}, or null when there is none. */
    public static Axis named(String name) {
        return BY_NAME.get(name);
    }

    /** Every axis name, in the table's order (for a message that lists them). */
    public static List<String> names() {
        return Arrays.stream(values()).map(Axis::paramName).toList();
    }

    /** The {@code @Param} and {@code -p} name. */
    public String paramName() {
        return paramName;
    }

    public ValueType type() {
        return type;
    }

    /** The value when a point does not set it; null for {@link Presence#REQUIRED} and {@link Presence#OPTIONAL}. */
    public Object defaultValue() {
        return defaultValue;
    }

    public Presence presence() {
        return presence;
    }

    public Rule rule() {
        return rule;
    }

    /**
     * Whether points that differ in this axis belong to different result groups (one serving
     * configuration each) of the regression cross-check. Prompt count and lengths do not: a
     * group's points differ in them so that the fit can tell prefill from decode.
     */
    public boolean groups() {
        return groups;
    }

    /** Whether {@code values} show this axis in their description. */
    public boolean shownIn(AxisValues values) {
        return shown.in(this, values);
    }

    /** {@code name=value} as the description writes it. */
    public String describe(Object value) {
        return paramName + "=" + display.apply(value);
    }

    /**
     * One line for a value the rule does not allow, or null when it does: the value as the user
     * wrote it, what is wrong and what to do, and the {@code -p} option that sets it.
     */
    public String complaint(Object value) {
        return rule.allows(value) ? null : message(String.valueOf(value), rule.complaint(value));
    }

    /**
     * As {@link #complaint(Object)} for the text of a {@code -p} value: also when JMH could not
     * even set the field from it ({@code batch=two is not a whole number: ...}).
     */
    public String complaintAboutText(String text) {
        Object value = type.parse(text);
        if (value == null) {
            return message(text, type.notParsed(text) + ": " + rule.todo());
        }
        return complaint(value);
    }

    private String message(String valueText, String complaint) {
        return paramName + "=" + valueText + " " + complaint + " (-p " + paramName + "=...)";
    }

    /** Length distributions, as the framework's LengthDistribution reads them. */
    private static final class Lengths {
        static final Rule RULE = new Rule("is not a length distribution",
                "use fixed, uniform:W (0 < W < 1), normal:S or normal:S:MIN:MAX (tokens)", v -> valid((String) v));
        /** Blank means fixed, and fixed is not shown. */
        static final Shown SHOWN = (a, v) -> !((String) v.get(a)).isBlank() && !v.get(a).equals("fixed");

        private static boolean valid(String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.isEmpty() || v.equals("fixed")) {
                return true;
            }
            String[] parts = v.split(":", -1);
            try {
                if (parts[0].equals("uniform") && parts.length == 2) {
                    double w = Double.parseDouble(parts[1]);
                    return w > 0 && w < 1;
                }
                if (parts[0].equals("normal") && (parts.length == 2 || parts.length == 4)) {
                    double s = Double.parseDouble(parts[1]);
                    boolean bounds = parts.length == 2
                            || (Integer.parseInt(parts[2]) >= 1 && Integer.parseInt(parts[3]) >= Integer.parseInt(parts[2]));
                    return s > 0 && Double.isFinite(s) && bounds;
                }
            } catch (NumberFormatException e) {
                return false;
            }
            return false;
        }
    }

    private static final class Parallel {
        static final Rule RULE = Rule.atLeast(1, "is not a parallel size", "give 1 or more (1: no parallelism on this axis)");
    }

    private static final class Slos {
        static final Rule RULE = Rule.between(0, Double.MAX_VALUE, "is not a time",
                "give milliseconds >= 0 (0 for no objective)");
    }

    /** The shape of an engine value: a scheme word, then nothing or {@code :} / {@code ;} and the rest. */
    private static final class EngineValue {
        static final java.util.regex.Pattern SHAPE = java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*([:;].*)?",
                java.util.regex.Pattern.DOTALL);
    }
}
