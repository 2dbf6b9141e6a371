package org.tokenpowerbench.power.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.energy.PowerSignal;
import org.tokenpowerbench.energy.ScopeNesting;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSampler;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensors;
import org.tokenpowerbench.power.PowerTrace;
import org.tokenpowerbench.power.Scope;

/**
 * The sensor against a real Prometheus scraping two synthetic nodes every second (their counters
 * follow a known power profile) and a third target where nothing listens: the energy of a window
 * matches the truth within what a 1 s scrape allows, through a counter reset, per GPU and per node,
 * and the dead target is named.
 */
class PrometheusSensorTest {

    @TempDir
    static Path dir;
    static SyntheticExporter nodeA;
    static SyntheticExporter nodeB;
    static String gone;
    static RealPrometheus prometheus;

    @BeforeAll
    static void start() throws Exception {
        RealPrometheus.binary(); // skips (or fails under CI) before anything starts
        nodeA = new SyntheticExporter(1.0, true);
        nodeB = new SyntheticExporter(0.5, false);
        gone = "127.0.0.1:" + RealPrometheus.freePort();
        prometheus = RealPrometheus.start(dir, List.of("fleet=" + nodeA.target() + "," + nodeB.target(),
                "gone=" + gone));
        prometheus.awaitScrapes(3, 3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (prometheus != null) {
            prometheus.close();
        }
        if (nodeA != null) {
            nodeA.close();
            nodeB.close();
        }
    }

    private static double wallSeconds(long monotonicNanos, long wallMinusMonotonic) {
        return (monotonicNanos + wallMinusMonotonic) / 1e9;
    }

    private static long wallMinusMonotonic() {
        Instant t = Clock.systemUTC().instant();
        return t.getEpochSecond() * 1_000_000_000L + t.getNano() - System.nanoTime();
    }

    @Test
    void windowEnergyMatchesTheKnownProfilePerScopeAndDevice() throws Exception {
        try (PowerSensor sensor = PowerSensors.open("prometheus", Map.of("url", prometheus.url.toString(),
                "node", "instance"))) { // two synthetic nodes on one host: each exporter is a node
            Set<String> names = sensor.channels().stream().map(PowerChannel::name).collect(Collectors.toSet());
            assertEquals(Set.of(
                    "dcgm.energy:" + nodeA.target() + "/GPU-100", "dcgm.power:" + nodeA.target() + "/GPU-100",
                    "dcgm.energy:" + nodeB.target() + "/GPU-50", "dcgm.power:" + nodeB.target() + "/GPU-50",
                    "rapl.package:" + nodeA.target() + "/package-0",
                    "ipmi.power:" + nodeA.target(), "ipmi.power:" + nodeB.target()), names);
            Map<String, String> env = sensor.environment();
            long interval = Long.parseLong(env.get("scrapeIntervalMs"));
            assertTrue(interval >= 900 && interval <= 1100, "scrape interval read from the data: " + env);
            assertEquals(1000, sensor.updatePeriod().toMillis(), 100);
            assertTrue(env.get("targetsDown").contains("gone/" + gone), env.toString());
            double skew = Double.parseDouble(env.get("clockSkewMs").split(" ")[0]);
            assertTrue(Math.abs(skew) < 1000, "one host, one clock: " + env.get("clockSkewMs"));

            long offset = wallMinusMonotonic();
            PowerTrace trace;
            long from;
            long to;
            try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(50))) {
                sampler.start();
                from = System.nanoTime();
                nodeA.resetAt = SyntheticExporter.now() + 2; // an exporter restart in the middle of the window
                Thread.sleep(5000);
                to = System.nanoTime();
                trace = sampler.stop();
            }
            double t0 = wallSeconds(from, offset);
            double t1 = wallSeconds(to, offset);
            assertTrue(Long.parseLong(sensor.environment().get("counterResets")) >= 1, sensor.environment().toString());
            assertEquals("0", sensor.environment().get("windowEndsWithoutData"));
            for (int c = 0; c < trace.channels().size(); c++) {
                assertTrue(trace.hasOwnTimes(c), "readings placed at their scrape time: " + trace.channels().get(c));
            }
            long maxGap = PowerSignal.defaultMaxGapNanos(Duration.ofMillis(50), sensor.updatePeriod());
            double scrapeS = interval / 1000.0;

            // GPUs: a counter is exact at each scrape, so only the window's two ends, inside a scrape
            // interval, can be off, each by at most the step (200 W on A, 100 W on B) over one interval
            double gpuA = energy(trace, maxGap, c -> c.device().endsWith("GPU-100"), from, to);
            double gpuB = energy(trace, maxGap, c -> c.device().endsWith("GPU-50"), from, to);
            double truthA = nodeA.gpuJoules(t1) - nodeA.gpuJoules(t0);
            double truthB = nodeB.gpuJoules(t1) - nodeB.gpuJoules(t0);
            assertEquals(truthA, gpuA, 2 * 200 * scrapeS, "GPU of node A");
            assertEquals(truthB, gpuB, 2 * 100 * scrapeS, "GPU of node B");
            assertEquals(gpuA + gpuB, energy(trace, maxGap, c -> c.scope() == Scope.GPU, from, to), 1e-6);

            // IPMI: a constant 800 W and 400 W, sampled: the trapezoids of a constant are exact
            assertEquals(800 * (t1 - t0), energy(trace, maxGap, c -> c.name().equals("ipmi.power:" + nodeA.target()),
                    from, to), 0.01 * 800 * (t1 - t0), "node A over IPMI");
            assertEquals(1200 * (t1 - t0), energy(trace, maxGap, c -> c.scope() == Scope.NODE, from, to),
                    0.01 * 1200 * (t1 - t0), "both nodes over IPMI");

            // RAPL through a counter reset: at most one scrape interval of 100 W is lost, nothing is invented
            double cpu = energy(trace, maxGap, c -> c.scope() == Scope.CPU, from, to);
            double truthCpu = 100 * (t1 - t0);
            assertTrue(cpu <= truthCpu * 1.01 && cpu >= truthCpu - 100 * scrapeS - 0.01 * truthCpu,
                    "CPU package through a reset: " + cpu + " J against " + truthCpu + " J");
            // scopes nest: both nodes have an IPMI reading, so the whole is theirs, GPUs and CPU inside it
            double node = energy(trace, maxGap, c -> c.scope() == Scope.NODE, from, to);
            assertEquals(node, energy(trace, maxGap, ScopeNesting.outermost(trace.channels()), from, to), 1e-6);
            assertEquals(node - gpuA - gpuB - cpu, ScopeNesting.nodeOther(Map.of(Scope.NODE, node,
                    Scope.GPU, gpuA + gpuB, Scope.CPU, cpu)), 1e-6);
            System.out.printf(java.util.Locale.ROOT, "prometheus window %.2f s, scrape %d ms, skew %s:"
                            + " GPU A %.1f J (truth %.1f), GPU B %.1f J (truth %.1f), CPU %.1f J (truth %.1f, reset),"
                            + " node IPMI %.1f J (truth %.1f)%n", t1 - t0, interval, env.get("clockSkewMs"),
                    gpuA, truthA, gpuB, truthB, cpu, truthCpu,
                    energy(trace, maxGap, c -> c.scope() == Scope.NODE, from, to), 1200 * (t1 - t0));
        }
    }

    @Test
    void backToBackWindowsShorterThanAScrapeEachKeepTheReadingBeforeThem() throws Exception {
        // a wave of a fraction of the scrape interval right after another: the scrape that closed the first
        // is the second's reading from before it opened, though the first window has already been handed it
        try (PowerSensor sensor = PowerSensors.open("prometheus", Map.of("url", prometheus.url.toString(),
                "node", "instance"))) {
            long maxGap = PowerSignal.defaultMaxGapNanos(Duration.ofMillis(50), sensor.updatePeriod());
            long offset = wallMinusMonotonic();
            for (int w = 0; w < 3; w++) {
                PowerTrace trace;
                long from;
                long to;
                try (PowerSampler sampler = new PowerSampler(sensor, Duration.ofMillis(50))) {
                    sampler.start();
                    from = System.nanoTime();
                    Thread.sleep(w == 0 ? 1500 : 300);
                    to = System.nanoTime();
                    trace = sampler.stop();
                }
                double gpuB = energy(trace, maxGap, c -> c.device().endsWith("GPU-50"), from, to);
                double truthB = nodeB.gpuJoules(wallSeconds(to, offset)) - nodeB.gpuJoules(wallSeconds(from, offset));
                double scrapeS = Long.parseLong(sensor.environment().get("scrapeIntervalMs")) / 1000.0;
                assertEquals(truthB, gpuB, 2 * 100 * scrapeS, "window " + w + " of GPU B");
            }
        }
    }

    private static double energy(PowerTrace trace, long maxGap, Predicate<PowerChannel> which, long from, long to) {
        return PowerSignal.of(trace, maxGap, which).energyJoules(from, to);
    }

    @Test
    void aSelectorNarrowsEveryDefaultMetricToItsNodes() throws Exception {
        try (PowerSensor sensor = PowerSensors.open("prometheus", Map.of("url", prometheus.url.toString(),
                "selector", "{instance=\"" + nodeB.target() + "\"}", "exporters", "dcgm,ipmi", "node", "instance"))) {
            assertEquals(Set.of(nodeB.target() + "/GPU-50", nodeB.target()),
                    sensor.channels().stream().map(PowerChannel::device).collect(Collectors.toSet()));
            assertEquals("none", sensor.environment().get("targetsDown"), "the selector narrows up== 0 too");
        }
    }

    @Test
    void aQueryOfTheUsersIsReadWithItsScopeAndUnit() throws Exception {
        try (PowerSensor sensor = PowerSensors.open("prometheus", Map.of("url", prometheus.url.toString(),
                "query", "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{instance=\"" + nodeA.target() + "\"}",
                "kind", "energy", "unit", "mJ", "scope", "gpu"))) {
            assertEquals(1, sensor.channels().size());
            PowerChannel c = sensor.channels().get(0);
            assertEquals(Scope.GPU, c.scope());
            assertEquals(PowerChannel.Kind.ENERGY_JOULES, c.kind());
        }
        UserError notASelector = assertThrows(UserError.class, () -> PowerSensors.open("prometheus",
                Map.of("url", prometheus.url.toString(), "query", "rate(node_rapl_package_joules_total[1m])")));
        assertTrue(notASelector.getMessage().contains("rate(node_rapl_package_joules_total[1m])"),
                notASelector.getMessage());
    }
}
