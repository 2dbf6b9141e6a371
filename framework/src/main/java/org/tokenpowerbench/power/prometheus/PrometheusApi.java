package org.tokenpowerbench.power.prometheus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.tokenpowerbench.UserError;

/**
 * The part of Prometheus's HTTP API the sensor needs: raw samples of a series selector over a
 * trailing range ({@code /api/v1/query} with {@code selector[Ns]}), and the server's own clock
 * ({@code time()}).
 *
 * <p>Why a range-vector instant query and not {@code /api/v1/query_range}: a range query evaluates
 * the expression at its own step times and returns, at each, the latest sample before it, so a
 * value's time would be the step's and not the scrape's (up to a step late). A range vector returns
 * every scraped sample with the timestamp Prometheus stamped it with, which is what lets energy be
 * placed where it was measured.
 */
final class PrometheusApi {

    /** One scraped value, at the server's Unix time in seconds. */
    record Sample(double unixSeconds, double value) {
    }

    /** One series: its labels (with {@code __name__}) and its samples, oldest first. */
    record Series(Map<String, String> labels, List<Sample> samples) {
    }

    /**
     * How far the server's clock is ahead of ours: {@code time()} read by the server, against the
     * midpoint of our request, from the quickest of a few tries.
     *
     * @param skewMillis        server minus our wall clock
     * @param uncertaintyMillis half the round trip of the try it comes from
     */
    record ClockSkew(double skewMillis, double uncertaintyMillis) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    PrometheusApi(URI base, Duration timeout) {
        String s = base.toString();
        this.base = URI.create(s.endsWith("/") ? s : s + "/");
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    URI base() {
        return base;
    }

    /** Every sample of the series {@code selector} picks in the {@code seconds} before the server's now. */
    List<Series> recent(String selector, long seconds) {
        JsonNode data = query(selector + "[" + Math.max(1, seconds) + "s]");
        List<Series> out = new ArrayList<>();
        if (!"matrix".equals(data.path("resultType").asText())) {
            throw new UserError("prometheus: '" + selector + "' is not a series selector (the server returned a "
                    + data.path("resultType").asText() + " for it with a range): write a metric name with label"
                    + " matchers, e.g. query=node_power_watts{job=\"pdu\"}");
        }
        for (JsonNode series : data.path("result")) {
            List<Sample> samples = new ArrayList<>();
            for (JsonNode v : series.path("values")) {
                samples.add(new Sample(v.get(0).asDouble(), Double.parseDouble(v.get(1).asText())));
            }
            out.add(new Series(labels(series.path("metric")), samples));
        }
        return out;
    }

    /** The label sets of an instant-vector expression's result, e.g. {@code up{...} == 0}. */
    List<Map<String, String>> labelsOf(String expr) {
        List<Map<String, String>> out = new ArrayList<>();
        for (JsonNode series : query(expr).path("result")) {
            out.add(labels(series.path("metric")));
        }
        return out;
    }

    /** The server's clock against ours, from {@code tries} reads of {@code time()}. */
    ClockSkew clockSkew(int tries) {
        ClockSkew best = null;
        Clock wall = Clock.systemUTC();
        for (int i = 0; i < tries; i++) {
            Instant before = wall.instant();
            JsonNode data = query("time()");
            Instant after = wall.instant();
            double server = data.path("result").get(0).asDouble() * 1000.0;
            double ours = (millis(before) + millis(after)) / 2;
            ClockSkew skew = new ClockSkew(server - ours, (millis(after) - millis(before)) / 2);
            if (best == null || skew.uncertaintyMillis() < best.uncertaintyMillis()) {
                best = skew;
            }
        }
        return best;
    }

    private static double millis(Instant t) {
        return t.getEpochSecond() * 1000.0 + t.getNano() / 1e6;
    }

    private JsonNode query(String expr) {
        URI uri = base.resolve("api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("prometheus at " + base + " did not answer '" + expr + "': " + e
                    + "; check url= and that the server runs", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException("interrupted while asking prometheus at " + base + " for '" + expr + "'",
                    new IOException(e));
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException("prometheus at " + base + " answered '" + expr + "' with HTTP "
                    + response.statusCode() + " and no JSON: is url= a Prometheus server?", e);
        }
        if (!"success".equals(body.path("status").asText())) {
            String why = body.path("errorType").asText() + ": " + body.path("error").asText();
            if ("bad_data".equals(body.path("errorType").asText())) {
                throw new UserError("prometheus rejected the query '" + expr + "' (" + why
                        + "): write a series selector such as metric_name{label=\"value\"}");
            }
            throw new UncheckedIOException(new IOException("prometheus at " + base + " failed '" + expr + "': " + why));
        }
        return body.path("data");
    }

    private static Map<String, String> labels(JsonNode metric) {
        Map<String, String> out = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = metric.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
