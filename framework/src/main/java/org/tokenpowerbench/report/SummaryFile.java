package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tokenpowerbench.energy.TrialBudget;

/**
 * {@code summary.json}: every complete trial's results so far and the trials of this command
 * that failed, replaced as a whole ({@link WholeFile}) after every trial (a listener of the sweep), so a sweep that
 * stops in trial 7 leaves the summary of trials 1 to 6. {@link #read} gives it back as records.
 *
 * <pre>{"tool":"TokenPowerBench for Java",
 *  "trials":[{"benchmark":..., "params":{...}, "wave":{"score","error","unit"},
 *             "metrics":{"nvml.J/outputToken":{"score","error","unit","samples","forkMeans":[...],
 *                          "errorBudget":{"iterationsHalfWidth95","measurementHalfWidth95",
 *                                         "betweenRunsHalfWidth95" (null with one fork, then "betweenRunsNote"),
 *                                         "forks","halfWidth95"}}, ...}}],
 *  "failed":[{"benchmark":..., "params":{...}, "reasons":["..."]}]}</pre>
 * A figure with a per-wave budget ({@code <label>.err}) gets its trial's {@code errorBudget}
 * ({@link TrialBudget}): written for readers, not read back ({@code forkMeans} is).
 */
public final class SummaryFile implements SweepListener {

    public static final String NAME = "summary.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The summary as read back. */
    public record Summary(List<TrialResult> trials, List<FailedTrial> failed) {
    }

    @Override
    public void sweepStarted(SweepState state) {
        write(state);
    }

    @Override
    public void trialEnded(SweepState state) {
        write(state);
    }

    @Override
    public void sweepEnded(SweepState state) {
        write(state);
    }

    /**
     * Replaces {@code summary.json} in the state's run folder.
     *
     * @throws java.io.UncheckedIOException when it cannot be written
     */
    public static void write(SweepState state) {
        ObjectNode root = JSON.createObjectNode();
        root.put("tool", "TokenPowerBench for Java");
        ArrayNode trials = root.putArray("trials");
        for (TrialResult r : state.results()) {
            ObjectNode t = trials.addObject();
            t.put("benchmark", r.benchmark());
            ObjectNode params = t.putObject("params");
            r.params().forEach(params::put);
            put(t.putObject("wave"), r.wave()).remove("samples");
            ObjectNode metrics = t.putObject("metrics");
            r.metrics().forEach((label, m) -> {
                ObjectNode node = put(metrics.putObject(label), m);
                Metric err = r.metrics().get(label + ".err");
                if (err != null) {
                    budget(node.putObject("errorBudget"), m, err);
                }
            });
        }
        ArrayNode failed = root.putArray("failed");
        for (FailedTrial f : state.failed()) {
            ObjectNode t = failed.addObject();
            t.put("benchmark", f.benchmark());
            ObjectNode params = t.putObject("params");
            f.params().forEach(params::put);
            ArrayNode reasons = t.putArray("reasons");
            f.reasons().forEach(reasons::add);
        }
        Path file = state.runDir().resolve(NAME);
        try {
            WholeFile.replace(file, out -> JSON.writerWithDefaultPrettyPrinter().writeValue(out, root));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(RunDirectory.cannotWrite(file, e), e);
        }
    }

    private static ObjectNode put(ObjectNode node, Metric m) {
        node.put("score", m.score());
        node.put("error", m.error());
        node.put("unit", m.unit());
        node.put("samples", m.samples());
        if (!m.forkMeans().isEmpty()) {
            ArrayNode forks = node.putArray("forkMeans");
            m.forkMeans().forEach(forks::add);
        }
        return node;
    }

    /**
     * A figure's trial budget ({@link TrialBudget}): its 95 % terms, their root-sum-square, and why
     * the between-runs term is absent where it is.
     */
    private static void budget(ObjectNode node, Metric m, Metric err) {
        TrialBudget b = TrialBudget.of(m.error(), m.samples(), err.score(), m.forkMeanArray());
        node.put("iterationsHalfWidth95", b.iterations());
        node.put("measurementHalfWidth95", b.measurement());
        if (b.betweenRunsMeasured()) {
            node.put("betweenRunsHalfWidth95", b.betweenRuns());
        } else {
            node.putNull("betweenRunsHalfWidth95");
            node.put("betweenRunsNote", b.betweenRunsNote());
        }
        node.put("forks", b.forks());
        node.put("halfWidth95", b.hasWidth() ? b.halfWidth() : Double.NaN);
    }

