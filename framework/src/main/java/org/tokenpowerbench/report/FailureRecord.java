package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of {@code failures.jsonl}: a trial could not be measured, written by the fork the
 * moment it knows, read by the host after the trial to say why in one line.
 *
 * @param invocation the command that wrote it
 * @param benchmark  the benchmark class
 * @param trial      the trial's description (its parameter values)
 * @param message    one line: what went wrong and what to do
 */
public record FailureRecord(String invocation, String benchmark, String trial, String message) {

    public static final String FILE = "failures.jsonl";

    /** For the console: {@code trial: message}. */
    public String line() {
        return trial + ": " + message;
    }

    /** Appends this record to the run folder's {@code failures.jsonl}. */
    public void appendTo(RunDirectory dir) {
        ObjectNode node = dir.newObject();
        node.put("benchmark", benchmark);
        node.put("trial", trial);
        node.put("message", message);
        dir.appendJsonLine(FILE, node);
    }

    /**
     * Every record of a run folder, in the order written; a line that does not parse (a write cut
     * short) is skipped.
     */
    public static List<FailureRecord> read(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        List<FailureRecord> out = new ArrayList<>();
        try {
            for (JsonNode n : JsonLines.read(file)) {
                out.add(new FailureRecord(n.path("invocation").asText(""), n.path("benchmark").asText(""),
                        n.path("trial").asText(""), n.path("message").asText("")));
            }
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // its callers say what to do with an unreadable file
        }
        return out;
    }
}
