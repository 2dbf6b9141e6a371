package org.tokenpowerbench.power.nvml;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;
import org.tokenpowerbench.power.SensorUnavailableException;

/**
 * {@link NvmlLibrary} over the real {@code libnvidia-ml.so.1}, through JNA.
 *
 * <p>Binds the {@code _v2} entry points where NVML has them ({@code nvmlInit_v2},
 * {@code nvmlDeviceGetCount_v2}, {@code nvmlDeviceGetHandleByIndex_v2}) and checks every return
 * code. The library is looked up by its soname {@code libnvidia-ml.so.1}, which the driver
 * installs, before the plain name {@code nvidia-ml}: the CUDA toolkit's
 * {@code stubs/libnvidia-ml.so} is not a driver and must not be picked up first.
 *
 * <p>Calls are thread-safe (NVML is); {@link #fieldValues} reuses one native buffer under a lock.
 * The calls made on every sample (field values, the energy counter, power, temperature, clock)
 * go through {@link NvmlHotCalls}' direct mapping where it binds, into buffers owned here.
 */
public final class JnaNvmlLibrary implements NvmlLibrary {

    /** The one line shown when the library cannot be loaded. */
    public static final String NOT_FOUND_MESSAGE =
            "NVML (libnvidia-ml.so.1) not found: no NVIDIA driver on this machine;"
                    + " run on a GPU host or drop -prof nvml";

    private static final int UUID_BUFFER = 96;     // NVML_DEVICE_UUID_V2_BUFFER_SIZE
    private static final int NAME_BUFFER = 96;     // NVML_DEVICE_NAME_V2_BUFFER_SIZE
    private static final int VERSION_BUFFER = 80;  // NVML_SYSTEM_*_VERSION_BUFFER_SIZE

    /** The C functions, mapped one to one. Return values are {@code nvmlReturn_t}. */
    interface NvmlNative extends Library {
        int nvmlInit_v2();

        int nvmlShutdown();

        String nvmlErrorString(int result);

        int nvmlSystemGetDriverVersion(byte[] version, int length);

        int nvmlSystemGetNVMLVersion(byte[] version, int length);

        int nvmlDeviceGetCount_v2(IntByReference deviceCount);

        int nvmlDeviceGetHandleByIndex_v2(int index, PointerByReference device);

        int nvmlDeviceGetUUID(Pointer device, byte[] uuid, int length);

        int nvmlDeviceGetName(Pointer device, byte[] name, int length);

        int nvmlDeviceGetEnforcedPowerLimit(Pointer device, IntByReference limit);

        int nvmlDeviceGetTotalEnergyConsumption(Pointer device, LongByReference energy);

        int nvmlDeviceGetPowerUsage(Pointer device, IntByReference power);

        int nvmlDeviceGetFieldValues(Pointer device, int valuesCount, Pointer values);

        int nvmlDeviceGetCurrentClocksEventReasons(Pointer device, LongByReference reasons);

        int nvmlDeviceGetCurrentClocksThrottleReasons(Pointer device, LongByReference reasons);

        int nvmlDeviceGetTemperature(Pointer device, int sensorType, IntByReference temp);

        int nvmlDeviceGetClockInfo(Pointer device, int clockType, IntByReference clock);

        int nvmlDeviceGetMemoryInfo(Pointer device, Pointer memory);

        int nvmlDeviceGetSamples(Pointer device, int type, long lastSeenTimeStamp, IntByReference sampleValType,
                                 IntByReference sampleCount, Pointer samples);

        int nvmlDeviceGetComputeRunningProcesses_v3(Pointer device, IntByReference infoCount, Pointer infos);
    }

    /** {@code nvmlMemory_t}: total, free, used, each an unsigned 64-bit count of bytes. */
    private static final int MEMORY_SIZE = 24;
    private static final int MEMORY_USED_OFFSET = 16;
    /**
     * {@code nvmlProcessInfo_t} as the {@code _v3} call fills it: {@code unsigned int pid},
     * (4 bytes of padding), {@code unsigned long long usedGpuMemory}, {@code unsigned int
     * gpuInstanceId}, {@code unsigned int computeInstanceId}.
     */
    private static final int PROCESS_INFO_SIZE = 24;

    /** {@code NVML_TOTAL_POWER_SAMPLES}, the first {@code nvmlSamplingType_t}. */
    private static final int TOTAL_POWER_SAMPLES = 0;
    /** {@code nvmlSample_t}: {@code unsigned long long timeStamp}, then the 8-byte {@code nvmlValue_t} union. */
    private static final int SAMPLE_SIZE = 16;

