package org.tokenpowerbench.prometheus;

import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * A wave as the engine counted it, from its own {@code /metrics}: prompt and generated tokens
 * (each counter's closing value minus its value before the wave), against what our client counted
 * for the same requests; running and waiting requests (mean and largest over the scrapes taken
 * during the wave), the KV cache's largest use, and the prefix cache's hit rate. A figure the
 * engine does not expose, or that the scrapes cannot give, is {@code NaN}, and {@link #why()} says
 * why where it concerns the tokens.
 *
 * @param family             the engine recognised by its series, or null when none of ours
 * @param promptTokens       prompt tokens the server counted between the boundaries
 * @param generatedTokens    generated tokens the server counted between the boundaries
 * @param ourPromptTokens    prompt tokens of every request we sent between them (warm-up requests of an
 *                           open-loop wave included: the server counted them too)
 * @param ourOutputTokens    output tokens of the same requests
 * @param runningMean        requests the engine was running, mean over the wave's scrapes
 * @param runningMax         and the largest
 * @param waitingMean        requests waiting in the engine's queue, mean
 * @param waitingMax         and the largest
 * @param kvCacheMax         the largest share of the KV cache in use (0 to 1)
 * @param prefixCacheHitRate the prefix cache's hits over queries in the wave (vLLM: token counters;
 *                           SGLang: its own rate gauge, mean over the wave)
 * @param draftAcceptance    speculative decoding's accepted over proposed draft tokens in the wave, from
 *                           the engine's counters (engine-wide: other clients' requests count too); NaN
 *                           when the engine exposes none or proposed none
 * @param scrapes            scrapes answered during the wave, boundaries not counted
 * @param errors             scrapes that failed
 * @param firstError         the first failure in one line, or null
 * @param malformedLines     lines the parser skipped
 * @param why                why the token cross-check is missing, or null when it is there
 */
