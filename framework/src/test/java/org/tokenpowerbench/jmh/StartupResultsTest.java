package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.tokenpowerbench.engine.launch.LaunchedEndpoint;

/** A managed engine's start-up as the trial's secondary results, per sensor label; a reused one's is 0. */
class StartupResultsTest {

    private static Map<String, Double> byName(List<Result> results) {
        Map<String, Double> m = new TreeMap<>();
        results.forEach(r -> m.put(r.getLabel(), r.getScore()));
        return m;
    }

    @Test
    void startupSecondsAndJoulesPerSensorLabel() {
        LaunchedEndpoint started = new LaunchedEndpoint("http://127.0.0.1:1", "m", null, false, 41.5,
                Map.of("nvml", 9000.0, "cpu.estimated", 300.0));
        assertEquals(Map.of("engine.startup.seconds", 41.5, "engine.startup.reused", 0.0, "nvml.engine.startup.J", 9000.0,
                "cpu.estimated.engine.startup.J", 300.0), byName(RequestMetricsProfiler.startup(started)));
        LaunchedEndpoint reused = new LaunchedEndpoint("http://127.0.0.1:1", "m", null, true, 0, Map.of());
        assertEquals(Map.of("engine.startup.seconds", 0.0, "engine.startup.reused", 1.0),
                byName(RequestMetricsProfiler.startup(reused)));
        assertEquals(List.of(), RequestMetricsProfiler.startup(null));
    }
}
