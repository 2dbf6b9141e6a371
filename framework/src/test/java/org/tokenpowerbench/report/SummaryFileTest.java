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
    void anUnwritableFolderIsOneLineNotASilentLoss(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("not-a-folder"), "x");
        SweepState state = new SweepState(file, 1, 1, List.of(), List.of());
        java.io.UncheckedIOException e = org.junit.jupiter.api.Assertions.assertThrows(java.io.UncheckedIOException.class,
                () -> SummaryFile.write(state));
        assertTrue(e.getMessage().startsWith("cannot write " + file.resolve("summary.json")), e.getMessage());
    }
}
