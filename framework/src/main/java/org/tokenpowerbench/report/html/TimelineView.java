package org.tokenpowerbench.report.html;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The page's view of one wave at a time: every sensor's power over the wave (from the run
 * folder's {@code power-<sensor>-<pid>-<n>.csv}), the prefill / decode / idle split of that power
 * stacked under it ({@link PhaseShares}), and every request as a bar — queue, prefill, decode — on
 * the same clock (from {@code requests.csv}), with the wave's warnings and joules beside it.
 *
 * <p>Each wave's figures sit in a {@code <script type="application/json">} block of their own
 * that the page parses only when the wave is chosen, so a run of many big waves opens as fast as
 * a small one. The power line is thinned for drawing ({@link PowerEnvelope}); requests are all
 * drawn. Waves kept: every measured wave while the run has at most {@link #ALL_WAVES_UP_TO}
 * measured requests, else the last measured wave of each trial (the page says which).
 */
final class TimelineView {

    static final int ALL_WAVES_UP_TO = 200_000;
    static final int POWER_BUCKETS = 1000;
    static final int SHARE_BUCKETS = 400;
    private static final Pattern POWER_FILE = Pattern.compile("power-(.+)-(\\d+)-(\\d+)\\.csv");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A wave with what the page draws for it, filled as the power files are read. */
    private static final class Drawn {
        final MeasuredWave wave;
        final List<ObjectNode> power = new ArrayList<>();
        final List<ObjectNode> shares = new ArrayList<>();

        Drawn(MeasuredWave wave) {
            this.wave = wave;
        }
    }

    private TimelineView() {
    }

    static void append(StringBuilder h, RunRecords run, RequestScan scan) {
        h.append("<h2 id=\"tpb-wave-view\">One wave: power and requests</h2>\n");
        if (scan.drawn().isEmpty()) {
            h.append("<p class=\"note\">No measured wave in ").append(org.tokenpowerbench.report.RequestsFile.FILE)
                    .append(": nothing to draw.</p>\n");
            return;
        }
        long requests = scan.measuredRequests();
        List<Drawn> kept = new ArrayList<>();
        scan.drawn().forEach(w -> kept.add(new Drawn(w)));
        readPower(run, kept);
        WaveNotes notes = WaveNotes.read(run.runDir());
        h.append("<p class=\"note\">Top: each sensor's <code>power_W</code> (the mean over the interval ending at each")
                .append(" sample, drawn as steps; where a wave has more than ").append(2 * POWER_BUCKETS)
                .append(" samples, each of ").append(POWER_BUCKETS).append(" time buckets keeps its lowest and highest")
                .append(" sample, for drawing only). Middle: that power split among prefill, decode and idle the way the")
                .append(" attribution splits it (each instant to the phases then in flight by the sensor's policy; idle")
                .append(" when none is), mean watts over ").append(SHARE_BUCKETS).append(" buckets of the wave's window,")
                .append(" first send to last token; the joules in the tables are the attribution's own. Bottom: every")
                .append(" request, <span class=\"k-queue\">queue</span> (due to sent), <span class=\"k-prefill\">prefill")
                .append("</span> (sent to first token), <span class=\"k-decode\">decode</span> (first to last token);")
                .append(" red: failed. Seconds after the wave's first send. Drag the slider or scroll to zoom.</p>\n");
        if (kept.size() < scan.measuredWaves()) {
            h.append("<p class=\"note\">This run has ").append(requests).append(" measured requests: the page keeps the")
                    .append(" last measured wave of each trial, for as many trials as fit in ").append(ALL_WAVES_UP_TO)
                    .append(" requests (").append(kept.size()).append(" of ").append(scan.measuredWaves())
                    .append(" waves); requests.csv and the power files hold them all, and every table and distribution")
                    .append(" on this page counts every request.</p>\n");
        }
        h.append("<div class=\"wave-pick\"><label>trial <select id=\"tpb-wave-trial\"></select></label> ")
                .append("<label>iteration <select id=\"tpb-wave-iteration\"></select></label></div>\n")
                .append("<div id=\"tpb-wave-facts\" class=\"note\"></div>\n")
                .append("<div class=\"chart timeline\" id=\"tpb-timeline\"></div>\n");
        ArrayNode index = JSON.createArrayNode();
        StringBuilder blocks = new StringBuilder();
        String first = firstTrial(run, kept);
        int chosen = -1;
        for (int i = 0; i < kept.size(); i++) {
            Drawn d = kept.get(i);
            MeasuredWave w = d.wave;
            ObjectNode entry = index.addObject();
            entry.put("id", "tpb-wave-" + i);
            entry.put("trial", w.trial());
            entry.put("iteration", w.iteration());
            entry.put("invocation", w.invocation());
            entry.put("requests", w.requests().size());
            if (w.trial().equals(first)) {
                chosen = i; // the last measured wave of the first trial
            }
            blocks.append("<script type=\"application/json\" id=\"tpb-wave-").append(i).append("\">")
                    .append(ScriptJson.embed(waveJson(d, notes))).append("</script>\n");
        }
        ObjectNode head = JSON.createObjectNode();
        head.put("chosen", Math.max(chosen, 0));
        head.set("waves", index);
        h.append("<script type=\"application/json\" id=\"tpb-waves\">").append(ScriptJson.embed(head.toString()))
                .append("</script>\n").append(blocks);
    }

    /** The first complete trial of the results that has a wave; else the first wave's trial. */
    private static String firstTrial(RunRecords run, List<Drawn> kept) {
        for (var t : run.trials()) {
            String d = TrialDescription.of(t.params());
            if (kept.stream().anyMatch(k -> k.wave.trial().equals(d))) {
                return d;
            }
        }
        return kept.get(0).wave.trial();
    }

    /** Reads every power file once, one at a time, and hands each kept wave its sensors' samples. */
    private static void readPower(RunRecords run, List<Drawn> kept) {
        Map<String, List<Drawn>> byKey = new HashMap<>();
        kept.forEach(d -> byKey.computeIfAbsent(d.wave.key(), k -> new ArrayList<>()).add(d));
        Map<String, String> policies = new HashMap<>();
        run.sensors().forEach(s -> policies.putIfAbsent(s.sensor(), s.policy()));
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(run.runDir(), "power-*.csv")) {
            dir.forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + run.runDir() + ": " + e.getMessage(), e);
        }
        files.sort(null);
        for (Path file : files) {
            Matcher m = POWER_FILE.matcher(file.getFileName().toString());
            if (!m.matches()) {
                continue;
            }
            String sensor = m.group(1);
            // each write of a wave's trace makes a file of its own (power-<sensor>-<pid>-<n>.csv): a file
            // whose first row belongs to no drawn wave holds none, and a big run has a thousand of them
            String firstKey = CsvFile.first(file, r -> WaveNotes.key(r.text("trial_id"), r.text("iteration"),
                    r.text("invocation")));
            if (firstKey == null || !byKey.containsKey(firstKey)) {
                continue;
            }
            Map<String, Samples> rows = new LinkedHashMap<>();
            CsvFile.forEach(file, r -> {
                String key = WaveNotes.key(r.text("trial_id"), r.text("iteration"), r.text("invocation"));
                if (byKey.containsKey(key)) {
                    rows.computeIfAbsent(key, k -> new Samples()).add(r.number("t_unix_ms"), r.number("power_W"));
                }
            });
            rows.forEach((key, samples) -> {
                double[] t = samples.time();
                double[] w = samples.watts();
                for (Drawn d : byKey.get(key)) {
                    double start = d.wave.startMs();
                    double end = d.wave.endMs();
                    if (t.length == 0 || t[t.length - 1] < start || t[0] > end) {
                        continue; // the other fork's wave of the same name
                    }
                    draw(d, sensor, policies.getOrDefault(sensor, "token-weighted"), t, w);
                }
            });
        }
    }

    private static void draw(Drawn d, String sensor, String policy, double[] t, double[] w) {
        MeasuredWave wave = d.wave;
        double origin = wave.firstSendMs();
        double start = wave.startMs();
        double end = wave.endMs();
        double pad = Math.max(0.05 * (end - start), 1);
        PowerEnvelope env = PowerEnvelope.of(t, w, start - pad, end + pad, POWER_BUCKETS);
        ObjectNode p = JSON.createObjectNode();
        p.put("sensor", sensor);
        p.put("samples", env.samples());
        p.put("decimated", env.decimated());
        ArrayNode points = p.putArray("points");
        for (int i = 0; i < env.timeMs().length; i++) {
            points.addArray().add(seconds(env.timeMs()[i] - origin)).add(round(env.watts()[i]));
        }
        d.power.add(p);
        if (end > origin) {
            PhaseShares s = PhaseShares.of(wave.requests(), t, w, policy, origin, end, SHARE_BUCKETS);
            ObjectNode n = JSON.createObjectNode();
            n.put("sensor", sensor);
            n.put("policy", policy);
            n.put("uncoveredMs", s.uncovered());
            ArrayNode rows = n.putArray("buckets");
            for (int b = 0; b < s.prefillW().length; b++) {
                rows.addArray().add(seconds(s.fromMs() + (b + 0.5) * s.widthMs() - origin)).add(round(s.prefillW()[b]))
                        .add(round(s.decodeW()[b])).add(round(s.idleW()[b]));
            }
            d.shares.add(n);
        }
    }

    private static String waveJson(Drawn d, WaveNotes notes) {
        MeasuredWave w = d.wave;
        double origin = w.firstSendMs();
        ObjectNode n = JSON.createObjectNode();
        n.put("trial", w.trial());
        n.put("iteration", w.iteration());
        n.put("invocation", w.invocation());
        n.put("originUnixMs", origin);
        ArrayNode requests = n.putArray("requests");
        for (RequestLine r : w.requests()) {
            ArrayNode a = requests.addArray().add(r.request());
            for (double v : new double[] {r.queuedMs(), r.sentMs(), r.firstTokenMs(), r.lastTokenMs()}) {
                if (Double.isFinite(v)) {
                    a.add(seconds(v - origin));
                } else {
                    a.addNull();
                }
            }
            a.add(r.failed() ? 1 : 0);
        }
        d.power.forEach(n.withArray("power")::add);
        d.shares.forEach(n.withArray("shares")::add);
        ArrayNode warnings = n.putArray("warnings");
        notes.warnings(w.key()).forEach(warnings::add);
        ArrayNode energy = n.putArray("energy");
        for (WaveNotes.Energy e : notes.energy(w.key())) {
            ObjectNode o = energy.addObject();
            o.put("sensor", e.sensor()).put("method", e.method()).put("policy", e.policy());
            finite(o, "energyJ", e.energyJ());
            finite(o, "prefillJ", e.prefillJ());
            finite(o, "decodeJ", e.decodeJ());
            finite(o, "idleJ", e.idleJ());
            finite(o, "seconds", e.seconds());
        }
        return n.toString();
    }

    private static void finite(ObjectNode o, String key, double v) {
        if (Double.isFinite(v)) {
            o.put(key, v);
        }
    }

    /** Milliseconds as seconds to the microsecond: the run folder's resolution, and short JSON. */
    private static double seconds(double ms) {
        return Math.round(ms * 1e3) / 1e6;
    }

    /** Watts to five significant digits: more than any sensor resolves, and short JSON. */
    private static double round(double w) {
        if (w == 0 || !Double.isFinite(w)) {
            return w;
        }
        return new java.math.BigDecimal(w).round(new java.math.MathContext(5)).doubleValue();
    }

    /** A file's samples for one wave key, as they are read. */
    private static final class Samples {
        private double[] t = new double[1024];
        private double[] w = new double[1024];
        private int n;

        void add(double time, double watts) {
            if (n == t.length) {
                t = java.util.Arrays.copyOf(t, 2 * n);
                w = java.util.Arrays.copyOf(w, 2 * n);
            }
            t[n] = time;
            w[n++] = watts;
        }

        double[] time() {
            return java.util.Arrays.copyOf(t, n);
        }

        double[] watts() {
            return java.util.Arrays.copyOf(w, n);
        }
    }
}
