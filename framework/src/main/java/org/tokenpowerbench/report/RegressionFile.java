package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.energy.EnergyRegression;
import org.tokenpowerbench.energy.EnergyRegression.Fit;
import org.tokenpowerbench.energy.EnergyRegression.Observation;

/**
 * {@code regression.json}: the regression cross-check ({@link EnergyRegression}) refit over every
 * measured iteration the run folder holds, rewritten after every trial as a {@link SweepListener}
 * on the host. JMH forks are separate JVMs, so the observations come from the energy lines of
 * {@code iterations.jsonl} ({@link EnergyRow#read}), not from memory.
 *
 * <p>Two fits ({@link EnergyRegression#fit} with {@code c} free, and
 * {@link EnergyRegression#fitAboveIdleBaseline} with {@code c} fixed to the measured idle
 * baseline) per sensor and <em>group</em> — the sweep points of one benchmark that differ only in
 * prompt count and lengths, i.e. one serving configuration ({@link #group}) — and one pooled fit per sensor and benchmark over every point ({@code "all"}),
 * which mixes batch sizes and so averages their per-token costs. Beside each fit, for every
 * attribution policy, the attribution's per-token figures over the same iterations: as measured,
 * and with the fit's own per-second term taken out ({@code (phase J − c × phase share seconds) /
 * tokens}), which is what {@code a} and {@code b} estimate; the dynamic ones (each trial's idle
 * baseline taken out the same way), which is what the fit above the idle baseline estimates; and
 * how far the attributed prefill and
 * decode totals sit from what the fit predicts for them ({@code attributed / (a·tokens + c·share
 * seconds) − 1}).
 */
public final class RegressionFile implements SweepListener {

