package org.tokenpowerbench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.Scope;

class CounterGridFileTest {

    private static final long S = 1_000_000_000L;
    private static final PowerChannel GPU0 =
            new PowerChannel("gpu0.counter", "GPU-aaa", Scope.GPU, Method.COUNTER, PowerChannel.Kind.ENERGY_JOULES);
    private static final long OFFSET = 1_796_000_000L * S; // the wall clock minus the monotonic one

    @TempDir
    Path root;

    private static CounterGrid grid(long anchor) {
        return new CounterGrid(anchor, 1e8, 2.1e6, "test");
    }

    @Test
    void theNewestGridWrittenOnThisClockForTheSameDeviceComesBack() {
        RunDirectory dir = new RunDirectory(root);
        CounterGridFile.append(dir, "nvml", List.of(GPU0), Map.of("gpu0.counter", grid(37_000_000L)), 10 * S, 10 * S + OFFSET);
        CounterGridFile.append(dir, "nvml", List.of(GPU0), Map.of("gpu0.counter", grid(41_000_000L)), 70 * S, 70 * S + OFFSET);
        Map<String, CounterGrid> back = CounterGridFile.recall(dir, "nvml", List.of(GPU0), 100 * S, 100 * S + OFFSET + 3_000_000L);
        assertEquals(41_000_000L, back.get("gpu0.counter").anchorNanos());
        assertEquals(2.1e6, back.get("gpu0.counter").sigmaNanos());
        assertTrue(back.get("gpu0.counter").source().contains("earlier fork"), back.get("gpu0.counter").source());
    }

    @Test
    void aGridFromAnotherClockAnotherDeviceAnotherSensorOrACutLineIsPassedOver() throws Exception {
        RunDirectory dir = new RunDirectory(root);
        CounterGridFile.append(dir, "nvml", List.of(GPU0), Map.of("gpu0.counter", grid(37_000_000L)), 10 * S, 10 * S + OFFSET);
        Files.writeString(root.resolve(CounterGridFile.FILE), "{\"kind\":\"counterGrid\",\"sensor\":\"nv", StandardOpenOption.APPEND);
        // after a reboot the monotonic clock starts over: the offset between the two clocks jumps
        assertEquals(Map.of(), CounterGridFile.recall(dir, "nvml", List.of(GPU0), 20 * S, 20 * S + OFFSET + 3600 * S));
        PowerChannel otherGpu = new PowerChannel("gpu0.counter", "GPU-bbb", Scope.GPU, Method.COUNTER,
                PowerChannel.Kind.ENERGY_JOULES);
        assertEquals(Map.of(), CounterGridFile.recall(dir, "nvml", List.of(otherGpu), 20 * S, 20 * S + OFFSET));
        assertEquals(Map.of(), CounterGridFile.recall(dir, "rapl", List.of(GPU0), 20 * S, 20 * S + OFFSET));
        assertEquals(1, CounterGridFile.recall(dir, "nvml", List.of(GPU0), 20 * S, 20 * S + OFFSET).size(),
                "the good line still counts beside the cut one");
    }

    @Test
    void noFileNoGrids() {
        assertEquals(Map.of(), CounterGridFile.recall(new RunDirectory(root.resolve("absent")), "nvml", List.of(GPU0), S, S));
    }
}
