package org.tokenpowerbench.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.Set;
import java.util.TreeSet;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import javax.annotation.processing.Completion;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.generators.BenchmarkProcessor;
import org.openjdk.jmh.runner.BenchmarkListEntry;

/**
 * Compiles small sources with our processor and JMH's in the same javac run, as the benchmarks
 * module does, and checks the generated {@code <Class>_Energy} source, JMH's
 * {@code META-INF/BenchmarkList}, and the compile errors for every misuse.
 */
class EnergyBenchmarkProcessorTest {

    private static final String IMPORTS = String.join("\n",
            "import org.openjdk.jmh.annotations.*;",
            "import org.tokenpowerbench.annotations.Batch;",
            "import org.tokenpowerbench.annotations.Engine;",
            "import org.tokenpowerbench.annotations.Model;",
            "import org.tokenpowerbench.annotations.Parallelism;",
            "import org.tokenpowerbench.annotations.Prompts;",
            "import org.tokenpowerbench.annotations.Quantization;",
            "import org.tokenpowerbench.annotations.ContextLength;",
            "import org.tokenpowerbench.annotations.Dataset;",
            "import org.tokenpowerbench.annotations.RequestFields;",
            "import org.tokenpowerbench.annotations.Slo;",
            "import org.tokenpowerbench.annotations.Workload;",
            "");

    // --- helpers ------------------------------------------------------------------------------

    static Compilation compile(JavaFileObject... sources) {
        return compile(new Spy(), sources);
    }

    static Compilation compile(Spy spy, JavaFileObject... sources) {
        return Compiler.javac()
                .withProcessors(spy, new BenchmarkProcessor())
                .compile(sources);
    }

    /**
     * Our processor, with a Filer that records every source file it creates: compile-testing hides
     * the generated files of a failed compilation, and javac runs no further round after an error.
     */
    static final class Spy implements Processor {
        final EnergyBenchmarkProcessor delegate = new EnergyBenchmarkProcessor();
        final Set<String> created = new TreeSet<>();

