package org.tokenpowerbench.power.nvml;

/**
 * An opaque {@code nvmlDevice_t}, valid between {@link NvmlLibrary#init()} and
 * {@link NvmlLibrary#shutdown()} of the library that returned it.
 *
 * @param address the native pointer value (or any distinct number in a fake library)
 */
public record NvmlDeviceHandle(long address) {
}
