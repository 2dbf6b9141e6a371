package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code summary.json} written by the listener and read back as the same records. */
class SummaryFileTest {

    @Test
    void whatIsWrittenReadsBackAsTheSameRecords(@TempDir Path dir) throws Exception {
        TrialResult done = new TrialResult("demo.Bench.wave", Map.of("batch", "8"),
                new Metric(12.5, Double.NaN, "s/op", 1),
                Map.of("nvml.J/outputToken", new Metric(0.25, 0.01, "J/token", 5)));
        FailedTrial failed = new FailedTrial("demo.Bench.wave", Map.of("batch", "64"), List.of("out of memory"));
        SweepState state = new SweepState(dir, 2, 2, List.of(done), List.of(failed));

        new SummaryFile().trialEnded(state);

        SummaryFile.Summary back = SummaryFile.read(dir);
        assertEquals(List.of(failed), back.failed());
        TrialResult r = back.trials().get(0);
        assertEquals(done.benchmark(), r.benchmark());
        assertEquals(done.params(), r.params());
        assertEquals(done.metrics(), r.metrics());
        assertEquals(12.5, r.wave().score());
        assertTrue(Double.isNaN(r.wave().error()), "one iteration has no error bar, and it stays NaN");
        assertFalse(Files.exists(dir.resolve("summary.json.tmp")), "replaced atomically, no leftover");
    }

    @Test
    void eachFigureWithABudgetCarriesItsTrialBudgetAndTheForkMeansReadBack(@TempDir Path dir) throws Exception {
        Metric threeForks = new Metric(0.5, 0.01, "J/token", 9, List.of(0.49, 0.50, 0.51));
        Metric oneFork = new Metric(0.5, 0.01, "J/token", 3, List.of(0.5));
        Metric err = new Metric(0.004, 0, "J/token (95 %)", 9);
        SweepState state = new SweepState(dir, 2, 2, List.of(
                new TrialResult("demo.Bench.wave", Map.of("batch", "8"), new Metric(12.5, 0.1, "s/op", 9),
                        Map.of("nvml.J/outputToken", threeForks, "nvml.J/outputToken.err", err)),
                new TrialResult("demo.Bench.wave", Map.of("batch", "16"), new Metric(12.5, 0.1, "s/op", 3),
                        Map.of("nvml.J/outputToken", oneFork, "nvml.J/outputToken.err", err))), List.of());
        SummaryFile.write(state);

        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(dir.resolve(SummaryFile.NAME).toFile());
        com.fasterxml.jackson.databind.JsonNode three = root.path("trials").get(0).path("metrics")
                .path("nvml.J/outputToken").path("errorBudget");
        double between = org.tokenpowerbench.energy.TrialBudget.betweenRuns(new double[] {0.49, 0.50, 0.51});
        assertEquals(between, three.path("betweenRunsHalfWidth95").asDouble(), 1e-12);
        assertEquals(3, three.path("forks").asInt());
        assertTrue(three.path("halfWidth95").asDouble() > between, three.toString());
        assertTrue(three.path("betweenRunsNote").isMissingNode(), three.toString());
        com.fasterxml.jackson.databind.JsonNode one = root.path("trials").get(1).path("metrics")
                .path("nvml.J/outputToken").path("errorBudget");
        assertTrue(one.path("betweenRunsHalfWidth95").isNull(), one.toString());
        assertEquals("one fork: between-runs spread not measured; run -f 3 to include it",
                one.path("betweenRunsNote").asText());
        assertTrue(root.path("trials").get(0).path("metrics").path("nvml.J/outputToken.err").path("errorBudget")
                .isMissingNode(), "a budget's own figure has none");

        SummaryFile.Summary back = SummaryFile.read(dir);
        assertEquals(threeForks, back.trials().get(0).metrics().get("nvml.J/outputToken"));
        assertEquals(List.of(0.5), back.trials().get(1).metrics().get("nvml.J/outputToken").forkMeans());
    }

    /** A binary file: once the decoder's "Input length = 1"; now what it is, for a line that names the file. */
    @Test
    void aSummaryThatIsNotUtf8IsSaidSo(@TempDir Path dir) throws Exception {
        // UTF-16's byte order mark and a lone surrogate: Jackson took it for UTF-16 and the decoder failed
        Files.write(dir.resolve(SummaryFile.NAME), new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, (byte) 0xd8, 'a', 0});
        String m = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> SummaryFile.read(dir))
                .getMessage();
        assertEquals("it is not UTF-8 JSON (byte 0 of 6 is no UTF-8; a binary file, or text in another encoding); the"
                + " file was edited or damaged: restore it, or rerun the sweep", m);
        Files.write(dir.resolve(SummaryFile.NAME), new byte[] {'{', '"', 't', (byte) 0xc3, '"', '}'});
        m = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> SummaryFile.read(dir))
                .getMessage();
        assertTrue(m.startsWith("it is not UTF-8 JSON (byte 3 of 6 is no UTF-8"), m);
    }

    /** forkMeans of [] or "x" once fell back to the iterations without a word; absent or null still does. */
    @Test
    void forkMeansThatAreNoListOfNumbersAreRefusedNamingTheField(@TempDir Path dir) throws Exception {
        String before = "{\"trials\":[{\"benchmark\":\"demo.Bench.wave\",\"params\":{\"batch\":\"8\"},"
                + "\"metrics\":{\"nvml.J/outputToken\":{\"score\":0.5,\"error\":0.01,\"unit\":\"J/token\",\"samples\":5";
        String after = "}}}]}";
        for (String bad : List.of("[]", "\"x\"", "{}", "3", "[0.5,null]")) {
            Files.writeString(dir.resolve(SummaryFile.NAME), before + ",\"forkMeans\":" + bad + after);
            String m = org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> SummaryFile.read(dir), bad).getMessage();
            assertTrue(m.startsWith("the field forkMeans of trial 1's metric nvml.J/outputToken "), bad + ": " + m);
            assertTrue(m.endsWith("; the file was edited or damaged: restore it, or rerun the sweep"), m);
        }
        for (String fine : List.of("", ",\"forkMeans\":null", ",\"forkMeans\":[0.49,\"NaN\"]")) {
            Files.writeString(dir.resolve(SummaryFile.NAME), before + fine + after);
            Metric m = SummaryFile.read(dir).trials().get(0).metrics().get("nvml.J/outputToken");
            assertEquals(fine.isEmpty() || fine.contains("null") ? 0 : 2, m.forkMeans().size(), fine);
        }
        Files.writeString(dir.resolve(SummaryFile.NAME), (char) 0xFEFF + before + after);
        assertEquals(1, SummaryFile.read(dir).trials().size(), "a byte order mark is no damage");
    }

    @Test
    void anUnwritableFolderIsOneLineNotASilentLoss(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        SweepState state = new SweepState(file, 1, 1, List.of(), List.of());
        java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                () -> SummaryFile.write(state));
        assertTrue(e.getMessage().startsWith("cannot write " + file.resolve("summary.json")), e.getMessage());
    }
}
