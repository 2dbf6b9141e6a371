package org.tokenpowerbench.energy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.tokenpowerbench.client.RequestTimeline;
import org.tokenpowerbench.client.TokenCountSource;
import org.tokenpowerbench.energy.RequestEnergy.Outcome;
import org.tokenpowerbench.workload.WaveRecord;

/**
 * Splits the energy of a window among the prefill and decode phases of the requests in it, and
 * idle time.
 *
 * <p><b>Phases</b> (client-observed, on {@link System#nanoTime()}): prefill is
 * {@code [sent, firstToken)}, decode is {@code [firstToken, lastToken]}. Queue time (waiting for a
 * client slot) is never attributed, nor is the tail after the last token (the usage chunk and the
 * end of the stream). A request without a first token — it failed before one, or succeeded
 * without content — has a prefill of {@code [sent, done]} and no decode: the server may have
 * worked on its prompt until then, and giving that time to idle would understate what serving
 * costs. Its joules are reported, as {@link WaveEnergy#failedJ()} when it failed, and kept out of
 * the per-token figures. A request with one output token has a zero-length decode. A request
 * never sent has no phase. Phases are cut to the window ({@link AttributionFlags#clippedPhases()}).
 *
 * <p><b>Kinds of token.</b> A decode is cut once more, at its first answer token: the reasoning
 * decode {@code [first token, first answer token)} and the answer decode from there to the last
 * token, each with the decode's own weight, so the cut moves no joule between requests and
 * {@code reasoning + answer == decode}. A request whose answer never came reasoned all its decode;
 * a stream without reasoning has an empty reasoning decode. The token steps of each part are in
 * {@link RequestEnergy}: a step ends at a token's arrival, so the reasoning decode holds the
 * reasoning tokens after the first plus the step that made the first answer token (as many steps
 * as reasoning tokens), and the answer decode the answer tokens after the first. Where the server
 * counted reasoning tokens it did not stream (hidden reasoning: no reasoning decode to cut), or
 * the count is unknown, the steps are unknown (-1) and the request stays out of the per-kind
 * per-token figures; its joules stay in every energy. docs/attribution.md, "Energy per kind of token".
 *
 * <p><b>Split.</b> At each instant the power goes to the phases then in flight in proportion to
 * their {@link AttributionPolicy} weight, or to idle when none is. Weights are constant over a
 * phase, so the sweep keeps, between consecutive phase boundaries, the running integral of
 * {@code power / total weight} (and of {@code 1 / total weight} for the time shares); a phase
 * gets its weight times the change of that integral between its start and its end. The power is
 * integrated exactly between boundaries ({@link PowerSignal}), sums are compensated, so the parts
 * add up to the measured total to rounding for any overlap pattern and sample spacing.
 *
 * <p><b>Cost.</b> {@code O((R + S) + R log R)} time and {@code O(R)} memory for {@code R} requests
 * and {@code S} signal pieces in the window: the boundaries are sorted once and swept together
 * with the signal. 10,000 requests over 100,000 samples take milliseconds
 * ({@code AttributionBench} in perf/, figures in {@code docs/attribution.md}).
 */
public final class PhaseAttribution {

    private PhaseAttribution() {
    }

    /**
     * Attributes a wave over its own window, cut to the signal's domain.
     *
     * @throws IllegalArgumentException if the wave's window and the signal do not overlap
     */
    public static WaveEnergy attribute(PowerSignal signal, WaveRecord wave, AttributionPolicy policy,
                                       Duration updatePeriod) {
        long from = Math.max(wave.startNanos(), signal.startNanos());
        long to = Math.min(wave.endNanos(), signal.endNanos());
        if (to < from) {
            throw new IllegalArgumentException("the wave [" + wave.startNanos() + ", " + wave.endNanos()
                    + "] ns and the power signal [" + signal.startNanos() + ", " + signal.endNanos()
                    + "] ns do not overlap: sample power through the wave");
        }
        return attribute(signal, wave.requests(), from, to, policy, updatePeriod);
    }

