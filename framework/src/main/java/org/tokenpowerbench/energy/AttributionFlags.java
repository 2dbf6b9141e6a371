package org.tokenpowerbench.energy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the attribution of one wave could not resolve cleanly. Nothing here changes the numbers;
 * it says how far to trust them.
 *
 * @param updatePeriodNanos          the sensor's update period the phases were compared with
 * @param shortPhases                non-empty phases shorter than that period: their energy is
 *                                   not measured directly but interpolated
 * @param failedBeforeFirstToken     failed requests that had only a prefill phase
 * @param failedAfterFirstToken      failed requests that had both phases
 * @param noOutputTokens             successful requests without a content token (prefill only)
 * @param singleTokenRequests        requests with exactly one output token (a zero-length decode)
 * @param unknownTokenCounts         requests whose prompt or output token count is unknown
 *                                   (weight 0 under {@link AttributionPolicy#TOKEN_WEIGHTED})
 * @param notSent                    requests without a send time
 * @param clippedPhases              phases that reach outside the attributed window (cut to it)
 * @param equalShareFallbackSegments stretches where every request in flight weighed 0 and the
 *                                   power was split equally
 * @param gaps                       sample gaps of the power signal inside the window
 */
public record AttributionFlags(
        long updatePeriodNanos,
        int shortPhases,
        int failedBeforeFirstToken,
        int failedAfterFirstToken,
        int noOutputTokens,
        int singleTokenRequests,
        int unknownTokenCounts,
        int notSent,
        int clippedPhases,
        int equalShareFallbackSegments,
        List<SampleGap> gaps) {

    public AttributionFlags {
        gaps = List.copyOf(gaps);
    }

    /** True when nothing is flagged. */
    public boolean clean() {
        return shortPhases == 0 && failedBeforeFirstToken == 0 && failedAfterFirstToken == 0 && noOutputTokens == 0
                && singleTokenRequests == 0 && unknownTokenCounts == 0 && notSent == 0 && clippedPhases == 0
                && equalShareFallbackSegments == 0 && gaps.isEmpty();
    }

    /** One line naming every non-zero flag, or {@code none}. */
    public String summary() {
        List<String> parts = new ArrayList<>();
        if (shortPhases > 0) {
            parts.add(shortPhases + " phase(s) shorter than the sensor's "
                    + String.format(Locale.ROOT, "%.0f", updatePeriodNanos / 1e6) + " ms update period");
        }
        add(parts, failedBeforeFirstToken, "request(s) failed before the first token");
        add(parts, failedAfterFirstToken, "request(s) failed after the first token");
        add(parts, noOutputTokens, "request(s) without output tokens");
        add(parts, singleTokenRequests, "request(s) with a single output token");
        add(parts, unknownTokenCounts, "request(s) with unknown token counts");
        add(parts, notSent, "request(s) never sent");
        add(parts, clippedPhases, "phase(s) cut to the measured window");
        add(parts, equalShareFallbackSegments, "stretch(es) split equally because every request in flight weighed 0");
        if (!gaps.isEmpty()) {
            long longest = gaps.stream().mapToLong(SampleGap::nanos).max().orElse(0);
            parts.add(gaps.size() + " sample gap(s), longest " + String.format(Locale.ROOT, "%.1f", longest / 1e6) + " ms");
        }
        return parts.isEmpty() ? "none" : String.join("; ", parts);
    }

    private static void add(List<String> parts, int count, String what) {
        if (count > 0) {
            parts.add(count + " " + what);
        }
    }
}
