package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.energy.CounterGrid;
import org.tokenpowerbench.power.PowerChannel;

/**
 * {@code counter-grids.jsonl}: the update grids a fork's sensor learned for its energy counters
 * ({@link org.tokenpowerbench.power.PowerSensor#counterGrids()}), one line per counter channel,
 * so that the next fork of the run can start from them
 * ({@link org.tokenpowerbench.power.PowerSensor#startFrom}) instead of learning the phase anew:
 * with NVML that is three tight brackets per GPU instead of ten. A line holds the channel, its
 * device, the grid on this host's {@link System#nanoTime()} clock and the moment it was written on
 * both that clock and the wall clock.
 *
 * <p>A grid is only a guess for the next fork, which confirms it with its own reads, so recalling
 * is lenient: a line that cannot be read, or that comes from another clock (the two clocks'
 * difference moved by more than {@value #SAME_CLOCK_NANOS} ns since: a reboot, another host
 * sharing the folder), is passed over.
 */
public final class CounterGridFile {

    public static final String FILE = "counter-grids.jsonl";
    /** How far the wall-minus-monotonic offset may have moved for a line to count as written on this clock. */
    static final long SAME_CLOCK_NANOS = 1_000_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private CounterGridFile() {
    }

    /** Appends one line per grid whose channel is among {@code channels}. */
    public static void append(RunDirectory dir, String sensorId, List<PowerChannel> channels, Map<String, CounterGrid> grids,
                              long nanoTime, long unixNanos) {
        for (PowerChannel c : channels) {
            CounterGrid g = grids.get(c.name());
            if (g == null) {
                continue;
            }
            ObjectNode json = dir.newObject();
            json.put("kind", "counterGrid");
            json.put("sensor", sensorId);
            json.put("channel", c.name());
            json.put("device", c.device());
            json.put("anchorNanos", g.anchorNanos());
            json.put("periodNanos", g.periodNanos());
            json.put("sigmaNanos", g.sigmaNanos());
            json.put("source", g.source());
            json.put("pid", ProcessHandle.current().pid());
            json.put("nanoTime", nanoTime);
            json.put("unixNanos", unixNanos);
            dir.appendJsonLine(FILE, json);
        }
    }

    /**
     * The newest grid per counter channel of {@code channels} that an earlier fork of this run
     * wrote for the same sensor and device on this clock; empty when there is none.
     */
    public static Map<String, CounterGrid> recall(RunDirectory dir, String sensorId, List<PowerChannel> channels,
                                                  long nanoTime, long unixNanos) {
        Path file = dir.root().resolve(FILE);
        Map<String, CounterGrid> grids = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return grids;
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return grids; // a guess only: the fork learns its grids itself
        }
        Map<String, Long> newest = new HashMap<>();
        for (String line : lines) {
            try {
                JsonNode n = JSON.readTree(line);
                if (n == null || !"counterGrid".equals(n.path("kind").asText()) || !sensorId.equals(n.path("sensor").asText())) {
                    continue;
                }
                String channel = n.path("channel").asText();
                PowerChannel c = channels.stream().filter(x -> x.name().equals(channel)).findFirst().orElse(null);
                if (c == null || !c.device().equals(n.path("device").asText())) {
                    continue;
                }
                long written = n.path("nanoTime").asLong();
                long offsetThen = n.path("unixNanos").asLong() - written;
                if (Math.abs((unixNanos - nanoTime) - offsetThen) > SAME_CLOCK_NANOS || written > nanoTime) {
                    continue;
                }
                if (newest.containsKey(channel) && newest.get(channel) >= written) {
                    continue;
                }
                grids.put(channel, new CounterGrid(n.path("anchorNanos").asLong(), n.path("periodNanos").asDouble(),
                        n.path("sigmaNanos").asDouble(), "an earlier fork of this run (" + FILE + ", pid "
                        + n.path("pid").asLong() + ")"));
                newest.put(channel, written);
            } catch (IOException | IllegalArgumentException e) {
                // a cut or foreign line: pass it over
            }
        }
        return grids;
    }
}