    /**
     * Attributes the energy of {@code [fromNanos, toNanos]} to the requests' phases and idle time.
     *
     * <p>Why one method of this length: it is one sweep over the sorted phase events, and the
     * running state (who is in prefill or decode, their weights, the energy so far) is what makes
     * the parts add up to the total; split into steps, that state would pass through every one.
     *
     * @param updatePeriod the sensor's update period; shorter phases are counted in the flags
     * @throws IllegalArgumentException if the window is reversed or outside the signal
     */
    public static WaveEnergy attribute(PowerSignal signal, List<RequestTimeline> requests, long fromNanos, long toNanos,
                                       AttributionPolicy policy, Duration updatePeriod) {
        Objects.requireNonNull(policy, "policy");
        if (!signal.covers(fromNanos, toNanos)) {
            signal.energyJoules(fromNanos, toNanos); // throws with the reason
        }
        long update = updatePeriod.toNanos();
        int n = requests.size();
        int phases = 3 * n; // per request: prefill, reasoning decode, answer decode
        long[] start = new long[phases];
        long[] end = new long[phases];
        double[] weight = new double[phases];
        Outcome[] outcomes = new Outcome[n];
        int[] reasoningSteps = new int[n];
        int[] answerSteps = new int[n];
        int shortPhases = 0;
        int failedBefore = 0;
        int failedAfter = 0;
        int noOutput = 0;
        int singleToken = 0;
        int unknown = 0;
        int notSent = 0;
        int clipped = 0;
        int events = 0;

        for (int i = 0; i < n; i++) {
            RequestTimeline r = requests.get(i);
            long sent = r.sentNanos();
            long first = r.firstTokenNanos();
            Outcome outcome;
            if (sent < 0) {
                outcome = Outcome.NOT_SENT;
            } else if (r.succeeded()) {
                outcome = first >= 0 ? Outcome.OK : Outcome.NO_OUTPUT;
            } else {
                outcome = first >= 0 ? Outcome.FAILED_AFTER_FIRST_TOKEN : Outcome.FAILED_BEFORE_FIRST_TOKEN;
            }
            outcomes[i] = outcome;
            switch (outcome) {
                case NOT_SENT -> notSent++;
                case NO_OUTPUT -> noOutput++;
                case FAILED_BEFORE_FIRST_TOKEN -> failedBefore++;
                case FAILED_AFTER_FIRST_TOKEN -> failedAfter++;
                default -> {
                }
            }
            if (outcome == Outcome.NOT_SENT) {
                continue;
            }
            if (r.promptTokens() < 0 || (first >= 0 && r.outputTokens() < 0)) {
                unknown++;
            }
            if (first >= 0 && r.outputTokens() == 1) {
                singleToken++;
            }
            long prefillEnd = first >= 0 ? first : r.doneNanos();
            prefillEnd = Math.max(sent, prefillEnd);
            long decodeStart = prefillEnd;
            long decodeEnd = first >= 0 ? Math.max(first, r.lastTokenNanos()) : prefillEnd;
            long prefillLength = prefillEnd - sent;
            long decodeLength = decodeEnd - decodeStart;
            if (prefillLength > 0 && prefillLength < update) {
                shortPhases++;
            }
            if (decodeLength > 0 && decodeLength < update) {
                shortPhases++;
            }
            double prefillWeight;
            double decodeWeight;
            if (policy == AttributionPolicy.EQUAL_SHARE) {
                prefillWeight = 1;
                decodeWeight = 1;
            } else {
                prefillWeight = r.promptTokens() > 0 && prefillLength > 0 ? r.promptTokens() / (prefillLength * 1e-9) : 0;
                int decodeTokens = RequestEnergy.decodeTokens(r.outputTokens());
                decodeWeight = decodeTokens > 0 && decodeLength > 0 ? decodeTokens / (decodeLength * 1e-9) : 0;
            }
            long firstAnswer = r.firstAnswerNanos();
            // no answer token after reasoning: all of the decode reasoned; a timeline that says
            // neither (no answer stamp, no reasoning) is taken as a plain stream, all answer
            boolean noAnswer = first >= 0 && firstAnswer < 0 && r.kinds().reasoningTokens() != 0;
            long cut = first < 0 || (firstAnswer < 0 && !noAnswer) ? decodeStart
                    : noAnswer ? decodeEnd : Math.min(decodeEnd, Math.max(decodeStart, firstAnswer));
            steps(r, cut > decodeStart, noAnswer, i, reasoningSteps, answerSteps);
            int p = 3 * i;
            clipped += place(p, sent, prefillEnd, prefillWeight, fromNanos, toNanos, start, end, weight);
            clipped += place(p + 1, decodeStart, decodeEnd, decodeWeight, fromNanos, toNanos, start, end, weight);
            // the decode, counted once above, is placed as its two parts
            start[p + 1] = 0;
            end[p + 1] = 0;
            place(p + 1, decodeStart, cut, decodeWeight, fromNanos, toNanos, start, end, weight);
            place(p + 2, cut, decodeEnd, decodeWeight, fromNanos, toNanos, start, end, weight);
            events += (end[p] > start[p] ? 2 : 0) + (end[p + 1] > start[p + 1] ? 2 : 0)
                    + (end[p + 2] > start[p + 2] ? 2 : 0);
        }

        // Events: code = phase * 2 + (1 for a start, 0 for an end), sorted by time.
        long[] time = new long[events];
        int[] code = new int[events];
        int e = 0;
        for (int p = 0; p < phases; p++) {
            if (end[p] > start[p]) {
                time[e] = start[p];
                code[e++] = p * 2 + 1;
                time[e] = end[p];
                code[e++] = p * 2;
            }
        }
        int[] order = sortByTime(time);

        Sweep sweep = new Sweep(signal.cursor(fromNanos), fromNanos, phases);
        for (int k = 0; k < events; k++) {
            int ev = order[k];
            sweep.advanceTo(time[ev]);
            int p = code[ev] >>> 1;
            if ((code[ev] & 1) == 1) {
                sweep.begin(p, weight[p]);
            } else {
                sweep.finish(p, weight[p]);
            }
        }
        sweep.advanceTo(toNanos);

        List<RequestEnergy> out = new ArrayList<>(n);
        CompensatedSum prefill = new CompensatedSum();
        CompensatedSum decode = new CompensatedSum();
        for (int i = 0; i < n; i++) {
            RequestTimeline r = requests.get(i);
            int p = 3 * i;
            double reasoningJ = sweep.joules[p + 1];
            double answerJ = sweep.joules[p + 2];
            prefill.add(sweep.joules[p]);
            decode.add(reasoningJ);
            decode.add(answerJ);
            out.add(new RequestEnergy(r.index(), outcomes[i], r.promptTokens(), r.outputTokens(),
                    Math.max(0, end[p] - start[p]),
                    Math.max(0, end[p + 1] - start[p + 1]) + Math.max(0, end[p + 2] - start[p + 2]),
                    sweep.joules[p], reasoningJ + answerJ, sweep.seconds[p], sweep.seconds[p + 1] + sweep.seconds[p + 2],
                    reasoningJ, answerJ, reasoningSteps[i], answerSteps[i], r.cachedPromptTokens(),
                    r.kinds().draftTokens(), r.kinds().acceptedDraftTokens()));
        }
        AttributionFlags flags = new AttributionFlags(update, shortPhases, failedBefore, failedAfter, noOutput,
                singleToken, unknown, notSent, clipped, sweep.fallbackSegments, signal.gapsIn(fromNanos, toNanos));
        return new WaveEnergy(policy, fromNanos, toNanos, signal.energyJoules(fromNanos, toNanos), prefill.value(),
                decode.value(), sweep.idle.value(), sweep.idleSeconds.value(), out, flags, reasoningSource(requests));
    }

