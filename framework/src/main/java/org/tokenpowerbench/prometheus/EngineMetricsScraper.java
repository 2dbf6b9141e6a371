package org.tokenpowerbench.prometheus;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.BufferedSource;
import org.tokenpowerbench.UserError;
import org.tokenpowerbench.client.Redaction;

/**
 * Reads an engine's Prometheus {@code /metrics} around and during every wave, on a thread of its
 * own, so that a slow or failing endpoint never holds a request of the wave back. Any engine that
 * serves HTTP can be read; nothing here knows which engine it is ({@link ServerFamily} does).
 *
 * <p>When: once when opened (the engine loaded, nothing of ours in flight); at the start of every
 * wave and then every {@code -Dtpb.metricsMillis} (default 1000; 0 turns the scraper off) until
 * the wave's last answer; and once more after it, on the caller's thread, before the next wave can
 * start. The counters' boundaries of a wave are the last scrape before it with nothing of ours in
 * flight (the previous wave's closing scrape, or the opening one) and its own closing scrape:
 * between the first of these and the first send nothing of ours reached the server, so its
 * counters are the server's at the first send without the wave having to wait for a scrape.
 *
 * <p>Off, with one line said once, when the first answer is a 404 (llama-server without
 * {@code --metrics}, Ollama). Any other failure (refused, timed out after 5 s, a status other than
 * 200, a body over 16 MiB) is counted and reported with the wave and never fails the trial. Kept
 * of each scrape: the series {@link ServerFamily} reads, plus the names the user lists in
 * {@code -Dtpb.metrics=name1,name2} (a histogram or counter by its family name: its
 * {@code _bucket}, {@code _sum}, {@code _count} and {@code _total} series come with it).
 */
public final class EngineMetricsScraper implements AutoCloseable {

    /** The system property with the scrape period in milliseconds (0: no scraping). */
    public static final String PERIOD = "tpb.metricsMillis";
    /** The system property listing extra metric names to keep in the run folder. */
    public static final String NAMES = "tpb.metrics";
    /** The largest body read; a larger one is a failed scrape. */
    static final long MAX_BODY_BYTES = 16L << 20;
    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final OkHttpClient http;
    private final HttpUrl url;
    private final String apiKey;
    private final Redaction redaction;
    private final long periodMillis;
    private final Set<String> userNames;
    private final ScheduledExecutorService thread;

    private final Object lock = new Object();
    private volatile boolean off;
    private boolean answered;
    private Scrape lastIdle;
    private int generation;
    private Scrape before;
    private List<Scrape> during = new ArrayList<>();
    private int errors;
    private String firstError;
    private int malformed;
    private ScheduledFuture<?> periodic;

