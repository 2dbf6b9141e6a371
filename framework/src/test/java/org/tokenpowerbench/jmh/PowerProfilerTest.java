package org.tokenpowerbench.jmh;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.ProfilerException;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.runner.IterationType;
import org.openjdk.jmh.runner.options.TimeValue;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.stats.LatencyHistogram;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * The power profiler end to end in one JVM, without JMH's runner: a sensor found only through the
 * test sources' services file (as a third party's would be), sampled through an iteration, a wave
 * published as the harness publishes it, and the results and run-folder rows that come out.
 */
class PowerProfilerTest {

    private static final long MS = 1_000_000L;
    private static final IterationParams MEASUREMENT =
            new IterationParams(IterationType.MEASUREMENT, 1, TimeValue.seconds(1), 1);

    @TempDir
    Path dir;

    private final PrintStream err = System.err;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void setUp() {
        System.setProperty("tpb.runDir", dir.toString());
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        System.setErr(err);
        System.clearProperty("tpb.runDir");
        WaveLedger.clear();
        WaveLedger.publishIdle(null);
    }

    private static RequestTimeline request(int i, long sent, long first, long last, int prompt, int output) {
        LatencyHistogram itl = new LatencyHistogram();
        itl.record(1, output - 1);
        return new RequestTimeline(i, i, sent, sent, first, last, last, prompt, output, output,
                TokenCountSource.SERVER_USAGE, output, itl, null, null);
    }

    private static BenchmarkSpec spec() {
        return BenchmarkSpec.builder("demo.Steady").set("model", "m").set("batch", 2).set("inputTokens", 10)
                .set("outputTokens", 8).set("prompts", 2).set("seed", 1L).build();
    }

    /** What the idle window {@link #iteration} publishes says of its halves. */
    private List<org.tokenpowerbench.energy.IdleHalves> idleHalves = List.of();

    /** One iteration: samples for a while, publishes a wave in the middle of it, returns the results by label. */
    private Map<String, Double> iteration(PowerProfiler profiler, boolean idleWindow) throws Exception {
        profiler.beforeIteration(null, MEASUREMENT);
        long idleFrom = System.nanoTime();
        Thread.sleep(60);
        if (idleWindow) {
            WaveLedger.publishIdle(new WaveLedger.IdleWindow(spec(), idleFrom, System.nanoTime(), 1, List.of(), idleHalves));
        }
        long start = System.nanoTime();
        Thread.sleep(120);
        long end = System.nanoTime();
        Thread.sleep(30);
        long mid = (start + end) / 2;
        List<RequestTimeline> rs = List.of(
                request(0, start, start + 10 * MS, mid, 10, 8),
                request(1, start + 5 * MS, start + 20 * MS, end, 10, 8));
        WaveLedger.publish(new WaveLedger.Entry(spec(), new WaveRecord(start, end, 2, rs), "exact"));
        return profiler.afterIteration(null, MEASUREMENT, null).stream()
                .collect(Collectors.toMap(Result::getLabel, Result::getScore));
    }

    @Test
    void theNextForkStartsFromTheCounterGridsThisForkLearned() throws Exception {
        PowerProfiler first = new PowerProfiler("sensor=steady;grid=true;period=2ms");
        SteadySensorProvider.startedFrom = null;
        iteration(first, true);
        assertEquals(Map.of(), SteadySensorProvider.startedFrom, "the first fork had nothing to start from");
        List<String> lines = Files.readAllLines(dir.resolve("counter-grids.jsonl"));
        assertEquals(1, lines.size(), "one line per counter channel: " + lines);
        JsonNode line = new ObjectMapper().readTree(lines.get(0));
        assertEquals("gpu0.energy", line.get("channel").asText());
        assertEquals("GPU-0", line.get("device").asText());

        WaveLedger.clear();
        PowerProfiler next = new PowerProfiler("sensor=steady;grid=true;period=2ms"); // a fork opens its own sensor
        next.beforeIteration(null, MEASUREMENT);
        next.afterIteration(null, MEASUREMENT, null);
        org.tokenpowerbench.energy.CounterGrid handed = SteadySensorProvider.startedFrom.get("gpu0.energy");
        assertEquals(line.get("anchorNanos").asLong(), handed.anchorNanos());
        assertTrue(handed.source().contains("earlier fork"), handed.source());
    }