    /**
     * The token steps of request {@code i}'s reasoning and answer decode. A decode of {@code D}
     * steps ({@code outputTokens - 1}) with {@code R} reasoning tokens: {@code min(R, D)} before the
     * first answer token and the rest after; all {@code D} before when no answer came; 0 and
     * {@code D} without a reasoning decode and without reasoning tokens. Unknown (-1) where the
     * output or reasoning count is, or where the server counted reasoning it did not stream.
     */
    private static void steps(RequestTimeline r, boolean reasoningDecode, boolean noAnswer, int i,
                              int[] reasoningSteps, int[] answerSteps) {
        int decode = RequestEnergy.decodeTokens(r.outputTokens());
        int reasoning = r.kinds().reasoningTokens();
        int before;
        if (r.outputTokens() < 0 || (reasoningDecode && reasoning < 0 && !noAnswer)) {
            before = -1;
        } else if (decode == 0) {
            before = 0;
        } else if (!reasoningDecode) {
            before = reasoning > 0 ? -1 : 0; // reasoning counted but not streamed: its time is not in the decode
        } else if (noAnswer) {
            before = decode;
        } else {
            before = Math.min(reasoning, decode);
        }
        reasoningSteps[i] = before;
        answerSteps[i] = before < 0 ? -1 : decode - before;
    }

    /** Where the successful requests' reasoning counts came from: one source, {@code mixed}, or {@code none}. */
    private static String reasoningSource(List<RequestTimeline> requests) {
        TokenCountSource source = null;
        for (RequestTimeline r : requests) {
            if (!r.succeeded() || r.kinds().reasoningTokens() == 0) {
                continue;
            }
            TokenCountSource s = r.kinds().reasoningSource();
            if (source != null && source != s) {
                return "mixed";
            }
            source = s;
        }
        return (source == null ? TokenCountSource.NONE : source).label();
    }

