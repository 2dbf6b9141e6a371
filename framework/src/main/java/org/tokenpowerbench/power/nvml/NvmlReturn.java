package org.tokenpowerbench.power.nvml;

/**
 * The {@code nvmlReturn_t} codes this package acts on, with their names from {@code nvml.h}.
 *
 * <p>Messages shown to users come from {@code nvmlErrorString} where the library is loaded;
 * {@link #name(int)} is for places where it is not (tests, logs written after shutdown).
 */
public final class NvmlReturn {
    /** The call succeeded. */
    public static final int SUCCESS = 0;
    /** NVML was not initialised with {@code nvmlInit_v2}. */
    public static final int UNINITIALIZED = 1;
    /** A parameter was invalid. */
    public static final int INVALID_ARGUMENT = 2;
    /** The device or field does not support the request. */
    public static final int NOT_SUPPORTED = 3;
    /** The caller lacks permission. */
    public static final int NO_PERMISSION = 4;
    /** A query to find an object was unsuccessful. */
    public static final int NOT_FOUND = 6;
    /** A buffer was too small. */
    public static final int INSUFFICIENT_SIZE = 7;
    /** The NVIDIA kernel driver is not loaded. */
    public static final int DRIVER_NOT_LOADED = 9;
    /** A symbol is missing from the loaded library (an older driver). */
    public static final int FUNCTION_NOT_FOUND = 13;
    /** The GPU fell off the bus or became inaccessible. */
    public static final int GPU_IS_LOST = 15;
    /** The user-space library and the kernel driver differ in version. */
    public static final int LIB_RM_VERSION_MISMATCH = 18;
    /** No data yet. */
    public static final int NO_DATA = 21;
    /** An unexpected internal error. */
    public static final int UNKNOWN = 999;

    private NvmlReturn() {
    }

    /** The constant's name in {@code nvml.h} without its {@code NVML_} prefix, or the number. */
    public static String name(int code) {
        return switch (code) {
            case 0 -> "SUCCESS";
            case 1 -> "ERROR_UNINITIALIZED";
            case 2 -> "ERROR_INVALID_ARGUMENT";
            case 3 -> "ERROR_NOT_SUPPORTED";
            case 4 -> "ERROR_NO_PERMISSION";
            case 5 -> "ERROR_ALREADY_INITIALIZED";
            case 6 -> "ERROR_NOT_FOUND";
            case 7 -> "ERROR_INSUFFICIENT_SIZE";
            case 8 -> "ERROR_INSUFFICIENT_POWER";
            case 9 -> "ERROR_DRIVER_NOT_LOADED";
            case 10 -> "ERROR_TIMEOUT";
            case 11 -> "ERROR_IRQ_ISSUE";
            case 12 -> "ERROR_LIBRARY_NOT_FOUND";
            case 13 -> "ERROR_FUNCTION_NOT_FOUND";
            case 14 -> "ERROR_CORRUPTED_INFOROM";
            case 15 -> "ERROR_GPU_IS_LOST";
            case 16 -> "ERROR_RESET_REQUIRED";
            case 17 -> "ERROR_OPERATING_SYSTEM";
            case 18 -> "ERROR_LIB_RM_VERSION_MISMATCH";
            case 19 -> "ERROR_IN_USE";
            case 20 -> "ERROR_MEMORY";
            case 21 -> "ERROR_NO_DATA";
            case 22 -> "ERROR_VGPU_ECC_NOT_ENABLED";
            case 23 -> "ERROR_INSUFFICIENT_RESOURCES";
            case 24 -> "ERROR_FREQ_NOT_SUPPORTED";
            case 25 -> "ERROR_ARGUMENT_VERSION_MISMATCH";
            case 26 -> "ERROR_DEPRECATED";
            case 27 -> "ERROR_NOT_READY";
            case 28 -> "ERROR_GPU_NOT_FOUND";
            case 29 -> "ERROR_INVALID_STATE";
            case 999 -> "ERROR_UNKNOWN";
            default -> "return code " + code;
        };
    }
}
