package org.tokenpowerbench.power.redfish;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.tokenpowerbench.power.Method;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.Scope;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * A chassis's power as its BMC reports it over Redfish, in either schema generation: the newer
 * {@code Chassis/<id>/EnvironmentMetrics} ({@code PowerWatts.Reading}, and {@code EnergykWh.Reading},
 * an energy counter, where the BMC has one) preferred, else the older {@code Chassis/<id>/Power}
 * ({@code PowerControl[0].PowerConsumedWatts}). Where both power and energy exist they share a
 * device, so the counter fixes the totals and the power only shapes them.
 *
 * <p>Like IPMI, a BMC answers slowly and averages: the sensor reads at most every {@code interval},
 * places a reading at the midpoint of its request, and reports an update period of at least a second.
 */
final class RedfishSensor implements PowerSensor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OkHttpClient http;
    private final HttpUrl resource;
    private final boolean environmentMetrics;
    private final boolean energy;
    private final String device;
    private final Duration interval;
    private final long slowestReadNanos;
    private final Map<String, String> described;
    private final Runnable logout;
    private long lastReadNanos = Long.MIN_VALUE;

    private RedfishSensor(OkHttpClient http, HttpUrl resource, boolean environmentMetrics, boolean energy, String device,
                          Duration interval, long slowestReadNanos, Map<String, String> described, Runnable logout) {
        this.http = http;
        this.logout = logout;
        this.resource = resource;
        this.environmentMetrics = environmentMetrics;
        this.energy = energy;
        this.device = device;
        this.interval = interval;
        this.slowestReadNanos = slowestReadNanos;
        this.described = described;
    }

    /**
     * Finds the chassis ({@code chassis} or the first member of {@code /redfish/v1/Chassis}) and the
     * resource that carries its power.
     */
    static RedfishSensor open(OkHttpClient http, HttpUrl base, String chassis, Duration interval, String auth,
                              Runnable logout) throws SensorUnavailableException {
        try {
            String path = chassis;
            if (path == null) {
                JsonNode members = get(http, base.resolve("/redfish/v1/Chassis")).path("Members");
                if (members.isEmpty()) {
                    throw new SensorUnavailableException("redfish: " + base + " lists no chassis under /redfish/v1/Chassis");
                }
                path = members.get(0).path("@odata.id").asText();
            }
            JsonNode ch = get(http, base.resolve(path));
            String metrics = ch.path("EnvironmentMetrics").path("@odata.id").asText("");
            String legacy = ch.path("Power").path("@odata.id").asText("");
            boolean modern = !metrics.isEmpty();
            if (!modern && legacy.isEmpty()) {
                throw new SensorUnavailableException("redfish: chassis " + path + " at " + base + " links neither"
                        + " EnvironmentMetrics nor Power: this BMC does not report the chassis's power");
            }
            HttpUrl resource = base.resolve(modern ? metrics : legacy);
            long t = System.nanoTime();
            JsonNode first = get(http, resource);
            long slowest = System.nanoTime() - t;
            boolean energy = modern && first.path("EnergykWh").path("Reading").isNumber();
            if (Double.isNaN(watts(first, modern))) {
                throw new SensorUnavailableException("redfish: " + resource + " has no power reading ("
                        + (modern ? "PowerWatts.Reading" : "PowerControl[0].PowerConsumedWatts") + ")");
            }
            Map<String, String> env = new LinkedHashMap<>();
            env.put("chassis", base.resolve(path).toString());
            env.put("schema", modern ? "EnvironmentMetrics (PowerWatts" + (energy ? ", EnergykWh counter)" : ")")
                    : "Power (PowerControl[0].PowerConsumedWatts)");
            env.put("auth", auth);
            env.put("slowestReadMs", String.format(java.util.Locale.ROOT, "%.1f", slowest / 1e6));
            env.put("readIntervalMs", Long.toString(interval.toMillis()));
            String interval2 = first.path("PowerControl").path(0).path("PowerMetrics").path("IntervalInMin").asText("");
            if (!interval2.isEmpty()) {
                env.put("powerMetricsIntervalMin", interval2);
            }
            return new RedfishSensor(http, resource, modern, energy, base.host() + path, interval, slowest, env, logout);
        } catch (IOException e) {
            logout.run();
            throw new SensorUnavailableException("redfish: " + base + " did not answer: " + e.getMessage()
                    + "; check url=, the credentials' variables, and insecure=true for a self-signed certificate", e);
        }
    }

    private static double watts(JsonNode n, boolean modern) {
        JsonNode v = modern ? n.path("PowerWatts").path("Reading") : n.path("PowerControl").path(0).path("PowerConsumedWatts");
        return v.isNumber() ? v.asDouble() : Double.NaN;
    }

    private static JsonNode get(OkHttpClient http, HttpUrl url) throws IOException {
        try (Response r = http.newCall(new Request.Builder().url(url).header("Accept", "application/json").build())
                .execute()) {
            if (!r.isSuccessful()) {
                throw new IOException("HTTP " + r.code() + " for " + url.encodedPath()
                        + (r.code() == 401 ? " (the user and password were refused)" : ""));
            }
            return JSON.readTree(r.body().byteStream());
        }
    }

    @Override
    public String id() {
        return "redfish";
    }

    @Override
    public List<PowerChannel> channels() {
        List<PowerChannel> out = new ArrayList<>();
        out.add(new PowerChannel("chassis.power", device, Scope.NODE, Method.SAMPLED, PowerChannel.Kind.POWER_WATTS));
        if (energy) {
            out.add(new PowerChannel("chassis.energy", device, Scope.NODE, Method.COUNTER,
                    PowerChannel.Kind.ENERGY_JOULES));
        }
        return out;
    }


    @Override
    public void sample(Readings out, boolean boundary) {
        long start = System.nanoTime();
        if (!boundary && start - lastReadNanos < interval.toNanos()) {
            return;
        }
        lastReadNanos = start;
        JsonNode n;
        try {
            n = get(http, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("redfish: " + resource + " stopped answering: " + e.getMessage(), e);
        }
        long at = start + (System.nanoTime() - start) / 2;
        double w = watts(n, environmentMetrics);
        if (!Double.isNaN(w)) {
            out.set(0, w, at);
        }
        if (energy) {
            JsonNode kwh = n.path("EnergykWh").path("Reading");
            if (kwh.isNumber()) {
                out.set(1, kwh.asDouble() * 3.6e6, at);
            }
        }
    }

    @Override
    public Duration updatePeriod() {
        return Duration.ofNanos(Math.max(Math.max(interval.toNanos(), 1_000_000_000L), slowestReadNanos));
    }

    @Override
    public Map<String, String> environment() {
        return described;
    }

    @Override
    public void close() {
        logout.run();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
