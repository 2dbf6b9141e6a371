package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveRecord;

class RunDirectoryTest {

    @TempDir
    Path dir;

    @AfterEach
    void clear() {
        System.clearProperty(RunDirectory.INVOCATION);
    }

    private static WaveRecord wave(String error) {
        RequestTimeline r = new RequestTimeline(0, 3, 0, 1_000_000, 2_000_000, 5_000_000, 6_000_000, 7, 4, 4,
                TokenCountSource.SERVER_USAGE, 4, new LatencyHistogram(), error, error == null ? null : "io");
        return new WaveRecord(0, 6_000_000, 1, List.of(r));
    }

    @Test
    void everyRowAndLineSaysWhichCommandWroteIt() throws Exception {
        RunDirectory run = new RunDirectory(dir);
        System.setProperty(RunDirectory.INVOCATION, "first");
        RequestsFile.append(run, new TrialKey("demo.Bench", "batch=1"), "measurement-1", wave("cut, mid \"stream\""));
        run.appendJsonLine("iterations.jsonl", run.newObject().put("x", 1));
        System.setProperty(RunDirectory.INVOCATION, "second");
        RequestsFile.append(run, new TrialKey("demo.Bench", "batch=1"), "measurement-1", wave(null));
        run.appendJsonLine("iterations.jsonl", run.newObject().put("x", 2));

        List<String> rows = Files.readAllLines(dir.resolve("requests.csv"));
        assertEquals(3, rows.size(), "one header, then one row per request of each command");
        assertTrue(rows.get(0).endsWith(",error_class,error,invocation"), rows.get(0));
        // the error is quoted (it has a comma and quotes), and the invocation still comes last
        assertTrue(rows.get(1).endsWith(",io,\"cut, mid \"\"stream\"\"\",first"), rows.get(1));
        assertTrue(rows.get(2).endsWith(",,,second"), rows.get(2));
        List<String> lines = Files.readAllLines(dir.resolve("iterations.jsonl"));
        ObjectMapper json = new ObjectMapper();
        assertEquals("first", json.readTree(lines.get(0)).path("invocation").asText());
        assertEquals("second", json.readTree(lines.get(1)).path("invocation").asText());
    }

    @Test
    void withoutMainTheInvocationIsUnknown() {
        assertEquals("unknown", RunDirectory.invocation());
        assertEquals("unknown", new RunDirectory(dir).newObject().path("invocation").asText());
    }
}