    /**
     * Reads {@code summary.json} of a run folder.
     *
     * @throws IOException with what is wrong, for a line that names the file: not UTF-8, not JSON, not a
     *                     summary, or a {@code forkMeans} that is not a list of numbers
     */
    public static Summary read(Path runDir) throws IOException {
        JsonNode root;
        try {
            root = JSON.readTree(utf8(java.nio.file.Files.readAllBytes(runDir.resolve(NAME))));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the parser's own words name its settings and internals; the reader needs where and what
            String what = e.getOriginalMessage();
            int advice = what.indexOf(": enable ");
            com.fasterxml.jackson.core.JsonLocation at = e.getLocation();
            throw new IOException("it is not valid JSON" + (at == null ? "" : " at line " + at.getLineNr() + ", column "
                    + at.getColumnNr()) + " (" + (advice > 0 ? what.substring(0, advice) : what).lines().findFirst()
                    .orElse("") + "); the file was edited or damaged: restore it, or rerun the sweep");
        }
        // an empty file, or another shape, is no summary: once it made a report of no trials over a good page
        if (root == null || !root.isObject() || !root.path("trials").isArray()
                || root.has("failed") && !root.get("failed").isArray()) {
            throw new IOException("it is not a run's summary (an object with a list of trials); the file was edited or"
                    + " damaged: rebuild the folder's records with the run, or restore it");
        }
        List<TrialResult> trials = new ArrayList<>();
        int number = 0;
        for (JsonNode t : root.path("trials")) {
            number++;
            Map<String, Metric> metrics = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = t.path("metrics").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> m = it.next();
                metrics.put(m.getKey(), metric(m.getValue(), "trial " + number + "'s metric " + m.getKey()));
            }
            trials.add(new TrialResult(t.path("benchmark").asText(), params(t.path("params")),
                    metric(t.path("wave"), "trial " + number + "'s wave"), metrics));
        }
        List<FailedTrial> failed = new ArrayList<>();
        for (JsonNode f : root.path("failed")) {
            List<String> reasons = new ArrayList<>();
            f.path("reasons").forEach(r -> reasons.add(r.asText()));
            failed.add(new FailedTrial(f.path("benchmark").asText(), params(f.path("params")), reasons));
        }
        return new Summary(trials, failed);
    }

    /**
     * The text of the file's bytes, which must be UTF-8 (JSON's encoding, and the one we write): a
     * binary file once reached the reader as the decoder's "Input length = 1", and Jackson's own
     * guess at an encoding (UTF-16, UTF-32) reads one as something else.
     */
    private static String utf8(byte[] bytes) throws IOException {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT).decode(in, out, true);
        if (r.isError()) {
            throw new IOException("it is not UTF-8 JSON (byte " + in.position() + " of " + bytes.length + " is no UTF-8;"
                    + " a binary file, or text in another encoding); the file was edited or damaged: restore it, or"
                    + " rerun the sweep");
        }
        out.flip();
        String text = out.toString();
        return !text.isEmpty() && text.charAt(0) == 0xFEFF ? text.substring(1) : text; // a byte order mark some editors add
    }

    /**
     * A figure; its {@code forkMeans}, where present and not null, must be a list of numbers: another
     * value once fell back to the iterations without a word, which changes a comparison's interval.
     *
     * @param where which figure, for the message
     */
    private static Metric metric(JsonNode n, String where) throws IOException {
        List<Double> forks = new ArrayList<>();
        JsonNode means = n.path("forkMeans");
        if (!means.isMissingNode() && !means.isNull()) {
            if (!means.isArray() || means.isEmpty()) {
                throw new IOException("the field forkMeans of " + where + " is " + abbreviated(means) + " where a list"
                        + " of numbers belongs, one per fork (or no field); the file was edited or damaged: restore it,"
                        + " or rerun the sweep");
            }
            for (JsonNode f : means) {
                if (!f.isNumber() && !f.isTextual()) {
                    throw new IOException("the field forkMeans of " + where + " holds " + abbreviated(f) + " where a"
                            + " number belongs; the file was edited or damaged: restore it, or rerun the sweep");
                }
                forks.add(number(f));
            }
        }
        return new Metric(number(n.path("score")), number(n.path("error")), n.path("unit").asText(""),
                n.path("samples").asLong(1), forks);
    }

    /**
     * Jackson writes NaN as the string "NaN"; read it back as the number. Other text is refused with
     * one line (it once ended the report with exit 70 and a stack trace).
     */
    private static double number(JsonNode n) {
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (!n.isTextual()) {
            return Double.NaN;
        }
        try {
            return Double.parseDouble(n.asText());
        } catch (NumberFormatException e) {
            throw new org.tokenpowerbench.UserError("report: " + NAME + " holds '" + n.asText() + "' where a number"
                    + " belongs; the file was edited or damaged: restore it, or rerun the trial");
        }
    }

    private static String abbreviated(JsonNode n) {
        String s = n.toString();
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static Map<String, String> params(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
