package org.tokenpowerbench.engine.gguf;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how one tensor is stored in a GGUF file.
 *
 * @param name   the tensor name, e.g. {@code blk.0.attn_q.weight}
 * @param dims   the dimensions innermost first ({@code ne[0]} first), as stored in the file
 * @param typeId the ggml type id (see {@link GgmlType#byId(int)})
 * @param offset the offset of the data relative to the start of the tensor data section
 */
public record GgufTensorInfo(String name, long[] dims, int typeId, long offset) {

    /**
     * Copies the dimensions so that the record stays immutable.
     *
     * @param name the tensor name
     * @param dims the dimensions, innermost first
     * @param typeId the ggml type id
     * @param offset the data offset relative to the data section
     */
    public GgufTensorInfo {
        Objects.requireNonNull(name, "name");
        dims = dims.clone();
    }

    /** @return a copy of the dimensions, innermost first */
    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** @return the element type, or empty for a type {@link GgmlType} does not list */
    public Optional<GgmlType> type() {
        return GgmlType.byId(typeId);
    }

    /** @return the number of elements (product of the dimensions) */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * @return the number of data bytes, without alignment padding
     * @throws IllegalStateException if the type is not known
     */
    public long byteSize() {
        GgmlType t = type().orElseThrow(
                () -> new IllegalStateException("tensor " + name + " has unknown ggml type " + typeId));
        return t.byteSize(elementCount());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo other
                && name.equals(other.name)
                && Arrays.equals(dims, other.dims)
                && typeId == other.typeId
                && offset == other.offset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dims), typeId, offset);
    }

    @Override
    public String toString() {
        String t = type().map(Enum::name).orElse("type#" + typeId);
        return name + " " + Arrays.toString(dims) + " " + t + " @" + offset;
    }
}
