package org.tokenpowerbench.processor;

import java.util.ArrayList;
import java.util.List;
import javax.annotation.processing.ProcessingEnvironment;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.tools.Diagnostic;
import org.tokenpowerbench.axes.Axis;

/**
 * Reads the annotations of one user class into a {@link BenchmarkModel} and checks every value on
 * the way, against the rule of its axis ({@link Axis}) and against the other annotations where two
 * of them cannot go together. Each mistake is a compile error on the value that causes it, and every
 * mistake of the class is reported before it gives up, so one compilation shows them all. One
 * instance reads one class: the class and what has gone wrong with it are its state.
 */
final class BenchmarkReader {

    static final String PKG = "org.tokenpowerbench.annotations.";
    static final String MODEL = PKG + "Model";
    static final String PROMPTS = PKG + "Prompts";
    static final String BATCH = PKG + "Batch";
    static final String QUANTIZATION = PKG + "Quantization";
    static final String ENGINE = PKG + "Engine";
    static final String REQUEST_FIELDS = PKG + "RequestFields";
    static final String WORKLOAD = PKG + "Workload";
    static final String DATASET = PKG + "Dataset";
    static final String CONTEXT_LENGTH = PKG + "ContextLength";
    static final String SLO = PKG + "Slo";
    static final String PARALLELISM = PKG + "Parallelism";

    /** The members of {@code @Slo}, in the order of {@link BenchmarkModel#SLO_AXES}. */
    private static final List<String> SLO_MEMBERS = List.of("ttftMs", "tpotMs", "e2eMs");

    /** JMH's annotations that configure a benchmark class; the generated class carries them in its place. */
    private static final List<String> COPIED_JMH = List.of(
            "org.openjdk.jmh.annotations.Warmup", "org.openjdk.jmh.annotations.Measurement",
            "org.openjdk.jmh.annotations.Fork", "org.openjdk.jmh.annotations.Timeout",
            "org.openjdk.jmh.annotations.OutputTimeUnit");

    private static final String JMH_PACKAGE = "org.openjdk.jmh.annotations.";

    private final ProcessingEnvironment env;
    private final TypeElement type;
    private final AnnotationMembers members;
    private final AnnotationCheck check;

    BenchmarkReader(ProcessingEnvironment env, TypeElement type) {
        this.env = env;
        this.type = type;
        this.members = new AnnotationMembers(env.getElementUtils());
        this.check = new AnnotationCheck(env.getMessager(), type);
    }

    /** The class's model, or null when it has a mistake (each one already reported as a compile error). */
    BenchmarkModel read() {
        AnnotationMirror model = mirror(MODEL);
        if (model == null) {
            reportMissingModel();
            return null;
        }
        checkClass();
        checkNoUncarriedJmh();
        List<String> models = members.strings(model, "value");
        check.nonEmptyAllowed(model, "value", Axis.MODEL, models,
                "@Model needs at least one model, e.g. @Model(\"synthetic:llama-tiny\")");
        List<String> quantizations = quantizations();
        List<Integer> batches = batches();
        BenchmarkModel.Parallelism parallelism = parallelism();
        AnnotationMirror promptsMirror = mirror(PROMPTS);
        BenchmarkModel.Prompts prompts = prompts(promptsMirror);
        BenchmarkModel.Endpoint endpoint = endpoint();
        BenchmarkModel.OpenLoop openLoop = openLoop();
        AnnotationMirror datasetMirror = mirror(DATASET);
        BenchmarkModel.Dataset dataset = datasetMirror == null ? null : dataset(datasetMirror, promptsMirror);
        List<Integer> contextLengths = contextLengths(promptsMirror, datasetMirror != null);
        List<String> requestFields = requestFields();
        double[] slo = slo();
        List<String> jmh = jmhAnnotations();
        return check.failed() ? null : new BenchmarkModel(models, quantizations, batches, prompts, endpoint, openLoop,
                dataset, contextLengths, requestFields, slo, jmh, parallelism);
    }

    /** Our other annotations without {@code @Model}: the error sits on the first of them, where the user looks. */
    private void reportMissingModel() {
        AnnotationMirror any = null;
        for (String name : List.of(PROMPTS, BATCH, QUANTIZATION, ENGINE, WORKLOAD, DATASET, CONTEXT_LENGTH, SLO,
                PARALLELISM)) {
            any = mirror(name);
            if (any != null) {
                break;
            }
        }
        env.getMessager().printMessage(Diagnostic.Kind.ERROR, "a TokenPowerBench benchmark needs @Model: add e.g. "
                + "@Model(\"synthetic:llama-tiny\") to " + type.getSimpleName(), type, any);
    }