        @Override
        public void init(ProcessingEnvironment env) {
            Filer filer = env.getFiler();
            Filer spyFiler = (Filer) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Filer.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("createSourceFile")) {
                            created.add(args[0].toString());
                        }
                        return invoke(method, filer, args);
                    });
            delegate.init((ProcessingEnvironment) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {ProcessingEnvironment.class},
                    (proxy, method, args) -> method.getName().equals("getFiler") ? spyFiler : invoke(method, env, args)));
        }

        private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        @Override
        public Set<String> getSupportedOptions() {
            return delegate.getSupportedOptions();
        }

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return delegate.getSupportedAnnotationTypes();
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return delegate.getSupportedSourceVersion();
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            return delegate.process(annotations, round);
        }

        @Override
        public Iterable<? extends Completion> getCompletions(Element element, AnnotationMirror annotation,
                                                             ExecutableElement member, String userText) {
            return delegate.getCompletions(element, annotation, member, userText);
        }
    }

    /** A source in package {@code demo} with the usual imports, then {@code lines}. */
    static JavaFileObject source(String simpleName, String... lines) {
        return JavaFileObjects.forSourceString("demo." + simpleName,
                "package demo;\n\n" + IMPORTS + "\n" + String.join("\n", lines) + "\n");
    }

    static String generated(Compilation c, String qualifiedName) {
        Optional<JavaFileObject> file = c.generatedSourceFile(qualifiedName);
        assertTrue(file.isPresent(), () -> qualifiedName + " was not generated; generated: " + c.generatedSourceFiles());
        try {
            return file.get().getCharContent(true).toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads the compiled generated class, sets each {@code @Param} field to its first value (as JMH
     * would for the first trial) and returns the spec the class would open its session with: proves
     * that the generated code passes every value by a name and type the framework's table accepts.
     */
    static org.tokenpowerbench.jmh.BenchmarkSpec firstTrialSpec(Compilation c, String qualifiedName) {
        ClassLoader loader = new ClassLoader(EnergyBenchmarkProcessorTest.class.getClassLoader()) {
            @Override
            protected Class<?> findClass(String name) throws ClassNotFoundException {
                String path = "/" + name.replace('.', '/') + ".class";
                for (JavaFileObject f : c.generatedFiles()) {
                    if (f.getKind() == JavaFileObject.Kind.CLASS && f.toUri().getPath().endsWith(path)) {
                        try (java.io.InputStream in = f.openInputStream()) {
                            byte[] b = in.readAllBytes();
                            return defineClass(name, b, 0, b.length);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                }
                throw new ClassNotFoundException(name);
            }
        };
        try {
            Class<?> type = loader.loadClass(qualifiedName);
            Object bench = type.getConstructor().newInstance();
            for (java.lang.reflect.Field f : type.getFields()) {
                org.openjdk.jmh.annotations.Param param = f.getAnnotation(org.openjdk.jmh.annotations.Param.class);
                if (param != null) {
                    String first = param.value()[0];
                    f.set(bench, f.getType() == int.class ? Integer.parseInt(first)
                            : f.getType() == double.class ? Double.parseDouble(first) : first);
                }
            }
            return (org.tokenpowerbench.jmh.BenchmarkSpec) type.getMethod("benchmarkSpec").invoke(bench);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static final Pattern PARAM = Pattern.compile(
            "@org\\.openjdk\\.jmh\\.annotations\\.Param\\(\\{(.*?)\\}\\)\\s*public\\s+(\\w+)\\s+(\\w+);");

    /** Name of each {@code @Param} field of a generated source, with its type and values. */
    static Map<String, List<String>> params(String source) {
        Map<String, List<String>> out = new java.util.LinkedHashMap<>();
        Matcher m = PARAM.matcher(source);
        while (m.find()) {
            List<String> values = new ArrayList<>();
            Matcher v = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(m.group(1));
            while (v.find()) {
                values.add(v.group(1));
            }
            out.put(m.group(2) + " " + m.group(3), values);
        }
        return out;
    }

    /** The entries of the META-INF/BenchmarkList that JMH's processor wrote in this compilation. */
    static List<BenchmarkListEntry> benchmarkList(Compilation c) {
        JavaFileObject list = c.generatedFiles().stream()
                .filter(f -> f.toUri().getPath().endsWith("META-INF/BenchmarkList"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("JMH wrote no META-INF/BenchmarkList; generated: "
                        + c.generatedFiles().stream().map(f -> f.toUri().toString()).collect(Collectors.toList())));
        try {
            return list.getCharContent(true).toString().lines()
                    .filter(l -> !l.isBlank())
                    .map(BenchmarkListEntry::new)
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static BenchmarkListEntry entry(Compilation c, String userClass) {
        List<BenchmarkListEntry> entries = benchmarkList(c);
        return entries.stream()
                .filter(e -> e.getUserClassQName().equals(userClass))
                .findFirst()
                .orElseThrow(() -> new AssertionError(userClass + " not in BenchmarkList: " + entries));
    }

    static Map<String, List<String>> listParams(BenchmarkListEntry e) {
        assertTrue(e.getParams().hasValue(), "entry has no params: " + e);
        Map<String, List<String>> out = new java.util.TreeMap<>();
        for (Map.Entry<String, String[]> p : e.getParams().get().entrySet()) {
            out.put(p.getKey(), Arrays.asList(p.getValue()));
        }
        return out;
    }

    static List<Diagnostic<? extends JavaFileObject>> errors(Compilation c) {
        return new ArrayList<>(c.errors());
    }

    // --- good sources -------------------------------------------------------------------------

    @Nested
    class Good {

        @Test
        void minimalModelClassGetsEveryDefault() {
            JavaFileObject src = source("Minimal",
                    "@Model(\"synthetic:llama-tiny\")",
                    "public class Minimal {",
                    "}");
            Spy spy = new Spy();
            Compilation c = compile(spy, src);
            assertThat(c).succeeded();
            assertEquals(Set.of("demo.Minimal_Energy"), spy.created);

            String gen = generated(c, "demo.Minimal_Energy");
            assertTrue(gen.contains("public class Minimal_Energy {"), gen);
            assertEquals(Map.of(
                    "String model", List.of("synthetic:llama-tiny"),
                    "String quantization", List.of("f16"),
                    "int batch", List.of("1"),
                    "int inputTokens", List.of("128"),
                    "String inputLengths", List.of("fixed"),
                    "int outputTokens", List.of("64"),
                    "String outputLengths", List.of("fixed"),
                    "int prompts", List.of("16"),
                    "String engine", List.of("embedded"),
                    "String api", List.of("completions")), params(gen));
            // defaults of the iteration setup when the class has no JMH annotation
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Warmup(iterations = 1)"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Measurement(iterations = 3)"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Fork(1)"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.OutputTimeUnit(java.util.concurrent.TimeUnit.MILLISECONDS)"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.BenchmarkMode(org.openjdk.jmh.annotations.Mode.SingleShotTime)"), gen);
            // the session gets the user class and every @Param by name, and nothing else: the rest is the table's default
            assertTrue(gen.contains("BenchmarkSpec.builder(\"demo.Minimal\")\n                .set(\"model\", model)\n"
                    + "                .set(\"quantization\", quantization)\n                .set(\"batch\", batch)\n"), gen);
            assertEquals(params(gen).size(), count(gen, ".set("), gen);
            org.tokenpowerbench.jmh.BenchmarkSpec spec = firstTrialSpec(c, "demo.Minimal_Energy");
            assertEquals("demo.Minimal", spec.benchmarkClass());
            // closed loop, synthetic prompts, default seed, no API key variable, no SLO; the trial's name as always
            assertEquals("model=synthetic:llama-tiny quantization=f16 batch=1 inputTokens=128 outputTokens=64 prompts=16 "
                    + "engine=embedded api=completions", spec.describe());
            assertEquals(42L, spec.seed());
            assertEquals("", spec.apiKeyEnv());
            assertFalse(spec.openLoop());
            assertEquals(2048, spec.datasetMaxTokens());
            assertEquals(org.tokenpowerbench.workload.Slo.NONE, spec.slo());

            BenchmarkListEntry e = entry(c, "demo.Minimal_Energy");
            assertEquals("demo.Minimal_Energy.wave", e.getUsername());
            assertEquals(Optional.of(1), toOptional(e.getWarmupIterations()));
            assertEquals(Optional.of(3), toOptional(e.getMeasurementIterations()));
            assertEquals(Optional.of(1), toOptional(e.getForks()));
            assertEquals(List.of("1"), listParams(e).get("batch"));
            assertEquals(List.of("synthetic:llama-tiny"), listParams(e).get("model"));
        }

        @Test
        void fullClassGivesEveryAxisAndCopiesJmhAnnotations() {
            JavaFileObject src = source("Full",
                    "@Model({\"meta-llama/Llama-3.1-8B-Instruct\", \"synthetic:llama-100m\"})",
                    "@Prompts(inputTokens = {128, 256}, outputTokens = 64, count = 8, seed = 7)",
                    "@Batch({1, 4})",
                    "@Quantization({\"f16\", \"q8_0\"})",
                    "@Engine(value = \"http://localhost:8000\", api = \"chat\", apiKeyEnv = \"OPENAI_API_KEY\")",
                    "@Warmup(iterations = 2)",
                    "@Measurement(iterations = 5, time = 2, timeUnit = java.util.concurrent.TimeUnit.SECONDS)",
                    "@Fork(value = 2, jvmArgsAppend = {\"-Dx=\\\"quoted\\\"\", \"-Xmx1g\"})",
                    "@OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)",
                    "public class Full {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();

            String gen = generated(c, "demo.Full_Energy");
            assertEquals(Map.of(
                    "String model", List.of("meta-llama/Llama-3.1-8B-Instruct", "synthetic:llama-100m"),
                    "String quantization", List.of("f16", "q8_0"),
                    "int batch", List.of("1", "4"),
                    "int inputTokens", List.of("128", "256"),
                    "String inputLengths", List.of("fixed"),
                    "int outputTokens", List.of("64"),
                    "String outputLengths", List.of("fixed"),
                    "int prompts", List.of("8"),
                    "String engine", List.of("http://localhost:8000"),
                    "String api", List.of("chat")), params(gen));
            assertTrue(gen.contains("                .set(\"seed\", 7L)\n                .set(\"apiKeyEnv\", \"OPENAI_API_KEY\")\n"), gen);
            org.tokenpowerbench.jmh.BenchmarkSpec spec = firstTrialSpec(c, "demo.Full_Energy");
            assertEquals("model=meta-llama/Llama-3.1-8B-Instruct quantization=f16 batch=1 inputTokens=128 outputTokens=64 "
                    + "prompts=8 engine=http://localhost:8000 api=chat", spec.describe());
            assertEquals(7L, spec.seed());
            assertEquals("OPENAI_API_KEY", spec.apiKeyEnv());
            // copied, not defaulted: exactly one of each
            assertEquals(1, count(gen, "@org.openjdk.jmh.annotations.Warmup("), gen);
            assertEquals(1, count(gen, "@org.openjdk.jmh.annotations.Measurement("), gen);
            assertEquals(1, count(gen, "@org.openjdk.jmh.annotations.Fork("), gen);
            assertEquals(1, count(gen, "@org.openjdk.jmh.annotations.OutputTimeUnit("), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Warmup(iterations = 2)\n"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Measurement(iterations = 5, time = 2, "
                    + "timeUnit = java.util.concurrent.TimeUnit.SECONDS)\n"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Fork(value = 2, jvmArgsAppend = "
                    + "{\"-Dx=\\\"quoted\\\"\", \"-Xmx1g\"})\n"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.OutputTimeUnit(java.util.concurrent.TimeUnit.SECONDS)\n"), gen);
            assertFalse(gen.contains("Warmup(iterations = 1)"), gen);
            assertFalse(gen.contains("TimeUnit.MILLISECONDS"), gen);

            BenchmarkListEntry e = entry(c, "demo.Full_Energy");
            assertEquals("demo.Full_Energy.wave", e.getUsername());
            assertEquals(Optional.of(2), toOptional(e.getWarmupIterations()));
            assertEquals(Optional.of(5), toOptional(e.getMeasurementIterations()));
            assertEquals(Optional.of(2), toOptional(e.getForks()));
            assertEquals("2 s", e.getMeasurementTime().get().toString());
            assertEquals(List.of("-Dx=\"quoted\"", "-Xmx1g"), List.copyOf(e.getJvmArgsAppend().get()));
            assertEquals(java.util.concurrent.TimeUnit.SECONDS, e.getTimeUnit().get());
            Map<String, List<String>> p = listParams(e);
            assertEquals(List.of("128", "256"), p.get("inputTokens"));
            assertEquals(List.of("64"), p.get("outputTokens"));
            assertEquals(List.of("8"), p.get("prompts"));
            assertEquals(List.of("1", "4"), p.get("batch"));
            assertEquals(List.of("f16", "q8_0"), p.get("quantization"));
            assertEquals(List.of("meta-llama/Llama-3.1-8B-Instruct", "synthetic:llama-100m"), p.get("model"));
            assertEquals(List.of("http://localhost:8000"), p.get("engine"));
            assertEquals(List.of("chat"), p.get("api"));
            assertEquals(List.of("api", "batch", "engine", "inputLengths", "inputTokens", "model", "outputLengths",
                    "outputTokens", "prompts", "quantization"), List.copyOf(p.keySet()));
        }

        @Test
        void onlySomeJmhAnnotationsGiven_othersDefault() {
            JavaFileObject src = source("Partial",
                    "@Model(\"synthetic:llama-tiny\")",
                    "@Measurement(iterations = 7)",
                    "@Timeout(time = 5, timeUnit = java.util.concurrent.TimeUnit.MINUTES)",
                    "public class Partial {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.Partial_Energy");
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Measurement(iterations = 7)\n"), gen);
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Timeout(time = 5, "
                    + "timeUnit = java.util.concurrent.TimeUnit.MINUTES)\n"), gen);
            BenchmarkListEntry e = entry(c, "demo.Partial_Energy");
            assertEquals(Optional.of(1), toOptional(e.getWarmupIterations()));
            assertEquals(Optional.of(7), toOptional(e.getMeasurementIterations()));
            assertEquals(Optional.of(1), toOptional(e.getForks()));
            assertEquals("5 min", e.getTimeout().get().toString());
            assertEquals(java.util.concurrent.TimeUnit.MILLISECONDS, e.getTimeUnit().get());
        }

        @Test
        void staticNestedClassIsNamedAfterItsOuterClasses() {
            JavaFileObject src = source("Outer",
                    "public class Outer {",
                    "    public static class Middle {",
                    "        @Model(\"synthetic:llama-tiny\")",
                    "        @Batch(2)",
                    "        @Fork(3)",
                    "        public static class Inner {",
                    "        }",
                    "    }",
                    "    @Model(\"synthetic:llama-tiny\")",
                    "    static class Sibling {",
                    "    }",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.Outer_Middle_Inner_Energy");
            assertEquals(List.of("2"), params(gen).get("int batch"));
            assertTrue(gen.contains("BenchmarkSpec.builder(\"demo.Outer.Middle.Inner\")"), gen);
            generated(c, "demo.Outer_Sibling_Energy");
            assertTrue(gen.contains("@org.openjdk.jmh.annotations.Fork(3)\n"), gen);
            BenchmarkListEntry inner = entry(c, "demo.Outer_Middle_Inner_Energy");
            assertEquals("demo.Outer_Middle_Inner_Energy.wave", inner.getUsername());
            assertEquals(List.of("2"), listParams(inner).get("batch"));
            assertEquals(Optional.of(3), toOptional(inner.getForks()));
            entry(c, "demo.Outer_Sibling_Energy");
        }

        @Test
        void memberClassOfAnInterfaceIsImplicitlyStatic() {
            JavaFileObject src = source("Holder",
                    "public interface Holder {",
                    "    @Model(\"synthetic:llama-tiny\")",
                    "    class Bench {",
                    "    }",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            entry(c, "demo.Holder_Bench_Energy");
        }

        @Test
        void severalBenchmarksInOneCompilation() {
            Compilation c = compile(
                    source("A", "@Model(\"a\")", "public class A {}"),
                    source("B", "@Model(\"b\") @Batch({3, 9})", "public class B {}"));
            assertThat(c).succeeded();
            assertEquals(2, benchmarkList(c).size());
            assertEquals(List.of("a"), listParams(entry(c, "demo.A_Energy")).get("model"));
            assertEquals(List.of("3", "9"), listParams(entry(c, "demo.B_Energy")).get("batch"));
        }

        @Test
        void valuesThatNeedEscapingSurviveAsParamValues() {
            JavaFileObject src = source("Escapes",
                    "@Model({\"/models/a \\\"b\\\"\\\\c.gguf\", \"m\\u00e9t\\u00e9o\"})",
                    "public class Escapes {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            assertEquals(List.of("/models/a \"b\"\\c.gguf", "m\u00e9t\u00e9o"),
                    listParams(entry(c, "demo.Escapes_Energy")).get("model"));
        }

        @Test
        void workloadGivesOpenLoopParams() {
            JavaFileObject src = source("Open",
                    "@Model(\"synthetic:llama-tiny\")",
                    "@Workload(rate = {0.5, 2, 8}, arrivals = \"gamma\", burstiness = {0.25, 1}, maxConcurrency = {0, 4},",
                    "          warmupRequests = 3)",
                    "@Prompts(count = 8, seed = 9)",
                    "public class Open {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.Open_Energy");
            Map<String, List<String>> p = params(gen);
            assertEquals(List.of("0.5", "2", "8"), p.get("double rate"));
            assertEquals(List.of("gamma"), p.get("String arrivals"));
            assertEquals(List.of("0.25", "1"), p.get("double burstiness"));
            assertEquals(List.of("0", "4"), p.get("int maxConcurrency"));
            assertEquals(List.of("3"), p.get("int warmupRequests"));
            assertEquals(List.of("128"), p.get("int inputTokens"));
            for (String name : List.of("rate", "arrivals", "burstiness", "maxConcurrency", "warmupRequests", "waveSeconds")) {
                assertTrue(gen.contains(".set(\"" + name + "\", " + name + ")\n"), gen);
            }
            org.tokenpowerbench.jmh.BenchmarkSpec spec = firstTrialSpec(c, "demo.Open_Energy");
            assertEquals("model=synthetic:llama-tiny quantization=f16 batch=1 inputTokens=128 outputTokens=64 prompts=8 "
                    + "engine=embedded api=completions rate=0.5 arrivals=gamma burstiness=0.25 maxConcurrency=0 "
                    + "warmupRequests=3", spec.describe());
            assertEquals(9L, spec.seed());
            assertEquals(List.of("0"), p.get("double waveSeconds"));
            Map<String, List<String>> list = listParams(entry(c, "demo.Open_Energy"));
            assertEquals(List.of("0.5", "2", "8"), list.get("rate"));
            assertEquals(List.of("0", "4"), list.get("maxConcurrency"));
        }

        @Test
        void lengthDistributionsAndTimedWavesAreParams() {
            JavaFileObject src = source("Spread",
                    "@Model(\"synthetic:llama-tiny\")",
                    "@Prompts(inputTokens = 256, inputLengths = {\"fixed\", \"uniform:0.5\"},",
                    "         outputLengths = \"normal:0.25:16:256\")",
                    "@Workload(waveSeconds = {30, 60.5})",
                    "public class Spread {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.Spread_Energy");
            Map<String, List<String>> p = params(gen);
            assertEquals(List.of("fixed", "uniform:0.5"), p.get("String inputLengths"));
            assertEquals(List.of("normal:0.25:16:256"), p.get("String outputLengths"));
            assertEquals(List.of("30", "60.5"), p.get("double waveSeconds"));
            assertEquals(List.of("0"), p.get("double rate"), "a timed closed loop");
            assertEquals("model=synthetic:llama-tiny quantization=f16 batch=1 inputTokens=256 outputTokens=64 prompts=16 "
                    + "engine=embedded api=completions outputLengths=normal:0.25:16:256 waveSeconds=30",
                    firstTrialSpec(c, "demo.Spread_Energy").describe());
            Map<String, List<String>> list = listParams(entry(c, "demo.Spread_Energy"));
            assertEquals(List.of("fixed", "uniform:0.5"), list.get("inputLengths"));
            assertEquals(List.of("30", "60.5"), list.get("waveSeconds"));
        }

        @Test
        void requestFieldsAreAParamPassedLast() {
            JavaFileObject src = source("Sampled",
                    "@Model(\"synthetic:llama-tiny\")",
                    "@RequestFields({\"temperature=0\", \"{\\\"temperature\\\": 0.8, \\\"stop\\\": [\\\"a\\\", \\\"b\\\"]}\"})",
                    "public class Sampled {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.Sampled_Energy");
            assertEquals(2, params(gen).get("String requestFields").size(), gen);
            assertTrue(gen.contains(".set(\"requestFields\", requestFields)\n"), gen);
            assertEquals("temperature=0", firstTrialSpec(c, "demo.Sampled_Energy").requestFields());
            assertEquals(List.of("temperature=0", "{\"temperature\": 0.8, \"stop\": [\"a\", \"b\"]}"),
                    listParams(entry(c, "demo.Sampled_Energy")).get("requestFields"), "a comma inside one value stays");
        }

        @Test
        void datasetReplacesInputTokensAndSloGivesConstants() {
            JavaFileObject src = source("FromFile",
                    "@Model(\"synthetic:llama-tiny\")",
                    "@Dataset(value = {\"data/a.jsonl\", \"/abs/sharegpt.json\"}, maxTokens = 512)",
                    "@Prompts(outputTokens = 32, count = 4)",
                    "@Slo(ttftMs = 250, e2eMs = 1500.5)",
                    "public class FromFile {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.FromFile_Energy");
            Map<String, List<String>> p = params(gen);
            assertEquals(List.of("data/a.jsonl", "/abs/sharegpt.json"), p.get("String dataset"));
            assertFalse(p.containsKey("int inputTokens"), gen);
            assertFalse(p.containsKey("double rate"), gen);
            assertTrue(gen.contains("                .set(\"dataset\", dataset)\n"), gen);
            assertTrue(gen.contains("                .set(\"datasetMaxTokens\", 512)\n                .set(\"sloTtftMs\", 250.0d)\n"
                    + "                .set(\"sloTpotMs\", 0.0d)\n                .set(\"sloE2eMs\", 1500.5d)\n"), gen);
            org.tokenpowerbench.jmh.BenchmarkSpec spec = firstTrialSpec(c, "demo.FromFile_Energy");
            assertEquals("model=synthetic:llama-tiny quantization=f16 batch=1 dataset=data/a.jsonl outputTokens=32 "
                    + "prompts=4 engine=embedded api=completions", spec.describe());
            assertEquals(512, spec.datasetMaxTokens());
            assertEquals(new org.tokenpowerbench.workload.Slo(250, 0, 1500.5), spec.slo());
            assertEquals(0, spec.inputTokens(), "a dataset's entries bring their own prompts");
            assertFalse(p.containsKey("String inputLengths") || p.containsKey("String outputLengths"), gen);
            assertEquals(List.of("data/a.jsonl", "/abs/sharegpt.json"),
                    listParams(entry(c, "demo.FromFile_Energy")).get("dataset"));
        }

        @Test
        void contextLengthReplacesInputTokens() {
            JavaFileObject src = source("Context",
                    "@Model(\"synthetic:llama-tiny\")",
                    "@ContextLength({512, 2048})",
                    "@Prompts(outputTokens = 16)",
                    "public class Context {",
                    "}");
            Compilation c = compile(src);
            assertThat(c).succeeded();
            String gen = generated(c, "demo.Context_Energy");
            Map<String, List<String>> p = params(gen);
            assertEquals(List.of("512", "2048"), p.get("int contextLength"));
            assertFalse(p.containsKey("int inputTokens"), gen);
            assertTrue(gen.contains("                .set(\"contextLength\", contextLength)\n"), gen);
            org.tokenpowerbench.jmh.BenchmarkSpec spec = firstTrialSpec(c, "demo.Context_Energy");
            assertEquals("model=synthetic:llama-tiny quantization=f16 batch=1 contextLength=512 outputTokens=16 prompts=16 "
                    + "engine=embedded api=completions", spec.describe());
            assertEquals(512, spec.inputTokens());
            assertEquals("contextLength", spec.promptLengthName());
            assertFalse(p.containsKey("String inputLengths"), "context lengths are exact");
            assertEquals(List.of("fixed"), p.get("String outputLengths"));
            Map<String, List<String>> list = listParams(entry(c, "demo.Context_Energy"));
            assertEquals(List.of("512", "2048"), list.get("contextLength"));
            assertFalse(list.containsKey("inputTokens"));
        }
    }

    // --- bad sources --------------------------------------------------------------------------

    /**
     * Compiles {@code src}, expects it to fail with exactly one error that contains every fragment,
     * sits in the user's file on the line containing {@code line}, and no generated class.
     */
    static void assertSingleError(JavaFileObject src, String line, String generatedName, String... fragments) {
        Spy spy = new Spy();
        Compilation c = compile(spy, src);
        assertThat(c).failed();
        List<Diagnostic<? extends JavaFileObject>> errors = errors(c);
        assertEquals(1, errors.size(), () -> "expected one error, got " + errors);
        for (String f : fragments) {
            assertThat(c).hadErrorContaining(f).inFile(src).onLineContaining(line);
        }
        assertEquals(Set.of(), spy.created, () -> generatedName + " should not be generated");
    }

    static JavaFileObject annotated(String name, String... annotations) {
        List<String> lines = new ArrayList<>(Arrays.asList(annotations));
        lines.add("public class " + name + " {");
        lines.add("}");
        return source(name, lines.toArray(new String[0]));
    }

    @Nested
    class Bad {

        @Test
        void emptyBatch() {
            assertSingleError(annotated("B1", "@Model(\"m\")", "@Batch({})"), "@Batch", "demo.B1_Energy",
                    "@Batch needs at least one value");
        }

        @Test
        void zeroBatch() {
            assertSingleError(annotated("B2", "@Model(\"m\")", "@Batch({4, 0})"), "@Batch", "demo.B2_Energy",
                    "@Batch(0) is not allowed", "at least 1");
        }

        @Test
        void negativeBatch() {
            assertSingleError(annotated("B3", "@Model(\"m\")", "@Batch(-2)"), "@Batch", "demo.B3_Energy",
                    "@Batch(-2) is not allowed");
        }

        @Test
        void zeroTensorParallel() {
            assertSingleError(annotated("Par1", "@Model(\"m\")", "@Parallelism(tensor = {1, 0})"), "@Parallelism",
                    "demo.Par1_Energy", "@Parallelism(tensor = 0) is not a parallel size", "give 1 or more");
        }

        @Test
        void emptyPipelineParallel() {
            assertSingleError(annotated("Par2", "@Model(\"m\")", "@Parallelism(pipeline = {})"), "@Parallelism",
                    "demo.Par2_Energy", "@Parallelism(pipeline) needs at least one size");
        }

        @Test
        void zeroInputTokens() {
            assertSingleError(annotated("P1", "@Model(\"m\")", "@Prompts(inputTokens = 0)"), "@Prompts", "demo.P1_Energy",
                    "@Prompts(inputTokens = 0) is not allowed", "at least 1");
        }

        @Test
        void zeroOutputTokens() {
            assertSingleError(annotated("P2", "@Model(\"m\")", "@Prompts(outputTokens = {64, 0})"), "@Prompts",
                    "demo.P2_Energy", "@Prompts(outputTokens = 0) is not allowed");
        }

        @Test
        void zeroCount() {
            assertSingleError(annotated("P3", "@Model(\"m\")", "@Prompts(count = 0)"), "@Prompts", "demo.P3_Energy",
                    "@Prompts(count = 0) is not allowed: it must be at least 1");
        }

        @Test
        void emptyModel() {
            assertSingleError(annotated("M1", "@Model({})"), "@Model", "demo.M1_Energy",
                    "@Model needs at least one model");
        }

        @Test
        void blankModel() {
            assertSingleError(annotated("M2", "@Model(\"\")"), "@Model", "demo.M2_Energy",
                    "@Model(\"\") is blank");
        }

        @Test
        void aModelWithABlankAtItsEdge() {
            // found looking for " m" (a model file that "does not exist") before this; now named at the annotation
            assertSingleError(annotated("M3", "@Model({\"m\", \" synthetic:llama-3.2-1b\"})"), "@Model", "demo.M3_Energy",
                    "@Model(\" synthetic:llama-3.2-1b\") begins or ends with a blank (' synthetic:llama-3.2-1b'): remove it");
        }

        @Test
        void blankQuantization() {
            assertSingleError(annotated("Q1", "@Model(\"m\")", "@Quantization({\"f16\", \" \"})"), "@Quantization",
                    "demo.Q1_Energy", "@Quantization(\" \") is blank");
        }

        @Test
        void engineValueWithoutAScheme() {
            // any scheme may be an engine kind from another jar (checked before the run); a value without one is not
            assertSingleError(annotated("E1", "@Model(\"m\")", "@Engine(\"//x:8000\")"), "@Engine", "demo.E1_Energy",
                    "@Engine(\"//x:8000\") is not an engine value", "http://localhost:8000", "<scheme>:<options>");
        }

        @Test
        void emptyEngine() {
            assertSingleError(annotated("E2", "@Model(\"m\")", "@Engine({})"), "@Engine", "demo.E2_Energy",
                    "@Engine needs at least one value");
        }

        @Test
        void grpcApi() {
            assertSingleError(annotated("E3", "@Model(\"m\")", "@Engine(api = \"grpc\")"), "@Engine", "demo.E3_Energy",
                    "@Engine(api = \"grpc\")", "\"completions\" or \"chat\"");
        }

        @Test
        void apiKeyInsteadOfVariableName() {
            assertSingleError(annotated("E4", "@Model(\"m\")", "@Engine(apiKeyEnv = \"sk-abc123\")"), "@Engine",
                    "demo.E4_Energy", "@Engine(apiKeyEnv = \"sk-abc123\") is not an environment variable name");
        }

        @Test
        void batchWithoutModel() {
            assertSingleError(annotated("N1", "@Batch({1, 2})"), "@Batch", "demo.N1_Energy",
                    "needs @Model", "N1");
        }

        @Test
        void engineWithoutModel() {
            assertSingleError(annotated("N2", "@Engine(\"embedded\")"), "@Engine", "demo.N2_Energy", "needs @Model");
        }

        @Test
        void onInterface() {
            JavaFileObject src = source("I1",
                    "@Model(\"m\")",
                    "public interface I1 {",
                    "}");
            assertSingleError(src, "interface I1", "demo.I1_Energy", "TokenPowerBench annotations belong on a class");
        }

        @Test
        void onEnum() {
            JavaFileObject src = source("En1",
                    "@Model(\"m\")",
                    "public enum En1 { A }");
            assertSingleError(src, "enum En1", "demo.En1_Energy", "belong on a class");
        }

        @Test
        void onInnerNonStaticClass() {
            JavaFileObject src = source("Outer2",
                    "public class Outer2 {",
                    "    @Model(\"m\")",
                    "    public class Inner {",
                    "    }",
                    "}");
            assertSingleError(src, "class Inner", "demo.Outer2_Inner_Energy", "top-level or static nested class");
        }

        @Test
        void inDefaultPackage() {
            JavaFileObject src = JavaFileObjects.forSourceString("NoPackage", String.join("\n",
                    "@org.tokenpowerbench.annotations.Model(\"m\")",
                    "public class NoPackage {",
                    "}"));
            assertSingleError(src, "class NoPackage", "NoPackage_Energy", "must be in a named package");
        }

        @Test
        void negativeRate() {
            assertSingleError(annotated("W1", "@Model(\"m\")", "@Workload(rate = {2, -1})"), "@Workload", "demo.W1_Energy",
                    "@Workload(rate = -1.0) is not an arrival rate", "or 0 for a closed loop");
        }

        @Test
        void zeroBurstiness() {
            assertSingleError(annotated("W2", "@Model(\"m\")", "@Workload(rate = 2, arrivals = \"gamma\", burstiness = 0)"),
                    "@Workload", "demo.W2_Energy", "@Workload(burstiness = 0.0) is not a gamma shape", "> 0");
        }

        @Test
        void negativeBurstiness() {
            assertSingleError(annotated("W3", "@Model(\"m\")", "@Workload(rate = 2, arrivals = \"gamma\", burstiness = -0.5)"),
                    "@Workload", "demo.W3_Energy", "@Workload(burstiness = -0.5)");
        }

        @Test
        void unknownArrivals() {
            assertSingleError(annotated("W4", "@Model(\"m\")", "@Workload(rate = 2, arrivals = \"uniform\")"), "@Workload",
                    "demo.W4_Energy", "@Workload(arrivals = \"uniform\") is not known", "poisson or gamma");
        }

        @Test
        void poissonWithBurstiness() {
            assertSingleError(annotated("W5", "@Model(\"m\")", "@Workload(rate = 2, burstiness = 0.5)"), "@Workload",
                    "demo.W5_Energy", "@Workload(burstiness = 0.5) needs arrivals = \"gamma\"");
        }

        @Test
        void negativeMaxConcurrencyAndWarmup() {
            JavaFileObject src = annotated("W6", "@Model(\"m\")",
                    "@Workload(rate = 2, maxConcurrency = -1, warmupRequests = -3)");
            Compilation c = compile(src);
            assertThat(c).failed();
            assertEquals(2, c.errors().size(), () -> "errors: " + c.errors());
            assertThat(c).hadErrorContaining("@Workload(maxConcurrency = -1)").inFile(src).onLineContaining("@Workload");
            assertThat(c).hadErrorContaining("@Workload(warmupRequests = -3)").inFile(src).onLineContaining("@Workload");
        }

        @Test
        void errorIsOnTheOffendingValue() {
            JavaFileObject src = source("W7",
                    "@Model(\"m\")",
                    "@Workload(",
                    "    rate = 4,",
                    "    arrivals = \"gamma\",",
                    "    burstiness = 0)",
                    "public class W7 {",
                    "}");
            assertSingleError(src, "burstiness = 0", "demo.W7_Energy", "@Workload(burstiness = 0.0)");
        }

        @Test
        void workloadWithoutModel() {
            assertSingleError(annotated("W8", "@Workload(rate = 1)"), "@Workload", "demo.W8_Energy", "needs @Model");
        }

        @Test
        void blankDatasetPath() {
            assertSingleError(annotated("D1", "@Model(\"m\")", "@Dataset({\"a.jsonl\", \"  \"})"), "@Dataset",
                    "demo.D1_Energy", "@Dataset(\"  \") is blank", "JSONL or ShareGPT");
        }

        @Test
        void emptyDataset() {
            assertSingleError(annotated("D2", "@Model(\"m\")", "@Dataset({})"), "@Dataset", "demo.D2_Energy",
                    "@Dataset needs at least one file");
        }

        @Test
        void datasetMaxTokensTooSmall() {
            assertSingleError(annotated("D3", "@Model(\"m\")", "@Dataset(value = \"a.jsonl\", maxTokens = 1)"), "@Dataset",
                    "demo.D3_Energy", "@Dataset(maxTokens = 1)");
        }

        @Test
        void unknownLengthDistribution() {
            assertSingleError(annotated("L1", "@Model(\"m\")", "@Prompts(inputLengths = \"gauss:0.2\")"), "@Prompts",
                    "demo.L1_Energy", "@Prompts(inputLengths = \"gauss:0.2\") is not a length distribution",
                    "uniform:W");
        }

        @Test
        void uniformWidthOfOne() {
            assertSingleError(annotated("L2", "@Model(\"m\")", "@Prompts(outputLengths = \"uniform:1\")"), "@Prompts",
                    "demo.L2_Energy", "@Prompts(outputLengths = \"uniform:1\") is not a length distribution");
        }

        @Test
        void lengthsWithDataset() {
            assertSingleError(annotated("L3", "@Model(\"m\")", "@Dataset(\"a.jsonl\")",
                    "@Prompts(outputLengths = \"uniform:0.5\")"), "@Prompts", "demo.L3_Energy",
                    "@Prompts(outputLengths) does not apply with @Dataset");
        }

        @Test
        void inputLengthsWithContextLength() {
            assertSingleError(annotated("L4", "@Model(\"m\")", "@ContextLength(512)",
                    "@Prompts(inputLengths = \"uniform:0.5\")"), "@Prompts", "demo.L4_Energy",
                    "@ContextLength builds prompts of exactly the requested length");
        }

        @Test
        void negativeWaveSeconds() {
            assertSingleError(annotated("L5", "@Model(\"m\")", "@Workload(waveSeconds = -1)"), "@Workload",
                    "demo.L5_Energy", "@Workload(waveSeconds = -1.0) is not a wave length");
        }

        @Test
        void requestFieldsThatAreNeitherJsonNorPairs() {
            assertSingleError(annotated("R1", "@Model(\"m\")", "@RequestFields(\"temperature\")"), "@RequestFields",
                    "demo.R1_Energy", "@RequestFields(\"temperature\") is neither a JSON object nor name=value pairs");
        }

        @Test
        void datasetWithInputTokens() {
            assertSingleError(annotated("D4", "@Model(\"m\")", "@Dataset(\"a.jsonl\")", "@Prompts(inputTokens = 64)"),
                    "@Prompts", "demo.D4_Energy", "@Prompts(inputTokens) does not apply with @Dataset");
        }

        @Test
        void contextLengthWithInputTokens() {
            assertSingleError(annotated("C1", "@Model(\"m\")", "@ContextLength(512)", "@Prompts(inputTokens = 64)"),
                    "@Prompts", "demo.C1_Energy", "@ContextLength sets the prompt length");
        }

        @Test
        void contextLengthWithDataset() {
            assertSingleError(annotated("C2", "@Model(\"m\")", "@ContextLength(512)", "@Dataset(\"a.jsonl\")"),
                    "@ContextLength", "demo.C2_Energy", "use one of them");
        }

        @Test
        void zeroContextLength() {
            assertSingleError(annotated("C3", "@Model(\"m\")", "@ContextLength({512, 0})"), "@ContextLength",
                    "demo.C3_Energy", "@ContextLength(0) is not allowed");
        }

        @Test
        void negativeSlo() {
            assertSingleError(annotated("S1", "@Model(\"m\")", "@Slo(ttftMs = 100, tpotMs = -5)"), "@Slo", "demo.S1_Energy",
                    "@Slo(tpotMs = -5.0) is not a time");
        }

        @Test
        void sloWithoutObjective() {
            assertSingleError(annotated("S2", "@Model(\"m\")", "@Slo"), "@Slo", "demo.S2_Energy",
                    "@Slo sets no objective");
        }

        @Test
        void jmhThreadsOnTheClassIsAnErrorNotIgnored() {
            // the generated class does not carry @Threads: it would run one thread without a word
            assertSingleError(annotated("J1", "@Model(\"m\")", "@Threads(4)"), "@Threads", "demo.J1_Energy",
                    "@Threads does not apply to a TokenPowerBench benchmark", "@Batch", "remove @Threads");
        }

        @Test
        void jmhBenchmarkModeOnTheClassIsAnError() {
            assertSingleError(annotated("J2", "@Model(\"m\")", "@BenchmarkMode(Mode.Throughput)"), "@BenchmarkMode",
                    "demo.J2_Energy", "@BenchmarkMode does not apply", "SingleShotTime");
        }

        @Test
        void jmhStateOnTheClassIsAnError() {
            assertSingleError(annotated("J3", "@Model(\"m\")", "@State(Scope.Benchmark)"), "@State", "demo.J3_Energy",
                    "@State does not apply", "@Warmup, @Measurement, @Fork, @Timeout and @OutputTimeUnit", "remove @State");
        }

        @Test
        void jmhParamFieldNamesTheAxisToUseInstead() {
            JavaFileObject src = source("J4",
                    "@Model(\"m\")",
                    "public class J4 {",
                    "    @Param({\"1\", \"8\"}) public int batch;",
                    "}");
            assertSingleError(src, "@Param", "demo.J4_Energy", "@Param on batch does not apply",
                    "-p batch=...");
        }

        @Test
        void jmhBenchmarkMethodInTheClassIsAnError() {
            // it would make the user class a second JMH benchmark, run without the session
            JavaFileObject src = source("J5",
                    "@Model(\"m\")",
                    "public class J5 {",
                    "    @Benchmark public void mine() { }",
                    "}");
            assertSingleError(src, "@Benchmark", "demo.J5_Energy", "@Benchmark on mine() does not apply",
                    "move the JMH code to a class without @Model");
        }

        @Test
        void nestedAndTopLevelClassesOfOneGeneratedNameAreNamed() {
            // Outer.Inner and Outer_Inner both become Outer_Inner_Energy
            JavaFileObject nested = source("Co", "public class Co {", "    @Model(\"m\")",
                    "    public static class In {", "    }", "}");
            JavaFileObject top = annotated("Co_In", "@Model(\"m\")");
            Compilation c = compile(nested, top);
            assertThat(c).failed();
            assertEquals(1, c.errors().size(), () -> "errors: " + c.errors());
            assertThat(c).hadErrorContaining("would both generate demo.Co_In_Energy: rename one of them");
            String message = c.errors().get(0).getMessage(null);
            assertTrue(message.contains("demo.Co.In") && message.contains("demo.Co_In "), message);
        }

        @Test
        void aClassWithTheGeneratedNameIsNamed() {
            JavaFileObject user = annotated("Taken", "@Model(\"m\")");
            JavaFileObject clash = JavaFileObjects.forSourceString("demo.Taken_Energy",
                    "package demo;\n\nclass Taken_Energy {\n}\n");
            Compilation c = compile(user, clash);
            assertThat(c).failed();
            assertEquals(1, c.errors().size(), () -> "errors: " + c.errors());
            assertThat(c).hadErrorContaining("TokenPowerBench generates demo.Taken_Energy from demo.Taken, and a class "
                    + "of that name exists already: rename that class or Taken").inFile(user).onLineContaining("class Taken");
        }

        @Test
        void everyMistakeOfOneClassIsReported() {
            JavaFileObject src = annotated("Many", "@Model(\"m\")", "@Batch(0)", "@Prompts(count = 0)",
                    "@Engine(api = \"grpc\")");
            Compilation c = compile(src);
            assertThat(c).failed();
            assertEquals(3, c.errors().size(), () -> "errors: " + c.errors());
            assertThat(c).hadErrorContaining("@Batch(0) is not allowed").inFile(src).onLineContaining("@Batch");
            assertThat(c).hadErrorContaining("@Prompts(count = 0)").inFile(src).onLineContaining("@Prompts");
            assertThat(c).hadErrorContaining("grpc").inFile(src).onLineContaining("@Engine");
        }

        @Test
        void aBadClassDoesNotStopAGoodOne() {
            JavaFileObject good = annotated("Good1", "@Model(\"m\")");
            JavaFileObject bad = annotated("Bad1", "@Model(\"m\")", "@Batch(0)");
            Spy spy = new Spy();
            Compilation c = compile(spy, good, bad);
            assertThat(c).failed();
            assertEquals(1, c.errors().size(), () -> "errors: " + c.errors());
            assertThat(c).hadErrorContaining("@Batch(0) is not allowed").inFile(bad).onLineContaining("@Batch");
            assertEquals(Set.of("demo.Good1_Energy"), spy.created);
        }
    }

    // --- unit helpers of the processor ----------------------------------------------------------

    /**
     * An annotation member's default and its axis's default are one value written twice (Java
     * needs a constant in the annotation): the processor uses the table's when the annotation is
     * absent and the member's when it is present, so they must agree.
     */
    @Test
    void annotationDefaultsAreTheAxisTables() throws Exception {
        Map<String, org.tokenpowerbench.axes.Axis> members = new java.util.LinkedHashMap<>();
        members.put("Prompts.inputTokens", org.tokenpowerbench.axes.Axis.INPUT_TOKENS);
        members.put("Prompts.outputTokens", org.tokenpowerbench.axes.Axis.OUTPUT_TOKENS);
        members.put("Prompts.count", org.tokenpowerbench.axes.Axis.PROMPTS);
        members.put("Prompts.seed", org.tokenpowerbench.axes.Axis.SEED);
        members.put("Prompts.inputLengths", org.tokenpowerbench.axes.Axis.INPUT_LENGTHS);
        members.put("Prompts.outputLengths", org.tokenpowerbench.axes.Axis.OUTPUT_LENGTHS);
        members.put("Engine.value", org.tokenpowerbench.axes.Axis.ENGINE);
        members.put("Engine.api", org.tokenpowerbench.axes.Axis.API);
        members.put("Engine.apiKeyEnv", org.tokenpowerbench.axes.Axis.API_KEY_ENV);
        members.put("Dataset.maxTokens", org.tokenpowerbench.axes.Axis.DATASET_MAX_TOKENS);
        members.put("Slo.ttftMs", org.tokenpowerbench.axes.Axis.SLO_TTFT_MS);
        members.put("Slo.tpotMs", org.tokenpowerbench.axes.Axis.SLO_TPOT_MS);
        members.put("Slo.e2eMs", org.tokenpowerbench.axes.Axis.SLO_E2E_MS);
        members.put("Workload.rate", org.tokenpowerbench.axes.Axis.RATE);
        members.put("Workload.arrivals", org.tokenpowerbench.axes.Axis.ARRIVALS);
        members.put("Workload.burstiness", org.tokenpowerbench.axes.Axis.BURSTINESS);
        members.put("Workload.maxConcurrency", org.tokenpowerbench.axes.Axis.MAX_CONCURRENCY);
        members.put("Workload.warmupRequests", org.tokenpowerbench.axes.Axis.WARMUP_REQUESTS);
        members.put("Workload.waveSeconds", org.tokenpowerbench.axes.Axis.WAVE_SECONDS);
        members.put("Parallelism.tensor", org.tokenpowerbench.axes.Axis.TENSOR_PARALLEL);
        members.put("Parallelism.pipeline", org.tokenpowerbench.axes.Axis.PIPELINE_PARALLEL);
        members.put("Parallelism.data", org.tokenpowerbench.axes.Axis.DATA_PARALLEL);
        for (Map.Entry<String, org.tokenpowerbench.axes.Axis> m : members.entrySet()) {
            String[] name = m.getKey().split("\\.");
            Object d = Class.forName("org.tokenpowerbench.annotations." + name[0]).getMethod(name[1]).getDefaultValue();
            Object single = d.getClass().isArray() ? java.lang.reflect.Array.get(d, 0) : d;
            if (d.getClass().isArray()) {
                assertEquals(1, java.lang.reflect.Array.getLength(d), m.getKey());
            }
            Object expected = m.getValue().defaultValue();
            assertEquals(expected instanceof Number n ? (Object) n.doubleValue() : expected,
                    single instanceof Number n ? (Object) n.doubleValue() : single, m.getKey());
        }
    }

    @Test
    void literalEscapes() {
        assertEquals("\"a\\\"b\\\\c\\n\\t\\u00e9\"", JavaLiteral.of("a\"b\\c\n\t\u00e9"));
    }

    private static int count(String haystack, String needle) {
        int n = 0;
        for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static <T> Optional<T> toOptional(org.openjdk.jmh.util.Optional<T> o) {
        return o.hasValue() ? Optional.of(o.get()) : Optional.empty();
    }

    @SuppressWarnings("unused")
    private static String names(Collection<? extends JavaFileObject> files) {
        return files.stream().map(f -> f.toUri().toString()).collect(Collectors.joining(", "));
    }
}