    private EngineMetricsScraper(HttpUrl url, String apiKey, long periodMillis, Set<String> userNames) {
        this.url = url;
        this.apiKey = apiKey;
        this.redaction = new Redaction(apiKey);
        this.periodMillis = periodMillis;
        this.userNames = Set.copyOf(userNames);
        this.http = new OkHttpClient.Builder().callTimeout(TIMEOUT).retryOnConnectionFailure(false).build();
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tpb-engine-metrics");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Opens a scraper of {@code baseUrl + metricsPath} and takes its opening scrape; null when
     * scraping is turned off ({@code -Dtpb.metricsMillis=0}) or {@code metricsPath} is null (an
     * engine that serves none). Settings come from the system properties.
     *
     * @param apiKey sent as a bearer token where the engine protects its metrics, or null
     * @throws UserError when a setting is not one we can use
     */
    public static EngineMetricsScraper open(String baseUrl, String metricsPath, String apiKey) {
        long period = periodMillis();
        Set<String> names = namesFromProperty();
        if (period == 0 || metricsPath == null) {
            return null;
        }
        HttpUrl url = HttpUrl.parse(baseUrl + (metricsPath.startsWith("/") ? "" : "/") + metricsPath);
        if (url == null) {
            throw new IllegalArgumentException("not a URL: " + baseUrl + metricsPath);
        }
        EngineMetricsScraper s = new EngineMetricsScraper(url, apiKey, period, names);
        s.opening();
        return s;
    }

    /** Whether scraping has been turned off (the first answer was a 404). */
    public boolean off() {
        return off;
    }

    /** The URL read. */
    public String url() {
        return url.toString();
    }

    /** The names the user asked to keep. */
    public Set<String> userNames() {
        return userNames;
    }

    private void opening() {
        try {
            Scrape s = fetch();
            synchronized (lock) {
                lastIdle = s;
            }
        } catch (NotServed e) {
            turnOff();
        } catch (IOException e) {
            System.err.println("tokenpowerbench: cannot read the engine's metrics at " + url + " (" + e.getMessage()
                    + "); trying again at every wave, and each wave reports its failed scrapes");
        }
    }

    /** Called just before the wave's first send: starts the scrapes during the wave, returns at once. */
    public void waveStarted() {
        if (off) {
            return;
        }
        synchronized (lock) {
            int g = ++generation;
            before = lastIdle;
            during = new ArrayList<>();
            errors = 0;
            firstError = null;
            malformed = before == null ? 0 : before.exposition().malformedLines();
            periodic = thread.scheduleWithFixedDelay(() -> during(g), 0, periodMillis, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Called after the wave's last answer: stops the scrapes during the wave, takes the closing one
     * on this thread and returns them all; null when scraping is off.
     */
    public WaveScrapes waveEnded() {
        if (off) {
            return null;
        }
        synchronized (lock) {
            if (periodic != null) {
                periodic.cancel(false);
                periodic = null;
            }
            generation++; // a scrape still in flight belongs to no wave now
        }
        Scrape after = null;
        String failure = null;
        try {
            after = fetch();
        } catch (NotServed e) {
            turnOff();
            failure = "answered 404";
        } catch (IOException e) {
            failure = e.getMessage();
        }
        synchronized (lock) {
            if (failure != null) {
                count(failure);
            } else {
                malformed += after.exposition().malformedLines();
            }
            lastIdle = after;
            return new WaveScrapes(before, during, after, errors, firstError, malformed);
        }
    }

    /** One scrape during wave {@code g}, on the scraper's thread; dropped if the wave has ended meanwhile. */
    private void during(int g) {
        Scrape s = null;
        String failure = null;
        try {
            s = fetch();
        } catch (NotServed e) {
            turnOff();
            failure = "answered 404";
        } catch (IOException | RuntimeException e) {
            failure = e.getMessage() == null ? e.toString() : e.getMessage();
        }
        synchronized (lock) {
            if (g != generation) {
                return;
            }
            if (failure != null) {
                count(failure);
            } else {
                during.add(s);
                malformed += s.exposition().malformedLines();
            }
        }
    }

    private void count(String failure) {
        errors++;
        if (firstError == null) {
            firstError = failure;
        }
    }

    private void turnOff() {
        off = true;
        System.err.println("tokenpowerbench: " + url + " answered 404: this engine serves no Prometheus metrics there,"
                + " so server-side metrics are off for this trial (llama-server serves them with --metrics)");
    }

    /** One GET, parsed and filtered; {@link NotServed} for a 404 that is the first answer. */
    private Scrape fetch() throws IOException {
        Request.Builder request = new Request.Builder().url(url).header("Accept", "text/plain;version=0.0.4");
        if (apiKey != null) {
            request.header("Authorization", "Bearer " + apiKey);
        }
        long sent = System.nanoTime();
        String body;
        try (Response response = http.newCall(request.build()).execute()) {
            if (response.code() == 404 && firstAnswer()) {
                throw new NotServed();
            }
            firstAnswer();
            if (response.code() != 200) {
                throw new IOException("HTTP " + response.code());
            }
            body = read(response.body());
        } catch (InterruptedIOException e) {
            throw new IOException("no answer within " + TIMEOUT.toMillis() + " ms", e);
        }
        long answered = System.nanoTime();
        Exposition e = ExpositionParser.parse(body).filter(s -> keeps(s.name()));
        return new Scrape(sent, answered, redacted(e));
    }

    /**
     * The kept series with the API key taken out of every label value, as the parser unescaped it:
     * an engine or proxy that echoes the request's header into a label must not put the key in
     * {@code engine-metrics.jsonl}.
     */
    private Exposition redacted(Exposition e) {
        if (!redaction.active()) {
            return e;
        }
        List<Sample> samples = new ArrayList<>(e.samples().size());
        for (Sample s : e.samples()) {
            java.util.Map<String, String> labels = new java.util.HashMap<>();
            s.labels().forEach((k, v) -> labels.put(k, redaction.apply(v)));
            samples.add(new Sample(s.name(), labels, s.value(), s.timestampMs()));
        }
        return new Exposition(samples, e.types(), e.malformedLines());
    }

    /** True the first time an answer arrives. */
    private boolean firstAnswer() {
        synchronized (lock) {
            boolean first = !answered;
            answered = true;
            return first;
        }
    }

    private static String read(ResponseBody body) throws IOException {
        if (body == null) {
            return "";
        }
        BufferedSource source = body.source();
        if (source.request(MAX_BODY_BYTES + 1)) {
            throw new IOException("a body over " + (MAX_BODY_BYTES >> 20) + " MiB");
        }
        return source.getBuffer().readString(StandardCharsets.UTF_8);
    }

    /** Whether a sample of this name is kept: one {@link ServerFamily} reads, or one of the user's families. */
    boolean keeps(String name) {
        if (ServerFamily.allNames().contains(name) || userNames.contains(name)) {
            return true;
        }
        for (String suffix : new String[] {"_total", "_sum", "_count", "_bucket"}) {
            if (name.endsWith(suffix) && userNames.contains(name.substring(0, name.length() - suffix.length()))) {
                return true;
            }
        }
        return false;
    }

    static long periodMillis() {
        String v = System.getProperty(PERIOD, "1000").trim();
        try {
            long ms = Long.parseLong(v);
            if (ms == 0 || ms >= 10 && ms <= 600_000) {
                return ms;
            }
        } catch (NumberFormatException e) {
            // falls through
        }
        throw new UserError(PERIOD + "=" + v + " is not a scrape period from 10 to 600000 ms: give e.g. -jvmArgsAppend -D"
                + PERIOD + "=500, or 0 to read no engine metrics");
    }

    static Set<String> namesFromProperty() {
        Set<String> names = new LinkedHashSet<>();
        for (String n : System.getProperty(NAMES, "").split(",")) {
            String name = n.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!ExpositionParser.isMetricName(name)) {
                throw new UserError(NAMES + " names '" + name + "', which is not a Prometheus metric name: list names"
                        + " such as vllm:num_preemptions_total, separated by commas");
            }
            names.add(name);
        }
        return names;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (periodic != null) {
                periodic.cancel(true);
            }
        }
        thread.shutdownNow();
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }

    /** The first answer was a 404: the engine serves no metrics at this path. */
    private static final class NotServed extends IOException {
        NotServed() {
            super("answered 404", null);
        }
    }
}