    /** A class JMH can run and the generated class can name: a class, in a package, top-level or static. */
    private void checkClass() {
        if (type.getKind() != ElementKind.CLASS) {
            check.classError("TokenPowerBench annotations belong on a class");
            return;
        }
        if (env.getElementUtils().getPackageOf(type).isUnnamed()) {
            check.classError("a TokenPowerBench benchmark must be in a named package: "
                    + "JMH does not run classes of the default package");
            return;
        }
        if (type.getNestingKind() != NestingKind.TOP_LEVEL
                && !(type.getNestingKind() == NestingKind.MEMBER && type.getModifiers().contains(Modifier.STATIC))) {
            check.classError("a TokenPowerBench benchmark must be a top-level or static nested class");
        }
    }

    /**
     * JMH's annotations that the generated class does not carry: on the user class they would be
     * ignored without a word ({@code @Threads(4)} running one thread, a {@code @Param} field never
     * read), or make the user class a second JMH benchmark outside the session ({@code @Benchmark}).
     * Each is an error on that annotation, saying what to use instead.
     */
    private void checkNoUncarriedJmh() {
        for (AnnotationMirror a : type.getAnnotationMirrors()) {
            String name = qualifiedName(a);
            if (name.startsWith(JMH_PACKAGE) && !COPIED_JMH.contains(name)) {
                check.error(type, a, "@" + simpleName(name) + " does not apply to a TokenPowerBench benchmark: "
                        + classLevelTodo(simpleName(name)));
            }
        }
        for (Element member : type.getEnclosedElements()) {
            if (!(member instanceof VariableElement) && !(member instanceof ExecutableElement)) {
                continue;
            }
            for (AnnotationMirror a : member.getAnnotationMirrors()) {
                String name = qualifiedName(a);
                if (name.startsWith(JMH_PACKAGE)) {
                    check.error(member, a, "@" + simpleName(name) + " on " + member.getSimpleName()
                            + (member instanceof ExecutableElement ? "()" : "") + " does not apply: "
                            + memberTodo(simpleName(name), member));
                }
            }
        }
    }

    /** What to do instead of a JMH class annotation that the generated class does not carry. */
    private static String classLevelTodo(String simple) {
        return switch (simple) {
            case "Threads" -> "requests in flight come from @Batch (or @Workload(maxConcurrency)), "
                    + "one JMH thread drives them; remove @Threads";
            case "BenchmarkMode" -> "every iteration is one wave, timed once (Mode.SingleShotTime); "
                    + "remove @BenchmarkMode";
            case "OperationsPerInvocation" -> "one invocation is one wave; remove @OperationsPerInvocation";
            default -> "its generated class carries only @Warmup, @Measurement, @Fork, @Timeout and "
                    + "@OutputTimeUnit; remove @" + simple;
        };
    }

    /** What to do instead of JMH code in the annotated class, which the generated class never runs or reads. */
    private static String memberTodo(String simple, Element member) {
        Axis axis = Axis.named(member.getSimpleName().toString());
        if (simple.equals("Param") && axis != null) {
            return "the generated class never reads this class's fields; sweep " + axis.paramName()
                    + " with its annotation or -p " + axis.paramName() + "=...";
        }
        return "a TokenPowerBench benchmark is annotations on a class and no code, and its generated class "
                + "never runs or reads this class's members; remove @" + simple
                + ", or move the JMH code to a class without @Model";
    }

