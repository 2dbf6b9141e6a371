package org.tokenpowerbench.power.nvml;

import java.util.List;

/**
 * The few NVML calls the {@link NvmlSensor} needs, in Java terms. {@link JnaNvmlLibrary} binds
 * them to {@code libnvidia-ml.so.1}; tests supply their own implementation, so everything above
 * this interface runs without a GPU.
 *
 * <p>Every method except {@link #errorString} and {@link #shutdown} throws {@link NvmlException}
 * when NVML returns anything but {@code NVML_SUCCESS}. Units are NVML's own (milliwatts,
 * millijoules); conversion happens above. Handles are NVML's index order (PCI bus order), not
 * CUDA's: {@link CudaVisibleDevices} maps between them.
 */
public interface NvmlLibrary {

    /** {@code nvmlInit_v2}. Each successful call must be paired with one {@link #shutdown()}. */
    void init();

    /** {@code nvmlShutdown}; returns its code rather than throwing, for use in cleanup paths. */
    int shutdown();

    /** {@code nvmlErrorString}: NVML's text for a return code. */
    String errorString(int code);

    /** {@code nvmlSystemGetDriverVersion}. */
    String driverVersion();

    /** {@code nvmlSystemGetNVMLVersion}. */
    String nvmlVersion();

    /** {@code nvmlDeviceGetCount_v2}: all GPUs, whatever {@code CUDA_VISIBLE_DEVICES} says. */
    int deviceCount();

    /** {@code nvmlDeviceGetHandleByIndex_v2}. */
    NvmlDeviceHandle handleByIndex(int index);

    /** {@code nvmlDeviceGetUUID}, e.g. {@code GPU-5f3c...}. */
    String uuid(NvmlDeviceHandle device);

    /** {@code nvmlDeviceGetName}, e.g. {@code NVIDIA H200}. */
    String name(NvmlDeviceHandle device);

    /** {@code nvmlDeviceGetEnforcedPowerLimit}, milliwatts. */
    long enforcedPowerLimitMilliwatts(NvmlDeviceHandle device);

    /** {@code nvmlDeviceGetTotalEnergyConsumption}: millijoules since the driver was loaded. */
    long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device);

    /**
     * {@code nvmlDeviceGetPowerUsage}, milliwatts. On Ampere and newer (except GA100) a one-second
     * average, not an instantaneous reading.
     */
    long powerUsageMilliwatts(NvmlDeviceHandle device);

    /**
     * {@code nvmlDeviceGetFieldValues} for {@code fieldIds}, all with {@code scopeId}. Throws only
     * when the call as a whole fails; each returned value carries its own return code, which the
     * caller must check ({@link NvmlFieldValue#ok()}).
     */
    List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds);

    /**
     * {@code nvmlDeviceGetCurrentClocksEventReasons} (named {@code ...ClocksThrottleReasons} by
     * older drivers): a bit mask of what holds the clocks back now ({@link NvmlClockEvents}).
     */
    default long clocksEventReasons(NvmlDeviceHandle device) {
        throw new NvmlException("nvmlDeviceGetCurrentClocksEventReasons", NvmlReturn.NOT_SUPPORTED, "not offered here");
    }

    /**
     * {@code nvmlDeviceGetSamples(NVML_TOTAL_POWER_SAMPLES)}: the power samples the driver keeps in
     * its own buffer (on an H200 about every 20 ms, the last 2.4 s or so), those stamped after
     * {@code afterMicros} (0: all it holds), oldest first. Fills {@code timesMicros[i]} with the
     * driver's stamp (microseconds on the host's wall clock, {@code CLOCK_REALTIME}) and
     * {@code milliwatts[i]}, up to the arrays' length.
     *
     * @return how many samples were filled; 0 when none is newer ({@code NVML_ERROR_NOT_FOUND})
     */
    default int totalPowerSamples(NvmlDeviceHandle device, long afterMicros, long[] timesMicros, double[] milliwatts) {
        throw new NvmlException("nvmlDeviceGetSamples", NvmlReturn.NOT_SUPPORTED, "not offered here");
    }

    /** {@code nvmlDeviceGetTemperature(NVML_TEMPERATURE_GPU)}, degrees Celsius. */
    default int temperatureCelsius(NvmlDeviceHandle device) {
        throw new NvmlException("nvmlDeviceGetTemperature", NvmlReturn.NOT_SUPPORTED, "not offered here");
    }

    /** {@code nvmlDeviceGetClockInfo(NVML_CLOCK_SM)}: the compute clock now, MHz. */
    default int smClockMHz(NvmlDeviceHandle device) {
        throw new NvmlException("nvmlDeviceGetClockInfo", NvmlReturn.NOT_SUPPORTED, "not offered here");
    }

    /** {@code nvmlDeviceGetMemoryInfo}: bytes of the device's memory in use now. */
    default long memoryUsedBytes(NvmlDeviceHandle device) {
        throw new NvmlException("nvmlDeviceGetMemoryInfo", NvmlReturn.NOT_SUPPORTED, "not offered here");
    }

    /**
     * {@code nvmlDeviceGetComputeRunningProcesses_v3}: the process ids holding a compute context on
     * the device, in the host's pid namespace (inside a container they may not match this JVM's
     * view, or be hidden).
     */
    default List<Long> computeProcessIds(NvmlDeviceHandle device) {
        throw new NvmlException("nvmlDeviceGetComputeRunningProcesses_v3", NvmlReturn.NOT_SUPPORTED, "not offered here");
    }
}
