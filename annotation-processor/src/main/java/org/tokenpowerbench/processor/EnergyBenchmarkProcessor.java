package org.tokenpowerbench.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
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
 * Without them the generated class passes the closed-loop, synthetic, no-SLO defaults.
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

    /** What the generated class needs, read and validated from the annotations. */
    record BenchmarkModel(List<String> models, List<String> quantizations, List<Integer> batches,
                          List<Integer> inputTokens, List<Integer> outputTokens, int prompts, long seed,
                          List<String> engines, String api, String apiKeyEnv, List<String> jmhAnnotations,
                          OpenLoop openLoop, List<String> datasets, int datasetMaxTokens, List<Integer> contextLengths,
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
        ok &= nonBlank(type, model, "value", models, "@Model needs at least one model, e.g. @Model(\"synthetic:llama-tiny\")");

        AnnotationMirror quant = mirror(type, QUANTIZATION);
        List<String> quantizations = quant == null ? List.of("f16") : strings(quant, "value");
        if (quant != null) {
            ok &= nonBlank(type, quant, "value", quantizations, "@Quantization needs at least one value, e.g. @Quantization(\"f16\")");
        }

        AnnotationMirror batch = mirror(type, BATCH);
        List<Integer> batches = batch == null ? List.of(1) : ints(batch, "value");
        if (batch != null) {
            ok &= positive(type, batch, "value", batches, "@Batch");
        }

        AnnotationMirror prompts = mirror(type, PROMPTS);
        List<Integer> in = prompts == null ? List.of(128) : ints(prompts, "inputTokens");
        List<Integer> out = prompts == null ? List.of(64) : ints(prompts, "outputTokens");
        int count = prompts == null ? 16 : integer(prompts, "count");
        long seed = prompts == null ? 42L : ((Number) value(prompts, "seed")).longValue();
        List<String> inputLengths = prompts == null ? List.of("fixed") : strings(prompts, "inputLengths");
        List<String> outputLengths = prompts == null ? List.of("fixed") : strings(prompts, "outputLengths");
        if (prompts != null) {
            ok &= lengths(type, prompts, "inputLengths", inputLengths);
            ok &= lengths(type, prompts, "outputLengths", outputLengths);
            ok &= positive(type, prompts, "inputTokens", in, "@Prompts(inputTokens)");
            ok &= positive(type, prompts, "outputTokens", out, "@Prompts(outputTokens)");
            if (count < 1) {
                error(type, prompts, "count", "@Prompts(count = " + count + ") must be at least 1");
                ok = false;
            }
        }

        AnnotationMirror engine = mirror(type, ENGINE);
        List<String> engines = engine == null ? List.of("embedded") : strings(engine, "value");
        String api = engine == null ? "completions" : (String) value(engine, "api");
        String keyEnv = engine == null ? "" : (String) value(engine, "apiKeyEnv");
        if (engine != null) {
            if (engines.isEmpty()) {
                error(type, engine, "value", "@Engine needs at least one value: \"embedded\" or a base URL");
                ok = false;
            }
            for (String e : engines) {
                String lower = e.trim().toLowerCase(Locale.ROOT);
                if (!lower.equals("embedded") && !lower.startsWith("http://") && !lower.startsWith("https://")) {
                    error(type, engine, "value", "@Engine(\"" + e + "\"): unknown engine; use \"embedded\" or a base URL "
                            + "starting with http:// or https://");
                    ok = false;
                }
            }
            if (!api.equals("completions") && !api.equals("chat")) {
                error(type, engine, "api", "@Engine(api = \"" + api + "\"): use \"completions\" or \"chat\"");
                ok = false;
            }
            if (!keyEnv.isEmpty() && !keyEnv.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                error(type, engine, "apiKeyEnv", "@Engine(apiKeyEnv = \"" + keyEnv + "\") is not an environment "
                        + "variable name: give the variable's name, never the key itself");
                ok = false;
            }
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
        int datasetMaxTokens = 2048;
        AnnotationMirror dataset = mirror(type, DATASET);
        if (dataset != null) {
            datasets = strings(dataset, "value");
            datasetMaxTokens = integer(dataset, "maxTokens");
            if (datasets.isEmpty()) {
                error(type, dataset, "value", "@Dataset needs at least one file, e.g. @Dataset(\"data/prompts.jsonl\")");
                ok = false;
            } else if (datasets.stream().anyMatch(String::isBlank)) {
                error(type, dataset, "value", "@Dataset has a blank file path: give the path of a JSONL or ShareGPT "
                        + "JSON file");
                ok = false;
            }
            if (datasetMaxTokens < 2) {
                error(type, dataset, "maxTokens", "@Dataset(maxTokens = " + datasetMaxTokens + ") leaves no room for a "
                        + "prompt and its output: give at least 2 (default 2048)");
                ok = false;
            }
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
            ok &= positive(type, context, "value", contextLengths, "@ContextLength");
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
                    + "@RequestFields(\"temperature=0.7;top_p=0.9\")");
            for (String f : requestFields) {
                String t = f.trim();
                if (!t.isEmpty() && !t.startsWith("{") && !t.contains("=")) {
                    error(type, fieldsMirror, "value", "@RequestFields(\"" + f + "\") is neither a JSON object nor "
                            + "name=value pairs: write {\"temperature\": 0.7} or temperature=0.7;top_p=0.9");
                    ok = false;
                    break;
                }
            }
        }

        double[] slo = {0, 0, 0};
        AnnotationMirror sloMirror = mirror(type, SLO);
        if (sloMirror != null) {
            String[] names = {"ttftMs", "tpotMs", "e2eMs"};
            for (int i = 0; i < names.length; i++) {
                slo[i] = ((Number) value(sloMirror, names[i])).doubleValue();
                if (!(slo[i] >= 0) || Double.isInfinite(slo[i])) {
                    error(type, sloMirror, names[i], "@Slo(" + names[i] + " = " + slo[i] + ") is not a time: give "
                            + "milliseconds >= 0 (0 for no objective)");
                    ok = false;
                }
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
        boolean ok = true;
        if (w.rates().isEmpty()) {
            error(type, a, "rate", "@Workload(rate) needs at least one value: requests per second, or 0 for a closed loop");
            ok = false;
        }
        for (double r : w.rates()) {
            if (!(r >= 0) || Double.isInfinite(r)) {
                error(type, a, "rate", "@Workload(rate = " + r + ") is not allowed: give requests per second > 0, "
                        + "or 0 for a closed loop");
                ok = false;
                break;
            }
        }
        String arrivals = w.arrivals();
        boolean poisson = arrivals.equals("poisson");
        if (!poisson && !arrivals.equals("gamma")) {
            error(type, a, "arrivals", "@Workload(arrivals = \"" + arrivals + "\") is not known: use \"poisson\" or "
                    + "\"gamma\"");
            ok = false;
        }
        if (w.burstiness().isEmpty()) {
            error(type, a, "burstiness", "@Workload(burstiness) needs at least one value: a gamma shape > 0");
            ok = false;
        }
        for (double b : w.burstiness()) {
            if (!(b > 0) || Double.isInfinite(b)) {
                error(type, a, "burstiness", "@Workload(burstiness = " + b + ") is not a gamma shape: give a number > 0 "
                        + "(1 is Poisson, below 1 bursty)");
                ok = false;
                break;
            }
            if (poisson && b != 1) {
                error(type, a, "burstiness", "@Workload(burstiness = " + b + ") needs arrivals = \"gamma\": Poisson "
                        + "arrivals have burstiness 1");
                ok = false;
                break;
            }
        }
        if (w.maxConcurrency().isEmpty()) {
            error(type, a, "maxConcurrency", "@Workload(maxConcurrency) needs at least one value, 0 for no bound");
            ok = false;
        }
        for (int c : w.maxConcurrency()) {
            if (c < 0) {
                error(type, a, "maxConcurrency", "@Workload(maxConcurrency = " + c + ") is not allowed: give the most "
                        + "requests in flight at once, or 0 for no bound");
                ok = false;
                break;
            }
        }
        for (double d : w.waveSeconds()) {
            if (!(d >= 0) || d > 86_400) {
                error(type, a, "waveSeconds", "@Workload(waveSeconds = " + d + ") is not a wave length: give seconds "
                        + "from 0 to 86400 (0 sends the prompt set once)");
                ok = false;
                break;
            }
        }
        if (w.waveSeconds().isEmpty()) {
            error(type, a, "waveSeconds", "@Workload(waveSeconds) needs at least one value, 0 for one pass over the prompts");
            ok = false;
        }
        if (w.warmupRequests() < 0) {
            error(type, a, "warmupRequests", "@Workload(warmupRequests = " + w.warmupRequests() + ") is not allowed: "
                    + "give 0 or more");
            ok = false;
        }
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
        param(s, "model", "String", b.models());
        param(s, "quantization", "String", b.quantizations());
        param(s, "batch", "int", b.batches());
        if (b.contextLengths() != null) {
            param(s, "contextLength", "int", b.contextLengths());
        } else if (b.datasets() != null) {
            param(s, "dataset", "String", b.datasets());
        } else {
            param(s, "inputTokens", "int", b.inputTokens());
            param(s, "inputLengths", "String", b.inputLengths());
        }
        param(s, "outputTokens", "int", b.outputTokens());
        if (b.datasets() == null) {
            param(s, "outputLengths", "String", b.outputLengths());
        }
        param(s, "prompts", "int", List.of(b.prompts()));
        param(s, "engine", "String", b.engines());
        if (b.requestFields() != null) {
            param(s, "requestFields", "String", b.requestFields());
        }
        param(s, "api", "String", List.of(b.api()));
        OpenLoop open = b.openLoop();
        if (open != null) {
            param(s, "rate", "double", open.rates().stream().map(EnergyBenchmarkProcessor::number).toList());
            param(s, "arrivals", "String", List.of(open.arrivals()));
            param(s, "burstiness", "double", open.burstiness().stream().map(EnergyBenchmarkProcessor::number).toList());
            param(s, "maxConcurrency", "int", open.maxConcurrency());
            param(s, "warmupRequests", "int", List.of(open.warmupRequests()));
            param(s, "waveSeconds", "double", open.waveSeconds().stream().map(EnergyBenchmarkProcessor::number).toList());
        }
        s.append("    private org.tokenpowerbench.jmh.InferenceSession session;\n\n");
        s.append("    @org.openjdk.jmh.annotations.Setup(org.openjdk.jmh.annotations.Level.Trial)\n");
        s.append("    public void openSession() {\n");
        s.append("        session = org.tokenpowerbench.jmh.InferenceSession.open(new org.tokenpowerbench.jmh.BenchmarkSpec(\n");
        String promptLength = b.contextLengths() != null ? "contextLength" : b.datasets() != null ? "0" : "inputTokens";
        s.append("                ").append(literal(type.getQualifiedName().toString()))
                .append(", model, quantization, batch, ").append(promptLength).append(", outputTokens, prompts, ")
                .append(b.seed()).append("L, engine, api, ").append(literal(b.apiKeyEnv())).append(",\n");
        s.append("                ").append(open != null ? "rate, arrivals, burstiness, maxConcurrency, warmupRequests"
                : "0.0, \"poisson\", 1.0, 0, 0").append(", ")
                .append(b.datasets() != null ? "dataset" : "\"\"").append(", ").append(b.datasetMaxTokens()).append(", ")
                .append(b.contextLengths() != null).append(", ")
                .append(doubleLiteral(b.slo()[0])).append(", ").append(doubleLiteral(b.slo()[1])).append(", ")
                .append(doubleLiteral(b.slo()[2])).append(",\n                ")
                .append(b.datasets() == null && b.contextLengths() == null ? "inputLengths" : "\"fixed\"").append(", ")
                .append(b.datasets() == null ? "outputLengths" : "\"fixed\"").append(", ")
                .append(open != null ? "waveSeconds" : "0.0").append(", ")
                .append(b.requestFields() != null ? "requestFields" : "\"\"").append("));\n");
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

    private static void param(StringBuilder s, String name, String javaType, List<?> values) {
        s.append("    @org.openjdk.jmh.annotations.Param({");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                s.append(", ");
            }
            s.append(literal(String.valueOf(values.get(i))));
        }
        s.append("})\n    public ").append(javaType).append(' ').append(name).append(";\n\n");
    }

    /** A double as a JMH parameter value: {@code 2} rather than {@code 2.0}. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static String doubleLiteral(double v) {
        return Double.toString(v) + "d";
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

    private boolean nonBlank(TypeElement type, AnnotationMirror a, String member, List<String> values, String emptyMessage) {
        if (values.isEmpty()) {
            error(type, a, member, emptyMessage);
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

    /** The forms of a length distribution (checked fully at trial start, by LengthDistribution). */
    private static final java.util.regex.Pattern LENGTHS = java.util.regex.Pattern.compile(
            "fixed|uniform:0?\\.[0-9]*[1-9][0-9]*|normal:[0-9]*\\.?[0-9]+(:[1-9][0-9]*:[1-9][0-9]*)?");

    private boolean lengths(TypeElement type, AnnotationMirror a, String member, List<String> values) {
        if (values.isEmpty()) {
            error(type, a, member, "@Prompts(" + member + ") needs at least one value, e.g. \"fixed\"");
            return false;
        }
        for (String v : values) {
            if (!LENGTHS.matcher(v.trim().toLowerCase(Locale.ROOT)).matches()) {
                error(type, a, member, "@Prompts(" + member + " = \"" + v + "\") is not a length distribution: use "
                        + "\"fixed\", \"uniform:W\" (0 < W < 1), \"normal:S\" or \"normal:S:MIN:MAX\" (tokens)");
                return false;
            }
        }
        return true;
    }

    private boolean positive(TypeElement type, AnnotationMirror a, String member, List<Integer> values, String what) {
        if (values.isEmpty()) {
            error(type, a, member, what + " needs at least one value");
            return false;
        }
        for (int v : values) {
            if (v < 1) {
                error(type, a, member, what + " value " + v + " is not allowed: every value must be at least 1");
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
