package org.tokenpowerbench.power.prometheus;

import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
import org.tokenpowerbench.power.PowerChannel;
import org.tokenpowerbench.power.PowerSensor;
import org.tokenpowerbench.power.Readings;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * Power and energy of a fleet as its own Prometheus has scraped them: one channel per series
 * (per GPU, per CPU package, per node), each reading placed at the time Prometheus stamped it.
 *
 * <p><b>When it reads.</b> Scrapes arrive every few seconds, so the sensor asks the server at most
 * twice per scrape interval, whatever the sampling period, and hands the samples it got to the
 * sampler one per channel per read, oldest first. At the end of a window (the sampler's last,
 * boundary read) it waits until every live series has a sample stamped after that moment: the
 * wave's end plus up to one scrape interval, bounded by {@code wait}; a series that does not get
 * one in time is said on the console, and its signal ends where its data does.
 *
 * <p><b>Clocks.</b> Prometheus stamps samples with its own wall clock. At open the sensor reads the
 * server's {@code time()} against the midpoint of the request (the quickest of five), and maps a
 * stamp to {@link System#nanoTime()} through that skew and this JVM's wall-minus-monotonic offset,
 * both measured once; {@link #environment()} states the skew and its uncertainty.
 *
 * <p><b>Counters.</b> A counter that goes down was reset (an exporter restart): the sensor keeps
 * adding from the value before the reset, as Prometheus's {@code increase()} does, so the energy
 * between the last sample before the reset and the reset itself is lost, never invented.
 *
 * <p><b>Scrape interval.</b> Read from the data (the median spacing of each metric's samples at
 * open), not from configuration, and stated in {@link #environment()} beside every figure of the
 * run ({@code sensors.jsonl}); {@link #updatePeriod()} is the coarsest metric's.
 */
final class PrometheusSensor implements PowerSensor {

    /** One series: its channel, its samples not yet handed to the sampler, and its counter state. */
    private static final class Track {
        final ExporterMetric metric;
        final Map<String, String> labels;
        final ArrayDeque<double[]> pending = new ArrayDeque<>();
        double lastSeen = Double.NEGATIVE_INFINITY;
        double lastRaw = Double.NaN;
        /** The newest sample taken in ({server seconds, value}), kept after it was handed on; null before any. */
        double[] last;
        double offset;

        Track(ExporterMetric metric, Map<String, String> labels) {
            this.metric = metric;
            this.labels = labels;
        }

        /** Takes a sample in (converted to joules or watts, resets carried over); false when seen already. */
        boolean add(PrometheusApi.Sample s, int[] resets) {
            if (s.unixSeconds() <= lastSeen || !Double.isFinite(s.value())) {
                return false;
            }
            lastSeen = s.unixSeconds();
            double value = s.value() * metric.factor();
            if (metric.kind() == PowerChannel.Kind.ENERGY_JOULES) {
                if (!Double.isNaN(lastRaw) && value < lastRaw) {
                    offset += lastRaw;
                    resets[0]++;
                }
                lastRaw = value;
                value += offset;
            }
            last = new double[] {s.unixSeconds(), value};
            pending.add(last);
            return true;
        }
    }

    private final PrometheusApi api;
    private final List<ExporterMetric> metrics;
    private final List<Track> tracks;
    private final List<PowerChannel> channels;
    private final Map<String, Duration> intervals;
    private final Duration scrapeInterval;
    private final PrometheusApi.ClockSkew skew;
    private final long wallMinusMonotonicNanos;
    private final Duration wait;
    private final List<String> targetsDown;
    private final int[] resets = {0};
    private long lastFetchNanos = Long.MIN_VALUE;
    private boolean inWindow;
    private int lateEnds;

    private PrometheusSensor(PrometheusApi api, List<ExporterMetric> metrics, List<Track> tracks,
                             Map<String, Duration> intervals, PrometheusApi.ClockSkew skew,
                             long wallMinusMonotonicNanos, Duration wait, List<String> targetsDown,
                             String nodeLabel) {
        this.api = api;
        this.metrics = metrics;
        this.tracks = tracks;
        this.intervals = intervals;
        this.scrapeInterval = intervals.values().stream().max(Duration::compareTo).orElseThrow();
        this.skew = skew;
        this.wallMinusMonotonicNanos = wallMinusMonotonicNanos;
        this.wait = wait;
        this.targetsDown = targetsDown;
        List<PowerChannel> list = new ArrayList<>();
        Map<String, Integer> seen = new TreeMap<>();
        for (Track t : tracks) {
            String device = t.metric.device(t.labels, nodeLabel);
            String name = t.metric.name() + ":" + device;
            int n = seen.merge(name, 1, Integer::sum);
            list.add(new PowerChannel(n == 1 ? name : name + "#" + n, device, t.metric.scope(), t.metric.method(),
                    t.metric.kind()));
        }
        this.channels = List.copyOf(list);
    }

    /**
     * Finds the series of {@code metrics} on the server and measures its clock and scrape interval.
     *
     * @param nodeLabel which label names a series' node ({@link ExporterMetric#device})
     * @param discover how long to wait for a second sample of a series found with one (a server that has
     *                 just started scraping)
     * @param wait     how long the end of a window may wait for the samples after it
     * @throws SensorUnavailableException when the server does not answer or has none of the series
     */
    static PrometheusSensor open(PrometheusApi api, List<ExporterMetric> metrics, String upSelector, String nodeLabel,
                                 Duration discover, Duration wait) throws SensorUnavailableException {
        PrometheusApi.ClockSkew skew;
        try {
            skew = api.clockSkew(5);
        } catch (UncheckedIOException e) {
            throw new SensorUnavailableException(e.getMessage(), e);
        }
        long wallMinusMonotonic = wallNanos() - System.nanoTime();
        long deadline = System.nanoTime() + discover.toNanos();
        while (true) {
            List<Track> tracks = new ArrayList<>();
            Map<String, Duration> intervals = new LinkedHashMap<>();
            boolean young = false;
            for (ExporterMetric m : metrics) {
                List<Double> gaps = new ArrayList<>();
                List<PrometheusApi.Series> found;
                try {
                    found = api.recent(m.selector(), 300);
                } catch (UncheckedIOException e) {
                    throw new SensorUnavailableException(e.getMessage(), e);
                }
                for (PrometheusApi.Series s : found) {
                    List<PrometheusApi.Sample> samples = s.samples();
                    for (int i = 1; i < samples.size(); i++) {
                        gaps.add(samples.get(i).unixSeconds() - samples.get(i - 1).unixSeconds());
                    }
                    young |= samples.size() < 2;
                    Track t = new Track(m, s.labels());
                    int[] ignored = {0};
                    samples.forEach(sample -> t.add(sample, ignored)); // the counter's history, for resets
                    double[] newest = t.pending.peekLast();
                    t.pending.clear();
                    if (newest != null) {
                        t.pending.add(newest);
                    }
                    tracks.add(t);
                }
                if (!gaps.isEmpty()) {
                    double[] g = gaps.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                    intervals.put(m.selector(), Duration.ofNanos(Math.round(g[g.length / 2] * 1e9)));
                }
            }
            if (tracks.isEmpty()) {
                throw new SensorUnavailableException("prometheus at " + api.base() + " has no series of "
                        + metrics.stream().map(ExporterMetric::selector).toList() + " in the last 5 minutes: check"
                        + " that it scrapes those exporters, and exporters=, selector= or query=");
            }
            if ((!young && !intervals.isEmpty()) || System.nanoTime() > deadline) {
                if (intervals.isEmpty()) {
                    throw new SensorUnavailableException("prometheus at " + api.base() + " has only one sample of "
                            + "each series after " + discover.toSeconds() + " s, so its scrape interval is unknown: "
                            + "let it scrape longer, or raise discover=");
                }
                List<String> down = new ArrayList<>();
                for (Map<String, String> labels : api.labelsOf("up" + upSelector + " == 0")) {
                    down.add(labels.getOrDefault("job", "?") + "/" + labels.getOrDefault("instance", "?"));
                }
                Duration w = wait != null ? wait
                        : intervals.values().stream().max(Duration::compareTo).orElseThrow().multipliedBy(2)
                        .plusSeconds(1);
                return new PrometheusSensor(api, metrics, tracks, intervals, skew, wallMinusMonotonic, w, down,
                        nodeLabel);
            }
            LockSupport.parkNanos(200_000_000L);
        }
    }

    private static long wallNanos() {
        Instant now = Clock.systemUTC().instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    @Override
    public String id() {
        return "prometheus";
    }

    @Override
    public List<PowerChannel> channels() {
        return channels;
    }


    @Override
    public void sample(Readings out, boolean boundary) {
        long now = System.nanoTime();
        boolean opening = boundary && !inWindow;
        if (boundary && inWindow) {
            inWindow = false;
            awaitSamplesAfter(now);
        } else {
            inWindow |= boundary;
            if (boundary || now - lastFetchNanos >= scrapeInterval.toNanos() / 2) {
                fetch();
            }
        }
        for (int c = 0; c < tracks.size(); c++) {
            ArrayDeque<double[]> queue = tracks.get(c).pending;
            double[] s = boundary ? queue.peekLast() : queue.poll();
            if (boundary) {
                queue.clear();
            }
            if (s == null && opening) {
                // no scrape since the last window closed: its newest sample, already handed to that window,
                // is still the reading before this one opens (back-to-back waves shorter than a scrape
                // interval would otherwise start their signal only at their first scrape inside, or after)
                s = tracks.get(c).last;
            }
            if (s != null) {
                out.set(c, s[1], toMonotonic(s[0]));
            }
        }
    }

    /** The monotonic time of a server stamp: minus the server's skew, minus this JVM's wall-monotonic offset. */
    long toMonotonic(double serverUnixSeconds) {
        double ourWallNanos = serverUnixSeconds * 1e9 - skew.skewMillis() * 1e6;
        return Math.round(ourWallNanos - wallMinusMonotonicNanos);
    }

    /** The server's Unix seconds at a monotonic time of ours. */
    double toServerSeconds(long monotonicNanos) {
        return (monotonicNanos + wallMinusMonotonicNanos + skew.skewMillis() * 1e6) / 1e9;
    }

    private void fetch() {
        long now = System.nanoTime();
        long since = lastFetchNanos == Long.MIN_VALUE ? 0 : (now - lastFetchNanos) / 1_000_000_000L;
        long seconds = Math.min(300, since + 2 * Math.max(1, (scrapeInterval.toMillis() + 999) / 1000) + 1);
        lastFetchNanos = now;
        for (ExporterMetric m : metrics) {
            for (PrometheusApi.Series s : api.recent(m.selector(), seconds)) {
                for (Track t : tracks) {
                    if (t.metric == m && t.labels.equals(s.labels())) {
                        s.samples().forEach(sample -> t.add(sample, resets));
                    }
                }
            }
        }
    }

    /**
     * Fetches until every live series has a sample stamped after {@code monotonicNanos}, or until
     * {@code wait} has passed. A series with no sample in the last three scrape intervals is a target
     * that went away: it is not waited for.
     */
    private void awaitSamplesAfter(long monotonicNanos) {
        double after = toServerSeconds(monotonicNanos);
        double stale = after - 3 * scrapeInterval.toNanos() / 1e9;
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = Math.max(50_000_000L, scrapeInterval.toNanos() / 10);
        while (true) {
            fetch();
            List<String> missing = new ArrayList<>();
            for (int c = 0; c < tracks.size(); c++) {
                Track t = tracks.get(c);
                if (t.lastSeen > stale && t.lastSeen <= after) {
                    missing.add(channels.get(c).name());
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                lateEnds++;
                System.err.println("tokenpowerbench: prometheus: no sample after the window's end arrived within "
                        + wait.toMillis() + " ms for " + missing + ": their signal ends at their last sample; raise"
                        + " wait= if the server is slow");
                return;
            }
            LockSupport.parkNanos(pause);
        }
    }

    /** The coarsest scrape interval of the metrics read: a window shorter than it is not directly measurable. */
    @Override
    public Duration updatePeriod() {
        return scrapeInterval;
    }

    @Override
    public Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("url", api.base().toString());
        env.put("scrapeIntervalMs", Long.toString(scrapeInterval.toMillis()));
        intervals.forEach((selector, d) -> env.put("scrapeIntervalMs " + selector, Long.toString(d.toMillis())));
        env.put("clockSkewMs", String.format(Locale.ROOT, "%.1f +- %.1f (server minus this host, from time())",
                skew.skewMillis(), skew.uncertaintyMillis()));
        env.put("series", Integer.toString(tracks.size()));
        env.put("targetsDown", targetsDown.isEmpty() ? "none" : String.join(", ", targetsDown));
        env.put("counterResets", Integer.toString(resets[0]));
        env.put("windowEndsWithoutData", Integer.toString(lateEnds));
        env.put("waitMs", Long.toString(wait.toMillis()));
        return env;
    }

    /** Counter resets seen since open. */
    int counterResets() {
        return resets[0];
    }

    /** The server's clock skew as measured at open. */
    PrometheusApi.ClockSkew clockSkew() {
        return skew;
    }

    @Override
    public void close() {
        // the HTTP client holds no connection that outlives a request worth closing
    }

    @Override
    public String toString() {
        return "prometheus " + api.base() + " " + Arrays.toString(channels.stream().map(PowerChannel::name).toArray());
    }
}
