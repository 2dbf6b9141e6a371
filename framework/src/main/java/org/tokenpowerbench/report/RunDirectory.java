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
import java.util.Locale;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * The folder a run writes as it goes: every wave's requests, every iteration's energy and every
 * failure are appended and flushed the moment they are known, so a sweep that fails in trial 7
 * keeps trials 1 to 6 on disk.
 *
 * <p>Files: {@code requests.csv} (one row per request), {@code iterations.jsonl} (one JSON object
 * per iteration and sensor), {@code failures.jsonl}, {@code power-<sensor>.csv} (raw traces).
 * The folder comes from the system property {@code tpb.runDir}, which our {@code Main} sets for
 * every fork; without it, {@code tpb-results/latest}.
 *
 * <p>Every row of {@code requests.csv} and every JSON line carries the {@code invocation} that
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

    /** Appends every request of {@code wave} to {@code requests.csv}. */
    public void appendRequests(String trial, String iteration, WaveRecord wave) {
        StringBuilder sb = new StringBuilder();
        String invocation = csv(invocation());
        for (RequestTimeline r : wave.requests()) {
            sb.append(csv(trial)).append(',').append(iteration).append(',').append(r.index()).append(',')
                    .append(r.promptIndex()).append(',')
                    .append(ms(r.queueMillis())).append(',').append(ms(r.ttftMillis())).append(',')
                    .append(ms(r.tpotMillis())).append(',').append(ms(r.e2eMillis())).append(',')
                    .append(r.promptTokens()).append(',').append(r.outputTokens()).append(',')
                    .append(r.requestedOutputTokens()).append(',').append(r.tokenSource().label()).append(',')
                    .append(r.contentChunks()).append(',')
                    .append(r.sentNanos() - wave.startNanos()).append(',')
                    .append(r.firstTokenNanos() < 0 ? "" : Long.toString(r.firstTokenNanos() - wave.startNanos())).append(',')
                    .append(r.lastTokenNanos() < 0 ? "" : Long.toString(r.lastTokenNanos() - wave.startNanos())).append(',')
                    .append(r.errorClass() == null ? "" : r.errorClass()).append(',')
                    .append(r.error() == null ? "" : csv(r.error())).append(',')
                    .append(invocation).append('\n');
        }
        append("requests.csv", "trial,iteration,request,prompt,queue_ms,ttft_ms,tpot_ms,e2e_ms,prompt_tokens,"
                + "output_tokens,requested_output_tokens,token_count_source,content_chunks,sent_ns,first_token_ns,"
                + "last_token_ns,error_class,error,invocation\n", sb.toString());
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

    private static String ms(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "";
    }

    static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"").replace('\n', ' ') + '"';
    }
}
