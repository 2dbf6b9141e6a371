package org.tokenpowerbench.processor;

import java.io.IOException;
import java.io.Writer;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.FilerException;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.PackageElement;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.tokenpowerbench.axes.Axis;

/**
 * Turns every class annotated with {@code @Model} (and optionally {@code @Prompts},
 * {@code @Batch}, {@code @Quantization}, {@code @Engine}, {@code @Workload}, {@code @Dataset},
 * {@code @ContextLength}, {@code @Slo}, plus JMH's {@code @Warmup},
 * {@code @Measurement}, {@code @Fork}, {@code @Timeout}, {@code @OutputTimeUnit}) into a JMH
 * benchmark class named {@code <Class>_Energy} in the same package, in an ordinary round; JMH's own
 * processor then generates the harness from it in a later round. Any other JMH annotation on the
 * class or its members is a compile error: the generated class would ignore it.
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
 *
 * <p>This class is the round handling only: it finds the annotated classes, has
 * {@link BenchmarkReader} read and check each into a {@link BenchmarkModel}, has
 * {@link EnergyClassSource} write its source, and hands that to the {@code Filer}.
 */
@SupportedAnnotationTypes({
        BenchmarkReader.MODEL, BenchmarkReader.PROMPTS, BenchmarkReader.BATCH, BenchmarkReader.QUANTIZATION,
        BenchmarkReader.ENGINE, BenchmarkReader.WORKLOAD, BenchmarkReader.DATASET, BenchmarkReader.CONTEXT_LENGTH,
        BenchmarkReader.SLO, BenchmarkReader.REQUEST_FIELDS, BenchmarkReader.PARALLELISM})
public final class EnergyBenchmarkProcessor extends AbstractProcessor {

    /** Each class written in this compilation, every round, by the user class it was generated from. */
    private final Map<String, String> generatedFrom = new HashMap<>();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    /**
     * Generates one class per annotated class in this round; a class with any of our annotations
     * but a mistake gets its compile errors and no generated class, and does not stop the others.
     */
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
            BenchmarkModel model = new BenchmarkReader(processingEnv, type).read();
            if (model != null) {
                write(type, model);
            }
        }
        return false; // leave JMH's annotations and ours visible to other processors
    }

    /** {@code <Class>_Energy} in the user class's package, with the user class as its originating element. */
    private void write(TypeElement type, BenchmarkModel model) {
        PackageElement pkg = processingEnv.getElementUtils().getPackageOf(type);
        String packageName = pkg.isUnnamed() ? "" : pkg.getQualifiedName().toString();
        String simple = EnergyClassSource.simpleName(type);
        String qualified = packageName.isEmpty() ? simple : packageName + "." + simple;
        String userClass = type.getQualifiedName().toString();
        String earlier = generatedFrom.putIfAbsent(qualified, userClass);
        if (earlier != null) {
            // Outer.Inner and Outer_Inner both become Outer_Inner_Energy: the Filer's own words would not say so
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, earlier + " and " + userClass
                    + " would both generate " + qualified + ": rename one of them", type);
            return;
        }
        String text = EnergyClassSource.text(packageName, userClass, simple, getClass().getName(), model);
        try {
            JavaFileObject file = processingEnv.getFiler().createSourceFile(qualified, type);
            try (Writer w = file.openWriter()) {
                w.write(text);
            }
        } catch (FilerException e) {
            // the name is taken by a class of the sources being compiled
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "TokenPowerBench generates " + qualified
                    + " from " + userClass + ", and a class of that name exists already: rename that class or "
                    + type.getSimpleName() + " (" + e.getMessage() + ")", type);
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    "cannot write " + qualified + ": " + e.getMessage(), type);
        }
    }
}
