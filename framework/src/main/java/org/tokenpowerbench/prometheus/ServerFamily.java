package org.tokenpowerbench.prometheus;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which series of an engine's {@code /metrics} mean what: the counters of prompt and generated
 * tokens, the gauges of running and waiting requests and of KV-cache use, and the prefix cache.
 * An engine is recognised by the names it exposes ({@link #of}), so nothing about the engine
 * value has to say which engine answers. A name that is null is one the engine does not have.
 *
 * <p>Sources, checked against each engine's documentation and source (names as exposed, a
 * Prometheus counter with its {@code _total}):
 * <ul>
 * <li>vLLM: docs "Production Metrics" / {@code vllm/v1/metrics/loggers.py}: {@code vllm:prompt_tokens_total},
 *   {@code vllm:generation_tokens_total}, {@code vllm:num_requests_running}, {@code vllm:num_requests_waiting},
 *   {@code vllm:kv_cache_usage_perc} (a fraction from 0 to 1 despite its name; before it
 *   {@code vllm:gpu_cache_usage_perc}, now deprecated), {@code vllm:prefix_cache_hits_total} and
 *   {@code vllm:prefix_cache_queries_total} (both in tokens); speculative decoding's
 *   {@code vllm:spec_decode_num_draft_tokens_total} and {@code vllm:spec_decode_num_accepted_tokens_total}
 *   ({@code vllm/v1/spec_decode/metrics.py}, {@code SpecDecodingProm}: acceptance = accepted / draft).</li>
 * <li>llama.cpp {@code llama-server --metrics}: {@code tools/server/README.md}, "GET /metrics":
 *   {@code llamacpp:prompt_tokens_total}, {@code llamacpp:tokens_predicted_total},
 *   {@code llamacpp:requests_processing}, {@code llamacpp:requests_deferred}. Its
 *   {@code llamacpp:kv_cache_usage_ratio} was exposed by older builds and is gone from the current
 *   table: read where present. Its prompt counter counts the tokens it processed, not those a
 *   slot reused from its cache. With a draft model, {@code llamacpp:spec_decode_num_draft_tokens_total} and
 *   {@code llamacpp:spec_decode_num_accepted_tokens_total} ({@code tools/server/server-task.cpp},
 *   {@code to_metrics}; builds that have speculative decoding in the server).</li>
 * <li>SGLang: docs "Production Metrics" / {@code sglang/srt/metrics/collector.py}:
 *   {@code sglang:prompt_tokens_total}, {@code sglang:generation_tokens_total},
 *   {@code sglang:num_running_reqs}, {@code sglang:num_queue_reqs}, {@code sglang:token_usage} (the
 *   KV pool's used share), {@code sglang:cache_hit_rate} (a gauge, not counters).</li>
 * <li>TGI: {@code router/src/server.rs} and docs "Metrics": token counts only as histograms recorded
 *   when a request ends, {@code tgi_request_input_length} and {@code tgi_request_generated_tokens}
 *   (their {@code _sum} is the count of tokens), {@code tgi_batch_current_size} (running),
 *   {@code tgi_queue_size} (waiting); no KV-cache or prefix-cache series.</li>
 * </ul>
 */
public enum ServerFamily {

    VLLM("vllm:", "vllm:prompt_tokens_total", "vllm:generation_tokens_total", "vllm:num_requests_running",
            "vllm:num_requests_waiting", List.of("vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc"),
            "vllm:prefix_cache_hits_total", "vllm:prefix_cache_queries_total", null,
            "vllm:spec_decode_num_draft_tokens_total", "vllm:spec_decode_num_accepted_tokens_total"),
    LLAMA_CPP("llamacpp:", "llamacpp:prompt_tokens_total", "llamacpp:tokens_predicted_total",
            "llamacpp:requests_processing", "llamacpp:requests_deferred", List.of("llamacpp:kv_cache_usage_ratio"),
            null, null, null,
            "llamacpp:spec_decode_num_draft_tokens_total", "llamacpp:spec_decode_num_accepted_tokens_total"),
    SGLANG("sglang:", "sglang:prompt_tokens_total", "sglang:generation_tokens_total", "sglang:num_running_reqs",
            "sglang:num_queue_reqs", List.of("sglang:token_usage"), null, null, "sglang:cache_hit_rate", null, null),
    TGI("tgi_", "tgi_request_input_length_sum", "tgi_request_generated_tokens_sum", "tgi_batch_current_size",
            "tgi_queue_size", List.of(), null, null, null, null, null);

    private final String prefix;
    private final String promptTokens;
    private final String generatedTokens;
    private final String running;
    private final String waiting;
    private final List<String> kvCacheUsage;
    private final String prefixHits;
    private final String prefixQueries;
    private final String prefixHitRate;
    private final String draftTokens;
    private final String acceptedDraftTokens;

    ServerFamily(String prefix, String promptTokens, String generatedTokens, String running, String waiting,
                 List<String> kvCacheUsage, String prefixHits, String prefixQueries, String prefixHitRate,
                 String draftTokens, String acceptedDraftTokens) {
        this.prefix = prefix;
        this.promptTokens = promptTokens;
        this.generatedTokens = generatedTokens;
        this.running = running;
        this.waiting = waiting;
        this.kvCacheUsage = kvCacheUsage;
        this.prefixHits = prefixHits;
        this.prefixQueries = prefixQueries;
        this.prefixHitRate = prefixHitRate;
        this.draftTokens = draftTokens;
        this.acceptedDraftTokens = acceptedDraftTokens;
    }

    /** The engine whose token counters the exposition has, or null when it is none of ours. */
    public static ServerFamily of(Exposition e) {
        for (ServerFamily f : values()) {
            if (e.has(f.promptTokens) || e.has(f.generatedTokens)) {
                return f;
            }
        }
        return null;
    }

    /** Built once: the scraper asks for every sample of every scrape. */
    private static final class Names {
        static final Set<String> ALL = all();

        private static Set<String> all() {
            Set<String> names = new TreeSet<>();
            for (ServerFamily f : values()) {
                names.addAll(f.names());
            }
            return Collections.unmodifiableSet(names);
        }
    }

    /** Every sample name some family reads: what the run folder keeps of a scrape besides the user's list. */
    public static Set<String> allNames() {
        return Names.ALL;
    }

    private List<String> names() {
        List<String> names = new ArrayList<>(List.of(promptTokens, generatedTokens, running, waiting));
        names.addAll(kvCacheUsage);
        for (String n : new String[] {prefixHits, prefixQueries, prefixHitRate, draftTokens, acceptedDraftTokens}) {
            if (n != null) {
                names.add(n);
            }
        }
        return names;
    }

    public String prefix() {
        return prefix;
    }

    public String promptTokens() {
        return promptTokens;
    }

    public String generatedTokens() {
        return generatedTokens;
    }

    public String running() {
        return running;
    }

    public String waiting() {
        return waiting;
    }

    /** The KV-cache gauge this exposition has (the current name first), or null when it has none. */
    public String kvCacheUsage(Exposition e) {
        return kvCacheUsage.stream().filter(e::has).findFirst().orElse(null);
    }

    public String prefixHits() {
        return prefixHits;
    }

    public String prefixQueries() {
        return prefixQueries;
    }

    public String prefixHitRate() {
        return prefixHitRate;
    }

    /** The counter of draft tokens speculative decoding proposed, or null when the engine has none. */
    public String draftTokens() {
        return draftTokens;
    }

    /** The counter of those the target model accepted, or null. */
    public String acceptedDraftTokens() {
        return acceptedDraftTokens;
    }
}
