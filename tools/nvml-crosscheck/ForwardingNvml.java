import java.util.List;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlLibrary;

/**
 * An {@link NvmlLibrary} that passes every call on to another, each device handle through
 * {@link #handle}: the base of the cost tool's decorators ({@code NvmlSamplerCost}'s replicas,
 * {@link TimedNvml}), which override only the calls they change.
 */
class ForwardingNvml implements NvmlLibrary {

    protected final NvmlLibrary real;

    ForwardingNvml(NvmlLibrary real) {
        this.real = real;
    }

    /** The handle {@code real} knows for {@code device}; the same one unless a decorator issues its own. */
    protected NvmlDeviceHandle handle(NvmlDeviceHandle device) {
        return device;
    }

    @Override
    public void init() {
        real.init();
    }

    @Override
    public int shutdown() {
        return real.shutdown();
    }

    @Override
    public String errorString(int code) {
        return real.errorString(code);
    }

    @Override
    public String driverVersion() {
        return real.driverVersion();
    }

    @Override
    public String nvmlVersion() {
        return real.nvmlVersion();
    }

    @Override
    public int deviceCount() {
        return real.deviceCount();
    }

    @Override
    public NvmlDeviceHandle handleByIndex(int index) {
        return real.handleByIndex(index);
    }

    @Override
    public String uuid(NvmlDeviceHandle device) {
        return real.uuid(handle(device));
    }

    @Override
    public String name(NvmlDeviceHandle device) {
        return real.name(handle(device));
    }

    @Override
    public long enforcedPowerLimitMilliwatts(NvmlDeviceHandle device) {
        return real.enforcedPowerLimitMilliwatts(handle(device));
    }

    @Override
    public long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device) {
        return real.totalEnergyConsumptionMillijoules(handle(device));
    }

    @Override
    public long powerUsageMilliwatts(NvmlDeviceHandle device) {
        return real.powerUsageMilliwatts(handle(device));
    }

    @Override
    public List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds) {
        return real.fieldValues(handle(device), scopeId, fieldIds);
    }

    @Override
    public long clocksEventReasons(NvmlDeviceHandle device) {
        return real.clocksEventReasons(handle(device));
    }

    @Override
    public int totalPowerSamples(NvmlDeviceHandle device, long afterMicros, long[] timesMicros, double[] milliwatts) {
        return real.totalPowerSamples(handle(device), afterMicros, timesMicros, milliwatts);
    }

    @Override
    public int temperatureCelsius(NvmlDeviceHandle device) {
        return real.temperatureCelsius(handle(device));
    }

    @Override
    public int smClockMHz(NvmlDeviceHandle device) {
        return real.smClockMHz(handle(device));
    }

    @Override
    public long memoryUsedBytes(NvmlDeviceHandle device) {
        return real.memoryUsedBytes(handle(device));
    }

    @Override
    public List<Long> computeProcessIds(NvmlDeviceHandle device) {
        return real.computeProcessIds(handle(device));
    }
}
