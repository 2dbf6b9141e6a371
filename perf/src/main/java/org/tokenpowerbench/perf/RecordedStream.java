package org.tokenpowerbench.perf;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A {@code /v1/completions} event stream shaped like vLLM's: one chunk per token
 * ({@code {"id":..,"object":"text_completion","created":..,"model":..,"choices":[{"index":0,"text":..,
 * "logprobs":null,"finish_reason":null,"stop_reason":null}],"usage":null}}), the last token with
 * {@code finish_reason "length"}, then a usage-only chunk ({@code choices: []}) and
 * {@code data: [DONE]}. The token texts are seeded English-like words with the things real text
 * has: leading spaces, punctuation, newlines and quotes (JSON escapes) and a few non-ASCII
 * characters. Used as the static file of the burst benchmark and by {@link PacedSseServer}.
 */
public final class RecordedStream {

    static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    static final long CREATED = 1_718_000_000L;
    static final int PROMPT_TOKENS = 128;

    private static final String[] WORDS = (
            "the of and to in is was for on that with as by at from his her this which are be or an had not "
            + "but were they have one all their there been has would when who more some time into only other "
            + "new could years first after also two may most such made over many then these state city water "
            + "power light energy river house world small great table number line order music paper garden "
            + "winter summer morning window letter market station island mountain school family story question "
            + "answer village history model token engine server batch latency memory kernel").split(" ");

    private RecordedStream() {
    }

    /** The {@code tokens} token texts of a seeded stream (unescaped). */
    static String[] tokenTexts(int tokens, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] out = new String[tokens];
        for (int i = 0; i < tokens; i++) {
            int pick = r.nextInt(100);
            String w = WORDS[r.nextInt(WORDS.length)];
            if (pick < 6) {
                out[i] = ",";
            } else if (pick < 10) {
                out[i] = ".";
            } else if (pick < 12) {
                out[i] = "\n\n";
            } else if (pick < 14) {
                out[i] = " \"" + w;
            } else if (pick < 15) {
                out[i] = " café";
            } else if (pick < 16) {
                out[i] = " —";
            } else {
                out[i] = " " + w;
            }
        }
        return out;
    }

    static String id(long seed) {
        return "cmpl-" + String.format("%016x%016x", new SplittableRandom(seed).nextLong(), seed * 0x9E3779B97F4A7C15L);
    }

    /** {@code data: {...}\n\n} of content token {@code i} of {@code n}. */
    static String contentEvent(String id, String text, boolean last) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":" + CREATED + ",\"model\":\""
                + MODEL + "\",\"choices\":[{\"index\":0,\"text\":\"" + escape(text)
                + "\",\"logprobs\":null,\"finish_reason\":" + (last ? "\"length\"" : "null")
                + ",\"stop_reason\":null}],\"usage\":null}\n\n";
    }

    /** The usage-only chunk and {@code [DONE]}. */
    static String usageAndDone(String id, int completionTokens) {
        return "data: {\"id\":\"" + id + "\",\"object\":\"text_completion\",\"created\":" + CREATED + ",\"model\":\""
                + MODEL + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + PROMPT_TOKENS + ",\"total_tokens\":"
                + (PROMPT_TOKENS + completionTokens) + ",\"completion_tokens\":" + completionTokens + "}}\n\n"
                + "data: [DONE]\n\n";
    }

    /** The whole stream of {@code tokens} tokens, as the static file serves it. */
    public static byte[] whole(int tokens, long seed) {
        String id = id(seed);
        String[] texts = tokenTexts(tokens, seed);
        StringBuilder sb = new StringBuilder(tokens * 240);
        for (int i = 0; i < tokens; i++) {
            sb.append(contentEvent(id, texts[i], i == tokens - 1));
        }
        sb.append(usageAndDone(id, tokens));
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 4);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