    public static final String FILE = "regression.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public void trialEnded(SweepState state) {
        update(new RunDirectory(state.runDir()));
    }

    /**
     * The rows of each trial's latest attempt only: a sweep resumed into the same folder (or a
     * trial run again) leaves the earlier attempt's iterations in {@code iterations.jsonl}, and a
     * trial must count once. Attempts are told apart by the {@code invocation} every line carries;
     * the file is appended in time order, so the last invocation seen for a trial is its latest.
     */
    static List<EnergyRow.Line> latestAttempts(List<EnergyRow.Line> rows) {
        Map<String, String> latest = new LinkedHashMap<>();
        for (EnergyRow.Line n : rows) {
            latest.put(attemptKey(n), n.invocation());
        }
        List<EnergyRow.Line> out = new ArrayList<>();
        for (EnergyRow.Line n : rows) {
            if (latest.get(attemptKey(n)).equals(n.invocation())) {
                out.add(n);
            }
        }
        return out;
    }

    private static String attemptKey(EnergyRow.Line n) {
        return n.sensor() + "\n" + n.benchmark() + "\n" + n.trial();
    }

    /** Reads the energy lines of {@code dir} and rewrites {@code regression.json}; nothing to fit, nothing written. */
    public static void update(RunDirectory dir) {
        List<EnergyRow.Line> rows = EnergyRow.read(dir.root()).stream().filter(EnergyRow.Line::measurement).toList();
        if (rows.isEmpty()) {
            return;
        }
        rows = latestAttempts(rows);
        Map<String, List<EnergyRow.Line>> groups = new LinkedHashMap<>();
        for (EnergyRow.Line n : rows) {
            String sensor = n.sensor();
            String benchmark = n.benchmark();
            groups.computeIfAbsent(sensor + "\n" + benchmark + "\n" + n.group(), k -> new ArrayList<>()).add(n);
            groups.computeIfAbsent(sensor + "\n" + benchmark + "\nall", k -> new ArrayList<>()).add(n);
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("model", EnergyRegression.MODEL);
        root.put("rSquared", "uncentered (no intercept): 1 - RSS / sum of energy squared");
        root.put("observations", "measured iterations from iterations.jsonl (each trial's latest attempt only);"
                + " energyJ over each wave's window,"
                + " prefillTokens = prompt tokens, decodeTokens = output tokens - 1 per successful request");
        ArrayNode fits = root.putArray("fits");
        for (Map.Entry<String, List<EnergyRow.Line>> g : groups.entrySet()) {
            String[] key = g.getKey().split("\n", 3);
            fits.add(fit(key[0], key[1], key[2], g.getValue()));
        }
        Path out = dir.root().resolve(FILE);
        try {
            // a plain file, not createTempFile's owner-only one: the run folder is shared as a whole
            Path tmp = dir.root().resolve(FILE + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), root);
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out + ": " + e.getMessage(), e);
        }
    }

    private static ObjectNode fit(String sensor, String benchmark, String group, List<EnergyRow.Line> rows) {
        List<Observation> obs = new ArrayList<>();
        Set<String> trials = new LinkedHashSet<>();
        Set<String> methods = new LinkedHashSet<>();
        double baselineSum = 0;
        int baselines = 0;
        for (EnergyRow.Line n : rows) {
            double baseline = n.idleBaselineW();
            obs.add(new Observation(n.energyJ(), n.promptTokens(), n.decodeTokens(), n.seconds(), baseline));
            trials.add(n.trial());
            methods.add(n.method());
            if (Double.isFinite(baseline)) {
                baselineSum += baseline;
                baselines++;
            }
        }
        Fit free = EnergyRegression.fit(obs);
        Fit fixed = EnergyRegression.fitAboveIdleBaseline(obs);
        ObjectNode node = JSON.createObjectNode();
        node.put("sensor", sensor);
        node.put("method", String.join("+", methods));
        node.put("benchmark", benchmark);
        node.put("group", group);
        node.put("observations", obs.size());
        node.put("sweepPoints", trials.size());
        if (baselines > 0) {
            node.put("meanIdleBaselineW", baselineSum / baselines);
        }
        ObjectNode f = node.putObject("fit");
        f.put("model", "energyJ = a*prefillTokens + b*decodeTokens + c*seconds");
        if (!free.ok()) {
            f.put("problem", free.problem());
        } else {
            coefficient(f, "a_JPerPrefillToken", free.a());
            coefficient(f, "b_JPerDecodeToken", free.b());
            coefficient(f, "c_W", free.c());
            f.put("rSquared", free.rSquared());
            f.put("residualStandardErrorJ", free.residualStandardError());
        }
        ObjectNode g = node.putObject("fitAboveIdleBaseline");
        g.put("model", "energyJ - idleBaselineW*seconds = a*prefillTokens + b*decodeTokens");
        if (!fixed.ok()) {
            g.put("problem", fixed.problem());
        } else {
            coefficient(g, "a_JPerPrefillToken", fixed.a());
            coefficient(g, "b_JPerDecodeToken", fixed.b());
            g.put("rSquared", fixed.rSquared());
            g.put("residualStandardErrorJ", fixed.residualStandardError());
        }
        attribution(node.putObject("attribution"), rows, obs, free, fixed, baselines == rows.size());
        ArrayNode points = node.putArray("trials");
        trials.forEach(points::add);
        return node;
    }

    /**
     * Beside each fit, for every attribution policy, the attribution's per-token figures over the
     * same iterations: as measured, with the fit's per-second term taken out, above the idle
     * baseline, and how far the attributed totals sit from what the fits predict.
     */
    private static void attribution(ObjectNode attribution, List<EnergyRow.Line> rows, List<Observation> obs, Fit free,
                                    Fit fixed, boolean everyBaseline) {
        Set<String> policies = new LinkedHashSet<>();
        rows.forEach(n -> policies.addAll(n.policies().keySet()));
        for (String policy : policies) {
            double prefillJ = 0;
            double decodeJ = 0;
            double prefillS = 0;
            double decodeS = 0;
            double prefillDynamic = 0;
            double decodeDynamic = 0;
            double prompt = 0;
            double decode = 0;
            for (int i = 0; i < rows.size(); i++) {
                EnergyRow.Line n = rows.get(i);
                EnergyRow.PolicyFigures p = n.policies().getOrDefault(policy, new EnergyRow.PolicyFigures(0, 0, 0, 0));
                double baseline = obs.get(i).idleBaselineW();
                prefillJ += p.prefillJ();
                decodeJ += p.decodeJ();
                prefillS += p.prefillShareSeconds();
                decodeS += p.decodeShareSeconds();
                prefillDynamic += p.prefillJ() - baseline * p.prefillShareSeconds();
                decodeDynamic += p.decodeJ() - baseline * p.decodeShareSeconds();
                prompt += n.promptTokens();
                decode += n.decodeTokens();
            }
            ObjectNode a = attribution.putObject(policy);
            finite(a, "jPerPromptToken", prompt > 0 ? prefillJ / prompt : Double.NaN);
            finite(a, "jPerDecodeToken", decode > 0 ? decodeJ / decode : Double.NaN);
            if (free.ok()) {
                double c = free.c().value();
                finite(a, "jPerPromptTokenAboveC", prompt > 0 ? (prefillJ - c * prefillS) / prompt : Double.NaN);
                finite(a, "jPerDecodeTokenAboveC", decode > 0 ? (decodeJ - c * decodeS) / decode : Double.NaN);
                finite(a, "prefillVsFit", prefillJ / (free.a().value() * prompt + c * prefillS) - 1);
                finite(a, "decodeVsFit", decodeJ / (free.b().value() * decode + c * decodeS) - 1);
            }
            if (everyBaseline) {
                finite(a, "dynamicJPerPromptToken", prompt > 0 ? prefillDynamic / prompt : Double.NaN);
                finite(a, "dynamicJPerDecodeToken", decode > 0 ? decodeDynamic / decode : Double.NaN);
            }
            if (fixed.ok()) {
                finite(a, "prefillVsFitAboveIdleBaseline", prefillDynamic / (fixed.a().value() * prompt) - 1);
                finite(a, "decodeVsFitAboveIdleBaseline", decodeDynamic / (fixed.b().value() * decode) - 1);
            }
        }
    }

    private static void coefficient(ObjectNode node, String name, EnergyRegression.Coefficient c) {
        ObjectNode n = node.putObject(name);
        finite(n, "value", c.value());
        finite(n, "standardError", c.standardError());
    }

    private static void finite(ObjectNode node, String key, double value) {
        if (Double.isFinite(value)) {
            node.put(key, value);
        } else {
            node.putNull(key);
        }
    }

    /** For tests: the fits of a file written by {@link #update}. */
    static Iterator<JsonNode> fits(Path file) throws IOException {
        return JSON.readTree(file.toFile()).path("fits").elements();
    }
}
