package org.tokenpowerbench.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The measuring tools under {@code tools/} (the NVML cross-check and cost tools, the GPU proof's
 * Java programs) are not part of any module's build: they run on GPU machines against the
 * framework's classes. This compiles them against the framework as it is now, so that a change to
 * the framework's API cannot leave them broken until the next GPU lease.
 */
class MeasuringToolsCompileTest {

    @Test
    void theToolsCompileAgainstTheFramework(@TempDir Path out) throws Exception {
        Path tools = Path.of("..", "tools").toAbsolutePath().normalize();
        assertTrue(Files.isDirectory(tools), "no tools folder at " + tools);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "the tests need a JDK, not a JRE");
        for (String folder : List.of("nvml-crosscheck", "gpu-proof")) {
            List<String> sources = new ArrayList<>();
            try (Stream<Path> files = Files.list(tools.resolve(folder))) {
                files.filter(f -> f.toString().endsWith(".java")).map(Path::toString).sorted().forEach(sources::add);
            }
            assertTrue(!sources.isEmpty(), "no Java sources in tools/" + folder);
            List<String> args = new ArrayList<>(List.of("--release", "17", "-proc:none", "-d",
                    out.resolve(folder).toString(), "-cp", System.getProperty("java.class.path")));
            if (folder.equals("gpu-proof")) {
                // single-file programs, each run on its own: compile them one by one
                for (String source : sources) {
                    compile(javac, folder, concat(args, source));
                }
            } else {
                args.addAll(sources);
                compile(javac, folder, args);
            }
        }
    }

    private static List<String> concat(List<String> args, String source) {
        List<String> all = new ArrayList<>(args);
        all.add(source);
        return all;
    }

    private static void compile(JavaCompiler javac, String folder, List<String> args) {
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int rc = javac.run(null, null, errors, args.toArray(String[]::new));
        assertEquals(0, rc, "tools/" + folder + " no longer compiles against the framework:\n"
                + errors.toString(StandardCharsets.UTF_8));
    }
}
