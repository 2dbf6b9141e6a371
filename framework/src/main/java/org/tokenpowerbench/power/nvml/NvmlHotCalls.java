package org.tokenpowerbench.power.nvml;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The NVML calls the sampler makes on every sample or every 100 ms, bound by JNA's <em>direct
 * mapping</em> ({@link Native#register(Class, NativeLibrary)}).
 *
 * <p><b>Why.</b> At 100 Hz with eight GPUs the sampler makes about 800 field reads and 240
 * condition reads a second. Through JNA's interface mapping each call goes through a reflective
 * proxy, converts its arguments and allocates native memory for every out-parameter (a
 * {@code LongByReference} is a {@code malloc}, a {@code free} and a cleaner registration); direct
 * mapping is one JNI call with primitive arguments. Pointers travel as {@code long} (device
 * handles and the addresses of buffers the caller owns), which is the pointer's own width on the
 * 64-bit platforms NVML exists for.
 *
 * <p>Bound once per JVM ({@link #bind}); where binding fails (a driver without one of these
 * symbols) or {@code -Dtpb.nvml.direct=false} is given, {@link JnaNvmlLibrary} keeps to its
 * interface mapping.
 */
final class NvmlHotCalls {

    /** The system property that turns direct mapping off: {@code -Dtpb.nvml.direct=false}. */
    static final String PROPERTY = "tpb.nvml.direct";

    private static Boolean bound;

    private NvmlHotCalls() {
    }

    static native int nvmlDeviceGetFieldValues(long device, int valuesCount, long values);

    static native int nvmlDeviceGetTotalEnergyConsumption(long device, long energy);

    static native int nvmlDeviceGetPowerUsage(long device, long power);

    static native int nvmlDeviceGetTemperature(long device, int sensorType, long temp);

    static native int nvmlDeviceGetClockInfo(long device, int clockType, long clock);

    /**
     * Binds the natives above to {@code library} the first time; later calls answer what the
     * first one found (a class's natives are registered once per JVM).
     *
     * @return whether the direct calls may be used
     */
    static synchronized boolean bind(NativeLibrary library) {
        if (bound == null) {
            if ("false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").strip())) {
                return false; // asked for the interface mapping: leave unbound so a later run may still bind
            }
            try {
                Native.register(NvmlHotCalls.class, library);
                bound = true;
            } catch (UnsatisfiedLinkError | IllegalArgumentException e) {
                bound = false;
            }
        }
        return bound && !"false".equalsIgnoreCase(System.getProperty(PROPERTY, "true").strip());
    }
}
