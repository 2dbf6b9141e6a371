package org.tokenpowerbench.report;

import java.util.Locale;
import org.tokenpowerbench.energy.RequestEnergy;
import org.tokenpowerbench.energy.WaveEnergy;

/**
 * {@code request-energy.csv}: the prefill and decode joules of every request of every iteration,
 * per sensor, under the sensor's chosen attribution policy, and the decode split at the first
 * answer token ({@code reasoning_J + answer_J = decode_J}, with the token steps of each part, -1
 * when unknown), the cached prompt tokens and speculative decoding's proposed and accepted draft
 * tokens (-1 when the server did not say). A row joins {@code requests.csv} on
 * {@code (trial_id, iteration, request, invocation)}; units are in the column names.
 */
public final class RequestEnergyFile {

    public static final String FILE = "request-energy.csv";
    static final String HEADER = "trial,trial_id,iteration,sensor,method,policy,request,outcome,prompt_tokens,"
            + "output_tokens,prefill_ms,decode_ms,prefill_J,decode_J,prefill_share_s,decode_share_s,"
            + "cached_prompt_tokens,reasoning_J,answer_J,reasoning_tokens,answer_tokens,draft_tokens,"
            + "accepted_draft_tokens,invocation\n";

    private RequestEnergyFile() {
    }

    /** Appends one row per request of {@code w}. */
    public static void append(RunDirectory dir, TrialKey trial, String iteration, String sensor, String method,
                              WaveEnergy w) {
        StringBuilder sb = new StringBuilder();
        String t = RunDirectory.csv(trial.description()) + "," + trial.id();
        String invocation = RunDirectory.csv(RunDirectory.invocation());
        for (RequestEnergy r : w.requests()) {
            sb.append(t).append(',').append(iteration).append(',').append(sensor).append(',').append(method)
                    .append(',').append(w.policy().label()).append(',').append(r.index()).append(',')
                    .append(r.outcome().label()).append(',').append(r.promptTokens()).append(',')
                    .append(r.outputTokens()).append(',')
                    .append(String.format(Locale.ROOT, "%.3f,%.3f,%.6g,%.6g,%.6g,%.6g", r.prefillNanos() / 1e6,
                            r.decodeNanos() / 1e6, r.prefillJ(), r.decodeJ(), r.prefillShareSeconds(),
                            r.decodeShareSeconds()))
                    .append(',').append(r.cachedPromptTokens())
                    .append(String.format(Locale.ROOT, ",%.6g,%.6g,", r.reasoningJ(), r.answerJ()))
                    .append(r.reasoningTokens()).append(',').append(r.answerTokens())
                    .append(',').append(r.draftTokens()).append(',').append(r.acceptedDraftTokens())
                    .append(',').append(invocation).append('\n');
        }
        dir.append(FILE, HEADER, sb.toString());
    }
}
