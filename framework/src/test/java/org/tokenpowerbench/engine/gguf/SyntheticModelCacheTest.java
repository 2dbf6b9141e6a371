package org.tokenpowerbench.engine.gguf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The on-disk cache of synthetic models. */
class SyntheticModelCacheTest {

    @TempDir
    Path dir;

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void fileNameHasShapeQuantizationSeedAndVersion() {
        assertEquals("llama-tiny-q8_0-seed42-v" + SyntheticModelCache.FORMAT_VERSION + ".gguf",
                SyntheticModelCache.fileName(SyntheticModel.LLAMA_TINY, GgufQuantization.Q8_0, 42));
        assertEquals("llama-100m-f16-seed-3-v" + SyntheticModelCache.FORMAT_VERSION + ".gguf",
                SyntheticModelCache.fileName(SyntheticModel.LLAMA_100M, GgufQuantization.F16, -3));
    }

    @Test
    void writesOnceThenReuses() throws IOException {
        Path first = SyntheticModelCache.resolve("llama-tiny", "q4_0", 42, dir);
        assertEquals(dir.resolve(SyntheticModelCache.fileName(SyntheticModel.LLAMA_TINY, GgufQuantization.Q4_0, 42))
                .toAbsolutePath(), first);
        assertEquals("llama", GgufReader.read(first).architecture().orElseThrow());
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(first, old);

        Path again = SyntheticModelCache.resolve("synthetic:llama-tiny", "Q4_0", 42, dir);
        assertEquals(first, again);
        assertEquals(old, Files.getLastModifiedTime(again), "reused, not rewritten");

        Path otherSeed = SyntheticModelCache.resolve("llama-tiny", "q4_0", 43, dir);
        assertTrue(!otherSeed.equals(first));
        for (String name : listing(dir)) {
            assertTrue(name.endsWith(".gguf") || name.endsWith(".gguf.lock"), "leftover " + name);
        }
    }

    @Test
    void rejectsUnknownShapeAndQuantizationBeforeWriting() throws IOException {
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModelCache.resolve("gpt-9", "f16", 1, dir));
        assertTrue(shape.getMessage().contains("gpt-9") && shape.getMessage().contains("llama-tiny"));
        IllegalArgumentException quant = assertThrows(IllegalArgumentException.class,
                () -> SyntheticModelCache.resolve("llama-tiny", "int3", 1, dir));
        assertTrue(quant.getMessage().contains("int3") && quant.getMessage().contains("q8_0"));
        assertEquals(List.of(), listing(dir));
    }

    @Test
    void directoryFollowsTheSystemProperty() {
        String before = System.getProperty(SyntheticModelCache.CACHE_DIR_PROPERTY);
        try {
            System.setProperty(SyntheticModelCache.CACHE_DIR_PROPERTY, dir.toString());
            assertEquals(dir.resolve("models"), SyntheticModelCache.directory());
            System.clearProperty(SyntheticModelCache.CACHE_DIR_PROPERTY);
            Path d = SyntheticModelCache.directory();
            assertTrue(d.endsWith(Path.of("tokenpowerbench", "models")), d.toString());
            String xdg = System.getenv("XDG_CACHE_HOME");
            Path expectedRoot = xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()
                    ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
            assertEquals(expectedRoot.resolve("tokenpowerbench").resolve("models"), d);
        } finally {
            if (before == null) {
                System.clearProperty(SyntheticModelCache.CACHE_DIR_PROPERTY);
            } else {
                System.setProperty(SyntheticModelCache.CACHE_DIR_PROPERTY, before);
            }
        }
    }

    @Test
    void concurrentThreadsGetOneCompleteFile() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> SyntheticModelCache.resolve("llama-tiny", "f16", 5, dir)));
            }
            Path expected = results.get(0).get(60, TimeUnit.SECONDS);
            for (Future<Path> r : results) {
                assertEquals(expected, r.get(60, TimeUnit.SECONDS));
            }
            assertEquals(List.of(expected.getFileName().toString(), expected.getFileName() + ".lock"), listing(dir));
            Path reference = dir.resolve("reference.gguf");
            SyntheticModel.write(SyntheticModel.LLAMA_TINY, GgufQuantization.F16, 5, reference);
            assertEquals(-1L, Files.mismatch(reference, expected));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Entry point of the child JVMs in {@link #concurrentProcessesNeverSeeAPartialFile()}. */
    public static final class Child {
        /**
         * Resolves a model in a directory and prints its path and size.
         *
         * @param args directory, shape, quantization, seed
         * @throws IOException if the model cannot be written
         */
        public static void main(String[] args) throws IOException {
            Path p = SyntheticModelCache.resolve(args[1], args[2], Long.parseLong(args[3]), Path.of(args[0]));
            GgufFile f = GgufReader.read(p);
            System.out.println(p + " " + Files.size(p) + " " + f.tensors().size());
        }
    }

    @Test
    void concurrentProcessesNeverSeeAPartialFile() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> children = new ArrayList<>();
        List<Path> errors = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            // stdout alone: the JVM writes notes such as "Picked up JAVA_TOOL_OPTIONS" to stderr
            Path err = Files.createTempFile("child-err", ".txt");
            errors.add(err);
            children.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Child.class.getName(),
                    dir.toString(), "llama-tiny", "q8_0", "11").redirectError(err.toFile()).start());
        }
        List<String> outputs = new ArrayList<>();
        for (int i = 0; i < children.size(); i++) {
            Process p = children.get(i);
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "child finished");
            assertEquals(0, p.exitValue(), out + "\n" + Files.readString(errors.get(i)));
            outputs.add(out);
            Files.delete(errors.get(i));
        }
        Path model = dir.resolve(SyntheticModelCache.fileName(SyntheticModel.LLAMA_TINY, GgufQuantization.Q8_0, 11));
        String expected = model.toAbsolutePath() + " " + Files.size(model) + " "
                + (3 + 9 * SyntheticModel.LLAMA_TINY.nLayer());
        assertEquals(List.of(expected, expected, expected), outputs);
        assertEquals(List.of(model.getFileName().toString(), model.getFileName() + ".lock"), listing(dir));
    }
}
