package org.tokenpowerbench.axes;

/**
 * The values of one sweep point, as the table's description rules read them: which axes the
 * benchmark set, and each axis's value (its default where it was not set).
 */
public interface AxisValues {

    /** Whether the point sets {@code axis} (a {@code @Param} or constant of the generated class). */
    boolean has(Axis axis);

    /** The value of {@code axis}, or its default when not set; null for an optional axis not set. */
    Object get(Axis axis);

    /** Whether requests arrive at a rate ({@code rate != 0}) rather than from {@code batch} streams. */
    default boolean openLoop() {
        return ((Double) get(Axis.RATE)) != 0;
    }
}