    @Test
    void countersGridsThatCannotBeWrittenCostTheWaveNothing() throws Exception {
        Files.createDirectory(dir.resolve("counter-grids.jsonl")); // a file that cannot be appended to
        Map<String, Double> r = iteration(new PowerProfiler("sensor=steady;grid=true;period=2ms"), true);
        assertTrue(r.get("steady.energy") > 0, r.toString());
        assertEquals(1, energyRows().size(), "the wave's energy line is written");
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("were not kept for the next fork"), captured.toString());
    }

    @Test
    void aSensorFromTheClassPathIsMeasuredOverTheWavesOwnWindow() throws Exception {
        PowerProfiler profiler = new PowerProfiler("sensor=steady;period=2ms");
        Map<String, Double> r = iteration(profiler, true);

        JsonNode row = energyRows().get(0);
        double seconds = row.get("seconds").asDouble();
        assertTrue(seconds > 0.1 && seconds < 1, "the wave's own window, not the iteration: " + seconds);
        double energy = r.get("steady.energy");
        assertEquals(SteadySensorProvider.WATTS * seconds, energy, 1e-3 * energy, "a constant 100 W over the window");
        assertEquals(energy / 16, r.get("steady.J/outputToken"), 1e-12, "16 output tokens");
        assertEquals(energy / 36, r.get("steady.J/token"), 1e-12, "20 prompt + 16 output tokens");
        assertEquals(SteadySensorProvider.WATTS, r.get("steady.avgPower"), 0.1);
        assertEquals(energy, r.get("steady.prefill.J") + r.get("steady.decode.J") + r.get("steady.idle.J"),
                1e-9 * energy, "the phases conserve the total");
        assertEquals(SteadySensorProvider.WATTS, r.get("steady.idleBaseline.power"), 0.1);
        assertEquals(0, r.get("steady.dynamic.energy"), 1e-3 * energy, "nothing above a constant idle draw");
        assertEquals(r.get("steady.dynamic.energy") / 16, r.get("steady.dynamic.energy/outputToken"), 1e-12,
                "the energy above idle per output token");
        assertEquals(r.get("steady.dynamic.energy.err") / 16, r.get("steady.dynamic.energy/outputToken.err"), 1e-12);
        assertFalse(r.containsKey("steady.device0.energy"), "one device: no per-device results");

        assertEquals("steady", row.get("sensor").asText());
        assertEquals(energy, row.get("energyJ").asDouble(), 1e-9);
        // the error budget: one ± in the results and the run folder, per-token figures carrying its relative width
        JsonNode budget = row.get("errorBudget");
        assertEquals(budget.get("energyJHalfWidth95").asDouble(), r.get("steady.energy.err"), 1e-12);
        assertEquals(r.get("steady.energy.err") / 16, r.get("steady.J/outputToken.err"), 1e-12);
        assertTrue(budget.get("accuracySource").asText().startsWith("not stated"), budget.get("accuracySource").asText());
        assertTrue(budget.has("counterJ") && budget.has("samplingJ") && budget.has("rule"), budget.toString());
        // which instants the counter's values were given, so a reader can tell learned moments from reads
        assertTrue(row.get("counterTiming").asText().startsWith("GPU-0: "), row.toString());
        assertEquals(spec().describe(), row.get("trial").asText());
        assertEquals(spec().group(), row.get("group").asText());
        assertEquals(List.of("equal-share", "token-weighted"), fieldNames(row.get("policies")));
        assertEquals(3, Files.readAllLines(dir.resolve("request-energy.csv")).size(), "header + one row per request");
        assertEquals(1, Files.readAllLines(dir.resolve("idle-baselines.jsonl")).size());
        assertFalse(new ObjectMapper().readTree(Files.readAllLines(dir.resolve("idle-baselines.jsonl")).get(0)).has("idleHalves"),
                "no halves were read (a window published without them)");
        JsonNode sensor = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("sensors.jsonl")).get(0));
        assertEquals("GPU-0 gpu counter ENERGY_JOULES", sensor.get("channels").get("gpu0.energy").asText());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("power-steady-")).count());
        }
    }

    @Test
    void theSamplersOwnReadTimeIsAResultAndItsRowHoldsWhatItIsMadeOf() throws Exception {
        Map<String, Double> quick = iteration(new PowerProfiler("sensor=steady;period=2ms"), true);
        JsonNode row = energyRows().get(0);
        double sampling = row.get("samplingSeconds").asDouble();
        assertTrue(sampling >= row.get("seconds").asDouble(), "the sampler ran over the whole iteration, the wave inside it");
        assertEquals(row.get("samplerCpuNanosInSensor").asDouble() / 1e6 / sampling, quick.get("steady.sampler.readTime"),
                1e-6 * quick.get("steady.sampler.readTime"), "ms inside the reads per second of the sampler's run");

        // reads that busy-wait 1 ms each, every 2 ms: the sampler's run holds at least 1 ms per sample inside them
        Files.delete(dir.resolve("iterations.jsonl"));
        WaveLedger.clear();
        Map<String, Double> slow = iteration(new PowerProfiler("sensor=steady;period=2ms;readMicros=1000"), true);
        JsonNode slowRow = energyRows().get(0);
        double floor = slowRow.get("samples").asInt() * 1.0 / slowRow.get("samplingSeconds").asDouble();
        double readTime = slow.get("steady.sampler.readTime");
        assertTrue(readTime >= floor && readTime <= 1000, readTime + " ms/s against a floor of " + floor);
        assertTrue(quick.get("steady.sampler.readTime") < floor, "reads that do not wait cost less: " + quick);

        // of it, the reads the sampling thread made while the wave ran: all but the two edge samples
        double inWave = slow.get("steady.sampler.readTimeInWave");
        assertEquals(slowRow.get("samplerCpuNanosInScheduledReads").asDouble() / 1e6 / slowRow.get("samplingSeconds").asDouble(),
                inWave, 1e-6 * inWave, "ms inside the scheduled reads per second of the sampler's run");
        assertTrue(inWave <= readTime, inWave + " ms/s is part of " + readTime);
        double scheduledFloor = (slowRow.get("samples").asInt() - 2) * 1.0 / slowRow.get("samplingSeconds").asDouble();
        assertTrue(inWave >= scheduledFloor, inWave + " ms/s against a floor of " + scheduledFloor + " for the scheduled reads");
    }

    @Test
    void theIdleBaselineRowCarriesItsSensorsHalvesWhetherTheyMovedOrNot() throws Exception {
        idleHalves = List.of(new org.tokenpowerbench.energy.IdleHalves("steady", "gpu0.power", 128.1234, 127.9),
                new org.tokenpowerbench.energy.IdleHalves("other", "gpu0.power-buffer", 99, 98));
        iteration(new PowerProfiler("sensor=steady"), true);
        JsonNode row = new ObjectMapper().readTree(Files.readAllLines(dir.resolve("idle-baselines.jsonl")).get(0));
        assertEquals("{\"gpu0.power\":[128.123,127.9]}", row.get("idleHalves").toString(), "this sensor's channels only");
        assertFalse(row.has("idleTries"), "measured once, nothing moved");
    }

    @Test
    void withoutAnIdleWindowThereIsNoDynamicEnergyAndTheRowSaysWhy() throws Exception {
        Map<String, Double> r = iteration(new PowerProfiler("sensor=steady"), false);
        assertFalse(r.containsKey("steady.dynamic.energy"), "never a 0 in its place");
        assertFalse(r.containsKey("steady.dynamic.energy/outputToken"));
        assertFalse(r.containsKey("steady.idleBaseline.power"));
        assertTrue(energyRows().get(0).get("idleBaselineMissing").asText().contains("no idle window"));
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("so no dynamic energy is reported"));
    }

    @Test
    void anUnknownSensorNamesTheKnownOnes() {
        ProfilerException e = assertThrows(ProfilerException.class, () -> new PowerProfiler("sensor=gpu"));
        assertTrue(e.getMessage().contains("no power sensor 'gpu'"), e.getMessage());
        assertTrue(e.getMessage().contains("steady"), "a class-path sensor is known: " + e.getMessage());
    }

    @Test
    void withoutASensorItSaysHowToNameOne() {
        ProfilerException e = assertThrows(ProfilerException.class, () -> new PowerProfiler("period=10ms"));
        assertTrue(e.getMessage().contains("-prof <sensor id>"), e.getMessage());
    }

    @Test
    void theSensorsOwnOptionsReachItAndABadOneIsOneLine() {
        ProfilerException e = assertThrows(ProfilerException.class, () -> new PowerProfiler("sensor=steady;capped=true;foo=1"));
        assertEquals("steady takes no options but capped=true, grid=true, heldBack=true and readMicros=N, got [capped, foo]",
                e.getMessage());
    }

    @Test
    void aCleanWaveSaysSoAndAThrottledOneIsFlaggedWithItsReasons() throws Exception {
        Map<String, Double> clean = iteration(new PowerProfiler("sensor=steady"), false);
        assertEquals(0.0, clean.get("steady.throttled"));
        assertEquals(60.0, clean.get("steady.maxTemperature"));
        assertEquals(1500.0, clean.get("steady.smClock.min"));

        WaveLedger.clear();
        Map<String, Double> capped = iteration(new PowerProfiler("sensor=steady;capped=true"), false);
        assertEquals(1.0, capped.get("steady.throttled"), "every reading in the window held back");
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("throttled during measurement 1"),
                captured.toString(StandardCharsets.UTF_8));
        List<String> rows = Files.readAllLines(dir.resolve("conditions.jsonl"));
        JsonNode last = new ObjectMapper().readTree(rows.get(rows.size() - 1));
        assertEquals("swPowerCap", last.get("reasons").get(0).asText());
        assertTrue(last.get("readings").asInt() > 10, "a 120 ms wave sampled every 10 ms: " + last);
    }

    @Test
    void holdBackTimesReadOnTheBoundariesFlagAWaveNoReadingSawThrottled() throws Exception {
        Map<String, Double> held = iteration(new PowerProfiler("sensor=steady;heldBack=true"), false);
        assertEquals(0.0, held.get("steady.throttled"), "no reading of the reasons held back");
        assertEquals(0.5, held.get("steady.throttledTime"), 1e-6, "half the time between the boundary readings (to a ns)");
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("throttled during measurement 1"),
                captured.toString(StandardCharsets.UTF_8));
        List<String> rows = Files.readAllLines(dir.resolve("conditions.jsonl"));
        JsonNode last = new ObjectMapper().readTree(rows.get(rows.size() - 1));
        double span = last.get("heldBackSpanMs").asDouble();
        assertTrue(span > 100, "the boundary readings bracket the 120 ms wave: " + last);
        assertEquals(span / 2, last.get("heldBackMs").get("powerPolicy").asDouble(), 1e-3, last.toString());
        assertEquals(0, last.get("heldBackMs").get("thermalPolicy").asDouble(), last.toString());
        assertEquals(span / 2, last.get("throttledMs").asDouble(), 1e-3, last.toString());

        WaveLedger.clear();
        Map<String, Double> clean = iteration(new PowerProfiler("sensor=steady"), false);
        assertNull(clean.get("steady.throttledTime"), "no hold-back times, no such result");
    }

    @Test
    void requireStableFailsAThrottledIterationAndKeepsItsRows() throws Exception {
        System.setProperty(PowerProfiler.REQUIRE_STABLE, "true");
        try {
            BenchmarkFailure e = assertThrows(BenchmarkFailure.class,
                    () -> iteration(new PowerProfiler("sensor=steady;capped=true"), false));
            assertTrue(e.getMessage().contains("-Dtpb.requireStable=true fails such iterations"), e.getMessage());
            assertEquals(1, energyRows().size(), "the wave's energy is on disk");
            assertTrue(Files.readString(dir.resolve("failures.jsonl")).contains("throttled"));
        } finally {
            System.clearProperty(PowerProfiler.REQUIRE_STABLE);
        }
    }

    private List<JsonNode> energyRows() throws Exception {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("iterations.jsonl"))) {
            JsonNode n = new ObjectMapper().readTree(line);
            if (n.get("kind").asText().equals("energy")) {
                out.add(n);
            }
        }
        return out;
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        out.sort(null);
        return out;
    }
}
