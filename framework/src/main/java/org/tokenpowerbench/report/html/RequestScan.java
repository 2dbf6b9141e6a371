package org.tokenpowerbench.report.html;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tokenpowerbench.report.RequestsFile;

/**
 * What the page takes from {@code requests.csv}, in one pass that never holds the whole file: the
 * measured waves the wave view draws — every one while the run has at most
 * {@link TimelineView#ALL_WAVES_UP_TO} measured requests, else the last wave of each trial, in the
 * order the trials first appear, for as many trials as fit in that many requests (at least one),
 * since each drawn request is a bar of about 35 bytes in the page — and each trial's TTFT and TPOT
 * values for the latency view (every request's, as numbers). A run of 100 trials × 10 waves ×
 * 10,000 requests is 10 million rows; holding them as {@link RequestLine}s would take gigabytes,
 * so a row becomes one only when its wave may be drawn, and only then are its other numbers parsed.
 *
 * @param drawn            the measured waves to draw, in the order written
 * @param measuredWaves    how many measured waves the file holds
 * @param measuredRequests how many measured requests
 * @param latency          per trial description, its latest attempt's succeeded measured requests' TTFT and TPOT (ms)
 */
record RequestScan(List<MeasuredWave> drawn, int measuredWaves, long measuredRequests, Map<String, Latency> latency) {

    /** One trial's latency values, in the order written. */
    record Latency(double[] ttftMs, double[] tpotMs) {
    }

    static RequestScan read(Path runDir) {
        return read(runDir, TimelineView.ALL_WAVES_UP_TO);
    }

    /** @param allWavesUpTo the measured requests up to which every wave is kept for drawing */
    static RequestScan read(Path runDir, int allWavesUpTo) {
        Scan s = new Scan(allWavesUpTo);
        CsvFile.forEach(runDir.resolve(RequestsFile.FILE), s::row);
        return s.finish();
    }

    /** The pass's state. */
    private static final class Scan {
        private final int allWavesUpTo;
        private final Map<String, String> strings = new HashMap<>(); // one instance per distinct trial, iteration, ...
        /** Every measured wave, until the measured requests pass {@link #allWavesUpTo}; then null. */
        private List<MeasuredWave> all = new ArrayList<>();
        /** Per trial in the order they first appear, its last wave, for trials within the budget. */
        private final Map<String, MeasuredWave> lastByTrial = new LinkedHashMap<>();
        /** Requests of the first wave of each trial in {@link #lastByTrial}: what the budget is spent on. */
        private long budgetSpent;
        private int waves;
        private long requests;
        private String trialId;
        private String trial;
        private String iteration;
        private String invocation;
        private boolean keepRows;
        private List<RequestLine> current = new ArrayList<>();
        private int currentSize;
        private final Set<Integer> seen = new HashSet<>();
        /** Per trial, per invocation: ttft and tpot values, growing. */
        private final Map<String, Map<String, Values>> values = new LinkedHashMap<>();
        private final Map<String, String> latestInvocation = new HashMap<>();

        Scan(int allWavesUpTo) {
            this.allWavesUpTo = allWavesUpTo;
        }

        void row(CsvFile.Row r) {
            String it = r.text("iteration");
            if (!it.startsWith("measurement")) {
                return;
            }
            String id = r.text("trial_id");
            String inv = r.text("invocation");
            int request = (int) r.number("request");
            boolean same = trialId != null && trialId.equals(id) && iteration.equals(it) && invocation.equals(inv)
                    && !seen.contains(request);
            if (!same) {
                endWave();
                trialId = own(id);
                trial = own(r.text("trial"));
                iteration = own(it);
                invocation = own(inv);
                keepRows = all != null || lastByTrial.containsKey(trialId) || budgetSpent < allWavesUpTo;
            }
            seen.add(request);
            currentSize++;
            requests++;
            boolean failed = !r.text("error_class").isEmpty();
            double ttft = r.number("ttft_ms");
            double tpot = r.number("tpot_ms");
            latestInvocation.put(trial, invocation);
            if (!failed) {
                values.computeIfAbsent(trial, k -> new LinkedHashMap<>())
                        .computeIfAbsent(invocation, k -> new Values()).add(ttft, tpot);
            }
            if (keepRows) { // the other numbers only for a wave the page may draw
                current.add(new RequestLine(trialId, trial, iteration, invocation, request, r.number("queued_unix_ms"),
                        r.number("sent_unix_ms"), r.number("first_token_unix_ms"), r.number("last_token_unix_ms"),
                        r.number("e2e_ms"), ttft, tpot, r.number("prompt_tokens"), r.number("output_tokens"), failed));
            }
        }

        private String own(String s) {
            return strings.computeIfAbsent(s, k -> k);
        }

        private void endWave() {
            if (trialId == null) {
                return;
            }
            waves++;
            if (keepRows) {
                MeasuredWave wave = new MeasuredWave(trialId, trial, iteration, invocation, current);
                if (!lastByTrial.containsKey(trialId)) {
                    budgetSpent += currentSize;
                }
                lastByTrial.put(trialId, wave);
                if (all != null) {
                    all.add(wave);
                    if (requests > allWavesUpTo) {
                        all = null; // from here on the last wave of each trial, while the budget lasts
                    }
                }
            }
            current = new ArrayList<>();
            currentSize = 0;
            seen.clear();
            trialId = null;
        }

        RequestScan finish() {
            endWave();
            Map<String, Latency> latency = new LinkedHashMap<>();
            values.forEach((t, byInvocation) -> {
                Values v = byInvocation.get(latestInvocation.get(t));
                if (v != null) {
                    latency.put(t, new Latency(Arrays.copyOf(v.ttft, v.n), Arrays.copyOf(v.tpot, v.n)));
                }
            });
            List<MeasuredWave> drawn = all;
            if (drawn == null) {
                drawn = new ArrayList<>();
                long spent = 0;
                for (MeasuredWave w : lastByTrial.values()) {
                    if (!drawn.isEmpty() && spent + w.requests().size() > allWavesUpTo) {
                        break;
                    }
                    drawn.add(w);
                    spent += w.requests().size();
                }
            }
            return new RequestScan(List.copyOf(drawn), waves, requests, latency);
        }
    }

    /** Two growing columns of doubles. */
    private static final class Values {
        double[] ttft = new double[64];
        double[] tpot = new double[64];
        int n;

        void add(double a, double b) {
            if (n == ttft.length) {
                ttft = Arrays.copyOf(ttft, n * 2);
                tpot = Arrays.copyOf(tpot, n * 2);
            }
            ttft[n] = a;
            tpot[n] = b;
            n++;
        }
    }
}
