package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code cross-checks.json}: where two sensors measured the same scope in the same wave (NVML and
 * DCGM through Prometheus for the GPUs; RAPL and node exporter for the CPU), their energies are
 * never added: they are compared, wave by wave, as the difference of the second from the first in
 * percent. Both sensors' figures cover the same window (the wave's, from the same ledger), so a
 * difference is the sensors', not the timing's. Rewritten after each trial; at the end of the sweep
 * one console line per pair of sensors and scope.
 *
 * <p>Only meaningful when both see the same devices: a Prometheus sensor reads every GPU its
 * selector matches, so narrow it to the node the benchmark runs on ({@code selector={instance=~"this-host:.*"}}).
 */
public final class ScopeCrossCheck implements SweepListener {

    public static final String FILE = "cross-checks.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One wave's energy in one scope from two sensors. */
    public record Check(String invocation, String trialId, String iteration, String scope, String first, String second,
                        double firstJ, double secondJ) {

        /** (second − first) / first, in percent; NaN when the first measured nothing. */
        public double differencePercent() {
            return firstJ != 0 ? (secondJ - firstJ) / firstJ * 100 : Double.NaN;
        }
    }

    private final PrintStream out;

    public ScopeCrossCheck() {
        this(System.out);
    }

    ScopeCrossCheck(PrintStream out) {
        this.out = out;
    }

    /**
     * Every pair of sensors that measured a scope in the same wave, from the energy lines of
     * {@code iterations.jsonl} ({@code energyJ.<scope>} per sensor); sensors in name order.
     */
    public static List<Check> read(Path runDir) {
        Map<String, Map<String, Map<String, Double>>> byWave = new LinkedHashMap<>(); // wave -> scope -> sensor -> J
        for (JsonNode n : JsonLines.read(runDir.resolve(EnergyRow.FILE))) {
            if (!"energy".equals(n.path("kind").asText())) {
                continue;
            }
            String wave = n.path("invocation").asText("") + "\n" + n.path("trialId").asText() + "\n"
                    + n.path("iterationId").asText();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                if (f.getKey().startsWith("energyJ.") && f.getValue().isNumber()) {
                    byWave.computeIfAbsent(wave, k -> new TreeMap<>())
                            .computeIfAbsent(f.getKey().substring("energyJ.".length()), k -> new TreeMap<>())
                            .put(n.path("sensor").asText(), f.getValue().asDouble());
                }
            }
        }
        List<Check> checks = new ArrayList<>();
        byWave.forEach((wave, scopes) -> {
            String[] key = wave.split("\n", 3);
            scopes.forEach((scope, sensors) -> {
                List<String> names = new ArrayList<>(sensors.keySet());
                for (int i = 0; i < names.size(); i++) {
                    for (int j = i + 1; j < names.size(); j++) {
                        checks.add(new Check(key[0], key[1], key[2], scope, names.get(i), names.get(j),
                                sensors.get(names.get(i)), sensors.get(names.get(j))));
                    }
                }
            });
        });
        return checks;
    }

    @Override
    public void trialEnded(SweepState state) {
        write(state.runDir(), read(state.runDir()));
    }

    @Override
    public void sweepEnded(SweepState state) {
        List<Check> checks = read(state.runDir());
        write(state.runDir(), checks);
        Map<String, List<Double>> pairs = new TreeMap<>();
        for (Check c : checks) {
            if (c.iteration().startsWith("measurement") && Double.isFinite(c.differencePercent())) {
                pairs.computeIfAbsent(c.scope() + "\n" + c.first() + "\n" + c.second(), k -> new ArrayList<>())
                        .add(c.differencePercent());
            }
        }
        pairs.forEach((key, diffs) -> {
            String[] k = key.split("\n", 3);
            double mean = diffs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double max = diffs.stream().mapToDouble(Math::abs).max().orElse(Double.NaN);
            out.printf(Locale.ROOT, "tokenpowerbench: %s energy by %s and %s: %s differs by %+.1f %% on average over"
                    + " %d waves (largest %.1f %%); %s%n", k[0], k[1], k[2], k[2], mean, diffs.size(), max, FILE);
        });
    }

    private static void write(Path runDir, List<Check> checks) {
        if (checks.isEmpty()) {
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        root.put("differencePercent", "(second - first) / first * 100, over the same wave's window");
        ArrayNode list = root.putArray("checks");
        for (Check c : checks) {
            ObjectNode n = list.addObject();
            n.put("invocation", c.invocation());
            n.put("trialId", c.trialId());
            n.put("iterationId", c.iteration());
            n.put("scope", c.scope());
            n.put("first", c.first());
            n.put("second", c.second());
            n.put("firstJ", c.firstJ());
            n.put("secondJ", c.secondJ());
            if (Double.isFinite(c.differencePercent())) {
                n.put("differencePercent", c.differencePercent());
            }
        }
        Path file = runDir.resolve(FILE);
        try {
            WholeFile.replace(file, o -> JSON.writerWithDefaultPrettyPrinter().writeValue(o, root));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
