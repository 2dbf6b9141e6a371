package org.tokenpowerbench.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real short sweep through {@code benchmarks.jar}, then its run folder read the way
 * docs/run-folder.md shows with pandas (here in Java, since CI has no pandas): J/token per batch
 * from {@code iterations.jsonl} joined to {@code trial-axes.csv}, and requests laid over the power
 * trace on the one clock.
 */
class RunFolderIT {

    @Test
    void perBatchJoulesPerTokenAndRequestsOverPowerFromTheFilesAlone(@TempDir Path dir) throws Exception {
        Path runDir = dir.resolve("run");
        Path json = dir.resolve("result.json");
        // a temporary folder of its own: JMH's lock lives there, so another JMH run on the machine cannot stop it
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")), "-Dtpb.runDir=" + runDir, "-jar", System.getProperty("tpb.benchmarksJar", "target/benchmarks.jar"),
                "TPBSample_01", "-prof", "cpu", "-p", "batch=1,2", "-p", "prompts=4", "-wi", "0", "-i", "1", "-f", "1",
                "-jvmArgsAppend", "-Dtpb.idleSeconds=0.5", "-rf", "json", "-rff", json.toString()));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "benchmarks.jar did not finish");
        assertEquals(0, p.exitValue(), out);

        // no comment lines, units in the names
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path csv : files.filter(f -> f.toString().endsWith(".csv")).toList()) {
                assertFalse(Files.readAllLines(csv).stream().anyMatch(l -> l.startsWith("#")), csv + " has a comment");
            }
        }

        // axes = trial-axes.csv, last row per trial_id (its latest attempt)
        Map<String, Map<String, String>> axes = new LinkedHashMap<>();
        for (Map<String, String> row : csv(runDir.resolve("trial-axes.csv"))) {
            axes.put(row.get("trial_id"), row);
        }
        assertEquals(2, axes.size(), axes::toString);

        // J/token per batch: energy lines joined to the axes on (trial_id, invocation)
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Double> jPerTokenByBatch = new HashMap<>();
        Map<String, JsonNode> energyByTrial = new HashMap<>();
        for (String line : Files.readAllLines(runDir.resolve("iterations.jsonl"))) {
            JsonNode e = mapper.readTree(line);
            if (!"energy".equals(e.path("kind").asText()) || !"measurement".equals(e.path("iteration").asText())) {
                continue;
            }
            Map<String, String> trial = axes.get(e.path("trialId").asText());
            assertNotNull(trial, "every energy line joins a trial: " + line);
            assertEquals(trial.get("invocation"), e.path("invocation").asText());
            jPerTokenByBatch.put(trial.get("batch"),
                    e.path("energyJ").asDouble() / (e.path("promptTokens").asDouble() + e.path("outputTokens").asDouble()));
            energyByTrial.put(e.path("trialId").asText(), e);
        }
        for (JsonNode r : mapper.readTree(json.toFile())) {
            String batch = r.path("params").path("batch").asText();
            double jmh = r.path("secondaryMetrics").path("cpu.estimated.J/token").path("score").asDouble();
            assertTrue(jmh > 0, r.toString());
            assertEquals(jmh, jPerTokenByBatch.get(batch), 1e-9 * jmh, "batch " + batch + ": the files give JMH's J/token");
        }

        // every request inside its iteration's power trace, on one clock
        Map<String, List<Map<String, String>>> powerByIteration = new HashMap<>();
        try (Stream<Path> files = Files.list(runDir)) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("power-cpu-")).toList()) {
                for (Map<String, String> row : csv(f)) {
                    powerByIteration.computeIfAbsent(row.get("trial_id") + " " + row.get("iteration"), k -> new ArrayList<>())
                            .add(row);
                }
            }
        }
        List<Map<String, String>> requests = csv(runDir.resolve("requests.csv"));
        assertEquals(2 * 4, requests.size());
        for (Map<String, String> r : requests) {
            assertEquals(axes.get(r.get("trial_id")).get("invocation"), r.get("invocation"));
            List<Map<String, String>> power = powerByIteration.get(r.get("trial_id") + " " + r.get("iteration"));
            assertNotNull(power, "a power trace for " + r);
            double from = power.stream().mapToDouble(s -> Double.parseDouble(s.get("t_unix_ms"))).min().orElseThrow();
            double to = power.stream().mapToDouble(s -> Double.parseDouble(s.get("t_unix_ms"))).max().orElseThrow();
            double sent = Double.parseDouble(r.get("sent_unix_ms"));
            double last = Double.parseDouble(r.get("last_token_unix_ms"));
            assertTrue(from <= sent && sent < last && last <= to,
                    "request " + r.get("request") + " [" + sent + ", " + last + "] inside the trace [" + from + ", " + to + "]");
        }

        // the trace's power_W integrates to the wave's energy over the wave's window
        for (Map.Entry<String, JsonNode> e : energyByTrial.entrySet()) {
            double from = e.getValue().path("windowFromUnixMs").asDouble();
            double to = e.getValue().path("windowToUnixMs").asDouble();
            double joules = 0;
            double previous = Double.NaN;
            for (Map<String, String> s : powerByIteration.get(e.getKey() + " measurement-1")) {
                double t = Double.parseDouble(s.get("t_unix_ms"));
                if (!s.get("power_W").isEmpty()) {
                    double overlap = Math.min(t, to) - Math.max(previous, from);
                    joules += overlap > 0 ? Double.parseDouble(s.get("power_W")) * overlap / 1e3 : 0;
                }
                previous = t;
            }
            double energyJ = e.getValue().path("energyJ").asDouble();
            assertEquals(energyJ, joules, 0.01 * energyJ, "power_W over the window against energyJ");
        }

        // every file of the folder readable by whoever may read the folder's other files
        PosixFileAttributeView summary = Files.getFileAttributeView(runDir.resolve("summary.json"),
                PosixFileAttributeView.class);
        if (summary != null) {
            assertEquals(PosixFilePermissions.toString(summary.readAttributes().permissions()),
                    PosixFilePermissions.toString(Files.getPosixFilePermissions(runDir.resolve("regression.json"))));
        }
    }

    /** The rows of a CSV file by column name: a header line, fields quoted with {@code "} where they hold a comma. */
    static List<Map<String, String>> csv(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<String> header = fields(lines.get(0));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            List<String> values = fields(line);
            assertEquals(header.size(), values.size(), file + ": " + line);
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < header.size(); i++) {
                row.put(header.get(i), values.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<String> fields(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    field.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                out.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        out.add(field.toString());
        return out;
    }
}
