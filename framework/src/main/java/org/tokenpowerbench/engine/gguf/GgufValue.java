package org.tokenpowerbench.engine.gguf;

import java.util.List;
import java.util.Objects;

/**
 * One metadata value of a GGUF file, as read by {@link GgufReader}.
 *
 * @param type        the stored type
 * @param elementType for an {@code ARRAY}, the type of its elements; otherwise null
 * @param arrayLength for an {@code ARRAY}, its number of elements; otherwise -1
 * @param value       the value mapped to Java as described in {@link GgufValueType}; for an array
 *                    read with arrays skipped, null
 */
public record GgufValue(GgufValueType type, GgufValueType elementType, long arrayLength, Object value) {

    /**
     * Checks that the array fields are set exactly for arrays.
     *
     * @param type the stored type
     * @param elementType the element type of an array, else null
     * @param arrayLength the length of an array, else -1
     * @param value the value, or null for skipped array elements
     * @throws IllegalArgumentException if the array fields do not match the type
     */
    public GgufValue {
        Objects.requireNonNull(type, "type");
        if ((type == GgufValueType.ARRAY) != (elementType != null)) {
            throw new IllegalArgumentException("elementType must be set for arrays only");
        }
        if (type != GgufValueType.ARRAY && arrayLength != -1) {
            throw new IllegalArgumentException("arrayLength must be -1 for a scalar");
        }
    }

    /** @return whether this is an array */
    public boolean isArray() {
        return type == GgufValueType.ARRAY;
    }

    /**
     * @return the array elements
     * @throws IllegalStateException if this is not an array or its elements were skipped
     */
    public List<?> asList() {
        if (!(value instanceof List<?> list)) {
            throw new IllegalStateException(type == GgufValueType.ARRAY
                    ? "array elements were not loaded" : "not an array: " + type);
        }
        return list;
    }

    /**
     * @return the value of an integer of any width
     * @throws IllegalStateException if this is not an integer
     */
    public long asLong() {
        if (!type.isInteger()) {
            throw new IllegalStateException("not an integer: " + type);
        }
        return (Long) value;
    }
}
