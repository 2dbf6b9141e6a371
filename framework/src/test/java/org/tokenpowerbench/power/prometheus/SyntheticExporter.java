package org.tokenpowerbench.power.prometheus;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;

/**
 * One node as its exporters publish it, in Prometheus's text format with the real metric names of
 * NVIDIA's DCGM exporter, node exporter's RAPL collector and the IPMI exporter, following a power
 * profile known in closed form so that a test knows the true energy of any window:
 * the GPU draws {@code scale} × 200 W and 400 W in turns of 3 s, the CPU package 100 W (its counter
 * restarts from 0 at {@link #resetAt}, as after an exporter restart), and the node 800 × {@code scale} W.
 */
final class SyntheticExporter implements AutoCloseable {

    static final double HALF_PERIOD_S = 3;

    final double scale;
    final double origin;
    final boolean rapl;
    /** Unix seconds at which the RAPL counter restarts from zero; never by default. */
    volatile double resetAt = Double.MAX_VALUE;
    private final HttpServer server;

    SyntheticExporter(double scale, boolean rapl) throws IOException {
        this.scale = scale;
        this.rapl = rapl;
        this.origin = now();
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/metrics", exchange -> {
            byte[] body = metrics(now()).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    static double now() {
        Instant t = Clock.systemUTC().instant();
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    String target() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    double gpuWatts(double t) {
        long k = (long) Math.floor((t - origin) / HALF_PERIOD_S);
        return scale * (k % 2 == 0 ? 200 : 400);
    }

    /** The GPU's energy since {@link #origin}, in joules. */
    double gpuJoules(double t) {
        double x = t - origin;
        long k = (long) Math.floor(x / HALF_PERIOD_S);
        double high = (k / 2) * HALF_PERIOD_S + (k % 2 == 1 ? x - k * HALF_PERIOD_S : 0);
        return scale * (200 * x + 200 * high);
    }

    double raplCounterJoules(double t) {
        return 100 * (t - (t >= resetAt ? resetAt : origin));
    }

    private String metrics(double t) {
        StringBuilder m = new StringBuilder();
        String gpu = "{gpu=\"0\",UUID=\"GPU-" + String.format(Locale.ROOT, "%.0f", scale * 100)
                + "\",device=\"nvidia0\",modelName=\"NVIDIA H200\",Hostname=\"node\"}";
        m.append("# TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter\n");
        m.append("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION").append(gpu).append(' ')
                .append(String.format(Locale.ROOT, "%.0f", 5e9 + gpuJoules(t) * 1000)).append('\n');
        m.append("# TYPE DCGM_FI_DEV_POWER_USAGE gauge\n");
        m.append("DCGM_FI_DEV_POWER_USAGE").append(gpu).append(' ').append(gpuWatts(t)).append('\n');
        if (rapl) {
            m.append("# TYPE node_rapl_package_joules_total counter\n");
            m.append("node_rapl_package_joules_total{index=\"0\",path=\"/sys/class/powercap/intel-rapl:0\"} ")
                    .append(String.format(Locale.ROOT, "%.6f", raplCounterJoules(t))).append('\n');
        }
        m.append("# TYPE ipmi_dcmi_power_consumption_watts gauge\n");
        m.append("ipmi_dcmi_power_consumption_watts ").append(800 * scale).append('\n');
        return m.toString();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