    /** Cuts phase {@code p} to the window; returns 1 when the phase reached outside it. */
    private static int place(int p, long s, long e, double w, long from, long to, long[] start, long[] end,
                             double[] weight) {
        long cs = Math.max(s, from);
        long ce = Math.min(e, to);
        weight[p] = w;
        if (ce > cs) {
            start[p] = cs;
            end[p] = ce;
        }
        boolean outside = e > s && (s < from || e > to);
        return outside ? 1 : 0;
    }

    /** Indices of {@code time} in ascending order of time (stable), with primitive sorts only. */
    static int[] sortByTime(long[] time) {
        int n = time.length;
        long[] sorted = time.clone();
        Arrays.sort(sorted);
        int[] fill = new int[n];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            int slot = lowerBound(sorted, time[i]);
            order[slot + fill[slot]++] = i;
        }
        return order;
    }

    private static int lowerBound(long[] a, long x) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** The running state of the sweep. */
    private static final class Sweep {
        final PowerSignal.Cursor cursor;
        long now;
        /** Integral of power / total weight over stretches with positive total weight. */
        final CompensatedSum perWeight = new CompensatedSum();
        /** Integral of power / count over stretches where every request in flight weighs 0. */
        final CompensatedSum perRequest = new CompensatedSum();
        /** The same two for time (seconds), which give the time shares. */
        final CompensatedSum timePerWeight = new CompensatedSum();
        final CompensatedSum timePerRequest = new CompensatedSum();
        final CompensatedSum totalWeight = new CompensatedSum();
        final CompensatedSum idle = new CompensatedSum();
        final CompensatedSum idleSeconds = new CompensatedSum();
        int active;
        int positive;
        int fallbackSegments;
        /** Per phase, snapshots at its start: hi/lo of the four integrals. */
        final double[] snapshot;
        final double[] joules;
        final double[] seconds;

        Sweep(PowerSignal.Cursor cursor, long from, int phases) {
            this.cursor = cursor;
            this.now = from;
            this.snapshot = new double[phases * 8];
            this.joules = new double[phases];
            this.seconds = new double[phases];
        }

        void advanceTo(long t) {
            if (t <= now) {
                return;
            }
            double joulesHere = cursor.advanceTo(t);
            double dt = (t - now) * 1e-9;
            now = t;
            if (active == 0) {
                idle.add(joulesHere);
                idleSeconds.add(dt);
            } else if (positive > 0) {
                double w = totalWeight.value();
                perWeight.add(joulesHere / w);
                timePerWeight.add(dt / w);
            } else {
                perRequest.add(joulesHere / active);
                timePerRequest.add(dt / active);
                fallbackSegments++;
            }
        }

        void begin(int p, double w) {
            active++;
            if (w > 0) {
                positive++;
                totalWeight.add(w);
            }
            int s = p * 8;
            snapshot[s] = perWeight.hi();
            snapshot[s + 1] = perWeight.lo();
            snapshot[s + 2] = perRequest.hi();
            snapshot[s + 3] = perRequest.lo();
            snapshot[s + 4] = timePerWeight.hi();
            snapshot[s + 5] = timePerWeight.lo();
            snapshot[s + 6] = timePerRequest.hi();
            snapshot[s + 7] = timePerRequest.lo();
        }

        void finish(int p, double w) {
            int s = p * 8;
            double energyPerWeight = (perWeight.hi() - snapshot[s]) + (perWeight.lo() - snapshot[s + 1]);
            double energyPerRequest = (perRequest.hi() - snapshot[s + 2]) + (perRequest.lo() - snapshot[s + 3]);
            double timePerW = (timePerWeight.hi() - snapshot[s + 4]) + (timePerWeight.lo() - snapshot[s + 5]);
            double timePerR = (timePerRequest.hi() - snapshot[s + 6]) + (timePerRequest.lo() - snapshot[s + 7]);
            joules[p] = (w > 0 ? w * energyPerWeight : 0) + energyPerRequest;
            seconds[p] = (w > 0 ? w * timePerW : 0) + timePerR;
            active--;
            if (w > 0) {
                positive--;
                if (positive == 0) {
                    totalWeight.reset(); // no drift survives an empty stretch
                } else {
                    totalWeight.add(-w);
                }
            }
        }
    }
}