public record ServerWave(ServerFamily family, double promptTokens, double generatedTokens, long ourPromptTokens,
                         long ourOutputTokens, double runningMean, double runningMax, double waitingMean,
                         double waitingMax, double kvCacheMax, double prefixCacheHitRate, double draftAcceptance,
                         int scrapes, int errors,
                         String firstError, int malformedLines, String why) {

    /** Above this share a difference between the server's count and ours is warned about. */
    public static final double WARN_PERCENT = 0.5;

    /**
     * The figures of a wave that ran from {@code startNanos} to {@code endNanos}.
     *
     * @param ourPrompt prompt tokens of every request sent between the boundary scrapes
     * @param ourOutput their output tokens
     */
    public static ServerWave of(WaveScrapes ws, long startNanos, long endNanos, long ourPrompt, long ourOutput) {
        List<Scrape> all = ws.all();
        ServerFamily family = all.stream().map(s -> ServerFamily.of(s.exposition())).filter(f -> f != null)
                .findFirst().orElse(null);
        List<Scrape> inside = ws.during().stream().filter(s -> s.nanos() >= startNanos && s.nanos() <= endNanos).toList();
        if (inside.isEmpty()) {
            inside = ws.during(); // a wave shorter than one scrape's round trip: the one at its start
        }
        double prompt = Double.NaN;
        double generated = Double.NaN;
        String why = null;
        if (family == null) {
            why = all.isEmpty() ? "no scrape answered" : "the engine exposes none of the token counters we know"
                    + " (vllm:, llamacpp:, sglang:, tgi_)";
        } else if (ws.before() == null) {
            why = "no scrape answered before the wave";
        } else if (ws.after() == null) {
            why = "the scrape after the wave failed";
        } else {
            prompt = delta(ws, family.promptTokens());
            generated = delta(ws, family.generatedTokens());
            if (prompt < 0 || generated < 0) {
                why = "a token counter went back during the wave (the engine restarted?)";
                prompt = Double.NaN;
                generated = Double.NaN;
            } else if (Double.isNaN(prompt) || Double.isNaN(generated)) {
                why = "a token counter is missing from a boundary scrape";
            }
        }
        double running = Double.NaN;
        double runningMax = Double.NaN;
        double waiting = Double.NaN;
        double waitingMax = Double.NaN;
        double kv = Double.NaN;
        double hitRate = Double.NaN;
        double acceptance = Double.NaN;
        if (family != null) {
            running = mean(inside, e -> e.sum(family.running()));
            runningMax = max(inside, e -> e.sum(family.running()));
            waiting = mean(inside, e -> e.sum(family.waiting()));
            waitingMax = max(inside, e -> e.sum(family.waiting()));
            kv = max(inside, e -> {
                String name = family.kvCacheUsage(e);
                return name == null ? Double.NaN : e.max(name);
            });
            if (family.prefixHits() != null && ws.before() != null && ws.after() != null) {
                double queries = delta(ws, family.prefixQueries());
                hitRate = queries > 0 ? delta(ws, family.prefixHits()) / queries : Double.NaN;
            } else if (family.prefixHitRate() != null) {
                hitRate = mean(inside, e -> e.max(family.prefixHitRate()));
            }
            if (family.draftTokens() != null && ws.before() != null && ws.after() != null) {
                double drafted = delta(ws, family.draftTokens());
                double accepted = delta(ws, family.acceptedDraftTokens());
                // NaN when either is missing; a counter that went back (a restart) gives none either
                acceptance = drafted > 0 && accepted >= 0 && accepted <= drafted ? accepted / drafted : Double.NaN;
            }
        }
        return new ServerWave(family, prompt, generated, ourPrompt, ourOutput, running, runningMax, waiting, waitingMax,
                kv, hitRate, acceptance, ws.during().size(), ws.errors(), ws.firstError(), ws.malformedLines(), why);
    }

    private static double delta(WaveScrapes ws, String counter) {
        return ws.after().exposition().sum(counter) - ws.before().exposition().sum(counter);
    }

    private static double mean(List<Scrape> scrapes, ToDoubleFunction<Exposition> value) {
        double sum = 0;
        int n = 0;
        for (Scrape s : scrapes) {
            double v = value.applyAsDouble(s.exposition());
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static double max(List<Scrape> scrapes, ToDoubleFunction<Exposition> value) {
        double max = Double.NaN;
        for (Scrape s : scrapes) {
            double v = value.applyAsDouble(s.exposition());
            if (!Double.isNaN(v)) {
                max = Double.isNaN(max) ? v : Math.max(max, v);
            }
        }
        return max;
    }

    /** The server's prompt tokens minus ours, in % of ours; NaN when either is missing or ours is 0. */
    public double promptDifferencePercent() {
        return percent(promptTokens, ourPromptTokens);
    }

    /** The server's generated tokens minus our output tokens, in % of ours. */
    public double generatedDifferencePercent() {
        return percent(generatedTokens, ourOutputTokens);
    }

    private static double percent(double server, long ours) {
        return Double.isNaN(server) || ours <= 0 ? Double.NaN : (server - ours) * 100.0 / ours;
    }

    /**
     * A warning when the server's count and ours differ by more than {@link #WARN_PERCENT} %, or null.
     * The likely reasons are named: a prefix cache the server does not count as prompt (llama.cpp),
     * requests of other clients, or counters the server updates after the answer is sent.
     */
    public String tokenWarning() {
        double p = promptDifferencePercent();
        double g = generatedDifferencePercent();
        boolean promptOff = Math.abs(p) > WARN_PERCENT;
        boolean generatedOff = Math.abs(g) > WARN_PERCENT;
        if (!promptOff && !generatedOff) {
            return null;
        }
        StringBuilder sb = new StringBuilder("the engine counted ");
        if (promptOff) {
            sb.append(String.format(java.util.Locale.ROOT, "%.0f prompt tokens against our %d (%+.2f %%)",
                    promptTokens, ourPromptTokens, p));
        }
        if (generatedOff) {
            sb.append(promptOff ? " and " : "").append(String.format(java.util.Locale.ROOT,
                    "%.0f generated tokens against our %d (%+.2f %%)", generatedTokens, ourOutputTokens, g));
        }
        return sb.append(" in this wave: other clients on the same server, a prefix cache the engine leaves out of its"
                + " prompt count, or failed requests it still counted; per-token figures use our counts").toString();
    }
}
