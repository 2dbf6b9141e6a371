package org.tokenpowerbench.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code -prof prometheus} end to end: {@code benchmarks.jar} measures the embedded engine while a
 * real Prometheus (Debian's, as {@code .ci/run} installs it) scrapes an exporter this test serves
 * with the DCGM exporter's metric names: one GPU drawing a constant 300 W, its
 * {@code DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION} counter in millijoules growing at that rate. The truth
 * of any window is therefore 300 W times its length; the run folder's energy per wave must match it
 * within what a 1 s scrape interval allows, and {@code sensors.jsonl} must state that interval.
 */
class PrometheusJarIT {

    private static final double WATTS = 300.0;

    private static Path prometheus() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "prometheus");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("prometheus is not on the PATH under CI=true: .ci/run installs Debian's prometheus");
        }
        Assumptions.abort("prometheus is not on the PATH (apt-get install prometheus); CI has it");
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** The answer's body, or "" when the server does not answer (yet). */
    private static String get(URI uri) {
        try {
            HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
            c.setConnectTimeout(1000);
            c.setReadTimeout(2000);
            return c.getResponseCode() == 200 ? new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    void energyPerWaveFromARealPrometheusMatchesTheExportersKnownPower(@TempDir Path dir) throws Exception {
        Path binary = prometheus();
        long origin = System.currentTimeMillis();
        HttpServer exporter = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        exporter.createContext("/metrics", exchange -> {
            double seconds = (System.currentTimeMillis() - origin) / 1000.0;
            String text = String.format(Locale.ROOT, "# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter%n"
                    + "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu=\"0\",UUID=\"GPU-test-0\",Hostname=\"node-1\"} %.0f%n"
                    + "# TYPE DCGM_FI_DEV_POWER_USAGE gauge%n"
                    + "DCGM_FI_DEV_POWER_USAGE{gpu=\"0\",UUID=\"GPU-test-0\",Hostname=\"node-1\"} %.1f%n",
                    1.0e6 + WATTS * seconds * 1000.0, WATTS);
            byte[] body = text.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        exporter.start();
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, "global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n"
                + "  - job_name: dcgm\n    static_configs:\n      - targets: ['127.0.0.1:" + exporter.getAddress().getPort()
                + "']\n");
        int port = freePort();
        URI server = URI.create("http://127.0.0.1:" + port);
        Process prom = new ProcessBuilder(binary.toString(), "--config.file=" + config,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            // ready, and the exporter scraped a few times (discovery hands targets over after about 5 s)
            URI scrapedThrice = server.resolve("/api/v1/query?query="
                    + "count_over_time(DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION%5B30s%5D)%3E2");
            while (!get(scrapedThrice).contains("\"result\":[{")) {
                assertTrue(System.nanoTime() < deadline && prom.isAlive(), "prometheus did not scrape the exporter three"
                        + " times in 60 s: " + Files.readString(dir.resolve("prometheus.log")));
                Thread.sleep(200);
            }
            Path runDir = dir.resolve("run");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")), "-Dtpb.runDir=" + runDir, "-jar",
                    System.getProperty("tpb.benchmarksJar", "target/benchmarks.jar"), "TPBSample_01",
                    "-prof", "prometheus:url=" + server + ";exporters=dcgm", "-p", "batch=1", "-p", "prompts=16",
                    "-p", "outputTokens=64", "-wi", "0", "-i", "2", "-f", "1", "-jvmArgsAppend", "-Dtpb.idleSeconds=0.5"));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.MINUTES), "benchmarks.jar did not finish");
            assertEquals(0, p.exitValue(), out);

            ObjectMapper json = new ObjectMapper();
            int waves = 0;
            for (String line : Files.readAllLines(runDir.resolve("iterations.jsonl"))) {
                JsonNode n = json.readTree(line);
                if (!"energy".equals(n.path("kind").asText()) || !"prometheus".equals(n.path("sensor").asText())) {
                    continue;
                }
                waves++;
                double seconds = n.path("seconds").asDouble();
                double joules = n.path("energyJ").asDouble();
                System.out.printf(Locale.ROOT, "prometheus wave %s: %.3f s, %.2f J, truth %.2f J (%+.3f %%)%n",
                        n.path("iterationId").asText(), seconds, joules, WATTS * seconds,
                        100 * (joules - WATTS * seconds) / (WATTS * seconds));
                // a constant power: the counter is linear between scrapes, so interpolation is exact up to the
                // exporter's rounding and the measured clock skew (ms against a wave of seconds)
                assertEquals(WATTS * seconds, joules, 0.02 * WATTS * seconds,
                        "wave of " + seconds + " s: " + joules + " J against " + WATTS * seconds + " J; " + line);
            }
            assertEquals(2, waves, "one energy line per measured wave");
            JsonNode sensor = null;
            for (String line : Files.readAllLines(runDir.resolve("sensors.jsonl"))) {
                JsonNode n = json.readTree(line);
                if ("prometheus".equals(n.path("sensor").asText())) {
                    sensor = n;
                }
            }
            assertTrue(sensor != null, "sensors.jsonl names the prometheus sensor");
            assertEquals("1000", sensor.path("environment").path("scrapeIntervalMs").asText(),
                    "the scrape interval, read from the data, is stated: " + sensor);
            assertTrue(sensor.path("environment").path("clockSkewMs").asText().contains("+-"), sensor.toString());
        } finally {
            prom.destroy();
            if (!prom.waitFor(10, TimeUnit.SECONDS)) {
                prom.destroyForcibly();
            }
            exporter.stop(0);
        }
    }
}
