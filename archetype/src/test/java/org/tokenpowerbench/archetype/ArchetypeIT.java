package org.tokenpowerbench.archetype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "your own project" path, end to end: a project generated from this archetype,
 * built with the Maven Wrapper offline, its benchmark jar run on the embedded engine until it
 * prints joules per token.
 *
 * <p>It must not install this build's half-done jars into the user's {@code ~/.m2}: it lays them
 * (parent POM, axes, framework, annotation processor, this archetype) into a local repository of
 * its own in a temporary folder and chains the usual one behind it, read-only, for everything
 * else ({@code maven.repo.local.tail}, Maven 3.9).
 */
class ArchetypeIT {

    private static final String GROUP = "org.tokenpowerbench";
    private static final String VERSION = System.getProperty("tpb.version", "0.1.0-SNAPSHOT");
    private static final Path ROOT = Path.of(System.getProperty("tpb.projectRoot", "..")).toAbsolutePath().normalize();

    record Run(int exit, String out) {
    }

    @Test
    void aGeneratedProjectBuildsOfflineAndMeasuresJoulesPerToken(@TempDir Path dir) throws Exception {
        Path repo = dir.resolve("repo");
        lay(repo, "tokenpowerbench-parent", ROOT.resolve("pom.xml"), null);
        lay(repo, "tokenpowerbench-axes", ROOT.resolve("axes/pom.xml"), jar("axes", "tokenpowerbench-axes"));
        lay(repo, "tokenpowerbench-framework", ROOT.resolve("framework/pom.xml"), jar("framework", "tokenpowerbench-framework"));
        lay(repo, "tokenpowerbench-annotation-processor", ROOT.resolve("annotation-processor/pom.xml"),
                jar("annotation-processor", "tokenpowerbench-annotation-processor"));
        lay(repo, "tokenpowerbench-benchmark-archetype", ROOT.resolve("archetype/pom.xml"),
                Path.of(System.getProperty("tpb.archetypeJar")));

        Run generate = mvnw(dir, repo, System.getProperty("tpb.archetypePlugin", "org.apache.maven.plugins:maven-archetype-plugin:3.3.1") + ":generate",
                "-DarchetypeGroupId=" + GROUP, "-DarchetypeArtifactId=tokenpowerbench-benchmark-archetype",
                "-DarchetypeVersion=" + VERSION, "-DgroupId=com.example", "-DartifactId=my-energy",
                "-Dversion=1.0-SNAPSHOT", "-Dpackage=com.example.energy", "-DinteractiveMode=false");
        assertEquals(0, generate.exit(), generate.out());
        Path project = dir.resolve("my-energy");
        assertTrue(Files.exists(project.resolve("src/main/java/com/example/energy/MyEnergyBenchmark.java")), generate.out());
        String pom = Files.readString(project.resolve("pom.xml"));
        assertTrue(pom.contains("<tokenpowerbench.version>" + VERSION + "</tokenpowerbench.version>"), pom);
        assertTrue(pom.contains("<mainClass>org.tokenpowerbench.sweep.Main</mainClass>"), pom);

        Run build = mvnw(project, repo, "package", "-DskipTests");
        assertEquals(0, build.exit(), build.out());
        Path jar = project.resolve("target/benchmarks.jar");
        assertTrue(Files.exists(jar), build.out());

        // a temporary folder of its own: JMH's lock file lives there, so another JMH run on the machine
        // (the machine-wide /tmp/jmh.lock) cannot stop this test
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Run run = java(project, "-Djava.io.tmpdir=" + tmp, "-Dtpb.runDir=" + dir.resolve("run"), "-jar", jar.toString(),
                "-prof", "cpu",
                "-p", "batch=1", "-p", "prompts=2", "-wi", "0", "-i", "1", "-jvmArgsAppend", "-Dtpb.idleSeconds=0");
        assertEquals(0, run.exit(), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.contains("MyEnergyBenchmark_Energy.wave:cpu.estimated.J/token ")),
                "a J/token line in JMH's table: " + run.out());
    }

    private static Path jar(String module, String artifact) {
        return ROOT.resolve(module).resolve("target").resolve(artifact + "-" + VERSION + ".jar");
    }

    /** Puts one artifact where a local repository keeps it, as {@code install} would. */
    private static void lay(Path repo, String artifact, Path pom, Path jar) throws IOException {
        Path folder = repo.resolve(GROUP.replace('.', '/')).resolve(artifact).resolve(VERSION);
        Files.createDirectories(folder);
        Files.copy(pom, folder.resolve(artifact + "-" + VERSION + ".pom"));
        if (jar != null) {
            assertTrue(Files.exists(jar), jar + " is built before this test (package phase)");
            Files.copy(jar, folder.resolve(artifact + "-" + VERSION + ".jar"));
        }
    }

    private static Run mvnw(Path workDir, Path repo, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-o", "-B", "-ntp",
                "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + System.getProperty("tpb.localRepository",
                        Path.of(System.getProperty("user.home"), ".m2", "repository").toString())));
        cmd.addAll(List.of(args));
        return run(workDir, cmd);
    }

    private static Run java(Path workDir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(List.of(args));
        return run(workDir, cmd);
    }

    private static Run run(Path workDir, List<String> cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().remove("MAVEN_OPTS");
        Process p = pb.start();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), String.join(" ", cmd) + " did not finish");
        return new Run(p.exitValue(), String.join(" ", cmd) + "\n" + new String(bytes, StandardCharsets.UTF_8));
    }
}
