package org.tokenpowerbench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The folder a run writes as it goes: every wave's requests, every iteration's energy and every
 * failure are appended and flushed the moment they are known, so a sweep that fails in trial 7
 * keeps trials 1 to 6 on disk.
 *
 * <p>Files: each has its schema in a class of this package ({@link RequestsFile},
 * {@link RequestEnergyFile}, {@link PowerTraceFile}, {@link TrialAxesFile}, {@link EnergyRow},
 * {@link RequestsRow}, {@link IdleBaselineRow}, {@link SensorRow}, {@link RunClock},
 * {@link EngineMetricsFile}, {@link FailureRecord}, {@link SummaryFile}, {@link RegressionFile}); {@code docs/run-folder.md}
 * lists them for users.
 * The folder comes from the system property {@code tpb.runDir}, which our {@code Main} sets for
 * every fork; without it, {@code tpb-results/latest}.
 *
 * <p>Every CSV row and every JSON line carries the {@code invocation} that
 * wrote it (the system property {@code tpb.invocation}, set by {@code Main} once per command):
 * a sweep resumed into the same folder keeps the rows of its failed attempt, and this column
 * tells them from the rows of the attempt that completed.
 */
public final class RunDirectory {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Object LOCK = new Object();

    /** The system property naming the command (one {@code java -jar} run) that writes. */
    public static final String INVOCATION = "tpb.invocation";

    private final Path root;

    public RunDirectory(Path root) {
        this.root = root;
    }

    /** The run folder of this JVM. */
    public static RunDirectory current() {
        return new RunDirectory(Path.of(System.getProperty("tpb.runDir", "tpb-results/latest")));
    }

    public Path root() {
        return root;
    }

    public ObjectNode newObject() {
        ObjectNode node = JSON.createObjectNode();
        node.put("invocation", invocation());
        return node;
    }

    /** This JVM's invocation, or {@code unknown} when it was not started by {@code Main}. */
    public static String invocation() {
        return System.getProperty(INVOCATION, "unknown");
    }

    /** Appends one JSON object as a line of {@code file}. */
    public void appendJsonLine(String file, ObjectNode node) {
        append(file, null, node.toString() + "\n");
    }

    /**
     * Appends raw text to {@code file}, writing {@code header} first if the file is new: in one
     * write, forced to the device, so that a row is on disk once this returns. A write that fails
     * (a full disk, a read-only or vanished folder) is undone back to the file's previous length,
     * so no row is left cut in half, and thrown: the caller's iteration fails with the reason
     * instead of a measurement going on without its rows.
     *
     * @throws UncheckedIOException naming the file, the cause and what to do
     */
    public void append(String file, String header, String text) {
        synchronized (LOCK) {
            Path path = root.resolve(file);
            try {
                Files.createDirectories(root);
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    long before = ch.size();
                    String all = before == 0 && header != null ? header + text : text;
                    ByteBuffer bytes = ByteBuffer.wrap(all.getBytes(StandardCharsets.UTF_8));
                    try {
                        ch.position(before);
                        while (bytes.hasRemaining()) {
                            ch.write(bytes);
                        }
                        ch.force(false);
                    } catch (IOException e) {
                        undo(ch, before, e);
                        throw e;
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(cannotWrite(path, e), e);
            }
        }
    }

    /** Cuts a file back to {@code length} after a failed write; a failure to do so is added to {@code cause}. */
    private static void undo(FileChannel ch, long length, IOException cause) {
        try {
            if (ch.size() > length) {
                ch.truncate(length);
                ch.force(false);
            }
        } catch (IOException | RuntimeException e) {
            cause.addSuppressed(e);
        }
    }

    /** One line for a file of the run folder that cannot be written: which, why, what to do. */
    public static String cannotWrite(Path file, IOException e) {
        String why = e.getMessage() != null ? e.getMessage() : e.toString();
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            why = fs.getReason();
        }
        return "cannot write " + file + ": " + why + " (free room there, or choose a writable folder with"
                + " -Dtpb.runDir=DIR before -jar)";
    }

    static String csv(String s) {
        s = inert(s);
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"").replace('\n', ' ') + '"';
    }

    /**
     * A text cell a spreadsheet would take for a formula ({@code =HYPERLINK(...)} in a benchmark's
     * name or a run folder's, which an independent check put into {@code emissions.csv}) gets a
     * leading apostrophe, as spreadsheets themselves mark text; a number such as {@code -1.5} stays as
     * it is. Quoting alone does not stop a formula.
     */
    static String inert(String s) {
        if (s.isEmpty()) {
            return s;
        }
        char c = s.charAt(0);
        boolean formula = c == '=' || c == '@' || c == '\t' || c == '\r';
        if (!formula && (c == '+' || c == '-')) {
            try {
                Double.parseDouble(s);
            } catch (NumberFormatException e) {
                formula = true;
            }
        }
        return formula ? "'" + s : s;
    }
}
