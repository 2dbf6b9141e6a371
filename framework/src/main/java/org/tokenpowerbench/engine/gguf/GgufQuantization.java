package org.tokenpowerbench.engine.gguf;

import org.tokenpowerbench.UserError;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How the weight matrices of a synthetic model are encoded. Norm weights are always F32.
 */
public enum GgufQuantization {
    /** Everything F32; {@code general.file_type} 0 (llama.cpp's ALL_F32). */
    F32("f32", GgmlType.F32, 0),
    /** Matrices F16; {@code general.file_type} 1 (MOSTLY_F16). */
    F16("f16", GgmlType.F16, 1),
    /** Matrices Q8_0; {@code general.file_type} 7 (MOSTLY_Q8_0). */
    Q8_0("q8_0", GgmlType.Q8_0, 7),
    /** Matrices Q4_0; {@code general.file_type} 2 (MOSTLY_Q4_0). */
    Q4_0("q4_0", GgmlType.Q4_0, 2);

    private final String label;
    private final GgmlType matrixType;
    private final int fileType;

    GgufQuantization(String label, GgmlType matrixType, int fileType) {
        this.label = label;
        this.matrixType = matrixType;
        this.fileType = fileType;
    }

    /** @return the lower-case name used in arguments and file names, e.g. {@code q8_0} */
    public String label() {
        return label;
    }

    /** @return the ggml type of the weight matrices */
    public GgmlType matrixType() {
        return matrixType;
    }

    /** @return the value of {@code general.file_type} */
    public int fileType() {
        return fileType;
    }

    /**
     * Parses a quantization name, ignoring case.
     *
     * @param value e.g. {@code "f16"} or {@code "Q8_0"}
     * @return the quantization
     * @throws IllegalArgumentException naming the value and the supported ones, if unknown
     */
    public static GgufQuantization parse(String value) {
        if (value != null) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            for (GgufQuantization q : values()) {
                if (q.label.equals(v)) {
                    return q;
                }
            }
        }
        throw new UserError("unknown quantization '" + value + "'; supported: "
                + Arrays.stream(values()).map(GgufQuantization::label).collect(Collectors.joining(", ")));
    }
}