    /** {@code NVML_TEMPERATURE_GPU}. */
    private static final int TEMPERATURE_GPU = 0;
    /** {@code NVML_CLOCK_SM}. */
    private static final int CLOCK_SM = 1;

    private final NvmlNative nvml;
    /** Whether {@link NvmlHotCalls} is bound to this library. */
    private final boolean direct;
    private final Object fieldLock = new Object();
    private Memory fieldBuffer = new Memory(NvmlFields.SIZE * 4L);
    /** The out-parameter of a direct call (8 bytes), used under {@link #outLock}. */
    private final Memory out = new Memory(8);
    private final long outAddress = Pointer.nativeValue(out);
    private final Object outLock = new Object();
    /** The {@code nvmlSample_t} array of {@link #totalPowerSamples}, grown as needed, used under {@link #samplesLock}. */
    private Memory samplesBuffer;
    private final Object samplesLock = new Object();

    private JnaNvmlLibrary(NvmlNative nvml, NativeLibrary library) {
        this.nvml = nvml;
        this.direct = library != null && NvmlHotCalls.bind(library);
    }

    /** Whether the per-sample calls use JNA's direct mapping ({@link NvmlHotCalls}). */
    public boolean directCalls() {
        return direct;
    }

    /**
     * Loads the library (it does not call {@code nvmlInit_v2}).
     *
     * @throws SensorUnavailableException with {@link #NOT_FOUND_MESSAGE} when no driver is installed
     */
    public static JnaNvmlLibrary load() throws SensorUnavailableException {
        UnsatisfiedLinkError first;
        try {
            return new JnaNvmlLibrary(Native.load("libnvidia-ml.so.1", NvmlNative.class),
                    NativeLibrary.getInstance("libnvidia-ml.so.1"));
        } catch (UnsatisfiedLinkError e) {
            first = e;
        }
        try {
            return new JnaNvmlLibrary(Native.load("nvidia-ml", NvmlNative.class), NativeLibrary.getInstance("nvidia-ml"));
        } catch (UnsatisfiedLinkError e) {
            e.addSuppressed(first);
            throw new SensorUnavailableException(NOT_FOUND_MESSAGE, e);
        }
    }

    @Override
    public void init() {
        check("nvmlInit_v2", call("nvmlInit_v2", nvml::nvmlInit_v2));
    }

    @Override
    public int shutdown() {
        return call("nvmlShutdown", nvml::nvmlShutdown);
    }

    @Override
    public String errorString(int code) {
        try {
            String s = nvml.nvmlErrorString(code);
            return s == null || s.isBlank() ? NvmlReturn.name(code) : s;
        } catch (UnsatisfiedLinkError e) {
            return NvmlReturn.name(code);
        }
    }

    @Override
    public String driverVersion() {
        byte[] buf = new byte[VERSION_BUFFER];
        check("nvmlSystemGetDriverVersion",
                call("nvmlSystemGetDriverVersion", () -> nvml.nvmlSystemGetDriverVersion(buf, buf.length)));
        return text(buf);
    }

    @Override
    public String nvmlVersion() {
        byte[] buf = new byte[VERSION_BUFFER];
        check("nvmlSystemGetNVMLVersion",
                call("nvmlSystemGetNVMLVersion", () -> nvml.nvmlSystemGetNVMLVersion(buf, buf.length)));
        return text(buf);
    }

    @Override
    public int deviceCount() {
        IntByReference count = new IntByReference();
        check("nvmlDeviceGetCount_v2", call("nvmlDeviceGetCount_v2", () -> nvml.nvmlDeviceGetCount_v2(count)));
        return count.getValue();
    }

    @Override
    public NvmlDeviceHandle handleByIndex(int index) {
        PointerByReference ref = new PointerByReference();
        check("nvmlDeviceGetHandleByIndex_v2",
                call("nvmlDeviceGetHandleByIndex_v2", () -> nvml.nvmlDeviceGetHandleByIndex_v2(index, ref)));
        return new NvmlDeviceHandle(Pointer.nativeValue(ref.getValue()));
    }

    @Override
    public String uuid(NvmlDeviceHandle device) {
        byte[] buf = new byte[UUID_BUFFER];
        check("nvmlDeviceGetUUID",
                call("nvmlDeviceGetUUID", () -> nvml.nvmlDeviceGetUUID(pointer(device), buf, buf.length)));
        return text(buf);
    }

