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
        assertTrue(rows.get(0).endsWith(",error_class,error,invocation,retries,replica"), rows.get(0));
        // the error is quoted (it has a comma and quotes), and the invocation still comes before retries;
        // one server: no replica
        assertTrue(rows.get(1).endsWith(",io,\"cut, mid \"\"stream\"\"\",first,0,"), rows.get(1));
        assertTrue(rows.get(2).endsWith(",,,second,0,"), rows.get(2));
        List<String> lines = Files.readAllLines(dir.resolve("iterations.jsonl"));
        ObjectMapper json = new ObjectMapper();
        assertEquals("first", json.readTree(lines.get(0)).path("invocation").asText());
        assertEquals("second", json.readTree(lines.get(1)).path("invocation").asText());
    }

    @Test
    void retriesAreCountedPerRowAndAFolderBegunWithoutTheColumnKeepsItsLayout() throws Exception {
        RunDirectory fresh = new RunDirectory(dir.resolve("fresh"));
        WaveRecord one = wave(null);
        WaveRecord retried = new WaveRecord(one.startNanos(), one.endNanos(), 1,
                List.of(one.requests().get(0).withRetries(2)));
        RequestsFile.append(fresh, new TrialKey("demo.Bench", "batch=1"), "measurement-1", retried);
        List<String> rows = Files.readAllLines(dir.resolve("fresh").resolve("requests.csv"));
        assertTrue(rows.get(1).endsWith(",unknown,2,"), rows.get(1));

        // a run folder an older version began: its rows go on with 21 columns, under its own header
        Path old = dir.resolve("old");
        Files.createDirectories(old);
        Files.writeString(old.resolve("requests.csv"), RequestsFile.HEADER_WITHOUT_RETRIES);
        RequestsFile.append(new RunDirectory(old), new TrialKey("demo.Bench", "batch=1"), "measurement-1", retried);
        rows = Files.readAllLines(old.resolve("requests.csv"));
        assertEquals(2, rows.size());
        assertTrue(rows.get(0).endsWith(",invocation"), rows.get(0));
        assertTrue(rows.get(1).endsWith(",unknown"), rows.get(1));
        assertEquals(rows.get(0).split(",").length, rows.get(1).split(",", -1).length, rows.get(1));
    }

    @Test
    void aReplicaIsRecordedLastAndAFolderBegunWithoutTheColumnKeepsItsLayout() throws Exception {
        WaveRecord one = wave(null);
        WaveRecord onReplica = new WaveRecord(one.startNanos(), one.endNanos(), 1,
                List.of(one.requests().get(0).withRetries(1).withReplica(3)));
        RunDirectory fresh = new RunDirectory(dir.resolve("fresh"));
        RequestsFile.append(fresh, new TrialKey("demo.Bench", "batch=1"), "measurement-1", onReplica);
        List<String> rows = Files.readAllLines(dir.resolve("fresh").resolve("requests.csv"));
        assertTrue(rows.get(0).endsWith(",retries,replica"), rows.get(0));
        assertTrue(rows.get(1).endsWith(",unknown,1,3"), rows.get(1));

        // a folder begun with retries but before replica: its rows go on with 22 columns
        Path old = dir.resolve("old");
        Files.createDirectories(old);
        Files.writeString(old.resolve("requests.csv"), RequestsFile.HEADER_WITHOUT_REPLICA);
        RequestsFile.append(new RunDirectory(old), new TrialKey("demo.Bench", "batch=1"), "measurement-1", onReplica);
        rows = Files.readAllLines(old.resolve("requests.csv"));
        assertTrue(rows.get(0).endsWith(",invocation,retries"), rows.get(0));
        assertTrue(rows.get(1).endsWith(",unknown,1"), rows.get(1));
        assertEquals(rows.get(0).split(",").length, rows.get(1).split(",", -1).length, rows.get(1));
    }

    @Test
    void withoutMainTheInvocationIsUnknown() {
        assertEquals("unknown", RunDirectory.invocation());
        assertEquals("unknown", new RunDirectory(dir).newObject().path("invocation").asText());
    }
}
