package org.tokenpowerbench.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Messager;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.AnnotationValue;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.SimpleAnnotationValueVisitor14;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.tokenpowerbench.axes.Axis;
import org.tokenpowerbench.axes.ValueType;

/**
 * Turns every class annotated with {@code @Model} (and optionally {@code @Prompts},
 * {@code @Batch}, {@code @Quantization}, {@code @Engine}, {@code @Workload}, {@code @Dataset},
 * {@code @ContextLength}, {@code @Slo}, plus JMH's {@code @Warmup},
 * {@code @Measurement}, {@code @Fork}, {@code @Timeout}) into a JMH benchmark class named
 * {@code <Class>_Energy} in the same package, in an ordinary round; JMH's own processor then
 * generates the harness from it in a later round.
 *
 * <p>Every axis becomes a JMH {@code @Param}, so {@code -p batch=1,8} overrides it and JMH's
 * cartesian product of parameters is the sweep. Mistakes are compile errors attached to the
 * offending annotation.
 *
 * <p>Parameters that exist only with their annotation: {@code rate}, {@code arrivals},
 * {@code burstiness}, {@code maxConcurrency}, {@code warmupRequests}, {@code waveSeconds}
 * ({@code @Workload}); {@code dataset} ({@code @Dataset}, which also drops {@code inputTokens},
 * {@code inputLengths} and {@code outputLengths}); {@code contextLength} ({@code @ContextLength},
 * which replaces {@code inputTokens} and drops {@code inputLengths}); {@code requestFields}
 * ({@code @RequestFields}). {@code @Slo} gives constants.
 * Without them the generated class leaves those axes out and the framework takes the defaults
 * of the axis table ({@link Axis}), which also gives every {@code @Param}'s name, type and default
 * and the rule each annotation value is checked against. The generated class passes every value
 * to {@code BenchmarkSpec.builder(...)} by its axis name.
 */
@SupportedAnnotationTypes({
        EnergyBenchmarkProcessor.MODEL, EnergyBenchmarkProcessor.PROMPTS, EnergyBenchmarkProcessor.BATCH,
        EnergyBenchmarkProcessor.QUANTIZATION, EnergyBenchmarkProcessor.ENGINE, EnergyBenchmarkProcessor.WORKLOAD,
        EnergyBenchmarkProcessor.DATASET, EnergyBenchmarkProcessor.CONTEXT_LENGTH, EnergyBenchmarkProcessor.SLO,
        EnergyBenchmarkProcessor.REQUEST_FIELDS})
public final class EnergyBenchmarkProcessor extends AbstractProcessor {

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
    static final String SUFFIX = "_Energy";

    /** The members of {@code @Slo} and their axes, in the same order. */
    private static final String[] SLO_MEMBERS = {"ttftMs", "tpotMs", "e2eMs"};
    private static final Axis[] SLO_AXES = {Axis.SLO_TTFT_MS, Axis.SLO_TPOT_MS, Axis.SLO_E2E_MS};

