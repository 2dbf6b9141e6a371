package org.tokenpowerbench.power.nvml;

/**
 * An NVML call returned something other than {@code NVML_SUCCESS}.
 *
 * <p>The message names the function, NVML's own text for the code ({@code nvmlErrorString}) and
 * the code, e.g. {@code nvmlDeviceGetTotalEnergyConsumption failed: Not Supported (3)}.
 */
public class NvmlException extends RuntimeException {
    private final String function;
    private final int code;

    /**
     * @param function    the NVML function that failed, e.g. {@code nvmlInit_v2}
     * @param code        its {@code nvmlReturn_t}
     * @param description NVML's text for the code
     */
    public NvmlException(String function, int code, String description) {
        super(function + " failed: " + description + " (" + code + ")");
        this.function = function;
        this.code = code;
    }

    /** The NVML function that failed. */
    public String function() {
        return function;
    }

    /** The {@code nvmlReturn_t} code; compare with the constants of {@link NvmlReturn}. */
    public int code() {
        return code;
    }

    /** True when the device or driver does not offer this reading (as opposed to a failure). */
    public boolean notSupported() {
        return code == NvmlReturn.NOT_SUPPORTED || code == NvmlReturn.FUNCTION_NOT_FOUND;
    }
}