    @Override
    public String name(NvmlDeviceHandle device) {
        byte[] buf = new byte[NAME_BUFFER];
        check("nvmlDeviceGetName",
                call("nvmlDeviceGetName", () -> nvml.nvmlDeviceGetName(pointer(device), buf, buf.length)));
        return text(buf);
    }

    @Override
    public long enforcedPowerLimitMilliwatts(NvmlDeviceHandle device) {
        IntByReference mw = new IntByReference();
        check("nvmlDeviceGetEnforcedPowerLimit",
                call("nvmlDeviceGetEnforcedPowerLimit", () -> nvml.nvmlDeviceGetEnforcedPowerLimit(pointer(device), mw)));
        return mw.getValue() & 0xFFFF_FFFFL;
    }

    @Override
    public long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device) {
        if (direct) {
            synchronized (outLock) {
                check("nvmlDeviceGetTotalEnergyConsumption",
                        NvmlHotCalls.nvmlDeviceGetTotalEnergyConsumption(device.address(), outAddress));
                return out.getLong(0);
            }
        }
        LongByReference mj = new LongByReference();
        check("nvmlDeviceGetTotalEnergyConsumption",
                call("nvmlDeviceGetTotalEnergyConsumption",
                        () -> nvml.nvmlDeviceGetTotalEnergyConsumption(pointer(device), mj)));
        return mj.getValue();
    }

    @Override
    public long powerUsageMilliwatts(NvmlDeviceHandle device) {
        if (direct) {
            synchronized (outLock) {
                check("nvmlDeviceGetPowerUsage", NvmlHotCalls.nvmlDeviceGetPowerUsage(device.address(), outAddress));
                return out.getInt(0) & 0xFFFF_FFFFL;
            }
        }
        IntByReference mw = new IntByReference();
        check("nvmlDeviceGetPowerUsage",
                call("nvmlDeviceGetPowerUsage", () -> nvml.nvmlDeviceGetPowerUsage(pointer(device), mw)));
        return mw.getValue() & 0xFFFF_FFFFL;
    }

    @Override
    public List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds) {
        synchronized (fieldLock) {
            long needed = (long) NvmlFields.SIZE * fieldIds.length;
            if (fieldBuffer.size() < needed) {
                fieldBuffer.close();
                fieldBuffer = new Memory(needed);
            }
            for (int i = 0; i < fieldIds.length; i++) {
                NvmlFields.writeRequest(fieldBuffer, i, fieldIds[i], scopeId);
            }
            Memory buf = fieldBuffer;
            if (direct) {
                check("nvmlDeviceGetFieldValues",
                        NvmlHotCalls.nvmlDeviceGetFieldValues(device.address(), fieldIds.length, Pointer.nativeValue(buf)));
            } else {
                check("nvmlDeviceGetFieldValues", call("nvmlDeviceGetFieldValues",
                        () -> nvml.nvmlDeviceGetFieldValues(pointer(device), fieldIds.length, buf)));
            }
            List<NvmlFieldValue> out = new ArrayList<>(fieldIds.length);
            for (int i = 0; i < fieldIds.length; i++) {
                out.add(NvmlFields.read(buf, i));
            }
            return out;
        }
    }

    @Override
    public long clocksEventReasons(NvmlDeviceHandle device) {
        LongByReference mask = new LongByReference();
        int code;
        try {
            code = nvml.nvmlDeviceGetCurrentClocksEventReasons(pointer(device), mask);
        } catch (UnsatisfiedLinkError e) {
            // drivers before the rename know the same call as ...ClocksThrottleReasons
            code = call("nvmlDeviceGetCurrentClocksThrottleReasons",
                    () -> nvml.nvmlDeviceGetCurrentClocksThrottleReasons(pointer(device), mask));
        }
        check("nvmlDeviceGetCurrentClocksEventReasons", code);
        return mask.getValue();
    }

    @Override
    public int temperatureCelsius(NvmlDeviceHandle device) {
        if (direct) {
            synchronized (outLock) {
                check("nvmlDeviceGetTemperature",
                        NvmlHotCalls.nvmlDeviceGetTemperature(device.address(), TEMPERATURE_GPU, outAddress));
                return out.getInt(0);
            }
        }
        IntByReference t = new IntByReference();
        check("nvmlDeviceGetTemperature", call("nvmlDeviceGetTemperature",
                () -> nvml.nvmlDeviceGetTemperature(pointer(device), TEMPERATURE_GPU, t)));
        return t.getValue();
    }

    @Override
    public int smClockMHz(NvmlDeviceHandle device) {
        if (direct) {
            synchronized (outLock) {
                check("nvmlDeviceGetClockInfo", NvmlHotCalls.nvmlDeviceGetClockInfo(device.address(), CLOCK_SM, outAddress));
                return out.getInt(0);
            }
        }
        IntByReference mhz = new IntByReference();
        check("nvmlDeviceGetClockInfo", call("nvmlDeviceGetClockInfo",
                () -> nvml.nvmlDeviceGetClockInfo(pointer(device), CLOCK_SM, mhz)));
        return mhz.getValue();
    }

    @Override
    public int totalPowerSamples(NvmlDeviceHandle device, long afterMicros, long[] timesMicros, double[] milliwatts) {
        int room = Math.min(timesMicros.length, milliwatts.length);
        synchronized (samplesLock) {
            if (samplesBuffer == null || samplesBuffer.size() < (long) room * SAMPLE_SIZE) {
                if (samplesBuffer != null) {
                    samplesBuffer.close();
                }
                samplesBuffer = new Memory((long) Math.max(1, room) * SAMPLE_SIZE);
            }
            Memory buf = samplesBuffer;
            IntByReference type = new IntByReference();
            IntByReference count = new IntByReference(room);
            int code = call("nvmlDeviceGetSamples",
                    () -> nvml.nvmlDeviceGetSamples(pointer(device), TOTAL_POWER_SAMPLES, afterMicros, type, count, buf));
            if (code == NvmlReturn.NOT_FOUND) {
                return 0; // nothing newer than afterMicros
            }
            check("nvmlDeviceGetSamples", code);
            NvmlValueType valueType = NvmlValueType.ofCode(type.getValue());
            if (valueType == null) {
                throw new NvmlException("nvmlDeviceGetSamples", NvmlReturn.UNKNOWN,
                        "sample value type " + type.getValue() + " is not one this build reads");
            }
            int n = Math.min(room, count.getValue());
            for (int i = 0; i < n; i++) {
                timesMicros[i] = buf.getLong((long) i * SAMPLE_SIZE);
                milliwatts[i] = valueType.read(buf, (long) i * SAMPLE_SIZE + 8);
            }
            return n;
        }
    }

    @Override
    public long memoryUsedBytes(NvmlDeviceHandle device) {
        Memory m = new Memory(MEMORY_SIZE);
        check("nvmlDeviceGetMemoryInfo", call("nvmlDeviceGetMemoryInfo",
                () -> nvml.nvmlDeviceGetMemoryInfo(pointer(device), m)));
        return m.getLong(MEMORY_USED_OFFSET);
    }

    @Override
    public List<Long> computeProcessIds(NvmlDeviceHandle device) {
        String f = "nvmlDeviceGetComputeRunningProcesses_v3";
        for (int attempt = 0; attempt < 3; attempt++) {
            IntByReference count = new IntByReference(0);
            int code = call(f, () -> nvml.nvmlDeviceGetComputeRunningProcesses_v3(pointer(device), count, null));
            if (code == NvmlReturn.SUCCESS) {
                return List.of();
            }
            if (code != NvmlReturn.INSUFFICIENT_SIZE) {
                check(f, code);
            }
            int room = count.getValue() + 8; // processes may start between the two calls
            Memory infos = new Memory((long) room * PROCESS_INFO_SIZE);
            IntByReference filled = new IntByReference(room);
            code = call(f, () -> nvml.nvmlDeviceGetComputeRunningProcesses_v3(pointer(device), filled, infos));
            if (code == NvmlReturn.INSUFFICIENT_SIZE) {
                continue;
            }
            check(f, code);
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < filled.getValue(); i++) {
                pids.add(Integer.toUnsignedLong(infos.getInt((long) i * PROCESS_INFO_SIZE)));
            }
            return pids;
        }
        throw new NvmlException(f, NvmlReturn.INSUFFICIENT_SIZE, "the process list kept growing");
    }

    private void check(String function, int code) {
        if (code != NvmlReturn.SUCCESS) {
            throw new NvmlException(function, code, errorString(code));
        }
    }

    /** Runs a native call; a symbol missing from an old driver becomes FUNCTION_NOT_FOUND. */
    private static int call(String function, IntSupplier nativeCall) {
        try {
            return nativeCall.getAsInt();
        } catch (UnsatisfiedLinkError e) {
            throw new NvmlException(function, NvmlReturn.FUNCTION_NOT_FOUND,
                    "symbol missing from libnvidia-ml (driver older than this call)");
        }
    }

    private static Pointer pointer(NvmlDeviceHandle device) {
        return new Pointer(device.address());
    }

    private static String text(byte[] buf) {
        return Native.toString(buf, StandardCharsets.UTF_8).trim();
    }
}