    private static String qualifiedName(AnnotationMirror a) {
        return ((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().toString();
    }

    private static String simpleName(String qualifiedName) {
        return qualifiedName.substring(qualifiedName.lastIndexOf('.') + 1);
    }

    private List<String> quantizations() {
        AnnotationMirror a = mirror(QUANTIZATION);
        if (a == null) {
            return List.of((String) Axis.QUANTIZATION.defaultValue());
        }
        List<String> values = members.strings(a, "value");
        check.nonEmptyAllowed(a, "value", Axis.QUANTIZATION, values,
                "@Quantization needs at least one value, e.g. @Quantization(\"f16\")");
        return values;
    }

    private List<Integer> batches() {
        AnnotationMirror a = mirror(BATCH);
        if (a == null) {
            return List.of((Integer) Axis.BATCH.defaultValue());
        }
        List<Integer> values = members.ints(a, "value");
        check.nonEmptyAllowed(a, "value", Axis.BATCH, values, "@Batch needs at least one value");
        return values;
    }

    /** {@code @Parallelism}'s sizes, each checked by its axis; null without the annotation. */
    private BenchmarkModel.Parallelism parallelism() {
        AnnotationMirror a = mirror(PARALLELISM);
        if (a == null) {
            return null;
        }
        List<Integer> tensor = members.ints(a, "tensor");
        List<Integer> pipeline = members.ints(a, "pipeline");
        List<Integer> data = members.ints(a, "data");
        check.nonEmptyAllowed(a, "tensor", Axis.TENSOR_PARALLEL, tensor,
                "@Parallelism(tensor) needs at least one size, e.g. tensor = {1, 2}");
        check.nonEmptyAllowed(a, "pipeline", Axis.PIPELINE_PARALLEL, pipeline,
                "@Parallelism(pipeline) needs at least one size, e.g. pipeline = 1");
        check.nonEmptyAllowed(a, "data", Axis.DATA_PARALLEL, data,
                "@Parallelism(data) needs at least one size, e.g. data = 1");
        return new BenchmarkModel.Parallelism(tensor, pipeline, data);
    }

    private BenchmarkModel.Prompts prompts(AnnotationMirror a) {
        if (a == null) {
            return new BenchmarkModel.Prompts(List.of((Integer) Axis.INPUT_TOKENS.defaultValue()),
                    List.of((Integer) Axis.OUTPUT_TOKENS.defaultValue()), (Integer) Axis.PROMPTS.defaultValue(), null,
                    List.of((String) Axis.INPUT_LENGTHS.defaultValue()), List.of((String) Axis.OUTPUT_LENGTHS.defaultValue()));
        }
        List<Integer> in = members.ints(a, "inputTokens");
        List<Integer> out = members.ints(a, "outputTokens");
        int count = members.integer(a, "count");
        Long seed = ((Number) members.value(a, "seed")).longValue();
        List<String> inputLengths = members.strings(a, "inputLengths");
        List<String> outputLengths = members.strings(a, "outputLengths");
        check.nonEmptyAllowed(a, "inputLengths", Axis.INPUT_LENGTHS, inputLengths,
                "@Prompts(inputLengths) needs at least one value, e.g. \"fixed\"");
        check.nonEmptyAllowed(a, "outputLengths", Axis.OUTPUT_LENGTHS, outputLengths,
                "@Prompts(outputLengths) needs at least one value, e.g. \"fixed\"");
        check.nonEmptyAllowed(a, "inputTokens", Axis.INPUT_TOKENS, in, "@Prompts(inputTokens) needs at least one value");
        check.nonEmptyAllowed(a, "outputTokens", Axis.OUTPUT_TOKENS, out, "@Prompts(outputTokens) needs at least one value");
        check.allowed(a, "count", Axis.PROMPTS, List.of(count));
        return new BenchmarkModel.Prompts(in, out, count, seed, inputLengths, outputLengths);
    }

    private BenchmarkModel.Endpoint endpoint() {
        AnnotationMirror a = mirror(ENGINE);
        if (a == null) {
            return new BenchmarkModel.Endpoint(List.of((String) Axis.ENGINE.defaultValue()),
                    (String) Axis.API.defaultValue(), null);
        }
        List<String> engines = members.strings(a, "value");
        String api = (String) members.value(a, "api");
        String keyEnv = (String) members.value(a, "apiKeyEnv");
        check.nonEmptyAllowed(a, "value", Axis.ENGINE, engines,
                "@Engine needs at least one value: \"embedded\" or a base URL");
        check.allowed(a, "api", Axis.API, List.of(api));
        check.allowed(a, "apiKeyEnv", Axis.API_KEY_ENV, List.of(keyEnv));
        return new BenchmarkModel.Endpoint(engines, api, keyEnv);
    }

    private BenchmarkModel.OpenLoop openLoop() {
        AnnotationMirror a = mirror(WORKLOAD);
        if (a == null) {
            return null;
        }
        BenchmarkModel.OpenLoop w = new BenchmarkModel.OpenLoop(members.doubles(a, "rate"),
                (String) members.value(a, "arrivals"), members.doubles(a, "burstiness"), members.ints(a, "maxConcurrency"),
                members.integer(a, "warmupRequests"), members.doubles(a, "waveSeconds"));
        check.nonEmptyAllowed(a, "rate", Axis.RATE, w.rates(),
                "@Workload(rate) needs at least one value: requests per second, or 0 for a closed loop");
        boolean arrivals = check.allowed(a, "arrivals", Axis.ARRIVALS, List.of(w.arrivals()));
        if (check.nonEmptyAllowed(a, "burstiness", Axis.BURSTINESS, w.burstiness(),
                "@Workload(burstiness) needs at least one value: a gamma shape > 0")) {
            boolean poisson = w.arrivals().trim().equalsIgnoreCase("poisson");
            for (double b : w.burstiness()) {
                if (arrivals && poisson && b != 1) { // two axes at once: not a rule of either
                    check.error(a, "burstiness", "@Workload(burstiness = " + b + ") needs arrivals = \"gamma\": "
                            + "Poisson arrivals have burstiness 1");
                    break;
                }
            }
        }
        check.nonEmptyAllowed(a, "maxConcurrency", Axis.MAX_CONCURRENCY, w.maxConcurrency(),
                "@Workload(maxConcurrency) needs at least one value, 0 for no bound");
        check.nonEmptyAllowed(a, "waveSeconds", Axis.WAVE_SECONDS, w.waveSeconds(),
                "@Workload(waveSeconds) needs at least one value, 0 for one pass over the prompts");
        check.allowed(a, "warmupRequests", Axis.WARMUP_REQUESTS, List.of(w.warmupRequests()));
        return w;
    }

    /** {@code @Dataset}, whose entries bring their own prompts and lengths: {@code @Prompts} may not set them. */
    private BenchmarkModel.Dataset dataset(AnnotationMirror a, AnnotationMirror prompts) {
        List<String> files = members.strings(a, "value");
        int maxTokens = members.integer(a, "maxTokens");
        check.nonEmptyAllowed(a, "value", Axis.DATASET, files,
                "@Dataset needs at least one file, e.g. @Dataset(\"data/prompts.jsonl\")");
        check.allowed(a, "maxTokens", Axis.DATASET_MAX_TOKENS, List.of(maxTokens));
        if (prompts != null && AnnotationMembers.written(prompts, "inputTokens") != null) {
            check.error(prompts, "inputTokens", "@Prompts(inputTokens) does not apply with @Dataset, whose "
                    + "entries bring their own prompts: remove inputTokens");
        }
        for (String member : List.of("inputLengths", "outputLengths")) {
            if (prompts != null && AnnotationMembers.written(prompts, member) != null) {
                check.error(prompts, member, "@Prompts(" + member + ") does not apply with @Dataset, whose "
                        + "entries bring their own lengths: remove " + member);
            }
        }
        return new BenchmarkModel.Dataset(files, maxTokens);
    }

    /** {@code @ContextLength}, which sets the exact prompt length: no other prompt length may be given. */
    private List<Integer> contextLengths(AnnotationMirror prompts, boolean dataset) {
        AnnotationMirror a = mirror(CONTEXT_LENGTH);
        if (a == null) {
            return null;
        }
        List<Integer> values = members.ints(a, "value");
        check.nonEmptyAllowed(a, "value", Axis.CONTEXT_LENGTH, values, "@ContextLength needs at least one value");
        if (prompts != null && AnnotationMembers.written(prompts, "inputTokens") != null) {
            check.error(prompts, "inputTokens", "@ContextLength sets the prompt length: remove inputTokens from "
                    + "@Prompts (or drop @ContextLength)");
        }
        if (prompts != null && AnnotationMembers.written(prompts, "inputLengths") != null) {
            check.error(prompts, "inputLengths", "@ContextLength builds prompts of exactly the requested length: "
                    + "remove inputLengths from @Prompts (or drop @ContextLength)");
        }
        if (dataset) {
            check.error(a, "value", "@ContextLength builds synthetic prompts and @Dataset reads them from a "
                    + "file: use one of them");
        }
        return values;
    }

    private List<String> requestFields() {
        AnnotationMirror a = mirror(REQUEST_FIELDS);
        if (a == null) {
            return null;
        }
        List<String> values = members.strings(a, "value");
        if (check.nonBlank(a, "value", values, "@RequestFields needs at least one value, e.g. "
                + "@RequestFields(\"temperature=0.7;top_p=0.9\")")) {
            check.allowed(a, "value", Axis.REQUEST_FIELDS, values);
        }
        return values;
    }

    private double[] slo() {
        AnnotationMirror a = mirror(SLO);
        if (a == null) {
            return null;
        }
        double[] slo = new double[SLO_MEMBERS.size()];
        for (int i = 0; i < slo.length; i++) {
            slo[i] = ((Number) members.value(a, SLO_MEMBERS.get(i))).doubleValue();
            check.allowed(a, SLO_MEMBERS.get(i), BenchmarkModel.SLO_AXES.get(i), List.of(slo[i]));
        }
        if (slo[0] == 0 && slo[1] == 0 && slo[2] == 0) {
            check.error(a, "ttftMs", "@Slo sets no objective: give at least one of ttftMs, tpotMs, e2eMs "
                    + "in milliseconds");
        }
        return slo;
    }

    /** JMH's annotations of the class ({@link #COPIED_JMH}) as source, in the order the class has them. */
    private List<String> jmhAnnotations() {
        AnnotationSource source = new AnnotationSource(env.getTypeUtils());
        List<String> jmh = new ArrayList<>();
        for (AnnotationMirror a : type.getAnnotationMirrors()) {
            String name = qualifiedName(a);
            if (COPIED_JMH.contains(name)) {
                jmh.add(source.of(a));
            }
        }
        return jmh;
    }

    private AnnotationMirror mirror(String qualifiedName) {
        return AnnotationMembers.on(type, qualifiedName);
    }
}
