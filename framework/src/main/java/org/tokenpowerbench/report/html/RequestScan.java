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
 * measured waves the wave view draws (every one while the run has at most
 * {@link TimelineView#ALL_WAVES_UP_TO} measured requests, else the last of each trial, as soon as
 * the count passes it), and each trial's TTFT and TPOT values for the latency view. A run of 100
 * trials × 10 waves × 10,000 requests is 10 million rows; holding them as {@link RequestLine}s
 * would take gigabytes and reading the file twice twice the time.
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
        private final Map<String, MeasuredWave> lastByTrial = new LinkedHashMap<>();
        private int waves;
        private long requests;
        private List<RequestLine> current = new ArrayList<>();
        private final Set<Integer> seen = new HashSet<>();
        private RequestLine first;
        /** Per trial, per invocation: ttft and tpot values, growing. */
        private final Map<String, Map<String, Values>> values = new LinkedHashMap<>();
        private final Map<String, String> latestInvocation = new HashMap<>();

        Scan(int allWavesUpTo) {
            this.allWavesUpTo = allWavesUpTo;
        }

        void row(CsvFile.Row r) {
            String iteration = r.text("iteration");
            if (!iteration.startsWith("measurement")) {
                return;
            }
            RequestLine line = new RequestLine(own(r.text("trial_id")), own(r.text("trial")), own(iteration),
                    own(r.text("invocation")), (int) r.number("request"), r.number("queued_unix_ms"),
                    r.number("sent_unix_ms"), r.number("first_token_unix_ms"), r.number("last_token_unix_ms"),
                    r.number("e2e_ms"), r.number("ttft_ms"), r.number("tpot_ms"), r.number("prompt_tokens"),
                    r.number("output_tokens"), !r.text("error_class").isEmpty());
            boolean same = first != null && first.trialId().equals(line.trialId())
                    && first.iteration().equals(line.iteration()) && first.invocation().equals(line.invocation())
                    && !seen.contains(line.request());
            if (!same) {
                endWave();
                first = line;
            }
            current.add(line);
            seen.add(line.request());
            requests++;
            latestInvocation.put(line.trial(), line.invocation());
            if (!line.failed()) {
                values.computeIfAbsent(line.trial(), k -> new LinkedHashMap<>())
                        .computeIfAbsent(line.invocation(), k -> new Values()).add(line.ttftMs(), line.tpotMs());
            }
        }

        private String own(String s) {
            return strings.computeIfAbsent(s, k -> k);
        }

        private void endWave() {
            if (first == null) {
                return;
            }
            waves++;
            MeasuredWave wave = new MeasuredWave(first.trialId(), first.trial(), first.iteration(), first.invocation(),
                    current);
            current = new ArrayList<>();
            seen.clear();
            first = null;
            lastByTrial.put(wave.trialId(), wave);
            if (all != null) {
                all.add(wave);
                if (requests > allWavesUpTo) {
                    all = null; // from here on only the last wave of each trial is drawn
                }
            }
        }

        RequestScan finish() {
            endWave();
            Map<String, Latency> latency = new LinkedHashMap<>();
            values.forEach((trial, byInvocation) -> {
                Values v = byInvocation.get(latestInvocation.get(trial));
                if (v != null) {
                    latency.put(trial, new Latency(Arrays.copyOf(v.ttft, v.n), Arrays.copyOf(v.tpot, v.n)));
                }
            });
            List<MeasuredWave> drawn = all != null ? all : new ArrayList<>(lastByTrial.values());
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
