package org.tokenpowerbench.engine.gguf;

import java.util.Map;

/**
 * The names of llama.cpp's file types ({@code general.file_type}, llama.cpp's {@code enum llama_ftype}
 * in {@code include/llama.h}) as the quantization axis writes them: lower case, e.g.
 * {@code q4_k_m}. A managed llama-server loads a GGUF as it is, so a trial's quantization must be
 * the file's own; this is what the two are compared by.
 */
public final class GgufFileType {

    private static final Map<Long, String> NAMES = Map.ofEntries(
            Map.entry(0L, "f32"), Map.entry(1L, "f16"), Map.entry(2L, "q4_0"), Map.entry(3L, "q4_1"),
            Map.entry(7L, "q8_0"), Map.entry(8L, "q5_0"), Map.entry(9L, "q5_1"), Map.entry(10L, "q2_k"),
            Map.entry(11L, "q3_k_s"), Map.entry(12L, "q3_k_m"), Map.entry(13L, "q3_k_l"), Map.entry(14L, "q4_k_s"),
            Map.entry(15L, "q4_k_m"), Map.entry(16L, "q5_k_s"), Map.entry(17L, "q5_k_m"), Map.entry(18L, "q6_k"),
            Map.entry(19L, "iq2_xxs"), Map.entry(20L, "iq2_xs"), Map.entry(21L, "q2_k_s"), Map.entry(22L, "iq3_xs"),
            Map.entry(23L, "iq3_xxs"), Map.entry(24L, "iq1_s"), Map.entry(25L, "iq4_nl"), Map.entry(26L, "iq3_s"),
            Map.entry(27L, "iq3_m"), Map.entry(28L, "iq2_s"), Map.entry(29L, "iq2_m"), Map.entry(30L, "iq4_xs"),
            Map.entry(31L, "iq1_m"), Map.entry(32L, "bf16"), Map.entry(36L, "tq1_0"), Map.entry(37L, "tq2_0"));

    private GgufFileType() {
    }

    /** The name of a {@code general.file_type} value, or {@code type<N>} for one llama.cpp added after this table. */
    public static String name(long fileType) {
        return NAMES.getOrDefault(fileType, "type" + fileType);
    }
}
