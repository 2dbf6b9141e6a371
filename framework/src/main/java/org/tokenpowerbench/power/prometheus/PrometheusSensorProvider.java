package org.tokenpowerbench.power.prometheus;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.power.OptionLine;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.PowerSensorProvider;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * Opens a {@link PrometheusSensor} under the id {@code prometheus}:
 * {@code -prof 'prometheus:url=http://prom:9090;selector={instance=~"gpu-node-.*"}'}.
 *
 * <p>Options: {@code url} (required); {@code exporters=dcgm,node,ipmi} (which exporters' metrics
 * to read, default all three, those absent from the server skipped); {@code selector={...}} (label
 * matchers added to every default metric, and to {@code up} when looking for targets that are
 * down); {@code query=<series selector>} with {@code scope=node|gpu|cpu|dram}, {@code kind=power|energy}
 * and {@code unit=W|kW|mW|J|kJ|mJ|Wh|kWh} (a metric of the user's; without {@code exporters=} it
 * is read alone); {@code wait} (how long a window's end waits for its samples, default two scrape
 * intervals plus a second); {@code discover} (how long open waits for a second sample, default 30s);
 * {@code timeout} (per HTTP request, default 5s); {@code node=host|instance|<label>} (which label
 * names a series' node: by default the host of {@code instance}, port dropped, so that one host's
 * exporters are one node).
 */
public final class PrometheusSensorProvider implements PowerSensorProvider {

    private static final Set<String> OPTIONS = Set.of("url", "exporters", "selector", "query", "scope", "kind", "unit",
            "wait", "discover", "timeout", "node");

    @Override
    public String id() {
        return "prometheus";
    }

    @Override
    public String description() {
        return "GPU, CPU, DRAM and node power as a Prometheus server scraped it (DCGM exporter, node exporter's RAPL,"
                + " IPMI exporter; counters preferred; scrape interval in sensors.jsonl); url=http://host:9090;"
                + "exporters=dcgm,node,ipmi;selector={instance=~\"...\"};node=host;query=<selector>;scope=node;kind=power;unit=W";
    }

    @Override
    public PowerSensor open(Map<String, String> options) throws SensorUnavailableException {
        OptionLine line = new OptionLine("-prof prometheus", options);
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                throw new UserError("-prof prometheus: unknown option '" + key + "'; it takes " + String.join(", ",
                        new java.util.TreeSet<>(OPTIONS)));
            }
        }
        String url = line.get("url", null);
        if (url == null) {
            throw new UserError("-prof prometheus needs url=, the Prometheus server's address, e.g."
                    + " -prof 'prometheus:url=http://prometheus:9090'");
        }
        URI base;
        try {
            base = URI.create(url);
        } catch (IllegalArgumentException e) {
            throw new UserError("-prof prometheus: url=" + url + " is not a URL; write e.g. url=http://prometheus:9090");
        }
        if (!"http".equals(base.getScheme()) && !"https".equals(base.getScheme())) {
            throw new UserError("-prof prometheus: url=" + url + " is not http or https; write e.g."
                    + " url=http://prometheus:9090");
        }
        String matchers = line.get("selector", "");
        if (!matchers.isEmpty() && !(matchers.startsWith("{") && matchers.endsWith("}"))) {
            throw new UserError("-prof prometheus: selector=" + matchers + " is not label matchers in braces; write"
                    + " e.g. selector={instance=~\"gpu-node-.*\"}");
        }
        List<ExporterMetric> metrics = new ArrayList<>();
        String query = line.get("query", null);
        String exporters = line.get("exporters", query == null ? String.join(",", ExporterMetric.EXPORTERS) : "");
        for (String exporter : exporters.split(",")) {
            if (!exporter.isBlank()) {
                metrics.addAll(ExporterMetric.defaults(exporter.strip(), matchers));
            }
        }
        if (query != null) {
            String kind = line.get("kind", "power");
            metrics.add(ExporterMetric.userQuery(query, line.get("scope", "node"), kind,
                    line.get("unit", kind.equalsIgnoreCase("energy") ? "J" : "W")));
        }
        if (metrics.isEmpty()) {
            throw new UserError("-prof prometheus: exporters= is empty and no query= is given, so there is nothing to"
                    + " read; name exporters (dcgm,node,ipmi) or a query");
        }
        Duration timeout = line.duration("timeout", Duration.ofSeconds(5));
        PrometheusApi api = new PrometheusApi(base, timeout.isZero() ? Duration.ofSeconds(5) : timeout);
        // the metrics absent from this server are skipped: a fleet without an IPMI exporter still has DCGM
        return PrometheusSensor.open(api, metrics, matchers, line.get("node", "host"), line.duration("discover", Duration.ofSeconds(30)),
                line.duration("wait", null));
    }
}
