import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.tokenpowerbench.power.nvml.NvmlDeviceHandle;
import org.tokenpowerbench.power.nvml.NvmlFieldValue;
import org.tokenpowerbench.power.nvml.NvmlLibrary;

/**
 * An {@link NvmlLibrary} that times every call the sampler makes on the way through: the calling
 * thread's CPU and wall time per kind of call, so {@code NvmlSamplerCost timeCalls=true} can say
 * where the sampling's CPU goes (counter reads, buffer fetches, conditions) instead of leaving
 * the rest to a difference. The clock reads around each call cost about a microsecond of their
 * own; {@link #report} counts them in the call they surround.
 */
final class TimedNvml extends ForwardingNvml {

    /** Per kind of call: calls, CPU ns, wall ns, and (buffer fetches) samples returned. */
    private static final class Tally {
        long calls;
        long cpuNanos;
        long wallNanos;
        long items;
    }

    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final Map<String, Tally> tallies = new TreeMap<>();

    TimedNvml(NvmlLibrary real) {
        super(real);
    }

    private interface Call<T> {
        T run();
    }

    private <T> T timed(String kind, Call<T> call) {
        long cpu = threads.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        T result;
        try {
            result = call.run();
        } finally {
            long w = System.nanoTime() - wall;
            long c = threads.getCurrentThreadCpuTime() - cpu;
            synchronized (tallies) {
                Tally t = tallies.computeIfAbsent(kind, k -> new Tally());
                t.calls++;
                t.cpuNanos += c;
                t.wallNanos += w;
            }
        }
        return result;
    }

    /** Forgets what was counted so far (the learning part of a fork, say). */
    void reset() {
        synchronized (tallies) {
            tallies.clear();
        }
    }

    /** One line per kind of call over {@code seconds} of run: calls a second, CPU a call, CPU a second. */
    String report(double seconds) {
        StringBuilder b = new StringBuilder();
        double total = 0;
        synchronized (tallies) {
            for (Map.Entry<String, Tally> e : tallies.entrySet()) {
                Tally t = e.getValue();
                total += t.cpuNanos / 1e6 / seconds;
                b.append(String.format(Locale.ROOT, "    %-40s %7.1f calls/s, CPU %8.1f us a call (wall %8.1f us), %6.2f ms/s%s%n",
                        e.getKey(), t.calls / seconds, t.cpuNanos / 1e3 / t.calls, t.wallNanos / 1e3 / t.calls,
                        t.cpuNanos / 1e6 / seconds, t.items == 0 ? "" : String.format(Locale.ROOT, ", %.1f samples a fetch",
                                (double) t.items / t.calls)));
            }
        }
        b.append(String.format(Locale.ROOT, "    %-40s %6.2f ms/s", "all NVML calls", total));
        return b.toString();
    }

    @Override
    public long totalEnergyConsumptionMillijoules(NvmlDeviceHandle device) {
        return timed("energy counter", () -> real.totalEnergyConsumptionMillijoules(device));
    }

    @Override
    public long powerUsageMilliwatts(NvmlDeviceHandle device) {
        return timed("power usage", () -> real.powerUsageMilliwatts(device));
    }

    @Override
    public List<NvmlFieldValue> fieldValues(NvmlDeviceHandle device, int scopeId, int... fieldIds) {
        boolean holdBack = fieldIds.length > 0 && fieldIds[0] == 74; // NvmlHoldBackTimes asks for 74, 75, 77, 79
        return timed(holdBack ? "conditions: hold-back times" : "field values",
                () -> real.fieldValues(device, scopeId, fieldIds));
    }

    @Override
    public long clocksEventReasons(NvmlDeviceHandle device) {
        return timed("conditions: clock event reasons", () -> real.clocksEventReasons(device));
    }

    @Override
    public int totalPowerSamples(NvmlDeviceHandle device, long afterMicros, long[] timesMicros, double[] milliwatts) {
        int n = timed("power buffer fetch", () -> real.totalPowerSamples(device, afterMicros, timesMicros, milliwatts));
        synchronized (tallies) {
            tallies.get("power buffer fetch").items += n;
        }
        return n;
    }

    @Override
    public int temperatureCelsius(NvmlDeviceHandle device) {
        return timed("conditions: temperature", () -> real.temperatureCelsius(device));
    }

    @Override
    public int smClockMHz(NvmlDeviceHandle device) {
        return timed("conditions: SM clock", () -> real.smClockMHz(device));
    }

    @Override
    public long memoryUsedBytes(NvmlDeviceHandle device) {
        return timed("memory used", () -> real.memoryUsedBytes(device));
    }

    @Override
    public List<Long> computeProcessIds(NvmlDeviceHandle device) {
        return timed("compute processes", () -> real.computeProcessIds(device));
    }
}