    private static final List<String> COPIED_JMH = List.of(
            "org.openjdk.jmh.annotations.Warmup", "org.openjdk.jmh.annotations.Measurement",
            "org.openjdk.jmh.annotations.Fork", "org.openjdk.jmh.annotations.Timeout",
            "org.openjdk.jmh.annotations.OutputTimeUnit");

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Set<TypeElement> classes = new LinkedHashSet<>();
        for (TypeElement annotation : annotations) {
            for (Element e : round.getElementsAnnotatedWith(annotation)) {
                if (e instanceof TypeElement t) {
                    classes.add(t);
                }
            }
        }
        for (TypeElement type : classes) {
            BenchmarkModel model = read(type);
            if (model != null) {
                write(type, model);
            }
        }
        return false; // leave JMH's annotations and ours visible to other processors
    }

    /**
     * What the generated class needs, read and validated from the annotations. A constant that is
     * null ({@code seed}, {@code apiKeyEnv}, {@code datasetMaxTokens}, {@code slo}) comes from an
     * absent annotation: the generated class leaves it out and the axis table's default applies.
     */
    record BenchmarkModel(List<String> models, List<String> quantizations, List<Integer> batches,
                          List<Integer> inputTokens, List<Integer> outputTokens, int prompts, Long seed,
                          List<String> engines, String api, String apiKeyEnv, List<String> jmhAnnotations,
                          OpenLoop openLoop, List<String> datasets, Integer datasetMaxTokens, List<Integer> contextLengths,
                          double[] slo, List<String> inputLengths, List<String> outputLengths,
                          List<String> requestFields) {
    }

    /** The values of {@code @Workload}, or null when the class has none. */
    record OpenLoop(List<Double> rates, String arrivals, List<Double> burstiness, List<Integer> maxConcurrency,
                    int warmupRequests, List<Double> waveSeconds) {
    }

    private BenchmarkModel read(TypeElement type) {
        Messager m = processingEnv.getMessager();
        AnnotationMirror model = mirror(type, MODEL);
        if (model == null) {
            AnnotationMirror any = firstOf(type, PROMPTS, BATCH, QUANTIZATION, ENGINE, WORKLOAD, DATASET, CONTEXT_LENGTH,
                    SLO);
            m.printMessage(Diagnostic.Kind.ERROR, "a TokenPowerBench benchmark needs @Model: add e.g. "
                    + "@Model(\"synthetic:llama-tiny\") to " + type.getSimpleName(), type, any);
            return null;
        }
        boolean ok = checkClass(type);
        List<String> models = strings(model, "value");
        ok &= nonEmpty(type, model, "value", models, "@Model needs at least one model, e.g. @Model(\"synthetic:llama-tiny\")")
                && allowed(type, model, "value", Axis.MODEL, models);

        AnnotationMirror quant = mirror(type, QUANTIZATION);
        List<String> quantizations = quant == null ? List.of((String) Axis.QUANTIZATION.defaultValue())
                : strings(quant, "value");
        if (quant != null) {
            ok &= nonEmpty(type, quant, "value", quantizations, "@Quantization needs at least one value, e.g. "
                    + "@Quantization(\"f16\")") && allowed(type, quant, "value", Axis.QUANTIZATION, quantizations);
        }

        AnnotationMirror batch = mirror(type, BATCH);
        List<Integer> batches = batch == null ? List.of((Integer) Axis.BATCH.defaultValue()) : ints(batch, "value");
        if (batch != null) {
            ok &= nonEmpty(type, batch, "value", batches, "@Batch needs at least one value")
                    && allowed(type, batch, "value", Axis.BATCH, batches);
        }

        AnnotationMirror prompts = mirror(type, PROMPTS);
        List<Integer> in = prompts == null ? List.of((Integer) Axis.INPUT_TOKENS.defaultValue())
                : ints(prompts, "inputTokens");
        List<Integer> out = prompts == null ? List.of((Integer) Axis.OUTPUT_TOKENS.defaultValue())
                : ints(prompts, "outputTokens");
        int count = prompts == null ? (Integer) Axis.PROMPTS.defaultValue() : integer(prompts, "count");
        Long seed = prompts == null ? null : ((Number) value(prompts, "seed")).longValue();
        List<String> inputLengths = prompts == null ? List.of((String) Axis.INPUT_LENGTHS.defaultValue())
                : strings(prompts, "inputLengths");
        List<String> outputLengths = prompts == null ? List.of((String) Axis.OUTPUT_LENGTHS.defaultValue())
                : strings(prompts, "outputLengths");
        if (prompts != null) {
            ok &= nonEmpty(type, prompts, "inputLengths", inputLengths, "@Prompts(inputLengths) needs at least one "
                    + "value, e.g. \"fixed\"") && allowed(type, prompts, "inputLengths", Axis.INPUT_LENGTHS, inputLengths);
            ok &= nonEmpty(type, prompts, "outputLengths", outputLengths, "@Prompts(outputLengths) needs at least one "
                    + "value, e.g. \"fixed\"") && allowed(type, prompts, "outputLengths", Axis.OUTPUT_LENGTHS, outputLengths);
            ok &= nonEmpty(type, prompts, "inputTokens", in, "@Prompts(inputTokens) needs at least one value")
                    && allowed(type, prompts, "inputTokens", Axis.INPUT_TOKENS, in);
            ok &= nonEmpty(type, prompts, "outputTokens", out, "@Prompts(outputTokens) needs at least one value")
                    && allowed(type, prompts, "outputTokens", Axis.OUTPUT_TOKENS, out);
            ok &= allowed(type, prompts, "count", Axis.PROMPTS, List.of(count));
        }

        AnnotationMirror engine = mirror(type, ENGINE);
        List<String> engines = engine == null ? List.of((String) Axis.ENGINE.defaultValue()) : strings(engine, "value");
        String api = engine == null ? (String) Axis.API.defaultValue() : (String) value(engine, "api");
        String keyEnv = engine == null ? null : (String) value(engine, "apiKeyEnv");
        if (engine != null) {
            ok &= nonEmpty(type, engine, "value", engines, "@Engine needs at least one value: \"embedded\" or a base URL")
                    && allowed(type, engine, "value", Axis.ENGINE, engines);
            ok &= allowed(type, engine, "api", Axis.API, List.of(api));
            ok &= allowed(type, engine, "apiKeyEnv", Axis.API_KEY_ENV, List.of(keyEnv));
        }

        OpenLoop openLoop = null;
        AnnotationMirror workload = mirror(type, WORKLOAD);
        if (workload != null) {
            openLoop = new OpenLoop(doubles(workload, "rate"), (String) value(workload, "arrivals"),
                    doubles(workload, "burstiness"), ints(workload, "maxConcurrency"), integer(workload, "warmupRequests"),
                    doubles(workload, "waveSeconds"));
            ok &= checkWorkload(type, workload, openLoop);
        }

        List<String> datasets = null;
        Integer datasetMaxTokens = null;
        AnnotationMirror dataset = mirror(type, DATASET);
        if (dataset != null) {
            datasets = strings(dataset, "value");
            datasetMaxTokens = integer(dataset, "maxTokens");
            ok &= nonEmpty(type, dataset, "value", datasets, "@Dataset needs at least one file, e.g. "
                    + "@Dataset(\"data/prompts.jsonl\")") && allowed(type, dataset, "value", Axis.DATASET, datasets);
            ok &= allowed(type, dataset, "maxTokens", Axis.DATASET_MAX_TOKENS, List.of(datasetMaxTokens));
            if (prompts != null && annotationValue(prompts, "inputTokens") != null) {
                error(type, prompts, "inputTokens", "@Prompts(inputTokens) does not apply with @Dataset, whose "
                        + "entries bring their own prompts: remove inputTokens");
                ok = false;
            }
            for (String member : List.of("inputLengths", "outputLengths")) {
                if (prompts != null && annotationValue(prompts, member) != null) {
                    error(type, prompts, member, "@Prompts(" + member + ") does not apply with @Dataset, whose "
                            + "entries bring their own lengths: remove " + member);
                    ok = false;
                }
            }
        }

        List<Integer> contextLengths = null;
        AnnotationMirror context = mirror(type, CONTEXT_LENGTH);
        if (context != null) {
            contextLengths = ints(context, "value");
            ok &= nonEmpty(type, context, "value", contextLengths, "@ContextLength needs at least one value")
                    && allowed(type, context, "value", Axis.CONTEXT_LENGTH, contextLengths);
            if (prompts != null && annotationValue(prompts, "inputTokens") != null) {
                error(type, prompts, "inputTokens", "@ContextLength sets the prompt length: remove inputTokens from "
                        + "@Prompts (or drop @ContextLength)");
                ok = false;
            }
            if (prompts != null && annotationValue(prompts, "inputLengths") != null) {
                error(type, prompts, "inputLengths", "@ContextLength builds prompts of exactly the requested length: "
                        + "remove inputLengths from @Prompts (or drop @ContextLength)");
                ok = false;
            }
            if (dataset != null) {
                error(type, context, "value", "@ContextLength builds synthetic prompts and @Dataset reads them from a "
                        + "file: use one of them");
                ok = false;
            }
        }

        List<String> requestFields = null;
        AnnotationMirror fieldsMirror = mirror(type, REQUEST_FIELDS);
        if (fieldsMirror != null) {
            requestFields = strings(fieldsMirror, "value");
            ok &= nonBlank(type, fieldsMirror, "value", requestFields, "@RequestFields needs at least one value, e.g. "
                    + "@RequestFields(\"temperature=0.7;top_p=0.9\")")
                    && allowed(type, fieldsMirror, "value", Axis.REQUEST_FIELDS, requestFields);
        }

        double[] slo = null;
        AnnotationMirror sloMirror = mirror(type, SLO);
        if (sloMirror != null) {
            slo = new double[SLO_MEMBERS.length];
            for (int i = 0; i < SLO_MEMBERS.length; i++) {
                slo[i] = ((Number) value(sloMirror, SLO_MEMBERS[i])).doubleValue();
                ok &= allowed(type, sloMirror, SLO_MEMBERS[i], SLO_AXES[i], List.of(slo[i]));
            }
            if (slo[0] == 0 && slo[1] == 0 && slo[2] == 0) {
                error(type, sloMirror, "ttftMs", "@Slo sets no objective: give at least one of ttftMs, tpotMs, e2eMs "
                        + "in milliseconds");
                ok = false;
            }
        }

        List<String> jmh = new ArrayList<>();
        for (AnnotationMirror a : type.getAnnotationMirrors()) {
            String name = ((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().toString();
            if (COPIED_JMH.contains(name)) {
                // Not a.toString(): javac prints enum constants by simple name (timeUnit=SECONDS),
                // which does not compile in the generated class.
                jmh.add(render(a));
            }
        }
        return ok ? new BenchmarkModel(models, quantizations, batches, in, out, count, seed, engines, api, keyEnv, jmh,
                openLoop, datasets, datasetMaxTokens, contextLengths, slo, inputLengths, outputLengths,
                requestFields) : null;
    }

    private boolean checkWorkload(TypeElement type, AnnotationMirror a, OpenLoop w) {
        boolean ok = nonEmpty(type, a, "rate", w.rates(), "@Workload(rate) needs at least one value: requests per "
                + "second, or 0 for a closed loop") && allowed(type, a, "rate", Axis.RATE, w.rates());
        boolean arrivals = allowed(type, a, "arrivals", Axis.ARRIVALS, List.of(w.arrivals()));
        ok &= arrivals;
        if (nonEmpty(type, a, "burstiness", w.burstiness(), "@Workload(burstiness) needs at least one value: a gamma "
                + "shape > 0") && allowed(type, a, "burstiness", Axis.BURSTINESS, w.burstiness())) {
            boolean poisson = w.arrivals().trim().equalsIgnoreCase("poisson");
            for (double b : w.burstiness()) {
                if (arrivals && poisson && b != 1) { // two axes at once: not a rule of either
                    error(type, a, "burstiness", "@Workload(burstiness = " + b + ") needs arrivals = \"gamma\": Poisson "
                            + "arrivals have burstiness 1");
                    ok = false;
                    break;
                }
            }
        } else {
            ok = false;
        }
        ok &= nonEmpty(type, a, "maxConcurrency", w.maxConcurrency(), "@Workload(maxConcurrency) needs at least one "
                + "value, 0 for no bound") && allowed(type, a, "maxConcurrency", Axis.MAX_CONCURRENCY, w.maxConcurrency());
        ok &= nonEmpty(type, a, "waveSeconds", w.waveSeconds(), "@Workload(waveSeconds) needs at least one value, 0 for "
                + "one pass over the prompts") && allowed(type, a, "waveSeconds", Axis.WAVE_SECONDS, w.waveSeconds());
        ok &= allowed(type, a, "warmupRequests", Axis.WARMUP_REQUESTS, List.of(w.warmupRequests()));
        return ok;
    }

    private boolean checkClass(TypeElement type) {
        Messager m = processingEnv.getMessager();
        if (type.getKind() != ElementKind.CLASS) {
            m.printMessage(Diagnostic.Kind.ERROR, "TokenPowerBench annotations belong on a class", type);
            return false;
        }
        if (processingEnv.getElementUtils().getPackageOf(type).isUnnamed()) {
            m.printMessage(Diagnostic.Kind.ERROR, "a TokenPowerBench benchmark must be in a named package: "
                    + "JMH does not run classes of the default package", type);
            return false;
        }
        if (type.getNestingKind() != NestingKind.TOP_LEVEL
                && !(type.getNestingKind() == NestingKind.MEMBER && type.getModifiers().contains(Modifier.STATIC))) {
            m.printMessage(Diagnostic.Kind.ERROR, "a TokenPowerBench benchmark must be a top-level or static nested class", type);
            return false;
        }
        return true;
    }

    private void write(TypeElement type, BenchmarkModel b) {
        PackageElement pkg = processingEnv.getElementUtils().getPackageOf(type);
        String packageName = pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString();
        String simple = generatedName(type);
        String qualified = packageName.isEmpty() ? simple : packageName + "." + simple;
        StringBuilder s = new StringBuilder();
        if (!packageName.isEmpty()) {
            s.append("package ").append(packageName).append(";\n\n");
        }
        s.append("/** Generated by TokenPowerBench from {@link ").append(type.getQualifiedName())
                .append("}; edit that class, not this one. */\n");
        s.append("@javax.annotation.processing.Generated(\"").append(getClass().getName()).append("\")\n");
        s.append("@org.openjdk.jmh.annotations.State(org.openjdk.jmh.annotations.Scope.Benchmark)\n");
        s.append("@org.openjdk.jmh.annotations.BenchmarkMode(org.openjdk.jmh.annotations.Mode.SingleShotTime)\n");
        boolean hasUnit = false;
        boolean hasWarmup = false;
        boolean hasMeasurement = false;
        boolean hasFork = false;
        for (String a : b.jmhAnnotations()) {
            s.append(a).append('\n');
            hasUnit |= a.startsWith("@org.openjdk.jmh.annotations.OutputTimeUnit");
            hasWarmup |= a.startsWith("@org.openjdk.jmh.annotations.Warmup");
            hasMeasurement |= a.startsWith("@org.openjdk.jmh.annotations.Measurement");
            hasFork |= a.startsWith("@org.openjdk.jmh.annotations.Fork");
        }
        if (!hasUnit) {
            s.append("@org.openjdk.jmh.annotations.OutputTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)\n");
        }
        if (!hasWarmup) {
            s.append("@org.openjdk.jmh.annotations.Warmup(iterations = 1)\n");
        }
        if (!hasMeasurement) {
            s.append("@org.openjdk.jmh.annotations.Measurement(iterations = 3)\n");
        }
        if (!hasFork) {
            s.append("@org.openjdk.jmh.annotations.Fork(1)\n");
        }
        s.append("public class ").append(simple).append(" {\n\n");
        // the @Param fields, in the order JMH has always seen them; each is passed by its axis name
        Map<Axis, List<?>> params = new LinkedHashMap<>();
        params.put(Axis.MODEL, b.models());
        params.put(Axis.QUANTIZATION, b.quantizations());
        params.put(Axis.BATCH, b.batches());
        if (b.contextLengths() != null) {
            params.put(Axis.CONTEXT_LENGTH, b.contextLengths());
        } else if (b.datasets() != null) {
            params.put(Axis.DATASET, b.datasets());
        } else {
            params.put(Axis.INPUT_TOKENS, b.inputTokens());
            params.put(Axis.INPUT_LENGTHS, b.inputLengths());
        }
        params.put(Axis.OUTPUT_TOKENS, b.outputTokens());
        if (b.datasets() == null) {
            params.put(Axis.OUTPUT_LENGTHS, b.outputLengths());
        }
        params.put(Axis.PROMPTS, List.of(b.prompts()));
        params.put(Axis.ENGINE, b.engines());
        if (b.requestFields() != null) {
            params.put(Axis.REQUEST_FIELDS, b.requestFields());
        }
        params.put(Axis.API, List.of(b.api()));
        OpenLoop open = b.openLoop();
        if (open != null) {
            params.put(Axis.RATE, open.rates());
            params.put(Axis.ARRIVALS, List.of(open.arrivals()));
            params.put(Axis.BURSTINESS, open.burstiness());
            params.put(Axis.MAX_CONCURRENCY, open.maxConcurrency());
            params.put(Axis.WARMUP_REQUESTS, List.of(open.warmupRequests()));
            params.put(Axis.WAVE_SECONDS, open.waveSeconds());
        }
        // the class's constants, where its annotation gives them; otherwise the axis's default applies
        Map<Axis, Object> constants = new LinkedHashMap<>();
        if (b.seed() != null) {
            constants.put(Axis.SEED, b.seed());
        }
        if (b.apiKeyEnv() != null) {
            constants.put(Axis.API_KEY_ENV, b.apiKeyEnv());
        }
        if (b.datasetMaxTokens() != null) {
            constants.put(Axis.DATASET_MAX_TOKENS, b.datasetMaxTokens());
        }
        if (b.slo() != null) {
            for (int i = 0; i < SLO_AXES.length; i++) {
                constants.put(SLO_AXES[i], b.slo()[i]);
            }
        }
        params.forEach((axis, values) -> param(s, axis, values));
        s.append("    private org.tokenpowerbench.jmh.InferenceSession session;\n\n");
        s.append("    /** This trial's values, each passed by its axis name; axes not set take the table's default. */\n");
        s.append("    public org.tokenpowerbench.jmh.BenchmarkSpec benchmarkSpec() {\n");
        s.append("        return org.tokenpowerbench.jmh.BenchmarkSpec.builder(")
                .append(literal(type.getQualifiedName().toString())).append(")\n");
        for (Axis axis : params.keySet()) {
            s.append("                .set(").append(literal(axis.paramName())).append(", ").append(axis.paramName())
                    .append(")\n");
        }
        constants.forEach((axis, value) -> s.append("                .set(").append(literal(axis.paramName()))
                .append(", ").append(constant(axis, value)).append(")\n"));
        s.append("                .build();\n");
        s.append("    }\n\n");
        s.append("    @org.openjdk.jmh.annotations.Setup(org.openjdk.jmh.annotations.Level.Trial)\n");
        s.append("    public void openSession() {\n");
        s.append("        session = org.tokenpowerbench.jmh.InferenceSession.open(benchmarkSpec());\n");
        s.append("    }\n\n");
        s.append("    @org.openjdk.jmh.annotations.Setup(org.openjdk.jmh.annotations.Level.Iteration)\n");
        s.append("    public void beginIteration(org.openjdk.jmh.infra.IterationParams iteration) {\n");
        s.append("        session.beginIteration(iteration.getType().name().toLowerCase(java.util.Locale.ROOT));\n");
        s.append("    }\n\n");
        s.append("    /** One wave: every prompt of the set sent once, {@code batch} in flight or, in open loop, at {@code rate}. */\n");
        s.append("    @org.openjdk.jmh.annotations.Benchmark\n");
        s.append("    public org.tokenpowerbench.workload.WaveRecord wave() {\n");
        s.append("        return session.runWave();\n");
        s.append("    }\n\n");
        s.append("    @org.openjdk.jmh.annotations.TearDown(org.openjdk.jmh.annotations.Level.Trial)\n");
        s.append("    public void closeSession() {\n");
        s.append("        if (session != null) {\n");
        s.append("            session.close();\n");
        s.append("            session = null;\n");
        s.append("        }\n");
        s.append("    }\n");
        s.append("}\n");
        try {
            JavaFileObject file = processingEnv.getFiler().createSourceFile(qualified, type);
            try (Writer w = file.openWriter()) {
                w.write(s.toString());
            }
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    "cannot write " + qualified + ": " + e.getMessage(), type);
        }
    }

    static String generatedName(TypeElement type) {
        StringBuilder name = new StringBuilder(type.getSimpleName());
        Element e = type.getEnclosingElement();
        while (e instanceof TypeElement outer) {
            name.insert(0, outer.getSimpleName() + "_");
            e = outer.getEnclosingElement();
        }
        return name.append(SUFFIX).toString();
    }

    /** A {@code @Param} field named and typed by its axis, its values written as JMH parses them. */
    private static void param(StringBuilder s, Axis axis, List<?> values) {
        s.append("    @org.openjdk.jmh.annotations.Param({");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(literal(ValueType.text(values.get(i))));
        }
        s.append("})\n    public ").append(axis.type().javaName()).append(' ').append(axis.paramName()).append(";\n\n");
    }

    /** A constant as a Java literal of its axis's type. */
    private static String constant(Axis axis, Object value) {
        return switch (axis.type()) {
            case INT -> String.valueOf(value);
            case LONG -> value + "L";
            case DOUBLE -> Double.toString((Double) value) + "d";
            case STRING -> literal((String) value);
        };
    }

    static String literal(String v) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c > 0x7e) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Java source of an annotation, every name fully qualified, explicit members only. */
    private String render(AnnotationMirror a) {
        StringBuilder s = new StringBuilder("@")
                .append(((TypeElement) a.getAnnotationType().asElement()).getQualifiedName());
        Map<? extends ExecutableElement, ? extends AnnotationValue> values = a.getElementValues();
        if (!values.isEmpty()) {
            s.append('(');
            boolean first = true;
            for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : values.entrySet()) {
                if (!first) {
                    s.append(", ");
                }
                first = false;
                String member = e.getKey().getSimpleName().toString();
                if (!(values.size() == 1 && member.equals("value"))) {
                    s.append(member).append(" = ");
                }
                s.append(render(e.getValue()));
            }
            s.append(')');
        }
        return s.toString();
    }

    private String render(AnnotationValue value) {
        return value.accept(new SimpleAnnotationValueVisitor14<String, Void>() {
            @Override
            protected String defaultAction(Object o, Void p) {
                return String.valueOf(o); // boolean, int
            }

            @Override
            public String visitByte(byte b, Void p) {
                return "(byte) " + b;
            }

            @Override
            public String visitShort(short v, Void p) {
                return "(short) " + v;
            }

            @Override
            public String visitLong(long v, Void p) {
                return v + "L";
            }

            @Override
            public String visitFloat(float v, Void p) {
                return Float.isNaN(v) ? "Float.NaN" : Float.isInfinite(v)
                        ? (v > 0 ? "Float.POSITIVE_INFINITY" : "Float.NEGATIVE_INFINITY") : v + "f";
            }

            @Override
            public String visitDouble(double v, Void p) {
                return Double.isNaN(v) ? "Double.NaN" : Double.isInfinite(v)
                        ? (v > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY") : v + "d";
            }

            @Override
            public String visitChar(char c, Void p) {
                if (c == '\'') {
                    return "'\\''";
                }
                if (c == '"') {
                    return "'\"'";
                }
                String quoted = literal(String.valueOf(c));
                return "'" + quoted.substring(1, quoted.length() - 1) + "'";
            }

            @Override
            public String visitString(String v, Void p) {
                return literal(v);
            }

            @Override
            public String visitType(TypeMirror t, Void p) {
                return processingEnv.getTypeUtils().erasure(t) + ".class";
            }

            @Override
            public String visitEnumConstant(VariableElement c, Void p) {
                return ((TypeElement) c.getEnclosingElement()).getQualifiedName() + "." + c.getSimpleName();
            }

            @Override
            public String visitAnnotation(AnnotationMirror nested, Void p) {
                return render(nested);
            }

            @Override
            public String visitArray(List<? extends AnnotationValue> values, Void p) {
                StringBuilder s = new StringBuilder("{");
                for (int i = 0; i < values.size(); i++) {
                    if (i > 0) {
                        s.append(", ");
                    }
                    s.append(render(values.get(i)));
                }
                return s.append('}').toString();
            }
        }, null);
    }

    // --- reading annotation mirrors -------------------------------------------------------

    private AnnotationMirror mirror(TypeElement type, String name) {
        for (AnnotationMirror a : type.getAnnotationMirrors()) {
            if (((TypeElement) a.getAnnotationType().asElement()).getQualifiedName().contentEquals(name)) {
                return a;
            }
        }
        return null;
    }

    private AnnotationMirror firstOf(TypeElement type, String... names) {
        for (String n : names) {
            AnnotationMirror a = mirror(type, n);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    private Object value(AnnotationMirror a, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e
                : processingEnv.getElementUtils().getElementValuesWithDefaults(a).entrySet()) {
            if (e.getKey().getSimpleName().contentEquals(name)) {
                return e.getValue().getValue();
            }
        }
        throw new IllegalStateException("annotation " + a + " has no member " + name);
    }

    private AnnotationValue annotationValue(AnnotationMirror a, String name) {
        for (Map.Entry<? extends ExecutableElement, ? extends AnnotationValue> e : a.getElementValues().entrySet()) {
            if (e.getKey().getSimpleName().contentEquals(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private List<String> strings(AnnotationMirror a, String name) {
        List<String> out = new ArrayList<>();
        Object v = value(a, name);
        if (v instanceof List<?> list) {
            for (Object o : list) {
                out.add(String.valueOf(((AnnotationValue) o).getValue()));
            }
        } else {
            out.add(String.valueOf(v));
        }
        return out;
    }

    private List<Double> doubles(AnnotationMirror a, String name) {
        List<Double> out = new ArrayList<>();
        Object v = value(a, name);
        if (v instanceof List<?> list) {
            for (Object o : list) {
                out.add(((Number) ((AnnotationValue) o).getValue()).doubleValue());
            }
        } else {
            out.add(((Number) v).doubleValue());
        }
        return out;
    }

    private List<Integer> ints(AnnotationMirror a, String name) {
        List<Integer> out = new ArrayList<>();
        Object v = value(a, name);
        if (v instanceof List<?> list) {
            for (Object o : list) {
                out.add(((Number) ((AnnotationValue) o).getValue()).intValue());
            }
        } else {
            out.add(((Number) v).intValue());
        }
        return out;
    }

    private int integer(AnnotationMirror a, String name) {
        return ((Number) value(a, name)).intValue();
    }

    /** Reports an annotation member that gives no value at all (no axis rule sees an empty list). */
    private boolean nonEmpty(TypeElement type, AnnotationMirror a, String member, List<?> values, String emptyMessage) {
        if (values.isEmpty()) {
            error(type, a, member, emptyMessage);
            return false;
        }
        return true;
    }

    /** {@link #nonEmpty}, and no blank value: for members whose axis allows blank (none) but a blank value is pointless. */
    private boolean nonBlank(TypeElement type, AnnotationMirror a, String member, List<String> values, String emptyMessage) {
        if (!nonEmpty(type, a, member, values, emptyMessage)) {
            return false;
        }
        for (String v : values) {
            if (v.isBlank()) {
                error(type, a, member, "blank value in " + a.getAnnotationType().asElement().getSimpleName()
                        + ": every value needs text");
                return false;
            }
        }
        return true;
    }

    /**
     * Checks every value of an annotation member against its axis's rule and reports the first one
     * it does not allow, on that member, in the rule's words: {@code @Batch(0) is not allowed: it
     * must be at least 1}. The same words as before a run ({@code batch=0 is not allowed: ...}).
     */
    private boolean allowed(TypeElement type, AnnotationMirror a, String member, Axis axis, List<?> values) {
        for (Object v : values) {
            if (!axis.rule().allows(v)) {
                String written = v instanceof String text ? literal(text) : String.valueOf(v);
                error(type, a, member, "@" + a.getAnnotationType().asElement().getSimpleName() + "("
                        + (member.equals("value") ? "" : member + " = ") + written + ") " + axis.rule().complaint());
                return false;
            }
        }
        return true;
    }

    private void error(TypeElement type, AnnotationMirror a, String member, String message) {
        AnnotationValue v = annotationValue(a, member);
        if (v != null) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, type, a, v);
        } else {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, message, type, a);
        }
    }
}
