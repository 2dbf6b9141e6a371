package org.tokenpowerbench.sweep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputFilter;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.RunResult;
import org.tokenpowerbench.report.RunDirectory;
import org.tokenpowerbench.report.WholeFile;

/**
 * The trials of a run folder and how each ended: one line per finished trial in
 * {@code trials.jsonl} ({@code {"trial":3,"benchmark":...,"params":{...},"status":"complete",
 * "file":"trials/003.ser","time":...,"invocation":...}}) and its JMH results, serialized as JMH itself sends them
 * from a fork to the host, in {@code trials/NNN.ser}. Lines are only appended: for a trial recorded
 * more than once (a failed trial run again), the last line counts. The results file is written
 * whole before its line, and the line in one forced write that is undone if it fails, so a line
 * never names results that are not there; a line that does not parse (a file from a crash of an
 * older version) is ignored, so its trial counts as not run.
 */
final class TrialLedger {

    static final String FILE = "trials.jsonl";
    static final String COMPLETE = "complete";
    static final String FAILED = "failed";

    /** What a {@code .ser} file may hold: JMH's results and ours, nothing else. */
    private static final ObjectInputFilter RESULTS_ONLY = ObjectInputFilter.Config.createFilter(
            "maxdepth=256;java.base/*;org.openjdk.jmh.**;org.tokenpowerbench.**;!*");

    private static final ObjectMapper JSON = new ObjectMapper();

    /** One line of the ledger. */
    record Entry(int number, Trial trial, String status, String file, String settings) {
        boolean complete() {
            return COMPLETE.equals(status);
        }
    }

    private final Path runDir;
    private final List<Entry> entries = new ArrayList<>();
    private int lines;

    /** Reads the ledger of {@code runDir}; none yet is an empty ledger. */
    TrialLedger(Path runDir) throws IOException {
        this.runDir = runDir;
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            return;
        }
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            lines++;
            Entry e = parse(line);
            if (e != null) {
                entries.add(e);
            }
        }
    }

    /** Whether {@code dir} holds a ledger: a sweep that {@code --resume} can go on with. */
    static boolean exists(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE));
    }

    private static Entry parse(String line) {
        try {
            JsonNode n = JSON.readTree(line);
            JsonNode params = n.get("params");
            if (!n.path("benchmark").isTextual() || params == null || !params.isObject()) {
                return null;
            }
            Map<String, String> p = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = params.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                p.put(f.getKey(), f.getValue().asText());
            }
            JsonNode file = n.get("file");
            JsonNode settings = n.get("settings");
            return new Entry(n.path("trial").asInt(), new Trial(n.get("benchmark").asText(), p),
                    n.path("status").asText(), file == null || file.isNull() ? null : file.asText(),
                    settings == null || settings.isNull() ? null : settings.asText());
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The last record of the first of {@code trials} that is complete here but was measured with
     * other settings than {@code now}, or null when every complete one matches (or says nothing).
     */
    Entry measuredOtherwise(List<Trial> trials, MeasurementSettings now) {
        for (Trial t : trials) {
            Entry e = last(t);
            if (e != null && e.complete() && e.settings() != null && !e.settings().equals(now.text())) {
                return e;
            }
        }
        return null;
    }

    /** The trials recorded so far, one entry per line, in order. */
    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** The last record of {@code trial}, or null when it was never recorded. */
    Entry last(Trial trial) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).trial().equals(trial)) {
                return entries.get(i);
            }
        }
        return null;
    }

    /**
     * The results of {@code trial} when its last record says complete, or null when it has none
     * (never run, or failed).
     *
     * @throws IOException when the record is complete but its results cannot be read back (a file
     *                     removed, or written by an incompatible version)
     */
    List<RunResult> completeResults(Trial trial) throws IOException {
        Entry e = last(trial);
        if (e == null || !e.complete()) {
            return null;
        }
        if (e.file() == null) {
            throw new IOException("its record names no results file");
        }
        return read(runDir.resolve(e.file()));
    }

    /** Reads the results that {@link #record} wrote. */
    static List<RunResult> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file); ObjectInputStream objects = new ObjectInputStream(in)) {
            objects.setObjectInputFilter(RESULTS_ONLY);
            Object o = objects.readObject();
            List<RunResult> out = new ArrayList<>();
            if (!(o instanceof List<?> list)) {
                throw new IOException(file + " does not hold a list of results");
            }
            for (Object r : list) {
                if (!(r instanceof RunResult rr)) {
                    throw new IOException(file + " holds " + (r == null ? "null" : r.getClass().getName())
                            + " where a result belongs");
                }
                out.add(rr);
            }
            return out;
        } catch (ClassNotFoundException | RuntimeException e) {
            throw new IOException(file + ": " + e, e);
        }
    }

    /**
     * Records a finished trial: its results (if any) to {@code trials/NNN.ser}, then its line.
     *
     * @return the line's entry
     */
    Entry record(Trial trial, boolean complete, Collection<RunResult> results) throws IOException {
        return record(trial, complete, results, null, List.of());
    }

    /**
     * As above, with the measurement settings of the command that ran it ({@link MeasurementSettings},
     * null when unknown), which a resumed sweep must match, and why a failed trial failed
     * ({@code "reasons"} on its line; none for a complete one): a run folder resumed after a failure
     * keeps the failed attempt's line and its waves, and the line says what stopped it (an
     * interruption, an engine that died, failed requests) where {@code summary.json} no longer lists
     * the trial as failed once it has run again.
     */
    Entry record(Trial trial, boolean complete, Collection<RunResult> results, MeasurementSettings settings,
                 List<String> reasons) throws IOException {
        int number = lines + 1;
        String file = null;
        if (!results.isEmpty()) {
            file = "trials/" + String.format("%03d", number) + ".ser";
            ArrayList<RunResult> list = new ArrayList<>(results);
            WholeFile.replace(runDir.resolve(file), out -> {
                ObjectOutputStream objects = new ObjectOutputStream(out);
                objects.writeObject(list);
                objects.flush();
            });
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("trial", number);
        line.put("benchmark", trial.benchmark());
        ObjectNode params = line.putObject("params");
        trial.params().forEach(params::put);
        line.put("status", complete ? COMPLETE : FAILED);
        line.put("file", file);
        if (!complete && !reasons.isEmpty()) {
            reasons.forEach(line.putArray("reasons")::add);
        }
        if (settings != null) {
            line.put("settings", settings.text());
        }
        line.put("time", Instant.now().toString());
        line.put("invocation", RunDirectory.invocation());
        Path ledger = runDir.resolve(FILE);
        String text = line + "\n";
        if (Files.exists(ledger) && Files.size(ledger) > 0 && !endsWithNewline(ledger)) {
            text = "\n" + text; // a line cut short stays on its own
        }
        try {
            new RunDirectory(runDir).append(FILE, null, text); // one write, forced, undone if it fails
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        lines++;
        Entry e = new Entry(number, trial, complete ? COMPLETE : FAILED, file,
                settings == null ? null : settings.text());
        entries.add(e);
        return e;
    }

    private static boolean endsWithNewline(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            ch.position(ch.size() - 1);
            ByteBuffer last = ByteBuffer.allocate(1);
            ch.read(last);
            return last.get(0) == '\n';
        }
    }

}
