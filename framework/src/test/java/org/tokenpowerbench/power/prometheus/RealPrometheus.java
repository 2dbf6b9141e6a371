package org.tokenpowerbench.power.prometheus;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * Debian's {@code prometheus} (2.42) started by a test: on a free loopback port, with a generated
 * configuration (1 s scrape interval) and storage in a temporary folder, stopped by {@link #close}.
 * Missing: a failure under {@code CI=true} ({@code .ci/run} installs it), a skip with the reason elsewhere.
 */
final class RealPrometheus implements AutoCloseable {

    private final Process process;
    final URI url;

    private RealPrometheus(Process process, URI url) {
        this.process = process;
        this.url = url;
    }

    static Path binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            Path p = Path.of(dir, "prometheus");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        if ("true".equals(System.getenv("CI"))) {
            fail("prometheus is not on the PATH under CI=true: .ci/run installs Debian's prometheus before ./mvnw");
        }
        Assumptions.abort("prometheus is not on the PATH: install Debian's prometheus (apt-get install prometheus) to"
                + " test the sensor against a real server; CI does");
        throw new AssertionError("unreachable");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts a server scraping each {@code job=host:port,...} target every second, and waits until it is ready. */
    static RealPrometheus start(Path dir, List<String> jobs) throws Exception {
        Path binary = binary();
        StringBuilder config = new StringBuilder("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\n"
                + "scrape_configs:\n");
        for (String job : jobs) {
            String[] parts = job.split("=", 2);
            config.append("  - job_name: ").append(parts[0]).append("\n    static_configs:\n      - targets: [");
            config.append(String.join(", ", java.util.Arrays.stream(parts[1].split(",")).map(t -> "'" + t + "'")
                    .toList())).append("]\n");
        }
        Path file = dir.resolve("prometheus.yml");
        Files.writeString(file, config, StandardCharsets.UTF_8);
        int port = freePort();
        Process p = new ProcessBuilder(binary.toString(), "--config.file=" + file,
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        RealPrometheus server = new RealPrometheus(p, URI.create("http://127.0.0.1:" + port));
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline && p.isAlive()) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.url.resolve("/-/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return server;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        server.close();
        fail("prometheus did not become ready in 30 s: " + Files.readString(dir.resolve("prometheus.log")));
        return null;
    }

    /**
     * Waits until {@code targets} targets have each been scraped {@code times} times. Prometheus hands
     * its first targets to the scrapers only after its discovery's first update (about 5 s), so a
     * server that is ready has not scraped yet.
     */
    void awaitScrapes(int targets, int times) throws Exception {
        PrometheusApi api = new PrometheusApi(url, Duration.ofSeconds(5));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<PrometheusApi.Series> up = api.recent("up", 60);
            if (up.size() >= targets && up.stream().allMatch(s -> s.samples().size() >= times)) {
                return;
            }
            Thread.sleep(200);
        }
        fail("prometheus did not scrape " + targets + " targets " + times + " times in 30 s");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
