package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicaViewTest {

    @TempDir
    Path dir;

    private RunRecords run() {
        return new RunRecords(dir, List.of(), List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
    }

    @Test
    void aTableOfEachReplicasShareOverTheMeasuredWavesOnlyWhenThereAreReplicas() throws Exception {
        Files.writeString(dir.resolve("iterations.jsonl"), ""
                + "{\"kind\":\"requests\",\"trial\":\"batch=2\",\"iteration\":\"warmup\",\"replicas\":[{\"replica\":0,"
                + "\"url\":\"http://a\",\"requests\":99,\"failed\":99}]}\n"
                + "{\"kind\":\"requests\",\"trial\":\"batch=2\",\"iteration\":\"measurement\",\"replicas\":[{\"replica\":0,"
                + "\"url\":\"http://a\",\"requests\":4,\"failed\":0,\"ttftP50Ms\":10,\"tpotP50Ms\":2,\"outputTokensPerSecond\":100},"
                + "{\"replica\":1,\"url\":\"http://b\",\"requests\":3,\"failed\":3,\"outputTokensPerSecond\":0}]}\n"
                + "{\"kind\":\"requests\",\"trial\":\"batch=2\",\"iteration\":\"measurement\",\"replicas\":[{\"replica\":0,"
                + "\"url\":\"http://a\",\"requests\":8,\"failed\":0,\"ttftP50Ms\":20,\"tpotP50Ms\":4,\"outputTokensPerSecond\":200}]}\n");
        String html = ReplicaView.render(run());
        assertTrue(html.contains("<h2 id=\"tpb-replicas\">Replicas</h2>"), html);
        assertTrue(html.contains("<td>0</td><td>http://a</td><td>12</td><td>0</td><td>15</td><td>3</td><td>150</td>"), html);
        assertTrue(html.contains("<tr class=\"warn\"><td>1</td><td>http://b</td><td>3</td><td>3</td><td>–</td><td>–</td>"),
                "a replica whose requests all failed is marked, its latencies absent: " + html);

        Files.writeString(dir.resolve("iterations.jsonl"),
                "{\"kind\":\"requests\",\"trial\":\"batch=2\",\"iteration\":\"measurement\",\"requests\":4}\n");
        assertEquals("", ReplicaView.render(run()), "one server: no section");
    }
}
