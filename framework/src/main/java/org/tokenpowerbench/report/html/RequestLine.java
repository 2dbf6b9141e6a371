package org.tokenpowerbench.report.html;

import org.tokenpowerbench.report.RequestsFile;

/**
 * A row of {@code requests.csv} as the page reads it back: which wave it belongs to, its stamps
 * on the run folder's clock (Unix ms; NaN where the request never got there) and what the
 * distributions need. {@link RequestsFile} writes the rows; {@link RequestScan} reads them, taking only what the page shows.
 *
 * @param trialId       the trial's id ({@code trial_id})
 * @param trial         the trial's description
 * @param iteration     {@code warmup-N} or {@code measurement-N}
 * @param invocation    the command that wrote it
 * @param request       the request's index in its wave
 * @param queuedMs      when it was due (its queue starts)
 * @param sentMs        when its bytes were sent
 * @param firstTokenMs  when its first content token arrived
 * @param lastTokenMs   when its last content token arrived
 * @param e2eMs         last token − send, ms
 * @param ttftMs        first token − send, ms
 * @param tpotMs        time per output token after the first, ms
 * @param promptTokens  its prompt tokens
 * @param outputTokens  its output tokens
 * @param failed        whether it ended with an error
 */
record RequestLine(String trialId, String trial, String iteration, String invocation, int request, double queuedMs,
                   double sentMs, double firstTokenMs, double lastTokenMs, double e2eMs, double ttftMs, double tpotMs,
                   double promptTokens, double outputTokens, boolean failed) {

    boolean measurement() {
        return iteration.startsWith("measurement");
    }
}
