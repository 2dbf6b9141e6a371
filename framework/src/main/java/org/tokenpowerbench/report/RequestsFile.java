package org.tokenpowerbench.report;

import java.util.Locale;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * {@code requests.csv}: one row per request of every wave, written as the wave ends. Durations
 * are in milliseconds ({@code *_ms}); instants are on the run folder's clock ({@code *_unix_ms},
 * see {@link RunClock}), the same as the power traces' {@code t_unix_ms}, so requests can be laid
 * over power. A time the request never reached (no first token, say) is empty.
 */
public final class RequestsFile {

    public static final String FILE = "requests.csv";
    /** The header before {@code retries} was added; a run folder begun with it is continued in its layout. */
    static final String HEADER_WITHOUT_RETRIES = "trial,trial_id,iteration,request,prompt,queue_ms,ttft_ms,tpot_ms,e2e_ms,"
            + "prompt_tokens,output_tokens,requested_output_tokens,token_count_source,content_chunks,"
            + "queued_unix_ms,sent_unix_ms,first_token_unix_ms,last_token_unix_ms,error_class,error,invocation\n";
    /**
     * {@code retries} last, so that a reader that takes columns by position finds every older column
     * where it was: times the request was sent again after its connection died unanswered.
     */
    static final String HEADER_WITHOUT_REPLICA = HEADER_WITHOUT_RETRIES.substring(0, HEADER_WITHOUT_RETRIES.length() - 1)
            + ",retries\n";
    /**
     * {@code replica} last, for the same reason: which replica of a deployment of several
     * ({@code -p 'engine=http://a:8000|http://b:8000'}) served the request, as an index into the
     * engine value's list from 0; empty for an engine of one server and for a request never sent.
     */
    static final String HEADER = HEADER_WITHOUT_REPLICA.substring(0, HEADER_WITHOUT_REPLICA.length() - 1) + ",replica\n";

    private RequestsFile() {
    }

    /** Appends every request of {@code wave}; {@code iteration} is {@code warmup-N} or {@code measurement-N}. */
    public static void append(RunDirectory dir, TrialKey trial, String iteration, WaveRecord wave) {
        RunClock clock = RunClock.of(dir);
        StringBuilder sb = new StringBuilder();
        String invocation = RunDirectory.csv(RunDirectory.invocation());
        String t = RunDirectory.csv(trial.description());
        String id = trial.id();
        // a folder begun before the column existed (a resume) keeps one layout throughout
        String header = firstLine(dir);
        boolean retries = !HEADER_WITHOUT_RETRIES.equals(header);
        boolean replica = retries && !HEADER_WITHOUT_REPLICA.equals(header);
        for (RequestTimeline r : wave.requests()) {
            sb.append(t).append(',').append(id).append(',').append(iteration).append(',').append(r.index()).append(',')
                    .append(r.promptIndex()).append(',')
                    .append(ms(r.queueMillis())).append(',').append(ms(r.ttftMillis())).append(',')
                    .append(ms(r.tpotMillis())).append(',').append(ms(r.e2eMillis())).append(',')
                    .append(r.promptTokens()).append(',').append(r.outputTokens()).append(',')
                    .append(r.requestedOutputTokens()).append(',').append(r.tokenSource().label()).append(',')
                    .append(r.contentChunks()).append(',')
                    .append(instant(clock, r.queuedNanos())).append(',')
                    .append(instant(clock, r.sentNanos())).append(',')
                    .append(instant(clock, r.firstTokenNanos())).append(',')
                    .append(instant(clock, r.lastTokenNanos())).append(',')
                    .append(r.errorClass() == null ? "" : r.errorClass()).append(',')
                    .append(r.error() == null ? "" : RunDirectory.csv(r.error())).append(',')
                    .append(invocation);
            if (retries) {
                sb.append(',').append(r.retries());
            }
            if (replica) {
                sb.append(',').append(r.replica() < 0 ? "" : Integer.toString(r.replica()));
            }
            sb.append('\n');
        }
        dir.append(FILE, HEADER, sb.toString());
    }

    /** The existing file's header line with its newline; null when there is no file yet. */
    private static String firstLine(RunDirectory dir) {
        java.nio.file.Path path = dir.root().resolve(FILE);
        if (!java.nio.file.Files.isRegularFile(path)) {
            return null;
        }
        try (java.io.BufferedReader in = java.nio.file.Files.newBufferedReader(path, java.nio.charset.StandardCharsets.UTF_8)) {
            String line = in.readLine();
            return line == null ? null : line + "\n";
        } catch (java.io.IOException e) {
            return null; // the append that follows reports what is wrong with the file
        }
    }

    /** Negative times mean "never happened" in a {@link RequestTimeline}. */
    private static String instant(RunClock clock, long nanos) {
        return nanos < 0 ? "" : clock.unixMillisText(nanos);
    }

    private static String ms(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "";
    }
}
