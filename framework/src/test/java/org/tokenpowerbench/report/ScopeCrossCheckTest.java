package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two sensors of one scope in one wave are compared, never added; other scopes and other waves are left alone. */
class ScopeCrossCheckTest {

    private static void energy(RunDirectory dir, String sensor, String iteration, String scope, double joules,
                               String otherScope) {
        ObjectNode n = dir.newObject();
        n.put("kind", "energy");
        n.put("sensor", sensor);
        n.put("trialId", "t000000000001");
        n.put("iterationId", iteration);
        n.put("energyJ", joules);
        n.put("energyJ." + scope, joules);
        if (otherScope != null) {
            n.put("energyJ." + otherScope, 5000.0);
        }
        dir.appendJsonLine(EnergyRow.FILE, n);
    }

    @Test
    void twoSensorsOfOneScopeGiveTheirDifferencePerWave(@TempDir Path root) throws Exception {
        RunDirectory dir = new RunDirectory(root);
        energy(dir, "nvml", "measurement-1", "gpu", 1000, null);
        energy(dir, "prometheus", "measurement-1", "gpu", 1020, "node");
        energy(dir, "nvml", "measurement-2", "gpu", 2000, null);
        energy(dir, "prometheus", "measurement-2", "gpu", 1960, "node");
        energy(dir, "rapl", "measurement-2", "cpu", 300, null); // alone in its scope: nothing to compare
        List<ScopeCrossCheck.Check> checks = ScopeCrossCheck.read(root);
        assertEquals(2, checks.size(), checks.toString());
        assertEquals("nvml", checks.get(0).first());
        assertEquals("prometheus", checks.get(0).second());
        assertEquals(2.0, checks.get(0).differencePercent(), 1e-9);
        assertEquals(-2.0, checks.get(1).differencePercent(), 1e-9);

        ByteArrayOutputStream console = new ByteArrayOutputStream();
        new ScopeCrossCheck(new PrintStream(console, true, StandardCharsets.UTF_8))
                .sweepEnded(new SweepState(root, 1, 1, List.of(), List.of()));
        String line = console.toString(StandardCharsets.UTF_8);
        assertTrue(line.contains("gpu energy by nvml and prometheus: prometheus differs by +0.0 % on average over 2"
                + " waves (largest 2.0 %)"), line);
        JsonNode file = new ObjectMapper().readTree(root.resolve(ScopeCrossCheck.FILE).toFile());
        assertEquals(2, file.path("checks").size());
        assertEquals("gpu", file.path("checks").get(0).path("scope").asText());
    }
}
