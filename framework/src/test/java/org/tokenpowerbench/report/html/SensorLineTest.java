package org.tokenpowerbench.report.html;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report's sensor table shows a sensor once however many forks described it, where the forks
 * differ only in what each learned at its open: session 20's H100 reruns wrote three nvml lines
 * a run whose buffer periods were 1785, 1783 and 1784 ms, and the table showed all three.
 */
class SensorLineTest {

    @TempDir
    Path run;

    private static String line(String period, String probeUs) {
        return "{\"sensor\":\"nvml\",\"updatePeriodMs\":100.0,\"samplingPeriodMs\":10.0,\"attributionPolicy\":\"token-weighted\","
                + "\"channels\":{\"gpu0.counter\":\"GPU-1 gpu counter ENERGY_JOULES\"},"
                + "\"environment\":{\"nvml.driverVersion\":\"580.159.04\",\"nvml.bufferPeriodMs\":\"" + period + "\","
                + "\"probe\":\"ok (the cheapest of 3 probe reads took " + probeUs + " us)\"}}\n";
    }

    @Test
    void forksThatLearnedALittleDifferentlyAreOneSensorWithTheirDifferencesInForkOrder() throws Exception {
        Files.writeString(run.resolve("sensors.jsonl"), line("1785", "38") + line("1783", "63") + line("1784", "50"));
        List<SensorLine> sensors = SensorLine.read(run);
        assertEquals(1, sensors.size(), sensors.toString());
        SensorLine s = sensors.get(0);
        assertEquals("580.159.04", s.environment().get("nvml.driverVersion"));
        assertEquals("{1785 | 1783 | 1784}", s.environment().get("nvml.bufferPeriodMs"));
        assertEquals("ok (the cheapest of 3 probe reads took {38 | 63 | 50} us)", s.environment().get("probe"));
        assertEquals(1, s.channels().size());
    }

    @Test
    void theSameChannelsOnAnotherProcessAreOneSensorWithTheDevicesInForkOrder() throws Exception {
        // the CPU estimate's device is the fork's process: each trial's fork has its own
        String cpu = "{\"sensor\":\"cpu\",\"updatePeriodMs\":100.0,\"samplingPeriodMs\":10.0,\"attributionPolicy\":\"token-weighted\","
                + "\"channels\":{\"cpu-estimate\":\"process-%d cpu estimated ENERGY_JOULES\"},\"environment\":{\"cpu.cores\":\"2\"}}\n";
        Files.writeString(run.resolve("sensors.jsonl"), String.format(cpu, 6394) + String.format(cpu, 6452));
        List<SensorLine> sensors = SensorLine.read(run);
        assertEquals(1, sensors.size(), sensors.toString());
        assertEquals("{process-6394 | process-6452} cpu estimated ENERGY_JOULES", sensors.get(0).channels().get("cpu-estimate"));
        assertEquals("2", sensors.get(0).environment().get("cpu.cores"));
    }

    @Test
    void valuesThatDifferInTheirWordsAreListedWholeAndAgreeingOnesOnce() {
        assertEquals("boundaries", SensorLine.merge(List.of("boundaries", "boundaries")));
        assertEquals("dense | boundaries (auto: 1 GPU counter)",
                SensorLine.merge(List.of("dense", "boundaries (auto: 1 GPU counter)", "dense")));
        assertEquals("{a | b | a} c", SensorLine.merge(List.of("a c", "b c", "a c")));
    }
}
